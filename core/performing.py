"""The order in which core performs the actions one event decided.

Urgent actions (crisis alerts) go first.  Then the actions go in the order they
were decided, except that a run of actions of one kind, each in a different
place (a ban in each room of the community), is performed side by side, at
most :data:`SIDE_BY_SIDE` at once: one slow network call does not hold up the
others, and actions in one place keep their order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .actions import Action, DirectMessage

#: How many actions of one run core has in flight at once.
SIDE_BY_SIDE = 16

T = TypeVar("T")


def place(network: str, action: Action) -> tuple[str, str, str]:
    """Where ``action`` acts: its chat, the person it writes to, or (neither) its network."""
    if isinstance(action, DirectMessage):
        return (network, "person", action.user)
    chat = getattr(action, "chat", None)
    if isinstance(chat, str):
        return (network, "chat", chat)
    return (network, type(action).__name__, "")


def waves(planned: Iterable[tuple[T, str, Action]]) -> list[list[tuple[T, str, Action]]]:
    """``planned`` (anything, network, action) in waves: each wave's actions may be performed
    side by side, the waves one after the other."""
    items = list(planned)
    ordered = [i for i in items if i[2].urgent] + [i for i in items if not i[2].urgent]
    result: list[list[tuple[T, str, Action]]] = []
    places: set[tuple[str, str, str]] = set()
    for item in ordered:
        _key, network, action = item
        here = place(network, action)
        last = result[-1] if result else None
        if (
            last is not None
            and type(last[0][2]) is type(action)
            and last[0][2].urgent == action.urgent
            and here not in places
            and len(last) < SIDE_BY_SIDE
        ):
            last.append(item)
        else:
            result.append([item])
            places = set()
        places.add(here)
    return result
