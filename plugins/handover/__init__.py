"""Handover: at the end of each shift, the handover for the next one, confirmed by the outgoing
secretary and received privately by the incoming shift.

When a shift ends (the shifts plugin's ``shifts_shift_ended``) the handover is drafted from
that shift's records in the group (by number, form and recorder), the follow-ups they ask
for, the staff who did not appear, and the lines other plugins add (``shifts_handover_items``).
The draft goes privately to the outgoing secretary (who served as general volunteer; else
the shift's social worker; else the group's admins) with buttons to confirm or edit it;
``/handover`` (交接) shows, completes and confirms it (see :mod:`.commands`).  Confirmed, it
goes to the incoming shift; unconfirmed, it goes as drafted when the next shift starts, saying
so (shifts back to back: ``confirm_within`` after the end, the settings' 30 minutes by
default).  It names no client and quotes no answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import SHIFT_ROLES, Group, Person
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import Due, utc

from . import delivery
from .commands import (
    CONFIRM,
    EDIT,
    HANDOVER,
    draft_message,
    handover_command,
    load_awaited,
    note_after_edit,
)
from .draft import HandoverSettings, compose
from .models import Handover, HandoverNote

PLUGIN = "handover"


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return HandoverSettings


def serves_shifts(ctx: Context) -> bool:
    """Whether the sender holds a role that serves shifts, anywhere (/help lists /handover then)."""
    return people.holds_anywhere(ctx, SHIFT_ROLES)


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "handover",
            handover_command,
            help="handover.help",
            aliases=("交接",),
            arguments=HANDOVER,
            shown_to=serves_shifts,
        )
    ]


@hookimpl
def sanshe_buttons() -> Iterable[ButtonHandler]:
    return [CONFIRM, EDIT]


@hookimpl
async def sanshe_startup() -> None:
    await load_awaited()


@hookimpl
async def sanshe_dialog(context: Context) -> list[Action] | None:
    return await note_after_edit(context)


@hookimpl(optionalhook=True)
async def shifts_shift_ended(
    context: Context,
    group: Group,
    shift: str,
    start: datetime,
    end: datetime,
    served: Mapping[str, str],
    absent: Mapping[str, str],
    incoming: Mapping[str, str],
    next_start: datetime | None,
) -> list[Action]:
    """Draft the shift's handover and send it to the outgoing secretary; it goes to the next
    shift when confirmed, at the latest when that starts (or ``confirm_within`` after this end,
    if that is later).  A shift nobody served, with nothing in it, has none."""
    start, end = utc(start), utc(end)  # as the database compares them
    content = await compose(context, group, start, end, absent)
    if not served and not any(content.values()):
        return []  # nobody served it and nothing happened in it: nothing to hand over
    number = await context.number(PLUGIN)
    next_start = utc(next_start) if next_start is not None else None
    wait = context.settings(HandoverSettings).wait
    due = None if next_start is None else max(next_start, end + wait)
    editors = delivery.secretaries(context, group, served)
    handover = Handover(
        id=number,
        group_id=group.id,
        shift=shift,
        start=start,
        end=end,
        next_start=next_start,
        due_at=due,
        content=content,
        people={
            "outgoing": dict(served),
            "drafted_to": [p.id for p in editors],
            "incoming": dict(incoming),
            "told": [],
        },
    )
    context.writes.add(handover)
    if due is not None:
        context.timers(PLUGIN).at(f"deliver:{number}", due)
    drafts = (draft_message(context, person, handover) for person in editors)
    return [message for message in drafts if message is not None]


@hookimpl
async def sanshe_timer(context: Context, timer: Due) -> list[Action]:
    """``deliver:<n>``: the handover to the shift starting (as drafted if nobody confirmed it;
    to the group's admins if nobody is on it)."""
    _kind, _colon, number = timer.key.partition(":")
    handover = await Handover.get_or_none(id=int(number)) if number.isdigit() else None
    group = context.community.group(handover.group_id) if handover is not None else None
    if handover is None or group is None:
        return []
    to = await delivery.incoming(context, handover, group)
    if not to and not handover.people.get("told"):
        to = context.admins(group)
    sent = delivery.hand_over(context, handover, await delivery.notes_of(handover), to)
    context.writes.save(handover, ("people", "sent_at", "editor"))
    return sent


# -- a person's data --------------------------------------------------------------------------

#: The parts of a handover's ``people`` that name people.
_PARTS = ("outgoing", "drafted_to", "incoming", "told")


def _naming(handover: Handover, person_id: str) -> list[str]:
    """How ``handover`` names the person (its notes aside): which of its parts hold their id."""
    held, content, column = handover.people, handover.content, stored_person(person_id)
    parts = [part for part in _PARTS if person_id in held.get(part, ())]
    if person_id in content.get("absent", {}):
        parts.append("absent")
    if any(s["by"] == column for s in content.get("served", [])):
        parts.append("recorder")
    parts += [c for c in ("editor", "confirmed_by") if getattr(handover, c) == column]
    return parts


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The handovers that name the person, how, and the notes they wrote."""
    written: dict[int, list[str]] = {}
    for note in await HandoverNote.filter(person=stored_person(person.id)).order_by("id"):
        written.setdefault(note.handover, []).append(note.text)
    named = []
    for handover in await Handover.all().order_by("id"):
        parts = _naming(handover, person.id) + (["notes"] if handover.id in written else [])
        if parts:
            named.append(
                {
                    "handover": handover.id,
                    "group": handover.group_id,
                    "shift": handover.shift,
                    "as": parts,
                    "notes": written.get(handover.id, []),
                }
            )
    return {"handovers": named} if named else None


@hookimpl
async def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person leaves the handovers: their notes go, and their id wherever it stood."""
    me, column = person.id, stored_person(person.id)
    writes.run(lambda db: HandoverNote.filter(person=column).using_db(db).delete())
    for handover in await Handover.all():
        if not _naming(handover, me):
            continue
        held, content = handover.people, handover.content
        handover.people = {
            part: [p for p in value if p != me]
            if isinstance(value, list)
            else {p: r for p, r in value.items() if p != me}
            for part, value in held.items()
        }
        handover.content = {
            **content,
            "absent": {p: r for p, r in content.get("absent", {}).items() if p != me},
            "served": [
                {**s, "by": "" if s["by"] == column else s["by"]} for s in content.get("served", [])
            ],
        }
        if handover.editor == column:
            handover.editor = None
        if handover.confirmed_by == column:
            handover.confirmed_by = ""  # still confirmed, by nobody named
        writes.save(handover)
