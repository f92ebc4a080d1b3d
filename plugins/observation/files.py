"""``/observe``: community workers open, list, read and end home observation files.

``/observe <person> [days] [reason]`` opens one for a person registered for a household,
by a worker of their building or a community-wide one; ``/observe`` lists the sender's open
files; ``/observe <n>`` shows one with its daily temperature series and requests (audited);
``/observe end <n>`` ends it.  Everything is answered privately (the command works in private
chats only) and the person is told privately.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Person, Reader, Rest, Words, Wrong
from sanshe.core.context import Context
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from . import shown
from .models import Need, Observation
from .settings import LONGEST

SEQUENCE = "observation"
#: ``14``, ``14天``, ``14d``, ``14 days``' number.
_DAYS = re.compile(r"([0-9]{1,3})\s*(?:天|日|d|days?)?", re.IGNORECASE)
#: The longest reason kept.
REASON_LENGTH = 200


class Days(Reader):
    """A period's length in days (``14``, ``14天``); a word not starting with a digit is left."""

    name = "observation.arg.days"

    def take(self, words: Words, ctx: Context) -> object:
        if not words.left or not words.peek()[:1].isdigit():
            return MISSING
        found = _DAYS.fullmatch(words.peek())
        if found is None or not 1 <= int(found.group(1)) <= LONGEST:
            raise Wrong("observation.bad_days", word=excerpt(words.peek()), longest=LONGEST)
        words.take()
        return int(found.group(1))


OPEN = Arguments(
    usage="observation.usage.open",
    person=Person(),
    days=Days(optional=True),
    reason=Rest(name="observation.arg.reason", optional=True, default=""),
)


def end_timer(number: int) -> str:
    """The key of file ``number``'s end reminder."""
    return f"end:{number}"


def _reminded_at(ctx: Context, file: Observation) -> datetime:
    """When the end of ``file``'s period is reminded: its last day at ``remind_at``, or now."""
    at = datetime.strptime(shown.settings(ctx).remind_at, "%H:%M").time()
    when = datetime.combine(file.end, at, tzinfo=shown.zone(ctx))
    return max(when, ctx.now())


async def open_file(ctx: Context) -> list[Action]:
    """Open a file for the person the arguments name; tell them privately."""
    _ = ctx._
    args = OPEN.read(ctx)
    person = args.person
    home = await ctx.call("joining_household", person_id=person.id)
    shown_name = excerpt(person.name or ctx.handle_of(person) or person.id, 40)
    if not isinstance(home, dict):
        return [ctx.reply(_("observation.no_household", name=shown_name))]
    building = str(home.get("building", ""))
    if not shown.serves(ctx, building):
        name = building_name(ctx.community, building, _)
        return [ctx.reply(_("observation.not_your_building", building=name))]
    key = stored_person(person.id)
    held = await Observation.get_or_none(person=key, open=True)
    if held is not None:
        return [ctx.reply(_("observation.already_open", name=shown_name, number=held.number))]
    reason = storable(args.reason)[:REASON_LENGTH]
    days = args.days or shown.settings(ctx).days
    start, now = shown.today(ctx), ctx.now()
    file = Observation(
        number=await ctx.number(SEQUENCE),
        person=key,
        name=shown_name,
        building=building,
        room=str(home.get("room", "")),
        reason=reason,
        worker=stored_person(ctx.person.id),
        start=start,
        end=start + timedelta(days=days - 1),
        opened_at=now,
    )
    ctx.writes.add(file)
    ctx.timers(shown.PLUGIN).at(end_timer(file.number), _reminded_at(ctx, file), {})
    ctx.audit("create", f"person:{person.id}", detail=f"observation {file.number}")
    actions = [
        ctx.reply(
            _.plural(
                "observation.opened",
                days,
                number=file.number,
                who=shown.where(_, ctx, file),
                start=shown.day(_, file.start),
                end=shown.day(_, file.end),
                days=days,
            )
        )
    ]
    theirs = ctx.translator(person)
    told = ctx.tell(
        person,
        theirs.plural(
            "observation.told_opened",
            days,
            worker=excerpt(ctx.person.name or ctx.person.id, 40),
            start=shown.day(theirs, file.start),
            end=shown.day(theirs, file.end),
            days=days,
        ),
    )
    return actions + ([told] if told is not None else [])


