"""Small counts hidden, and kept hidden.

A table is cells (key -> count) and the equations a reader knows hold between them: a total
is the sum of its parts. Every count below SMALL is shown as "<5" (primary suppression). Then
the reader's bounds on each hidden cell — [0, 4] for a small count, [5, ∞) for a cell hidden
only to protect another (shown as "x") — are narrowed by interval propagation across every
equation at once; while any hidden cell is pinned to a single value, a shown cell beside it
is hidden as well (secondary suppression): the smallest part, else a total, and cells to
`keep` (such as the network's totals) last of all.

A zero counts as known to the reader (no meeting is held at no site): it gives no cover, and
needs none. Totals can be forced hidden, so that a total hides the same way in every
breakdown that shows it (bot.impact.figures does this).
"""

import math
from collections.abc import Hashable, Mapping, Sequence, Set
from dataclasses import dataclass

SMALL = 5
SMALL_TEXT = "<5"
HIDDEN_TEXT = "x"

Key = Hashable


@dataclass(frozen=True)
class Equation:
    total: Key
    parts: tuple[Key, ...]


def suppress(
    values: Mapping[Key, int],
    equations: Sequence[Equation],
    forced: Set[Key] = frozenset(),
    keep: Set[Key] = frozenset(),
) -> dict[Key, str]:
    """What to show of each cell: its count, "<5", or "x". Cells in `keep` are hidden to
    protect another only when no other cell can."""
    small = {key for key, value in values.items() if value < SMALL}
    hidden = small | (set(forced) & set(values))
    while pinned := _pinned(values, equations, hidden, small):
        cover = _cover(pinned, values, equations, hidden, keep)
        if cover is None:
            break  # every cell around it is hidden already: nothing left to hide
        hidden.add(cover)
    return {key: _shown(key, value, hidden, small) for key, value in values.items()}


def _shown(key: Key, value: int, hidden: set[Key], small: set[Key]) -> str:
    if key in small:
        return SMALL_TEXT
    return HIDDEN_TEXT if key in hidden else str(value)


def _pinned(
    values: Mapping[Key, int], equations: Sequence[Equation], hidden: set[Key], small: set[Key]
) -> list[Key]:
    """The hidden cells whose value a reader can work out from what is shown."""
    low = {k: (0 if k in small else SMALL) if k in hidden and v else v for k, v in values.items()}
    high = {k: (SMALL - 1 if k in small else math.inf) if k in hidden and v else v
            for k, v in values.items()}  # fmt: skip
    changed = True
    while changed:
        changed = False
        for equation in equations:
            changed |= _narrow(equation, low, high)
    return sorted((k for k in hidden if values[k] and low[k] == high[k]), key=repr)


def _narrow(equation: Equation, low: dict, high: dict) -> bool:
    """Tighten the bounds of every cell of one equation; True when any moved."""
    parts, total = equation.parts, equation.total
    bounds = {total: (sum(low[p] for p in parts), sum(high[p] for p in parts))}
    for part in parts:
        others_low = sum(low[p] for p in parts if p != part)
        others_high = sum(high[p] for p in parts if p != part)
        bounds[part] = (low[total] - others_high, high[total] - others_low)
    changed = False
    for key, (lowest, highest) in bounds.items():
        if lowest > low[key]:
            low[key], changed = lowest, True
        if highest < high[key]:
            high[key], changed = highest, True
    return changed


def _cover(
    pinned: list[Key],
    values: Mapping[Key, int],
    equations: Sequence[Equation],
    hidden: set[Key],
    keep: Set[Key],
) -> Key | None:
    """The cell to hide next, beside a pinned one: the smallest shown part, else a total;
    cells to keep last of all."""
    around = [e for e in equations if pinned[0] in (e.total, *e.parts)]
    shown = {
        (key in keep, key == e.total, values[key], repr(key)): key
        for e in around for key in (*e.parts, e.total) if key not in hidden
    }  # fmt: skip
    return shown[min(shown)] if shown else None
