"""The hook the sanctions plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the sanctions plugin: they call it with
:meth:`Context.call <sanshe.core.context.Context.call>` (``await
context.call("sanctions_banned", network=event.network, handle=event.sender)``).
When the sanctions plugin is disabled nobody offers it: a call answers ``[]``.
"""

from __future__ import annotations

from sanshe.core.hookspecs import hookspec


@hookspec(firstresult=True)
def sanctions_banned(network: str, handle: str) -> str | None:
    """Why the person with ``handle`` on ``network`` is banned from the community, or None.

    Implemented by the sanctions plugin from the ban list it keeps in memory (a
    plain function: no database read); the joining plugin declines a banned
    applicant with it.  The reason is as the admin wrote it, personal data
    masked, or the rule's id for a rule's ban; ``—`` for a ban given without a reason
    (never empty: test the answer against None).
    """
