"""Retention: records of a form with ``retention_days`` are deleted once they are that old.

A daily timer (03:00, the community's time zone) deletes each such form's
records older than its ``retention_days``, and dialogs of it left unfinished
for as long; each deleted record is audited (``expire record:<id>``).  The
deletions are the timer's writes: made with its checkpoint, exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.services import Services
from sanshe.core.storage.models import FormSession, Record, Timer
from sanshe.core.storage.writes import Statement
from sanshe.core.timers import Due, Schedule

PLUGIN = "retention"
#: When the day's deletions run, local time: a quiet hour.
AT = "03:00"


def _schedule(ctx: Context) -> None:
    ctx.timers(PLUGIN).every("daily", Schedule.daily(AT))


@hookimpl
async def sanshe_startup(services: Services) -> None:
    """Keep the daily timer (one left from before, maybe due while stopped, stays as it is)."""
    if not await Timer.exists(plugin=PLUGIN, key="daily"):
        await services.act(PLUGIN, _schedule)


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> None:
    """Delete what is past its form's retention, with the timer's writes; audit each record."""
    now = context.now()
    for form in context.community.forms:
        if form.retention_days is None:
            continue
        cutoff = now - timedelta(days=form.retention_days)
        expired = Record.filter(form_id=form.id, created_at__lt=cutoff)
        for record_id in await expired.values_list("id", flat=True):
            context.audit("expire", f"record:{record_id}", detail=form.id)
        context.writes.run(_expire(form.id, cutoff))


def _expire(form_id: str, cutoff: datetime) -> Statement:
    """The deletion of ``form_id``'s records, and its idle dialogs, from before ``cutoff``."""

    async def expire(db: BaseDBAsyncClient) -> None:
        await Record.filter(form_id=form_id, created_at__lt=cutoff).using_db(db).delete()
        await FormSession.filter(form_id=form_id, updated_at__lt=cutoff).using_db(db).delete()

    return expire
