"""/metrics: only for the bearer of PERCORSO_METRICS_TOKEN (404 without one set), Prometheus's
text with the messages in and out per channel, the steps' times, the outbox's backlog, and no
label that says anything about a person."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.delivery.outbound import queue
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from bot.metrics import Backlog, exposition, time_statements
from storage.db import unit_of_work
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram.person import TelegramUser, Webhook
from tests.worker.conftest import identities, text

TOKEN = "scrape-me-4b1d"
CHAT_ID = 424242


def web_of(application: App, token: str | None) -> TestClient:
    settings = application.settings.model_copy(
        update={"metrics_token": SecretStr(token) if token else None})  # fmt: skip
    return TestClient(create_app(App(settings, application.engine, application.cipher,
                                     application.service)))  # fmt: skip


@pytest.fixture
def web(application: App) -> Iterator[TestClient]:
    with web_of(application, TOKEN) as client:
        yield client


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}  # fmt: skip


def test_without_a_token_set_there_is_no_metrics_page(application: App) -> None:
    with web_of(application, None) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", TOKEN, f"Basic {TOKEN}",
                                           f"Bearer {TOKEN}x"])  # fmt: skip
def test_metrics_need_the_bearer_token(web: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = web.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert "percorso" not in response.text


def test_a_message_shows_in_the_counts_and_the_backlog(
    web: TestClient, telegram: FakeTelegram, application: App
) -> None:
    time_statements(application.engine)  # as open_database does for `percorso serve`
    before = samples(web)
    inbound = ("percorso_inbound_messages_total", (("channel", "telegram"),))
    dialog = ("percorso_step_seconds_count", (("step", "dialog"),))
    database = ("percorso_step_seconds_count", (("step", "database"),))

    TelegramUser(Webhook(web), telegram, application.engine, CHAT_ID, "pt").start()

    after = samples(web)
    assert after[inbound] == before.get(inbound, 0) + 1
    assert after[dialog] > before.get(dialog, 0)
    assert after[database] > before.get(database, 0)
    assert after[("percorso_handovers_waiting", ())] == 0


def test_the_backlog_is_read_from_the_outbox(web: TestClient, application: App) -> None:
    now = application.service.clock()
    (person,) = identities(application.engine, "telegram", [str(CHAT_ID)], now)
    with unit_of_work(application.engine) as db:
        queue(db, person, text("late", kind="reply"), now - timedelta(minutes=5))
        queue(db, person, text("later", kind="reminder"), now, now + timedelta(hours=1))

    after = samples(web)
    assert after[("percorso_outbox_pending", (("channel", "telegram"),))] == 2
    oldest = after[("percorso_outbox_oldest_due_seconds", (("channel", "telegram"),))]
    assert 300 <= oldest < 400  # the late one; the reminder is not due
    labels = {value for _, pairs in after for _, value in pairs}
    assert str(CHAT_ID) not in labels


def test_with_a_multiprocess_folder_metrics_add_up_every_process(
    application: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker process counts into the folder; the web process's /metrics shows its counts."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    counting = "from bot.metrics import OUTBOUND; OUTBOUND.labels('sms').inc(3)"
    subprocess.run([sys.executable, "-c", counting], env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    text = exposition(Backlog(application.engine, application.service.clock)).decode()

    assert 'percorso_outbound_messages_total{channel="sms"} 3.0' in text
