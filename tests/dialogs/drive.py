"""Driving the intake flow in English, step by step, without anything but the engine.

The flow is the packaged intake.yaml with its English catalogue only, so these tests do not
depend on the other catalogues; the language question offers English alone.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import yaml

from dialogs.engine import step
from dialogs.loader import FLOWS_DIR, TEXTS_DIR, load_catalogue, parse_flow
from dialogs.model import Catalogue, DialogState, Flow, Input, Message, Start, Step
from dialogs.render import render
from nlp.understanding import TaxonomyMatch, Understanding

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FACTS = {
    "sites": "Porto - Rua de Santa Catarina 312, tel. 222 000 000",
    "notice_version": "2026-11",
}

# A whole intake: the question the person is at, and what they answer to it.
INTAKE: list[tuple[str, str]] = [
    ("consent", "yes"),
    ("municipality", "Porto"),
    ("age_band", "2"),
    ("unemployed_since", "less than 6 months"),
    ("benefits", "none"),
    ("isced", "university degree"),
    ("experience_text", "I worked five years as a cook"),
    ("mother_tongue", "Italiano"),
    ("other_languages", "1, 3"),
    ("language_level", "good"),
    ("language_level", "basic"),
    ("digital_skills", "3"),
    ("driving_licence", "1"),
    ("mobility", "2"),
    ("availability", "1 3"),
    ("caring_duties", "children"),
    ("goal", "find work"),
    ("special_consent", "yes"),
    ("disability", "no"),
    ("justice", "no"),
    ("target_groups", "1"),
    ("summary", "yes"),
]
QUESTIONS = [node for node, _ in INTAKE]


@cache
def english() -> Catalogue:
    return load_catalogue(TEXTS_DIR / "en.yaml")


def intake_data(*langs: str) -> dict[str, Any]:
    """intake.yaml offering only `langs` (English first), as a dict to adjust before parsing."""
    data = yaml.safe_load((FLOWS_DIR / "intake.yaml").read_text(encoding="utf-8"))
    languages = ["en", *langs]
    data["languages"] = languages
    data["default_lang"] = "en"
    data["nodes"]["language"]["choices"] = [
        {"id": lang, "text": f"lang.{lang}"} for lang in languages
    ]
    return data


def flow_with(*catalogues: Catalogue) -> Flow:
    """The intake in English and in the given extra catalogues."""
    data = intake_data(*(c.lang for c in catalogues))
    return parse_flow(data, {"en": english(), **{c.lang: c for c in catalogues}})


@cache
def english_flow() -> Flow:
    return flow_with()


def text(key: str, **values: Any) -> str:
    """An English text as the engine renders it with the test facts."""
    return render(english().texts[key], {**FACTS, **values})


def started(flow: Flow | None = None) -> DialogState:
    flow = flow or english_flow()
    return step(flow, DialogState(flow=flow.id), Start(lang="en"), NOW, FACTS).session


def send(
    session: DialogState, given: Input | str, now: datetime = NOW, flow: Flow | None = None
) -> Step:
    given = Message(given) if isinstance(given, str) else given
    return step(flow or english_flow(), session, given, now, FACTS)


def say(session: DialogState, texts: Iterable[str], flow: Flow | None = None) -> DialogState:
    for line in texts:
        session = send(session, line, flow=flow).session
    return session


def at(node: str, flow: Flow | None = None) -> DialogState:
    """A session that has answered the intake in order up to the question `node`."""
    session = started(flow)
    for question, answer in INTAKE:
        assert session.node == question
        if question == node:
            return session
        session = send(session, answer, flow=flow).session
    raise ValueError(f"the intake never asks {node}")


def at_step(index: int) -> DialogState:
    """A session that has given the first `index` answers of INTAKE (a question asked twice,
    a level per language, is told apart by its place)."""
    session = started()
    for question, answer in INTAKE[:index]:
        assert session.node == question
        session = send(session, answer).session
    return session


def finished() -> tuple[DialogState, Step]:
    """The session just before the summary is confirmed, and the step that confirms it."""
    before = at("summary")
    return before, send(before, "yes")


def with_answers(session: DialogState, **answers: Any) -> DialogState:
    return session.evolve(answers={**session.answers, **answers})


COOK = Understanding(lang="en", occupations=(TaxonomyMatch("urn:test:cook", "cook", 0.9, "5120"),))
EXPERIENCE_UNDERSTOOD = Message("I worked five years as a cook", COOK)


@cache
def sessions_at_every_question() -> dict[str, DialogState]:
    """A session waiting at each question of the intake, side questions included."""
    flow = english_flow()
    sessions = {node: at(node) for node in QUESTIONS}
    sessions["language"] = step(flow, DialogState(flow=flow.id), Start(), NOW, FACTS).session
    sessions["no_consent"] = send(at("consent"), "no").session
    confirm = send(at("experience_text"), EXPERIENCE_UNDERSTOOD).session
    sessions["experience_confirm"] = confirm
    sessions["experience_drop"] = send(confirm, "2").session
    sessions["experience_more"] = send(confirm, "3").session
    sessions["correct_pick"] = send(at("summary"), "2").session
    sessions["first_name"] = finished()[1].session
    sessions["book_offer"] = send(sessions["first_name"], "Maria").session
    sessions["after_intake"] = send(sessions["book_offer"], "not now").session
    sessions["stuck"] = say(at("age_band"), ["blah", "blah"])
    sessions["erase_confirm"] = send(at("age_band"), "delete").session
    for node, session in sessions.items():
        assert session.node == node, (node, session.node)
    return sessions
