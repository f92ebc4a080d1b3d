"""The sanctions commands: /mute, /unmute and /remove for a group's admins in their group;
/ban, /unban and /bans (the ban list) for the community's admins, anywhere.

Each names the person by ``@handle``, id or name, or by answering one of their
messages.  Nobody sanctions themselves; a group's admins cannot mute or remove
each other, nor can a community admin be banned.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core import people
from sanshe.core.actions import Action, Ban
from sanshe.core.arguments import Arguments, Duration, Person, Rest
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context, roles_in
from sanshe.core.model import Group
from sanshe.core.model import Person as PersonModel
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import bans, listing, mutes, removals
from .banlist import BANS, Banned
from .chats import community_admin, shown_name
from .lengths import LONGEST, OptionalLength, spoken

#: The longest reason kept (an excerpt of what the admin wrote, personal data masked).
REASON_LENGTH = 200
GROUP_ADMIN = frozenset({"group_admin"})

MUTE = Arguments(
    person=Person(), length=Duration(), reason=Rest(optional=True, name="sanctions.arg.reason")
)
UNMUTE = Arguments(person=Person())
REMOVE = Arguments(person=Person(), reason=Rest(optional=True, name="sanctions.arg.reason"))
BAN = Arguments(
    person=Person(),
    length=OptionalLength(),
    reason=Rest(optional=True, name="sanctions.arg.reason"),
)
UNBAN = Arguments(person=Person())
LIST = Arguments()


def commands() -> list[ChatCommand]:
    """The plugin's chat commands."""
    return [
        ChatCommand(
            "mute",
            mute,
            help="sanctions.help.mute",
            aliases=("禁言",),
            roles=GROUP_ADMIN,
            where="group",
            arguments=MUTE,
        ),
        ChatCommand(
            "unmute",
            unmute,
            help="sanctions.help.unmute",
            aliases=("解除禁言", "解禁"),
            roles=GROUP_ADMIN,
            where="group",
            arguments=UNMUTE,
        ),
        ChatCommand(
            "remove",
            remove,
            help="sanctions.help.remove",
            aliases=("移出", "踢出"),
            roles=GROUP_ADMIN,
            where="group",
            arguments=REMOVE,
        ),
        ChatCommand(
            "ban",
            ban,
            help="sanctions.help.ban",
            aliases=("封禁",),
            acts_on="community",
            arguments=BAN,
            shown_to=is_community_admin,
        ),
        ChatCommand(
            "unban",
            unban,
            help="sanctions.help.unban",
            aliases=("解封", "解除封禁"),
            acts_on="community",
            arguments=UNBAN,
            shown_to=is_community_admin,
        ),
        ChatCommand(
            "bans",
            list_bans,
            help="sanctions.help.bans",
            aliases=("封禁名单",),
            acts_on="community",
            arguments=LIST,
            shown_to=is_community_admin,
        ),
    ]


def is_community_admin(ctx: Context) -> bool:
    """Whether the sender holds now, community-wide, a role of ``community.admins``."""
    return community_admin(ctx, ctx.person)


def _by(ctx: Context) -> str:
    """How the sender is named in the moderation log."""
    return excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)


def _reason(typed: str | None) -> str:
    return excerpt(typed, REASON_LENGTH) if typed else ""


def _refused_in_group(ctx: Context, group: Group, person: PersonModel) -> str | None:
    """Why ``person`` may not be muted or removed in ``group`` by the sender, if they may not."""
    if person.id == ctx.person.id:
        return ctx._("sanctions.not_yourself")
    if "group_admin" in roles_in(ctx.community, person, group, now=ctx.now()):
        return ctx._("sanctions.target_admin", name=shown_name(person), group=group.name)
    return None


def _not_a_member(ctx: Context, key: str, group: Group, person: PersonModel) -> str:
    """Why ``person``, not in ``group``'s chat here, is not muted or removed (``key`` says which)."""
    return ctx._(key, name=shown_name(person), group=group.name)


def _refused_banned(ctx: Context, person: PersonModel) -> str | None:
    """Why a banned ``person`` is neither muted nor unmuted (on Telegram, setting or lifting a
    restriction undoes a ban), if they are banned."""
    if _ban_of(person) is None:
        return None
    return ctx._("sanctions.banned_not_muted", name=shown_name(person))


async def mute(ctx: Context) -> Iterable[Action]:
    """``/mute <person> <length> [reason]``: mute them in this group's chats until the time is up."""
    group = ctx.group
    if group is None:
        return [ctx.reply(ctx._("sanctions.no_group"))]
    found = MUTE.read(ctx)
    person = people.current(ctx, found.person)
    refusal = _refused_in_group(ctx, group, person) or _refused_banned(ctx, person)
    if refusal:
        return [ctx.reply(refusal)]
    if found.length > LONGEST:
        return [ctx.reply(ctx._("sanctions.mute_too_long", longest=spoken(ctx._, LONGEST)))]
    if await ctx.member_of(group, person) is False:
        return [ctx.reply(_not_a_member(ctx, "sanctions.not_a_member.mute", group, person))]
    done = mutes.mute(ctx, group, person, found.length, _reason(found.reason), _by(ctx))
    name = shown_name(person)
    if not done:
        return [ctx.reply(ctx._("sanctions.not_reached", name=name, group=group.name))]
    length = spoken(ctx._, found.length)
    return [ctx.reply(ctx._("sanctions.muted", name=name, length=length)), *done]


