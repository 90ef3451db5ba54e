"""What a Telegram update means to percorso, read without any I/O."""

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels.telegram.format import parse_callback
from bot.contacts.membership import MembershipChanged
from bot.conversation.service import Inbound

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
# Menu commands the flow understands as words: its catalogues hold "help", "mydata", "person"...
FLOW_COMMANDS = ("help", "language", "person", "mydata", "delete", "stop")
# Checked in this order: an animation also carries a document, a venue also a location.
MEDIA_KINDS = (
    "voice", "video_note", "audio", "video", "animation", "photo", "sticker", "document",
    "venue", "location", "contact", "poll", "dice",
)  # fmt: skip
# No node has an empty id: a button we cannot read reaches the flow as a stale choice.
UNREADABLE_BUTTON = ("", "")
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?", re.DOTALL)
_DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Question:
    """The message whose button was pressed, to be edited to show the answer."""

    message_id: int
    text: str
    label: str


@dataclass(frozen=True)
class Received:
    """A message or a pressed button from a private chat."""

    inbound: Inbound
    link_code: str | None = None  # "/link CODE": a counselor linking this chat
    callback_id: str | None = None
    question: Question | None = None

    @property
    def chat(self) -> str:
        return self.inbound.address


def external_id(bot_id: str, update_id: int) -> str:
    """Update ids count per bot: scoped by the bot, a new token cannot collide with old ids."""
    return f"{bot_id}:{update_id}"


def bot_id_of(token: str) -> str:
    """The bot's id is the part of its token before the colon."""
    return token.partition(":")[0]


def read_update(
    update: Update, bot_id: str, languages: Collection[str]
) -> Received | MembershipChanged | None:
    """None for what the bot takes no part in: groups, channels, service messages."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return None
    key = external_id(bot_id, update.update_id)
    address = str(chat.id)
    if update.my_chat_member:
        return _membership(update.my_chat_member.new_chat_member.status, key, address)
    user = update.effective_user
    lang = _language(user.language_code if user else None, languages)
    if update.callback_query:
        return _pressed(update.callback_query, Inbound(CHANNEL, address, key, lang=lang))
    if update.message:
        return _written(update.message, Inbound(CHANNEL, address, key, lang=lang))
    return None


def _membership(status: str, key: str, address: str) -> MembershipChanged | None:
    """The person blocked the bot (it was kicked) or let it back in (a member again)."""
    if status == ChatMemberStatus.BANNED:  # "kicked": what a private chat reports on a block
        return MembershipChanged(CHANNEL, address, key, blocked=True)
    if status == ChatMemberStatus.MEMBER:
        return MembershipChanged(CHANNEL, address, key, blocked=False)
    return None


def _language(code: str | None, languages: Collection[str]) -> str | None:
    """The flow's language for the client's language tag ("pt-br" -> "pt"), if it has one."""
    lang = (code or "").split("-")[0].lower()
    return lang if lang in languages else None


def _pressed(query: CallbackQuery, blank: Inbound) -> Received:
    inbound = replace(blank, picked=parse_callback(query.data) or UNREADABLE_BUTTON)
    return Received(inbound, callback_id=query.id, question=_question(query))


def _question(query: CallbackQuery) -> Question | None:
    message = query.message
    if not isinstance(message, Message) or not message.text or not message.reply_markup:
        return None  # older than 48 hours, or not a question of ours
    labels = {
        button.callback_data: button.text
        for row in message.reply_markup.inline_keyboard
        for button in row
    }
    label = labels.get(query.data)
    return Question(message.message_id, message.text, label) if label else None


def _written(message: Message, blank: Inbound) -> Received | None:
    text = message.text
    if text is None:
        kind = next((kind for kind in MEDIA_KINDS if getattr(message, kind)), None)
        if message.location:  # a location or a venue: where the person is may be their town
            at = (message.location.latitude, message.location.longitude)
            return Received(replace(blank, media=kind, location=at))
        return Received(replace(blank, media=kind)) if kind else None
    command = _COMMAND.fullmatch(text.strip())
    if command:
        name, argument = command.group(1).lower(), (command.group(2) or "").strip()
        if name == "start":
            # Only a deep-link payload is kept: anything else typed after /start may be personal.
            payload = argument if _DEEP_LINK_PAYLOAD.fullmatch(argument) else None
            return Received(replace(blank, start=True, start_payload=payload))
        if name == "link":
            # A counselor's code, or else a person's code for linking channels: the flow reads it.
            return Received(replace(blank, text=f"/link {argument}".strip()), link_code=argument)
        if name in FLOW_COMMANDS:
            return Received(replace(blank, text=f"/{name}"))
        # Any other command (a counselor's /agenda) loses the "@botname" a client may add.
        return Received(replace(blank, text=f"/{name} {argument}".strip()))
    return Received(replace(blank, text=text))
