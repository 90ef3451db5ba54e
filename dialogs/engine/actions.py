"""The actions of the intake that flows name (`action:` on a node or a choice); booking and
timed messages register theirs next to the rest of their work."""

from datetime import datetime
from typing import Literal

from dialogs.answers import Answer
from dialogs.engine.navigation import holds, restart, set_language
from dialogs.engine.registry import action
from dialogs.engine.speech import say, text
from dialogs.engine.turn import Turn
from dialogs.model import (
    ConsentRecorded,
    DialogState,
    ErasureRequested,
    FirstNameGiven,
    IntakeCompleted,
    RecordWanted,
)


@action("set_language")
def _set_language(turn: Turn, answer: Answer) -> None:
    set_language(turn, answer.value)


@action("consent_general")
def _consent_general(turn: Turn, answer: Answer) -> None:
    _consent(turn, "general", True)


@action("refuse_general")
def _refuse_general(turn: Turn, answer: Answer) -> None:
    _consent(turn, "general", False)


@action("consent_special")
def _consent_special(turn: Turn, answer: Answer) -> None:
    _consent(turn, "special", True)


@action("refuse_special")
def _refuse_special(turn: Turn, answer: Answer) -> None:
    """A no (or a change of mind after BACK): what was said under the consent goes too."""
    if turn.session.consent_special:
        _consent(turn, "special", False)
    special = turn.flow.special_fields
    turn.evolve(answers={k: v for k, v in turn.session.answers.items() if k not in special})


@action("return_to_summary")
def _return_to_summary(turn: Turn, answer: Answer) -> None:
    turn.evolve(return_to=(*turn.session.return_to, "summary"))


@action("show_data", navigates=True)
def _show_data(turn: Turn, answer: Answer) -> None:
    """The record is the host's to read; the question is asked again after it (RecordRead)."""
    turn.ask_host(RecordWanted())


@action("show_help")
def _show_help(turn: Turn, answer: Answer) -> None:
    returning_to = turn.session.return_to[-1] if turn.session.return_to else None
    node_help = turn.flow.node(returning_to).help if returning_to else None
    say(turn, node_help or "help.generic")


@action("drop_found")
def _drop_found(turn: Turn, answer: Answer) -> None:
    wrong = set(answer.value or ())
    kept = [f for f in turn.session.answers.get("found") or [] if f["id"] not in wrong]
    turn.keep(found=kept)


@action("append_experience")
def _append_experience(turn: Turn, answer: Answer) -> None:
    told = (turn.session.answers.get("experience_text"), answer.value)
    turn.keep(experience_text="\n".join(t for t in told if t))


@action("remember_name")
def _remember_name(turn: Turn, answer: Answer) -> None:
    turn.emit(FirstNameGiven(answer.value))


@action("restart", navigates=True)
def _restart(turn: Turn, answer: Answer) -> None:
    restart(turn)


@action("complete_intake")
def _complete_intake(turn: Turn, answer: Answer) -> None:
    answers = dict(turn.session.answers)
    rule = next(t for t in turn.flow.tracks if holds(t.when, answers))
    answers.update(track=rule.track, track_reason=rule.reason)
    turn.evolve(answers=answers, status="completed")
    record = dict(answers)
    special = {f: record.pop(f) for f in turn.flow.special_fields if f in record}
    started = turn.session.started_at
    turn.emit(
        IntakeCompleted(
            answers=record,
            special=special if turn.session.consent_special else {},
            track=rule.track,
            track_reason=text(turn, rule.reason),
            started_at=datetime.fromisoformat(started) if started else turn.now,
            completed_at=turn.now,
        )
    )


@action("erase", navigates=True)
def _erase(turn: Turn, answer: Answer) -> None:
    turn.emit(ErasureRequested())
    say(turn, "erase.done")
    turn.session = DialogState(flow=turn.flow.id, lang=turn.session.lang)


def _consent(turn: Turn, scope: Literal["general", "special"], granted: bool) -> None:
    turn.evolve(**{f"consent_{scope}": granted})
    turn.emit(ConsentRecorded(scope, granted))
