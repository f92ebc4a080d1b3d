"""``/nicknames [group]`` (``/昵称``): a group's admins see who there does not follow their
pattern, with the right form for each; typed in a group, the answer comes privately."""

from __future__ import annotations

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Group, listing
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context, roles_in
from sanshe.core.model import Group as GroupModel
from sanshe.core.model import Person
from sanshe.core.privacy import excerpt

from .members import MEMBERS
from .right_names import right_form
from .settings import NicknameSettings

LISTING = Arguments(usage="nicknames.usage", group=Group(optional=True))


def commands() -> list[ChatCommand]:
    """The plugin's one command, for the admins of the group it is about."""
    return [
        ChatCommand(
            "nicknames",
            nonconforming,
            help="nicknames.help",
            aliases=("昵称", "群昵称"),
            roles=frozenset({"group_admin"}),
            arguments=LISTING,
        )
    ]


def nonconforming(ctx: Context) -> list[Action]:
    """List the members seen in the group whose display name does not follow their pattern."""
    _ = ctx._
    group: GroupModel | None = LISTING.read(ctx).group or ctx.group
    if group is None:
        known = listing(_, (g.id for g in ctx.community.groups))
        raise LISTING.error(ctx, "nicknames.group_needed", groups=known)
    settings = ctx.settings(NicknameSettings)
    seen = MEMBERS.of(group.id)
    wrong: list[tuple[str, str]] = []
    for person_id, name in sorted(seen.items(), key=lambda item: item[1]):
        person = people.current_by_id(ctx, person_id) or Person(id=person_id, known=False)
        roles = roles_in(ctx.community, person, group, now=ctx.now())
        form = right_form(settings, group, person, roles, _)
        if form is not None and not settings.conforms(name, group, roles):
            wrong.append((name, form))
    if not wrong:
        told = _.plural("nicknames.all_conform", len(seen), group=group.name, seen=len(seen))
        return _privately(ctx, told)
    lines = [_("nicknames.listed", group=group.name, count=len(wrong), seen=len(seen))]
    lines.extend(_("nicknames.line", name=excerpt(name, 40), form=form) for name, form in wrong)
    return _privately(ctx, "\n".join(lines))


def _privately(ctx: Context, text: str) -> list[Action]:
    """``text`` for the sender alone: typed in a group, sent privately with a note there."""
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(ctx._("nicknames.sent_privately")), ctx.direct(text)]
