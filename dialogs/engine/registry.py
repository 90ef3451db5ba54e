"""The names a flow may use, each bound to the code it runs: actions (`action:` and
`choice_action:` in the YAML), host requests (`request:`) and commands (words in the catalogues).

The modules of the engine fill these tables when imported; `flows check` validates a flow's names
against them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from dialogs.answers import Answer
from dialogs.engine.turn import Turn

Run = Callable[[Turn, Answer], None]
Do = Callable[[Turn], None]


@dataclass(frozen=True)
class Action:
    run: Run
    navigates: bool  # it moves the person on itself: the node's routes are not followed


ACTIONS: dict[str, Action] = {}
REQUESTS: dict[str, Do] = {}
COMMANDS: dict[str, Do] = {}


def action(name: str, navigates: bool = False) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        _unique(name, ACTIONS)
        ACTIONS[name] = Action(run, navigates)
        return run

    return register


def request(name: str) -> Callable[[Do], Do]:
    """What entering a node with `request: <name>` asks the host for."""
    return _registrar(name, REQUESTS)


def command(name: str) -> Callable[[Do], Do]:
    return _registrar(name, COMMANDS)


def _registrar(name: str, table: dict[str, Do]) -> Callable[[Do], Do]:
    def register(do: Do) -> Do:
        _unique(name, table)
        table[name] = do
        return do

    return register


def _unique(name: str, table: dict[str, object]) -> None:
    if name in table:
        raise ValueError(f"{name} is registered twice")
