"""The impact page in Debian's Chromium: a coordinator picks the span and the breakdown, reads
the hidden counts, and downloads the CSV (skipped without /usr/bin/chromium)."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.entry.bootstrap import App
from bot.entry.web import create_app
from tests.desk.conftest import (  # noqa: F401 (fixtures)
    COORDINATOR,
    PASSWORD,
    browser,
    screenshots,
)
from tests.desk.test_browser import pytestmark  # noqa: F401 (the skip without Chromium)
from tests.fakes.serving import serving


@pytest.fixture
def desk_url(seeded: App) -> Iterator[str]:
    with serving(create_app(seeded), "desk") as url:
        yield url


def test_a_coordinator_reads_the_impact_page_and_downloads_its_csv(
    browser, desk_url: str, screenshots: Path,  # noqa: F811
) -> None:  # fmt: skip
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB",
                            accept_downloads=True)  # fmt: skip
    page.goto(f"{desk_url}/desk/login")
    page.get_by_label("E-mail").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/agenda")
    page.get_by_role("link", name="Impact").click()
    page.wait_for_url("**/desk/impact")
    page.get_by_label("From").fill("2026-11-01")
    page.get_by_label("To").fill("2026-11-30")
    page.get_by_label("By").select_option("site")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**by=site**")
    assert page.get_by_role("img", name="Intake funnel, 2026-11").is_visible()
    no_shows = page.get_by_role("row", name="Did not come")
    assert no_shows.get_by_role("cell").nth(1).inner_text() == "<5"  # porto
    page.screenshot(path=str(screenshots / "desk-impact.png"))

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == "impact-site-2026-11-01-2026-11-30.csv"
    lines = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert next(line for line in lines if line["measure"] == "no_show")["porto"] == "<5"
