"""Encryption of what must not be readable from the database alone, and the keyed hashes that
find a channel address without keeping it in clear.

`Cipher` encrypts with the first of its Fernet keys and decrypts with any of them (MultiFernet):
a new key goes first, `percorso keys rotate` re-encrypts every token with it, and the old key
can then be dropped. Its index key (HMAC-SHA256) is a key of its own, kept encrypted in the
database (storage.keyring), so that rotating the Fernet keys does not change a single hash.
"""

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators


class Cipher:
    def __init__(self, fernets: list[Fernet], index_key: bytes | None = None) -> None:
        self._fernets = fernets
        self._multi = MultiFernet(fernets)
        self._index_key = index_key

    @classmethod
    def from_key(cls, key: str) -> "Cipher":
        """`key` is one Fernet key (32 bytes, url-safe base64: `Fernet.generate_key`), or several
        separated by commas, the newest first."""
        keys = [part.strip() for part in key.split(",") if part.strip()]
        if not keys:
            raise ValueError("no key given")
        return cls([Fernet(part.encode("ascii")) for part in keys])

    def with_index_key(self, index_key: bytes) -> "Cipher":
        return Cipher(self._fernets, index_key)

    def encrypt_text(self, text: str) -> str:
        return self._multi.encrypt(text.encode()).decode("ascii")

    def decrypt_text(self, token: str) -> str:
        return self._multi.decrypt(token.encode("ascii")).decode()

    def encrypt_json(self, obj: Any) -> str:
        return self.encrypt_text(json.dumps(obj, ensure_ascii=False))

    def decrypt_json(self, token: str) -> Any:
        return json.loads(self.decrypt_text(token))

    def rotate(self, token: str) -> str:
        """The same plaintext, encrypted with the first key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def address_index(self, channel: str, address: str) -> str:
        """The keyed hash that finds (channel, address) without storing it in clear."""
        if self._index_key is None:
            raise RuntimeError("this cipher has no index key (storage.db.use_cipher gives one)")
        message = f"{channel}\x00{address}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def dialect_cipher(dialect: Dialect) -> Cipher:
    """The cipher storage.db.use_cipher gave the engine of `dialect`."""
    cipher = getattr(dialect, "percorso_cipher", None)
    if cipher is None:
        raise RuntimeError("no cipher for this engine: call storage.db.use_cipher first")
    return cipher


class _Unsearchable(sa.types.TypeDecorator.Comparator[Any]):
    """A Fernet token differs at every write: comparing the column with a value in SQL would
    silently match nothing, and an order of tokens means nothing, so both raise (an address is
    looked up by its keyed hash). IS [NOT] NULL works; so does a comparison with another
    column, which SQLAlchemy itself makes to tell columns apart."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        with_column = all(isinstance(o, sa.ColumnElement) for o in other) and other
        if op not in (operators.is_, operators.is_not) and not with_column:
            raise TypeError("an encrypted column cannot be compared or sorted in SQL")
        return super().operate(op, *other, **kwargs)


class EncryptedText(sa.TypeDecorator[str]):
    """Text kept as a Fernet token of the engine's cipher: the one way a column is encrypted.
    Its Python value is the plain text; `percorso keys rotate` re-encrypts it (storage.rotation
    lists every such column)."""

    impl = sa.Text
    cache_ok = True
    comparator_factory = _Unsearchable

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else dialect_cipher(dialect).encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else dialect_cipher(dialect).decrypt_text(value)


class EncryptedJSON(sa.TypeDecorator[Any]):
    """A JSON value kept as a Fernet token (EncryptedText's twin for structured values)."""

    impl = sa.Text
    cache_ok = True
    comparator_factory = _Unsearchable

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else dialect_cipher(dialect).encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else dialect_cipher(dialect).decrypt_json(value)


def load_cipher(key: str | None, key_file: Path) -> Cipher:
    """The cipher for `key` when one is configured, else for the key kept in `key_file`
    (made on first use, readable by this user only): the demo's way."""
    if key is not None:
        return Cipher.from_key(key)
    return Cipher.from_key(_read_or_create_key(key_file))


def _read_or_create_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written whole to a private temporary file, then linked into place: a process that
        # starts at the same moment either wins the link or reads the complete winner's key.
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text(encoding="ascii").strip()
