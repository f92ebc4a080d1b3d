"""The missing-report list: every day at ``list_at``, each building's leaders get privately the
households that have not reported that day, and those households' members a private reminder.

A daily timer of core (so it comes also when the bot was stopped over the moment: at start,
the same day); a building whose households have all reported, or that has none, is told
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Community
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due, utc

from . import staff
from .models import Checkin
from .reporting import zone
from .settings import CheckinSettings

#: The plugin's name: its timers' owner.
PLUGIN = "checkins"
#: The key of the daily timer.
LIST = "list"
#: At most this many households are listed in one message (the rest are counted).
LISTED = 100


def buildings(community: Community) -> list[str]:
    """The buildings: those the file lists, then those of resident groups."""
    known = [b.id for b in community.buildings]
    for group in community.groups:
        if group.building and group.building not in known:
            if community.member_role(group.kind) == "resident":
                known.append(group.building)
    return known


async def reported(day: date) -> set[str]:
    """Who reported on ``day`` (``stored_person`` keys)."""
    return {str(p) for p in await Checkin.filter(day=day).values_list("person", flat=True)}


async def missing(ctx: Context, building: str, done: set[str]) -> list[list[dict[str, str]]]:
    """The households of ``building`` none of whose members is in ``done``: for each, its
    members (as the ``joining_households`` hook gives them), in the building's room order."""
    answers: Iterable[Iterable[dict[str, str]]] = await ctx.call(
        "joining_households", building=building
    )
    rooms: dict[str, list[dict[str, str]]] = {}
    for home in (home for answer in answers for home in answer):
        rooms.setdefault(str(home.get("room", "")), []).append(home)
    listed = ctx.community.building(building)
    order = {room: n for n, room in enumerate(listed.room_list() if listed else ())}
    return [
        members
        for room, members in sorted(
            rooms.items(), key=lambda r: (order.get(r[0], len(order)), r[0])
        )
        if not any(stored_person(m.get("person", "")) in done for m in members)
    ]


def _listing(_: Translator, ctx: Context, building: str, absent: list[list[dict[str, str]]]) -> str:
    """A leader's list of ``building``'s households that have not reported."""
    lines = [
        _.plural(
            "checkins.missing", len(absent), building=building_name(ctx.community, building, _)
        )
    ]
    for members in absent[:LISTED]:
        first = members[0]
        names = _.join(
            excerpt(people.name_of(ctx, m.get("person", ""), unknown="—"), 40) for m in members
        )
        lines.append(
            _(
                "checkins.missing_line",
                room=excerpt(first.get("room", ""), 20) or "—",
                household=excerpt(first.get("household", ""), 40) or "—",
                members=names,
            )
        )
    if len(absent) > LISTED:
        lines.append(_.plural("checkins.missing_more", len(absent) - LISTED))
    return "\n".join(lines)


async def fire(ctx: Context, timer: Due) -> list[Action]:
    """The lists and the reminders of the day the timer fell due (nothing once that day is over)."""
    where = zone(ctx)
    day = utc(timer.due).astimezone(where).date()
    if ctx.now().astimezone(where).date() != day:
        return []
    settings = ctx.settings(CheckinSettings)
    done = await reported(day)
    actions: list[Action] = []
    for building in buildings(ctx.community):
        absent = await missing(ctx, building, done)
        if not absent:
            continue
        for leader in staff.leaders(ctx, building):
            told = ctx.tell(leader, _listing(ctx.translator(leader), ctx, building, absent))
            if told is not None:
                actions.append(told)
        for members in absent:
            for member in members:
                person = people.current_by_id(ctx, member.get("person", ""))
                if person is None:
                    continue
                _ = ctx.translator(person)
                told = ctx.tell(person, _("checkins.reminder", window=settings.window))
                if told is not None:
                    actions.append(told)
    return actions
