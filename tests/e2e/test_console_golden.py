"""Golden conversations: whole intakes through the console channel, one file per language.

Each file in golden/ holds the person's lines and the exact JSON lines `percorso chat --jsonl`
printed for them. Run `pytest tests/e2e --update-golden` to rewrite the transcripts after a
deliberate change of flow or texts, and read the diff before committing it.
"""

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.channels.console.channel import ConsoleChannel
from bot.conversation.service import ConversationService
from bot.delivery.policy import DeliveryPolicy
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from storage.crypto import Cipher
from tests.clock import FakeClock

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


@pytest.mark.parametrize("case", CASES)
def test_a_whole_intake_reads_as_its_golden_transcript(
    case: str, engine: Engine, cipher: Cipher, understand, request: pytest.FixtureRequest
) -> None:
    path = GOLDEN / f"{case}.json"
    golden = json.loads(path.read_text(encoding="utf-8"))
    clock = FakeClock()
    seed_demo_if_empty(engine)
    service = ConversationService(engine, intake_flow(), cipher, "2026-11", understand, clock)
    out = io.StringIO()
    channel = ConsoleChannel(service, DeliveryPolicy(), out, jsonl=True)
    channel.run(case, _ticking(golden["inputs"], clock))
    transcript = [json.loads(line) for line in out.getvalue().splitlines()]
    if request.config.getoption("--update-golden"):
        golden["transcript"] = transcript
        path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert transcript == golden["transcript"]
    assert transcript[-1] == {"waiting": True}


def _ticking(lines: list[str], clock: FakeClock):
    for line in lines:
        clock.advance(seconds=30)
        yield line
