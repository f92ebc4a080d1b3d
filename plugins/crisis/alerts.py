"""A crisis read in a message: the person is cared for at once, a case is opened, and the
on-shift staff are alerted privately and urgently, then the escalation chain step by step.

An alert's steps are fixed when it is raised: ``on_shift`` (who is on shift in the escalation
group in one of the ``on_shift`` roles), one ``role:<role>`` per role of the ``chain``, then
``fallback`` (the handles of the YAML); with nobody on shift it starts at the fallback, and the
chain follows.  Each step waits ``ack_within`` for an ``/ack`` on a durable timer of the
plugin's; a step that reaches nobody new is passed at once.  The alerts name the person, the
group, the kind of crisis and the case; never what the message said.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action, Delete, DirectMessage
from sanshe.core.context import Context, roles_in
from sanshe.core.events import Message
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due

from .detector import Hit
from .models import CrisisAlert, CrisisAlertee
from .settings import CrisisSettings

log = logging.getLogger(__name__)

#: The plugin's name: its section under ``plugins:``, its tables' app, its timers' owner.
PLUGIN = "crisis"
#: The prefix of the timers that escalate an alert nobody acknowledged.
ESCALATE = "escalate|"
ON_SHIFT = "on_shift"
ROLE = "role:"
FALLBACK = "fallback"
#: What the cases plugin files a crisis of each kind under.
CATEGORY = {"medical": "medical", "violence": "other"}


def case_subject(case: int) -> str:
    """What an ``/ack`` of case ``case`` and its alerts' escalations claim (see ``ctx.claim``)."""
    return f"crisis:case:{case}"


def timer_key(alert_id: int) -> str:
    """The key of the timer escalating alert ``alert_id``."""
    return f"{ESCALATE}{alert_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Alerted:
    """Someone an alert step reaches: who, and where they are written to."""

    person: Person
    handle: str
    """``network:id``."""


async def on_hit(ctx: Context, hit: Hit) -> list[Action]:
    """What a crisis read in the sender's message does: the caring reply, the message deleted
    if so set, the case, and the alert (unless one of the case waits for an ``/ack`` already)."""
    settings = ctx.settings(CrisisSettings)
    person = ctx.person
    actions: list[Action] = []
    care = ctx.tell(person, ctx._("crisis.care", emergency=ctx._.pick(settings.emergency)))
    if care is not None:
        actions.append(dataclasses.replace(care, urgent=True))
    event = ctx.event
    if settings.delete and ctx.group is not None and isinstance(event, Message):
        if event.message_id and ctx.can(Delete):
            actions.append(Delete(chat=event.chat, message_id=event.message_id))
    if await CrisisAlert.filter(client=stored_person(person.id), acked_at=None).exists():
        return actions  # its alert goes on: the staff it reached know already
    number, opened = await _case(ctx, hit)
    escalation = ctx.community.escalation_group(ctx.group)
    avoid = set(await ctx.call("cases_avoid", client=person.id) or ())
    first = await _on_shift(ctx, settings, escalation, person, avoid)
    chain = [f"{ROLE}{role}" for role in settings.chain]
    steps = [ON_SHIFT, *chain, FALLBACK] if first else [FALLBACK, *chain]
    alert = CrisisAlert(
        id=await ctx.number("crisis_alert"),
        case=number,
        case_opened=opened,
        client=stored_person(person.id),
        client_name=_client_name(ctx, person),
        client_handles=dict(person.handles),
        origin=ctx.group.id if ctx.group else None,
        escalation=escalation.id if escalation else None,
        kind=hit.kind,
        steps=steps,
        step=0,
        raised_at=ctx.now(),
    )
    ctx.writes.add(alert)
    ctx.audit("crisis", f"case:{number}", hit.kind)
    return actions + await _alert_from(ctx, alert, 0, set(), avoid, first or None, new=True)


async def escalate(ctx: Context, timer: Due) -> list[Action]:
    """An alert's wait for an ``/ack`` is over: alert its next step, if nobody took it."""
    alert = await CrisisAlert.get_or_none(id=int(timer.data.get("alert", 0)))
    if alert is None:
        return []
    await ctx.claim(case_subject(alert.case))  # an /ack at this moment is decided before or after
    await alert.refresh_from_db(fields=["acked_at", "step"])
    if alert.acked_at is not None:
        return []
    reached = await CrisisAlertee.filter(alert_id=alert.id).values_list("person", flat=True)
    avoid = set(await ctx.call("cases_avoid", client=alert.client) or ())
    reached_keys = {str(p) for p in reached}
    return await _alert_from(ctx, alert, alert.step + 1, reached_keys, avoid, None, new=False)


async def _case(ctx: Context, hit: Hit) -> tuple[int, bool]:
    """The number of the sender's case (opened now, or their open one), and whether the cases
    plugin keeps it; without that plugin a number of the same sequence, for ``/ack``."""
    _ = ctx.everyone
    number = await ctx.call(
        "cases_open",
        context=ctx,
        person=ctx.person,
        source="crisis",
        category=CATEGORY.get(hit.kind, "psychological"),
        reason=_("crisis.case_reason", kind=_(f"crisis.kind.{hit.kind}")),
        origin=ctx.group,
        record=None,
    )
    if isinstance(number, int):
        return number, True
    return await ctx.number("case"), False


