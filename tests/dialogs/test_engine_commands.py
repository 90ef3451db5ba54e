"""Words that work at any question, buttons from the past, pauses, and getting stuck."""

from dataclasses import replace
from datetime import timedelta

import pytest

from dialogs.loader import parse_flow
from dialogs.model import (
    ChoicePicked,
    ConsentKept,
    DialogState,
    ErasureRequested,
    HandOverClosed,
    HandOverOpened,
    HandOverRequested,
    LanguageChosen,
    RecordRead,
    RecordWanted,
    Start,
)
from tests.dialogs.drive import (
    EXPERIENCE_UNDERSTOOD,
    NOW,
    at,
    english,
    intake_data,
    say,
    send,
    started,
    text,
    with_answers,
)


def texts(result) -> list[str]:
    return [m.text for m in result.messages]


@pytest.mark.parametrize("word", ["help", "HELP", "/help", "info"])
def test_help_explains_the_question_and_asks_it_again(word: str) -> None:
    result = send(at("isced"), word)
    assert texts(result) == [text("help.isced"), text("ask.isced")]
    assert result.session.failures == 0


def test_a_question_mark_alone_asks_for_help() -> None:
    result = send(at("isced"), "?")
    assert texts(result) == [text("help.isced"), text("ask.isced")]


def test_back_asks_the_previous_question_and_the_intake_goes_on_from_there() -> None:
    went_back = send(at("age_band"), "back")
    assert went_back.session.node == "municipality"
    assert texts(went_back) == [text("ask.municipality")]
    answered = send(went_back.session, "Lisbon")
    assert answered.session.node == "age_band"
    assert answered.session.answers["municipality"] == "Lisbon"


def test_back_at_the_first_question_says_there_is_none_before() -> None:
    result = send(started(), "back")
    assert texts(result) == [text("back.none"), text("consent.ask")]
    assert result.session.node == "consent"


def test_restart_forgets_the_answers_but_not_the_consent() -> None:
    result = send(at("goal"), "restart")
    assert texts(result) == [text("restart.done"), text("ask.municipality")]
    assert (result.session.answers, result.session.history) == ({}, ())
    assert result.session.consent_general


def bilingual_flow():
    """The intake in English and in "xx", a copy of English with its own age question."""
    en = english()
    en = replace(en, texts={**en.texts, "lang.xx": "Xish"})
    xx = replace(en, lang="xx", name="Xish",
                 texts={**en.texts, "ask.age_band": "Xish: how old are you?"})
    return parse_flow(intake_data("xx"), {"en": en, "xx": xx})


@pytest.mark.parametrize("choosing", ["2", "xish", ChoicePicked("language", "xx")])
def test_changing_language_mid_intake_asks_the_same_question_in_the_new_language(
    choosing,
) -> None:
    flow = bilingual_flow()
    session = say(started(flow), ["yes", "Porto"], flow=flow)
    asked = send(session, "language", flow=flow)
    assert asked.session.node == "language"
    assert [c.id for c in asked.messages[-1].choices] == ["en", "xx"]
    result = send(asked.session, choosing, flow=flow)
    assert LanguageChosen("xx") in result.events
    (question,) = result.messages
    assert (question.text, question.lang, question.node) == (
        "Xish: how old are you?", "xx", "age_band")
    assert result.session.lang == "xx"
    assert result.session.answers == session.answers
    assert result.session.return_to == ()


@pytest.mark.parametrize("anything", ["hello", "2", "where were we?", "👍"])
def test_after_stop_any_message_resumes_with_the_topic_and_the_question(anything: str) -> None:
    stopped = send(at("age_band"), "stop")
    assert stopped.session.status == "paused"
    assert texts(stopped) == [text("stop.done")]
    resumed = send(stopped.session, anything)
    assert resumed.session.status == "active"
    assert texts(resumed) == [
        text("resume.topic", topic=text("topic.age_band")),
        text("ask.age_band"),
    ]
    assert resumed.session.node == "age_band"
    assert resumed.session.answers == stopped.session.answers


def test_an_answer_after_asking_for_help_during_a_pause_is_read() -> None:
    paused = send(at("age_band"), "stop").session
    helped = send(paused, "help")
    answered = send(helped.session, "3")
    assert answered.session.answers.get("age_band") == "30-39"


def test_a_button_pressed_during_a_pause_resumes_the_conversation() -> None:
    paused = send(at("age_band"), "stop").session
    pressed = send(paused, ChoicePicked("age_band", "25-29"))
    assert pressed.session.status == "active"
    answered = send(pressed.session, "1")
    assert answered.session.answers.get("unemployed_since") == "lt6m"


