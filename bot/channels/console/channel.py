"""The console channel: a conversation over stdin and stdout (`percorso chat`). Each message's
replies are sent at once, the rows its unit of work wrote and no other, through a dispatcher
under the process's delivery policy."""

import json
import uuid
from collections.abc import Iterable
from typing import TextIO

from bot.conversation.service import ConversationService, Inbound
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.policy import DeliveryPolicy
from dialogs.render import numbered

CHANNEL = "console"


class ConsoleChannel:
    def __init__(
        self,
        service: ConversationService,
        policy: DeliveryPolicy,
        out: TextIO,
        jsonl: bool = False,
        prompt: bool = False,
    ):
        self.service = service
        self.out = out
        self.jsonl = jsonl
        self.prompt = prompt
        self.dispatcher = Dispatcher(service.engine, {CHANNEL: self.send}, service.clock, policy)

    def send(self, _recipient: Recipient, message: Outbound) -> None:
        labels = [choice.label for choice in message.choices]
        if self.jsonl:
            line = json.dumps({"text": message.text, "choices": labels}, ensure_ascii=False)
            self.out.write(line + "\n")
        else:
            self.out.write(numbered(message.text, labels) + "\n\n")

    def run(self, user: str, lines: Iterable[str], lang: str | None = None) -> None:
        """Open the conversation, then answer every line until the input ends."""
        self.receive(Inbound(CHANNEL, user, _new_id(), start=True, lang=lang))
        for line in lines:
            self.receive(Inbound(CHANNEL, user, _new_id(), text=line.rstrip("\r\n")))

    def receive(self, inbound: Inbound) -> None:
        """Handle one message and print the replies it caused."""
        handled = self.service.handle(inbound)
        self.dispatcher.dispatch_rows(handled.outbox_ids)
        if self.jsonl:
            self.out.write('{"waiting": true}\n')
        elif self.prompt:
            self.out.write("> ")
        self.out.flush()


def _new_id() -> str:
    return uuid.uuid4().hex
