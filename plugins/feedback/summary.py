"""The summary of the residents' suggestions: per building, how many and what they say, with
personal data masked and nobody named.

Every week (``weekday`` at ``at``) it is posted in the prevention work groups' chats for the
seven days before that day; staff ask for it now, privately, with ``/suggestions [days]``.
A timer of core, set again at each firing for the next week: a summary due while the bot
was stopped still comes at start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Word
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Community
from sanshe.core.names import building_name
from sanshe.core.privacy import MASK, excerpt, found_in, readable
from sanshe.core.services import Services
from sanshe.core.storage.models import Timer
from sanshe.core.timers import Due, utc

from .models import Suggestion
from .settings import FeedbackSettings

#: The plugin's name: its timers' owner.
PLUGIN = "feedback"
#: The weekly timer's key.
WEEKLY = "weekly"
#: The days a summary covers.
WEEK = 7
#: The most days ``/suggestions`` looks back.
LONGEST = 90
#: How many suggestions of a building are quoted (the rest are counted).
QUOTED = 30
#: How long a quoted suggestion may be, in characters.
QUOTE = 300
#: The shortest name masked in a suggestion (a one-character name would mask ordinary words).
SHORTEST_NAME = 2
#: The prevention work group's kind.
PREVENTION = "prevention_work"

SUGGESTIONS = Arguments(
    usage="feedback.usage_staff", days=Word(name="feedback.name.days", optional=True)
)


def following(settings: FeedbackSettings, moment: datetime, zone: ZoneInfo) -> datetime:
    """The first ``weekday`` at ``at`` after ``moment``, in the community's time zone (UTC)."""
    at = time.fromisoformat(settings.at)
    day = moment.astimezone(zone).date()
    while True:
        due = datetime.combine(day, at, zone).astimezone(UTC)
        if day.weekday() == settings.day_number and due > moment:
            return due
        day += timedelta(days=1)


def _schedule(ctx: Context, after: datetime) -> None:
    zone = ZoneInfo(ctx.community.community.timezone)
    ctx.timers(PLUGIN).at(WEEKLY, following(ctx.settings(FeedbackSettings), after, zone))


async def keep_timer(services: Services) -> None:
    """Keep the weekly timer on ``weekday`` at ``at``: set it when there is none or the settings
    moved it (one left from before, maybe due while stopped, stays as it is)."""
    settings = services.settings(FeedbackSettings)
    zone = ZoneInfo(services.community.community.timezone)
    kept = await Timer.get_or_none(plugin=PLUGIN, key=WEEKLY)
    if kept is not None:
        local = utc(kept.due_at).astimezone(zone)
        if local.weekday() == settings.day_number and local.strftime("%H:%M") == settings.at:
            return
    await services.act(PLUGIN, lambda ctx: _schedule(ctx, ctx.now()))


def _named(_: Translator, community: Community, building: str) -> str:
    """How the building is named (``1号楼``): its name in the file, else its id (no building:
    that none is known)."""
    if not building:
        return _("feedback.no_building")
    return building_name(community, building, _)


async def residents_names(ctx: Context, suggestions: Iterable[Suggestion]) -> list[str]:
    """The names that must not be read in a summary: of those who wrote, and of the households
    (and their members) of the buildings written about; the longest first."""
    names: set[str] = set()
    buildings: set[str] = set()
    for suggestion in suggestions:
        names.add(people.name_of(ctx, str(suggestion.person), unknown=""))
        buildings.add(suggestion.building)
    for building in filter(None, buildings):
        for answer in await ctx.call("joining_households", building=building):
            for home in answer:
                names.add(str(home.get("household", "")))
                names.add(people.name_of(ctx, str(home.get("person", "")), unknown=""))
    return sorted((n for n in names if len(n) >= SHORTEST_NAME), key=len, reverse=True)


