"""Who is told about a building: its leaders (the missing-report list) and its community
workers (a fever or a symptom), always privately."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.model import Person
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt

from .settings import CheckinSettings, symptom_name

if TYPE_CHECKING:
    from .reporting import Report


def leaders(ctx: Context, building: str) -> list[Person]:
    """Who gets ``building``'s missing-report list: the settings' ``leaders`` of its groups."""
    groups = ctx.community.resident_groups(building)
    return people.holding(ctx, ctx.settings(CheckinSettings).leaders, groups)


def workers(ctx: Context, building: str) -> list[Person]:
    """Who is alerted of a fever or a symptom in ``building``: the settings' ``alert`` roles of
    its resident groups, else those holding one community-wide."""
    return people.serving(ctx, ctx.settings(CheckinSettings).alert, building)


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
