"""Offering an errand to volunteers, ever wider until someone takes it.

An errand goes privately first to the volunteers serving its building, else its area
(``/area``).  Untaken after ``take_within`` (a timer of core's, so it comes also after a
restart), it goes to those of the next ring not offered it yet: the area, then every
volunteer; when no ring is left, the building's community workers are told.  An offer says
the kind of errand and the building, never the detail, which only its taker reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.names import building_name
from sanshe.core.timers import Due

from . import staff
from .models import Errand, ServingArea
from .settings import ErrandSettings

#: The plugin's name: its timers' owner.
PLUGIN = "errands"
#: The key prefix of an errand's timer: ``untaken:<number>``.
UNTAKEN = "untaken:"
#: The rings an errand is offered in, narrowest first; after the last, the workers are told.
BUILDING, AREA, EVERYONE, WORKERS = 0, 1, 2, 3


def kind_name(_: Translator, kind: str) -> str:
    """An errand kind's name (``买药``) in the reader's language."""
    return _(f"errands.kind.{kind}")


async def volunteers(ctx: Context, errand: Errand, ring: int) -> list[Person]:
    """The volunteers holding a volunteer role now who serve within ``ring`` of ``errand``
    (whoever it is for and who asked left out)."""
    return _within(ctx, errand, ring, await ServingArea.all().order_by("id"))


def _within(
    ctx: Context, errand: Errand, ring: int, serving: Iterable[ServingArea]
) -> list[Person]:
    """Of ``serving`` (where the volunteers serve), the volunteers within ``ring`` of ``errand``,
    as :func:`volunteers` says."""
    area = staff.area_of(ctx.community, errand.building)
    found: list[Person] = []
    for row in serving:
        if ring == BUILDING and row.building != errand.building:
            continue
        if ring == AREA and row.building != errand.building and not (area and row.area == area):
            continue
        person = people.current_by_id(ctx, row.person)
        if person is None or person.id in (errand.person, errand.asked_by):
            continue
        if staff.volunteer_role(ctx, person) is not None:
            found.append(person)
    return found


def _offer(ctx: Context, errand: Errand, person: Person) -> Action | None:
    _ = ctx.translator(person)
    text = _(
        "errands.offer",
        number=errand.number,
        kind=kind_name(_, errand.kind),
        building=building_name(ctx.community, errand.building, _),
    )
    return ctx.tell(person, text)


async def offer(ctx: Context, errand: Errand, start: int) -> tuple[list[Action], int]:
    """Offer ``errand`` in the first ring from ``start`` that reaches someone it was not offered
    before, and keep its timer; else tell the building's workers.  The actions and the ring."""
    serving = await ServingArea.all().order_by("id")
    narrower = _within(ctx, errand, start - 1, serving) if start > BUILDING else []
    before = {p.id for p in narrower}
    for ring in range(start, WORKERS):
        new = [p for p in _within(ctx, errand, ring, serving) if p.id not in before]
        if new:
            ctx.timers(PLUGIN).after(
                f"{UNTAKEN}{errand.number}", ctx.settings(ErrandSettings).waiting
            )
            return [a for p in new if (a := _offer(ctx, errand, p)) is not None], ring
    return _untaken(ctx, errand), WORKERS


def _untaken(ctx: Context, errand: Errand) -> list[Action]:
    """Tell the building's community workers (and who asked) that nobody has taken ``errand``."""
    actions: list[Action] = []
    told = {p.id: p for p in staff.keepers(ctx, errand.building)}
    asker = people.current_by_id(ctx, errand.asked_by)
    if asker is not None and asker.id != errand.person:
        told.setdefault(asker.id, asker)
    for person in told.values():
        _ = ctx.translator(person)
        text = _(
            "errands.untaken",
            number=errand.number,
            kind=kind_name(_, errand.kind),
            building=building_name(ctx.community, errand.building, _),
            name=people.name_of(ctx, errand.person, unknown="—"),
        )
        if (action := ctx.tell(person, text)) is not None:
            actions.append(action)
    return actions


async def fire(ctx: Context, timer: Due) -> list[Action]:
    """An errand's wait is over: offer it wider if nobody has taken it."""
    number = timer.key.removeprefix(UNTAKEN)
    errand = await Errand.get_or_none(number=int(number)) if number.isdecimal() else None
    if errand is None or errand.state != "open":
        return []
    actions, errand.ring = await offer(ctx, errand, errand.ring + 1)
    ctx.writes.save(errand, ["ring"])
    return actions
