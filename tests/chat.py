"""Driving a conversation in tests as a person would, and reading what the bot sent back."""

import uuid
from typing import Any

from bot.conversation.service import ConversationService, Inbound
from bot.delivery.dispatcher import Dispatcher
from storage.models import Identity


class Chat:
    """One person on one channel; every call returns the payloads the bot sent in reply."""

    def __init__(self, service: ConversationService, address: str = "person-1",
                 channel: str = "console"):
        self.service = service
        self.address = address
        self.channel = channel
        self.sent: list[dict[str, Any]] = []
        self.dispatcher = Dispatcher(service.engine, {channel: self._deliver}, service.clock)
        self.person_id: str | None = None

    def _deliver(self, identity: Identity, payload: dict[str, Any]) -> None:
        self.sent.append(payload)

    def start(self, lang: str | None = None) -> list[dict[str, Any]]:
        return self._send(Inbound(self.channel, self.address, _new_id(), start=True, lang=lang))

    def say(self, text: str, external_id: str | None = None) -> list[dict[str, Any]]:
        return self._send(Inbound(self.channel, self.address, external_id or _new_id(), text=text))

    def _send(self, inbound: Inbound) -> list[dict[str, Any]]:
        before = len(self.sent)
        handled = self.service.handle(inbound)
        self.person_id = handled.person_id
        self.dispatcher.dispatch_due(channel=self.channel, identity_id=handled.identity_id)
        return self.sent[before:]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


def _new_id() -> str:
    return uuid.uuid4().hex
