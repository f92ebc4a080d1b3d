"""``/need <kind> <detail>``: an errand asked by a vulnerable household, or for it.

A person of the registry (theirs or their household's entry) asks for themselves; a
community worker keeping the building asks on someone's behalf with ``/need <person|
building-room> <kind> <detail>``.  The errand is numbered and offered (:mod:`.offers`); the
detail is kept sealed and read only by its taker.  Typed in a group, the message is deleted
where the network can and everything is answered privately.
"""

from __future__ import annotations

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import (
    ArgumentError,
    Arguments,
    Parsed,
    Person,
    Rest,
    Word,
    listing,
    plain_word,
)
from sanshe.core.context import Context
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import offers, staff
from .models import Errand, Vulnerable
from .registry import Home, entry_at, entry_of, home_typed, household

#: The kinds of errand, each with the words it is typed as beside its id.
KINDS: dict[str, tuple[str, ...]] = {
    "groceries": ("买菜", "代购", "物资", "生活物资", "grocery", "food"),
    "medicine": ("买药", "药", "药品", "代购药品", "medicines"),
    "parcel": ("快递", "取快递", "代取快递", "包裹", "parcels"),
    "other": ("其他", "其它", "别的"),
}
#: The longest detail kept (phone, ID and card numbers masked: the taker reads it).
DETAIL_LENGTH = 500

OWN = Arguments(
    usage="errands.need.usage",
    kind=Word(name="errands.name.kind"),
    detail=Rest(name="errands.name.detail"),
)
FOR_PERSON = Arguments(
    usage="errands.need.usage_for",
    person=Person(),
    kind=Word(name="errands.name.kind"),
    detail=Rest(name="errands.name.detail"),
)
FOR_HOME = Arguments(
    usage="errands.need.usage_for",
    home=Word(name="errands.name.home"),
    kind=Word(name="errands.name.kind"),
    detail=Rest(name="errands.name.detail"),
)


def kind_of(word: str) -> str | None:
    """The kind ``word`` names (its id or another word for it)."""
    typed = plain_word(word)
    return next(
        (k for k, words in KINDS.items() if typed in {plain_word(w) for w in (k, *words)}), None
    )


async def need(ctx: Context) -> list[Action]:
    """``/need [<person|building-room>] <kind> <detail>``: number an errand and offer it."""
    actions = ctx.withdrawn()
    try:
        return actions + await _need(ctx)
    except ArgumentError as wrong:
        return actions + ctx.privately([wrong.text])


async def _need(ctx: Context) -> list[Action]:
    _ = ctx._
    words = (ctx.command.args if ctx.command else "").split()
    if not words or kind_of(words[0]) is not None:
        args = OWN.read(ctx)
        entry = await entry_of(ctx, ctx.person.id)
        if entry is None:
            return ctx.privately([await _unregistered(ctx)])
        person_id = ctx.person.id
    else:
        if not staff.keeps(ctx):
            if await entry_of(ctx, ctx.person.id) is None:
                return ctx.privately([await _unregistered(ctx)])
            raise OWN.error(
                ctx, "errands.need.unknown_kind", word=excerpt(words[0]), known=_kinds(ctx)
            )
        person_id, entry, args = await _for_whom(ctx, words[0])
    kind = kind_of(args.kind)
    if kind is None:
        raise OWN.error(
            ctx, "errands.need.unknown_kind", word=excerpt(args.kind), known=_kinds(ctx)
        )
    where = building_name(ctx.community, entry.building, _)
    if person_id != ctx.person.id and not staff.keeps(ctx, entry.building):
        return ctx.privately([_("errands.vulnerable.not_yours", building=where)])
    number = await ctx.number("errands_errand")
    errand = Errand(
        number=number,
        person=stored_person(person_id) if person_id else "",
        asked_by=stored_person(ctx.person.id),
        building=entry.building,
        room=entry.room,
        kind=kind,
        detail=excerpt(" ".join(str(args.detail).split()), DETAIL_LENGTH),
        at=ctx.now(),
    )
    offered, errand.ring = await offers.offer(ctx, errand, offers.BUILDING)
    ctx.writes.add(errand)
    key = "errands.need.offered" if errand.ring < offers.WORKERS else "errands.need.nobody"
    if person_id != ctx.person.id:
        key += "_for"
    name = excerpt(people.name_of(ctx, person_id, unknown="—") if person_id else "—", 40)
    text = _(key, number=number, kind=offers.kind_name(_, kind), building=where, name=name)
    return ctx.privately([text]) + offered


async def _for_whom(ctx: Context, first: str) -> tuple[str, Vulnerable, Parsed]:
    """Whom a community worker asks for: (their person id or '', their entry, the arguments)."""
    home = home_typed(ctx, first)
    if home is not None:
        args = FOR_HOME.read(ctx)
        entry = await entry_at(home)
        if entry is None:
            raise FOR_HOME.error(ctx, "errands.need.not_registered", name=excerpt(first, 20))
        return entry.person, entry, args
    args = FOR_PERSON.read(ctx)
    person = people.current_by_id(ctx, args.person.id)
    entry = await entry_of(ctx, person.id) if person is not None else None
    if person is None or entry is None:
        name = excerpt(args.person.name or args.person.id, 40)
        raise FOR_PERSON.error(ctx, "errands.need.not_registered", name=name)
    return person.id, entry, args


def _kinds(ctx: Context) -> str:
    _ = ctx._
    return listing(_, (f"{k}（{offers.kind_name(_, k)}）" for k in KINDS))


async def _unregistered(ctx: Context) -> str:
    """What someone not in the registry reads: who can register their household."""
    _ = ctx._
    home: Home | None = await household(ctx, ctx.person.id)
    keepers = staff.keepers(ctx, home.building if home is not None else "")
    if keepers:
        names = listing(_, (excerpt(p.name or p.id, 40) for p in keepers))
        return _("errands.need.unregistered_named", names=names)
    return _("errands.need.unregistered")
