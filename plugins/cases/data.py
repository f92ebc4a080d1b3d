"""What the cases plugin holds about a person (export, erasure) and what it adds to a shift's
handover (case numbers only, never a name or a detail)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sanshe.core.context import Context
from sanshe.core.model import Group, Person
from sanshe.core.storage.models import Timer, stored_person
from sanshe.core.storage.writes import Writes
from sanshe.core.timers import utc

from . import access, followups
from .models import Case, CaseNote, Conflict

#: What a row names instead of an erased member of staff.
ERASED = "erased"
#: How far past a shift's end the handover looks for follow-ups due.
AHEAD = timedelta(days=1)


def _when(moment: datetime | None) -> str | None:
    return utc(moment).isoformat() if moment is not None else None


def _note(note: CaseNote) -> dict[str, Any]:
    return {
        "at": _when(note.at),
        "medical": note.medical,
        "psychological": note.psychological,
        "other": note.other,
    }


async def export(person: Person) -> dict[str, Any] | None:
    """Their cases as a client (with the notes), the notes they wrote, the cases they own or
    opened, and how many acquaintance declarations they made or are about them."""
    key = stored_person(person.id)
    theirs = []
    for case in await Case.filter(person=key).order_by("number"):
        notes = await CaseNote.filter(case_id=case.id).order_by("at", "id")
        theirs.append(
            {
                "number": case.number,
                "name": case.name,
                "source": case.source,
                "category": case.category,
                "status": case.status,
                "tier": case.tier,
                "reason": case.reason,
                "assessment": case.assessment,
                "result": case.result,
                "requested_at": _when(case.requested_at),
                "first_reply_at": _when(case.first_reply_at),
                "routed_at": _when(case.routed_at),
                "closed_at": _when(case.closed_at),
                "follow_up_at": _when(case.follow_up_at),
                "notes": [_note(n) for n in notes],
            }
        )
    written = await CaseNote.filter(by=key).prefetch_related("case").order_by("at", "id")
    owned = await Case.filter(owner=key).order_by("number").values_list("number", flat=True)
    opened = await Case.filter(opened_by=key).exclude(person=key).values_list("number", flat=True)
    declared = await Conflict.filter(staff=key).count()
    about = await Conflict.filter(client=key).count()
    found: dict[str, Any] = {
        "cases": theirs,
        "notes_written": [{"case": n.case.number, **_note(n)} for n in written],
        "cases_owned": list(owned),
        "cases_opened": sorted(opened),
        "acquaintances_declared": declared,
        "acquaintances_about_them": about,
    }
    return found if any(found.values()) else None


async def erase(person: Person, writes: Writes) -> None:
    """Their cases as a client go with their notes and reminders; where they worked others'
    cases (owner, opener, a note's writer) the row names nobody; their declarations go."""
    key = stored_person(person.id)
    cases = await Case.filter(person=key).values_list("id", "number")
    ids = [row[0] for row in cases]
    timers = [followups.timer_key(row[1]) for row in cases]
    if ids:
        writes.run(lambda db: CaseNote.filter(case_id__in=ids).using_db(db).delete())
        writes.run(lambda db: Case.filter(id__in=ids).using_db(db).delete())
        writes.run(
            lambda db: Timer.filter(plugin=followups.PLUGIN, key__in=timers).using_db(db).delete()
        )
    writes.run(lambda db: Case.filter(owner=key).using_db(db).update(owner=ERASED))
    writes.run(lambda db: Case.filter(opened_by=key).using_db(db).update(opened_by=ERASED))
    writes.run(lambda db: CaseNote.filter(by=key).using_db(db).update(by=ERASED))
    writes.run(lambda db: Conflict.filter(client=key).using_db(db).delete())
    writes.run(lambda db: Conflict.filter(staff=key).using_db(db).delete())


async def handover_items(context: Context, group: Group, end: datetime) -> list[str]:
    """For the handover of ``group``'s shift ending at ``end``: its open cases (those still
    without a first reply apart) and the follow-ups due by a day after, by number."""
    _ = context._
    open_cases, waiting, due = [], [], []
    for case in await Case.filter(status="open").order_by("number"):
        serving = access.serving_group(context, case)
        if serving is None or serving.id != group.id:
            continue
        open_cases.append(str(case.number))
        if case.first_reply_at is None:
            waiting.append(str(case.number))
        if case.follow_up_at is not None and utc(case.follow_up_at) <= end + AHEAD:
            due.append(str(case.number))
    lines = []
    if open_cases:
        lines.append(_("cases.handover.open", count=len(open_cases), numbers=_.join(open_cases)))
    if waiting:
        lines.append(_("cases.handover.waiting", count=len(waiting), numbers=_.join(waiting)))
    if due:
        lines.append(_("cases.handover.follow_ups", count=len(due), numbers=_.join(due)))
    return lines
