"""Who is told about a building: its leaders (the missing-report list) and its community
workers (a fever or a symptom), always privately."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.model import Community, Group, Person
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt

from .settings import CheckinSettings, symptom_name

if TYPE_CHECKING:
    from .reporting import Report


def resident_groups(community: Community, building: str) -> list[Group]:
    """The resident groups (groups whose members are residents) of ``building``."""
    return [
        g
        for g in community.groups
        if g.building == building and community.member_role(g.kind) == "resident"
    ]


def _holders(ctx: Context, roles: Iterable[str], building: str, *, scoped: bool) -> list[Person]:
    """The known people (of the file, or granted a role in chat) holding one of ``roles`` now
    in a resident group of ``building`` (``scoped``), or community-wide."""
    wanted, now = set(roles), ctx.now()
    groups = {g.id for g in resident_groups(ctx.community, building)}
    found = []
    for person in people.everyone(ctx):
        for grant in person.roles:
            if grant.role not in wanted or not grant.counts_at(now):
                continue
            if scoped:
                here = grant.groups is not None and not groups.isdisjoint(grant.groups)
            else:
                here = grant.groups is None
            if here:
                found.append(person)
                break
    return found


def leaders(ctx: Context, building: str) -> list[Person]:
    """Who gets ``building``'s missing-report list: the settings' ``leaders`` of its groups."""
    return _holders(ctx, ctx.settings(CheckinSettings).leaders, building, scoped=True)


def workers(ctx: Context, building: str) -> list[Person]:
    """Who is alerted of a fever or a symptom in ``building``: the settings' ``alert`` roles of
    its resident groups, else those holding one community-wide."""
    roles = ctx.settings(CheckinSettings).alert
    return _holders(ctx, roles, building, scoped=True) or _holders(
        ctx, roles, building, scoped=False
    )


def alert(
    ctx: Context,
    settings: CheckinSettings,
    building: str,
    room: str,
    report: Report,
    fever: bool,
) -> list[Action]:
    """Tell the building's community workers privately that the sender reported a fever or a
    symptom: who, which room, the temperature if it is a fever and the symptoms' names."""
    actions: list[Action] = []
    sender = ctx.person
    for worker in workers(ctx, building):
        if worker.id == sender.id:
            continue
        _ = ctx.translator(worker)
        named = {s.id: symptom_name(_, s) for s in settings.symptoms}
        found = [_("checkins.fever", temperature=f"{report.temperature:.1f}")] if fever else []
        found += [named[s] for s in report.symptoms if s in named]
        text = _(
            "checkins.alert",
            name=excerpt(sender.name or ctx.handle_of(sender) or sender.id, 40),
            building=building_name(ctx.community, building, _),
            room=excerpt(room, 20) or "—",
            found=_.join(found),
        )
        told = ctx.tell(worker, text)
        if told is not None:
            actions.append(told)
    return actions
