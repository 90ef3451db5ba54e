"""Choices as WhatsApp buttons: quick replies (up to 3) and list pickers (up to 10) through
Twilio's Content API.

The templates hold no words of their own: the question is variable {{1}}; a quick reply's
button titles are {{2}}, {{3}}, {{4}}; a list picker's button is {{2}} and its items {{3}} to
{{12}}. So one template per shape serves every question in every language, and sending them
within the 24-hour window needs no approval. `percorso whatsapp templates sync` creates the ones
the account lacks (`POST content.twilio.com/v1/Content`) and prints their SIDs for
PERCORSO_WHATSAPP_CHOICE_TEMPLATES. A question whose choices WhatsApp cannot show as buttons
(several may be picked, a label too long, no template configured) goes as a numbered list.
"""

from collections.abc import Mapping
from typing import Any

from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList

from bot.delivery.outbound import Outbound

MAX_QUICK_REPLIES = 3
MAX_LIST_ITEMS = 10
QUICK_REPLY_TITLE = 20  # characters WhatsApp shows on a quick-reply button
LIST_ITEM_TITLE = 24
LIST_BUTTON = {"pt": "Escolher", "it": "Scegli", "en": "Choose", "es": "Elegir", "fr": "Choisir"}
"""The list picker's own button, in the person's language (WhatsApp allows 20 characters)."""
NAME_PREFIX = "percorso_"


def shape_of(outbound: Outbound) -> str | None:
    """ "quick_reply_3", "list_picker_7": the template a question's choices fit, or None."""
    labels = [choice.label for choice in outbound.choices]
    if outbound.multiple or len(labels) < 2:
        return None
    if len(labels) <= MAX_QUICK_REPLIES and all(len(x) <= QUICK_REPLY_TITLE for x in labels):
        return f"quick_reply_{len(labels)}"
    if len(labels) <= MAX_LIST_ITEMS and all(len(x) <= LIST_ITEM_TITLE for x in labels):
        return f"list_picker_{len(labels)}"
    return None


def content_of(
    outbound: Outbound, templates: Mapping[str, str], default_lang: str
) -> tuple[str, dict[str, str]] | None:
    """The Content SID and variables that show the message with buttons, when configured."""
    shape = shape_of(outbound)
    sid = templates.get(shape) if shape else None
    if sid is None:
        return None
    labels = [choice.label for choice in outbound.choices]
    if shape.startswith("quick_reply"):
        values = [outbound.text, *labels]
    else:
        button = LIST_BUTTON.get(outbound.lang or default_lang, LIST_BUTTON["en"])
        values = [outbound.text, button, *labels]
    return sid, {str(i): value for i, value in enumerate(values, 1)}


def shapes() -> dict[str, dict[str, Any]]:
    """Every template the sync creates: its name and the types the Content API takes."""
    made = {}
    for count in range(2, MAX_QUICK_REPLIES + 1):
        actions = [{"type": "QUICK_REPLY", "title": f"{{{{{i + 2}}}}}", "id": str(i + 1)}
                   for i in range(count)]  # fmt: skip
        made[f"quick_reply_{count}"] = {"twilio/quick-reply": {"body": "{{1}}", "actions": actions}}
    for count in range(2, MAX_LIST_ITEMS + 1):
        items = [{"item": f"{{{{{i + 3}}}}}", "id": str(i + 1), "description": ""}
                 for i in range(count)]  # fmt: skip
        made[f"list_picker_{count}"] = {
            "twilio/list-picker": {"body": "{{1}}", "button": "{{2}}", "items": items}
        }
    for types in made.values():
        types["twilio/text"] = {"body": "{{1}}"}  # where buttons cannot be shown
    return made


def sync(client: Client) -> dict[str, str]:
    """Create the templates the account lacks; every shape's Content SID."""
    existing = {
        content.friendly_name: content.sid
        for content in client.content.v1.contents.list()
        if (content.friendly_name or "").startswith(NAME_PREFIX)
    }
    sids = {}
    for shape, types in shapes().items():
        name = NAME_PREFIX + shape
        if name not in existing:
            request = ContentList.ContentCreateRequest(
                {"friendly_name": name, "language": "en", "types": types,
                 "variables": _samples(types)}
            )  # fmt: skip
            existing[name] = client.content.v1.contents.create(request).sid
        sids[shape] = existing[name]
    return sids


def _samples(types: dict[str, Any]) -> dict[str, str]:
    """Sample values the Content API asks for each variable."""
    buttons = types.get("twilio/quick-reply", {}).get("actions") or types.get(
        "twilio/list-picker", {}
    ).get("items", [])
    count = len(buttons) + (1 if "twilio/quick-reply" in types else 2)
    return {str(i): f"Option {i}" if i > 1 else "Question" for i in range(1, count + 1)}
