"""Bring a database to the latest schema, from any working directory."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.crypto import Cipher

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str, cipher: Cipher | None = None) -> Config:
    config = Config()
    # ConfigParser interpolates '%', which a directory name may contain.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["url"] = url
    config.attributes["cipher"] = cipher
    return config


def upgrade(url: str, cipher: Cipher | None = None) -> None:
    """`cipher` encrypts the rows a migration finds in clear (0010); an empty database needs
    none."""
    command.upgrade(alembic_config(url, cipher), "head")
