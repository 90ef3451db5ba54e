"""encryption at rest: names, channel addresses (found by a keyed hash), the intake's free text,
outbox payloads, cancellation reasons and path notes become Fernet tokens; outbox
rows note when their payload was purged

The existing rows are encrypted here, so the migration needs the application's key when the
database holds any (storage.migrate.upgrade passes the cipher).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from storage.crypto import Cipher
from storage.keyring import index_key

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = {
    "person": ("first_name",),
    "identity": ("address",),
    "intake": ("municipality", "experience_text"),
    "link_code": ("address",),
    "appointment": ("cancel_reason",),
    "path_stage": ("note",),
}
"""The columns that become encrypted text, by table."""
ENCRYPTED = {**TEXTS, "outbox": ("payload",)}
"""...and the JSON payload of the outbox: every column whose values are rewritten."""
WERE_TEXT = {("intake", "experience_text"), ("path_stage", "note")}


def upgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher() if _holds_rows(bind) else None  # refused before anything changes
    with op.batch_alter_table("identity") as batch_op:
        batch_op.add_column(sa.Column("address_index", sa.String(), nullable=True))
    for table, columns in TEXTS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, type_=sa.Text())
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.alter_column("payload", type_=sa.Text(), postgresql_using="payload::text")
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    if cipher is not None:
        cipher = cipher.with_index_key(index_key(bind, cipher))
        _index_addresses(bind, cipher)
        for table, columns in ENCRYPTED.items():
            _rewrite(bind, table, columns, cipher.encrypt_text)
    with op.batch_alter_table("identity") as batch_op:
        batch_op.alter_column("address_index", existing_type=sa.String(), nullable=False)
        batch_op.drop_constraint("uq_identity_channel_address", type_="unique")
        batch_op.create_unique_constraint("uq_identity_address_index", ["address_index"])


def downgrade() -> None:
    bind = op.get_bind()
    if _holds_rows(bind):
        cipher = _cipher()
        for table, columns in ENCRYPTED.items():
            _rewrite(bind, table, columns, cipher.decrypt_text)
    with op.batch_alter_table("identity") as batch_op:
        batch_op.drop_constraint("uq_identity_address_index", type_="unique")
        batch_op.drop_column("address_index")
        batch_op.create_unique_constraint("uq_identity_channel_address", ["channel", "address"])
    for table, columns in TEXTS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                if (table, column) not in WERE_TEXT:
                    batch_op.alter_column(column, type_=sa.String())
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("purged_at")
        batch_op.alter_column("payload", type_=sa.JSON(), postgresql_using="payload::json")


def _holds_rows(bind: sa.Connection) -> bool:
    select_one = 'SELECT 1 FROM "{}" LIMIT 1'
    return any(bind.exec_driver_sql(select_one.format(t)).first() for t in ENCRYPTED)


def _cipher() -> Cipher:
    cipher = context.config.attributes.get("cipher")
    if cipher is None:
        raise RuntimeError(
            "migration 0010 encrypts the rows already stored: run it with the key "
            "(PERCORSO_SECRET_KEY set, `percorso db upgrade`)"
        )
    return cipher


def _index_addresses(bind: sa.Connection, cipher: Cipher) -> None:
    identity = sa.table("identity", sa.column("id"), sa.column("channel"),
                        sa.column("address"), sa.column("address_index"))  # fmt: skip
    for row in bind.execute(sa.select(identity.c.id, identity.c.channel, identity.c.address)):
        index = cipher.address_index(row.channel, row.address)
        bind.execute(sa.update(identity).where(identity.c.id == row.id)
                     .values(address_index=index))  # fmt: skip


def _rewrite(
    bind: sa.Connection, name: str, columns: Sequence[str], change: Callable[[str], Any]
) -> None:
    """Every non-null value of `columns` through `change` (encrypt, or decrypt)."""
    table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
    for row in bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).mappings():
        values = {c: change(row[c]) for c in columns if row[c] is not None}
        if values:
            bind.execute(sa.update(table).where(table.c.id == row["id"]).values(values))
