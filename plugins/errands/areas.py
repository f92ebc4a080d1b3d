"""``/area``: where a volunteer takes errands.

``/area <building|area>`` (服务区域) registers a building (and with it its area) or an
area of the community file's ``buildings:``; ``/area`` alone says what is registered,
``/area off`` (取消) stops the offers.  For holders of the settings' volunteer roles.
"""

from __future__ import annotations

import unicodedata

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Rest, listing
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import staff
from .models import ServingArea
from .registry import building_named
from .settings import ErrandSettings

AREA = Arguments(
    usage="errands.area.usage", where=Rest(name="errands.name.area", optional=True, default="")
)
OFF_WORDS = ("off", "stop", "取消", "停止")


def areas(ctx: Context) -> list[str]:
    """The areas the community file gives its buildings, in its order."""
    return list(dict.fromkeys(b.area for b in ctx.community.buildings if b.area))


def described(_: Translator, ctx: Context, row: ServingArea) -> str:
    """Where ``row`` serves: ``1号楼（东区）`` or ``东区``."""
    if row.building:
        name = building_name(ctx.community, row.building, _)
        return _("errands.area.building", building=name, area=row.area) if row.area else name
    return row.area


async def area(ctx: Context) -> list[Action]:
    """``/area [<building|area>|off]``: register, show or stop where the sender takes errands."""
    _ = ctx._
    if staff.volunteer_role(ctx, ctx.person) is None:
        roles = listing(_, (ctx.role_name(r) for r in ctx.settings(ErrandSettings).volunteers))
        return [ctx.reply(_("errands.area.refused", roles=roles))]
    typed = " ".join(unicodedata.normalize("NFKC", AREA.read(ctx).where).split())
    key = stored_person(ctx.person.id)
    row = await ServingArea.get_or_none(person=key)
    if not typed:
        if row is None:
            return [ctx.reply(_("errands.area.none", known=_known(ctx)))]
        return [ctx.reply(_("errands.area.current", where=described(_, ctx, row)))]
    if typed.casefold() in OFF_WORDS:
        if row is None:
            return [ctx.reply(_("errands.area.none", known=_known(ctx)))]
        ctx.writes.delete(row)
        return [ctx.reply(_("errands.area.off"))]
    building = building_named(ctx.community, typed)
    chosen = building and staff.area_of(ctx.community, building)
    if building is None:
        chosen = next((a for a in areas(ctx) if a.casefold() == typed.casefold()), None)
        if chosen is None:
            raise AREA.error(
                ctx, "errands.area.unknown", word=excerpt(typed, 40), known=_known(ctx)
            )
    if row is None:
        row = ServingArea(person=key, building=building or "", area=chosen or "", at=ctx.now())
        ctx.writes.add(row)
    else:
        row.building, row.area, row.at = building or "", chosen or "", ctx.now()
        ctx.writes.save(row, ["building", "area", "at"])
    return [ctx.reply(_("errands.area.registered", where=described(_, ctx, row)))]


def _known(ctx: Context) -> str:
    """The buildings and areas one may register, for the sender."""
    _ = ctx._
    buildings = [building_name(ctx.community, b.id, _) for b in ctx.community.buildings]
    return listing(_, [*buildings, *areas(ctx)])
