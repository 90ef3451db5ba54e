"""Opt-out, resubscribe and help words, read before any flow sees the message."""

import pytest
from sqlalchemy import Engine

from bot.contacts.sms_keywords import Keyword, keyword_of, text_key
from bot.delivery.outbound import Outbound, queue
from dialogs import segments
from dialogs.loader import intake_flow
from dialogs.render import render
from storage.db import unit_of_work
from storage.models import Outbox
from tests.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import SUPPORT, Handset

LANGUAGE_WORDS = {"pt": "Português", "it": "italiano", "en": "English", "es": "Español",
                  "fr": "français"}
LANGUAGES = [
    pytest.param(lang, marks=pytest.mark.skipif(
        lang not in intake_flow().catalogues, reason=f"no {lang} catalogue yet"))
    for lang in LANGUAGE_WORDS
]


REPLIES = ("stopped", "resubscribed", "help", "help_opted_out", "ask_stop")


def sms(lang: str, name: str) -> str:
    template = intake_flow().catalogues[lang].texts[text_key(name)]
    return segments.plain(render(template, {"contact": SUPPORT}))


def flow_text(lang: str, key: str) -> str:
    catalogue = intake_flow().catalogues[lang]
    return segments.plain(catalogue.sms.get(key) or catalogue.texts[key])


def in_language(phone: Handset, lang: str) -> None:
    """Start a conversation and choose the language: the consent question is next."""
    phone.text("Olá")
    phone.text(LANGUAGE_WORDS[lang])
    assert phone.conversation().node == "consent"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", Keyword.OPT_OUT), (" stop. ", Keyword.OPT_OUT), ("Stop!", Keyword.OPT_OUT),
        ("StopAll", Keyword.OPT_OUT), ("Arrêt", Keyword.OPT_OUT), ("BASTA", Keyword.OPT_OUT),
        ("parar", Keyword.OPT_OUT), ("Baja", Keyword.OPT_OUT), ("désabonner", Keyword.OPT_OUT),
        ("CANCELAR", Keyword.ASK_FIRST), ("fine", Keyword.ASK_FIRST),
        ("Annulla", Keyword.ASK_FIRST), ("cancel", Keyword.ASK_FIRST),
        ("START", Keyword.RESUBSCRIBE), ("Sì", Keyword.RESUBSCRIBE),
        ("começar", Keyword.RESUBSCRIBE), ("HELP", Keyword.HELP), ("Aiuto", Keyword.HELP),
        ("aide", Keyword.HELP),
    ],
)
def test_a_whole_message_is_a_keyword(text: str, kind: Keyword) -> None:
    found = keyword_of(text)
    assert found is not None and found[0] is kind


@pytest.mark.parametrize("text", ["STOP PLEASE", "please stop", "stopp", "help me with this",
                                  "", None])
def test_a_keyword_inside_a_longer_message_is_no_keyword(text: str | None) -> None:
    assert keyword_of(text) is None


