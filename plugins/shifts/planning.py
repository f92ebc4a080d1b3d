"""Planning the roster: the shifts the templates give, ``plan_days`` ahead, numbered and stored.

Run at start-up, every day at 00:00 local time and when the community changes
(a reload may bring other templates).  A shift the templates give that is not
planned yet is stored under the next number of the ``shift`` sequence (in
order of start), with its timers; a shift still to come that the templates no
longer give goes if nobody claimed it (a claimed one stays); a shift still to
come whose places changed gets the new ones.  Shifts ended more than
:data:`KEPT` ago are deleted with their claims.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sanshe.core.context import Context

from . import stored, timing
from .models import StoredClaim, StoredShift, SwapOffer
from .roster import ROSTER, Planned, planned
from .settings import ShiftSettings
from .shown import zone

#: How long an ended shift and its claims are kept (``/shifts`` of the past week).
KEPT = timedelta(days=7)


async def plan(ctx: Context, *, again: bool = False) -> None:
    """Bring the stored roster in line with the templates, with ``ctx``'s writes.

    ``again``: set the announcements of the shifts planned already once more
    (``announce_before`` may have changed).
    """
    settings = ctx.settings(ShiftSettings)
    community, now = ctx.community, ctx.now()
    today = now.astimezone(zone(community)).date()
    order = {group.id: i for i, group in enumerate(community.groups)}
    wanted: dict[tuple[str, datetime, datetime], Planned] = {}
    # From yesterday: a night shift begun then may be under way.
    for given in planned(community, settings, today - timedelta(days=1), settings.plan_days + 1):
        if given.end > now:
            wanted.setdefault((given.group, given.start, given.end), given)
    have = {(s.group, s.start, s.end): s for s in ROSTER.shifts.values() if s.end > now}
    for key, shift in have.items():
        found = wanted.get(key)
        if found is None:
            if shift.start > now and not shift.claims:
                stored.drop_shift(ctx, shift)
                timing.forget_shift(ctx, shift.number)
            continue
        if shift.start > now and dict(found.needs) != shift.needs:
            stored.change_needs(ctx, shift, dict(found.needs))
        if again:
            timing.schedule_shift(ctx, shift, settings)
    new = sorted(
        (p for key, p in wanted.items() if key not in have),
        key=lambda p: (p.start, order.get(p.group, 0), p.end),
    )
    for planned_shift in new:
        number = await ctx.number("shift")
        timing.schedule_shift(ctx, stored.add_shift(ctx, number, planned_shift), settings)
    _prune(ctx, now - KEPT)


def _prune(ctx: Context, cutoff: datetime) -> None:
    """Delete the shifts that ended before ``cutoff``, with their claims and swaps."""
    old = [s.number for s in ROSTER.shifts.values() if s.end < cutoff]
    if not old:
        return
    ctx.writes.run(lambda db: StoredClaim.filter(shift__in=old).using_db(db).delete())
    ctx.writes.run(lambda db: SwapOffer.filter(shift__in=old).using_db(db).delete())
    ctx.writes.run(lambda db: StoredShift.filter(id__in=old).using_db(db).delete())

    def pruned() -> None:
        for number in old:
            ROSTER.drop(number)

    ctx.writes.after(pruned)
