"""A person's Matrix client in end-to-end tests: every event it received is kept, and read in order."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import nio

from tests.synapse.clients import sync_until

from .conftest import body, reply_to, say


@dataclass
class Account:
    """One person's Matrix client, keeping every event it received, so that waiting for one
    message never loses another that came in the same sync."""

    client: nio.AsyncClient
    bot: str
    seen: list[tuple[str, nio.Event]] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    private: set[str] = field(default_factory=set)
    """The person's private rooms with the bot."""

    def _keep(self, response: nio.SyncResponse) -> None:
        for room_id, room in response.rooms.join.items():
            self.seen += [(room_id, e) for e in room.timeline.events]
        self.invited += [r for r in response.rooms.invite if r not in self.invited]

    async def _until(self, look: Callable[[], str | nio.Event | None], what: str) -> object:
        found = look()
        if found is not None:
            return found

        def again(response: nio.SyncResponse) -> str | nio.Event | None:
            self._keep(response)
            return look()

        try:
            return await sync_until(self.client, again, timeout=20)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None

    async def from_bot(
        self,
        room_id: str,
        what: str,
        match: Callable[[nio.Event], bool] = lambda e: True,
        after: str | None = None,
    ) -> str:
        """The text of the bot's first message in ``room_id`` not read yet that matches (and
        comes after the event ``after``)."""

        def look() -> nio.Event | None:
            events = [e for room, e in self.seen if room == room_id]
            ids = [e.event_id for e in events]
            if after is not None:
                if after not in ids:
                    return None
                events = events[ids.index(after) + 1 :]
            for event in events:
                if (
                    event.sender == self.bot
                    and event.event_id not in self.taken
                    and isinstance(event, nio.RoomMessage)
                    and match(event)
                ):
                    self.taken.add(event.event_id)
                    return event
            return None

        found = await self._until(look, what)
        assert isinstance(found, nio.Event)
        return body(found)

    async def ask(self, room_id: str, text: str) -> str:
        """Write ``text`` in ``room_id``; the text of the bot's answer (in a group, its reply)."""
        sent = await say(self.client, room_id, text)
        what = f"the answer to {text!r}"
        return await self.from_bot(room_id, what, lambda e: self._answers(room_id, e, sent), sent)

    def _answers(self, room_id: str, event: nio.Event, sent: str) -> bool:
        """Whether ``event`` answers ``sent``: a reply to it, or the bot's next message in a
        private room (where answers are not replies)."""
        return reply_to(event) == sent or room_id in self.private

    async def event(self, room_id: str, what: str, match: Callable[[nio.Event], bool]) -> nio.Event:
        """The first event of ``room_id`` received that matches."""

        def look() -> nio.Event | None:
            return next((e for room, e in self.seen if room == room_id and match(e)), None)

        found = await self._until(look, what)
        assert isinstance(found, nio.Event)
        return found

    async def invitation(self, what: str, not_to: Collection[str] = ()) -> str:
        """The room of an invitation received (to none of ``not_to``)."""

        def look() -> str | None:
            return next((r for r in self.invited if r not in not_to), None)

        found = await self._until(look, what)
        assert isinstance(found, str)
        return found
