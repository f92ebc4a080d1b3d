"""People: /grant, /revoke and /roles — roles given at runtime, within the granter's own scope.

``/grant @person role [group] [until]`` gives a role in a group (``community``:
community-wide; left out: this chat's group, or community-wide in a private
chat) until a moment (``2026-12-01 18:00``, ``明天 9点``) or for a while
(``3d``, ``2小时``), else until revoked.  One may grant a role one holds, where
one holds it, or a role the community file's ``grants:`` lets one of one's
roles grant, there; anything else is refused saying why.  ``/revoke @person
role [group]`` ends such a grant under the same rule.  ``/roles`` lists one's
own roles; ``/roles @person`` someone else's, privately, for who may grant.
Every grant and revocation is in the audit log (core does it, see
:mod:`sanshe.core.people`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import (
    MISSING,
    Arguments,
    Duration,
    Group,
    Moment,
    Person,
    Reader,
    Words,
    Wrong,
    group_named,
    listing,
)
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group as GroupModel
from sanshe.core.model import Person as PersonModel
from sanshe.core.model import RuntimeGrant, all_roles
from sanshe.core.privacy import excerpt

#: What ``[group]`` takes to mean the whole community.
COMMUNITY = "community"
COMMUNITY_WORDS = frozenset({"community", "all", "全社区", "社区"})


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class Role(Reader):
    """A role that may be granted: its id, or its one-word name in the sender's language (what
    comes before a bracket enough: ``一般志愿者`` for ``一般志愿者（群秘书）``)."""

    name = "people.name.role"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        roles = sorted(all_roles(ctx.community) - set(ctx.community.computed_roles))
        typed = _plain(word)
        for role in roles:
            name = _plain(ctx.role_name(role))
            if typed in (_plain(role), name, re.split(r"[(（]", name)[0].strip()):
                words.take()
                return role
        raise Wrong("people.unknown_role", word=excerpt(word), known=listing(ctx._, roles))


class Until(Reader):
    """Until when: a moment (``2026-12-01 18:00``, ``明天 9点``) or a while from now (``3d``)."""

    name = "people.name.until"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        try:
            length = Duration().take(words, ctx)
        except Wrong:
            return Moment().take(words, ctx)
        return ctx.now() + length


class Scope(Group):
    """Where a role counts: a group, or ``community`` for the whole community."""

    name = "people.name.scope"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        if group_named(ctx.community, word) is not None:
            return super().take(words, ctx)
        if _plain(word) in COMMUNITY_WORDS:
            words.take()
            return COMMUNITY
        trial = Words(words.text)
        trial.at = words.at
        try:
            Until().take(trial, ctx)
        except Wrong:
            known = listing(ctx._, (g.id for g in ctx.community.groups))
            raise Wrong("people.unknown_scope", word=excerpt(word), known=known) from None
        return MISSING  # an until: the scope is left out


GRANT = Arguments(
    usage="people.usage.grant",
    person=Person(),
    role=Role(),
    scope=Scope(optional=True),
    until=Until(optional=True),
)
REVOKE = Arguments(
    usage="people.usage.revoke", person=Person(), role=Role(), scope=Scope(optional=True)
)
ROLES = Arguments(person=Person(optional=True))


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "grant",
            grant,
            help="people.help.grant",
            aliases=("授权",),
            arguments=GRANT,
            shown_to=may_grant,
        ),
        ChatCommand(
            "revoke",
            revoke,
            help="people.help.revoke",
            aliases=("撤销授权",),
            arguments=REVOKE,
            shown_to=may_grant,
        ),
        ChatCommand("roles", roles, help="people.help.roles", aliases=("角色",), arguments=ROLES),
    ]


def may_grant(ctx: Context) -> bool:
    """Whether the sender may grant some role somewhere: /help shows /grant and /revoke then."""
    return bool(people.grantable_anywhere(ctx))


def _scope(ctx: Context, given: Any) -> GroupModel | None:
    """The group a role is to count in (None: community-wide): as given, else this chat's."""
    if given == COMMUNITY:
        return None
    return given if isinstance(given, GroupModel) else ctx.group