@pytest.mark.parametrize(
    ("hours", "node", "failures", "first"),
    [
        (1, "stuck", 0, "error.choice"),
        (5, "stuck", 0, "error.choice"),
        (7, "age_band", 1, "resume.topic"),
        (30, "age_band", 1, "resume.topic"),
    ],
)
def test_a_message_long_after_the_last_one_that_is_no_answer_is_welcomed_back_not_counted(
    hours: int, node: str, failures: int, first: str
) -> None:
    once_wrong = send(at("age_band"), "blah").session
    assert once_wrong.failures == 1
    result = send(once_wrong, "hi, it's me", now=NOW + timedelta(hours=hours))
    assert result.session.node == node
    assert result.session.failures == failures
    assert result.messages[0].text == text(first, hint=text("help.age_band"),
                                           topic=text("topic.age_band"))
    assert result.messages[-1].node == node


def test_a_real_answer_long_after_the_last_message_is_simply_read() -> None:
    result = send(at("age_band"), "2", now=NOW + timedelta(hours=7))
    assert result.session.node == "unemployed_since"
    assert texts(result) == [text("ask.unemployed_since")]


def test_two_answers_that_cannot_be_read_lead_to_the_stuck_question() -> None:
    once = send(at("age_band"), "blah")
    assert texts(once) == [text("error.choice", hint=text("help.age_band")), text("ask.age_band")]
    twice = send(once.session, "still blah")
    assert texts(twice) == [text("error.choice", hint=text("help.age_band")), text("stuck.ask")]
    assert [c.id for c in twice.messages[-1].choices] == ["retry", "help", "person"]
    assert twice.session.node == "stuck"
    assert twice.session.return_to == ("age_band",)
    assert twice.session.failures == 0


@pytest.mark.parametrize(
    ("choice", "said"),
    [("Try again", ["ask.isced"]), ("explain the question", ["help.isced", "ask.isced"])],
)
def test_the_stuck_question_offers_a_retry_or_help_then_returns(
    choice: str, said: list[str]
) -> None:
    stuck = say(at("isced"), ["blah", "blah"])
    assert stuck.node == "stuck"
    result = send(stuck, choice)
    assert texts(result) == [text(key) for key in said]
    assert result.session.node == "isced"
    assert result.session.return_to == ()
    assert result.request is None


def test_a_person_asked_for_at_the_stuck_question_is_requested_and_the_bot_says_nothing() -> None:
    stuck = say(at("isced"), ["blah", "blah"])
    result = send(stuck, "talk to a person")
    assert result.request == HandOverRequested("stuck")
    assert result.messages == ()


def test_the_hand_over_opened_says_who_answers_and_by_when_and_asks_nothing() -> None:
    asked = send(at("isced"), "talk to a person")
    assert asked.request == HandOverRequested("isced")
    opened = send(asked.session, HandOverOpened("Porto", 2, "wed 25 Nov, 11:00"), NOW)
    assert texts(opened) == [text("handover.opened", site="Porto", hours=2,
                                  by="wed 25 Nov, 11:00")]  # fmt: skip
    assert opened.session.node == "isced"


def test_when_the_hand_over_closes_the_bot_asks_its_question_again() -> None:
    asked = send(at("isced"), "talk to a person")
    closed = send(asked.session, HandOverClosed(), NOW)
    assert texts(closed) == [text("handover.closed"), text("ask.isced")]


def test_closed_after_the_stuck_question_the_bot_returns_to_the_question_not_understood() -> None:
    stuck = say(at("isced"), ["blah", "blah"])
    asked = send(stuck, "talk to a person")
    closed = send(asked.session, HandOverClosed(), NOW)
    assert texts(closed) == [text("handover.closed"), text("ask.isced")]
    assert closed.session.node == "isced" and closed.session.return_to == ()


def test_bot_outside_a_hand_over_says_the_person_is_with_the_bot_already() -> None:
    result = send(at("isced"), "bot")
    assert texts(result) == [text("handover.none"), text("ask.isced")]


@pytest.mark.parametrize(("typed", "band"), [("3", "30-39"), ("2", "25-29"), ("I'm 45", "40-54")])
def test_an_answer_to_the_interrupted_question_at_the_stuck_menu_answers_it(
    typed: str, band: str
) -> None:
    stuck = say(at("age_band"), ["blah", "blah"])
    result = send(stuck, typed)
    assert result.session.answers["age_band"] == band
    assert result.session.node == "unemployed_since"
    assert not any(isinstance(e, HandOverRequested) for e in result.events)


def test_typing_talk_to_a_person_at_the_stuck_question_does_what_the_button_does() -> None:
    stuck = say(at("isced"), ["blah", "blah"])
    typed = send(stuck, "Talk to a person")
    pressed = send(stuck, ChoicePicked("stuck", "person"))
    assert typed.request == pressed.request == HandOverRequested("stuck")


@pytest.mark.parametrize(
    ("node", "following"),
    [("disability", "justice"), ("justice", "target_groups"), ("target_groups", "summary")],
)
def test_an_optional_question_can_be_skipped(node: str, following: str) -> None:
    result = send(at(node), "skip")
    assert result.session.node == following
    assert node in result.session.answers
    assert result.session.answers[node] is None


