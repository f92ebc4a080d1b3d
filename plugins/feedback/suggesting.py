"""``/suggest <text>`` (建议, 意见): a resident's opinion or suggestion, kept out of every group.

Typed privately it is answered there.  Typed in a group its message is deleted (where the
network can) and it is acknowledged privately: nobody's complaint stays in the group.  It
is kept with the building of the sender's household (the joining plugin's
``joining_household`` hook; else the building of the resident group it was typed in).
"""

from __future__ import annotations

from sanshe.core.actions import Action
from sanshe.core.arguments import ArgumentError, Arguments, Rest
from sanshe.core.context import Context
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable

from .models import Suggestion

SUGGEST = Arguments(usage="feedback.usage", text=Rest(name="feedback.name.text"))
#: The longest suggestion kept, in characters.
LONGEST = 1000


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
    actions = ctx.withdrawn()
    _ = ctx._
    try:
        text = storable(SUGGEST.read(ctx).text).strip()
    except ArgumentError as wrong:
        return actions + ctx.privately([wrong.text])
    if len(text) > LONGEST:
        too_long = SUGGEST.error(ctx, "feedback.too_long", length=len(text), longest=LONGEST)
        return actions + ctx.privately([too_long.text])
    building = await building_of(ctx)
    ctx.writes.add(
        Suggestion(person=stored_person(ctx.person.id), building=building, text=text, at=ctx.now())
    )
    key = "feedback.thanks_group" if actions else "feedback.thanks"  # deleted from a group
    return ctx.privately([_(key)]) + actions
