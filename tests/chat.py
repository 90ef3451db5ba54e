"""Driving a conversation in tests as a person would, and reading what the bot sent back."""

import uuid
from dataclasses import asdict
from typing import Any

from bot.conversation.service import ConversationService, Inbound
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.policy import DeliveryPolicy


class Chat:
    """One person on one channel; every call returns the messages the bot sent in reply, as the
    outbox row's payload reads (dicts), sent through the same policy as every process's."""

    def __init__(self, service: ConversationService, address: str = "person-1",
                 channel: str = "console"):
        self.service = service
        self.address = address
        self.channel = channel
        self.sent: list[dict[str, Any]] = []
        self.dispatcher = Dispatcher(service.engine, {channel: self._deliver}, service.clock,
                                     DeliveryPolicy())  # fmt: skip
        self.person_id: str | None = None

    def _deliver(self, _recipient: Recipient, message: Outbound) -> None:
        self.sent.append(_as_payload(message))

    def start(self, lang: str | None = None) -> list[dict[str, Any]]:
        return self._send(Inbound(self.channel, self.address, _new_id(), start=True, lang=lang))

    def say(self, text: str, external_id: str | None = None) -> list[dict[str, Any]]:
        return self._send(Inbound(self.channel, self.address, external_id or _new_id(), text=text))

    def _send(self, inbound: Inbound) -> list[dict[str, Any]]:
        before = len(self.sent)
        handled = self.service.handle(inbound)
        self.person_id = handled.person_id
        self.dispatcher.dispatch_rows(handled.outbox_ids)
        return self.sent[before:]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


def _as_payload(message: Outbound) -> dict[str, Any]:
    payload = asdict(message)
    payload["choices"] = [asdict(choice) for choice in message.choices]
    return payload


def _new_id() -> str:
    return uuid.uuid4().hex
