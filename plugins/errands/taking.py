"""``/take <n>`` (接单) and ``/done <n>`` (完成): a volunteer takes an errand offered to them,
first come first served, and closes it once done.

Whoever takes it reads the detail, the household's building and room and whom it is for;
the person it is for, and the worker who asked for them, are told who is coming (name and
role, never a phone number).  A second taker is told it is taken.  ``/done`` tells them
it is done.  In private chats only.
"""

from __future__ import annotations

from sanshe.core import names, people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Word, listing
from sanshe.core.context import Context
from sanshe.core.model import Person
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import offers, staff
from .models import Errand
from .settings import ErrandSettings

TAKE = Arguments(usage="errands.take.usage", number=Word(name="errands.name.errand"))
DONE = Arguments(usage="errands.done.usage", number=Word(name="errands.name.errand"))


async def _errand(ctx: Context, args: Arguments) -> Errand:
    """The errand the command's number names, claimed (two volunteers' /take of one errand are
    decided one after the other); ArgumentError for none."""
    typed = args.read(ctx).number.lstrip("#＃")
    found = None
    if typed.isdecimal() and len(typed) < 9:
        await ctx.claim(f"errand:{int(typed)}")
        found = await Errand.get_or_none(number=int(typed))
    if found is None:
        raise args.error(ctx, "errands.no_such", number=excerpt(typed, 12))
    return found


def _told(ctx: Context, errand: Errand) -> list[tuple[str, Person]]:
    """Whom an errand's news goes to: the person it is for, and who asked if someone else."""
    found = []
    for person_id in dict.fromkeys(p for p in (errand.person, errand.asked_by) if p):
        person = people.current_by_id(ctx, person_id)
        if person is not None:
            found.append((person_id, person))
    return found


async def take(ctx: Context) -> list[Action]:
    """``/take <n>``: the sender takes errand n, if it is open and was offered to them."""
    _ = ctx._
    role = staff.volunteer_role(ctx, ctx.person)
    if role is None:
        roles = listing(_, (ctx.role_name(r) for r in ctx.settings(ErrandSettings).volunteers))
        return [ctx.reply(_("errands.area.refused", roles=roles))]
    errand = await _errand(ctx, TAKE)
    me = stored_person(ctx.person.id)
    if errand.state != "open":
        key = "errands.take.yours" if errand.taker == me else "errands.take.taken"
        return [ctx.reply(_(key, number=errand.number))]
    ring = min(errand.ring, offers.EVERYONE)
    if ctx.person.id not in {p.id for p in await offers.volunteers(ctx, errand, ring)}:
        return [ctx.reply(_("errands.take.not_offered", number=errand.number))]
    errand.state, errand.taker, errand.taken_at = "taken", me, ctx.now()
    ctx.writes.save(errand, ["state", "taker", "taken_at"])
    ctx.timers(offers.PLUGIN).cancel(f"{offers.UNTAKEN}{errand.number}")
    where = building_name(ctx.community, errand.building, _)
    text = _(
        "errands.take.done",
        number=errand.number,
        kind=offers.kind_name(_, errand.kind),
        name=excerpt(people.name_of(ctx, errand.person, unknown="—"), 40),
        building=where,
        room=excerpt(errand.room, 20) or "—",
        detail=errand.detail,
    )
    actions = [ctx.reply(text)]
    for person_id, person in _told(ctx, errand):
        theirs = ctx.translator(person)
        key = "errands.coming" if person_id == errand.person else "errands.coming_for"
        news = theirs(
            key,
            number=errand.number,
            kind=offers.kind_name(theirs, errand.kind),
            volunteer=excerpt(ctx.person.name or ctx.person.id, 40),
            role=names.role_name(ctx.community, role, theirs),
            name=excerpt(people.name_of(ctx, errand.person, unknown="—"), 40),
        )
        if (told := ctx.tell(person, news)) is not None:
            actions.append(told)
    return actions


async def done(ctx: Context) -> list[Action]:
    """``/done <n>``: its taker (or a worker keeping its building) closes errand n."""
    _ = ctx._
    errand = await _errand(ctx, DONE)
    me = stored_person(ctx.person.id)
    if errand.taker != me and not staff.keeps(ctx, errand.building):
        return [ctx.reply(_("errands.done.not_yours", number=errand.number))]
    if errand.state == "done":
        return [ctx.reply(_("errands.done.already", number=errand.number))]
    if errand.state != "taken":
        return [ctx.reply(_("errands.done.open", number=errand.number))]
    errand.state, errand.done_at = "done", ctx.now()
    ctx.writes.save(errand, ["state", "done_at"])
    actions = [ctx.reply(_("errands.done.closed", number=errand.number))]
    taker = excerpt(people.name_of(ctx, errand.taker, unknown="—"), 40)
    for person_id, person in _told(ctx, errand):
        if person.id == ctx.person.id:
            continue
        theirs = ctx.translator(person)
        key = "errands.finished" if person_id == errand.person else "errands.finished_for"
        news = theirs(
            key,
            number=errand.number,
            kind=offers.kind_name(theirs, errand.kind),
            volunteer=taker,
            name=excerpt(people.name_of(ctx, errand.person, unknown="—"), 40),
        )
        if (told := ctx.tell(person, news)) is not None:
            actions.append(told)
    return actions
