"""Every command, given bad input as a careful user might: one line that says what was wrong and
what is accepted, exit code 2 for a usage error and 1 for a failure, never a traceback."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.network.importer import DEMO_NETWORK
from bot.settings import get_settings
from storage.db import make_engine, unit_of_work
from storage.models import Site
from tests.command_line import percorso

USAGE, FAILURE = 2, 1

NETWORK_PROBLEMS = {
    "hours past midnight": (
        "sites:\n  - {code: porto, name: P, municipality: Porto, address: R, "
        "timezone: Europe/Lisbon}\n"
        "counselors:\n  - {code: c1, name: C, site_codes: [porto]}\n"
        "availability:\n  c1:\n    weekly:\n      - {site: porto, days: [mon], "
        "hours: '25:00-26:00'}\n",
        8, "'25:00-26:00' is not a span of the day",
    ),
    "an unknown counselor": (
        "availability:\n  nobody:\n    weekly: []\n", 2, "no counselor 'nobody'",
    ),
    "a site without a time zone": (
        "sites:\n  - code: lisboa\n    name: Lisboa\n    municipality: Lisboa\n"
        "    address: Rua A\n", 2, "timezone: Field required",
    ),
    "a counselor at no known site": (
        "counselors:\n  - code: c1\n    name: C\n    site_codes: [lisboa]\n", 4,
        "no site 'lisboa'",
    ),
    "an unrelated file": ("title: My holiday\ndays: 3\n", 1, "not a network file"),
    "a file that is not YAML": ("sites: [porto\n", 2, "not valid YAML"),
}


@pytest.fixture(autouse=True)
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TELEGRAM_TOKEN"):
        monkeypatch.delenv(f"PERCORSO_{name}", raising=False)
    monkeypatch.setenv("PERCORSO_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _fails_in_one_line(args: tuple[str, ...], code: int, says: str) -> None:
    ran = percorso(*args)
    assert ran.exit_code == code, ran.output
    lines = ran.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), ran.stderr
    assert says in lines[0], lines[0]
    assert "Traceback" not in ran.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nlu", "parse", "--tz", "Mars/Olympus", "x"), "unknown time zone 'Mars/Olympus'"),
        (("nlu", "parse", "--now", "yesterday", "x"), "'yesterday' is not a date and time"),
        (("nlu", "parse", "--now", "2026-13-45", "x"), "'2026-13-45' is not a date and time"),
        (("nlu", "parse", "--lang", "xx", "x"), "one of: pt, it, en, es, fr"),
        (("booking", "slots", "orientation", "--day", "tomorrow"), "write it as YYYY-MM-DD"),
        (("booking", "slots", "orientation", "--day", "2026-02-30"), "'2026-02-30' is not a date"),
        (("booking", "slots", "orientation", "--count", "0"), "--count"),
        (("booking", "slots", "orientation", "--count", "-3"), "--count"),
        (("booking", "slots", "orientation", "--lang", "xx"), "'xx' is not a language"),
        (("booking", "slots", "orientation", "--mode", "carrier-pigeon"), "--mode"),
        (("booking", "cancel", "abc"), "should be a valid integer"),
        (("broadcast", "--segment", "lang=it", "--message-file", "missing.yaml"),
         "'missing.yaml' does not exist"),
        (("broadcast", "--segment", "lang=it"), "give --segment and --message-file"),
        (("broadcast", "--segment", "lang=it", "--message-file", "texts.yaml", "--at", "soon"),
         "'soon' is not a date and time"),
        (("serve", "--port", "99999"), "--port"),
        (("serve", "--port", "0"), "--port"),
        (("chat", "--lang", "xx"), "'xx' is not a language"),
        (("export", "intakes", "--format", "pdf"), "'pdf'"),
        (("outbox", "retry"), "give a message ID or --all"),
        (("outbox", "failed", "--limit", "many"), "should be a valid integer"),
        (("network", "import", "missing.yaml"), "'missing.yaml' does not exist"),
        (("sms", "segments"), "Missing argument"),
        (("flows", "check", "--colour"), "No such option: --colour"),
        (("no-such-command",), "No such command 'no-such-command'"),
        (("staff", "add", "x@example.org", "--role", "boss", "--password-stdin"),
         "'boss' is not one of 'coordinator', 'admin'"),
        (("links", "--site", "nowhere"), "no site 'nowhere'"),
        (("report", "impact", "--from", "yesterday", "--to", "2026-11-30"),
         "'yesterday' is not a date"),
        (("report", "impact", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "planet"),
         "'planet' is not one of 'site'"),
        (("keys", "rotate", "--batch", "0"), "--batch"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_code_2(
    args: tuple[str, ...], says: str, fresh_database: Path
) -> None:
    (fresh_database / "texts.yaml").write_text("pt: Olá\n")
    _fails_in_one_line(args, USAGE, says)


@pytest.fixture
def demo_network(fresh_database: Path) -> Path:
    """The demo network, imported as an operator imports theirs (no process seeds it but chat)."""
    assert percorso("network", "import", str(DEMO_NETWORK)).exit_code == 0
    return fresh_database


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("booking", "slots", "foo"), "'foo' is unknown; one of: competence-assessment"),
        (("booking", "slots", "orientation", "--specialism", "astrology"),
         "'astrology' is unknown; one of: disability"),
    ],
)
def test_a_usage_error_names_what_the_network_has(
    args: tuple[str, ...], says: str, demo_network: Path
) -> None:
    _fails_in_one_line(args, USAGE, says)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("booking", "cancel", "99999"), "99999"),
        (("booking", "attendance", "99999", "--attended"), "99999"),
        (("outbox", "retry", "99999"), "no failed message 99999"),
        (("broadcast", "status", "99999"), "no broadcast 99999"),
        (("counselor", "link", "nobody"), "no counselor has the code or name 'nobody'"),
        (("telegram", "--polling"), "PERCORSO_TELEGRAM_TOKEN"),
        (("telegram", "set-webhook"), "PERCORSO_TELEGRAM_TOKEN"),
        (("staff", "disable", "nobody@example.org"), "no account nobody@example.org"),
        (("staff", "totp", "nobody@example.org"), "no account nobody@example.org"),
    ],
)
def test_a_failure_is_one_line_and_exit_code_1(args: tuple[str, ...], says: str) -> None:
    _fails_in_one_line(args, FAILURE, says)


def test_a_broadcast_file_that_is_not_yaml_is_named_with_its_line(fresh_database: Path) -> None:
    (fresh_database / "texts.yaml").write_text("pt: [Olá\n")
    args = ("broadcast", "--segment", "lang=pt", "--message-file", "texts.yaml")
    _fails_in_one_line(args, USAGE, "texts.yaml is not valid YAML (line 2:")


def test_twilio_without_a_sending_number_is_refused_before_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PERCORSO_TWILIO_AUTH_TOKEN", "secret")
    get_settings.cache_clear()
    _fails_in_one_line(("serve",), FAILURE, "set PERCORSO_TWILIO_FROM")


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    fresh_database: Path,
) -> None:
    (fresh_database / "var").write_text("a file where the data folder should be")
    _fails_in_one_line(("export", "intakes"), FAILURE, "(run with --debug to see where)")
    with pytest.raises(Exception):  # noqa: B017 - whatever the failure, --debug lets it through
        percorso("export", "intakes", "--debug")


@pytest.mark.parametrize("case", sorted(NETWORK_PROBLEMS))
def test_network_import_names_each_problem_with_its_line_and_writes_nothing(
    case: str, fresh_database: Path
) -> None:
    text, line, says = NETWORK_PROBLEMS[case]
    (fresh_database / "network.yaml").write_text(text)
    _fails_in_one_line(("network", "import", "network.yaml"), FAILURE,
                       f"network.yaml:{line}: ")
    assert says in percorso("network", "import", "network.yaml").stderr
    with unit_of_work(make_engine(get_settings().resolved_database_url)) as db:
        assert db.exec(select(Site)).all() == []  # nothing of the file was written


def test_network_import_reports_every_problem_of_the_file(fresh_database: Path) -> None:
    text = "".join(NETWORK_PROBLEMS[c][0] for c in ("an unknown counselor", "an unrelated file"))
    (fresh_database / "network.yaml").write_text(text)
    ran = percorso("network", "import", "network.yaml")
    assert ran.exit_code == FAILURE
    assert [line.split(":")[2] for line in ran.stderr.splitlines()] == ["2", "4", "5"]
    assert "Traceback" not in ran.output


def test_a_language_is_accepted_in_capitals(demo_network: Path) -> None:
    ran = percorso("booking", "slots", "orientation", "--lang", "IT", "--count", "1")
    assert ran.exit_code == 0, ran.output
    assert " - Bologna" in ran.stdout or "Bologna" in ran.stdout
