"""The desk's security headers on every answer under /desk: pages, redirects, static files and
errors; HSTS only when the desk is reached over TLS."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.desk.headers import CONTENT_SECURITY_POLICY
from bot.desk.mount import STATIC_DIR
from bot.entry.bootstrap import App
from bot.entry.web import create_app
from bot.settings import Settings


@pytest.mark.parametrize(
    "path", ["/desk", "/desk/login", "/desk/static/desk.css", "/desk/people/nobody"]
)
def test_every_desk_answer_forbids_inline_script_framing_and_sniffing(
    client: TestClient, path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_behind_a_tls_proxy_the_desk_asks_for_https_from_then_on(client: TestClient) -> None:
    response = client.get("/desk/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_with_an_https_public_url_hsts_is_sent_even_if_the_proxy_says_nothing(
    application: App,
) -> None:
    settings = Settings(_env_file=None, public_url="https://desk.example.org")
    served = TestClient(create_app(App(settings, application.engine, application.cipher,
                                       application.service)))  # fmt: skip
    assert "strict-transport-security" in served.get("/desk/login").headers


def test_the_webhooks_are_left_as_they_were(client: TestClient) -> None:
    assert "content-security-policy" not in client.get("/healthz").headers


def test_no_template_holds_what_the_policy_would_block() -> None:
    """Inline scripts, event handlers, style attributes or blocks, javascript: links."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=|\sstyle=|<style|javascript:", re.I)
    templates = Path(STATIC_DIR).parent / "templates"
    found = {page.name: inline.findall(page.read_text()) for page in templates.glob("*.html")}
    assert found and not any(found.values()), found
