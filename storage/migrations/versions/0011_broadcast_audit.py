"""broadcasts from the desk: who asked for one, and who cancelled it before it started

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("broadcast", sa.Column("created_by", sa.Integer(), nullable=True))
    op.add_column("broadcast", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("broadcast", sa.Column("cancelled_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast") as batch:
        batch.drop_column("cancelled_by")
        batch.drop_column("cancelled_at")
        batch.drop_column("created_by")
