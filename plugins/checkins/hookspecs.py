"""The hook the check-ins plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the check-ins plugin: they call it with
:meth:`Context.call <sanshe.core.context.Context.call>` (``await context.call(
"checkins_reported", context=context, person_ids=[person.id], first=start, last=end,
translator=_)``).
When the check-ins plugin is disabled nobody offers it: the call answers None.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import TYPE_CHECKING

from sanshe.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sanshe.core.context import Context
    from sanshe.core.i18n import Translator


@hookspec(firstresult=True)
def checkins_reported(
    context: Context, person_ids: list[str], first: date, last: date, translator: Translator
) -> Awaitable[list[dict[str, str]]]:
    """The check-ins the people ``person_ids`` reported from day ``first`` to day ``last`` (both
    included), day by day: for each, ``person`` (which of ``person_ids``), ``day`` (ISO),
    ``temperature`` (°C, as ``36.8``), ``symptoms`` (their names in ``translator``'s language,
    joined; empty: none) and ``fever`` (``yes`` or empty, by the fever threshold of
    ``context``'s settings).

    Implemented by the check-ins plugin (one database read); called by the observation plugin
    for the daily temperature series of a home observation file, and once for all open files
    for the day's missing temperatures.  Health data: show it privately only, never in a group.
    """
