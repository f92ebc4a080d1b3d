"""Dispatch: ``/dispatch <volunteer> <group>`` sends a trained volunteer who signed the
agreement into a consultation group.

Core lets only social workers of that group (or community-wide ones) run it, as the group is
one of its arguments.  The volunteer is granted their class's role there (audited by core),
invited into the group's chat on the network they registered on (a Matrix invite; on
Telegram a one-person invite link sent privately), and told privately how to name
themselves there (as the nicknames plugin says, if it has a pattern for them).  Missing
training or the agreement is refused, saying exactly what.
"""

from __future__ import annotations

from sanshe.core.actions import Action, Invite
from sanshe.core.arguments import Arguments, Group
from sanshe.core.context import Context, roles_in
from sanshe.core.model import Group as GroupModel
from sanshe.core.names import role_name
from sanshe.core.storage.models import stored_person

from .models import Dispatch
from .pool import (
    CONSULTATION,
    Named,
    lacking,
    lacking_text,
    privately,
    registered_as,
    status,
)
from .settings import VolunteerSettings

DISPATCH = Arguments(usage="volunteers.usage.dispatch", volunteer=Named(), group=Group())


def _chat(ctx: Context, group: GroupModel, network: str) -> str | None:
    """The chat of ``group`` on ``network``, if it has one."""
    places = [p for p in ctx.in_chats_of(group) if p.event.network == network]
    return places[0].event.chat if places else None


async def dispatch(ctx: Context) -> list[Action]:
    """Grant the volunteer their role in the group, invite them, tell them how to name themselves
    there (the ``nicknames_form`` hook)."""
    _ = ctx._
    args = DISPATCH.read(ctx)
    group: GroupModel = args.group
    if group.kind not in CONSULTATION:
        kinds, kind = _.join(ctx.kind_name(k) for k in CONSULTATION), ctx.kind_name(group.kind)
        # "The volunteer pool is a volunteer pool" says nothing: when its name is its kind's.
        plain = group.name.casefold() == kind.casefold()
        key = "volunteers.not_consultation_plain" if plain else "volunteers.not_consultation"
        raise DISPATCH.error(ctx, key, group=group.name, kind=kind, kinds=kinds)
    named = await registered_as(ctx, DISPATCH, args.volunteer)
    if isinstance(named, list):
        return named
    found, person, name = named
    values = {"number": found.id, "name": name, "group": group.name}
    if found.status != "approved" or found.kind is None:
        return privately(ctx, _("volunteers.not_dispatchable", status=status(_, found), **values))
    left, unsigned = await lacking(ctx, found)
    if left or unsigned:
        missing = lacking_text(_, left, unsigned)
        return privately(ctx, _("volunteers.cannot_dispatch", missing=missing, **values))
    role = getattr(ctx.settings(VolunteerSettings).class_roles, found.kind)
    now = ctx.now()
    again = any(g.role == role and g.covers(group.id) and g.counts_at(now) for g in person.roles)
    if not again:
        ctx.grant(person, role, [group.id], reason=f"volunteer {found.id} dispatched")
    if not await Dispatch.exists(volunteer=found.id, group_id=group.id):
        ctx.writes.add(
            Dispatch(
                volunteer=found.id,
                person=found.person,
                group_id=group.id,
                role=role,
                by=stored_person(ctx.person.id),
                at=now,
            )
        )
    lines = [
        _(
            "volunteers.dispatched_again" if again else "volunteers.dispatched",
            role=ctx.role_name(role),
            **values,
        )
    ]
    actions: list[Action] = []
    handle = person.handles.get(found.network)
    chat = _chat(ctx, group, found.network)
    if chat is None or handle is None:
        lines.append(_("volunteers.no_chat", group=group.name, network=found.network))
    else:
        actions.append(Invite(chat=chat, user=handle, network=found.network))
        lines.append(_("volunteers.invited"))
    theirs = ctx.translator(person)
    their_role = role_name(ctx.community, role, theirs)
    roles = roles_in(ctx.community, person, group, now=now) | {role}
    form = await ctx.call("nicknames_form", group=group, person=person, roles=roles)
    said = {"group": group.name, "role": their_role}
    if form:
        told = ctx.tell(person, theirs("volunteers.dispatched_you", hint=form, **said))
    else:
        told = ctx.tell(person, theirs("volunteers.dispatched_you_plain", **said))
    lines.append(_("volunteers.told" if told else "volunteers.not_told"))
    return [*privately(ctx, "\n".join(lines)), *actions, *([told] if told else [])]