@pytest.mark.parametrize("lang", LANGUAGE_WORDS)
def test_every_keyword_reply_exists_in_every_language_and_fits_two_segments(lang: str) -> None:
    for name in REPLIES:
        assert segments.count(sms(lang, name)).segments <= 2, (lang, name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stop_opts_out_at_once_in_the_persons_language(phone: Handset, lang: str) -> None:
    in_language(phone, lang)
    assert phone.replies_to("STOP") == [sms(lang, "stopped")]
    assert phone.identity().opted_out
    assert phone.conversation().node == "consent"  # the flow never saw it


@pytest.mark.parametrize(
    ("word", "lang"),
    [("STOP", "pt"), ("PARAR", "pt"), ("BASTA", "it"), ("BAJA", "es"), ("ARRÊT", "fr"),
     ("Unsubscribe", "pt")],
)
def test_a_first_message_that_opts_out_is_answered_in_the_words_language_or_portuguese(
    phone: Handset, word: str, lang: str
) -> None:
    assert phone.replies_to(word) == [sms(lang, "stopped")]
    assert phone.identity().opted_out
    assert phone.conversation() is None


def test_opting_out_cancels_what_was_still_to_be_sent(phone: Handset, engine: Engine) -> None:
    in_language(phone, "pt")
    identity = phone.identity()
    with unit_of_work(engine) as db:
        reminder = queue(db, identity, Outbound("Amanhã às 10h", "reminder"),
                         identity.created_at, identity.created_at.replace(year=2099))
    phone.text("STOP")
    with unit_of_work(engine) as db:
        assert db.get(Outbox, reminder.id).status == "cancelled"


def test_an_opted_out_number_gets_nothing_and_its_messages_reach_no_flow(
    phone: Handset,
) -> None:
    in_language(phone, "pt")
    phone.text("STOP")
    assert phone.replies_to("1") == []
    assert phone.replies_to("STOP") == []  # confirmed once only
    assert phone.conversation().node == "consent"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_start_resubscribes_and_the_conversation_resumes(phone: Handset, lang: str) -> None:
    in_language(phone, lang)
    phone.text("STOP")
    replies = phone.replies_to("START")
    assert replies[0] == sms(lang, "resubscribed")
    assert replies[1] == flow_text(lang, "resume.plain")
    assert replies[2].startswith(flow_text(lang, "consent.ask"))
    assert not phone.identity().opted_out
    phone.text("1")
    assert phone.conversation().node == "municipality"


@pytest.mark.parametrize(
    ("word", "lang"),
    # "Sì" is Italian and Spanish alike, "yes" international: both answer in the default.
    [("SIM", "pt"), ("Sì", "pt"), ("ISCRIVIMI", "it"), ("oui", "fr"), ("INICIAR", "pt"),
     ("yes", "pt")],
)
def test_local_words_resubscribe_an_opted_out_number(phone: Handset, word: str,
                                                     lang: str) -> None:
    phone.text("STOP")
    assert phone.replies_to(word)[0] == sms(lang, "resubscribed")
    assert not phone.identity().opted_out


def test_yes_from_a_subscribed_number_is_an_ordinary_answer(phone: Handset) -> None:
    in_language(phone, "pt")
    replies = phone.replies_to("SIM")
    assert sms("pt", "resubscribed") not in replies
    assert phone.conversation().node == "municipality"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_gives_the_contact_and_the_flow_still_helps(phone: Handset, lang: str) -> None:
    in_language(phone, lang)
    replies = phone.replies_to("HELP")
    assert replies[0] == sms(lang, "help") and SUPPORT in replies[0]
    assert replies[1] == flow_text(lang, "consent.help")
    assert replies[2].startswith(flow_text(lang, "consent.ask"))
    assert phone.conversation().node == "consent"


@pytest.mark.parametrize(("word", "lang"), [("AJUDA", "pt"), ("AIUTO", "it"), ("AYUDA", "es"),
                                            ("AIDE", "fr"), ("INFO", "pt")])
def test_a_local_help_word_answers_in_its_language_before_a_language_is_chosen(
    phone: Handset, word: str, lang: str
) -> None:
    replies = phone.replies_to(word)
    assert replies[0] == sms(lang, "help")
    assert replies[1].startswith(flow_text("pt", "language.ask"))


def test_help_to_an_opted_out_number_gives_the_contact_and_how_to_come_back(
    phone: Handset,
) -> None:
    in_language(phone, "pt")
    phone.text("STOP")
    assert phone.replies_to("AJUDA") == [sms("pt", "help_opted_out")]
    assert phone.identity().opted_out
    assert phone.conversation().node == "consent"


def test_stop_with_more_words_is_an_ordinary_message(phone: Handset) -> None:
    in_language(phone, "en")
    replies = phone.replies_to("STOP PLEASE")
    assert not phone.identity().opted_out
    assert replies and sms("en", "stopped") not in replies


@pytest.mark.parametrize(("word", "lang"), [("CANCELAR", "pt"), ("FINE", "it"),
                                            ("ANNULER", "fr"), ("CANCEL", "en")])
def test_an_ambiguous_word_asks_before_stopping_and_the_flow_still_reads_it(
    phone: Handset, word: str, lang: str
) -> None:
    in_language(phone, lang)
    replies = phone.replies_to(word)
    assert replies[0] == sms(lang, "ask_stop")
    assert len(replies) > 1  # the flow's own answer follows
    assert not phone.identity().opted_out
    phone.text("STOP")
    assert phone.identity().opted_out


def test_a_stop_twilio_sends_again_is_confirmed_once(phone: Handset) -> None:
    phone.text("STOP", sid="SM" + "c" * 32)
    phone.text("STOP", sid="SM" + "c" * 32)
    assert phone.inbox() == [sms("pt", "stopped")]


def test_a_number_twilio_reports_unsubscribed_on_sending_is_opted_out(
    phone: Handset, twilio: FakeTwilio
) -> None:
    phone.text("Olá")
    twilio.fail_next(400, 21610)
    assert phone.replies_to("Português") == []
    assert phone.identity().opted_out
    assert phone.replies_to("1") == []
