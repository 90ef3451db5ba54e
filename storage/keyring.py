"""The keys the application keeps in its own database, encrypted with its Fernet keys: the
index key of the keyed hashes (storage.crypto.Cipher.address_index). Made on first use; a key
rotation re-encrypts it like any other token, so the hashes never change."""

import os

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from storage.crypto import Cipher

INDEX = "index"


class KeyringEntry(SQLModel, table=True):
    __tablename__ = "keyring"

    name: str = Field(primary_key=True)
    secret: str = Field(sa_type=sa.Text, nullable=False)  # encrypted


def index_key(connection: Connection, cipher: Cipher) -> bytes:
    """The index key, made and stored (encrypted) by the first process that asks."""
    table = KeyringEntry.__table__
    select = sa.select(table.c.secret).where(table.c.name == INDEX)
    token = connection.execute(select).scalar()
    if token is None:
        fresh = cipher.encrypt_text(os.urandom(32).hex())
        # Two processes starting together: the first insert wins, both read the winner.
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values(name=INDEX, secret=fresh)
        connection.execute(insert.on_conflict_do_nothing())
        token = connection.execute(select).scalar_one()
    try:
        return bytes.fromhex(cipher.decrypt_text(token))
    except InvalidToken:
        raise WrongKey(
            "the secret key does not open this database: set PERCORSO_SECRET_KEY to the key it "
            "was made with (or to the new key and the old one, comma-separated, while rotating)"
        ) from None


class WrongKey(Exception):
    """The configured key is not the one this database's data was encrypted with."""
