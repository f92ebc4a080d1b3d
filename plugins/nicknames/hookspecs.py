"""The hook the nicknames plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the nicknames plugin: they call it with :meth:`Context.call
<sanshe.core.context.Context.call>` (``await context.call("nicknames_form", group=group,
person=person, roles=roles)``).  When the plugin is disabled nobody offers it: the call
answers None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanshe.core.hookspecs import hookspec

if TYPE_CHECKING:
    from sanshe.core.model import Group, Person


@hookspec(firstresult=True)
def nicknames_form(group: Group, person: Person, roles: frozenset[str]) -> str | None:
    """The display name ``person``, holding ``roles`` in ``group``, should have there.

    Implemented by the nicknames plugin (a plain function) from the first pattern of its
    settings that covers the group and the roles: filled with the person's name and, for a
    resident, the household the ``joining_household`` hook knows (building, room, 自住 for
    an owner, 租住 for a tenant); what is not known is said in words in the person's
    language (``1-房号自住/租住``).  None: no pattern asks anything of them there.  A
    resident's holds their room number, which their group's convention shows there anyway:
    say it to them, to that group or to its admins, never in another group.
    """
