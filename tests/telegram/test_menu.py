"""The command menu: described in every language of the flow, and understood by the flow."""

import pytest

from bot.channels.telegram.menu import COMMANDS, DESCRIPTIONS, menu
from bot.channels.telegram.updates import FLOW_COMMANDS
from dialogs.engine import command_names
from dialogs.loader import intake_flow
from dialogs.matching import is_command


def test_the_menu_is_described_in_every_language_of_the_flow() -> None:
    assert set(intake_flow().languages) <= set(DESCRIPTIONS)
    for lang in DESCRIPTIONS:
        commands = menu(lang)
        assert [c.command for c in commands] == list(COMMANDS)
        assert all(0 < len(c.description) <= 256 for c in commands)


@pytest.mark.parametrize(
    ("command", "meaning"),
    [("help", "help"), ("language", "language"), ("person", "person"), ("mydata", "my_data"),
     ("delete", "delete"), ("stop", "stop")],
)  # fmt: skip
def test_each_menu_command_is_a_command_word_of_the_flow(command: str, meaning: str) -> None:
    assert command in FLOW_COMMANDS and meaning in command_names()
    understood = {
        name
        for catalogue in intake_flow().catalogues.values()
        for name, words in catalogue.commands.items()
        if is_command(f"/{command}", words)
    }
    assert understood == {meaning}
