"""Who keeps the registry of which buildings, and who holds a volunteer role now.

A holder of one of the settings' ``registry`` roles keeps the buildings of the resident
groups they hold it in, or every building when they hold it community-wide.
"""

from __future__ import annotations

from datetime import datetime

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.model import Community, Person

from .settings import ErrandSettings


def area_of(community: Community, building: str) -> str:
    """The area the file gives ``building`` ('' for none)."""
    found = community.building(building)
    return (found.area or "") if found is not None else ""


def kept(
    community: Community, person: Person, roles: tuple[str, ...], now: datetime
) -> set[str] | None:
    """The buildings ``person`` keeps the registry of by holding one of ``roles``: None for
    every building (held community-wide), else those of the groups they hold one in."""
    found: set[str] = set()
    for grant in person.roles:
        if grant.role not in roles or not grant.counts_at(now):
            continue
        if grant.groups is None:
            return None
        for group_id in grant.groups:
            group = community.group(group_id)
            if group is not None and group.building:
                found.add(group.building)
    return found


def keeps(ctx: Context, building: str | None = None) -> bool:
    """Whether the sender keeps the registry (of ``building``, if given)."""
    roles = ctx.settings(ErrandSettings).registry
    if not any(g.role in roles and g.counts_at(ctx.now()) for g in ctx.person.roles):
        return False
    buildings = kept(ctx.community, ctx.person, roles, ctx.now())
    return building is None or buildings is None or building in buildings


def keepers(ctx: Context, building: str) -> list[Person]:
    """Who keeps ``building``'s registry: the holders of its resident groups, else those
    holding a ``registry`` role community-wide."""
    roles, now = ctx.settings(ErrandSettings).registry, ctx.now()
    scoped: list[Person] = []
    wide: list[Person] = []
    for person in people.everyone(ctx):
        buildings = kept(ctx.community, person, roles, now)
        if buildings is None:
            wide.append(person)
        elif building in buildings:
            scoped.append(person)
    return scoped or wide


def volunteer_role(ctx: Context, person: Person) -> str | None:
    """The first of the settings' volunteer roles ``person`` holds now, anywhere."""
    roles, now = ctx.settings(ErrandSettings).volunteers, ctx.now()
    held = {g.role for g in person.roles if g.counts_at(now)}
    return next((r for r in roles if r in held), None)
