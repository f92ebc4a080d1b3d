"""The cases a consultation group worked on in a span of time, for the daily work record
summary (form 8), which the summary plugin compiles through the ``cases_served`` hook."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from sanshe.core.timers import utc

from .models import Case, CaseNote


def _when(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment is not None else None


async def served(group_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The cases of ``group_id`` requested, first answered, routed, noted or closed from
    ``start`` to ``end`` (excluded), oldest request first, with the span's notes."""
    notes = await CaseNote.filter(case__group=group_id, at__gte=start, at__lt=end).order_by(
        "at", "id"
    )
    noted = {note.case_id for note in notes}  # type: ignore[attr-defined]
    moments = (
        Q(id__in=list(noted))
        | Q(requested_at__gte=start, requested_at__lt=end)
        | Q(first_reply_at__gte=start, first_reply_at__lt=end)
        | Q(routed_at__gte=start, routed_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
    )
    cases = await Case.filter(Q(group=group_id) & moments).order_by("requested_at", "number")
    return [
        {
            "number": case.number,
            "person": case.person,
            "name": case.name,
            "category": case.category,
            "tier": case.tier,
            "status": case.status,
            "reason": case.reason,
            "record": case.record,
            "result": case.result,
            "requested_at": utc(case.requested_at),
            "follow_up_at": _when(case.follow_up_at),
            "notes": [
                {
                    "at": utc(note.at),
                    "by": note.by,
                    "medical": note.medical,
                    "psychological": note.psychological,
                    "other": note.other,
                }
                for note in notes
                if note.case_id == case.id  # type: ignore[attr-defined]
            ],
        }
        for case in cases
    ]
