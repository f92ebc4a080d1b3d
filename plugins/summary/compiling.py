"""The daily work record summary (form 8): each day at ``at``, per consultation group, one
record of the form per person served in the 24 hours before, then its social workers told.

The rows come from the cases plugin (``cases_served``) and the shifts plugin
(``shifts_served``), through their hooks.  Each record is filed under its group, by its
recorder (the group's secretary on shift, else its social worker told), as of the timer's time (``/export daily_summary <day>`` finds it under that day, however late the
firing).  A group's day is compiled once: the compiled days are kept, so neither a restart
nor a reload moving ``at`` compiles it again.  A daily timer of core: a summary due while
the bot was stopped comes at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context, roles_in
from sanshe.core.model import CONSULTATION_KINDS, Form, Group, Person
from sanshe.core.services import Services
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due, utc

from .models import Compiled, Row
from .rows import recorded_by, row
from .settings import SummarySettings

#: The plugin's name: its timers' owner.
PLUGIN = "summary"
#: The daily timer's key.
DAILY = "daily"
#: The span a day's summary covers, up to its time.
DAY = timedelta(days=1)


async def keep_timer(services: Services) -> None:
    """Keep the daily timer at ``at`` (see :meth:`Services.keep_daily`)."""
    await services.keep_daily(PLUGIN, DAILY, services.settings(SummarySettings).at)


async def fire(ctx: Context, timer: Due) -> list[Action]:
    """Compile the day of the timer for each consultation group not compiled yet."""
    settings = ctx.settings(SummarySettings)
    form = ctx.community.form(settings.form)
    if form is None:
        return []
    end = utc(timer.due)
    day = end.astimezone(ZoneInfo(ctx.community.community.timezone)).date()
    done = {str(g) for g in await Compiled.filter(day=day).values_list("group", flat=True)}
    actions: list[Action] = []
    for group in ctx.community.groups:
        if group.kind in CONSULTATION_KINDS and group.id not in done:
            actions += await compile_day(ctx, form, group, day, end)
    return actions


async def compile_day(
    ctx: Context, form: Form, group: Group, day: date, end: datetime
) -> list[Action]:
    """Store ``group``'s rows of ``day`` (the 24 hours to ``end``) as records of ``form``, note
    the day compiled, and tell its social workers how many rows there are."""
    start = end - DAY
    cases: list[Mapping[str, Any]] = (
        await ctx.call("cases_served", group_id=group.id, start=start, end=end) or []
    )
    served: Mapping[str, str] = (
        await ctx.call("shifts_served", group=group, start=start, end=end) or {}
    )
    latest = {str(case["person"]): case for case in cases}  # one row a person: their latest case
    telling = told(ctx, group, served)
    by = recorded_by(served) or (telling[0].id if telling else PLUGIN)
    for client, case in latest.items():
        data = await row(ctx, form, group, case, served)
        record = await ctx.records.add_record(ctx.writes, form.id, by, group.id, data, end)
        ctx.writes.add(Row(record=record.id, person=stored_person(client)))
        ctx.audit("create", f"record:{record.id}", detail=form.id)
    ctx.writes.add(Compiled(group=group.id, day=day, rows=len(latest), at=ctx.now()))
    if not latest:
        return []
    actions: list[Action] = []
    for person in telling:
        _ = ctx.translator(person)
        text = _.plural(
            "summary.compiled",
            len(latest),
            group=group.name or group.id,
            day=format_skeleton("MMMd", day, locale=_.locale),
            form=form.id,
            date=day.isoformat(),
        )
        if (message := ctx.tell(person, text)) is not None:
            actions.append(message)
    return actions


def told(ctx: Context, group: Group, served: Mapping[str, str]) -> list[Person]:
    """Who is told of ``group``'s summary: those who served its shifts in a ``tell`` role; when
    none did, everyone holding one in the group or community-wide."""
    roles = set(ctx.settings(SummarySettings).tell)
    on_shift = [
        person
        for person_id, role in served.items()
        if role in roles and (person := people.current_by_id(ctx, person_id)) is not None
    ]
    if on_shift:
        return on_shift
    now = ctx.now()
    return [
        p
        for p in people.everyone(ctx)
        if roles & roles_in(ctx.community, p, group, member=False, now=now)
    ]
