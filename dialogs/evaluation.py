"""`percorso flows eval`: natural answers understood the first time, per language, on the
training set (dialogs/eval/training.yaml, what dialogs/words/ was tuned against) and the held-out
set (written first, never tuned against).

Each answer is sent to the engine at its question, as the conversation service sends it (with
what the NLP understood, when a parser is given), and lands in one of four outcomes: understood
(the right value stored), asked about ("did you mean ...?"), not understood (refused), or wrong
(another value stored, or the person taken elsewhere).
"""

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from dialogs.engine import step
from dialogs.loader import DIALOGS_DIR, intake_flow
from dialogs.model import DialogState, Flow, Message
from nlp.understanding import Understanding

EVAL_DIR = DIALOGS_DIR / "eval"
SPLITS = ("training", "heldout")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OUTCOMES = ("understood", "asked", "refused", "wrong")

Parse = Callable[[str, str], Understanding]


def cases(split: str, eval_dir: Path = EVAL_DIR) -> list[list[Any]]:
    return yaml.safe_load((eval_dir / f"{split}.yaml").read_text(encoding="utf-8"))


def outcome(flow: Flow, lang: str, node_id: str, text: str, expected: Any,
            parse: Parse | None = None) -> str:
    node = flow.node(node_id)
    session = DialogState(flow=flow.id, node=node_id, lang=lang, status="active",
                      consent_general=True, consent_special=True)
    understood = parse(text, lang) if parse else None
    after = step(flow, session, Message(text, understood), NOW).session
    if after.pending and after.node == node_id:
        return "asked"
    if node_id in after.answers:
        return "understood" if _same(after.answers[node.field], expected) else "wrong"
    if after.node == node_id and after.failures > session.failures:
        return "refused"
    return "wrong"


def _same(stored: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return isinstance(stored, list) and set(stored) == set(expected)
    return stored == expected


def report(parse: Parse | None = None) -> list[str]:
    flow = intake_flow()
    lines = ["## Natural answers to choice questions (first reply)", "",
             "| language | split | understood the first time | asked about | refused | wrong |",
             "| --- | --- | --- | --- | --- | --- |"]
    misses = []
    for split in SPLITS:
        counts: dict[str, Counter[str]] = {}
        for lang, node_id, text, expected in cases(split):
            got = outcome(flow, lang, node_id, text, expected, parse)
            for key in (lang, "all"):
                counts.setdefault(key, Counter())[got] += 1
            if split == "heldout" and got != "understood":
                misses.append(f"- {lang} {node_id} `{text}`: {got}")
        for key, counted in sorted(counts.items(), key=lambda kv: kv[0] == "all"):
            total = sum(counted.values())
            share = counted["understood"] / total
            lines.append(f"| {key} | {split} | {share:.2f} ({counted['understood']}/{total}) | "
                         + " | ".join(str(counted[o]) for o in OUTCOMES[1:]) + " |")
    return lines + (["", "Held-out answers not understood the first time:", *misses]
                    if misses else [])
