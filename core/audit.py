"""The audit log: who read or changed which record, person, role grant or case, and when.

The one way in: ``ctx.audit(action, subject, detail="")`` while an event is
handled (the entry is staged on the event's writes, actor the sender: it is
appended with the event's checkpoint, and a redelivered event notes nothing
twice), and ``await services.audit(actor, action, subject, detail="")``
outside events (start-up, CLI verbs), appended at once.  Entries are only
ever appended: nothing updates or deletes one.

A subject is ``<kind>:<id>``: ``record:12``, ``person:<person id>``,
``grant:3``, ``case:7``, ``form:daily_summary`` (an export), ``faq:4`` (:data:`SUBJECT_KINDS`).  People are stored by
pseudonym, never by id: the actor, and the id of a ``person:`` subject.  A
person's pseudonym (16 random hex digits) is made in the transaction of the
first entry that names them; ``Storage.forget`` deletes it, after which their
entries stay but name nobody.  ``action`` is a short verb (``create``,
``read``, ``grant``…); ``detail`` what else the entry needs (a row count, a
form's id), never personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient

from .storage import audit as log
from .storage.audit import PERSON, SUBJECT_KINDS, subject_kind
from .storage.writes import Writes

if TYPE_CHECKING:
    from .storage import Storage

__all__ = ["PERSON", "SUBJECT_KINDS", "Entry", "person_subject", "recent", "stage", "subject_kind"]


def person_subject(person_id: str) -> str:
    """The subject naming a person: ``person:<id>``."""
    return f"{PERSON}:{person_id}"


def stage(writes: Writes, actor: str, action: str, subject: str, detail: str, at: datetime) -> None:
    """Note an entry on an event's ``writes``, to be appended with its checkpoint.

    Raises ``ValueError`` at once for a subject not of :data:`SUBJECT_KINDS`.
    """
    if subject_kind(subject) is None:
        raise ValueError(f"an audit subject is one of {SUBJECT_KINDS}, ':' and an id: {subject!r}")

    async def append(connection: BaseDBAsyncClient) -> None:
        await log.append(connection, actor, action, subject, detail, at)

    writes.run(append)


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as read back: people by their id while their pseudonym still links to them.

    ``actor`` is a person's id (``named``) or, once they were forgotten, the
    pseudonym; likewise the id in a ``person:`` ``subject`` (``subject_named``).
    """

    at: datetime
    actor: str
    named: bool
    action: str
    subject: str
    subject_named: bool
    detail: str


async def recent(storage: Storage, subject: str | None, limit: int) -> list[Entry]:
    """The latest ``limit`` entries, newest first: all, or those on ``subject`` (API form)."""
    rows = await storage.audit_log(subject, limit)
    people = await storage.people_named(
        {row.actor for row in rows}
        | {row.subject.partition(":")[2] for row in rows if subject_kind(row.subject) == PERSON}
    )
    entries = []
    for row in rows:
        kind, _colon, rest = row.subject.partition(":")
        person = people.get(rest) if kind == PERSON else None
        entries.append(
            Entry(
                at=row.at,
                actor=people.get(row.actor, row.actor),
                named=row.actor in people,
                action=row.action,
                subject=person_subject(person) if person is not None else row.subject,
                subject_named=person is not None,
                detail=row.detail,
            )
        )
    return entries
