"""One person on several channels: a link code typed on a new channel, and the host's answers
to the requests for a code and for a link."""

import re

from dialogs.engine.commands import command_in
from dialogs.engine.navigation import begin
from dialogs.engine.speech import ask, say
from dialogs.engine.turn import Turn
from dialogs.model import Flow

LINK_CODE = re.compile(r"(\w+)\s+([A-Za-z0-9]{5}-?[A-Za-z0-9]{5})")


def link_code_in(flow: Flow, text: str) -> str | None:
    """The code in "LINK K7QX2-9ZMBA" (a link word of any language, then a code)."""
    match = LINK_CODE.fullmatch(text.strip().lstrip("/"))
    if match and command_in(flow, match.group(1)) == "link":
        return match.group(2)
    return None


def link_code_issued(turn: Turn, code: str, minutes: int) -> None:
    say(turn, "link.code", code=code, minutes=minutes)
    ask(turn, turn.node)


def identity_linked(turn: Turn, linked: bool, has_data: bool = False) -> None:
    """Said in the conversation the channel now belongs to, or in its own on a refusal."""
    say(turn, "link.done" if linked else "link.has_data" if has_data else "link.invalid")
    if turn.session.status == "new":
        return begin(turn, None)
    if turn.session.status == "paused":
        turn.unpause()
    ask(turn, turn.node)
