"""``/stats``: open requests and how soon a human first answers them, per consultation group.

A case counts for the group answering for it (:func:`.access.serving_group`): the group
serving it, or before routing the group its origin escalates to, since that group's staff
are the ones to answer first.  The median runs over every case answered so far, from its
request to its first human reply.  Counts and times only: no one is named, so it may be
read wherever it is asked, by social workers and community workers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.timers import utc

from . import access, shown
from .models import Case

STATS = Arguments()


def commands() -> list[ChatCommand]:
    """The statistics command."""
    return [
        ChatCommand(
            "stats",
            show_stats,
            help="cases.help.stats",
            aliases=("统计",),
            arguments=STATS,
            shown_to=access.may_see_stats,
        )
    ]


@dataclass
class _Tally:
    """One group's requests: how many are open, waiting for a first reply, and reply times."""

    open: int = 0
    waiting: int = 0
    replies: list[timedelta] = field(default_factory=list)


async def show_stats(ctx: Context) -> Iterable[Action]:
    """``/stats``: per group, open requests, those not answered yet, the median first reply."""
    STATS.read(ctx)
    _ = ctx._
    if not access.may_see_stats(ctx):
        return [ctx.reply(_("cases.refused.stats"))]
    tallies: dict[str, _Tally] = {}
    for case in await Case.all().order_by("number"):
        group = access.serving_group(ctx, case)
        tally = tallies.setdefault(group.id if group is not None else "", _Tally())
        if case.status == "open":
            tally.open += 1
            tally.waiting += case.first_reply_at is None
        if case.first_reply_at is not None:
            tally.replies.append(utc(case.first_reply_at) - utc(case.requested_at))
    if not tallies:
        return [ctx.reply(_("cases.stats.none"))]
    lines = [_("cases.stats.title")]
    order = {g.id: i for i, g in enumerate(ctx.community.groups)}
    for group_id, tally in sorted(tallies.items(), key=lambda t: order.get(t[0], len(order))):
        name = shown.group_name(ctx, group_id or None)
        if tally.replies:
            median = timedelta(seconds=statistics.median(r.total_seconds() for r in tally.replies))
            reply = _(
                "cases.stats.median", median=shown.spoken(_, median), answered=len(tally.replies)
            )
        else:
            reply = _("cases.stats.no_reply")
        lines.append(
            _("cases.stats.line", group=name, open=tally.open, waiting=tally.waiting, reply=reply)
        )
    return [ctx.reply("\n".join(lines))]