async def my_files(ctx: Context) -> list[Action]:
    """The sender's open files: who, where, day N of M, the last temperature, the end."""
    _ = ctx._
    files = await Observation.filter(worker=stored_person(ctx.person.id), open=True).order_by(
        "number"
    )
    if not files:
        return [ctx.reply(_("observation.none_open"))]
    today = shown.today(ctx)
    lines = [_("observation.list", count=len(files))]
    for file in files:
        found = await shown.series(ctx, _, file, file.start, min(today, file.end))
        last = (
            _(
                "observation.last",
                reading=shown.reading(_, found[max(found)]),
                day=shown.day(_, max(found)),
            )
            if found
            else _("observation.no_reading")
        )
        lines.append(
            _(
                "observation.line",
                number=file.number,
                who=shown.where(_, ctx, file),
                day=shown.day_of(file, today),
                days=shown.length(file),
                last=last,
                end=shown.day(_, file.end),
            )
        )
    lines.append(_("observation.list_hint"))
    return [ctx.reply("\n".join(lines))]


async def _readable(ctx: Context, number: int) -> Observation | str:
    """File ``number`` if the sender keeps it or serves its building, else what to answer."""
    _ = ctx._
    file = await Observation.get_or_none(number=number)
    if file is None:
        return _("observation.no_file", number=number)
    if file.worker != stored_person(ctx.person.id) and not shown.serves(ctx, file.building):
        name = building_name(ctx.community, file.building, _)
        return _("observation.not_your_file", number=number, building=name)
    return file


async def show_file(ctx: Context, number: int) -> list[Action]:
    """One file: the period, the reason, the temperature series day by day, the requests."""
    _ = ctx._
    file = await _readable(ctx, number)
    if isinstance(file, str):
        return [ctx.reply(file)]
    today = shown.today(ctx)
    last = min(today, file.end) if file.open else min(file.end, _ended_day(ctx, file))
    found = await shown.series(ctx, _, file, file.start, last)
    state = "observation.state_open" if file.open else "observation.state_ended"
    lines = [
        _.plural(
            "observation.file",
            shown.length(file),
            number=file.number,
            who=shown.where(_, ctx, file),
            start=shown.day(_, file.start),
            end=shown.day(_, file.end),
            days=shown.length(file),
            state=_(state),
        )
    ]
    if file.reason:
        lines.append(_("observation.reason", reason=file.reason))
    lines.append(_("observation.series"))
    when = file.start
    while when <= last:
        reading = found.get(when)
        lines.append(
            _(
                "observation.series_line",
                day=shown.day(_, when),
                n=shown.day_of(file, when),
                reading=shown.reading(_, reading) if reading else _("observation.not_reported"),
            )
        )
        when += timedelta(days=1)
    needs = await Need.filter(file=file.number).order_by("at")
    if needs:
        lines.append(_("observation.needs"))
        for need in needs:
            lines.append(
                _(
                    "observation.need_line",
                    day=shown.day(_, shown.local(ctx, need.at).date()),
                    kind=_(f"observation.kind.{need.kind}"),
                    detail=need.detail,
                )
            )
    ctx.audit("read", f"person:{file.person}", detail=f"observation {file.number}")
    return [ctx.reply("\n".join(lines))]


def _ended_day(ctx: Context, file: Observation) -> date:
    """The day an ended file was ended (its last day if it has none)."""
    return shown.local(ctx, file.ended_at).date() if file.ended_at else file.end


async def end_file(ctx: Context, typed: str) -> list[Action]:
    """``/observe end <n>``: end the file, cancel its reminder, tell the person."""
    _ = ctx._
    found = shown.number(typed)
    if found is None:
        return [ctx.reply(_("observation.usage.end"))]
    file = await _readable(ctx, found)
    if isinstance(file, str):
        return [ctx.reply(file)]
    if not file.open:
        return [ctx.reply(_("observation.already_ended", number=file.number))]
    now = ctx.now()
    number = file.number
    ctx.writes.run(
        lambda db: Observation.filter(number=number).using_db(db).update(open=False, ended_at=now)
    )
    ctx.timers(shown.PLUGIN).cancel(end_timer(number))
    ctx.audit("close", f"person:{file.person}", detail=f"observation {number}")
    actions = [ctx.reply(_("observation.ended", number=number, who=shown.where(_, ctx, file)))]
    person = shown.person_of(ctx, file)
    if person is not None:
        told = ctx.tell(person, ctx.translator(person)("observation.told_ended"))
        if told is not None:
            actions.append(told)
    return actions
