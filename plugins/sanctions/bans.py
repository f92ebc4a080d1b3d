"""Community bans: a person taken out of every group of the community at once, and kept out.

A ban is a :class:`~sanshe.core.actions.Ban` in every chat of every group on
every network where the person has a handle; where a network keeps a shared ban
list (:class:`~sanshe.core.actions.PublishBan`: Matrix's policy room) they are
put on it, and where it can, their recent messages are deleted
(:class:`~sanshe.core.actions.DeleteRecent`, ``redact_recent``).  The ban list
table records who banned whom, why and until when; a timed ban lifts itself
(:class:`~sanshe.core.actions.Unban` everywhere and
:class:`~sanshe.core.actions.WithdrawBan`) by a timer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action, Ban, DeleteRecent, PublishBan, Unban, WithdrawBan
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due

from . import mutes
from .banlist import BANS, Banned
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
from .models import CommunityBan
from .settings import SanctionSettings

#: The prefix of the timers that lift timed bans.
BAN = "ban|"
#: Who lifted a ban that ran out.
TIMER = "timer"


def timer_key(person_id: str) -> str:
    """The key of the timer lifting the ban of the person ``person_id``."""
    return f"{BAN}{digest(person_id)}"


def ban(
    ctx: Context,
    person: Person,
    length: timedelta | None,
    reason: str,
    by: str,
    by_key: str,
    tell: bool = True,
) -> list[Action]:
    """Ban ``person`` from every group for ``length`` (None: until lifted), recorded as done
    by ``by_key`` (a stored person id, ``rule:<id>``, ``auto:<who>``) for ``reason``; ``by``
    names them in the moderation log.  Their mutes end without being lifted; they are told
    (unless not ``tell``: the caller did)."""
    handles = dict(person.handles)
    now = ctx.now()
    ends = now + length if length is not None else None
    row = CommunityBan(
        person=stored_person(person.id),
        handles=handles,
        name=shown_name(person),
        reason=reason,
        by=by_key,
        at=now,
        until=ends,
    )
    ctx.writes.add(row)
    ctx.writes.after(lambda: BANS.keep(Banned(row.id, row.person, handles, reason, ends)))
    if ends is not None:
        ctx.timers(PLUGIN).at(timer_key(person.id), ends, {"person": person.id})
    mutes.end_all(ctx, person)
    bans, clean_up = keep_out(ctx, handles)
    chats = len(bans)
    actions = bans + _published(ctx, handles) + clean_up
    _ = community_words(ctx)
    zone = ZoneInfo(ctx.community.community.timezone)
    actions += ctx.moderated(
        "ban",
        person,
        "sanctions.log.ban" if ends is None else "sanctions.log.ban_until",
        by=by,
        name=shown_name(person),
        count=chats,
        reason=reason_shown(_, reason),
        **_ends(_, zone, length, ends),
    )
    if not tell:
        return actions
    theirs = ctx.translator(person)
    text = theirs(
        "sanctions.told.ban" if ends is None else "sanctions.told.ban_until",
        community=ctx.community.community.name,
        reason=reason_shown(theirs, reason),
        **_ends(theirs, zone, length, ends),
    )
    told = ctx.tell(person, text)
    return actions + ([told] if told else [])


def _ends(
    _: Translator, zone: ZoneInfo, length: timedelta | None, ends: datetime | None
) -> dict[str, str]:
    if length is None or ends is None:
        return {}
    return {"length": spoken(_, length), "until": until(_, zone, ends)}


def keep_out(ctx: Context, handles: dict[str, str]) -> tuple[list[Action], list[Action]]:
    """A Ban in every chat of every group for ``handles``, and (where the network can) the
    deletion of their recent messages there: apart, so that every ban goes first and the
    person is out of every chat before the slower clean-up begins."""
    hours = ctx.settings(SanctionSettings).redact_hours
    bans: list[Action] = []
    clean_up: list[Action] = []
    for group in ctx.community.groups:
        for network, chat, handle in places(ctx, group, handles):
            bans.append(Ban(chat=chat, user=handle, reason=network_reason(ctx), network=network))
            if hours and ctx.can(DeleteRecent, network):
                clean_up.append(DeleteRecent(chat=chat, user=handle, hours=hours, network=network))
    return bans, clean_up


def _published(ctx: Context, handles: dict[str, str]) -> list[Action]:
    """The ban list entries: public (Matrix's policy room), so with the fixed reason only."""
    return [
        PublishBan(user=handle, reason=network_reason(ctx), network=network)
        for network, handle in handles.items()
        if ctx.can(PublishBan, network)
    ]


def unban(ctx: Context, banned: Banned, person: Person, by: str, by_key: str) -> list[Action]:
    """Lift ``banned`` now (``by_key`` lifted it; ``by`` names them in the log): the person may
    come back to every group."""
    ctx.timers(PLUGIN).cancel(timer_key(person.id))
    actions = _lift(ctx, banned, by_key)
    actions += ctx.moderated("unban", person, "sanctions.log.unban", by=by, name=shown_name(person))
    return actions + _told_lifted(ctx, person)


def lift_due(ctx: Context, timer: Due) -> list[Action]:
    """The ban of ``timer`` has run out: lift it everywhere."""
    person_id = str(timer.data.get("person", ""))
    banned = BANS.of_person(person_id)
    if banned is None:  # lifted by hand meanwhile
        return []
    person = person_of(ctx, person_id, banned.handles)
    actions = _lift(ctx, banned, TIMER)
    actions += ctx.moderated("unban", person, "sanctions.log.unban_due", name=shown_name(person))
    return actions + _told_lifted(ctx, person)


def _lift(ctx: Context, banned: Banned, by_key: str) -> list[Action]:
    """Unban in every chat, off the shared ban lists, the record marked lifted."""
    now = ctx.now()
    ban_id = banned.ban
    ctx.writes.run(
        lambda db: (
            CommunityBan.filter(id=ban_id).using_db(db).update(lifted_at=now, lifted_by=by_key)
        )
    )
    ctx.writes.after(lambda: BANS.drop(banned.person))
    actions: list[Action] = []
    for group in ctx.community.groups:
        for network, chat, handle in places(ctx, group, banned.handles):
            actions.append(Unban(chat=chat, user=handle, network=network))
    actions += [
        WithdrawBan(user=handle, network=network)
        for network, handle in banned.handles.items()
        if ctx.can(PublishBan, network)
    ]
    return actions


def _told_lifted(ctx: Context, person: Person) -> list[Action]:
    theirs = ctx.translator(person)
    told = ctx.tell(person, theirs("sanctions.told.unban", community=ctx.community.community.name))
    return [told] if told else []


def banned_again(ctx: Context, banned: Banned) -> list[Action]:
    """A banned person joined a chat anyway: ban them there again (in a dry run, only say so)."""
    group = ctx.group
    event = ctx.event
    name = shown_name(ctx.person)
    where = group.name if group else event.chat
    if ctx.dry_run(PLUGIN):
        return ctx.moderated(
            "dry_run", ctx.person, "sanctions.log.would_ban_again", name=name, group=where
        )
    again = Ban(chat=event.chat, user=event.sender, reason=network_reason(ctx))
    return [again] + ctx.moderated(
        "ban", ctx.person, "sanctions.log.ban_again", name=name, group=where
    )
