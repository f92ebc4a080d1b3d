"""Opening cases and the facts other plugins read about them (the hooks of :mod:`.hookspecs`).

A case is written with the event's writes, so until that event is stored the
database does not know it: an open case being written by another event (a
crisis in a group while the person's request dialog ends privately) is kept in
memory until it is stored, so that the person still gets one case, not two.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sanshe.core.context import Context
from sanshe.core.model import Group, Person
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.writes import Writes

from .models import Case, Conflict

SOURCES = ("request", "referral", "crisis")
CATEGORIES = ("medical", "psychological", "other")
#: Who opened a crisis case (the detector, not a person).
CRISIS = "crisis"


@dataclass(frozen=True, slots=True)
class _Opening:
    """A case staged by an event not yet stored."""

    number: int
    event_id: str
    writes: weakref.ref[Writes]


_opening: dict[str, _Opening] = {}
"""Client (stored person) -> the case an event is writing for them."""


def _being_opened(client: str, event_id: str) -> _Opening | None:
    """The case another event is writing for ``client`` now (the same event decided again
    writes its own once more)."""
    found = _opening.get(client)
    if found is None or found.writes() is None:
        return None
    return found


async def open_case(
    context: Context,
    person: Person,
    source: str,
    category: str,
    reason: str,
    origin: Group | None,
    record: int | None,
) -> int:
    """``cases_open``: the number of ``person``'s open case, opening one if they have none
    (the one they have learns the record and, a referral, the category: :func:`_complete`)."""
    if source not in SOURCES:
        raise ValueError(f"a case's source is one of {SOURCES}, not {source!r}")
    if category not in CATEGORIES:
        raise ValueError(f"a case's category is one of {CATEGORIES}, not {category!r}")
    client = stored_person(person.id)
    event_id = context.event.event_id
    staged = _being_opened(client, event_id)
    if staged is not None and staged.event_id != event_id:
        return staged.number
    existing = await Case.filter(person=client, status="open").first()
    if existing is not None:
        _complete(context, existing, source, category, record)
        return existing.number
    number = staged.number if staged is not None else await context.number("case")
    sender = context.person
    own = sender.id == person.id
    name = person.name or (context.event.sender_name if own else "") or _handle(person)
    case = Case(
        number=number,
        person=client,
        name=excerpt(name),
        source=source,
        category=category,
        origin=origin.id if origin else None,
        opened_by=CRISIS if source == "crisis" else stored_person(sender.id),
        reason=excerpt(reason, 2000),
        record=record,
        requested_at=context.now(),
    )
    context.writes.add(case)
    _opening[client] = _Opening(number, event_id, weakref.ref(context.writes))
    context.writes.after(lambda: _stored(client, number))
    context.audit("create", f"case:{number}", source)
    return number


def _complete(context: Context, case: Case, source: str, category: str, record: int | None) -> None:
    """What an open case learns from a later opening: the consultation record, if it had none;
    a referral's category (``other`` until then) from the client's own request."""
    changed = []
    if record is not None and case.record is None:
        case.record = record
        changed.append("record")
    if case.source == "referral" and source == "request" and case.category == "other":
        case.category = category
        changed.append("category")
    if changed:
        context.writes.save(case, changed)
        context.audit("update", f"case:{case.number}", source)


def _stored(client: str, number: int) -> None:
    found = _opening.get(client)
    if found is not None and found.number == number:
        del _opening[client]


def _handle(person: Person) -> str:
    return next(iter(person.handles.values()), "") or person.id


async def open_case_of(client: str) -> int | None:
    """``cases_of``: the number of the open case of ``client`` (a person id), if any."""
    key = stored_person(client)
    case = await Case.filter(person=key, status="open").first()
    if case is not None:
        return case.number
    staged = _opening.get(key)
    return staged.number if staged is not None and staged.writes() is not None else None


async def avoiding(client: str) -> list[str]:
    """The staff (keys as stored) who declared they know the client whose stored key is
    ``client`` (a case's ``person``; ``cases_avoid`` stores a person id first)."""
    rows = await Conflict.filter(client=client).order_by("id")
    return [row.staff for row in rows]


def answered(context: Context, number: int) -> None:
    """A human took up case ``number`` now: its first reply, unless it had one already
    (written with the event; a case not stored yet is written first, in the same event)."""
    now = context.now()
    context.writes.run(
        lambda db: (
            Case.filter(number=number, first_reply_at__isnull=True)
            .using_db(db)
            .update(first_reply_at=now)
        )
    )
