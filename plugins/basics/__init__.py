"""Basics: /start, /help, /whoami, /groupinfo, /rules, /bind and /reload."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Group
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl

BINDERS = frozenset({"community_worker", "social_worker", "group_admin"})
RELOADERS = frozenset({"community_worker", "social_worker"})
BIND = Arguments(usage="basics.usage.bind", group=Group())


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand("start", start, help="basics.help.start", aliases=("开始",)),
        ChatCommand("help", help_, help="basics.help.help", aliases=("帮助",)),
        ChatCommand("whoami", whoami, help="basics.help.whoami", aliases=("我是谁",)),
        ChatCommand(
            "groupinfo", groupinfo, help="basics.help.groupinfo", aliases=("群信息",), where="group"
        ),
        ChatCommand("rules", rules, help="basics.help.rules", aliases=("群规",), where="group"),
        ChatCommand(
            "bind",
            bind,
            help="basics.help.bind",
            aliases=("绑定",),
            roles=BINDERS,
            where="group",
            arguments=BIND,
        ),
        ChatCommand(
            "reload",
            reload,
            help="basics.help.reload",
            aliases=("重新加载",),
            roles=RELOADERS,
            acts_on="community",
        ),
    ]


def start(ctx: Context) -> Action:
    """Greet the person and point at /help."""
    return ctx.reply(ctx._("basics.start", community=ctx.community.community.name))


async def help_(ctx: Context) -> Action:
    """List the commands this person may use here, in their language."""
    return ctx.reply("\n".join([ctx._("basics.help.title"), *await ctx.command_lines()]))


def whoami(ctx: Context) -> Action:
    """Say who the bot takes the person for, with their roles and where each applies."""
    _ = ctx._
    person = ctx.person
    if not person.known:
        here = _.join(ctx.role_name(r) for r in sorted(ctx.roles)) or _("roles.none")
        return ctx.reply(_("basics.whoami.unknown", roles=here))
    lines = [_("basics.whoami.known", name=person.name or person.id)]
    for grant in person.roles:
        scope = _("basics.scope.community") if grant.groups is None else _.join(grant.groups)
        lines.append(_("basics.whoami.role", role=ctx.role_name(grant.role), scope=scope))
    if ctx.group is not None:
        here = _.join(ctx.role_name(r) for r in sorted(ctx.roles))
        lines.append(_("basics.whoami.here", roles=here or _("roles.none")))
    return ctx.reply("\n".join(lines))


async def groupinfo(ctx: Context) -> Action:
    """Describe the group of this chat: kind, purpose, the sender's right name here (the
    ``nicknames_form`` hook), who administers it."""
    _ = ctx._
    group = ctx.group
    if group is None:
        return ctx.reply(_("basics.not_bound"))
    lines = [_("basics.groupinfo.title", name=group.name, kind=ctx.kind_name(group.kind))]
    if group.purpose:
        lines.append(_("basics.groupinfo.purpose", purpose=_.pick(group.purpose)))
    form = await ctx.call("nicknames_form", group=group, person=ctx.person, roles=ctx.roles)
    if form:
        lines.append(_("basics.groupinfo.nickname", hint=form))
    lines.append(
        _("basics.groupinfo.approval_yes")
        if group.join_approval
        else _("basics.groupinfo.approval_no")
    )
    admins = [p.name or p.id for p in ctx.admins(group)]
    if admins:
        lines.append(_("basics.groupinfo.admins", names=_.join(admins)))
    return ctx.reply("\n".join(lines))


def rules(ctx: Context) -> Action:
    """The service rules of this group, in plain words."""
    _ = ctx._
    if ctx.group is None:
        return ctx.reply(_("basics.not_bound"))
    lines = ctx.rules_here()
    if not lines:
        return ctx.reply(_("basics.rules.none"))
    return ctx.reply(
        "\n".join([_("basics.rules.title", name=ctx.group.name), *(f"• {line}" for line in lines)])
    )


async def bind(ctx: Context) -> Action:
    """Bind the chat this is typed in to a group of the community file.

    Core has checked the sender's roles both in this chat's group and in the named one.
    """
    group = BIND.read(ctx).group
    ctx.bind(group.id)
    return ctx.reply(ctx._("basics.bind.done", name=group.name, id=group.id))


async def reload(ctx: Context) -> list[Action]:
    """Read the community file again; a wrong file leaves the running one in force.

    What is wrong (with the file's path) goes privately to the person who asked.
    """
    problems = await ctx.reload()
    if not problems:
        return [ctx.reply(ctx._("basics.reload.done"))]
    details = ctx.direct(ctx._.plural("basics.reload.refused", len(problems), first=problems[0]))
    if ctx.event.direct:
        return [details]
    return [ctx.reply(ctx._("basics.reload.refused_here")), details]
