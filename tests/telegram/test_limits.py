"""Telegram's limits kept with a clock the test moves: per chat, overall, and holds."""

from bot.channels.telegram.limits import CHAT_BURST, ChatLimits


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = Seconds()
    limits = ChatLimits(overall=30, per_chat=1, clock=clock)

    assert [limits.take("ana") for _ in range(int(CHAT_BURST))] == [0.0] * int(CHAT_BURST)
    assert limits.take("ana") == 1.0
    clock.now += 1.0
    assert limits.take("ana") == 0.0
    assert limits.take("bea") == 0.0  # another chat is not held back


def test_all_chats_together_share_the_overall_rate() -> None:
    clock = Seconds()
    limits = ChatLimits(overall=2, per_chat=1, clock=clock)

    assert [limits.take(chat) for chat in ("a", "b")] == [0.0, 0.0]
    assert limits.take("c") == 0.5
    clock.now += 0.5
    assert limits.take("d") == 0.0


def test_a_hold_lasts_its_seconds() -> None:
    clock = Seconds()
    limits = ChatLimits(overall=30, per_chat=1, clock=clock)
    limits.hold("ana", "telegram:429", 7)

    clock.now += 6.9
    assert limits.held("ana").seconds == 7
    assert limits.held("bea") is None
    clock.now += 0.1
    assert limits.held("ana") is None


def test_idle_chats_are_forgotten_without_changing_their_limits() -> None:
    clock = Seconds()
    limits = ChatLimits(overall=10_000, per_chat=1, clock=clock)
    for chat in range(1500):
        limits.take(str(chat))
    clock.now += CHAT_BURST + 1

    for chat in range(1500, 1502):
        limits.take(str(chat))
    assert len(limits._chats) < 100
    assert [limits.take("0") for _ in range(int(CHAT_BURST))] == [0.0] * int(CHAT_BURST)
