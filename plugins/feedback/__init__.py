"""Feedback: the residents' opinions and suggestions, collected per building and passed on
(DOMAIN.md, "Feedback").

A resident sends ``/suggest <text>`` (建议, 意见) privately or in their resident group, where
the message is deleted and acknowledged privately (:mod:`.suggesting`).  Each is kept with
the building of the sender's household.  Every week (``weekday`` at ``at``) the prevention
work group reads per building how many came and what they say, personal data masked and
nobody named; staff ask for it now with ``/suggestions [days]`` (:mod:`.summary`).
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

from . import summary
from .models import Suggestion
from .settings import FeedbackSettings
from .suggesting import SUGGEST, suggest

PLUGIN = summary.PLUGIN


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return FeedbackSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


async def _staff(ctx: Context) -> bool:
    """/help lists /suggestions to staff only."""
    return summary.is_staff(ctx)


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "suggest", suggest, help="feedback.help", aliases=("建议", "意见"), arguments=SUGGEST
        ),
        ChatCommand(
            "suggestions",
            summary.suggestions,
            help="feedback.help_staff",
            aliases=("意见汇总", "建议汇总"),
            arguments=summary.SUGGESTIONS,
            shown_to=_staff,
            where="direct",
            acts_on="community",
        ),
    ]


@hookimpl
async def sanshe_startup(services: Services) -> None:
    await summary.keep_timer(services)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """A reload may have moved ``at``."""
    await summary.keep_timer(services)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    return await summary.fire(context, timer) if timer.key == summary.WEEKLY else []


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The suggestions they sent."""
    rows = await Suggestion.filter(person=stored_person(person.id)).order_by("at", "id")
    if not rows:
        return None
    return {
        "suggestions": [
            {"building": r.building, "text": r.text, "at": r.at.isoformat()} for r in rows
        ]
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The suggestions they sent go."""
    key = stored_person(person.id)
    writes.run(lambda db: Suggestion.filter(person=key).using_db(db).delete())
