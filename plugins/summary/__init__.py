"""The daily work record summary (DOMAIN.md, "The forms", 8): each day, per consultation
group, one record of form 8 per person served, for its social workers (see
:mod:`.compiling`); read with ``/records`` and ``/export`` as any form's records.  A row is
exported and erased with the person it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.services import Services
from sanshe.core.storage.models import Record, stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due, utc

from . import compiling
from .models import Row
from .settings import SummarySettings

PLUGIN = compiling.PLUGIN


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return SummarySettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
async def sanshe_startup(services: Services) -> None:
    await compiling.keep_timer(services)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """A reload may have moved ``at``."""
    await compiling.keep_timer(services)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    return await compiling.fire(context, timer) if timer.key == compiling.DAILY else []


async def _rows_of(person: Person) -> list[int]:
    """The ids of the summary's records about ``person``."""
    return [row.record for row in await Row.filter(person=stored_person(person.id))]


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The summary's rows about them, as recorded."""
    records = await Record.filter(id__in=await _rows_of(person)).order_by("id")
    if not records:
        return None
    return {
        "rows": [
            {
                "record": r.id,
                "form": r.form_id,
                "group": r.group_id,
                "at": utc(r.created_at).isoformat(),
                "data": r.data,
            }
            for r in records
        ]
    }


@hookimpl
async def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The summary's rows about them go."""
    ids, key = await _rows_of(person), stored_person(person.id)
    writes.run(lambda db: Record.filter(id__in=ids).using_db(db).delete())
    writes.run(lambda db: Row.filter(person=key).using_db(db).delete())
