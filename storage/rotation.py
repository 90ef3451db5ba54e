"""Re-encrypting every stored token with the cipher's first key, in batches, while the service
runs: `percorso keys rotate` (docs/privacy.md says when the old key can go).

Each batch is its own short transaction, and a token is replaced only if it is still the one
read: a row the service rewrote meanwhile was written with the first key already.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine

from storage.crypto import Cipher


@dataclass(frozen=True)
class Encrypted:
    """A column holding Fernet tokens, and its table's key."""

    table: str
    key: str
    column: str


ENCRYPTED = (
    Encrypted("keyring", "name", "secret"),
    Encrypted("conversation", "person_id", "state"),
    Encrypted("intake_special", "intake_id", "payload"),
    Encrypted("hand_over_message", "id", "text"),
    Encrypted("staff_account", "id", "totp_secret"),
    Encrypted("person", "id", "first_name"),
    Encrypted("identity", "id", "address"),
    Encrypted("intake", "id", "municipality"),
    Encrypted("intake", "id", "experience_text"),
    Encrypted("outbox", "id", "payload"),
    Encrypted("link_code", "id", "address"),
    Encrypted("appointment", "id", "cancel_reason"),
    Encrypted("path_stage", "id", "note"),
)
"""Every column of tokens; a new encrypted column is added here."""


def rotate(engine: Engine, cipher: Cipher, batch: int = 500) -> int:
    """Re-encrypt every token with the first key; returns how many were rewritten."""
    return sum(_rotate_column(engine, cipher, column, batch) for column in ENCRYPTED)


def _rotate_column(engine: Engine, cipher: Cipher, encrypted: Encrypted, batch: int) -> int:
    table = sa.table(encrypted.table, sa.column(encrypted.key), sa.column(encrypted.column))
    key, column = table.c[encrypted.key], table.c[encrypted.column]
    rewritten, after = 0, None
    while True:
        with engine.begin() as connection:
            query = sa.select(key, column).where(column.is_not(None)).order_by(key).limit(batch)
            if after is not None:
                query = query.where(key > after)
            rows = connection.execute(query).all()
            for row_key, token in rows:
                connection.execute(
                    sa.update(table)
                    .where(key == row_key, column == token)
                    .values({encrypted.column: cipher.rotate(token)})
                )
            rewritten += len(rows)
        if len(rows) < batch:
            return rewritten
        after = rows[-1][0]
