"""The hooks the sanctions plugin offers to other plugins (registered with ``sanshe_addhooks``).

Other plugins never import the sanctions plugin: they call it with
:meth:`Context.call <sanshe.core.context.Context.call>` (``await
context.call("sanctions_banned", network=event.network, handle=event.sender)``).
When the sanctions plugin is disabled nobody offers them: a call answers ``[]``
(the sanctioning hooks answer a tuple, so that the caller can tell).
"""

from __future__ import annotations

from datetime import timedelta

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookspec
from sanshe.core.model import Group, Person


@hookspec(firstresult=True)
def sanctions_banned(network: str, handle: str) -> str | None:
    """Why the person with ``handle`` on ``network`` is banned from the community, or None.

    Implemented by the sanctions plugin from the ban list it keeps in memory (a
    plain function: no database read); the joining plugin declines a banned
    applicant with it.  The reason is as the admin wrote it, personal data
    masked, or the rule's id for a rule's ban; ``—`` for a ban given without a reason
    (never empty: test the answer against None).
    """


@hookspec(firstresult=True)
def sanctions_mute(
    context: Context, group: Group, person: Person, length: timedelta, reason: str, by: str
) -> tuple[Action, ...] | None:
    """Mute ``person`` in ``group``'s chats for ``length``: the sanctions plugin's own mute (one
    timer per person and group: a later ``/mute`` replaces it, ``/unmute`` ends it).

    ``reason`` goes to the moderation log (the networks get a fixed text), ``by`` names who
    decided there.  The person is not told of the mute (the caller tells them); they are told
    when it lifts.  The actions (a tuple: a list would be read as several answers); empty if
    they have no handle there or are banned (a restriction would let them back in on Telegram).
    """


@hookspec(firstresult=True)
def sanctions_remove(
    context: Context, group: Group, person: Person, reason: str, by: str
) -> tuple[Action, ...] | None:
    """Remove ``person`` from ``group``'s chats (they may ask again), logged like ``/remove``;
    the person is not told (the caller tells them).  The actions; empty if they have no handle
    there."""


@hookspec(firstresult=True)
def sanctions_ban(
    context: Context, person: Person, length: timedelta | None, reason: str, by: str
) -> tuple[Action, ...] | None:
    """Ban ``person`` from every group of the community for ``length`` (None: until ``/unban``):
    on the ban list, ``/bans`` lists it as given by ``by``; their mutes end.  The person is
    not told (the caller tells them).  The actions; empty if they are banned already or are
    one of the community's admins."""