async def unmute(ctx: Context) -> Iterable[Action]:
    """``/unmute <person>``: let them post again in this group's chats now, however they were
    muted (by this plugin, another, or by hand on the network)."""
    group = ctx.group
    if group is None:
        return [ctx.reply(ctx._("sanctions.no_group"))]
    person = people.current(ctx, UNMUTE.read(ctx).person)
    refusal = _refused_banned(ctx, person)
    if refusal:
        return [ctx.reply(refusal)]
    done = mutes.unmute(ctx, group, person, _by(ctx))
    name = shown_name(person)
    if not done:
        return [ctx.reply(ctx._("sanctions.not_reached", name=name, group=group.name))]
    return [ctx.reply(ctx._("sanctions.unmuted", name=name)), *done]


async def remove(ctx: Context) -> Iterable[Action]:
    """``/remove <person> [reason]``: take them out of this group's chats (they may ask again)."""
    group = ctx.group
    if group is None:
        return [ctx.reply(ctx._("sanctions.no_group"))]
    found = REMOVE.read(ctx)
    person = people.current(ctx, found.person)
    refusal = _refused_in_group(ctx, group, person)
    if refusal:
        return [ctx.reply(refusal)]
    if await ctx.member_of(group, person) is False:
        return [ctx.reply(_not_a_member(ctx, "sanctions.not_a_member.remove", group, person))]
    done = removals.remove(ctx, group, person, _reason(found.reason), _by(ctx))
    name = shown_name(person)
    if not done:
        return [ctx.reply(ctx._("sanctions.not_reached", name=name, group=group.name))]
    return [ctx.reply(ctx._("sanctions.removed", name=name, group=group.name)), *done]


def _refused_ban(ctx: Context) -> str | None:
    """Why the sender may not use /ban, /unban or /bans, if they may not: only the community's
    admins may."""
    if is_community_admin(ctx):
        return None
    _ = ctx._
    name = ctx.command.name if ctx.command else "ban"
    allowed = _.join(ctx.role_name(r) for r in ctx.community.community.admins)
    mine = _.join(ctx.role_name(r) for r in sorted(ctx.about(None).roles)) or _("roles.none")
    return _("command.refused_community", name=name, allowed=allowed, mine=mine)


def _ban_of(person: PersonModel) -> Banned | None:
    """``person``'s ban, by their id or by a handle of theirs."""
    found = BANS.of_person(person.id)
    if found is None:
        found = next((b for n, h in person.handles.items() if (b := BANS.of_handle(n, h))), None)
    return found


async def ban(ctx: Context) -> Iterable[Action]:
    """``/ban <person> [length] [reason]``: take them out of every group of the community."""
    refusal = _refused_ban(ctx)
    if refusal:
        return [ctx.reply(refusal)]
    _ = ctx._
    found = BAN.read(ctx)
    person = people.current(ctx, found.person)
    name = shown_name(person)
    if person.id == ctx.person.id:
        return [ctx.reply(_("sanctions.not_yourself"))]
    if community_admin(ctx, person):
        return [ctx.reply(_("sanctions.target_community_admin", name=name))]
    if _ban_of(person) is not None:
        return [ctx.reply(_("sanctions.already_banned", name=name))]
    length = found.length
    if length is not None and length > LONGEST:
        return [ctx.reply(_("sanctions.ban_too_long", longest=spoken(_, LONGEST)))]
    by_key = stored_person(ctx.person.id)
    done = bans.ban(ctx, person, length, _reason(found.reason), _by(ctx), by_key)
    chats = sum(isinstance(a, Ban) for a in done)
    if length is None:
        text = _.plural("sanctions.banned", chats, name=name)
    else:
        text = _.plural("sanctions.banned_for", chats, name=name, length=spoken(_, length))
    return [ctx.reply(text), *done]


async def unban(ctx: Context) -> Iterable[Action]:
    """``/unban <person>``: lift their ban; they may ask to join the groups again."""
    refusal = _refused_ban(ctx)
    if refusal:
        return [ctx.reply(refusal)]
    person = people.current(ctx, UNBAN.read(ctx).person)
    name = shown_name(person)
    banned = _ban_of(person)
    if banned is None:
        return [ctx.reply(ctx._("sanctions.not_banned", name=name))]
    done = bans.unban(ctx, banned, person, _by(ctx), stored_person(ctx.person.id))
    return [ctx.reply(ctx._("sanctions.unbanned", name=name)), *done]


async def list_bans(ctx: Context) -> Iterable[Action]:
    """``/bans``: the ban list, privately, for the community's admins."""
    refusal = _refused_ban(ctx)
    if refusal:
        return [ctx.reply(refusal)]
    LIST.read(ctx)
    return await listing.ban_list(ctx)
