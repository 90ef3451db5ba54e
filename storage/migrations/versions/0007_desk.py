"""the desk: staff accounts, sessions, login attempts, the append-only audit log of record
views, and the stages of a person's path

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.audit import install_guard, lift_guard

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("totp_secret", sa.String(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("disabled_at", _TIME, nullable=True),
        sa.CheckConstraint(
            "role IN ('counselor', 'coordinator', 'admin')", name=op.f("ck_staff_account_role")
        ),
        sa.CheckConstraint(
            "role <> 'counselor' OR counselor_id IS NOT NULL",
            name=op.f("ck_staff_account_counselor"),
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselor.id"], ondelete="CASCADE",
            name=op.f("fk_staff_account_counselor_id_counselor"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_account")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_account_email")),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_seen_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["staff_account.id"], ondelete="CASCADE",
            name=op.f("fk_staff_session_account_id_staff_account"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_session")),
    )
    op.create_index(
        op.f("ix_staff_session_account_id"), "staff_session", ["account_id"], unique=False
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_email_at", "login_attempt", ["email", "at"])
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])
    op.create_table(
        "record_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("viewed_at", _TIME, nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["staff_account.id"],
            name=op.f("fk_record_view_account_id_staff_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_record_view_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_view")),
    )
    op.create_index(op.f("ix_record_view_account_id"), "record_view", ["account_id"])
    op.create_index(op.f("ix_record_view_person_id"), "record_view", ["person_id"])
    install_guard(op.get_bind(), ("record_view",))
    op.create_table(
        "path_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], ondelete="CASCADE",
            name=op.f("fk_path_stage_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["staff_account.id"],
            name=op.f("fk_path_stage_account_id_staff_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_path_stage")),
    )
    op.create_index(op.f("ix_path_stage_person_id"), "path_stage", ["person_id"])


def downgrade() -> None:
    op.drop_table("path_stage")
    lift_guard(op.get_bind(), ("record_view",))
    op.drop_table("record_view")
    op.drop_table("login_attempt")
    op.drop_table("staff_session")
    op.drop_table("staff_account")
