"""How a case reads to staff (privately) and to its client, in the reader's language."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta

from sanshe.core import people, spans
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.timers import utc

from .models import Case, CaseNote

#: At most this many notes are shown with a case (the latest).
NOTES_SHOWN = 10
CATEGORY_FIELDS = ("medical", "psychological", "other")


def zone(ctx: Context) -> ZoneInfo:
    """The community's time zone."""
    return ZoneInfo(ctx.community.community.timezone)


def moment(ctx: Context, _: Translator, when: datetime | None) -> str:
    """``when`` on the community's clock (``12月2日周三 14:00``), or a dash for none."""
    if when is None:
        return "—"
    where, when = zone(ctx), utc(when)
    return f"{spans.day(_, when.astimezone(where).date())} {spans.clock(when, where)}"


def spoken(_: Translator, length: timedelta) -> str:
    """``length`` in days, hours and minutes in the reader's language (``1小时 5分钟``)."""
    minutes = max(0, math.ceil(length.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (
        ("day", days),
        ("hour", hours),
        ("minute", minutes),
    )
    shown = [
        format_timedelta(
            timedelta(**{f"{unit}s": count}), granularity=unit, threshold=math.inf, locale=_.locale
        )
        for unit, count in parts
        if count
    ]
    return " ".join(shown) or format_timedelta(
        timedelta(minutes=0), granularity="minute", threshold=math.inf, locale=_.locale
    )


def group_name(ctx: Context, group_id: str | None) -> str:
    """A group's name (its id if the file no longer has it), or a dash for none."""
    if group_id is None:
        return "—"
    group = ctx.community.group(group_id)
    return group.name if group is not None else group_id


def person_name(ctx: Context, stored: str | None) -> str:
    """How staff are named: their name, else their id; a dash for nobody."""
    if not stored:
        return "—"
    return people.name_of(ctx, stored)


def status(_: Translator, case: Case) -> str:
    """The case's state in words: waiting, being served in a tier, or closed."""
    if case.status == "closed":
        return _("cases.status.closed")
    return _(f"cases.status.{case.tier}")


def category(_: Translator, key: str) -> str:
    """A category (medical, psychological, other) in words."""
    return _(f"cases.category.{key}")


def source(_: Translator, key: str) -> str:
    """How the case came (request, referral, crisis) in words."""
    return _(f"cases.source.{key}")


def line(ctx: Context, case: Case) -> str:
    """One line of a list of cases: number, state, category, group, client, follow-up."""
    _ = ctx._
    text = _(
        "cases.line",
        number=case.number,
        status=status(_, case),
        category=category(_, case.category),
        group=group_name(ctx, case.group),
        name=case.name or "—",
    )
    if case.follow_up_at is not None:
        due = utc(case.follow_up_at)
        key = "cases.line.overdue" if due <= ctx.now() else "cases.line.follow_up"
        text += _(key, when=moment(ctx, _, due))
    return text


def note_line(ctx: Context, note: CaseNote) -> str:
    """One dated entry of form 5: when, the category, what was done, by whom."""
    _ = ctx._
    for key in CATEGORY_FIELDS:
        content = str(getattr(note, key))
        if content:
            return _(
                "cases.note_line",
                when=moment(ctx, _, note.at),
                category=category(_, key),
                text=content,
                by=person_name(ctx, note.by),
            )
    return ""


def full(ctx: Context, case: Case, notes: list[CaseNote]) -> str:
    """The whole case as staff read it privately (forms 3 and 5): never for a group."""
    _ = ctx._
    lines = [
        _("cases.shown.title", number=case.number, status=status(_, case)),
        _("cases.shown.client", name=case.name or "—"),
        _(
            "cases.shown.came",
            source=source(_, case.source),
            origin=group_name(ctx, case.origin),
            category=category(_, case.category),
        ),
        _(
            "cases.shown.served",
            tier=_(f"cases.tier.{case.tier}"),
            group=group_name(ctx, case.group),
            owner=person_name(ctx, case.owner),
        ),
        _(
            "cases.shown.times",
            requested=moment(ctx, _, case.requested_at),
            replied=moment(ctx, _, case.first_reply_at),
            routed=moment(ctx, _, case.routed_at),
            closed=moment(ctx, _, case.closed_at),
        ),
    ]
    if case.reason:
        lines.append(_("cases.shown.reason", reason=case.reason))
    if case.result:
        lines.append(_("cases.shown.result", result=case.result))
    if case.follow_up_at is not None:
        lines.append(_("cases.shown.follow_up", when=moment(ctx, _, case.follow_up_at)))
    if notes:
        lines.append(_("cases.shown.notes", count=len(notes)))
        lines += [f"• {note_line(ctx, note)}" for note in notes[-NOTES_SHOWN:]]
    else:
        lines.append(_("cases.shown.no_notes"))
    return "\n".join(lines)


def for_client(ctx: Context, case: Case) -> str:
    """What a client reads of their own case: its number and state."""
    _ = ctx._
    return _("cases.shown.own", number=case.number, status=status(_, case))
