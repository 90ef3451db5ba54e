"""One person's updates one at a time and in order; other people's alongside."""

import asyncio

from bot.channels.telegram.adapter import ChatLocks


async def test_a_chats_updates_wait_their_turn_in_order() -> None:
    locks = ChatLocks()
    order: list[str] = []
    first_inside = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with locks.hold("ana"):
            order.append("first in")
            first_inside.set()
            await release_first.wait()
            order.append("first out")

    async def later(name: str) -> None:
        async with locks.hold("ana"):
            order.append(name)

    tasks = [asyncio.create_task(first())]
    await first_inside.wait()
    tasks += [asyncio.create_task(later("second")), asyncio.create_task(later("third"))]
    await asyncio.sleep(0)  # let them queue behind the first
    assert order == ["first in"]
    release_first.set()
    await asyncio.gather(*tasks)

    assert order == ["first in", "first out", "second", "third"]


async def test_other_chats_are_not_held_up_and_no_lock_is_kept() -> None:
    locks = ChatLocks()
    async with locks.hold("ana"), locks.hold("bea"):  # would never enter if chats shared a lock
        pass
    assert locks._locks == {} and locks._users == {}
