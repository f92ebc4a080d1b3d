"""The audit log's storage: append an entry, read recent ones, and the people's pseudonyms.

Nothing here updates or deletes an entry.  People are stored by pseudonym (see
:mod:`sanshe.core.audit`); :func:`forget` deletes one, unlinking that person's entries.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from .models import AuditEntry, Pseudonym, stored_person

#: The kinds of subject an entry may name (``form:<id>``: all its records, as an export reads
#: them; ``faq:<n>``, ``resource:<n>``: the answer library's and the resource map's entries;
#: ``vulnerable:<n>``: an entry of the registry of vulnerable households, ``vulnerable:list`` all
#: the reader keeps; ``sheet:<id>``: a sheet a plugin offers for export, as an export reads it);
#: ``person`` is the one whose id is a person's.
SUBJECT_KINDS = (
    "record",
    "person",
    "grant",
    "case",
    "form",
    "faq",
    "resource",
    "vulnerable",
    "sheet",
)
PERSON = "person"


def subject_kind(subject: str) -> str | None:
    """The kind of ``subject`` (``record`` for ``record:12``); None if it is not of a known kind."""
    kind, colon, rest = subject.partition(":")
    return kind if colon and rest and kind in SUBJECT_KINDS else None


def _marks(connection: BaseDBAsyncClient, count: int) -> list[str]:
    if connection.capabilities.dialect == "postgres":
        return [f"${i}" for i in range(1, count + 1)]
    return ["?"] * count


async def pseudonym(connection: BaseDBAsyncClient, person: str, *, make: bool) -> str | None:
    """``person``'s pseudonym; with ``make``, one made now on ``connection`` if they have none."""
    key = stored_person(person)
    query = 'SELECT "pseudonym" FROM "pseudonym" WHERE "person" = {}'.format(*_marks(connection, 1))
    _count, rows = await connection.execute_query(query, [key])
    if rows or not make:
        return str(rows[0]["pseudonym"]) if rows else None
    await connection.execute_query(
        'INSERT INTO "pseudonym" ("person", "pseudonym") VALUES ({}, {}) '
        'ON CONFLICT ("person") DO NOTHING'.format(*_marks(connection, 2)),
        [key, secrets.token_hex(8)],
    )
    _count, rows = await connection.execute_query(query, [key])
    return str(rows[0]["pseudonym"])


async def stored_subject(connection: BaseDBAsyncClient, subject: str, *, make: bool) -> str | None:
    """``subject`` as entries store it: a person's by pseudonym (None: that person has none).

    Raises ``ValueError`` for a subject that is not ``<kind>:<id>`` of a known kind.
    """
    kind = subject_kind(subject)
    if kind is None:
        raise ValueError(f"an audit subject is one of {SUBJECT_KINDS}, ':' and an id: {subject!r}")
    if kind != PERSON:
        return stored_person(subject)
    name = await pseudonym(connection, subject.partition(":")[2], make=make)
    return f"{PERSON}:{name}" if name is not None else None


async def append(
    connection: BaseDBAsyncClient,
    actor: str,
    action: str,
    subject: str,
    detail: str,
    at: datetime,
) -> None:
    """Append an entry on ``connection`` (in the caller's transaction), people by pseudonym."""
    stored = await stored_subject(connection, subject, make=True)
    await AuditEntry.create(
        at=at,
        actor=await pseudonym(connection, actor, make=True),
        action=action[:32],
        subject=stored,
        detail=detail[:255],
        using_db=connection,
    )


async def recent(
    connection: BaseDBAsyncClient, subject: str | None, limit: int
) -> list[AuditEntry]:
    """The latest ``limit`` entries, newest first: all, or those on ``subject``."""
    query = AuditEntry.all().using_db(connection)
    if subject is not None:
        stored = await stored_subject(connection, subject, make=False)
        if stored is None:
            return []
        query = query.filter(subject=stored)
    return await query.order_by("-id").limit(limit)


async def people_named(connection: BaseDBAsyncClient, pseudonyms: Iterable[str]) -> dict[str, str]:
    """The people (ids as stored) these pseudonyms still name: pseudonym -> person."""
    rows = await Pseudonym.filter(pseudonym__in=list(set(pseudonyms))).using_db(connection)
    return {row.pseudonym: row.person for row in rows}


async def relink(connection: BaseDBAsyncClient, old: str, new: str) -> None:
    """Make ``old``'s pseudonym (their entries) ``new``'s, who has none yet."""
    await connection.execute_query(
        'UPDATE "pseudonym" SET "person" = {} WHERE "person" = {}'.format(*_marks(connection, 2)),
        [stored_person(new), stored_person(old)],
    )


async def forget(connection: BaseDBAsyncClient, person: str) -> bool:
    """Delete ``person``'s pseudonym: their entries stay, naming nobody.  Whether they had one."""
    return bool(await Pseudonym.filter(person=stored_person(person)).using_db(connection).delete())
