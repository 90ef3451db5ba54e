import json
from pathlib import Path

from typer.testing import CliRunner

import nlp
from bot.entry.nlu import nlu_app
from nlp.build import cache_key, default_cache_dir

runner = CliRunner()


def test_parse_prints_one_json_object(pipeline):
    result = runner.invoke(nlu_app, ["parse", "--lang", "pt", "--tz", "Europe/Lisbon",
                                     "--now", "2026-03-28T09:00:00", "amanhã às 10h"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["datetime"] == "2026-03-29T10:00:00+01:00"
    assert out["lang"] == "pt"


def test_parse_without_text_reads_one_message_per_line(pipeline):
    lines = "quero desmarcar\nfui cozinheiro\n\n😀\n"
    result = runner.invoke(nlu_app, ["parse", "--lang", "pt", "--now", "2026-03-28T09:00:00"],
                           input=lines)
    assert result.exit_code == 0, result.output
    outputs = [json.loads(line) for line in result.output.splitlines()]
    assert [o["intent"] for o in outputs] == ["cancel", "other", "other", "other"]
    assert outputs[1]["occupations"][0]["group"].startswith("512")


def test_parse_refuses_an_unknown_language():
    result = runner.invoke(nlu_app, ["parse", "--lang", "de", "hallo"])
    assert result.exit_code != 0


def test_build_prints_the_directory_the_pipelines_load_from(pipeline):
    result = runner.invoke(nlu_app, ["build"])
    assert result.exit_code == 0, result.output
    built = Path(result.output.strip())
    assert built == default_cache_dir() / cache_key()
    parts = {"language", "places", *nlp.LANGUAGES}
    assert {p.stem for p in built.glob("*.pickle")} == parts
