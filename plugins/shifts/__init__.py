"""Shifts: the roster of the consultation groups, who is on duty, reminders and the no-show flag.

Shifts come from the templates in the plugin's settings (see :mod:`.settings`),
planned ``plan_days`` ahead and numbered for phones (``/claim 12``).  Claimers
are reminded before their shift and thanked at its end; a professional who has
not appeared (no message in the group, no ``/arrive``) ``no_show_after`` into
it is flagged privately to the secretary, else to the group's social worker;
under-staffed shifts are announced to the volunteer pool ``announce_before``
ahead.  Other plugins ask who is on duty through the ``shifts_on_duty`` hook
(or name the computed role ``on_shift``) and follow each shift's end through
``shifts_shift_ended`` (see :mod:`.hookspecs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from tortoise.expressions import Q

from sanshe.core.actions import Action
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Community, Group, Person
from sanshe.core.people import ComputedRole
from sanshe.core.plugins import Plugins
from sanshe.core.services import Services
from sanshe.core.storage.models import Timer, stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due

from . import commands, duties, hookspecs, planning, stored, timing
from .models import StoredClaim, StoredShift, SwapOffer
from .roster import ROSTER, RolesNow
from .settings import ShiftSettings

PLUGIN = timing.PLUGIN
#: The computed role of whoever is on shift in a group now.
ON_SHIFT = "on_shift"
#: The last moment before a span's end: the roster's spans include their end, ``shifts_served`` not.
OVER = timedelta(microseconds=1)


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return ShiftSettings


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(
        app=PLUGIN,
        models="sanshe.plugins.shifts.models",
        migrations="sanshe.plugins.shifts.migrations",
    )


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    pluginmanager.add_hookspecs(hookspecs)


@hookimpl
def sanshe_computed_roles() -> Iterable[ComputedRole]:
    return [ComputedRole(ON_SHIFT, "shifts.role.on_shift", candidate=ROSTER.claims_anything)]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return commands.commands()


@hookimpl
def sanshe_buttons() -> Iterable[ButtonHandler]:
    return [commands.OFFER]


@hookimpl
def shifts_on_duty(group: Group, at: datetime) -> Mapping[str, str]:
    """Who is on shift in ``group`` at ``at``, from the roster in memory: claimers holding
    there then the role they claimed the shift in."""
    services = ROSTER.services
    if services is None:
        return {}
    return ROSTER.on_duty(group, at, RolesNow(services.community, services.person))


@hookimpl
def shifts_served(group: Group, start: datetime, end: datetime) -> Mapping[str, str]:
    """Who appeared on a shift of ``group`` under way from ``start`` to ``end``, from the roster
    in memory, the earliest shift's first."""
    shifts = sorted(ROSTER.overlapping(group.id, start, end - OVER), key=lambda s: s.start)
    found: dict[str, str] = {}
    for shift in shifts:
        for claim in shift.claims.values():
            if claim.arrived is not None:
                found.setdefault(claim.person, claim.role)
    return found


@hookimpl
def sanshe_roles_now(context: Context, group: Group | None) -> Iterable[str] | None:
    """``on_shift`` for the sender in a group where they are on shift now."""
    person = context.person.id
    if group is None or not ROSTER.claims_anything(person):
        return None
    if ROSTER.on_shift(person, group, context.now(), RolesNow.of(context)):
        return (ON_SHIFT,)
    return None


@hookimpl
def sanshe_message(context: Context) -> None:
    """A claimer writing in the group of their shift has appeared for it."""
    if ROSTER.claims_anything(context.person.id):  # most who write have claimed nothing
        commands.noticed(context)


async def _start(ctx: Context) -> None:
    """Load the roster, plan it ahead, and keep the daily planning's timer."""
    await stored.load(ctx.now() - planning.KEPT, (p.id for p in ctx.community.people))
    await planning.plan(ctx)
    if not await Timer.exists(plugin=PLUGIN, key="plan"):
        timing.plan_daily(ctx)
    _planned_from(ctx)


def _basis(community: Community) -> tuple[object, ...]:
    """What the roster is planned from: the settings, the groups and the time zone."""
    return (community.plugins.of(ShiftSettings), community.groups, community.community.timezone)


def _planned_from(ctx: Context) -> None:
    """Once the planning is kept, the roster is planned from ``ctx``'s community (a planning
    not kept is tried again at the next change)."""
    basis = _basis(ctx.community)

    def kept() -> None:
        ROSTER.basis = basis

    ctx.writes.after(kept)


@hookimpl
async def sanshe_startup(services: Services) -> None:
    """Load and plan the roster (nothing to do for a community without templates or shifts)."""
    ROSTER.clear()
    ROSTER.services = services
    if services.settings(ShiftSettings).templates or await StoredShift.exists():
        await services.act(PLUGIN, _start)


async def _again(ctx: Context) -> None:
    """Plan the roster again from what changed; keep the daily planning while there are templates."""
    await planning.plan(ctx, again=True)
    if ctx.settings(ShiftSettings).templates:
        timing.plan_daily(ctx)
    _planned_from(ctx)


@hookimpl
async def sanshe_community_changed(services: Services) -> None:
    """Plan again when the settings, the groups or the time zone changed (a reload; a chat
    bound to a group changes none of them)."""
    if _basis(services.community) == ROSTER.basis:
        return
    if services.settings(ShiftSettings).templates or ROSTER.shifts:
        await services.act(PLUGIN, _again)


@hookimpl
def sanshe_shutdown() -> None:
    ROSTER.clear()
    ROSTER.services = None


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    return await duties.fire(context, timer)


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The person's claims (which shift, role, when claimed and arrived) and swaps offered."""
    key = stored_person(person.id)
    claims = await StoredClaim.filter(person=key).order_by("id")
    offers = await SwapOffer.filter(Q(from_person=key) | Q(to_person=key))
    if not claims and not offers:
        return None
    shifts = {s.id: s for s in await StoredShift.filter(id__in=[c.shift for c in claims])}
    return {
        "claims": [
            {
                "shift": c.shift,
                "group": shifts[c.shift].group if c.shift in shifts else None,
                "start": shifts[c.shift].starts_at.isoformat() if c.shift in shifts else None,
                "end": shifts[c.shift].ends_at.isoformat() if c.shift in shifts else None,
                "role": c.role,
                "claimed_at": c.claimed_at.isoformat(),
                "arrived_at": c.arrived_at.isoformat() if c.arrived_at else None,
            }
            for c in claims
        ],
        "swaps": [
            {
                "shift": o.shift,
                "offered": o.from_person == key,
                "role": o.role,
                "made_at": o.made_at.isoformat(),
            }
            for o in offers
        ],
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """Delete the person's claims and the swaps they offered or were offered."""
    key = stored_person(person.id)
    writes.run(lambda db: StoredClaim.filter(person=key).using_db(db).delete())
    writes.run(
        lambda db: SwapOffer.filter(Q(from_person=key) | Q(to_person=key)).using_db(db).delete()
    )
