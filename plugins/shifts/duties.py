"""What the shifts plugin's timers do when they fire (see :mod:`.timing` for when).

A firing's context has no sender: people are written to privately with
``context.tell`` in their own language, the volunteer pool in its chats with
``context.in_chats_of``.  A reminder or a prompt that fires long after its
time (the bot was stopped) is not sent; the end of a shift is always reported
to the ``shifts_shift_ended`` hook, so that the handover and the hours follow.
Only claimers who hold the role of their claim in the shift's group count
(:class:`~.roster.RolesNow`): one whose grant was revoked or ended is neither
reminded, flagged, told nor counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sanshe.core import people, spans
from sanshe.core.actions import Action
from sanshe.core.context import Context, roles_in
from sanshe.core.model import Person
from sanshe.core.plugins import as_actions
from sanshe.core.timers import Due

from . import planning, shown, timing
from .roster import PROFESSIONALS, ROSTER, RolesNow, Shift
from .settings import ShiftSettings

log = logging.getLogger(__name__)

#: A reminder or prompt later than this is not sent (the moment it was for is gone).
STALE = timedelta(hours=1)
#: From a shift's end back to its last instant: who held their role then served it to the end.
LAST = timedelta(microseconds=1)


async def fire(context: Context, timer: Due) -> list[Action]:
    """Do what timer ``timer`` of the plugin is for."""
    kind, _colon, rest = timer.key.partition(":")
    if kind == "plan":
        await planning.plan(context)
        return []
    if kind == "announce":
        return announce(context, timing.announced_start(timer.key))
    shift = ROSTER.shift(int(rest)) if rest.isdigit() else None
    if shift is None:
        return []
    if kind == "remind":
        return remind(context, shift) if context.now() < shift.start else []
    if kind == "check":
        return no_shows(context, shift) if context.now() < shift.end else []
    if kind == "end":
        return await ended(context, shift, prompt=timer.late <= STALE)
    return []


def _person(context: Context, person_id: str) -> Person | None:
    return people.current_by_id(context, person_id)


def _told(messages: Iterable[Action | None]) -> list[Action]:
    return [m for m in messages if m is not None]


def remind(context: Context, shift: Shift) -> list[Action]:
    """Each claimer of ``shift``: it starts soon, in which role, and how to say they are there."""
    where = shown.zone(context.community)
    roles, group = RolesNow.of(context), context.community.group(shift.group)
    told = []
    for claim in shift.claims.values():
        person = _person(context, claim.person)
        if person is None or not roles.holds(claim, group, shift.start):
            continue
        _ = context.translator(person)
        text = _(
            "shifts.remind",
            shift=shown.shift(_, context.community, shift),
            start=spans.clock(shift.start, where),
            role=shown.role(_, context.community, claim.role),
        )
        told.append(context.tell(person, text))
    return _told(told)


def no_shows(context: Context, shift: Shift) -> list[Action]:
    """Professionals on ``shift`` who have not appeared, flagged privately to its secretary
    (the general volunteer on it), else to the group's social worker."""
    now = context.now()
    serving = RolesNow.of(context).serving(shift, now)
    absent = {
        pid: role
        for pid, role in serving.items()
        if role in PROFESSIONALS and shift.claims[pid].arrived is None
    }
    group = context.community.group(shift.group)
    if not absent or group is None:
        return []
    told_to = [pid for pid, role in serving.items() if role == "general_volunteer"]
    if not told_to:
        told_to = [
            pid for pid, role in serving.items() if role == "social_worker" and pid not in absent
        ]
    if not told_to:
        told_to = [
            p.id
            for p in people.everyone(context)
            if p.id not in absent
            and "social_worker" in roles_in(context.community, p, group, member=False, now=now)
        ]
    settings = context.settings(ShiftSettings)
    told = []
    for person_id in told_to:
        person = _person(context, person_id)
        if person is None:
            continue
        _ = context.translator(person)
        text = _(
            "shifts.no_show",
            shift=shown.shift(_, context.community, shift),
            people=shown.staff(context, _, absent),
            after=shown.length(_, settings.grace),
        )
        told.append(context.tell(person, shown.sentence(text)))
    if not told_to:
        log.warning("shift %s: nobody to tell that a professional did not appear", shift.number)
    return _told(told)


def announce(context: Context, start: datetime) -> list[Action]:
    """The under-staffed shifts starting at ``start``, posted in the volunteer pool's chats."""
    if context.now() >= start:
        return []
    wanting = sorted(
        (s for s in ROSTER.shifts.values() if s.start == start and s.missing()),
        key=lambda s: s.number,
    )
    if not wanting:
        return []
    community = context.community
    _ = context._
    lines = [
        shown.sentence(
            _(
                "shifts.announce.line",
                shift=shown.shift(_, community, s),
                missing=shown.missing(_, community, s.missing()),
            )
        )
        for s in wanting
    ]
    text = _("shifts.announce", lines="\n".join(lines))
    pools = [g for g in community.groups if g.kind == "volunteer_pool"]
    return [place.reply(text) for pool in pools for place in context.in_chats_of(pool)]


async def ended(context: Context, shift: Shift, *, prompt: bool) -> list[Action]:
    """``shift`` is over: its claimers thanked (``prompt``), then ``shifts_shift_ended`` called
    with who served, who did not appear and who comes next; what its implementations answer
    is performed with the firing."""
    group = context.community.group(shift.group)
    if group is None:
        return []
    roles = RolesNow.of(context)
    serving = roles.serving(shift, shift.end - LAST)
    following = ROSTER.next_after(shift)
    incoming = roles.serving(following, following.start) if following is not None else {}
    next_start = following.start if following is not None else None
    actions = _thanks(context, shift, serving, following, incoming) if prompt else []
    arrived = {pid: when for pid in serving if (when := shift.claims[pid].arrived) is not None}
    answers = await context.call(
        "shifts_shift_ended",
        context=context,
        group=group,
        shift=str(shift.number),
        start=shift.start,
        end=shift.end,
        served={pid: role for pid, role in serving.items() if pid in arrived},
        arrived=arrived,
        absent={pid: role for pid, role in serving.items() if pid not in arrived},
        incoming=incoming,
        next_start=next_start,
    )
    for answer in answers:
        try:
            actions.extend(as_actions(answer))
        except TypeError:
            log.error("a shifts_shift_ended implementation answered something that is not actions")
    return actions


def _thanks(
    context: Context,
    shift: Shift,
    serving: Iterable[str],
    following: Shift | None,
    incoming: Mapping[str, str],
) -> list[Action]:
    """Those ``serving`` ``shift`` to its end who appeared: it is over, thank you, and who takes
    over (``incoming``: the claimers of ``following``); those who never appeared: it ended
    without them."""
    where = shown.zone(context.community)
    told = []
    for person_id in serving:
        person = _person(context, person_id)
        if person is None:
            continue
        _ = context.translator(person)
        name = shown.shift(_, context.community, shift)
        if shift.claims[person_id].arrived is None:
            told.append(context.tell(person, shown.sentence(_("shifts.ended.absent", shift=name))))
            continue
        lines = [shown.sentence(_("shifts.ended", shift=name))]
        if following is not None:
            start = spans.clock(following.start, where)
            if incoming:
                names = shown.staff(context, _, incoming)
                lines.append(_("shifts.ended.next", start=start, people=names))
            else:
                lines.append(_("shifts.ended.next_open", start=start))
        told.append(context.tell(person, "\n".join(lines)))
    return _told(told)
