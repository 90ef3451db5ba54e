"""erasure with no residue: the people an outbox row mentions, the keyed hashes of erased
opted-out addresses, and the keyring of the index key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_mention",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], ondelete="CASCADE",
            name=op.f("fk_outbox_mention_outbox_id_outbox"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], ondelete="CASCADE",
            name=op.f("fk_outbox_mention_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("outbox_id", "person_id", name=op.f("pk_outbox_mention")),
    )
    op.create_index(
        op.f("ix_outbox_mention_person_id"), "outbox_mention", ["person_id"], unique=False
    )
    op.create_table(
        "opt_out",
        sa.Column("address_index", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("address_index", name=op.f("pk_opt_out")),
    )
    op.create_table(
        "keyring",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_keyring")),
    )


def downgrade() -> None:
    op.drop_table("keyring")
    op.drop_table("opt_out")
    op.drop_index(op.f("ix_outbox_mention_person_id"), table_name="outbox_mention")
    op.drop_table("outbox_mention")