def _client_name(ctx: Context, person: Person) -> str:
    """How the alerts name the person: their name, else the name they show, else their handle."""
    event = ctx.event
    return excerpt(person.name or event.sender_name or event.sender or person.id)


async def _on_shift(
    ctx: Context,
    settings: CrisisSettings,
    group: Group | None,
    client: Person,
    avoid: Collection[str],
) -> list[Alerted]:
    """Who is on shift in ``group`` now in one of the ``on_shift`` roles and can be alerted."""
    if group is None:
        return []
    duty = await ctx.call("shifts_on_duty", group=group, at=ctx.now()) or {}
    found = (
        people.current_by_id(ctx, person_id)
        for person_id, role in sorted(duty.items())
        if role in settings.on_shift
    )
    return _reachable(ctx, (p for p in found if p is not None), client.id, set(), avoid)


def _reachable(
    ctx: Context,
    candidates: Iterable[Person],
    client: str,
    reached: set[str],
    avoid: Collection[str],
) -> list[Alerted]:
    """Of ``candidates``, those who can be written to privately and are neither the client, nor
    reached already, nor among those who declared they know the client."""
    found: list[Alerted] = []
    for person in candidates:
        key = stored_person(person.id)
        if person.id == client or key == client or key in reached or person.id in avoid:
            continue
        message = ctx.tell(person, "")
        if not isinstance(message, DirectMessage):
            continue
        reached.add(key)
        found.append(Alerted(person, f"{message.network}:{message.user}"))
    return found


def _step_people(
    ctx: Context, alert: CrisisAlert, step: str, reached: set[str], avoid: Collection[str]
) -> list[Alerted]:
    """Who step ``step`` of ``alert`` reaches that no step reached before."""
    settings = ctx.settings(CrisisSettings)
    group = ctx.community.group(alert.escalation) if alert.escalation else None
    if step.startswith(ROLE):
        role = step.removeprefix(ROLE)
        now = ctx.now()
        holders = (
            p
            for p in people.everyone(ctx)
            if role in roles_in(ctx.community, p, group, member=False, now=now)
        )
        return _reachable(ctx, holders, alert.client, reached, avoid)
    if step == FALLBACK:
        contacts = [_contact(ctx, handle) for handle in settings.fallback]
        return _reachable(ctx, contacts, alert.client, reached, avoid)
    return []


def _contact(ctx: Context, handle: str) -> Person:
    """The person the fallback handle ``network:id`` names: one known, else someone the
    community does not know, reached at that handle."""
    network, _, user = handle.partition(":")
    for person in people.everyone(ctx):
        if person.handles.get(network) == user:
            return person
    return Person(id=handle, handles={network: user}, known=False)


async def _alert_from(
    ctx: Context,
    alert: CrisisAlert,
    index: int,
    reached: set[str],
    avoid: Collection[str],
    first: list[Alerted] | None,
    *,
    new: bool,
) -> list[Action]:
    """Alert the first step from ``index`` on that reaches someone new (``first``: whom the
    first step reaches, found already), note them, and wait for an ``/ack`` before the next.
    ``new``: the alert is being raised (its row is added with the event, as it is then)."""
    steps = alert.steps
    while index < len(steps):
        if index == 0 and first is not None:
            found = first
        else:
            found = _step_people(ctx, alert, steps[index], reached, avoid)
        if found:
            break
        index += 1
    else:
        log.warning("crisis alert %s (case %s): no step reached anyone new", alert.id, alert.case)
        return []
    alert.step = index
    if not new:
        ctx.writes.save(alert, ["step"])
    now = ctx.now()
    actions: list[Action] = []
    for alerted in found:
        row = CrisisAlertee(
            alert_id=alert.id,
            person=stored_person(alerted.person.id),
            handle=alerted.handle,
            step=index,
            at=now,
        )
        ctx.writes.add(row)
        text = alert_text(ctx, ctx.translator(alerted.person), alert, index)
        message = ctx.tell(alerted.person, text)
        if message is not None:
            actions.append(dataclasses.replace(message, urgent=True))
    if index + 1 < len(steps):
        settings = ctx.settings(CrisisSettings)
        ctx.timers(PLUGIN).at(timer_key(alert.id), now + settings.waiting, {"alert": alert.id})
    return actions


def alert_text(ctx: Context, _: Translator, alert: CrisisAlert, index: int) -> str:
    """The alert as ``_`` says it: who, from where, what kind, the case and how to take it."""
    origin = ctx.community.group(alert.origin) if alert.origin else None
    where = origin.name if origin is not None else _("crisis.private_chat")
    lines = [
        _(
            "crisis.alert",
            name=alert.client_name,
            group=where,
            kind=_(f"crisis.kind.{alert.kind}"),
            at=_local(ctx, alert.raised_at),
        )
    ]
    if index > 0:
        minutes = _minutes(ctx)
        lines.append(_.plural("crisis.alert.escalated", minutes, minutes=minutes))
    if alert.case_opened:
        lines.append(_("crisis.alert.case", case=alert.case))
    lines.append(_("crisis.alert.ack", case=alert.case))
    return "\n".join(lines)


def _minutes(ctx: Context) -> int:
    return max(1, int(ctx.settings(CrisisSettings).waiting.total_seconds() // 60))


def _local(ctx: Context, when: datetime) -> str:
    """``when`` as a clock time of the community (``14:05``)."""
    return when.astimezone(ZoneInfo(ctx.community.community.timezone)).strftime("%H:%M")
