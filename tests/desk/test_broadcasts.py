"""The coordinators' broadcasts in the desk, over HTTP: who may, the segment (a site, a
municipality however it was written), the reach and cost shown as counts before sending, the
refusal naming a language with no text, scheduling in the site's zone (stored in UTC), past
times refused, cancelling before the start, and the delivery per channel."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from bot.entry.bootstrap import App
from storage import repositories as repo
from storage.broadcasts import Broadcast
from storage.db import unit_of_work
from storage.desk import StaffAccount
from storage.models import Identity, Intake, Outbox, Person
from tests.clock import FakeClock
from tests.desk.conftest import ANA, COORDINATOR, Booked, csrf_of, log_in

PT_TEXT = "Feira de emprego no sábado, 10h."
EN_TEXT = "Job fair on Saturday at 10."


def in_porto(engine: Engine, now: datetime, channel: str, address: str, lang: str,
             municipality: str = "Porto") -> str:  # fmt: skip
    with unit_of_work(engine) as db:
        identity = repo.find_or_create_identity(db, channel, address, now)
        db.add(
            Intake(
                person_id=identity.person_id,
                channel=channel,
                lang=lang,
                started_at=now,
                consent_version="2026-11",
                municipality=municipality,
                goal="work",
            )
        )
        return identity.person_id


def on_telegram(engine: Engine, booked: Booked, chat: str, now: datetime) -> None:
    """The person who booked through the console also writes on Telegram."""
    with unit_of_work(engine) as db:
        db.add(Identity(person_id=booked.person_id, channel="telegram", address=chat,
                        created_at=now))  # fmt: skip


def compose(client: TestClient, action: str, segment: dict[str, list[str]],
            texts: dict[str, str], at: str | None = None):  # fmt: skip
    page = client.get("/desk/broadcasts")
    form: dict[str, object] = {
        "csrf_token": csrf_of(page.text),
        "action": action,
        "when": "at" if at is not None else "now",
        "at": at or "",
        **segment,
        **{f"text_{lang}": t for lang, t in texts.items()},
    }
    return client.post("/desk/broadcasts", data=form, follow_redirects=False)


@pytest.fixture
def coordinator(client: TestClient, application: App) -> TestClient:
    return log_in(client, COORDINATOR)


def test_a_counselor_has_no_broadcasts_and_a_form_needs_its_token(
    client: TestClient, application: App
) -> None:
    log_in(client, ANA)
    assert client.get("/desk/broadcasts").status_code == 404
    assert "/desk/broadcasts" not in client.get("/desk/agenda").text
    refused = client.post("/desk/broadcasts", data={"action": "send", "text_pt": PT_TEXT})
    assert refused.status_code == 403
    token = csrf_of(client.get("/desk/agenda").text)
    sent = client.post("/desk/broadcasts", data={"action": "send", "text_pt": PT_TEXT,
                                                 "csrf_token": token})  # fmt: skip
    assert sent.status_code == 404
    assert client.get("/desk/broadcasts/1").status_code == 404
    assert client.post("/desk/broadcasts/1/cancel", data={"csrf_token": token}).status_code == 404
    with unit_of_work(application.engine) as db:
        assert db.exec(select(Broadcast)).all() == []


def test_the_preview_counts_per_channel_and_cost_and_names_nobody(
    coordinator: TestClient, application: App, clock: FakeClock, porto: Booked, bologna: Booked
) -> None:
    engine = application.engine
    on_telegram(engine, porto, "4242", clock())
    on_telegram(engine, bologna, "4343", clock())
    in_porto(engine, clock(), "sms", "+351910000001", "pt", municipality="PÓRTO ")
    in_porto(engine, clock(), "sms", "+351910000002", "pt", municipality="porto")
    opted = in_porto(engine, clock(), "sms", "+351910000003", "pt")
    with unit_of_work(engine) as db:
        identity = db.exec(select(Identity).where(Identity.person_id == opted)).one()
        identity.opted_out = True
        names = [p.first_name for p in db.exec(select(Person)) if p.first_name]

    shown = compose(coordinator, "preview", {"municipality": ["Porto"]},
                    {"pt": PT_TEXT, "en": EN_TEXT})  # fmt: skip

    assert shown.status_code == 200
    assert "It reaches 3 people" in shown.text  # Maria (en, Telegram) and two pt on SMS
    assert "Left out: 1 opted out, 0 cannot be reached." in shown.text
    assert "2 SMS segments in all" in shown.text
    assert names == ["Maria", "Maria"] and "Maria" not in shown.text
    assert 'name="action" value="send"' in shown.text
    by_site = compose(coordinator, "preview", {"site": ["bologna"]}, {"en": EN_TEXT})
    assert "It reaches 1 people" in by_site.text and "Europe/Rome" in by_site.text


def test_a_language_of_the_audience_without_a_text_is_refused_by_name(
    coordinator: TestClient, application: App, clock: FakeClock, porto: Booked
) -> None:
    on_telegram(application.engine, porto, "4242", clock())
    in_porto(application.engine, clock(), "sms", "+351910000001", "pt")

    refused = compose(coordinator, "send", {"municipality": ["porto"]}, {"pt": PT_TEXT})

    assert refused.status_code == 422
    assert "No text in English: every language of the people reached needs one." in refused.text
    assert PT_TEXT in refused.text  # what was typed is kept
    with unit_of_work(application.engine) as db:
        assert db.exec(select(Broadcast)).all() == [] and db.exec(
            select(Outbox).where(Outbox.kind == "broadcast")).all() == []  # fmt: skip


def test_a_broadcast_sent_now_writes_one_low_priority_row_each_and_shows_its_delivery(
    coordinator: TestClient, application: App, clock: FakeClock
) -> None:
    engine = application.engine
    for n in range(2):
        in_porto(engine, clock(), "sms", f"+35191000000{n}", "pt")
    in_porto(engine, clock(), "telegram", "55", "en")

    sent = compose(coordinator, "send", {"lang": ["pt", "en"]}, {"pt": PT_TEXT, "en": EN_TEXT})

    assert sent.status_code == 303
    with unit_of_work(engine) as db:
        broadcast = db.exec(select(Broadcast)).one()
        rows = db.exec(select(Outbox).where(Outbox.kind == "broadcast")).all()
        account = db.exec(select(StaffAccount).where(StaffAccount.email == COORDINATOR)).one()
    assert sent.headers["location"] == f"/desk/broadcasts/{broadcast.id}?notice=queued"
    assert broadcast.created_by == account.id and broadcast.not_before == clock()
    assert sorted((r.channel, r.payload["text"], r.priority) for r in rows) == [
        ("sms", PT_TEXT, 50), ("sms", PT_TEXT, 50), ("telegram", EN_TEXT, 50)]  # fmt: skip
    with unit_of_work(engine) as db:
        row = db.exec(select(Outbox).where(Outbox.channel == "sms")).first()
        row.status, row.delivery_status = "sent", "delivered"

    page = coordinator.get(sent.headers["location"])

    assert "The broadcast is queued." in page.text and "Sending" in page.text
    assert '<td data-label="Delivered">1</td>' in page.text
    assert '<td data-label="Waiting">1</td>' in page.text
    assert "Cancel the broadcast" not in page.text


def test_a_scheduled_broadcast_is_at_the_sites_time_in_utc_and_can_be_cancelled(
    coordinator: TestClient, application: App, clock: FakeClock, porto: Booked, bologna: Booked
) -> None:
    on_telegram(application.engine, bologna, "4343", clock())
    tomorrow = (clock() + timedelta(days=1)).date()

    sent = compose(coordinator, "send", {"site": ["bologna"]}, {"en": EN_TEXT},
                   at=f"{tomorrow}T10:00")  # fmt: skip

    assert sent.status_code == 303
    with unit_of_work(application.engine) as db:
        broadcast = db.exec(select(Broadcast)).one()
    assert broadcast.not_before == datetime.combine(tomorrow, datetime.min.time(), UTC).replace(
        hour=9)  # 10:00 in Rome, in winter  # fmt: skip
    page = coordinator.get(sent.headers["location"])
    assert "Scheduled" in page.text and "10:00 (Europe/Rome)" in page.text

    cancelled = coordinator.post(f"/desk/broadcasts/{broadcast.id}/cancel",
                                 data={"csrf_token": csrf_of(page.text)},
                                 follow_redirects=False)  # fmt: skip

    assert cancelled.headers["location"].endswith("notice=cancelled")
    with unit_of_work(application.engine) as db:
        assert {r.status for r in db.exec(select(Outbox).where(Outbox.kind == "broadcast"))} == {
            "cancelled"}  # fmt: skip
        assert db.get(Broadcast, broadcast.id).cancelled_at == clock()
    again = coordinator.post(
        f"/desk/broadcasts/{broadcast.id}/cancel",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "It has started: it can no longer be cancelled." in again.text


@pytest.mark.parametrize(("at", "message"), [
    ("2026-11-24T08:00", "That time has passed: choose a later one."),
    ("", "Give a date and a time, or choose Send now."),
    ("tomorrow", "Give a date and a time, or choose Send now."),
])  # fmt: skip
def test_a_time_that_is_past_or_not_a_time_is_refused(
    coordinator: TestClient, application: App, clock: FakeClock, at: str, message: str
) -> None:
    in_porto(application.engine, clock(), "telegram", "55", "en")
    refused = compose(coordinator, "send", {}, {"en": EN_TEXT}, at=at)
    assert refused.status_code == 422 and message in refused.text
    with unit_of_work(application.engine) as db:
        assert db.exec(select(Broadcast)).all() == []


def test_a_segment_that_reaches_nobody_sends_nothing(
    coordinator: TestClient, application: App
) -> None:
    refused = compose(coordinator, "send", {"municipality": ["Faro"]}, {"pt": PT_TEXT})
    assert refused.status_code == 422
    assert "Nobody in this segment can be reached." in refused.text
