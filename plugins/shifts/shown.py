"""How shifts, times and people are written for a reader, in their language and the community's
time zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Community
from sanshe.core.names import role_name

from .roster import Shift


def zone(community: Community) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(community.community.timezone)


def day(_: Translator, on: date) -> str:
    """A day with its weekday, as the reader's language writes it: ``12月2日周三``, ``Wed, Dec 2``."""
    return format_skeleton("MMMEd", on, locale=_.locale)


def clock(moment: datetime, where: ZoneInfo, *, end: bool = False) -> str:
    """``HH:MM`` local time; an end at midnight is ``24:00`` (of the day before)."""
    local = moment.astimezone(where)
    text = local.strftime("%H:%M")
    return "24:00" if end and text == "00:00" else text


def shift(_: Translator, community: Community, found: Shift) -> str:
    """The shift as people name it: its number, group, day and times."""
    where = zone(community)
    group = community.group(found.group)
    return _(
        "shifts.shift",
        number=found.number,
        group=group.name if group else found.group,
        day=day(_, found.start.astimezone(where).date()),
        start=clock(found.start, where),
        end=clock(found.end, where, end=True),
    )


def length(_: Translator, span: timedelta) -> str:
    """A length of time in words: ``1小时30分钟`` / ``1 h 30 min``."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        _(f"shifts.length.{unit}", n=n)
        for unit, n in (("d", days), ("h", hours), ("m", minutes))
        if n
    ]
    return "".join(parts).strip() or _("shifts.length.m", n=0).strip()


def name(ctx: Context, person_id: str) -> str:
    """A person's name (their id if they have none), for a list of who is on a shift."""
    found = people.current_by_id(ctx, person_id)
    return (found.name or found.id) if found is not None else person_id


def role(_: Translator, community: Community, held: str) -> str:
    """A role's name in ``_``'s language."""
    return role_name(community, held, _)


def staff(ctx: Context, _: Translator, serving: Mapping[str, str]) -> str:
    """``王芳（社会工作者）、孙医生（医务志愿者）``: people with the role they serve in."""
    return _.join(
        _("shifts.person", name=name(ctx, pid), role=role(_, ctx.community, held))
        for pid, held in serving.items()
    )


def missing(_: Translator, community: Community, free: Mapping[str, int]) -> str:
    """``医务志愿者 1、心理咨询志愿者 1``: the places a shift still needs."""
    return _.join(
        _("shifts.places", role=role(_, community, held), n=n) for held, n in free.items()
    )
