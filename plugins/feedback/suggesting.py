"""``/suggest <text>`` (建议, 意见): a resident's opinion or suggestion, kept out of every group.

Typed privately it is answered there.  Typed in a group its message is deleted (where the
network can) and it is acknowledged privately: nobody's complaint stays in the group.  It
is kept with the building of the sender's household (the joining plugin's
``joining_household`` hook; else the building of the resident group it was typed in).
"""

from __future__ import annotations

from sanshe.core.actions import Action, Delete
from sanshe.core.arguments import ArgumentError, Arguments, Rest
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from .models import Suggestion

SUGGEST = Arguments(usage="feedback.usage", text=Rest(name="feedback.name.text"))
#: The longest suggestion kept, in characters.
LONGEST = 1000


def private(ctx: Context, texts: list[str]) -> list[Action]:
    """``texts`` for the sender: where they wrote in a private chat, privately from a group."""
    if ctx.event.direct:
        return [ctx.reply(t) for t in texts]
    return [ctx.direct(t) for t in texts]


def _delete(ctx: Context) -> list[Action]:
    """The deletion of the command's own message, typed in a group, where the network can."""
    event = ctx.event
    if event.direct or not isinstance(event, Message) or not event.message_id:
        return []
    return [Delete(chat=event.chat, message_id=event.message_id)] if ctx.can(Delete) else []


async def building_of(ctx: Context) -> str:
    """The building the sender's suggestion is about: their household's, else the building of
    the group it was typed in ("": none known)."""
    home = await ctx.call("joining_household", person_id=ctx.person.id)
    if isinstance(home, dict) and home.get("building"):
        return str(home["building"])
    return (ctx.group.building or "") if ctx.group is not None else ""


async def suggest(ctx: Context) -> list[Action]:
    """``/suggest <text>``: keep the suggestion with the sender's building, acknowledge it
    privately (deleting it from a group)."""
    actions = _delete(ctx)
    _ = ctx._
    try:
        text = storable(SUGGEST.read(ctx).text).strip()
    except ArgumentError as wrong:
        return actions + private(ctx, [wrong.text])
    if len(text) > LONGEST:
        too_long = SUGGEST.error(ctx, "feedback.too_long", length=len(text), longest=LONGEST)
        return actions + private(ctx, [too_long.text])
    building = await building_of(ctx)
    ctx.writes.add(
        Suggestion(person=stored_person(ctx.person.id), building=building, text=text, at=ctx.now())
    )
    key = "feedback.thanks_group" if actions else "feedback.thanks"  # deleted from a group
    return private(ctx, [_(key)]) + actions
