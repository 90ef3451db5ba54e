"""Reading flows and text catalogues from YAML, refusing a malformed definition at once."""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.model import RETURN, Catalogue, Choice, Flow, Node, Route, TrackRule

DIALOGS_DIR = Path(__file__).parent
FLOWS_DIR = DIALOGS_DIR / "flows"
TEXTS_DIR = DIALOGS_DIR / "texts"
WORDS_DIR = DIALOGS_DIR / "words"


class FlowError(ValueError):
    """The definition cannot be loaded; the message says where."""


def load_catalogue(path: Path, words_dir: Path = WORDS_DIR) -> Catalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words_path = words_dir / path.name
    words = yaml.safe_load(words_path.read_text(encoding="utf-8")) if words_path.exists() else {}
    return Catalogue(
        lang=data["lang"],
        name=data["name"],
        texts={k: str(v).strip() for k, v in data["texts"].items()},
        commands={k: tuple(v) for k, v in data.get("commands", {}).items()},
        synonyms={k: tuple(v) for k, v in data.get("synonyms", {}).items()},
        sms={k: str(v).strip() for k, v in (data.get("sms") or {}).items()},
        same_as_english=frozenset(data.get("same_as_english") or ()),
        answers={
            node: {str(choice): tuple(str(p) for p in phrases) for choice, phrases in by.items()}
            for node, by in (words.get("answers") or {}).items()
        },
        negations=tuple(words.get("negations") or ()),
    )


def _tupled(when: dict[str, Any] | None) -> dict[str, tuple[Any, ...]]:
    return {key: tuple(values) for key, values in (when or {}).items()}


def _routes(raw: Any) -> tuple[Route, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Route(to=raw),)
    return tuple(Route(to=r["to"], when=_tupled(r.get("when"))) for r in raw)


def _node(node_id: str, raw: dict[str, Any]) -> Node:
    choices = tuple(
        Choice(
            id=str(c["id"]),
            text=c["text"],
            next=c.get("next"),
            value=c.get("value"),
            action=c.get("action"),
            exclusive=bool(c.get("exclusive", False)),
            range=tuple(c["range"]) if "range" in c else None,
            means=c.get("means"),
        )
        for c in raw.get("choices", ())
    )
    known = set(Node.__dataclass_fields__) | {"next"}
    unknown = set(raw) - known
    if unknown:
        raise FlowError(f"node {node_id}: unknown keys {sorted(unknown)}")
    return Node(
        id=node_id,
        kind=raw["kind"],
        text=raw.get("text"),
        field=raw.get("field"),
        choices=choices,
        routes=_routes(raw.get("next")),
        action=raw.get("action"),
        optional=bool(raw.get("optional", False)),
        special=bool(raw.get("special", False)),
        help=raw.get("help"),
        topic=raw.get("topic"),
        min_length=int(raw.get("min_length", 2)),
        max_length=int(raw.get("max_length", 1000)),
        choices_from=raw.get("choices_from"),
        choice_action=raw.get("choice_action"),
        extract=raw.get("extract"),
        request=raw.get("request"),
        reads=raw.get("reads"),
        for_each=raw.get("for_each"),
        outcomes=dict(raw.get("outcomes") or {}),
    )


def parse_flow(data: dict[str, Any], catalogues: dict[str, Catalogue]) -> Flow:
    try:
        nodes = {node_id: _node(node_id, raw) for node_id, raw in data["nodes"].items()}
        flow = Flow(
            id=data["flow"],
            start=data["start"],
            languages=tuple(data["languages"]),
            nodes=nodes,
            catalogues={lang: catalogues[lang] for lang in data["languages"] if lang in catalogues},
            language_node=data["language_node"],
            consent_node=data["consent_node"],
            first_question=data["first_question"],
            stuck_node=data["stuck_node"],
            erase_node=data["erase_node"],
            booking_node=data["booking_node"],
            cancel_node=data["cancel_node"],
            reminder_node=data["reminder_node"],
            follow_up_node=data["follow_up_node"],
            switch_node=data.get("switch_node"),
            summary_fields=tuple(data["summary_fields"]),
            tracks=tuple(
                TrackRule(track=t["track"], reason=t["reason"], when=_tupled(t.get("when")))
                for t in data["tracks"]
            ),
            default_lang=data["default_lang"],
        )
    except KeyError as missing:
        raise FlowError(f"flow definition lacks {missing}") from None
    _check_targets(flow)
    return flow


def _check_targets(flow: Flow) -> None:
    named = [
        flow.start,
        flow.language_node,
        flow.consent_node,
        flow.first_question,
        flow.stuck_node,
        flow.erase_node,
        flow.booking_node,
        flow.cancel_node,
        flow.reminder_node,
        flow.follow_up_node,
        *filter(None, [flow.switch_node]),
    ]
    for node in flow.nodes.values():
        named += [r.to for r in node.routes] + [c.next for c in node.choices if c.next]
        named += list(node.outcomes.values())
        if node.kind in ("choice", "multi", "summary") and not (node.choices or node.choices_from):
            raise FlowError(f"node {node.id}: a {node.kind} node needs choices")
    missing = sorted({t for t in named if t != RETURN and t not in flow.nodes})
    if missing:
        raise FlowError(f"flow {flow.id}: unknown nodes {missing}")


def load_catalogues(texts_dir: Path = TEXTS_DIR) -> dict[str, Catalogue]:
    catalogues = (load_catalogue(p) for p in sorted(texts_dir.glob("*.yaml")))
    return {c.lang: c for c in catalogues}


def load_flow(
    name: str = "intake", flows_dir: Path = FLOWS_DIR, texts_dir: Path = TEXTS_DIR
) -> Flow:
    data = yaml.safe_load((flows_dir / f"{name}.yaml").read_text(encoding="utf-8"))
    return parse_flow(data, load_catalogues(texts_dir))


@lru_cache
def intake_flow() -> Flow:
    """The packaged intake flow, loaded once per process."""
    return load_flow("intake")
