"""Small factories for the updates Telegram sends, as JSON."""

import itertools
from typing import Any

_ids = itertools.count(10_000)


def next_update_id() -> int:
    return next(_ids)


def _user(chat_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    if language_code:
        user["language_code"] = language_code
    return user


def _chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "first_name": "Ana"}


def message(
    chat_id: int,
    text: str | None = None,
    update_id: int | None = None,
    language_code: str | None = None,
    chat_type: str = "private",
    **content: Any,
) -> dict[str, Any]:
    """A message with `text`, or with media given as keyword (voice={...}, photo=[...])."""
    body: dict[str, Any] = {
        "message_id": next_update_id(),
        "date": 1_790_000_000,
        "chat": _chat(chat_id, chat_type),
        "from": _user(chat_id, language_code),
        **content,
    }
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id or next_update_id(), "message": body}


def voice(chat_id: int, **options: Any) -> dict[str, Any]:
    note = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}
    return message(chat_id, voice=note, **options)


def pressed(
    chat_id: int,
    sent: dict[str, Any],
    data: str,
    update_id: int | None = None,
    language_code: str | None = None,
) -> dict[str, Any]:
    """A press on a button of `sent`, a message as the fake server holds it."""
    return {
        "update_id": update_id or next_update_id(),
        "callback_query": {
            "id": f"cq-{next_update_id()}",
            "from": _user(chat_id, language_code),
            "chat_instance": "ci-1",
            "data": data,
            "message": {**sent, "chat": _chat(chat_id)},
        },
    }


def membership(chat_id: int, status: str, update_id: int | None = None) -> dict[str, Any]:
    """my_chat_member: "kicked" when the person blocks the bot, "member" when they let it back."""
    bot = {"id": 123456, "is_bot": True, "first_name": "Percorso"}
    old = "member" if status == "kicked" else "kicked"
    return {
        "update_id": update_id or next_update_id(),
        "my_chat_member": {
            "chat": _chat(chat_id),
            "from": _user(chat_id, "en"),
            "date": 1_790_000_000,
            "old_chat_member": {"status": old, "user": bot, "until_date": 0},
            "new_chat_member": {"status": status, "user": bot, "until_date": 0},
        },
    }