def masked(text: str, names: Iterable[str]) -> str:
    """``text`` as a summary quotes it: residents' names, exact addresses, phone, ID and card
    numbers and other long numbers masked, short."""
    text = readable(text)
    for name in names:
        text = text.replace(name, MASK)
    addresses = found_in(text, ("address",))
    for found in reversed(addresses):
        text = text[: found.start] + MASK + text[found.end :]
    return excerpt(" ".join(text.split()), QUOTE)


def _day(_: Translator, moment: datetime, zone: ZoneInfo) -> str:
    return format_skeleton("MMMd", moment.astimezone(zone).date(), locale=_.locale)


async def written(ctx: Context, _: Translator, start: datetime, end: datetime) -> str:
    """The summary of the suggestions sent from ``start`` to ``end`` (excluded), in ``_``'s
    language: per building, how many, and each quoted masked; nobody named."""
    found = await Suggestion.filter(at__gte=start, at__lt=end).order_by("at", "id")
    zone = ZoneInfo(ctx.community.community.timezone)
    first, last = _day(_, start, zone), _day(_, end - timedelta(seconds=1), zone)
    if not found:
        return _("feedback.summary_none", first=first, last=last)
    names = await residents_names(ctx, found)
    by_building: dict[str, list[Suggestion]] = {}
    for suggestion in found:
        by_building.setdefault(suggestion.building, []).append(suggestion)
    order = {b.id: n for n, b in enumerate(ctx.community.buildings)}
    lines = [_("feedback.summary", first=first, last=last, count=len(found))]
    for building in sorted(by_building, key=lambda b: (not b, order.get(b, len(order)), b)):
        theirs = by_building[building]
        name = _named(_, ctx.community, building)
        lines.append(_("feedback.summary_building", building=name, count=len(theirs)))
        lines += [_("feedback.summary_line", text=masked(s.text, names)) for s in theirs[:QUOTED]]
        if len(theirs) > QUOTED:
            lines.append(_("feedback.summary_more", count=len(theirs) - QUOTED))
    return "\n".join(lines)


async def fire(ctx: Context, timer: Due) -> list[Action]:
    """The summary of the seven days before the timer's day, posted in the prevention work
    groups' chats; the next week's timer set."""
    zone = ZoneInfo(ctx.community.community.timezone)
    due = utc(timer.due)
    _schedule(ctx, max(due, ctx.now()))
    midnight = datetime.combine(due.astimezone(zone).date(), time(), zone)
    text = await written(ctx, ctx.everyone, midnight - timedelta(days=WEEK), midnight)
    groups = [g for g in ctx.community.groups if g.kind == PREVENTION]
    return [place.reply(text) for group in groups for place in ctx.in_chats_of(group)]


def is_staff(ctx: Context) -> bool:
    """Whether the sender holds a staff role community-wide or in a prevention work group."""
    staff = ctx.settings(FeedbackSettings).staff
    return any(people.holds_community_wide_or_in(ctx, role, (PREVENTION,)) for role in staff)


async def suggestions(ctx: Context) -> Action:
    """``/suggestions [days]``: the summary of today and the days before (a week in all by
    default), privately, for staff."""
    _ = ctx._
    if not is_staff(ctx):
        roles = _.join(ctx.role_name(r) for r in ctx.settings(FeedbackSettings).staff)
        return ctx.reply(_("feedback.staff_only", roles=roles))
    typed = SUGGESTIONS.read(ctx).days
    days = WEEK
    if typed is not None:
        plain = typed.strip().removesuffix("天").removesuffix("d")
        if not plain.isdigit() or not 1 <= int(plain) <= LONGEST:
            raise SUGGESTIONS.error(ctx, "feedback.bad_days", word=excerpt(typed), longest=LONGEST)
        days = int(plain)
    zone = ZoneInfo(ctx.community.community.timezone)
    tomorrow = ctx.now().astimezone(zone).date() + timedelta(days=1)
    end = datetime.combine(tomorrow, time(), zone)
    return ctx.reply(await written(ctx, _, end - timedelta(days=days), end))
