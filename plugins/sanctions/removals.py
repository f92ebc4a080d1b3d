"""Removals: a person taken out of a group's chats; they may ask to join again."""

from __future__ import annotations

from sanshe.core.actions import Action, Remove
from sanshe.core.context import Context
from sanshe.core.model import Group, Person

from .chats import community_words, network_reason, places, reason_shown, shown_name


def remove(
    ctx: Context, group: Group, person: Person, reason: str, by: str, tell: bool = True
) -> list[Action]:
    """Remove ``person`` from each chat of ``group`` (``by`` names who decided, ``reason`` says
    why), and tell them privately (unless not ``tell``: the caller did).  Nothing if they have
    no handle on a network the group has a chat on."""
    reached = places(ctx, group, person.handles)
    if not reached:
        return []
    actions: list[Action] = [
        Remove(chat=chat, user=handle, reason=network_reason(ctx), network=network)
        for network, chat, handle in reached
    ]
    _ = community_words(ctx)
    actions += ctx.moderated(
        "remove",
        person,
        "sanctions.log.remove",
        by=by,
        name=shown_name(person),
        group=group.name,
        reason=reason_shown(_, reason),
    )
    if not tell:
        return actions
    theirs = ctx.translator(person)
    text = theirs("sanctions.told.remove", group=group.name, reason=reason_shown(theirs, reason))
    told = ctx.tell(person, text)
    return actions + ([told] if told else [])
