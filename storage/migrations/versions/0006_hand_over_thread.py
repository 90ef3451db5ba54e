"""hand-over thread: who took it, when it is due and was escalated, its messages (encrypted);
the coordinator e-mail of a site

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hand_over_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hand_over_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["counselor.id"],
            name=op.f("fk_hand_over_message_counselor_id_counselor"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hand_over_id"],
            ["hand_over.id"],
            name=op.f("fk_hand_over_message_hand_over_id_hand_over"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hand_over_message")),
    )
    with op.batch_alter_table("hand_over_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hand_over_message_hand_over_id"), ["hand_over_id"], unique=False
        )

    with op.batch_alter_table("hand_over", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("taken_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_hand_over_site_id_site"),
            "site",
            ["site_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_hand_over_taken_by_counselor"),
            "counselor",
            ["taken_by"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinator_email", sa.String(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("coordinator_email")

    with op.batch_alter_table("hand_over", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_hand_over_taken_by_counselor"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_hand_over_site_id_site"), type_="foreignkey")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("taken_at")
        batch_op.drop_column("taken_by")
        batch_op.drop_column("due_at")
        batch_op.drop_column("site_id")
        batch_op.drop_column("channel")
        batch_op.drop_column("lang")

    with op.batch_alter_table("hand_over_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hand_over_message_hand_over_id"))

    op.drop_table("hand_over_message")
