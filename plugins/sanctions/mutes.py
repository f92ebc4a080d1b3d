"""Mutes: a person kept from posting in a group's chats for a while, lifted on time.

A mute is a :class:`~sanshe.core.actions.Restrict` in each chat of the group
where the person has a handle, and a timer of the plugin's that lifts it
(:class:`~sanshe.core.actions.Unrestrict` in the same chats) when it ends; a
timer due while the bot was stopped fires at start, so a mute never outlasts
its time by more than the stop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action, Restrict, Unrestrict
from sanshe.core.context import Context
from sanshe.core.model import Group, Person
from sanshe.core.timers import Due

from .banlist import BANS
from .chats import (
    PLUGIN,
    community_words,
    digest,
    network_reason,
    person_of,
    places,
    reason_shown,
    shown_name,
)
from .lengths import spoken, until

#: The prefix of the timers that lift mutes.
MUTE = "mute|"


def timer_key(group: Group, person: Person) -> str:
    """The key of the timer lifting ``person``'s mute in ``group``."""
    return f"{MUTE}{group.id}|{digest(person.id)}"


def mute(
    ctx: Context,
    group: Group,
    person: Person,
    length: timedelta,
    reason: str,
    by: str,
    tell: bool = True,
) -> list[Action]:
    """Mute ``person`` in ``group``'s chats for ``length`` (``by`` names who decided, ``reason``
    says why), and tell them (unless not ``tell``: the caller did); the timer lifting it
    replaces an earlier one.  Nothing if they have no handle on a network the group has a chat
    on, or are banned (a restriction would let them back in on Telegram)."""
    reached = places(ctx, group, person.handles)
    if not reached or banned(person.id, person.handles):
        return []
    minutes = max(1, math.ceil(length.total_seconds() / 60))
    actions: list[Action] = [
        Restrict(
            chat=chat, user=handle, minutes=minutes, reason=network_reason(ctx), network=network
        )
        for network, chat, handle in reached
    ]
    ends = ctx.now() + length
    data = {
        "group": group.id,
        "person": person.id,
        "handles": dict(person.handles),
        "name": shown_name(person),  # for its end, should the registry not know them
    }
    ctx.timers(PLUGIN).at(timer_key(group, person), ends, data)
    zone = ZoneInfo(ctx.community.community.timezone)
    _ = community_words(ctx)
    actions += ctx.moderated(
        "mute",
        person,
        "sanctions.log.mute",
        by=by,
        name=shown_name(person),
        group=group.name,
        length=spoken(_, length),
        until=until(_, zone, ends),
        reason=reason_shown(_, reason),
    )
    if not tell:
        return actions
    theirs = ctx.translator(person)
    told = ctx.tell(
        person,
        theirs(
            "sanctions.told.mute",
            group=group.name,
            length=spoken(theirs, length),
            until=until(theirs, zone, ends),
            reason=reason_shown(theirs, reason),
        ),
    )
    return actions + ([told] if told else [])


def unmute(ctx: Context, group: Group, person: Person, by: str) -> list[Action]:
    """Lift ``person``'s mute in ``group`` now (``by`` names who did), its timer cancelled.
    Nothing if they have no handle on a network the group has a chat on."""
    ctx.timers(PLUGIN).cancel(timer_key(group, person))
    actions = _lift(ctx, group, person.handles)
    if not actions:
        return []
    actions += ctx.moderated(
        "unmute", person, "sanctions.log.unmute", by=by, name=shown_name(person), group=group.name
    )
    return actions + _told_lifted(ctx, group, person)


def end_all(ctx: Context, person: Person) -> None:
    """Cancel ``person``'s mutes in every group, lifting none: they are banned, and a mute's end
    must not let them back in (on Telegram, lifting a restriction undoes a ban)."""
    for group in ctx.community.groups:
        ctx.timers(PLUGIN).cancel(timer_key(group, person))


def banned(person_id: str, handles: Mapping[str, str]) -> bool:
    """Whether the person ``person_id`` (or whoever has one of ``handles``) is banned."""
    if BANS.of_person(person_id) is not None:
        return True
    return any(BANS.of_handle(network, handle) for network, handle in handles.items())


def lift_due(ctx: Context, timer: Due) -> list[Action]:
    """The mute of ``timer`` has run out: let the person post again, wherever they were muted;
    nothing for a person banned meanwhile (the ban keeps them out)."""
    data: dict[str, Any] = timer.data
    group = ctx.community.group(str(data.get("group", "")))
    handles = {str(k): str(v) for k, v in dict(data.get("handles", {})).items()}
    if group is None:  # the group left the community file: nothing to lift it in
        return []
    if banned(str(data.get("person", "")), handles):
        return []
    person = person_of(ctx, str(data.get("person", "")), handles)
    actions = _lift(ctx, group, handles)
    name = shown_name(person) if person.known else str(data.get("name") or shown_name(person))
    actions += ctx.moderated(
        "unmute", person, "sanctions.log.unmute_due", name=name, group=group.name
    )
    return actions + _told_lifted(ctx, group, person)


def _lift(ctx: Context, group: Group, handles: dict[str, str]) -> list[Action]:
    return [
        Unrestrict(chat=chat, user=handle, network=network)
        for network, chat, handle in places(ctx, group, handles)
    ]


def _told_lifted(ctx: Context, group: Group, person: Person) -> list[Action]:
    told = ctx.tell(person, ctx.translator(person)("sanctions.told.unmute", group=group.name))
    return [told] if told else []
