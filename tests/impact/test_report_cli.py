"""`percorso report impact` on the configured database: the same figures, the same hiding."""

import csv
import io
from collections.abc import Iterator

import pytest
from click.testing import Result
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.entry.bootstrap import App
from bot.entry.cli import app
from bot.entry.failures import run
from bot.settings import get_settings


@pytest.fixture
def configured(seeded: App, seeded_key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = seeded.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PERCORSO_DATABASE_URL", url)
    monkeypatch.setenv("PERCORSO_SECRET_KEY", seeded_key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def impact(*args: str) -> Result:
    return CliRunner().invoke(app, ["report", "impact", "--from", "2026-11-01", "--to",
                                    "2026-11-30", *args])  # fmt: skip


def test_the_csv_by_site_hides_three_no_shows_as_in_the_desk(configured: None) -> None:
    result = impact("--by", "site", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    no_shows = next(line for line in lines if line["measure"] == "no_show")
    assert no_shows["period"] == "2026-11" and no_shows["porto"] == "<5"
    wrote = next(line for line in lines if line["measure"] == "wrote")
    assert wrote["total"] == "30"


def test_the_xlsx_holds_counts_as_numbers_and_hidden_ones_as_text(configured: None) -> None:
    result = impact("--by", "site", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(result.stdout_bytes)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    no_shows = next(r for r in rows if r[2] == "no_show")
    assert no_shows[header.index("porto")] == "<5"
    assert next(r for r in rows if r[2] == "wrote")[header.index("total")] == 30


def test_a_span_that_ends_before_it_begins_is_refused_in_plain_words(configured: None) -> None:
    assert run(app, ["report", "impact", "--from", "2026-11-30", "--to", "2026-11-01"]) == 1
    result = impact("--by", "street")
    assert result.exit_code == 2 and "street" in result.output
