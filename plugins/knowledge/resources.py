"""``/resource``: the community's resource map (supplies, services, hotlines, pharmacies).

``/resource <need>`` (anyone) lists the resources meeting the need, with their area, opening
times and contact; ``/resource`` alone lists them all.  The resources come from the settings
(``plugins: knowledge: resources:``) and from staff: ``/resource add <name> | <needs> |
<area> | <opening times> | <contact>``; ``/resource renew <n>`` confirms one staff added,
``/resource remove <n>`` takes it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Text
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from . import search, shown
from .models import AddedResource

#: How many resources a search shows, and a listing of them all.
TOP, LISTED = 5, 15
#: The longest part of a resource kept.
PART_LENGTH = 200
SEQUENCE = "knowledge_resource"
#: The words each kind of resource is found by, beside its needs and name.
KIND_WORDS = {
    "supplies": "物资 生活物资 supplies",
    "service": "服务 service",
    "hotline": "热线 电话 hotline",
    "pharmacy": "药店 药房 药品 pharmacy medicine",
}


@dataclass(frozen=True, slots=True)
class Place:
    """A resource as the map shows it, from the settings or added by staff."""

    name: Text
    needs: tuple[str, ...]
    """The words of the needs it meets (one text for one staff added)."""
    kind: str = ""
    area: Text = ""
    hours: Text = ""
    contact: Text = ""
    number: int | None = None
    """The number of one staff added (None: one of the settings)."""
    author: str = ""
    checked_at: datetime | None = None


def _every(text: Text) -> str:
    """A text in all its languages, to be found by any."""
    return text if isinstance(text, str) else " ".join(text.values())


async def places(ctx: Context) -> list[Place]:
    """The settings' resources, then those staff added, oldest first."""
    found = [
        Place(r.name, r.needs, r.kind, r.area, r.hours, r.contact)
        for r in shown.settings(ctx).resources
    ]
    for added in await AddedResource.all().order_by("number"):
        found.append(
            Place(
                added.name,
                (added.needs,),
                "",
                added.area,
                added.hours,
                added.contact,
                added.number,
                added.author,
                added.checked_at,
            )
        )
    return found


def _readable(_: Translator, needs: tuple[str, ...]) -> tuple[str, ...]:
    """The needs written in the reader's language (Chinese or not), else all of them."""
    chinese = _.locale.startswith("zh")
    theirs = tuple(need for need in needs if bool(search.chinese(need)) == chinese)
    return theirs or needs


def line(ctx: Context, _: Translator, place: Place) -> str:
    """One resource: its name and kind, the needs it meets, where, when and how to reach it."""
    head = _.pick(place.name)
    if place.number is not None:
        head = _("knowledge.resource.numbered", number=place.number, name=head)
    if place.kind:
        head += _("knowledge.resource.kind", kind=_(f"knowledge.kind.{place.kind}"))
    details = [_("knowledge.resource.needs", needs=_.join(_readable(_, place.needs)))]
    for key, value in (("area", place.area), ("hours", place.hours), ("contact", place.contact)):
        if text := _.pick(value):
            details.append(_(f"knowledge.resource.{key}", text=text))
    lines = [head, _("knowledge.resource.sep").join(details)]
    if place.checked_at is not None:
        lines.append(shown.source(ctx, _, place.author, place.checked_at))
    return "\n".join(f"• {lines[0]}" if i == 0 else f"  {text}" for i, text in enumerate(lines))


async def resource(ctx: Context) -> list[Action]:
    """List, find by need, or (staff) add, confirm or remove a resource."""
    assert ctx.command is not None
    _ = ctx._
    work, rest = shown.subcommand(ctx.command.args)
    if work is None and not rest:
        return [ctx.reply(await _all(ctx))]
    if work is None:
        return [ctx.reply(await _find(ctx, rest))]
    if not shown.is_staff(ctx):
        return [ctx.reply(_("knowledge.resource.staff_only", roles=shown.staff_names(ctx)))]
    if work == "add":
        return [ctx.reply(await _add(ctx, rest))]
    return [ctx.reply(await _change(ctx, work, rest))]


async def _all(ctx: Context) -> str:
    _ = ctx._
    every = await places(ctx)
    if not every:
        return _("knowledge.resource.empty") + "\n" + _("knowledge.resource.usage")
    lines = [_("knowledge.resource.all", count=len(every))]
    lines += [line(ctx, _, place) for place in every[:LISTED]]
    if len(every) > LISTED:
        lines.append(_("knowledge.resource.more", count=len(every) - LISTED))
    lines.append(_("knowledge.resource.usage"))
    return "\n".join(lines)


async def _find(ctx: Context, need: str) -> str:
    _ = ctx._
    items = (
        (p, f"{' '.join(p.needs)} {_every(p.name)} {KIND_WORDS.get(p.kind, '')}", "")
        for p in await places(ctx)
    )
    found = search.rank(need, items, TOP, shown.synonyms(ctx))
    if not found:
        return _("knowledge.resource.none")
    lines = [_("knowledge.resource.found", count=len(found))]
    lines += [line(ctx, _, hit.item) for hit in found]
    return "\n".join(lines)


async def _add(ctx: Context, text: str) -> str:
    _ = ctx._
    pieces = [storable(piece) for piece in shown.parts(text)]
    if not 2 <= len(pieces) <= 5 or not (pieces[0] and pieces[1]):
        return _("knowledge.resource.usage_add")
    if any(len(piece) > PART_LENGTH for piece in pieces):
        return _("knowledge.resource.too_long", length=PART_LENGTH)
    if shown.private(pieces):
        return _("knowledge.personal_data")
    name, needs, area, hours, contact = (pieces + ["", "", ""])[:5]
    number, now = await ctx.number(SEQUENCE), ctx.now()
    ctx.writes.add(
        AddedResource(
            number=number,
            name=name,
            needs=needs,
            area=area,
            hours=hours,
            contact=contact,
            author=stored_person(ctx.person.id),
            created_at=now,
            checked_at=now,
        )
    )
    ctx.audit("create", f"resource:{number}")
    return _("knowledge.resource.added", number=number, name=excerpt(name))


async def _change(ctx: Context, work: str, text: str) -> str:
    """Confirm (``renew``) or remove the resource staff added as number ``text``."""
    _ = ctx._
    number = shown.number(text)
    if number is None:
        problem = shown.wrong_number(_, text)
        return _("arguments.error", problem=problem, usage=_(f"knowledge.resource.usage_{work}"))
    added = await AddedResource.get_or_none(number=number)
    if added is None:
        return _("knowledge.resource.no_entry", number=number)
    if work == "renew":
        now = ctx.now()
        ctx.writes.run(
            lambda db: (
                AddedResource.filter(number=number)
                .using_db(db)
                .update(checked_at=now, flagged_at=None)
            )
        )
        ctx.audit("update", f"resource:{number}")
        return _("knowledge.resource.renewed", number=number, name=excerpt(added.name))
    ctx.writes.run(lambda db: AddedResource.filter(number=number).using_db(db).delete())
    ctx.audit("delete", f"resource:{number}")
    return _("knowledge.resource.removed", number=number, name=excerpt(added.name))
