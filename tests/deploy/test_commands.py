"""The commands deploy/ runs are the project's own: a renamed or removed command fails here, not
on the first `docker compose up`."""

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.command_line import percorso

DEPLOY = Path(__file__).parents[2] / "deploy"


def compose_commands() -> list[list[str]]:
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    return [s["command"] for s in services.values() if s.get("command", [""])[0] == "percorso"]


def dockerfile_commands() -> list[list[str]]:
    text = (DEPLOY / "Dockerfile").read_text()
    run = [line.split()[1:] for line in text.splitlines() if line.startswith("RUN percorso ")]
    cmd = [json.loads(line.removeprefix("CMD ")) for line in text.splitlines()
           if line.startswith("CMD ")]  # fmt: skip
    return run + cmd


def test_compose_runs_the_migration_the_web_processes_and_the_workers() -> None:
    assert sorted(" ".join(c) for c in compose_commands()) == [
        "percorso db upgrade",
        "percorso worker",
        "percorso worker",
    ]
    assert ["percorso", "nlu", "build"] in dockerfile_commands()
    assert ["percorso", "serve", "--host", "0.0.0.0", "--port", "8000"] in dockerfile_commands()


@pytest.mark.parametrize("command", [*compose_commands(), *dockerfile_commands()], ids=" ".join)
def test_each_command_exists_with_its_options(command: list[str]) -> None:
    ran = percorso(*command[1:], "--help")
    assert ran.exit_code == 0, ran.output
    for option in (word for word in command if word.startswith("--")):
        assert option in ran.stdout


def test_the_health_check_and_the_proxy_reach_the_port_serve_listens_on() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "http://127.0.0.1:8000/healthz" in dockerfile
    assert re.findall(r"web\d:(\d+)", (DEPLOY / "Caddyfile").read_text()) == ["8000", "8000"]


def test_the_image_builds_with_the_commands_make_test_runs_in_ci() -> None:
    makefile = (DEPLOY.parent / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    run = [c for c in dockerfile_commands() if c[:2] != ["percorso", "serve"]]
    assert run and all(f"$(BIN)/{' '.join(command)}" in recipe for command in run)