def _where(ctx: Context, group: GroupModel | None) -> str:
    if group is None:
        return ctx._("people.where.community")
    return ctx._("people.where.group", group=group.name)


def _when(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(ctx.community.community.timezone)).strftime("%Y-%m-%d %H:%M")


def _name(person: PersonModel) -> str:
    return person.name or person.id


def grant(ctx: Context) -> Action:
    """Give a person a role in a group (or community-wide), if the sender may grant it there."""
    args = GRANT.read(ctx)
    person, role = people.current(ctx, args.person), args.role
    group = _scope(ctx, args.scope)
    until: datetime | None = args.until
    if until is not None and until <= ctx.now():
        raise GRANT.error(ctx, "people.until_past")
    why = people.refusal(ctx, role, None if group is None else [group])
    if why is not None:
        return ctx.reply(why)
    where = _where(ctx, group)
    if any(
        g.role == role
        and g.counts_at(ctx.now())
        and (g.groups is None or (group is not None and g.covers(group.id)))
        and (not isinstance(g, RuntimeGrant) or g.until is None)
        for g in person.roles
    ):
        return ctx.reply(
            ctx._("people.already", name=_name(person), role=ctx.role_name(role), where=where)
        )
    granted = ctx.grant(person, role, None if group is None else [group.id], until=until)
    ends = ctx._("people.until", until=_when(ctx, until)) if until else ""
    return ctx.reply(
        ctx._(
            "people.granted", name=_name(granted), role=ctx.role_name(role), where=where, until=ends
        )
    )


def revoke(ctx: Context) -> Action:
    """End a person's runtime grant of a role, if the sender may grant it there."""
    args = REVOKE.read(ctx)
    person, role = people.current(ctx, args.person), args.role
    group = _scope(ctx, args.scope)
    why = people.refusal(ctx, role, None if group is None else [group])
    if why is not None:
        return ctx.reply(why)
    values = {"name": _name(person), "role": ctx.role_name(role), "where": _where(ctx, group)}
    if ctx.revoke(person, role, group):
        return ctx.reply(ctx._("people.revoked", **values))
    from_file = any(
        g.role == role and not isinstance(g, RuntimeGrant) and g.covers(group.id if group else None)
        for g in person.roles
    )
    return ctx.reply(
        ctx._("people.revoke_from_file" if from_file else "people.revoke_none", **values)
    )


def roles(ctx: Context) -> list[Action]:
    """One's own roles here; another person's, privately, for who may grant roles."""
    target: PersonModel | None = ROLES.read(ctx).person
    own = target is None or target.id == ctx.person.id
    if not own and not people.grantable_anywhere(ctx):
        return [ctx.reply(ctx._("people.roles.refused"))]
    text = _roles_text(ctx, people.current(ctx, target or ctx.person), own)
    if own or ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(ctx._("people.roles.sent")), ctx.direct(text)]


def _roles_text(ctx: Context, person: PersonModel, own: bool) -> str:
    _ = ctx._
    now = ctx.now()
    lines = [_("people.roles.title", name=_name(person))]
    for held in person.roles:
        if not held.counts_at(now):
            continue
        where = (
            _("people.where.community")
            if held.groups is None
            else _.join(_group_name(ctx, g) for g in held.groups)
        )
        line = _("people.roles.line", role=ctx.role_name(held.role), where=where)
        if isinstance(held, RuntimeGrant):
            by = people.current_by_id(ctx, held.granted_by)
            ends = _("people.until", until=_when(ctx, held.until)) if held.until else ""
            line += _("people.roles.granted", by=_name(by) if by else held.granted_by, until=ends)
        lines.append(line)
    if len(lines) == 1:
        lines.append(_("people.roles.none"))
    if own and ctx.group is not None:
        here = _.join(ctx.role_name(r) for r in sorted(ctx.roles)) or _("roles.none")
        lines.append(_("people.roles.here", roles=here))
    return "\n".join(lines)


def _group_name(ctx: Context, group_id: str) -> str:
    group = ctx.community.group(group_id)
    return group.name if group else group_id
