"""channels: delivery status, counselor links, link codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.String(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["counselor.id"],
            name=op.f("fk_link_code_counselor_id_counselor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_link_code_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_link_code_code_hash")),
    )
    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_code_person_id"), ["person_id"], unique=False)

    with op.batch_alter_table("counselor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_chat_id", sa.String(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_counselor_telegram_chat_id"), ["telegram_chat_id"]
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_status", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("error_code", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("delivery_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("source")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("delivery_updated_at")
        batch_op.drop_column("error_code")
        batch_op.drop_column("delivery_status")

    with op.batch_alter_table("counselor", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_counselor_telegram_chat_id"), type_="unique")
        batch_op.drop_column("telegram_chat_id")

    with op.batch_alter_table("link_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_code_person_id"))

    op.drop_table("link_code")
