"""One step's work in progress: the session as it evolves, what it said, what it asks the host."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.model import Catalogue, Choice, DialogState, Event, Flow, Node, Request
from nlp.understanding import Understanding


@dataclass
class Turn:
    flow: Flow
    session: DialogState
    now: datetime
    facts: dict[str, str]
    events: list[Event] = field(default_factory=list)
    request: Request | None = None
    understood: Understanding | None = None

    @property
    def node(self) -> Node:
        return self.flow.node(self.session.node or self.flow.start)

    @property
    def lang(self) -> str:
        return self.session.lang or self.flow.default_lang

    @property
    def catalogue(self) -> Catalogue:
        return self.flow.catalogues[self.lang]

    def evolve(self, **changes: Any) -> None:
        self.session = self.session.evolve(**changes)

    def keep(self, **values: Any) -> None:
        """Set answers the engine keeps for itself (offers, the appointment, the booking)."""
        self.evolve(answers={**self.session.answers, **values})

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def ask_host(self, request: Request) -> None:
        # The host answers one request by stepping again; a second would go unanswered.
        if self.request is not None:
            raise RuntimeError(f"one request per step: {self.request} then {request}")
        self.request = request

    def unpause(self) -> None:
        finished = bool(self.session.answers.get("track"))
        self.evolve(status="completed" if finished else "active")

    def choices(self, node: Node) -> tuple[Choice, ...]:
        """The node's choices, after those the session holds for it (things understood, slots)."""
        made = self.session.answers.get(node.choices_from, ()) if node.choices_from else ()
        return (
            *(Choice(c["id"], "", label=c["label"], action=node.choice_action) for c in made),
            *node.choices,
        )

    def choice(self, node: Node, choice_id: str) -> Choice | None:
        return next((c for c in self.choices(node) if c.id == choice_id), None)
