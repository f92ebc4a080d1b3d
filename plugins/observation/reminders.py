"""The observation's timers, core's durable ones (kept in storage: a restart keeps them).

On a period's last day at ``remind_at`` the file's worker is reminded to end it, and the
person told their observation ends (one timer per file, cancelled when the file is ended).
Every day at ``check_at``, each worker is told privately which of their files' people have not
reported a temperature that day.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.model import Person
from sanshe.core.services import Services
from sanshe.core.timers import Due, utc

from . import shown
from .models import Observation
from .settings import ObservationSettings

#: The key of the daily look for missing temperatures.
DAILY = "daily"
#: The prefix of the keys of the end reminders (``end:<number>``).
END = "end:"


async def keep_timer(services: Services) -> None:
    """Keep the daily look at the settings' ``check_at`` (see :meth:`Services.keep_daily`)."""
    at = services.settings(ObservationSettings).check_at
    await services.keep_daily(shown.PLUGIN, DAILY, at)


async def end(ctx: Context, timer: Due) -> list[Action]:
    """The period of the timer's file ends today: remind its worker, tell the person."""
    file = await Observation.get_or_none(number=int(timer.key.removeprefix(END)), open=True)
    if file is None:
        return []
    actions: list[Action] = []
    for worker in shown.workers(ctx, file):
        _ = ctx.translator(worker)
        text = _(
            "observation.ends",
            number=file.number,
            who=shown.where(_, ctx, file),
            end=shown.day(_, file.end),
            days=shown.length(file),
        )
        actions += _told(ctx, worker, text)
    person = shown.person_of(ctx, file)
    if person is not None:
        theirs = ctx.translator(person)
        actions += _told(
            ctx, person, theirs("observation.told_ends", end=shown.day(theirs, file.end))
        )
    return actions


async def missing(ctx: Context, timer: Due) -> list[Action]:
    """Each worker's files whose person has not reported a temperature today (in the period)."""
    day = utc(timer.due).astimezone(shown.zone(ctx)).date()
    if shown.today(ctx) != day:
        return []
    files = await Observation.filter(open=True, start__lte=day, end__gte=day).order_by("number")
    reported = await shown.reporting(ctx, files, day)
    keepers: dict[str, Person] = {}
    by_worker: dict[str, list[Observation]] = {}
    for file in files:
        if file.person in reported:
            continue
        for worker in shown.workers(ctx, file):
            keepers[worker.id] = worker
            by_worker.setdefault(worker.id, []).append(file)
    actions: list[Action] = []
    for key, absent in by_worker.items():
        worker = keepers[key]
        _ = ctx.translator(worker)
        lines = [_.plural("observation.missing", len(absent))]
        lines += [
            _(
                "observation.missing_line",
                number=file.number,
                who=shown.where(_, ctx, file),
                day=shown.day_of(file, day),
                days=shown.length(file),
            )
            for file in absent
        ]
        actions += _told(ctx, worker, "\n".join(lines))
    return actions


def _told(ctx: Context, person: Person, text: str) -> Iterable[Action]:
    told = ctx.tell(person, text)
    return [told] if told is not None else []
