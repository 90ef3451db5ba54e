"""What the engine says: texts of the person's language rendered with what the session knows,
each with its shorter SMS variant when the catalogue has one."""

from typing import Any

from dialogs.engine.turn import Turn
from dialogs.model import ChoiceView, ConsentKept, MessageCreated, Node, RecordRead
from dialogs.render import WHOLE_TEXT, render, summary_lines

ENGINE_TEXTS = (
    "help.generic",
    "back.none",
    "restart.done",
    "stop.done",
    "resume.topic",
    "resume.plain",
    "handover.opened",
    "handover.late",
    "handover.closed",
    "handover.none",
    "skip.not_optional",
    "data.show",
    "data.none",
    "data.meeting",
    "data.channels",
    "data.consent_given",
    "data.consent_refused",
    "data.scope_general",
    "data.scope_special",
    "data.file_sent",
    "data.file_how",
    "data.short",
    "booking.after_intake",
    "booking.none",
    "erase.done",
    "error.empty",
    "error.stale",
    "error.choice",
    "error.multi",
    "error.text_long",
    "error.text_words",
    "error.media",
    "error.name",
    "confirm.guess",
    "confirm.denied",
    "hint.choice",
    "book.taken",
    "book.no_fit",
    "book.cancelled",
    "book.cancelled_by_counselor",
    "book.missed",
    "reminder.confirmed",
    "followup.thanks",
    "nudge.topic",
    "retention.notice",
    "nudge.plain",
    "link.code",
    "link.done",
    "link.invalid",
    "link.consent_first",
    "handover.consent_first",
    "link.has_data",
)


def say(turn: Turn, key: str, **values: Any) -> None:
    turn.emit(MessageCreated(text(turn, key, **values), turn.lang,
                             sms_text=_sms_text(turn, key, **values)))


def ask(turn: Turn, node: Node) -> None:
    values, sms_values, sms_template = {}, {}, None
    if node.kind == "summary":
        values = {"summary": "\n".join(_summary_lines(turn))}
        # By SMS every segment costs: the answers alone, without their labels.
        sms_values = {"summary": "; ".join(_summary_lines(turn, labelled=False))}
        sms_template = turn.catalogue.texts[node.text]
    choices = tuple(
        ChoiceView(c.id, c.label or turn.catalogue.texts[c.text]) for c in turn.choices(node)
    )
    turn.emit(
        MessageCreated(
            text(turn, node.text, **values),
            turn.lang,
            node.id,
            choices,
            node.kind == "multi",
            _sms_text(turn, node.text, sms_template, **(sms_values or values)),
        )
    )


def show_record(turn: Turn, record: RecordRead) -> None:
    """What is kept, whole: the answers (the intake saved before a restart under those given
    since, the optional special-category ones too, the experience uncut), the meetings, the
    channels and the consent decisions; by SMS only how much of each, and where the whole
    record can be had as a file, unless it has just been sent as one."""
    answers = turn.session.answers
    shown = {**answers.get("saved", {}), **answers}
    fields = (*turn.flow.summary_fields, *turn.flow.special_fields)
    given = summary_lines(turn.flow, turn.catalogue, shown, fields=fields, limit=WHOLE_TEXT)
    lines = [
        *given,
        *(text(turn, "data.meeting", when=when, place=place) for when, place in record.meetings),
        *_consent_lines(turn, record.consents),
    ]
    if not lines:
        return say(turn, "data.none")
    if record.channels:
        lines.append(text(turn, "data.channels", channels=", ".join(record.channels)))
    file = text(turn, "data.file_sent" if record.file_sent else "data.file_how")
    full = text(turn, "data.show", summary="\n".join(lines))
    short = text(turn, "data.short", answers=len(given), meetings=len(record.meetings))
    turn.emit(MessageCreated(f"{full}\n\n{file}", turn.lang, sms_text=short))


def _consent_lines(turn: Turn, consents: tuple[ConsentKept, ...]) -> list[str]:
    return [
        text(turn, "data.consent_given" if c.granted else "data.consent_refused",
             scope=text(turn, f"data.scope_{c.scope}"), day=c.day, notice=c.notice)
        for c in consents
    ]  # fmt: skip


def hint(turn: Turn, node: Node) -> str:
    """What kind of answer the question expects, in its own terms: its help, or for a question
    without one, that own words or an option will do."""
    if node.help:
        return text(turn, node.help)
    return text(turn, "hint.choice") if node.kind in ("choice", "multi") else ""


def topic(turn: Turn, node: Node) -> str:
    """What the node asks about, for "we were talking about ..."; empty when it has no topic."""
    return turn.catalogue.texts[node.topic] if node.topic else ""


def text(turn: Turn, key: str, **values: Any) -> str:
    return render(turn.catalogue.texts[key], _context(turn, values))


def _sms_text(turn: Turn, key: str, template: str | None = None, **values: Any) -> str | None:
    """The SMS variant of a text, when the catalogue has one (or a template is given)."""
    short = turn.catalogue.sms.get(key) or template
    return render(short, _context(turn, values)) if short else None


def _context(turn: Turn, values: dict[str, Any]) -> dict[str, Any]:
    answers = turn.session.answers
    found = "; ".join(f["label"] for f in answers.get("found") or [])
    appointment = answers.get("appointment") or {}
    return {**turn.facts, **_track_values(turn), **appointment, "found": found, **values}


def _summary_lines(turn: Turn, labelled: bool = True) -> list[str]:
    return summary_lines(turn.flow, turn.catalogue, turn.session.answers, labelled)


def _track_values(turn: Turn) -> dict[str, str]:
    track = turn.session.answers.get("track")
    if not track:
        return {}
    return {
        "track": turn.catalogue.texts[f"track.{track}"],
        "reason": turn.catalogue.texts[turn.session.answers["track_reason"]],
    }
