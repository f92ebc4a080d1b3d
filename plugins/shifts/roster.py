"""The roster in memory: every planned shift with its claims, and who is on shift when.

Loaded from the plugin's tables at start-up and kept right after each commit
(``writes.after``), so that "who is on shift in this group now" is a lookup,
never a database read: :meth:`Roster.on_duty` is what the ``shifts_on_duty``
hook and the computed role ``on_shift`` answer from.  A shift counts from its
start (included) to its end (excluded), a claim while its claimer holds, in the
shift's group, the role they claimed it in (:class:`RolesNow`): a grant revoked
or ended takes them off the shift.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.context import Context, roles_in
from sanshe.core.model import Community, Group, Person
from sanshe.core.services import Services

from .settings import ShiftSettings

#: The roles of professionals, flagged when they do not appear (the secretary is not).
PROFESSIONALS = frozenset({"social_worker", "medical_volunteer", "psych_volunteer"})


@dataclass(slots=True)
class Claim:
    """Someone's place on a shift: the role they serve it in, and when they appeared."""

    person: str
    role: str
    place: int
    """Which of the role's places (1, 2…): two claims never take the same one."""
    arrived: datetime | None = None


@dataclass(slots=True)
class Shift:
    """A planned shift of a group: its number, times (aware, UTC), the places it needs, claims."""

    number: int
    group: str
    start: datetime
    end: datetime
    needs: dict[str, int]
    claims: dict[str, Claim] = field(default_factory=dict)
    """Person id -> their claim."""

    def taken(self, role: str) -> int:
        """How many places of ``role`` are claimed."""
        return sum(1 for c in self.claims.values() if c.role == role)

    def free_place(self, role: str) -> int | None:
        """The lowest free place of ``role``, or None when the role's places are all taken."""
        used = {c.place for c in self.claims.values() if c.role == role}
        return next((n for n in range(1, self.needs.get(role, 0) + 1) if n not in used), None)

    def missing(self) -> dict[str, int]:
        """The places still free, per role (none: the shift is fully staffed)."""
        left = {role: count - self.taken(role) for role, count in self.needs.items()}
        return {role: n for role, n in left.items() if n > 0}


@dataclass(frozen=True, slots=True)
class RolesNow:
    """Who holds which role where, as the community and its people are known now."""

    community: Community
    person: Callable[[str], Person | None]
    """The known person of an id, with their runtime grants (None: nobody known)."""

    @classmethod
    def of(cls, ctx: Context) -> RolesNow:
        """As the event ``ctx`` knows them."""
        return cls(ctx.community, lambda person_id: people.current_by_id(ctx, person_id))

    def holds(self, claim: Claim, group: Group | None, at: datetime) -> bool:
        """Whether the claimer holds, in ``group`` (the claimed shift's) at ``at``, the role of
        ``claim`` (a group no longer there: no)."""
        person = self.person(claim.person)
        if group is None or person is None:
            return False
        return claim.role in roles_in(self.community, person, group, member=False, now=at)

    def serving(self, shift: Shift, at: datetime) -> dict[str, str]:
        """Person id -> role of the claimers of ``shift`` who hold their role at ``at``."""
        group = self.community.group(shift.group)
        return {c.person: c.role for c in shift.claims.values() if self.holds(c, group, at)}


@dataclass(frozen=True, slots=True)
class Planned:
    """A shift the templates give a group on a day: times (aware, UTC) and needs."""

    group: str
    start: datetime
    end: datetime
    needs: tuple[tuple[str, int], ...]


