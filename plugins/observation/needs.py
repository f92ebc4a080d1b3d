"""``/observe need supplies|parcel|rubbish <detail>``: the person under observation asks for
living supplies, a parcel to be fetched or their rubbish to be taken away; the request is kept
in their file and goes privately to the community worker keeping it."""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.arguments import plain_word
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from . import shown
from .models import Need, Observation

#: The words of each kind of request, as typed (any letter case), in both languages.
KINDS = {
    "supplies": ("supplies", "groceries", "物资", "生活物资", "买菜", "生活用品"),
    "parcel": ("parcel", "parcels", "delivery", "快递", "取快递", "收快递", "包裹"),
    "rubbish": ("rubbish", "garbage", "trash", "垃圾", "倒垃圾", "生活垃圾", "清运垃圾"),
}
_KINDS = {word: kind for kind, words in KINDS.items() for word in words}
#: The longest detail kept.
DETAIL_LENGTH = 300


async def own_file(ctx: Context) -> Observation | None:
    """The sender's open file, if they are under observation."""
    return await Observation.get_or_none(person=stored_person(ctx.person.id), open=True)


async def ask(ctx: Context, text: str) -> list[Action]:
    """Keep the sender's request in their file and tell its worker privately."""
    _ = ctx._
    file = await own_file(ctx)
    if file is None:
        return [ctx.reply(_("observation.not_observed"))]
    first, _space, rest = text.strip().partition(" ")
    kind = _KINDS.get(plain_word(first))
    detail = storable(rest)[:DETAIL_LENGTH]
    if kind is None or not detail:
        return [ctx.reply(_("observation.usage.need"))]
    ctx.writes.add(Need(file=file.number, kind=kind, detail=detail, at=ctx.now()))
    told: list[Action] = []
    names: list[str] = []
    for worker in shown.workers(ctx, file):
        theirs = ctx.translator(worker)
        action = ctx.tell(
            worker,
            theirs(
                "observation.need_told",
                number=file.number,
                who=shown.where(theirs, ctx, file),
                kind=theirs(f"observation.kind.{kind}"),
                detail=detail,
            ),
        )
        if action is not None:
            told.append(action)
            names.append(excerpt(worker.name or worker.id, 40))
    if not told:
        return [ctx.reply(_("observation.need_unreached"))]
    kind_name = _(f"observation.kind.{kind}")
    return [ctx.reply(_("observation.need_sent", kind=kind_name, worker=_.join(names))), *told]


async def status(ctx: Context, file: Observation) -> list[Action]:
    """What a person under observation reads of ``/observe``: their period, how to ask."""
    _ = ctx._
    today = shown.today(ctx)
    return [
        ctx.reply(
            _(
                "observation.yours",
                day=shown.day_of(file, today),
                days=shown.length(file),
                end=shown.day(_, file.end),
            )
        )
    ]
