"""Subjects only one event at a time may decide about: an errand to take, an alert to acknowledge.

Events of different chats are decided side by side, and what an event decides
is written only at its checkpoint.  Two volunteers' ``/take 12``, sent at once,
would both read errand 12 open and both take it.  So a plugin that decides
about something only one may have claims it first and reads it after::

    await ctx.claim(f"errand:{number}")
    errand = await Errand.get(number=number)

From the claim until the claiming event's checkpoint is written (or its
handling fails), any other event that claims the same subject waits; it then
reads what the first one wrote.  An event claims once, all its subjects
together (they are taken in one order, so two events never wait for each
other); an event of the same chat waits for nothing, as the chat's next event
is decided only after a claiming event is checkpointed.  Claims live in this
process: after a restart nothing is claimed, and a redelivered event claims
again.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterable

from .storage.writes import Writes


class Claims:
    """Who claims which subjects now, by the claiming event's writes (one per event)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        """Per subject, how many events claim it or wait for it (its lock goes at none)."""
        self._claimed: weakref.WeakKeyDictionary[Writes, tuple[str, ...]] = (
            weakref.WeakKeyDictionary()
        )

    async def claim(self, owner: Writes, subjects: Iterable[str]) -> None:
        """Wait until none of ``subjects`` is claimed by another event, then claim them for the
        event whose writes are ``owner``.  RuntimeError for an event that claimed before."""
        if owner in self._claimed:
            raise RuntimeError("an event claims once, all its subjects together")
        names = tuple(sorted(set(subjects)))
        self._claimed[owner] = ()
        taken: list[str] = []
        try:
            for name in names:
                self._users[name] = self._users.get(name, 0) + 1
                lock = self._locks.setdefault(name, asyncio.Lock())
                try:
                    await lock.acquire()
                except BaseException:
                    self._leave(name)
                    raise
                taken.append(name)
        except BaseException:
            for name in taken:
                self._locks[name].release()
                self._leave(name)
            del self._claimed[owner]
            raise
        self._claimed[owner] = names

    def claims(self, owner: Writes) -> bool:
        """Whether the event whose writes are ``owner`` claims anything."""
        return bool(self._claimed.get(owner))

    def release(self, owner: Writes) -> None:
        """The event whose writes are ``owner`` is checkpointed, or failed: free its subjects."""
        for name in self._claimed.pop(owner, ()):
            self._locks[name].release()
            self._leave(name)

    def _leave(self, name: str) -> None:
        self._users[name] -= 1
        if not self._users[name]:
            del self._users[name], self._locks[name]
