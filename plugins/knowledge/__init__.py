"""Knowledge: the answer library and the resource map (DOMAIN.md, "Knowledge").

Questions answered online become entries of the answer library (``/faq add <question> |
<answer>``, staff), kept with who added them and when; anyone finds them with ``/faq
<words>`` (问答), in Chinese or English, whatever the word order or wording (see
:mod:`.search`).  The resource map lists the supplies, services, hotlines and pharmacies
that meet a need (``/resource <need>``, 资源), from the settings and from staff.  Entries not
confirmed for ``stale_days`` are flagged privately to their author by a daily timer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Person
from sanshe.core.services import Services
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import stale
from .faq import faq
from .models import AddedResource, Entry
from .resources import resource
from .settings import KnowledgeSettings

PLUGIN = stale.PLUGIN


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return KnowledgeSettings


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand("faq", faq, help="knowledge.help.faq", aliases=("问答", "问答库")),
        ChatCommand(
            "resource", resource, help="knowledge.help.resource", aliases=("资源", "资源地图")
        ),
    ]


@hookimpl
async def sanshe_startup(services: Services) -> None:
    await stale.keep_timer(services)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """A new ``check_at`` moves the daily look."""
    await stale.keep_timer(services)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """The daily look: stale entries flagged to their authors."""
    return await stale.flag(context) if timer.key == stale.DAILY else []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The entries and resources they added."""
    key = stored_person(person.id)
    entries = await Entry.filter(author=key).order_by("number")
    added = await AddedResource.filter(author=key).order_by("number")
    if not entries and not added:
        return None
    return {
        "faq": [
            {
                "number": e.number,
                "question": e.question,
                "answer": e.answer,
                "added": e.created_at.isoformat(),
                "confirmed": e.checked_at.isoformat(),
            }
            for e in entries
        ],
        "resources": [
            {
                "number": r.number,
                "name": r.name,
                "needs": r.needs,
                "area": r.area,
                "hours": r.hours,
                "contact": r.contact,
                "added": r.created_at.isoformat(),
            }
            for r in added
        ],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """What they added stays, the community's knowledge, but no longer names them."""
    key = stored_person(person.id)
    writes.run(lambda db: Entry.filter(author=key).using_db(db).update(author=""))
    writes.run(lambda db: AddedResource.filter(author=key).using_db(db).update(author=""))
