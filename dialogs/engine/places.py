"""Where the person lives: the answer to the municipality question read against the gazetteer.

A sure place is kept at once: the municipality (in Portugal the concelho of a parish) in the
question's field, and the place with its country and coordinates under "home", from which the
nearest site is found. An unsure place is asked about ("Did you mean Matosinhos (Porto)?"), and
so is a short name the gazetteer does not know; the guess waits in the answers under "place_guess"
until the next message, which a yes or a no settles and anything else replaces.
"""

from typing import Any

from dialogs.answers import Answer, Rejection
from dialogs.engine.navigation import answered
from dialogs.engine.speech import ask, say
from dialogs.engine.turn import Turn
from dialogs.engine.understood import said_yes_or_no
from dialogs.model import Node
from nlp.places import SURE
from nlp.understanding import Place, Understanding

FIELD = "municipality"
GUESS = "place_guess"
HOME = "home"
MAX_UNKNOWN_WORDS = 4
"""A longer answer naming no known place is a sentence, not the name of a small village."""


def read_place(
    turn: Turn, node: Node, text: str, understanding: Understanding | None
) -> Rejection | None:
    """Keep, or ask about, the place the person named; a Rejection when they named none.
    Without the NLP (engine tests, the flow checker) the answer is kept as written."""
    if understanding is None:
        return _keep(turn, node, {"name": " ".join(text.split())})
    guess = turn.session.answers.get(GUESS)
    if guess is not None:
        turn.evolve(answers={k: v for k, v in turn.session.answers.items() if k != GUESS})
        meant = said_yes_or_no(understanding)
        if meant is not None:
            return _settle(turn, node, guess, meant)
    places = understanding.places if understanding else ()
    if places and places[0].score >= SURE:
        return _keep(turn, node, _home(places[0]))
    if places:
        return _guess(turn, "place.guess", _home(places[0]), places[0].label)
    name = " ".join(text.split())
    if said_yes_or_no(understanding) is None and 0 < len(name.split()) <= MAX_UNKNOWN_WORDS:
        return _guess(turn, "place.unknown", {"name": name}, name)
    return Rejection("place.not_found")


def guess_place(turn: Turn, place: Place) -> None:
    """Ask whether `place` (found from a shared location) is where the person lives."""
    _guess(turn, "place.guess", _home(place), place.label)


def _settle(turn: Turn, node: Node, guess: dict[str, Any], meant: bool) -> None:
    if meant:
        return _keep(turn, node, guess)
    say(turn, "place.again")
    ask(turn, node)
    return None


def _keep(turn: Turn, node: Node, home: dict[str, Any]) -> None:
    answers = {k: v for k, v in turn.session.answers.items() if k != HOME}
    if "latitude" in home:
        answers[HOME] = home
    turn.evolve(answers=answers)
    answered(turn, node, Answer(home.get("municipality") or home["name"], None))


def _guess(turn: Turn, key: str, home: dict[str, Any], shown: str) -> None:
    turn.keep(**{GUESS: home})
    say(turn, key, place=shown)


def _home(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "municipality": place.municipality,
        "country": place.country,
        "region": place.region,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
