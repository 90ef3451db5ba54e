"""One person on two channels: a code shown on one, sent back from the other."""

import re

from sqlalchemy import Engine
from sqlmodel import select

from bot.conversation.service import ConversationService
from storage.db import unit_of_work
from storage.models import Identity
from tests.chat import Chat, texts
from tests.clock import FakeClock

CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


def _code_from(chat: Chat) -> str:
    match = CODE.search(texts(chat.say("link")))
    assert match, "no code in the reply"
    return match.group(0)


def _people(engine: Engine) -> dict[str, str]:
    with unit_of_work(engine) as db:
        return {f"{i.channel}:{i.address}": i.person_id for i in db.exec(select(Identity))}


def test_a_person_on_telegram_goes_on_by_sms_where_they_were(
    service: ConversationService, engine: Engine
) -> None:
    telegram = Chat(service, "4242", "telegram")
    telegram.start("pt")
    telegram.say("sim")
    telegram.say("Matosinhos")
    code = _code_from(telegram)
    sms = Chat(service, "+351912345678", "sms")
    reply = texts(sms.say(f"ASSOCIAR {code}"))
    assert reply.startswith("Associado: esta é agora a mesma conversa")
    assert "Que idade tem?" in reply
    people = _people(engine)
    assert people["sms:+351912345678"] == people["telegram:4242"]
    assert "Há quanto tempo" in texts(sms.say("2"))


def test_a_code_links_one_channel_once_and_expires(
    service: ConversationService, engine: Engine, clock: FakeClock
) -> None:
    sms = Chat(service, "+390612345678", "sms")
    sms.start("it")
    sms.say("sì")
    code = _code_from(sms)
    assert "Esse código não existe ou expirou" in texts(
        Chat(service, "777", "telegram").say("/link WRONG-CODE1")
    )
    first = texts(Chat(service, "778", "telegram").say(f"/link {code}"))
    assert first.startswith("Collegato: questa è ora la stessa conversazione")
    assert "In quale comune vive?" in first
    again = texts(Chat(service, "779", "telegram").say(f"/link {code}"))
    assert "Esse código não existe ou expirou" in again
    late_code = _code_from(sms)
    clock.advance(minutes=16)
    late = texts(Chat(service, "780", "telegram").say(f"COLLEGA {late_code}"))
    assert "Esse código não existe ou expirou" in late
    people = _people(engine)
    assert people["telegram:778"] == people["sms:+390612345678"]
    assert people["telegram:779"] != people["sms:+390612345678"]
    assert people["telegram:780"] != people["sms:+390612345678"]


def test_a_link_code_is_given_only_after_consent(service: ConversationService) -> None:
    telegram = Chat(service, "4343", "telegram")
    telegram.start("en")
    reply = texts(telegram.say("link"))
    assert reply.startswith("First the privacy notice") and not CODE.search(reply)


def test_a_channel_with_a_conversation_of_its_own_is_not_linked_away_from_it(
    service: ConversationService, engine: Engine
) -> None:
    sms = Chat(service, "+351911111111", "sms")
    sms.start("pt")
    sms.say("sim")
    code = _code_from(sms)
    telegram = Chat(service, "5151", "telegram")
    telegram.start("pt")
    telegram.say("sim")  # this chat agreed and has its own data: MY DATA and DELETE reach it
    refusal = texts(telegram.say(f"ASSOCIAR {code}"))
    assert refusal.startswith("Este chat já tem a sua própria conversa connosco.")
    people = _people(engine)
    assert people["telegram:5151"] != people["sms:+351911111111"]