@pytest.mark.parametrize("node", ["consent", "municipality", "age_band", "other_languages",
                                  "goal", "special_consent", "summary"])
def test_a_question_that_is_not_optional_cannot_be_skipped(node: str) -> None:
    session = at(node)
    result = send(session, "skip")
    assert result.messages[0].text == text("skip.not_optional")
    assert result.messages[-1].node == node
    assert (result.session.node, result.session.answers) == (node, session.answers)


@pytest.mark.parametrize(
    "pressed",
    [
        ChoicePicked("consent", "yes"),
        ChoicePicked("summary", "confirm"),
        ChoicePicked("age_band", "99+"),
        ChoicePicked("nowhere", "1"),
    ],
)
def test_a_button_that_is_not_offered_now_is_stale_and_changes_nothing_but_failures(
    pressed: ChoicePicked,
) -> None:
    before = at("age_band")
    result = send(before, pressed)
    assert texts(result) == [text("error.stale"), text("ask.age_band")]
    assert result.session == before.evolve(failures=1, updated_at=NOW.isoformat())


def test_my_data_asks_the_host_for_the_record_then_shows_it_whole_and_asks_again() -> None:
    session = with_answers(at("unemployed_since"), experience_text="x" * 200, disability="yes")
    asked = send(session, "my data")
    assert asked.request == RecordWanted() and texts(asked) == []
    record = RecordRead(
        meetings=(("wed 25 Nov, 09:00", "Porto"),), channels=("telegram ••••567",),
        consents=(ConsentKept("general", True, "2026-11-24", "2026-11"),), file_sent=True,
    )  # fmt: skip
    result = send(asked.session, record)
    summary = "\n".join([
        "Municipality: Porto", "Age: 25 to 29", "Experience: " + "x" * 200, "Disability: Yes",
        text("data.meeting", when="wed 25 Nov, 09:00", place="Porto"),
        text("data.consent_given", scope=text("data.scope_general"), day="2026-11-24",
             notice="2026-11"),
        text("data.channels", channels="telegram ••••567"),
    ])  # fmt: skip
    assert texts(result) == [
        text("data.show", summary=summary) + "\n\n" + text("data.file_sent"),
        text("ask.unemployed_since"),
    ]
    assert result.messages[0].sms_text == text("data.short", answers=4, meetings=1)
    assert result.session.node == "unemployed_since"


def test_my_data_by_a_channel_without_files_says_how_to_get_the_file() -> None:
    session = at("unemployed_since")
    result = send(send(session, "my data").session, RecordRead())
    assert texts(result)[0].endswith(text("data.file_how"))


def test_my_data_before_any_answer_says_nothing_is_saved() -> None:
    result = send(send(started(), "my data").session, RecordRead(channels=("console •••on-1",)))
    assert texts(result) == [text("data.none"), text("consent.ask")]


def test_my_data_after_an_erasure_says_nothing_is_kept_and_starts_nothing() -> None:
    erased = send(send(at("goal"), "delete").session, "yes").session
    asked = send(erased, "my data")
    assert asked.request == RecordWanted()
    result = send(asked.session, RecordRead())
    assert texts(result) == [text("data.none")]
    assert result.session.status == "new"


def test_delete_and_yes_requests_erasure_and_leaves_a_fresh_session() -> None:
    asked = send(at("goal"), "delete")
    assert asked.session.node == "erase_confirm"
    result = send(asked.session, "yes")
    assert ErasureRequested() in result.events
    assert texts(result) == [text("erase.done")]
    assert result.session == DialogState(flow="intake", lang="en", updated_at=NOW.isoformat())


def test_delete_and_no_keeps_everything_and_asks_the_question_again() -> None:
    session = at("goal")
    result = send(send(session, "delete").session, "no")
    assert not any(isinstance(e, ErasureRequested) for e in result.events)
    assert texts(result) == [text("ask.goal")]
    assert (result.session.node, result.session.answers) == ("goal", session.answers)
    assert result.session.return_to == ()


def test_a_new_conversation_after_an_erasure_starts_from_the_beginning() -> None:
    erased = send(send(at("goal"), "delete").session, "yes").session
    result = send(erased, Start(lang="en"))
    assert result.session.node == "consent"
    assert result.session.answers == {}


def test_starting_in_a_language_the_flow_lacks_asks_for_the_language() -> None:
    result = send(DialogState(flow="intake"), Start(lang="de"))
    assert result.session.node == "language"


def test_yes_confirms_what_was_understood_of_the_experience() -> None:
    confirm = send(at("experience_text"), EXPERIENCE_UNDERSTOOD).session
    assert send(confirm, "yes").session.node == "mother_tongue"


@pytest.mark.parametrize("word", ["talk to a person", "person"])
def test_a_person_asked_for_before_consent_is_not_requested_and_the_notice_is_asked_again(
    word: str,
) -> None:
    before_consent = started()
    result = send(before_consent, word)
    assert result.request is None
    assert texts(result)[0] == text("handover.consent_first")
    assert result.session.node == before_consent.node
