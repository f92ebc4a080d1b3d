"""The community's ban list as kept in memory: who is banned, by their handles and their id.

Loaded from the table at start; changed only after the event that bans or lifts
has been stored (``writes.after``), so that it says what storage says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sanshe.core.storage.models import stored_person
from sanshe.core.timers import utc

from .models import CommunityBan

#: What ``sanctions_banned`` answers for a ban given without a reason.
NO_REASON = "—"


@dataclass(frozen=True, slots=True)
class Banned:
    """One person on the ban list."""

    ban: int
    """The row's id."""
    person: str
    """Their id as stored (``stored_person``)."""
    handles: dict[str, str]
    reason: str
    until: datetime | None


class BanList:
    """Who is banned now: by ``(network, handle)`` and by stored person id."""

    def __init__(self) -> None:
        self._by_handle: dict[tuple[str, str], Banned] = {}
        self._by_person: dict[str, Banned] = {}

    async def load(self) -> None:
        """Read the bans not lifted from the table."""
        self._by_handle.clear()
        self._by_person.clear()
        for row in await CommunityBan.filter(lifted_at=None).order_by("id"):
            until = utc(row.until) if row.until else None
            self.keep(Banned(row.id, row.person, dict(row.handles), row.reason, until))

    def keep(self, banned: Banned) -> None:
        """Note ``banned`` on the list."""
        self._by_person[banned.person] = banned
        for network, handle in banned.handles.items():
            self._by_handle[(network, handle)] = banned

    def drop(self, person: str) -> None:
        """Take the person (stored id) off the list."""
        banned = self._by_person.pop(person, None)
        if banned is None:
            return
        for network, handle in banned.handles.items():
            if self._by_handle.get((network, handle)) is banned:
                del self._by_handle[(network, handle)]

    def of_handle(self, network: str, handle: str) -> Banned | None:
        """The ban of whoever has ``handle`` on ``network``, if they are banned."""
        return self._by_handle.get((network, handle))

    def of_person(self, person_id: str) -> Banned | None:
        """The ban of the person ``person_id`` (their id, not stored form), if they are banned."""
        return self._by_person.get(stored_person(person_id))

    def reason(self, network: str, handle: str) -> str | None:
        """Why ``handle`` on ``network`` is banned (never empty), or None."""
        banned = self.of_handle(network, handle)
        if banned is None:
            return None
        return banned.reason or NO_REASON


#: The plugin's ban list (one bot per process).
BANS = BanList()
