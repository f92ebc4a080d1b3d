"""The hooks the cases plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the cases plugin: they call these hooks with
:meth:`Context.call <sanshe.core.context.Context.call>` (``number = await
context.call("cases_open", context=context, person=person, source="crisis", ...)``).
When the cases plugin is disabled nobody offers them: a call answers None.
Everything passed is a core type or a plain value.  The ``firstresult`` hooks are plain
functions answering an awaitable (core refuses an ``async def`` implementation of one).
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sanshe.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sanshe.core.context import Context
    from sanshe.core.model import Group, Person


@hookspec(firstresult=True)
def cases_open(
    context: Context,
    person: Person,
    source: str,
    category: str,
    reason: str,
    origin: Group | None,
    record: int | None,
) -> Awaitable[int | None]:
    """Open a case for ``person`` and answer its number; a person with an open case gets that
    case's number back (no second case), and that case keeps ``record`` if it had none, and a
    referral's category becomes the one of the client's own request.

    Implemented by the cases plugin; called by the intake plugin when a request's dialog is
    finished or a worker ``/refer``\\s someone, and by the crisis plugin on a crisis.  ``source``:
    ``request``, ``referral`` or ``crisis``; ``category``: ``medical``, ``psychological`` or
    ``other``; ``reason``: the question or the referral's reason, personal data masked (kept
    sealed, never shown in a group); ``origin``: the group it came from (None: a private chat);
    ``record``: the consultation record (form 3) the dialog stored, if any.  The case is written
    with ``context.writes`` (kept with the event, or not at all) and audited.
    """


@hookspec(firstresult=True)
def cases_avoid(client: str) -> Awaitable[Collection[str]]:
    """The staff (person ids) who declared they know ``client`` (a person id): never assign
    them to, nor alert them about, the client's cases (熟人规避).

    Implemented by the cases plugin (``/conflict``); called by the crisis plugin before it
    alerts the on-duty staff, and by routing.  Empty: nobody declared one.
    """


@hookspec(firstresult=True)
def cases_of(client: str) -> Awaitable[int | None]:
    """The number of ``client``'s open case (a person id), or None if they have none.

    Implemented by the cases plugin; called by the crisis plugin to name the case in its
    alert, and by anyone who needs to know whether a person is being helped.
    """


@hookspec
def cases_answered(context: Context, number: int) -> None:
    """A human has answered case ``number`` now (``context.now()``): the first such moment is
    the case's first reply, which ``/stats`` measures the response time to.

    Implemented by the cases plugin (noted with ``context.writes``); called by the crisis
    plugin on ``/ack`` and by anything else that counts as a human taking the case up.  A
    case's own commands (a note, an assessment, a route) count without it.
    """


@hookspec(firstresult=True)
def cases_served(group_id: str, start: datetime, end: datetime) -> Awaitable[list[dict[str, Any]]]:
    """The cases of the consultation group ``group_id`` worked on from ``start`` to ``end``
    (excluded; aware): requested, first answered, routed there, noted or closed then.

    Implemented by the cases plugin; called by the summary plugin for the daily work record
    summary (form 8).  Each case, oldest request first, as a dict: ``number``, ``person``
    (the client, as person columns hold them), ``name`` (how staff name the client),
    ``category``, ``tier``, ``status``, ``reason`` (personal data masked), ``record`` (the
    consultation record's id, or None), ``result`` (as ``/close`` gave it, "" while open),
    ``requested_at``, ``follow_up_at`` (aware, or None) and ``notes``: the follow-up notes of
    the span, each ``at``, ``by`` (person id), ``medical``, ``psychological``, ``other``.
    Sensitive: for a record filed under the group, never for a group's chat.
    """
