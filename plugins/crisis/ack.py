"""``/ack <case>`` (收到, 确认): someone an alert reached takes the crisis up.

It stops the escalation, counts as the case's first human reply (``cases_answered``), tells
the others the alert reached that it is taken, and the person in crisis that someone will be
in touch.  Without a number it takes the one alert waiting for the sender.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Reader, Words, Wrong
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.model import Person
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from .alerts import PLUGIN, case_subject, timer_key
from .models import CrisisAlert, CrisisAlertee

_NUMBER = re.compile(r"#?([0-9]{1,9})号?")


class CaseNumber(Reader):
    """A case's number: ``12``, ``#12``, ``12号`` (full-width digits too)."""

    name = "crisis.arg.case"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", word))
        if found is None:
            raise Wrong("crisis.bad_number", word=excerpt(word))
        words.take()
        return int(found.group(1))


ACK = Arguments(usage="crisis.usage.ack", case=CaseNumber(optional=True))


def commands() -> list[ChatCommand]:
    """The crisis plugin's command."""
    return [
        ChatCommand(
            "ack",
            ack,
            help="crisis.help.ack",
            aliases=("收到", "确认"),
            where="direct",
            arguments=ACK,
            shown_to=alerted,
        )
    ]


async def alerted(ctx: Context) -> bool:
    """Whether an alert ever reached the sender (``/help`` shows them ``/ack``)."""
    return await CrisisAlertee.filter(person=stored_person(ctx.person.id)).exists()


async def ack(ctx: Context) -> list[Action]:
    """``/ack [case]``: take the crisis of case ``case`` (or the one waiting for the sender)."""
    _ = ctx._
    number: int | None = ACK.read(ctx).case
    me = stored_person(ctx.person.id)
    mine = CrisisAlertee.filter(person=me).prefetch_related("alert")
    if number is None:
        waiting = sorted({a.alert.case for a in await mine if a.alert.acked_at is None})
        if not waiting:
            return [ctx.reply(_("crisis.ack.none_waiting"))]
        if len(waiting) > 1:
            cases = _.join([str(n) for n in waiting])
            return [ctx.reply(_("crisis.ack.which", cases=cases, case=waiting[0]))]
        number = waiting[0]
    await ctx.claim(case_subject(number))  # two /ack of one case: the second sees the first
    alerts = await CrisisAlert.filter(case=number).order_by("-id")
    if not alerts:
        return [ctx.reply(_("crisis.ack.no_alert", case=number))]
    reached = {a.alert_id for a in await mine.filter(alert__case=number)}
    if not reached:
        return [ctx.reply(_("crisis.ack.not_alerted", case=number))]
    open_alerts = [a for a in alerts if a.acked_at is None and a.id in reached]
    if not open_alerts:
        taken = next(a for a in alerts if a.id in reached)
        who = people.name_of(ctx, taken.acked_by or "", _("crisis.someone"))
        return [ctx.reply(_("crisis.ack.taken_already", case=number, name=who))]
    now = ctx.now()
    for alert in open_alerts:
        alert.acked_by, alert.acked_at = me, now
        ctx.writes.save(alert, ["acked_by", "acked_at"])
        ctx.timers(PLUGIN).cancel(timer_key(alert.id))
    ctx.audit("ack", f"case:{number}")
    await ctx.call("cases_answered", context=ctx, number=number)
    alert = open_alerts[0]
    actions: list[Action] = [ctx.reply(_("crisis.ack.done", case=number, name=alert.client_name))]
    name = ctx.person.name or excerpt(ctx.event.sender_name or ctx.event.sender)
    others = await CrisisAlertee.filter(alert_id__in=[a.id for a in open_alerts]).exclude(person=me)
    told: set[str] = set()
    for row in others:
        if row.person in told:
            continue
        told.add(row.person)
        person = _alerted_person(ctx, row)
        theirs = ctx.translator(person)
        message = ctx.tell(person, theirs("crisis.ack.told_taken", case=number, name=name))
        if message is not None:
            actions.append(message)
    client = _client(ctx, alert)
    if client is not None:
        message = ctx.tell(client, ctx.translator(client)("crisis.ack.told_client"))
        if message is not None:
            actions.append(message)
    return actions


def _alerted_person(ctx: Context, row: CrisisAlertee) -> Person:
    """Whom ``row`` says the alert reached: a known person, else the handle written to."""
    known = people.current_by_id(ctx, row.person)
    if known is not None:
        return known
    network, _, user = row.handle.partition(":")
    return Person(id=row.person, handles={network: user}, known=False)


def _client(ctx: Context, alert: CrisisAlert) -> Person | None:
    """The person in crisis, to be told someone took it; None without a handle to reach."""
    known = people.current_by_id(ctx, alert.client)
    if known is not None:
        return known
    if not alert.client_handles:
        return None
    return Person(id=alert.client, handles=dict(alert.client_handles), known=False)
