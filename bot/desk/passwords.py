"""Staff passwords, hashed with argon2 (argon2-cffi's defaults: Argon2id, RFC 9106 low-memory)."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12

_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """Shorter than MIN_LENGTH characters."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether the password matches. Without a hash (no such account) a stand-in hash is
    checked all the same, so an unknown e-mail costs the same time as a wrong password."""
    try:
        return _hasher.verify(password_hash or _stand_in(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _stand_in() -> str:
    return _hasher.hash("no account has this password, it only spends the time of a check")
