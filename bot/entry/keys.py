"""`percorso keys new|rotate`: the application's Fernet keys.

To change the key: put a new one first in PERCORSO_SECRET_KEY (`NEW,OLD`) on every process
and restart them, run `percorso keys rotate`, then drop OLD from the setting.
"""

import typer
from cryptography.fernet import Fernet

from bot.entry.bootstrap import open_database, require_secret_key
from bot.settings import get_settings
from storage.db import cipher_of
from storage.rotation import rotate

keys_app = typer.Typer(help="The keys that encrypt personal data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def new() -> None:
    """Print a fresh key, for PERCORSO_SECRET_KEY."""
    typer.echo(Fernet.generate_key().decode())


@keys_app.command("rotate")
def rotate_keys(
    batch: int = typer.Option(500, min=1, help="Rows re-encrypted per transaction."),
) -> None:
    """Re-encrypt everything with the first key of PERCORSO_SECRET_KEY, while the service runs."""
    settings = get_settings()
    require_secret_key(settings)
    engine = open_database(settings, seed=False)
    typer.echo(f"re-encrypted {rotate(engine, cipher_of(engine), batch)} values")
