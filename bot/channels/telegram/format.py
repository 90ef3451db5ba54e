"""How an outbound message looks on Telegram: text cut below the size limit, choices as buttons."""

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.outbound import Outbound

MESSAGE_LIMIT = 4096  # Telegram's limit, counted in UTF-16 code units
# Room is left under the limit for the answer appended when a question is edited after a choice.
CHUNK_LIMIT = MESSAGE_LIMIT - 96
CALLBACK_LIMIT = 64  # bytes of callback_data
CHOICE_PREFIX = "c"
_SENTENCE_END = re.compile(r"[.!?…:;](?=\s)|\n")


def callback_data(node: str, choice_id: str) -> str:
    """`c|<node>|<choice>`: flow ids only, never anything the person wrote."""
    data = f"{CHOICE_PREFIX}|{node}|{choice_id}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data of node {node!r} is over {CALLBACK_LIMIT} bytes")
    return data


def parse_callback(data: str | None) -> tuple[str, str] | None:
    """(node, choice) from callback data we wrote, or None for anything else."""
    parts = (data or "").split("|")
    if len(parts) == 3 and parts[0] == CHOICE_PREFIX and parts[1] and parts[2]:
        return parts[1], parts[2]
    return None


def keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    """One button a row. Where several may be chosen the buttons are numbered, because the
    question invites typing the numbers ("1 3") and a button picks only one."""
    if not message.choices:
        return None
    node = message.node or ""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{number}. {choice.label}" if message.multiple else choice.label,
                    callback_data=callback_data(node, choice.id),
                )
            ]
            for number, choice in enumerate(message.choices, 1)
        ]
    )


def answered(question: str, label: str) -> str:
    """The question as it reads once answered with a button."""
    return f"{question}\n→ {label}"


def split_text(text: str, limit: int = CHUNK_LIMIT) -> list[str]:
    """Pieces under `limit`, cut after a sentence or a line where possible, else at a space."""
    chunks: list[str] = []
    rest = text
    while _units(rest) > limit:
        cut = _cut(rest, _fitting(rest, limit))
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest.rstrip() if chunks else rest)
    # Telegram refuses an empty message: white space at a cut leaves nothing to send.
    return [chunk for chunk in chunks if chunk] or [text]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _cut(text: str, window: int) -> int:
    # A boundary in the first half would leave a stub of a message; look further back only
    # for a better kind of boundary than a plain space.
    floor = window // 2
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, window)]
    if sentence_ends and sentence_ends[-1] > floor:
        return sentence_ends[-1]
    space = text.rfind(" ", floor, window)
    return space + 1 if space > 0 else window
