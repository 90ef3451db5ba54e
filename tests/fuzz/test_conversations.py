"""The conversation service driven by hypothesis's stateful testing: three people on three
channels send arbitrary text, choices, commands (help, back, restart, delete, my data...),
replays of an update already seen and buttons of questions long gone, in any order, on SQLite.

After every step: no exception escaped; each person's session loads and stands at a node of
the flow; nothing saved is lost (an intake stays until its own person erases it); every row a
step wrote is addressed to the person who wrote, or to staff; and an erased person's id is
left in no table but the bare person row and its consent decisions.
"""

import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, func, select

from bot.conversation.service import ConversationService, Inbound
from bot.network.importer import seed_demo_if_empty
from dialogs.loader import intake_flow
from dialogs.model import DialogState
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import unit_of_work
from storage.models import Identity, Intake, Outbox
from storage.tables import metadata
from tests.clock import FakeClock
from tests.intake_script import ENGLISH_INTAKE

FLOW = intake_flow()
PEOPLE = (("telegram", "7001"), ("sms", "+351910000002"), ("whatsapp", "+393330000003"))
WORDS = ("help", "back", "restart", "delete", "yes", "no", "my data", "stop", "language",
         "person", "book", "cancel", "move", "skip", "1", "2", "3", "English", "Português",
         "", "   ", "👍", "STOP", "start", *ENGLISH_INTAKE)  # fmt: skip
NODES = tuple(FLOW.nodes)
CHOICES = ("yes", "no", "1", "2", "3", "en", "pt", "book", "my_data", "confirm", "move")
# The tables where an erased person's id may stay: the bare row, and the consent decisions
# kept as proof (bare ids in the desk's audit log too, which no step here writes).
MAY_KEEP_THE_ID = {"person", "consent", "record_view"}

who = st.integers(min_value=0, max_value=len(PEOPLE) - 1)


def conversations_fuzzed(engine: Engine, cipher: Cipher) -> type[RuleBasedStateMachine]:
    class Conversations(RuleBasedStateMachine):
        @initialize()
        def fresh_database(self) -> None:
            _empty(engine)
            seed_demo_if_empty(engine)
            self.clock = FakeClock()
            self.service = ConversationService(engine, FLOW, cipher, "2026-11", None,
                                               self.clock)  # fmt: skip
            self.seen: list[list[str]] = [[] for _ in PEOPLE]  # external ids, per person
            self.person: list[str | None] = [None for _ in PEOPLE]
            self.erased: set[str] = set()
            self.intakes: dict[str, int] = {}

        def _send(self, index: int, **given: object) -> None:
            channel, address = PEOPLE[index]
            external_id = str(given.pop("external_id", None) or uuid.uuid4().hex)
            before = self.person[index]
            handled = self.service.handle(Inbound(channel, address, external_id, **given))
            self.seen[index].append(external_id)
            if before is not None and handled.person_id != before:
                self.erased.add(before)  # a DELETE moved the channel to a blank person
                self.intakes.pop(before, None)
            self.person[index] = handled.person_id
            self._written_to_the_sender(handled.identity_id, handled.outbox_ids)

        def _written_to_the_sender(self, identity_id: int | None, ids: tuple[int, ...]) -> None:
            with unit_of_work(engine) as db:
                theirs = {i.id for i in db.exec(select(Identity)).scalars()
                          if (i.channel, i.address) in PEOPLE}  # fmt: skip
                for row_id in ids:
                    row = db.get(Outbox, row_id)
                    assert row is not None
                    # A person's channel gets only their own messages; staff get notices.
                    assert row.identity_id == identity_id or row.identity_id not in theirs

        @rule(index=who, words=st.sampled_from(WORDS))
        def says(self, index: int, words: str) -> None:
            self._send(index, text=words)

        @rule(index=who)
        def does_the_whole_intake(self, index: int) -> None:
            # A long way for random words: taken in one rule, so intakes exist to be kept.
            self._send(index, start=True, lang="en")
            for answer in ENGLISH_INTAKE:
                self._send(index, text=answer)

        @rule(index=who)
        def erases(self, index: int) -> None:
            self._send(index, start=True)  # a conversation to erase from, if none yet
            self._send(index, text="delete")
            self._send(index, text="yes")

        @rule(index=who, words=st.text(max_size=80))
        def types_anything(self, index: int, words: str) -> None:
            self._send(index, text=words)

        @rule(index=who, node=st.sampled_from(NODES), choice=st.sampled_from(CHOICES))
        def presses_a_button(self, index: int, node: str, choice: str) -> None:
            self._send(index, picked=(node, choice))  # often of a question long gone

        @rule(index=who, lang=st.sampled_from((None, "en", "pt", "it", "de")))
        def starts(self, index: int, lang: str | None) -> None:
            self._send(index, start=True, lang=lang)

        @rule(index=who, media=st.sampled_from(("voice", "photo", "sticker")))
        def sends_media(self, index: int, media: str) -> None:
            self._send(index, media=media)

        @rule(index=who, data=st.data())
        def replays(self, index: int, data: st.DataObject) -> None:
            if not self.seen[index]:
                return
            external_id = data.draw(st.sampled_from(self.seen[index]))
            channel, address = PEOPLE[index]
            with unit_of_work(engine) as db:
                rows_before = db.execute(select(func.count()).select_from(Outbox)).scalar()
            handled = self.service.handle(Inbound(channel, address, external_id, text="yes"))
            assert handled.duplicate and handled.outbox_ids == ()
            with unit_of_work(engine) as db:
                assert db.execute(select(func.count()).select_from(Outbox)).scalar() == rows_before

        @rule(hours=st.integers(min_value=1, max_value=24 * 40))
        def time_passes(self, hours: int) -> None:
            self.clock.advance(hours=hours)

        @invariant()
        def sessions_load(self) -> None:
            if not hasattr(self, "service"):
                return
            with unit_of_work(engine) as db:
                for person_id in filter(None, self.person):
                    stored = repo.load_conversation(db, person_id, cipher)
                    if stored is not None:
                        state = DialogState.from_json(stored)
                        assert state.node is None or state.node in FLOW.nodes

        @invariant()
        def nothing_saved_is_lost(self) -> None:
            if not hasattr(self, "service"):
                return
            with unit_of_work(engine) as db:
                counts = dict(db.execute(select(Intake.person_id, func.count())
                                         .group_by(Intake.person_id)).all())  # fmt: skip
            for person_id, count in self.intakes.items():
                assert counts.get(person_id, 0) >= count, "an intake was lost"
            self.intakes = counts

        @invariant()
        def the_erased_leave_no_id(self) -> None:
            if not getattr(self, "erased", None):
                return
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    if "person_id" not in table.c or table.name in MAY_KEEP_THE_ID:
                        continue
                    for person_id in self.erased:
                        left = connection.execute(
                            select(func.count())
                            .select_from(table)
                            .where(table.c.person_id == person_id)
                        )
                        assert left.scalar() == 0, f"{table.name} keeps an erased person"

    return Conversations


def _empty(engine: Engine) -> None:
    kept = {"record_view", "keyring"}  # append-only and never written here; the index key
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name not in kept:
                connection.execute(table.delete())


def test_any_sequence_of_messages_keeps_every_promise(engine: Engine, cipher: Cipher) -> None:
    if engine.dialect.name != "sqlite":
        return  # the promises are the service's; one database is enough to fuzz it
    run_state_machine_as_test(
        conversations_fuzzed(engine, cipher),
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None,
                          database=None, suppress_health_check=list(HealthCheck)),
    )  # fmt: skip
