"""What anyone on the network can send the web app: bodies past 64 KB are refused before they
are read, a Telegram body that is JSON but not an object is a 400, and no API schema is served."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.entry.bootstrap import App
from bot.entry.limits import WEBHOOK_BODY_LIMIT
from bot.entry.web import create_app
from tests.telegram.person import SECRET, Webhook


@pytest.fixture
def web(application: App) -> Iterator[Webhook]:
    """The whole web app, as `percorso serve` runs it."""
    with TestClient(create_app(application)) as client:
        yield Webhook(client)


@pytest.mark.parametrize("path", [PATH, "/webhooks/twilio/sms", "/webhooks/twilio/status"])
def test_a_webhook_body_past_64_kb_is_refused_with_413(web: Webhook, path: str) -> None:
    response = web.client.post(path, content=b"x" * (WEBHOOK_BODY_LIMIT + 1),
                                   headers={SECRET_HEADER: SECRET})  # fmt: skip
    assert response.status_code == 413


def test_a_body_streamed_without_a_length_is_cut_at_the_limit(web: Webhook) -> None:
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    response = web.client.post(PATH, content=chunks(), headers={SECRET_HEADER: SECRET})
    assert response.status_code == 413


@pytest.mark.parametrize("body", ["[]", "42", '"update"', "null"])
def test_a_telegram_body_that_is_json_but_not_an_object_is_a_400(
    web: Webhook, body: str
) -> None:
    response = web.client.post(PATH, content=body, headers={
        SECRET_HEADER: SECRET, "content-type": "application/json"})  # fmt: skip
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc"])
def test_no_api_schema_is_served(web: Webhook, path: str) -> None:
    assert web.client.get(path).status_code == 404
