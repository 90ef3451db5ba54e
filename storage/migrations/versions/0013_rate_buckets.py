"""rate limits shared by every process: one row per bucket; the request id of an outbox row

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_bucket",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("wait", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_bucket")),
    )
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("request_id", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("request_id")
    op.drop_table("rate_bucket")
