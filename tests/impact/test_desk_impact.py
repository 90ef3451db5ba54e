"""The impact page and the exports in the desk: for coordinators only, the same hidden counts
on the page, in the CSV and in the XLSX."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bot.entry.bootstrap import App
from bot.entry.web import create_app
from tests.desk.conftest import ANA, COORDINATOR, log_in

NOVEMBER = "from=2026-11-01&to=2026-11-30&by=site&per=month"


@pytest.fixture
def coordinator(seeded: App) -> TestClient:
    return log_in(TestClient(create_app(seeded)), COORDINATOR)


@pytest.mark.parametrize("path", ["/desk/impact", "/desk/impact.csv", "/desk/impact.xlsx",
                                  "/desk/exports", "/desk/exports/intakes.csv"])  # fmt: skip
def test_a_counselor_is_answered_not_found(application: App, path: str) -> None:
    ana = log_in(TestClient(create_app(application)), ANA)
    assert ana.get(path).status_code == 404
    assert "/desk/impact" not in ana.get("/desk/agenda").text  # nor shown the way there


def test_three_no_shows_read_less_than_five_on_the_page_in_the_csv_and_in_the_xlsx(
    coordinator: TestClient,
) -> None:
    html = coordinator.get(f"/desk/impact?{NOVEMBER}").text
    no_shows = html[html.index("Did not come</th>"):].split("</tr>")[0]
    assert '<td data-label="porto">&lt;5</td>' in no_shows
    assert "<svg" in html and "Intake funnel, 2026-11" in html

    lines = list(csv.DictReader(io.StringIO(coordinator.get(f"/desk/impact.csv?{NOVEMBER}").text)))
    assert next(line for line in lines if line["measure"] == "no_show")["porto"] == "<5"

    xlsx = coordinator.get(f"/desk/impact.xlsx?{NOVEMBER}").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows(values_only=True))
    porto = rows[0].index("porto")
    assert next(r for r in rows if r[2] == "no_show")[porto] == "<5"


def test_exports_follow_the_documented_schemas_and_leave_special_answers_out(
    coordinator: TestClient,
) -> None:
    intakes = coordinator.get("/desk/exports/intakes.csv")
    assert intakes.headers["content-disposition"].startswith('attachment; filename="intakes-')
    rows = list(csv.DictReader(io.StringIO(intakes.text)))
    assert len(rows) == 14 and rows[0]["municipality"] in ("Porto", "porto", "PORTO ", "Pórto")
    assert not {"disability", "justice", "target_groups", "payload"} & set(rows[0])
    sheet = load_workbook(io.BytesIO(coordinator.get("/desk/exports/appointments.xlsx").content))
    header = next(sheet.active.iter_rows(values_only=True))
    assert header[:4] == ("id", "person_id", "counselor", "site") and "attendance" in header
    assert coordinator.get("/desk/exports/people.csv").status_code == 404
