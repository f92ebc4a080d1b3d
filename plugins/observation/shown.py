"""What the observation commands and reminders share: who keeps files for a building, the
days of a period, how a file and a day are named, and its temperature series."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt

from .models import Observation
from .settings import ObservationSettings

#: The plugin's name: its timers' owner, its tables' app.
PLUGIN = "observation"
#: A file's number as typed: ``3``, ``#3``, ``3号`` (full-width digits too).
_NUMBER = re.compile(r"[#＃]?([0-9]{1,9})号?")


def settings(ctx: Context) -> ObservationSettings:
    return ctx.settings(ObservationSettings)


def zone(ctx: Context) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(ctx.community.community.timezone)


def today(ctx: Context) -> date:
    """The day it is now on the community's clock."""
    return ctx.now().astimezone(zone(ctx)).date()


def number(text: str) -> int | None:
    """A file's number as typed, else None."""
    found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", text.strip()))
    return int(found.group(1)) if found else None


def serves(ctx: Context, building: str) -> bool:
    """Whether the sender holds a workers' role community-wide or in a resident group of
    ``building``."""
    roles = settings(ctx).workers
    places = [None, *ctx.community.resident_groups(building)]
    return any(ctx.about(place).has_role(roles) for place in places)


def is_worker(ctx: Context) -> bool:
    """Whether the sender holds a workers' role anywhere."""
    return people.holds_anywhere(ctx, settings(ctx).workers)


def person_of(ctx: Context, file: Observation) -> Person | None:
    """The person under observation, as known now (None: no longer known)."""
    return people.current_by_id(ctx, file.person)


def person_by_key(ctx: Context, key: str) -> Person | None:
    """The person a stored key names, as known now (None: no longer known)."""
    return people.current_by_id(ctx, key)


def workers(ctx: Context, file: Observation) -> list[Person]:
    """Who keeps ``file``: the worker who opened it while they hold a workers' role, else (no
    longer known, or no longer a worker) who serves its building in one, as the check-ins'
    alerts go: the holders in its resident groups, else those community-wide."""
    roles, now = settings(ctx).workers, ctx.now()
    worker = person_by_key(ctx, file.worker)
    if worker is not None and any(g.role in roles and g.counts_at(now) for g in worker.roles):
        return [worker]
    return people.serving(ctx, roles, file.building)


def day(_: Translator, when: date) -> str:
    """A day without its year (``12月3日``, ``Dec 3``)."""
    return format_skeleton("MMMd", when, locale=_.locale)


def day_of(file: Observation, when: date) -> int:
    """Which day of the period ``when`` is (day 1: the first)."""
    return (when - file.start).days + 1


def length(file: Observation) -> int:
    """The period's length in days."""
    return (file.end - file.start).days + 1


def where(_: Translator, ctx: Context, file: Observation) -> str:
    """Who and where: ``李娜（1号楼302）``."""
    return _(
        "observation.who",
        name=excerpt(file.name, 40) or "—",
        building=building_name(ctx.community, file.building, _),
        room=excerpt(file.room, 20) or "—",
    )


async def series(
    ctx: Context, _: Translator, file: Observation, first: date, last: date
) -> dict[date, dict[str, str]]:
    """The check-ins the person reported from ``first`` to ``last``, by day."""
    answer = await _reported(ctx, _, [file.person], first, last)
    return {date.fromisoformat(r["day"]): r for r in answer}


async def reporting(ctx: Context, files: Iterable[Observation], on: date) -> set[str]:
    """Which of the people of ``files`` reported a check-in on day ``on`` (their ids), asked
    of the check-ins plugin once for all."""
    answer = await _reported(ctx, ctx._, list({f.person for f in files}), on, on)
    return {r["person"] for r in answer}


async def _reported(
    ctx: Context, _: Translator, person_ids: list[str], first: date, last: date
) -> list[dict[str, str]]:
    """The check-ins plugin's answer (its ``checkins_reported`` hook; none when it is off)."""
    if not person_ids:
        return []
    answer: Iterable[dict[str, str]] | None = await ctx.call(
        "checkins_reported",
        context=ctx,
        person_ids=person_ids,
        first=first,
        last=last,
        translator=_,
    )
    return list(answer or ())


def reading(_: Translator, found: dict[str, str]) -> str:
    """A day's check-in: ``36.8℃``, with its symptoms, a fever said."""
    text = _("observation.temperature", temperature=found.get("temperature", ""))
    if found.get("fever"):
        text += _("observation.fever")
    if found.get("symptoms"):
        text += _("observation.symptoms", symptoms=found["symptoms"])
    return text


def local(ctx: Context, when: datetime) -> datetime:
    """``when`` on the community's clock."""
    return when.astimezone(zone(ctx))
