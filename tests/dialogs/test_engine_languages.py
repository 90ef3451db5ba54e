"""Languages named in words: "another language" asks which one, codes are kept, and each language
the person speaks gets its own level."""

from dialogs.model import IntakeCompleted, Message
from nlp.understanding import Entity, Understanding
from tests.dialogs.drive import INTAKE, at, say, send, text


def naming(words: str, *codes: str) -> Message:
    """A message as the NLP reads it: the languages it names."""
    entities = tuple(Entity("language", words, code) for code in codes)
    return Message(words, Understanding(lang="en", entities=entities))


def test_another_first_language_is_asked_for_and_kept_as_its_code() -> None:
    asked = send(at("mother_tongue"), "Another language")
    assert asked.session.node == "mother_tongue_named"
    assert asked.messages[-1].text == text("ask.which_mother_tongue")
    named = send(asked.session, naming("arabo", "ar"))
    assert named.session.answers["mother_tongue"] == "ar"
    assert named.session.node == "other_languages"


def test_a_first_language_named_at_the_choice_itself_needs_no_second_question() -> None:
    result = send(at("mother_tongue"), naming("Ukrainian", "uk"))
    assert result.session.answers["mother_tongue"] == "uk"
    assert result.session.node == "other_languages"


def test_a_name_that_is_no_language_is_asked_again_in_the_question_s_terms() -> None:
    asked = send(at("mother_tongue"), "Another language").session
    result = send(asked, Message("the one my grandmother spoke", Understanding(lang="en")))
    assert result.session.node == "mother_tongue_named"
    assert result.session.answers["mother_tongue"] == "other"
    assert result.messages[0].text == text("language.not_found", hint=text("help.which_language"))


def test_other_languages_named_in_words_get_one_level_each() -> None:
    session = send(at("other_languages"), naming("English and Wolof", "en", "wo")).session
    assert session.answers["other_languages"] == ["en", "wo"]
    first = send(at("other_languages"), naming("English and Wolof", "en", "wo"))
    assert first.messages[-1].text == text("ask.language_level", item="English")
    second = send(session, "Good")
    assert second.session.node == "language_level"
    assert second.messages[-1].text == text("ask.language_level", item="Wolof")
    done = send(second.session, "Basic")
    assert done.session.answers["language_level"] == {"en": "B", "wo": "A"}
    assert done.session.node == "digital_skills"


def test_another_among_the_choices_is_replaced_by_the_languages_named() -> None:
    chosen = send(at("other_languages"), "English, another language")
    assert chosen.session.node == "other_languages_named"
    named = send(chosen.session, naming("arabic and tigrinya", "ar", "ti"))
    assert named.session.answers["other_languages"] == ["en", "ar", "ti"]
    session = say(named.session, ["Fluent", "Good", "Basic"])
    assert session.answers["language_level"] == {"en": "C", "ar": "B", "ti": "A"}
    assert session.node == "digital_skills"


def test_the_summary_names_each_language_with_its_level() -> None:
    session = send(at("mother_tongue"), naming("Arabic", "ar")).session
    session = say(session, [naming("English and Wolof", "en", "wo"), "Good", "Basic"])
    later = [
        answer
        for node, answer in INTAKE
        if node
        not in (
            "consent",
            "municipality",
            "age_band",
            "unemployed_since",
            "benefits",
            "isced",
            "experience_text",
            "mother_tongue",
            "other_languages",
            "language_level",
        )
    ]
    result = send(say(session, later[:-1]), later[-1])
    (event,) = [e for e in result.events if isinstance(e, IntakeCompleted)]
    assert event.answers["mother_tongue"] == "ar"
    assert event.answers["language_level"] == {"en": "B", "wo": "A"}


def test_correcting_the_level_from_the_summary_asks_it_for_every_language_again() -> None:
    assert at("summary").answers["language_level"] == {"pt": "B", "en": "A"}
    asked = say(at("summary"), ["Change something", "Level"])
    assert asked.node == "language_level"
    back = say(asked, ["Fluent", "Fluent"])
    assert back.answers["language_level"] == {"pt": "C", "en": "C"}
    assert back.node == "summary"
