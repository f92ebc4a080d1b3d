"""The hook the joining plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the joining plugin: they call it with
:meth:`Context.call <sanshe.core.context.Context.call>` (``await
context.call("joining_household", person_id=person.id)``).  When the joining
plugin is disabled nobody offers it: the call answers None.
"""

from __future__ import annotations

from sanshe.core.hookspecs import hookspec


@hookspec(firstresult=True)
def joining_household(person_id: str) -> dict[str, str] | None:
    """The household ``person_id`` stands for in a resident group, or None if they stand for none.

    Keys: ``building`` (the building's id), ``room``, ``tenure`` (``owner`` for
    自住, ``tenant`` for 租住) and ``household`` (its name as they gave it).
    Implemented by the joining plugin from the households it keeps in memory
    (a plain function: no database read).  Of a person standing for several,
    the latest.  The room is an address: show it to that person or to the
    group's admins privately, never in a group.
    """
