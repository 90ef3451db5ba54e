"""A whole intake through the pure engine: what is kept, what is recorded, where it leads."""

import json

import pytest

from dialogs.model import (
    ChoicePicked,
    ConsentRecorded,
    DialogState,
    ErasureRequested,
    IntakeCompleted,
    LanguageChosen,
    Message,
    Start,
)
from tests.dialogs.drive import (
    EXPERIENCE_UNDERSTOOD,
    FACTS,
    INTAKE,
    NOW,
    at,
    at_step,
    english_flow,
    finished,
    send,
    started,
    text,
    with_answers,
)


def completed_event(result) -> IntakeCompleted:
    (event,) = [e for e in result.events if isinstance(e, IntakeCompleted)]
    return event


@pytest.mark.parametrize(("index", "question"), list(enumerate(INTAKE[:-1])))
def test_each_answer_of_the_intake_is_followed_by_the_next_question(
    index: int, question: tuple[str, str]
) -> None:
    _, answer = question
    result = send(at_step(index), answer)
    following = INTAKE[index + 1][0]
    assert result.session.node == following
    assert result.messages[-1].node == following
    assert result.session.failures == 0


def test_a_whole_intake_completes_with_typed_answers_and_special_answers_kept_apart() -> None:
    _, result = finished()
    event = completed_event(result)
    expected = {
        "municipality": "Porto",
        "age_band": "25-29",
        "unemployed_since": "lt6m",
        "benefits": "none",
        "isced": 6,
        "experience_text": "I worked five years as a cook",
        "mother_tongue": "it",
        "other_languages": ["pt", "en"],
        "language_level": {"pt": "B", "en": "A"},
        "digital_skills": "intermediate",
        "driving_licence": "car",
        "mobility": "public_transport",
        "availability": ["full_time", "mornings"],
        "caring_duties": "children",
        "goal": "work",
    }
    assert {k: event.answers.get(k) for k in expected} == expected
    assert type(event.answers["isced"]) is int
    assert event.special == {"disability": "no", "justice": "no", "target_groups": ["migrant"]}
    assert not event.special.keys() & event.answers.keys()
    assert (event.track, event.track_reason) == ("job_search", text("reason.work"))
    assert (event.started_at, event.completed_at) == (NOW, NOW)


def test_a_completed_intake_tells_the_suggested_track_and_why() -> None:
    _, result = finished()
    said = [m.text for m in result.messages]
    assert text("done.track", track=text("track.job_search"), reason=text("reason.work")) in said
    assert result.session.status == "completed"


def test_nothing_but_the_language_is_kept_before_consent() -> None:
    flow = english_flow()
    first = send(DialogState(flow=flow.id), Start())
    assert first.session.node == "language"
    chosen = send(first.session, "English")
    assert LanguageChosen("en") in chosen.events
    assert chosen.session.node == "consent"
    assert (chosen.session.lang, chosen.session.answers) == ("en", {})
    assert not chosen.session.consent_general


def test_refusing_consent_gives_the_addresses_and_records_the_refusal() -> None:
    result = send(started(), "no")
    assert ConsentRecorded("general", False) in result.events
    (info,) = result.messages
    assert info.text == text("no_consent.info")
    assert FACTS["sites"] in info.text
    assert result.session.answers == {}
    assert not result.session.consent_general


def test_agreeing_after_a_refusal_records_consent_and_starts_the_questions() -> None:
    result = send(send(started(), "no").session, "1")
    assert ConsentRecorded("general", True) in result.events
    assert result.session.node == "municipality"
    assert result.session.consent_general


@pytest.mark.parametrize(
    ("answers", "track", "reason"),
    [
        ({"goal": "enterprise", "unemployed_since": "gt2y"}, "enterprise", "reason.enterprise"),
        ({"goal": "training", "digital_skills": "none"}, "training", "reason.training"),
        ({"goal": "direction"}, "orientation", "reason.direction"),
        ({"goal": "work", "unemployed_since": "gt2y"}, "orientation", "reason.long_unemployment"),
        ({"goal": "work", "unemployed_since": "never"}, "orientation", "reason.long_unemployment"),
        (
            {"goal": "work", "unemployed_since": "gt2y", "digital_skills": "none"},
            "orientation",
            "reason.long_unemployment",
        ),
        ({"goal": "work", "digital_skills": "none"}, "job_search", "reason.digital"),
        ({"goal": "work", "unemployed_since": "1to2y"}, "job_search", "reason.work"),
    ],
)
def test_the_first_track_rule_that_holds_decides_the_suggested_track(
    answers: dict, track: str, reason: str
) -> None:
    summary = with_answers(at("summary"), **answers)
    result = send(summary, "yes")
    event = completed_event(result)
    assert (event.track, event.track_reason) == (track, text(reason))
    assert result.session.answers["track_reason"] == reason


