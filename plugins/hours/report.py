"""``/hours [person]``: one's own service hours; everyone's, or one person's, for a social worker."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Person
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Person as PersonModel
from sanshe.core.names import kind_name
from sanshe.core.storage.models import stored_person

from .models import HoursEntry

HOURS = Arguments(usage="hours.usage", person=Person(optional=True))
#: At most this many people are listed in the totals (the rest are counted).
LISTED = 50
#: Who sees everyone's hours: this role community-wide, or in a group of the volunteer pool.
OVERSEER = "social_worker"
POOL = "volunteer_pool"

Key = TypeVar("Key", bound=Hashable)


async def show_hours(ctx: Context) -> list[Action]:
    """Privately: the sender's own hours, a named person's (for a social worker), or everyone's."""
    _ = ctx._
    target: PersonModel | None = HOURS.read(ctx).person
    overseer = people.holds_community_wide_or_in(ctx, OVERSEER, (POOL,))
    if target is None and overseer:
        text = await _everyone(ctx)
    elif target is None or target.id == ctx.person.id:
        text = await _person(ctx, ctx.person, own=True)
    elif overseer:
        text = await _person(ctx, target, own=False)
    else:
        pool = kind_name(ctx.community, POOL, _)
        return [ctx.reply(_("hours.refused", role=ctx.role_name(OVERSEER), pool=pool))]
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(_("hours.sent_private")), ctx.direct(text)]


def length(_: Translator, seconds: float) -> str:
    """A length of time in hours and minutes (``3小时30分钟``, ``3 h 30 min``)."""
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours and minutes:
        return _("hours.length_hm", hours=hours, minutes=minutes)
    if hours:
        return _("hours.length_h", hours=hours)
    return _("hours.length_m", minutes=minutes)


def _shifts(_: Translator, count: int) -> str:
    return _.plural("hours.shifts", count)


def totals(
    entries: Iterable[HoursEntry], by: Callable[[HoursEntry], Key]
) -> dict[Key, tuple[float, int]]:
    """Seconds served and shifts counted, by what ``by`` says of each entry (its person, its
    group, its month)."""
    found: dict[Key, tuple[float, int]] = {}
    for entry in entries:
        seconds, count = found.get(by(entry), (0.0, 0))
        found[by(entry)] = (seconds + entry.seconds, count + 1)
    return found


async def _person(ctx: Context, person: PersonModel, own: bool) -> str:
    """One person's total, then per group."""
    _ = ctx._
    name = person.name or person.id
    entries = await HoursEntry.filter(person=stored_person(person.id))
    if not entries:
        return _("hours.none_own") if own else _("hours.none", name=name)
    groups = totals(entries, lambda e: e.group_id)
    total = sum(seconds for seconds, _count in groups.values())
    shifts = _shifts(_, len(entries))
    title = (
        _("hours.own", length=length(_, total), shifts=shifts)
        if own
        else _("hours.of", name=name, length=length(_, total), shifts=shifts)
    )
    lines = [title]
    for group_id, (seconds, count) in sorted(groups.items()):
        group = ctx.community.group(group_id)
        lines.append(
            _(
                "hours.line",
                name=group.name if group else group_id,
                length=length(_, seconds),
                shifts=_shifts(_, count),
            )
        )
    return "\n".join(lines)


async def _everyone(ctx: Context) -> str:
    """Everyone's totals, the most hours first."""
    _ = ctx._
    served = totals(await HoursEntry.all(), lambda e: e.person)
    if not served:
        return _("hours.none_anyone")
    rows = sorted(((-s, people.name_of(ctx, p), s, n) for p, (s, n) in served.items()))
    all_seconds = sum(s for _order, _n, s, _c in rows)
    lines = [_("hours.everyone", count=len(rows), length=length(_, all_seconds))]
    for _order, name, seconds, count in rows[:LISTED]:
        lines.append(
            _("hours.line", name=name, length=length(_, seconds), shifts=_shifts(_, count))
        )
    if len(rows) > LISTED:
        lines.append(_("hours.more", count=len(rows) - LISTED))
    return "\n".join(lines)
