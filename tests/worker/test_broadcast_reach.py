"""A broadcast's reach, cost and delivery before and after it is sent: the segment beyond the
intake (target group, stage, last activity), the channels (WhatsApp too), the people left out
and counted, the refusal when a language has no text, cancelling before it starts, and the
delivery counts per channel read from the outbox rows."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.jobs.broadcast import (
    MissingTexts,
    NotCancellable,
    activity_band,
    cancel_broadcast,
    delivery,
    missing_languages,
    queue_broadcast,
    reach,
)
from bot.jobs.broadcast_cost import costs, text_segments
from storage import repositories as repo
from storage.broadcasts import Broadcast
from storage.db import unit_of_work
from storage.desk import PathStage, StaffAccount
from storage.models import Identity, InboundSeen, Intake, Outbox
from tests.clock import FakeClock

TEXTS = {"pt": "Feira de emprego no sábado.", "it": "Fiera del lavoro sabato."}
BROADCAST_SID = "HX" + "b" * 32


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def someone(engine: Engine, now: datetime, channel: str, address: str, lang: str = "pt",
            **intake: object) -> str:  # fmt: skip
    """A person with one identity and a completed intake (Porto unless said otherwise)."""
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, channel, address, now)
        answers = {"municipality": "Porto", **intake}
        db.add(Intake(person_id=identity.person_id, channel=channel, lang=lang, started_at=now,
                      consent_version="2026-11", **answers))  # fmt: skip
        return identity.person_id


def wrote(engine: Engine, person_id: str, channel: str, at: datetime) -> None:
    with unit_of_work(engine) as db:
        db.add(InboundSeen(channel=channel, external_id=f"{person_id}-{at.isoformat()}",
                           person_id=person_id, received_at=at))  # fmt: skip


def set_identity(engine: Engine, person_id: str, **values: bool) -> None:
    with unit_of_work(engine) as db:
        for identity in db.exec(select(Identity).where(Identity.person_id == person_id)):
            for name, value in values.items():
                setattr(identity, name, value)
            db.add(identity)


def reached(engine: Engine, segment: dict[str, list[str]], now: datetime) -> set[str]:
    with unit_of_work(engine) as db:
        return {r.person_id for r in reach(db, segment, now).recipients}


def test_whatsapp_people_are_reached_and_the_opted_out_and_unreachable_are_counted_apart(
    engine: Engine, clock: FakeClock
) -> None:
    on = {someone(engine, clock(), "telegram", "1"), someone(engine, clock(), "sms", "+3519100"),
          someone(engine, clock(), "whatsapp", "+3519101")}  # fmt: skip
    set_identity(engine, someone(engine, clock(), "sms", "+3519102"), opted_out=True)
    set_identity(engine, someone(engine, clock(), "whatsapp", "+3519103"), opted_out=True)
    set_identity(engine, someone(engine, clock(), "telegram", "2"), reachable=False)
    someone(engine, clock(), "console", "at-a-terminal")  # nobody to broadcast to

    with unit_of_work(engine) as db:
        found = reach(db, {"municipality": ["porto"]}, clock())

    assert {r.person_id for r in found.recipients} == on
    assert {r.channel for r in found.recipients} == {"telegram", "sms", "whatsapp"}
    assert (found.opted_out, found.unreachable) == (2, 1)


def test_a_person_opted_out_on_one_channel_is_reached_on_the_other(
    engine: Engine, clock: FakeClock
) -> None:
    person = someone(engine, clock(), "sms", "+3519100")
    with unit_of_work(engine) as db:
        sms = db.exec(select(Identity).where(Identity.person_id == person)).one()
        sms.opted_out = True
        db.add(Identity(person_id=person, channel="telegram", address="77",
                        created_at=clock() - timedelta(days=1)))  # fmt: skip
    with unit_of_work(engine) as db:
        found = reach(db, {}, clock())
    assert [(r.person_id, r.channel) for r in found.recipients] == [(person, "telegram")]
    assert found.opted_out == 0


def test_target_groups_are_read_from_the_plain_answers(engine: Engine, clock: FakeClock) -> None:
    young = someone(engine, clock(), "telegram", "1", age_band="16-24")
    long_unemployed = someone(engine, clock(), "telegram", "2", age_band="30-39",
                              unemployed_since="gt2y")  # fmt: skip
    someone(engine, clock(), "telegram", "3", age_band="30-39", unemployed_since="lt6m")
    assert reached(engine, {"target_group": ["young"]}, clock()) == {young}
    assert reached(engine, {"target_group": ["young", "long_term_unemployed"]}, clock()) == {
        young, long_unemployed
    }  # fmt: skip


def test_the_stage_is_the_one_recorded_last(engine: Engine, clock: FakeClock) -> None:
    trained = someone(engine, clock(), "telegram", "1")
    moved_on = someone(engine, clock(), "sms", "+3519100")
    with unit_of_work(engine) as db:
        account = StaffAccount(email="c@example.org", password_hash="x", role="coordinator",
                               lang="en", created_at=clock())  # fmt: skip
        db.add(account)
        db.flush()
        for person, stage, days_ago in [(trained, "training", 1), (moved_on, "training", 5),
                                        (moved_on, "job", 2)]:  # fmt: skip
            recorded_at = clock() - timedelta(days=days_ago)
            db.add(PathStage(person_id=person, account_id=account.id, stage=stage,
                             outcome="started", recorded_at=recorded_at))  # fmt: skip
    assert reached(engine, {"stage": ["training"]}, clock()) == {trained}
    assert reached(engine, {"stage": ["JOB"]}, clock()) == {moved_on}


def test_last_activity_bands_split_by_the_days_since_the_person_last_wrote(
    engine: Engine, clock: FakeClock
) -> None:
    recent, month, old = (someone(engine, clock(), "telegram", str(n)) for n in range(3))
    someone(engine, clock(), "telegram", "never-wrote")
    wrote(engine, recent, "telegram", clock() - timedelta(days=2))
    wrote(engine, recent, "telegram", clock() - timedelta(days=40))
    wrote(engine, month, "telegram", clock() - timedelta(days=7))
    wrote(engine, old, "telegram", clock() - timedelta(days=200))
    assert reached(engine, {"last_activity": ["7d"]}, clock()) == {recent}
    assert reached(engine, {"last_activity": ["30d", "older"]}, clock()) == {month, old}
    assert activity_band(timedelta(days=90)) == "older"
    assert activity_band(timedelta(hours=1)) == "7d"


def test_every_language_of_the_audience_needs_a_text_or_nothing_is_written(
    engine: Engine, clock: FakeClock
) -> None:
    someone(engine, clock(), "telegram", "1", lang="pt")
    someone(engine, clock(), "telegram", "2", lang="fr")
    with unit_of_work(engine) as db:
        recipients = reach(db, {}, clock()).recipients
        assert missing_languages(recipients, TEXTS) == ["fr"]
        with pytest.raises(MissingTexts) as refused:
            queue_broadcast(db, {}, TEXTS, clock())
    assert refused.value.languages == ["fr"]
    with unit_of_work(engine) as db:
        assert db.exec(select(Broadcast)).all() == [] and db.exec(select(Outbox)).all() == []


def test_the_cost_counts_sms_segments_and_whatsapp_templates_per_language(
    engine: Engine, clock: FakeClock
) -> None:
    long_pt = "Feira de emprego no sábado às 10h no Mercado do Bolhão: tragam o CV! " * 3
    texts = {"pt": long_pt, "it": "Fiera del lavoro sabato."}
    for n in range(3):
        someone(engine, clock(), "sms", f"+35191000{n}", lang="pt")
    someone(engine, clock(), "sms", "+393400001", lang="it")
    inside = someone(engine, clock(), "whatsapp", "+3519200", lang="pt")
    wrote(engine, inside, "whatsapp", clock() - timedelta(hours=2))
    someone(engine, clock(), "whatsapp", "+3519201", lang="pt")  # never wrote: outside
    someone(engine, clock(), "whatsapp", "+393401", lang="it")  # outside, no Italian template
    someone(engine, clock(), "telegram", "9", lang="it")

    templates = {"broadcast": {"pt": BROADCAST_SID}}
    with unit_of_work(engine) as db:
        recipients = reach(db, {}, clock()).recipients
        # English by default: the Italian falls back to no template (to "en", not "pt")
        found = costs(db, recipients, texts, templates, "en", clock())
    priced = {cost.channel: cost for cost in found}

    # 210 characters; "á" and "ã" are not in the GSM alphabet: UCS-2, 67 a part
    assert text_segments(long_pt) == 4
    assert text_segments(texts["it"]) == 1
    assert (priced["sms"].people, priced["sms"].sms_segments) == (4, 3 * 4 + 1)
    whatsapp = priced["whatsapp"]
    assert (whatsapp.people, whatsapp.in_window, whatsapp.template, whatsapp.no_template) == (
        3, 1, 1, 1
    )  # fmt: skip
    assert (priced["telegram"].people, priced["telegram"].sms_segments) == (1, 0)


def test_a_scheduled_broadcast_is_cancelled_before_it_starts_and_not_after(
    engine: Engine, clock: FakeClock
) -> None:
    for n in range(3):
        someone(engine, clock(), "telegram", str(n))
    with unit_of_work(engine) as db:
        later = queue_broadcast(db, {}, TEXTS, clock(), clock() + timedelta(hours=2), 7).id
        now = queue_broadcast(db, {}, TEXTS, clock()).id
    with unit_of_work(engine) as db:
        assert cancel_broadcast(db, later, clock(), by=7) == 3
        with pytest.raises(NotCancellable):
            cancel_broadcast(db, now, clock(), by=7)
    with unit_of_work(engine) as db:
        with pytest.raises(NotCancellable):  # once is enough
            cancel_broadcast(db, later, clock(), by=7)
        cancelled = db.get(Broadcast, later)
        assert (cancelled.created_by, cancelled.cancelled_by) == (7, 7)
        assert cancelled.cancelled_at == clock()
        assert delivery(db, later) == {"telegram": {
            "pending": 0, "sent": 0, "delivered": 0, "read": 0, "failed": 0, "opted_out": 0,
            "cancelled": 3}}  # fmt: skip


def test_delivery_counts_per_channel_come_from_the_rows_and_the_reports(
    engine: Engine, clock: FakeClock
) -> None:
    people = [someone(engine, clock(), "sms", f"+3519100{n}") for n in range(6)]
    people.append(someone(engine, clock(), "whatsapp", "+3519200"))
    with unit_of_work(engine) as db:
        broadcast_id = queue_broadcast(db, {}, TEXTS, clock()).id
    reports = [("sent", "delivered"), ("sent", "read"), ("sent", None), ("sent", "undelivered"),
               ("failed", None), ("pending", None), ("sent", "read")]  # fmt: skip
    with unit_of_work(engine) as db:
        rows = db.exec(select(Outbox).order_by(Outbox.id)).all()
        for row, (status, reported) in zip(rows, reports, strict=True):
            row.status, row.delivery_status = status, reported
            db.add(row)
    set_identity(engine, people[5], opted_out=True)  # said STOP since

    with unit_of_work(engine) as db:
        counts = delivery(db, broadcast_id)

    assert counts["sms"] == {"pending": 0, "sent": 3, "delivered": 2, "read": 1, "failed": 2,
                             "opted_out": 1, "cancelled": 0}  # fmt: skip
    assert counts["whatsapp"]["read"] == 1 and counts["whatsapp"]["sent"] == 1
