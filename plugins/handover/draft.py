"""What a handover says: drafted from a shift's records and other plugins' lines, written out
for each reader in their language.

It names records by number, form and recorder, and staff by name and role; it
quotes no answer.  The notes the outgoing shift adds are rows of their own
(:class:`~.models.HandoverNote`).  A follow-up is a record whose answer to one of the settings'
``follow_up`` fields is yes or any text: the handover names that field, not
what was answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from sanshe.core import names, people
from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Length
from sanshe.core.spans import span
from sanshe.core.storage.models import Record
from sanshe.core.timers import utc

from .models import Handover, HandoverNote


class HandoverSettings(BaseModel):
    """``plugins: {handover: {follow_up: [follow_up], confirm_within: 30m}}`` in the community
    file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    follow_up: tuple[Annotated[str, Field(min_length=1)], ...] = ("follow_up", "next_appointment")
    """Ids of form fields whose answer (yes, or any text) means the record needs following up."""
    confirm_within: Length = "30m"
    """How long after its shift's end an unconfirmed handover waits before it goes as drafted,
    when the next shift starts sooner (back to back: at its start there is no time to confirm)."""

    @property
    def wait(self) -> timedelta:
        return duration(self.confirm_within) or timedelta()


def _answered(value: Any) -> bool:
    """Whether an answer asks for something: yes, or any text or choice."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, bool):
        return value
    return isinstance(value, list) and bool(value)


async def compose(
    context: Context,
    group: Group,
    start: datetime,
    end: datetime,
    absent: Mapping[str, str],
) -> dict[str, Any]:
    """The content of the handover of ``group``'s shift from ``start`` to ``end``."""
    watched = context.settings(HandoverSettings).follow_up
    between = {"created_at__gte": utc(start), "created_at__lt": utc(end)}  # compared as stored
    records = await Record.filter(group_id=group.id, **between).order_by("id")
    served = [{"record": r.id, "form": r.form_id, "by": r.person} for r in records]
    follow_ups = []
    for record in records:
        fields = [f for f in watched if _answered(record.data.get(f))]
        if fields:
            follow_ups.append({"record": record.id, "form": record.form_id, "fields": fields})
    items: list[str] = []
    for lines in await context.call(
        "shifts_handover_items", context=context, group=group, start=start, end=end
    ):
        items.extend(line.strip() for line in _lines(lines) if line.strip())
    return {
        "served": served,
        "follow_ups": follow_ups,
        "absent": dict(absent),
        "items": items,
    }


def _lines(answer: object) -> Iterable[str]:
    """A plugin's answer to ``shifts_handover_items`` as lines (anything else is left out)."""
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, Iterable):
        return [line for line in answer if isinstance(line, str)]
    return []


def name_of(context: Context, _: Translator, person_id: str) -> str:
    """A person's name (else their id), or "a member" for someone the community does not know
    (an erased person's id is empty)."""
    return people.name_of(context, person_id, unknown=_("handover.member"))


def _form(context: Context, _: Translator, form_id: str) -> str:
    form = context.community.form(form_id)
    return _.pick(form.title) if form is not None else form_id


def _field(context: Context, _: Translator, form_id: str, field_id: str) -> str:
    form = context.community.form(form_id)
    found = next((f for f in form.fields if f.id == field_id), None) if form else None
    return _.pick(found.label) if found is not None else field_id


def title(context: Context, _: Translator, handover: Handover) -> str:
    """Which shift's handover it is: group, shift number, day and times (local), written as
    the shifts plugin writes a shift."""
    zone = ZoneInfo(context.community.community.timezone)
    group = context.community.group(handover.group_id)
    return _(
        "handover.title",
        group=group.name if group else handover.group_id,
        shift=handover.shift,
        **span(_, zone, utc(handover.start), utc(handover.end)),
    )


def text(context: Context, _: Translator, handover: Handover, notes: Sequence[HandoverNote]) -> str:
    """The handover with its ``notes`` written out for a reader of ``_``'s language."""
    content = handover.content
    lines = [title(context, _, handover)]
    served = content.get("served", [])
    if served:
        lines.append(_("handover.served", count=len(served)))
        lines.extend(
            _(
                "handover.record",
                record=s["record"],
                form=_form(context, _, s["form"]),
                by=name_of(context, _, s["by"]),
            )
            for s in served
        )
    else:
        lines.append(_("handover.served_none"))
    if follow_ups := content.get("follow_ups", []):
        lines.append(_("handover.follow_ups"))
        lines.extend(
            _(
                "handover.follow_up",
                record=f["record"],
                form=_form(context, _, f["form"]),
                fields=_.join(_field(context, _, f["form"], field) for field in f["fields"]),
            )
            for f in follow_ups
        )
    if absent := content.get("absent", {}):
        staff = (
            _(
                "handover.person_role",
                name=name_of(context, _, person),
                role=names.role_name(context.community, role, _),
            )
            for person, role in absent.items()
        )
        lines.append(_("handover.absent", staff=_.join(staff)))
    if items := content.get("items", []):
        lines.append(_("handover.items"))
        lines.extend(_("handover.item", text=item) for item in items)
    if notes:
        lines.append(_("handover.notes"))
        lines.extend(
            _("handover.note", by=name_of(context, _, n.person), text=n.text) for n in notes
        )
    return "\n".join(lines)
