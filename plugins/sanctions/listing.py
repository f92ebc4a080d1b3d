"""``/bans`` (封禁名单): the ban list as the community's admins read it, privately."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context

from .chats import reason_shown
from .lengths import until
from .models import CommunityBan

#: At most this many bans are listed, the latest first.
LISTED = 50
#: What the ``by`` column holds for a ban whose giver's data was erased.
ERASED = "erased"
RULE = "rule:"
#: The prefix of the ``by`` column for a ban another plugin gave (``auto:<how it is named>``).
AUTOMATIC = "auto:"


def _by(ctx: Context, by: str) -> str:
    if by.startswith(RULE):
        return ctx._("sanctions.by_rule", rule=by[len(RULE) :])
    if by.startswith(AUTOMATIC):
        return by[len(AUTOMATIC) :]
    if by == ERASED:
        return ctx._("sanctions.by_erased")
    return people.name_of(ctx, by)


async def ban_list(ctx: Context) -> list[Action]:
    """The bans in force, latest first: who, why, by whom, since and until when."""
    _ = ctx._
    zone = ZoneInfo(ctx.community.community.timezone)
    rows = await CommunityBan.filter(lifted_at=None).order_by("-id")
    if not rows:
        text = _("sanctions.bans.none")
    else:
        lines = [_("sanctions.bans.title", count=len(rows))]
        for row in rows[:LISTED]:
            lines.append(
                _(
                    "sanctions.bans.line",
                    name=row.name,
                    reason=reason_shown(_, row.reason),
                    by=_by(ctx, row.by),
                    since=until(_, zone, row.at),
                    until=_("sanctions.bans.until", until=until(_, zone, row.until))
                    if row.until
                    else _("sanctions.bans.forever"),
                )
            )
        if len(rows) > LISTED:
            lines.append(_("sanctions.bans.more", count=len(rows) - LISTED))
        text = "\n".join(lines)
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(_("sanctions.bans.sent_private")), ctx.direct(text)]
