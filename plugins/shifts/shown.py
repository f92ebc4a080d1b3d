"""How shifts, times and people are written for a reader, in their language and the community's
time zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from sanshe.core import people, spans
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Community
from sanshe.core.names import role_name

from .roster import Shift


def zone(community: Community) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(community.community.timezone)


def shift(_: Translator, community: Community, found: Shift) -> str:
    """The shift as people name it: its number, group, day and times."""
    group = community.group(found.group)
    return _(
        "shifts.shift",
        number=found.number,
        group=group.name if group else found.group,
        **spans.span(_, zone(community), found.start, found.end),
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


def role(_: Translator, community: Community, held: str) -> str:
    """A role's name in ``_``'s language."""
    return role_name(community, held, _)


def staff(ctx: Context, _: Translator, serving: Mapping[str, str]) -> str:
    """``王芳（社会工作者）、孙医生（医务志愿者）``: people with the role they serve in."""
    return _.join(
        _("shifts.person", name=people.name_of(ctx, pid), role=role(_, ctx.community, held))
        for pid, held in serving.items()
    )


def missing(_: Translator, community: Community, free: Mapping[str, int]) -> str:
    """``医务志愿者 1、心理咨询志愿者 1``: the places a shift still needs."""
    return _.join(
        _("shifts.places", role=role(_, community, held), n=n) for held, n in free.items()
    )


def sentence(text: str) -> str:
    """``text`` as a sentence or a list's line begins: its first letter a capital (``shift 3 …
    has ended`` -> ``Shift 3 …``, ``• shift 5 …`` -> ``• Shift 5 …``); Chinese is left as it is."""
    for at, char in enumerate(text):
        if char.isalnum():
            return text[:at] + char.upper() + text[at + 1 :]
    return text
