"""The hand-over inbox: what the desk's pages call to list, take, answer and close hand-overs.

Each call is one unit of work under the person's lock, so a counselor's answer and the person's
own messages are recorded one at a time, in order. Answers reach the person as ordinary replies
on the channel they wrote from last, through the outbox; the dispatcher is nudged after commit.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.conversation.service import ConversationService
from bot.counselors import handovers
from bot.delivery.outbound import Outbound, queue, written
from dialogs.model import HandOverClosed
from storage import handovers as threads
from storage import repositories as repo
from storage.db import lock_person, unit_of_work
from storage.models import Counselor, HandOver


class HandOverGone(LookupError):
    """No such hand-over, or it is closed: nothing can be added to it."""


class TakenByAnother(Exception):
    """Another counselor has taken the hand-over; only they answer and close it."""


@dataclass(frozen=True)
class ThreadMessage:
    author: str  # person | counselor | bot
    text: str
    at: datetime
    counselor_id: int | None = None


Hurry = Callable[[Iterable[int]], None]


class HandOverInbox:
    def __init__(self, service: ConversationService, hurry: Hurry = lambda _rows: None) -> None:
        """`hurry` sends the rows an answer or a close wrote, after the commit (the process's
        own bot.delivery.hurry.Hurry; without one, the worker sends them)."""
        self.service = service
        self.hurry = hurry

    def open_at(self, site_ids: Collection[int] | None) -> list[HandOver]:
        """The open hand-overs of the sites (taken or not), oldest first: a counselor's inbox
        lists those of their own sites, a coordinator's (None) those of the whole network."""
        with Session(self.service.engine) as db:
            return threads.open_at_sites(db, site_ids)

    def thread(self, hand_over_id: int) -> list[ThreadMessage]:
        """The messages of the hand-over in order, decrypted: what the bot said last before the
        request, then the person's and the counselors' messages."""
        with Session(self.service.engine) as db:
            return [
                ThreadMessage(message.author, text, message.created_at, message.counselor_id)
                for message, text in threads.thread(db, self.service.cipher, hand_over_id)
            ]

    def take(self, hand_over_id: int, counselor_id: int) -> HandOver:
        """The counselor takes the hand-over: from now on it is theirs to answer and close (and
        it is no longer escalated). Taking one's own again changes nothing; raises TakenByAnother
        or HandOverGone."""
        with unit_of_work(self.service.engine) as db:
            return self._taken(db, hand_over_id, counselor_id, self.service.clock())

    def answer(self, hand_over_id: int, counselor_id: int, text: str) -> None:
        """Send the counselor's answer to the person, signed with the counselor's name; an
        answer to a hand-over nobody took takes it."""
        now = self.service.clock()
        with unit_of_work(self.service.engine) as db:
            hand_over = self._taken(db, hand_over_id, counselor_id, now)
            counselor = db.get(Counselor, counselor_id)
            assert hand_over.id is not None and counselor is not None
            threads.add_message(db, self.service.cipher, hand_over.id, "counselor", text, now,
                                counselor_id)  # fmt: skip
            identity = repo.latest_identity(db, hand_over.person_id)
            if identity is None:
                return  # every channel of the person is blocked or opted out
            message = Outbound(f"{counselor.name}: {text}", lang=hand_over.lang)
            queue(db, identity, message, now, reference=f"hand_over:{hand_over.id}")
            sent = written(db)
        self.hurry(sent)

    def close(self, hand_over_id: int, counselor_id: int) -> None:
        """Back to the bot: the hand-over closes and the person hears the bot again, at the
        question where they asked for a person."""
        now = self.service.clock()
        with unit_of_work(self.service.engine) as db:
            hand_over = self._taken(db, hand_over_id, counselor_id, now)
            handovers.close(db, hand_over, "counselor", now)
            self.service.tell_in(db, hand_over.person_id, HandOverClosed(), now)
            sent = written(db)
        self.hurry(sent)

    def _taken(self, db: Session, hand_over_id: int, counselor_id: int, now: datetime) -> HandOver:
        hand_over = db.get(HandOver, hand_over_id)
        if hand_over is None:
            raise HandOverGone(hand_over_id)
        lock_person(db, hand_over.person_id)
        db.refresh(hand_over)  # as it is now that the person's messages wait for us
        if hand_over.status != "open":
            raise HandOverGone(hand_over_id)
        if hand_over.taken_by not in (None, counselor_id):
            raise TakenByAnother(hand_over_id)
        if hand_over.taken_by is None:
            hand_over.taken_by = counselor_id
            hand_over.taken_at = now
            db.add(hand_over)
        return hand_over
