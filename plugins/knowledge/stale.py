"""Stale entries: once a day (``check_at``), each author is told privately of their library
entries and resources not confirmed for ``stale_days``, then again every ``stale_days`` while
they stay so.  A daily timer: it comes also when the bot was stopped over the moment (at start).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt
from sanshe.core.services import Services
from sanshe.core.timers import utc

from . import shown
from .models import AddedResource, Entry
from .settings import KnowledgeSettings

#: The plugin's name: its timers' owner.
PLUGIN = "knowledge"
#: The daily timer's key.
DAILY = "stale"


async def keep_timer(services: Services) -> None:
    """Keep the daily look at ``check_at`` (see :meth:`Services.keep_daily`)."""
    await services.keep_daily(PLUGIN, DAILY, services.settings(KnowledgeSettings).check_at)


async def flag(ctx: Context) -> list[Action]:
    """Tell each author privately of their stale entries not flagged within ``stale_days``."""
    now = ctx.now()
    cutoff = now - timedelta(days=shown.settings(ctx).stale_days)
    due: dict[str, list[tuple[str, int, str]]] = {}
    for entry in await Entry.filter(checked_at__lt=cutoff).order_by("number"):
        if _flaggable(entry.author, entry.flagged_at, cutoff):
            due.setdefault(entry.author, []).append(("faq", entry.number, entry.question))
    for added in await AddedResource.filter(checked_at__lt=cutoff).order_by("number"):
        if _flaggable(added.author, added.flagged_at, cutoff):
            due.setdefault(added.author, []).append(("resource", added.number, added.name))
    actions: list[Action] = []
    for author, items in due.items():
        person = people.current_by_id(ctx, author)
        if person is None:
            continue
        _ = ctx.translator(person)
        days = shown.settings(ctx).stale_days
        lines = [_.plural("knowledge.stale.title", days, count=len(items), days=days)]
        for kind, number, text in items:
            lines.append(_(f"knowledge.stale.{kind}", number=number, text=excerpt(text, 40)))
        lines.append(_("knowledge.stale.what_to_do"))
        told = ctx.tell(person, "\n".join(lines))
        if told is None:
            continue
        actions.append(told)
        _mark(ctx, [n for k, n, _t in items if k == "faq"], Entry, now)
        _mark(ctx, [n for k, n, _t in items if k == "resource"], AddedResource, now)
    return actions


def _flaggable(author: str, flagged_at: datetime | None, cutoff: datetime) -> bool:
    return bool(author) and (flagged_at is None or utc(flagged_at) < cutoff)


def _mark(
    ctx: Context, numbers: list[int], model: type[Entry | AddedResource], now: datetime
) -> None:
    if numbers:
        ctx.writes.run(
            lambda db: model.filter(number__in=numbers).using_db(db).update(flagged_at=now)
        )