@pytest.mark.parametrize(
    ("field", "answer", "key", "value", "line"),
    [
        ("Age", "4", "age_band", "40-54", "Age: 40 to 54"),
        ("municipality", "Braga", "municipality", "Braga", "Municipality: Braga"),
        ("Goal", "train or study", "goal", "training", "Goal: Train or study"),
        ("Availability", "weekends", "availability", ["weekends"], "Availability: Weekends"),
        ("First language", "english", "mother_tongue", "en", "First language: English"),
        ("5", "1", "isced", 1, "School: Primary school or less"),
        ("Mobility", "1", "mobility", "own_vehicle", "Mobility: Own car or motorbike"),
    ],
)
def test_changing_one_answer_from_the_summary_comes_back_to_the_summary_with_the_new_value(
    field: str, answer: str, key: str, value: object, line: str
) -> None:
    picking = send(at("summary"), "Change something")
    assert picking.session.node == "correct_pick"
    asked = send(picking.session, field)
    changed = send(asked.session, answer)
    assert changed.session.node == "summary"
    assert changed.session.answers[key] == value
    assert line in changed.messages[-1].text.splitlines()
    assert changed.session.return_to == ()


def test_a_button_for_the_current_question_answers_it() -> None:
    result = send(at("age_band"), ChoicePicked("age_band", "40-54"))
    assert result.session.answers["age_band"] == "40-54"
    assert result.session.node == "unemployed_since"


def test_a_button_for_a_question_of_several_choices_picks_that_one() -> None:
    result = send(at("availability"), ChoicePicked("availability", "weekends"))
    assert result.session.answers["availability"] == ["weekends"]


def test_what_was_understood_of_the_experience_is_confirmed_or_dropped() -> None:
    confirm = send(at("experience_text"), EXPERIENCE_UNDERSTOOD)
    assert confirm.session.node == "experience_confirm"
    assert "cook" in confirm.messages[-1].text
    drop = send(confirm.session, "Something is wrong")
    assert [c.label for c in drop.messages[-1].choices] == ["cook"]
    dropped = send(drop.session, "1")
    assert dropped.session.answers["found"] == []
    assert dropped.session.node == "mother_tongue"


def stored(session: DialogState) -> DialogState:
    return DialogState.from_json(json.loads(json.dumps(session.to_json())))


# The intake with detours: pauses, corrections, a stuck question, a language change, the person's
# data, an understood experience, and an erasure at the end.
WINDING_INTAKE = [
    "yes",
    "Porto",
    "my data",
    "stop",
    "hello again",
    "2",
    "back",
    "3",
    "blah",
    "blah",
    "1",
    "more than 2 years",
    "5",
    "university degree",
    EXPERIENCE_UNDERSTOOD,
    "1",
    "Italiano",
    "1, 3",
    "language",
    "English",
    "good",
    "basic",
    "3",
    "1",
    "2",
    "1 3",
    "children",
    "find work",
    "yes",
    "skip",
    "no",
    "1",
    "Change something",
    "Age",
    "4",
    "yes",
    "not now",
    "my data",
    "See my data",
    "delete",
    "yes",
    "hello",
]


def test_a_session_stored_as_json_after_every_step_runs_the_same_conversation() -> None:
    """The storage serializes on every write: nothing unstorable may hide in the session."""
    flow = english_flow()
    first = send(DialogState(flow=flow.id), Start(lang="en"))
    kept, reloaded = first.session, stored(first.session)
    seen = list(first.events)
    for line in WINDING_INTAKE:
        given = Message(line) if isinstance(line, str) else line
        direct, from_storage = send(kept, given), send(reloaded, given)
        assert from_storage.events == direct.events, line
        assert stored(direct.session) == direct.session, line
        kept, reloaded = direct.session, stored(from_storage.session)
        seen += direct.events
    assert any(isinstance(e, IntakeCompleted) for e in seen)
    assert ErasureRequested() in seen
    assert kept == reloaded


def test_the_completed_intake_event_shares_no_data_with_the_session() -> None:
    before, result = finished()
    completed_event(result).answers.clear()
    assert result.session.answers
    assert result.session.answers["disability"] == before.answers["disability"]
