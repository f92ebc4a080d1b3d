"""The warnings kept: writing one down, withdrawing one, and what counts towards the limit.

A person's warnings in a group are numbered 1, 2, 3… in the order they were
given, withdrawn ones included (they are kept), so that ``/unwarn @x 2`` names
the second one ``/warnings @x`` lists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from weakref import WeakKeyDictionary

from sanshe.core.context import Context
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import utc

from .models import WarningEntry

#: At most this many warnings are listed at once (the latest).
LISTED = 20


#: The warnings each event is writing down, by group and person: not stored yet, they count
#: already (a message two rules warn for is warned twice, 1/3 then 2/3).
_STAGED: WeakKeyDictionary[Writes, Counter[tuple[str, str]]] = WeakKeyDictionary()


async def counted(ctx: Context, group_id: str, person_key: str, since: datetime) -> int:
    """How many of the person's warnings in the group count: given after ``since``, not
    withdrawn, those this event is writing down included."""
    stored = await WarningEntry.filter(
        group_id=group_id,
        person=stored_person(person_key),
        withdrawn_at__isnull=True,
        at__gt=utc(since),
    ).count()
    return stored + _STAGED.get(ctx.writes, Counter())[(group_id, person_key)]


def write_down(
    ctx: Context, group_id: str, person_key: str, name: str, reason: str, rule_id: str = ""
) -> WarningEntry:
    """Note a warning with the event's writes: by the sender, unless a rule (``rule_id``) gave it."""
    entry = WarningEntry(
        group_id=group_id,
        person=stored_person(person_key),
        name=name,
        by="" if rule_id else stored_person(ctx.person_key),
        reason=reason,
        rule_id=rule_id,
        at=utc(ctx.now()),
    )
    ctx.writes.add(entry)
    _STAGED.setdefault(ctx.writes, Counter())[(group_id, person_key)] += 1
    return entry


def withdraw(ctx: Context, entry: WarningEntry) -> None:
    """Mark ``entry`` withdrawn now, with the event's writes (it is kept)."""
    entry.withdrawn_at = utc(ctx.now())
    ctx.writes.save(entry, ["withdrawn_at"])


async def of_person(person_key: str, group_ids: Iterable[str] | None = None) -> list[WarningEntry]:
    """The person's warnings (in ``group_ids`` only, if given), oldest first."""
    query = WarningEntry.filter(person=stored_person(person_key))
    if group_ids is not None:
        query = query.filter(group_id__in=list(group_ids))
    return await query.order_by("at", "id")


async def of_group(group_id: str) -> list[WarningEntry]:
    """The group's latest :data:`LISTED` warnings, oldest first."""
    latest = await WarningEntry.filter(group_id=group_id).order_by("-at", "-id").limit(LISTED)
    return latest[::-1]


def numbered(entries: list[WarningEntry], group_id: str) -> list[tuple[int, WarningEntry]]:
    """``entries`` of ``group_id`` (a person's, oldest first) with their numbers there."""
    return list(enumerate((e for e in entries if e.group_id == group_id), 1))


def counts(entry: WarningEntry, since: datetime) -> bool:
    """Whether ``entry`` counts towards the limit: not withdrawn, and given after ``since``."""
    return entry.withdrawn_at is None and utc(entry.at) > utc(since)
