"""Whatever a person types at whatever question, the engine answers and stays on its feet."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.answers import Answer, Guess, read_answer
from dialogs.matching import clean, is_command
from dialogs.model import (
    Choice,
    DialogState,
    HandOverRequested,
    Message,
    Node,
    RecordWanted,
    SlotsWanted,
)
from tests.dialogs.drive import NOW, english, english_flow, send, sessions_at_every_question

NASTY = [
    "",
    " ",
    "\x00",
    "\n\n\t",
    "\u200b\u200e\u202e",
    "'; DROP TABLE people; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "<b>2</b>",
    "{summary}",
    "{0}{1}",
    "{sites.__class__}",
    "%s %d",
    "مرحبا، أريد عملا",
    "שלום",
    "١",
    "１",
    "²",
    "-1",
    "0",
    "1 2 3 4 5 6 7 8 9",
    "none, 1",
    "👍🏽👨‍👩‍👧",
    "/",
    "//help",
]


ARBITRARY_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])),
    st.text(st.characters(min_codepoint=0x0590, max_codepoint=0x08FF)),
    st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)),
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=8).map(lambda piece: (piece * 10_000)[:10_000]),
)

QUESTIONS = sorted(sessions_at_every_question())


def _offered(node: Node, session: DialogState) -> tuple[Choice, ...]:
    made = session.answers.get(node.choices_from) or () if node.choices_from else ()
    return (*(Choice(id=c["id"], text="", label=c["label"]) for c in made), *node.choices)


def _legitimate(session: DialogState, typed: str) -> bool:
    """The text is a command (as `is_command` reads it), or an answer the question accepts."""
    text = clean(typed)
    if not text:
        return False
    catalogues = english_flow().catalogues.values()
    if any(is_command(text, words) for c in catalogues for words in c.commands.values()):
        return True
    flow = english_flow()
    asked = [session.node]
    if session.node == flow.stuck_node:
        asked += session.return_to[-1:]  # the menu lets an answer to its question through
    return any(_accepted(flow.node(n), session, text) for n in asked)


def _accepted(node: Node, session: DialogState, text: str) -> bool:
    """Read as an answer, or as one worth asking about ("did you mean ...?")."""
    read = read_answer(node, _offered(node, session), text, english(), NOW.date())
    return isinstance(read, Answer | Guess)


@pytest.mark.parametrize("question", QUESTIONS)
@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(typed=ARBITRARY_TEXT)
def test_any_text_at_any_question_gets_a_reply_and_moves_only_by_an_answer_or_a_command(
    question: str, typed: str
) -> None:
    session = sessions_at_every_question()[question]
    result = send(session, Message(typed))
    lang = result.session.lang or english_flow().default_lang
    # A reply, unless the step hands over to the host, whose answer brings the reply.
    asked_host = isinstance(result.request, SlotsWanted | HandOverRequested | RecordWanted)
    assert result.messages or asked_host
    assert all(m.lang == lang for m in result.messages)
    json.dumps(result.session.to_json())
    moved = (result.session.node, result.session.answers, result.session.status) != (
        session.node, session.answers, session.status)
    if not _legitimate(session, typed):
        assert not moved
        assert result.session.failures == session.failures + 1
        assert result.messages[-1].node == question
