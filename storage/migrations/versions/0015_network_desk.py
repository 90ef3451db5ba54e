"""the network in the desk: sites, counselors and services can be deactivated, a counselor's
own absences are told apart from the network file's exceptions, and changes made in the desk
are logged (append-only, as the log of record views)

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.audit import install_guard, lift_guard

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("site", "counselor", "service")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
            )
    with op.batch_alter_table("availability_exception", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=False, server_default="file"))
    op.create_table(
        "network_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_network_change_account_id_staff_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_change")),
    )
    op.create_index(
        op.f("ix_network_change_account_id"), "network_change", ["account_id"], unique=False
    )
    install_guard(op.get_bind(), ("network_change",))


def downgrade() -> None:
    lift_guard(op.get_bind(), ("network_change",))
    op.drop_index(op.f("ix_network_change_account_id"), table_name="network_change")
    op.drop_table("network_change")
    with op.batch_alter_table("availability_exception", schema=None) as batch_op:
        batch_op.drop_column("source")
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("active")
