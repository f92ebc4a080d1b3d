"""One row of the daily work record summary (form 8): what the cases plugin and the shifts
plugin know of a person served, under the form's field ids; what nobody recorded stays empty."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Form, FormField, Group

#: Which field of a case's note fills which column of the summary.
SERVICES = {
    "other": "social_worker_service",
    "medical": "medical_service",
    "psychological": "counselling_service",
}
#: Which answer of the case's consultation record fills which column of the summary.
FROM_RECORD = {"gender": "sex", "age": "age", "sex": "sex"}
#: Who, of those who served, records the summary: the group's secretary first.
RECORDERS = ("general_volunteer", "social_worker")


def fits(field: FormField, value: Any) -> bool:
    """Whether ``value`` is an answer ``field`` takes (a choice it offers, a number for one)."""
    if field.type == "choice":
        return value in field.choices
    if field.type in ("age", "integer"):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str) and bool(value)


def services(_: Translator, ctx: Context, notes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The day's notes as the service columns: each note's part with who wrote it."""
    found: dict[str, list[str]] = {}
    for note in notes:
        name = people.name_of(ctx, str(note.get("by", "")), unknown="—")
        for part, column in SERVICES.items():
            if text := str(note.get(part) or "").strip():
                found.setdefault(column, []).append(_("summary.note", name=name, text=text))
    return {column: "\n".join(lines) for column, lines in found.items()}


def recorders(served: Mapping[str, str]) -> list[str]:
    """Who records the group's day (person ids): those who served its shifts as its secretary,
    else as its social worker (none: nobody served)."""
    for role in RECORDERS:
        if found := [person for person, served_as in served.items() if served_as == role]:
            return found
    return []


def recorded_by(served: Mapping[str, str]) -> str | None:
    """The first recorder of the group's day (None: nobody served)."""
    return next(iter(recorders(served)), None)


def recorder(_: Translator, ctx: Context, served: Mapping[str, str]) -> str:
    """The recorders' names ("": nobody served)."""
    return _.join(n for p in recorders(served) if (n := people.name_of(ctx, p, unknown="")))


async def row(
    ctx: Context,
    form: Form,
    group: Group,
    case: Mapping[str, Any],
    served: Mapping[str, str],
) -> dict[str, Any]:
    """The answers of ``form`` for the case ``case`` (as the ``cases_served`` hook gives it) of
    ``group``'s day, ``served`` who served its shifts; None where nothing is known."""
    _ = ctx.everyone
    zone = ZoneInfo(ctx.community.community.timezone)
    requested: datetime = case["requested_at"]
    follow_up: datetime | None = case.get("follow_up_at")
    known: dict[str, Any] = {
        "request_date": requested.astimezone(zone).date().isoformat(),
        "client_name": case.get("name"),
        "group": group.name or group.id,
        "community": ctx.community.community.name,
        "request": case.get("reason"),
        "result": case.get("result"),
        "recorder": recorder(_, ctx, served),
        **services(_, ctx, case.get("notes", ())),
    }
    if follow_up is not None:
        local = follow_up.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        known["follow_up"] = _("summary.follow_up", when=local)
    record = await ctx.records.record(case.get("record"))
    for answer, column in FROM_RECORD.items():
        if record is not None and column not in known and answer in (record.data or {}):
            known[column] = (record.data or {})[answer]
    return {f.id: known[f.id] if fits(f, known.get(f.id)) else None for f in form.fields}
