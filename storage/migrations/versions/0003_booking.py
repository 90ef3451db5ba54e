"""booking: availability, booking rules, meetings and appointments; counselor e-mail and
group seats of a service.

No two booked meetings of one counselor may overlap, whatever their lengths; the database
refuses it, not a check in the code:

- PostgreSQL: an exclusion constraint over the counselor and the time range of booked
  meetings. It needs btree_gist (for `counselor_id WITH =` in a GiST index), installed in the
  `public` schema: an extension is database-wide, and one installed inside a schema that is
  later dropped with CASCADE would take every constraint using it along.
- SQLite: triggers refuse an overlapping insert or update. They run inside the writing
  statement, under the write lock each transaction takes at BEGIN (storage.db). A later batch
  migration of `meeting` recreates the table and drops them: it must create them again
  (tests/booking/test_constraints.py fails otherwise).

The downgrade keeps btree_gist: other schemas of the database may use it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("travel_buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("slot_step_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_rules")),
    )
    op.create_table(
        "availability_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("ends", sa.Time(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint(
            "kind = 'closed' OR (counselor_id IS NOT NULL AND site_id IS NOT NULL"
            " AND starts IS NOT NULL AND ends IS NOT NULL)",
            name=op.f("ck_availability_exception_extra_hours"),
        ),
        sa.CheckConstraint(
            "kind IN ('closed', 'extra')", name=op.f("ck_availability_exception_kind")
        ),
        sa.CheckConstraint(
            "counselor_id IS NOT NULL OR site_id IS NOT NULL",
            name=op.f("ck_availability_exception_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["counselor.id"],
            name=op.f("fk_availability_exception_counselor_id_counselor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_availability_exception_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_exception")),
    )
    op.create_index(
        op.f("ix_availability_exception_day"), "availability_exception", ["day"], unique=False
    )

    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_meeting_times")),
        sa.CheckConstraint("taken >= 0 AND taken <= seats", name=op.f("ck_meeting_seats")),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselor.id"], name=op.f("fk_meeting_counselor_id_counselor")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_meeting_service_id_service")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_meeting_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index(
        "ix_meeting_counselor_starts", "meeting", ["counselor_id", "starts_at"], unique=False
    )
    _refuse_overlapping_meetings()

    op.create_table(
        "weekly_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.CheckConstraint("starts < ends", name=op.f("ck_weekly_hours_order")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_weekly_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["counselor.id"],
            name=op.f("fk_weekly_hours_counselor_id_counselor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_weekly_hours_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_hours")),
    )
    op.create_index(
        op.f("ix_weekly_hours_counselor_id"), "weekly_hours", ["counselor_id"], unique=False
    )

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("previous_meeting_id", sa.Integer(), nullable=True),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(), nullable=True),
        sa.Column("cancel_reason", sa.String(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attendance_marked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_rating", sa.Integer(), nullable=True),
        sa.Column("follow_up_next_step", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counselor_id"], ["counselor.id"], name=op.f("fk_appointment_counselor_id_counselor")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_appointment_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["previous_meeting_id"],
            ["meeting.id"],
            name=op.f("fk_appointment_previous_meeting_id_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_appointment_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_appointment_service_id_service")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_appointment_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index(op.f("ix_appointment_meeting_id"), "appointment", ["meeting_id"], unique=False)
    op.create_index(op.f("ix_appointment_person_id"), "appointment", ["person_id"], unique=False)
    op.create_index(
        "uq_appointment_person_service_booked",
        "appointment",
        ["person_id", "service_id"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )

    with op.batch_alter_table("counselor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(), nullable=True))

    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_seats", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("group_seats")

    with op.batch_alter_table("counselor", schema=None) as batch_op:
        batch_op.drop_column("email")

    # Each table takes its indexes, constraints and triggers along.
    for table in ("appointment", "weekly_hours", "meeting", "availability_exception"):
        op.drop_table(table)
    op.drop_table("booking_rules")


def _refuse_overlapping_meetings() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
        op.execute(
            "ALTER TABLE meeting ADD CONSTRAINT ex_meeting_counselor_overlap"
            " EXCLUDE USING gist (counselor_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
            " WHERE (status = 'booked')"
        )
        return
    # Instants are stored as text in one UTC format (storage.models.UTCDateTime), so text
    # comparison orders them.
    overlap = (
        "SELECT RAISE(ABORT, 'meeting overlaps another booked meeting of the counselor')"
        " WHERE EXISTS (SELECT 1 FROM meeting AS other"
        " WHERE other.counselor_id = NEW.counselor_id AND other.status = 'booked'"
        " AND other.id IS NOT NEW.id"
        " AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at);"
    )
    op.execute(
        "CREATE TRIGGER meeting_no_overlap_insert BEFORE INSERT ON meeting"
        f" WHEN NEW.status = 'booked' BEGIN {overlap} END"
    )
    op.execute(
        "CREATE TRIGGER meeting_no_overlap_update"
        " BEFORE UPDATE OF counselor_id, starts_at, ends_at, status ON meeting"
        f" WHEN NEW.status = 'booked' BEGIN {overlap} END"
    )
