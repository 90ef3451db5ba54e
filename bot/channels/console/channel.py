"""The console channel: a conversation over stdin and stdout (`percorso chat`)."""

import json
import uuid
from collections.abc import Iterable
from typing import Any, TextIO

from bot.conversation.service import ConversationService, Inbound
from bot.delivery.dispatcher import Dispatcher
from dialogs.render import numbered
from storage.models import Identity

CHANNEL = "console"


class ConsoleChannel:
    def __init__(
        self, service: ConversationService, out: TextIO, jsonl: bool = False, prompt: bool = False
    ):
        self.service = service
        self.out = out
        self.jsonl = jsonl
        self.prompt = prompt
        self.dispatcher = Dispatcher(service.engine, {CHANNEL: self.send}, service.clock)

    def send(self, identity: Identity, payload: dict[str, Any]) -> None:
        labels = [c["label"] for c in payload.get("choices", [])]
        if self.jsonl:
            line = json.dumps({"text": payload["text"], "choices": labels}, ensure_ascii=False)
            self.out.write(line + "\n")
        else:
            self.out.write(numbered(payload["text"], labels) + "\n\n")

    def run(self, user: str, lines: Iterable[str], lang: str | None = None) -> None:
        """Open the conversation, then answer every line until the input ends."""
        self.receive(Inbound(CHANNEL, user, _new_id(), start=True, lang=lang))
        for line in lines:
            self.receive(Inbound(CHANNEL, user, _new_id(), text=line.rstrip("\r\n")))

    def receive(self, inbound: Inbound) -> None:
        """Handle one message and print the replies it caused."""
        handled = self.service.handle(inbound)
        self.dispatcher.dispatch_due(channel=CHANNEL, identity_id=handled.identity_id)
        if self.jsonl:
            self.out.write('{"waiting": true}\n')
        elif self.prompt:
            self.out.write("> ")
        self.out.flush()


def _new_id() -> str:
    return uuid.uuid4().hex