class Roster:
    """The shifts kept in memory, by number and by group (ordered by start)."""

    def __init__(self) -> None:
        self.shifts: dict[int, Shift] = {}
        self._groups: dict[str, list[Shift]] = {}
        self._starts: dict[str, list[datetime]] = {}
        self._longest: dict[str, timedelta] = {}
        self._people: dict[str, set[int]] = {}
        """Person id -> the numbers of the shifts they claimed."""
        self.basis: tuple[object, ...] = ()
        """What it was planned from (settings, groups, time zone): a change plans it again."""
        self.services: Services | None = None
        """The running bot's (kept at start-up): whose roles the ``shifts_on_duty`` hook, which
        has no event, reads."""

    def clear(self) -> None:
        """Forget every shift (the plugin stopped; start-up loads them again)."""
        self.shifts.clear()
        self._groups.clear()
        self._starts.clear()
        self._longest.clear()
        self._people.clear()
        self.basis = ()

    def add(self, shift: Shift) -> None:
        """Keep ``shift`` (planned and stored)."""
        self.shifts[shift.number] = shift
        shifts = self._groups.setdefault(shift.group, [])
        starts = self._starts.setdefault(shift.group, [])
        at = bisect.bisect_right(starts, shift.start)
        shifts.insert(at, shift)
        starts.insert(at, shift.start)
        length = shift.end - shift.start
        if length > self._longest.get(shift.group, timedelta()):
            self._longest[shift.group] = length

    def drop(self, number: int) -> None:
        """Forget shift ``number`` (deleted), with its claims."""
        shift = self.shifts.pop(number, None)
        if shift is None:
            return
        for person in list(shift.claims):
            self.unclaim(shift, person)
        shifts, starts = self._groups[shift.group], self._starts[shift.group]
        at = shifts.index(shift)
        del shifts[at], starts[at]

    def claim(self, shift: Shift, claim: Claim) -> None:
        """Keep ``claim`` of ``shift`` (made and stored)."""
        shift.claims[claim.person] = claim
        self._people.setdefault(claim.person, set()).add(shift.number)

    def unclaim(self, shift: Shift, person: str) -> Claim | None:
        """Forget ``person``'s claim of ``shift`` (released, handed over); the claim, if any."""
        claim = shift.claims.pop(person, None)
        numbers = self._people.get(person)
        if numbers is not None:
            numbers.discard(shift.number)
            if not numbers:
                del self._people[person]
        return claim

    def claims_anything(self, person: str) -> bool:
        """Whether ``person`` has claimed any shift kept (most people who write have not)."""
        return person in self._people

    def shift(self, number: int) -> Shift | None:
        """Shift ``number``, if it is planned."""
        return self.shifts.get(number)

    def of_group(self, group_id: str) -> list[Shift]:
        """The shifts of ``group_id``, by start."""
        return list(self._groups.get(group_id, ()))

    def has_shifts(self, group_id: str) -> bool:
        """Whether ``group_id`` has shifts at all."""
        return bool(self._groups.get(group_id))

    def at(self, group_id: str, moment: datetime) -> Iterator[Shift]:
        """The shifts of ``group_id`` under way at ``moment`` (start included, end excluded)."""
        return self.overlapping(group_id, moment, moment)

    def overlapping(self, group_id: str, first: datetime, last: datetime) -> Iterator[Shift]:
        """The shifts of ``group_id`` under way at some moment from ``first`` to ``last``
        (both included): started by ``last``, not ended by ``first``; latest start first."""
        starts = self._starts.get(group_id)
        if not starts:
            return
        shifts = self._groups[group_id]
        earliest = first - self._longest[group_id]
        i = bisect.bisect_right(starts, last) - 1
        while i >= 0 and starts[i] >= earliest:
            if first < shifts[i].end:
                yield shifts[i]
            i -= 1

    def on_duty(self, group: Group, moment: datetime, roles: RolesNow) -> dict[str, str]:
        """Person id -> role of whoever is on shift in ``group`` at ``moment``."""
        found: dict[str, str] = {}
        for shift in self.at(group.id, moment):
            for claim in shift.claims.values():
                if claim.person not in found and roles.holds(claim, group, moment):
                    found[claim.person] = claim.role
        return found

    def on_shift(self, person: str, group: Group, moment: datetime, roles: RolesNow) -> bool:
        """Whether ``person`` is on shift in ``group`` at ``moment`` (the computed role
        ``on_shift``): one lookup for someone who has claimed nothing."""
        if person not in self._people:
            return False
        for shift in self.at(group.id, moment):
            claim = shift.claims.get(person)
            if claim is not None and roles.holds(claim, group, moment):
                return True
        return False

    def awaiting(
        self, person: str, group_id: str, moment: datetime, early: timedelta
    ) -> list[Shift]:
        """The shifts of ``group_id`` under way at ``moment`` or beginning within ``early``
        that ``person`` claimed and has not appeared for yet (a message of theirs in the group
        is their arrival): one lookup for someone who has claimed nothing."""
        if person not in self._people:
            return []
        return [
            shift
            for shift in self.overlapping(group_id, moment, moment + early)
            if (claim := shift.claims.get(person)) is not None and claim.arrived is None
        ]

    def next_after(self, shift: Shift) -> Shift | None:
        """The group's first shift starting at or after ``shift``'s end, if one is planned."""
        starts = self._starts.get(shift.group, [])
        i = bisect.bisect_left(starts, shift.end)
        return self._groups[shift.group][i] if i < len(starts) else None

    def claims_of(self, person_id: str) -> list[Shift]:
        """The shifts ``person_id`` claimed, by start."""
        mine = (self.shifts[n] for n in self._people.get(person_id, ()))
        return sorted(mine, key=lambda s: s.start)


def planned(
    community: Community, settings: ShiftSettings, first: date, days: int
) -> Iterator[Planned]:
    """The shifts the templates give each group on ``days`` days from ``first`` (local days).

    Wall-clock times of the community's time zone, in UTC: 08:00 stays 08:00
    across a change to summer time.  A group two templates give the same
    times gets that shift once (the first template's needs).
    """
    zone = ZoneInfo(community.community.timezone)
    for group in community.groups:
        hours = [h for t in settings.templates if t.covers(group.id, group.kind) for h in t.shifts]
        if not hours:
            continue
        seen: set[tuple[datetime, datetime]] = set()
        for offset in range(days):
            day = first + timedelta(days=offset)
            for shift in hours:
                start_time, end_time, later = shift.times()
                start = _utc(day, start_time, zone)
                end = _utc(day + timedelta(days=later), end_time, zone)
                if (start, end) in seen or end <= start:
                    continue
                seen.add((start, end))
                yield Planned(group.id, start, end, tuple(shift.needs.items()))


def _utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


#: The running bot's roster (loaded at start-up, see :func:`sanshe.plugins.shifts.stored.load`).
ROSTER = Roster()
