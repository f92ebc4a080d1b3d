"""The hooks the joining plugin offers to other plugins (registered with ``sanshe_addhooks``).

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


@hookspec
def joining_households(building: str) -> list[dict[str, str]]:
    """Every household standing for a room of ``building`` in a resident group, in the order
    they joined: the keys of :func:`joining_household` and ``person`` (the member's id).

    Implemented by the joining plugin from memory, as :func:`joining_household`; the call
    answers a list of its one list (none, the plugin disabled).  A room is an address, to be
    shown privately only.
    """
