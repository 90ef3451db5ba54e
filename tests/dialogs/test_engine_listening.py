"""The engine asks instead of refusing, offers to switch language, and lets every summary field
be corrected."""

from dialogs.loader import TEXTS_DIR, load_catalogue
from dialogs.model import LanguageChosen, Message
from nlp.understanding import Understanding
from tests.dialogs.drive import at, flow_with, send, started, text


def test_an_unclear_answer_is_asked_about_and_a_yes_stores_it() -> None:
    asked = send(at("benefits"), "jobseeker alowanse money")
    assert [m.text for m in asked.messages] == [
        text("confirm.guess", choice=text("benefits.unemployment"))]
    assert asked.session.node == "benefits"
    assert asked.session.failures == 0
    confirmed = send(asked.session, "yep")
    assert confirmed.session.answers["benefits"] == "unemployment"
    assert confirmed.session.node == "isced"
    assert confirmed.session.pending is None


def test_a_no_to_the_guess_explains_the_question_and_asks_it_again() -> None:
    asked = send(at("benefits"), "jobseeker alowanse money").session
    denied = send(asked, "👎")
    assert [m.text for m in denied.messages] == [
        text("confirm.denied", hint=text("help.benefits")), text("ask.benefits")]
    assert "benefits" not in denied.session.answers


def test_another_answer_instead_of_a_yes_is_read_as_the_answer() -> None:
    asked = send(at("benefits"), "jobseeker alowanse money").session
    answered = send(asked, "universal credit")
    assert answered.session.answers["benefits"] == "minimum_income"


def test_a_refusal_says_what_the_question_expects_in_its_own_terms() -> None:
    refused = send(at("caring_duties"), "blah blah")
    assert refused.messages[0].text == text("error.choice", hint=text("help.caring_duties"))
    assert "1 to" not in refused.messages[0].text


def test_a_message_in_another_language_offers_to_switch_in_that_language() -> None:
    flow = flow_with(load_catalogue(TEXTS_DIR / "it.yaml"))
    at_town = send(send(started(flow), "yes", flow=flow).session, "", flow=flow).session
    assert at_town.node == "municipality"
    chatter = Message("non capisco niente, parlate italiano?",
                      Understanding(lang="en", detected_lang="it"))
    offered = send(at_town, chatter, flow=flow)
    assert offered.session.node == "language_switch"
    assert offered.messages[-1].lang == "it"
    assert "municipality" not in offered.session.answers
    switched = send(offered.session, "sì", flow=flow)
    assert switched.session.lang == "it"
    assert switched.session.node == "municipality"
    assert LanguageChosen("it") in switched.events


def test_a_no_to_the_switch_keeps_the_language_of_the_conversation() -> None:
    flow = flow_with(load_catalogue(TEXTS_DIR / "it.yaml"))
    at_age = send(send(started(flow), "yes", flow=flow).session, "Porto", flow=flow).session
    chatter = Message("scusi ma non ho capito bene", Understanding(lang="en", detected_lang="it"))
    offered = send(at_age, chatter, flow=flow).session
    kept = send(offered, "no", flow=flow)
    assert kept.session.lang == "en"
    assert kept.session.node == "age_band"
    assert kept.messages[-1].lang == "en"


def test_caring_for_someone_can_be_corrected_from_the_summary() -> None:
    picking = send(at("summary"), "change something").session
    caring = send(picking, "caring")
    assert caring.session.node == "caring_duties"
    back = send(caring.session, "my mum")
    assert back.session.answers["caring_duties"] == "adult"
    assert back.session.node == "summary"
