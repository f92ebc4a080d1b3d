"""Who a handover goes to, and its going: the draft to the outgoing secretary, the handover to
the incoming shift (when confirmed, else as drafted when the next shift starts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.model import Group, Person
from sanshe.core.timers import utc

from .draft import name_of, text
from .models import Handover, HandoverNote

#: The group's secretary: who confirms a shift's handover.
SECRETARY = "general_volunteer"
#: Who confirms it when no secretary served, and may edit any handover of their group.
SOCIAL_WORKER = "social_worker"


def known(context: Context, ids: Iterable[str]) -> list[Person]:
    """The people of ``ids`` the community knows (the others are left out)."""
    found = (people.current_by_id(context, person_id) for person_id in ids)
    return [person for person in found if person is not None]


def secretaries(context: Context, group: Group, served: Mapping[str, str]) -> list[Person]:
    """Who gets the draft: the secretaries who served the shift; else its social workers; else
    the group's admins."""
    for role in (SECRETARY, SOCIAL_WORKER):
        found = known(context, (p for p, served_as in served.items() if served_as == role))
        if found:
            return found
    return context.admins(group)


def may_edit(context: Context, handover: Handover, group: Group) -> bool:
    """Whether the sender may add to or confirm ``handover``: one of the outgoing shift, one who
    got the draft, or a social worker of its group."""
    held = handover.people
    me = context.person.id
    return (
        me in held.get("outgoing", {})
        or me in held.get("drafted_to", [])
        or SOCIAL_WORKER in context.about(group).roles
    )


def may_read(context: Context, handover: Handover, group: Group) -> bool:
    """Whether the sender may read ``handover``: who may edit it, and the incoming shift."""
    held = handover.people
    me = context.person.id
    return (
        may_edit(context, handover, group)
        or me in held.get("incoming", {})
        or me in held.get("told", [])
    )


async def incoming(context: Context, handover: Handover, group: Group) -> list[Person]:
    """Who is on the next shift: as the shifts plugin's roster says now (claims change), else
    as it was when the shift ended; with no shift planned after it, the group's admins."""
    if handover.next_start is None:
        return context.admins(group)
    on_duty = await context.call("shifts_on_duty", group=group, at=utc(handover.next_start))
    ids = on_duty if isinstance(on_duty, Mapping) else handover.people.get("incoming", {})
    return known(context, ids)


def local(context: Context, moment: datetime | None) -> str:
    """``moment`` (when a handover was sent, or is due) in the community's time zone."""
    assert moment is not None
    zone = ZoneInfo(context.community.community.timezone)
    return utc(moment).astimezone(zone).strftime("%m-%d %H:%M")


async def notes_of(handover: Handover) -> list[HandoverNote]:
    """The notes added to ``handover``, in the order they were written."""
    return await HandoverNote.filter(handover=handover.id).order_by("id")


def hand_over(
    context: Context, handover: Handover, notes: Sequence[HandoverNote], to: Iterable[Person]
) -> list[Action]:
    """Send ``handover`` with its ``notes`` privately to those of ``to`` who have not had it
    (noted in its ``told``); marked sent now if it was not and someone was sent it.  The caller
    saves the row."""
    held = handover.people
    told = list(held.get("told", []))
    actions: list[Action] = []
    for person in to:
        if person.id in told:
            continue
        _ = context.translator(person)
        if handover.confirmed_by is not None:
            head = _("handover.confirmed_by", name=name_of(context, _, handover.confirmed_by))
        else:
            head = _("handover.unconfirmed")
        message = context.tell(person, f"{head}\n{text(context, _, handover, notes)}")
        if message is not None:
            actions.append(message)
            told.append(person.id)
    handover.people = {**held, "told": told}
    if actions and handover.sent_at is None:
        handover.sent_at = context.now()
        handover.editor = None
    return actions
