"""Encryption of what must not be readable from the database alone: conversation state and
special-category answers."""

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet


class Cipher:
    def __init__(self, fernet: Fernet) -> None:
        self._fernet = fernet

    @classmethod
    def from_key(cls, key: str) -> "Cipher":
        """`key` is a Fernet key: 32 bytes, url-safe base64 (see `Fernet.generate_key`)."""
        return cls(Fernet(key.encode("ascii")))

    def encrypt_json(self, obj: Any) -> str:
        return self._fernet.encrypt(json.dumps(obj, ensure_ascii=False).encode()).decode("ascii")

    def decrypt_json(self, token: str) -> Any:
        return json.loads(self._fernet.decrypt(token.encode("ascii")))


def load_cipher(key: str | None, key_file: Path) -> Cipher:
    """The cipher for `key` when one is configured, else for the key kept in `key_file`
    (made on first use, readable by this user only)."""
    if key is not None:
        return Cipher.from_key(key)
    return Cipher.from_key(_read_or_create_key(key_file))


def _read_or_create_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
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
