"""The service answers what the dialog asks of it by stepping again, and never stops silently."""

from typing import Any

import pytest

from bot.conversation import service as conversation
from bot.conversation.service import ConversationService, UnansweredRequest
from dialogs.model import DialogState, LinkCodeWanted, Step
from tests.chat import Chat, texts


def test_a_request_the_service_cannot_answer_is_an_error(
    service: ConversationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(service, "4343", "telegram")
    chat.start("en")
    chat.say("yes")
    monkeypatch.delitem(conversation._ANSWERS, LinkCodeWanted)
    with pytest.raises(UnansweredRequest, match="no answer for LinkCodeWanted"):
        chat.say("link")


def test_a_dialog_that_keeps_asking_is_an_error_not_a_silent_stop(
    service: ConversationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always_asking(*args: Any) -> Step:
        return Step(DialogState(flow="intake", status="active"), (), LinkCodeWanted())

    monkeypatch.setattr(conversation.dialog, "step", always_asking)
    with pytest.raises(UnansweredRequest, match="still asking after 4 answers"):
        Chat(service, "4344", "telegram").start("en")


def test_a_code_asked_for_is_answered_within_the_same_message(service: ConversationService) -> None:
    chat = Chat(service, "4345", "telegram")
    chat.start("en")
    chat.say("yes")
    assert "minutes" in texts(chat.say("link"))
