"""The hooks the shifts plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the shifts plugin: they call these hooks with
:meth:`Context.call <sanshe.core.context.Context.call>` (``await
context.call("shifts_on_duty", group=group, at=context.now())``) or implement
them with ``@hookimpl``.  Everything passed is a core type or a plain value.
When the shifts plugin is disabled nobody offers them: a call answers ``[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sanshe.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sanshe.core.context import Context
    from sanshe.core.model import Group


@hookspec(firstresult=True)
def shifts_on_duty(group: Group, at: datetime) -> Mapping[str, str] | None:
    """Who is on shift in ``group`` at ``at``: person id -> the role they serve the shift in.

    Implemented by the shifts plugin from the roster it keeps in memory (a
    plain function: no database read), called by any plugin that needs the
    on-duty staff of a group (moderation's off-shift silence, triage's crisis
    alert to the on-duty social worker).  ``at`` is aware; a shift counts from
    its start (included) to its end (excluded).  An empty mapping: nobody is on
    shift there then.  The same fact is the computed role ``on_shift``.
    """


@hookspec
def shifts_shift_ended(
    context: Context,
    group: Group,
    shift: str,
    start: datetime,
    end: datetime,
    served: Mapping[str, str],
    arrived: Mapping[str, datetime],
    absent: Mapping[str, str],
    incoming: Mapping[str, str],
    next_start: datetime | None,
) -> None:
    """A shift of ``group`` has ended: do what follows from it (draft the handover, count hours).

    Called by the shifts plugin once per shift, from its timer at the shift's
    end (``context`` is that timer's: no sender, ``context.writes`` is the
    firing's writes, ``context.tell`` reaches people).  ``shift`` is the
    shift's number as people type it (``/claim 12``); ``start``/``end`` its
    times (aware, UTC).  ``served``: person id -> role of those who claimed it
    and appeared (a message in the group or ``/arrive``); ``arrived``: when
    each of them appeared; ``absent``: person id -> role of those who claimed
    it and never appeared; ``incoming``: person id -> role of the claimers of
    the group's next shift, which starts at ``next_start`` (None: no shift is
    planned after it).  Return the actions to perform with the firing (a
    draft sent privately with ``context.tell``), or None.
    """


@hookspec
def shifts_handover_items(
    context: Context, group: Group, start: datetime, end: datetime
) -> Iterable[str] | None:
    """Lines this plugin adds to the handover of ``group``'s shift from ``start`` to ``end``.

    Called by the handover plugin when it drafts a shift's handover (at the
    shift's end), with the timer's ``context`` (its ``_`` writes in the
    community's language).  Return short lines for the next shift (open
    requests, follow-ups due, anything flagged), each already translated, or
    None for nothing.  They go to the incoming shift privately: name cases by
    number and people by name only, never a phone, ID number or health detail.
    """


@hookspec(firstresult=True)
def shifts_served(group: Group, start: datetime, end: datetime) -> Mapping[str, str] | None:
    """Who served a shift of ``group`` under way from ``start`` to ``end`` (excluded; aware):
    person id -> the role they claimed it in, of the claimers who appeared (a message in the
    group or ``/arrive``), the earliest shift's first.

    Implemented by the shifts plugin from the roster it keeps in memory (the past week's
    shifts included; a plain function), called by the summary plugin for the daily work
    record summary's recorder and the social workers it tells.  Empty: nobody served there.
    """
