"""Follow-ups: a note's follow-up date, and the private reminder on the day (a timer, so it
comes also when the bot was stopped over the moment: at start).

The reminder goes to the case's owner, or for a case without one to whoever wrote the
note that set the date; never to someone who declared they know the client.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanshe.core import arguments, people
from sanshe.core.actions import Action
from sanshe.core.context import Context
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due, utc

from . import shown
from .models import Case, Conflict

#: The plugin's name: its timers' owner.
PLUGIN = "cases"
#: The prefix of the follow-up timers' keys (``follow-up|12``).
FOLLOW_UP = "follow-up|"
#: The time of day a follow-up given as a day alone is reminded at.
MORNING = "09:00"


def timer_key(number: int) -> str:
    """The key of case ``number``'s follow-up timer."""
    return f"{FOLLOW_UP}{number}"


def split_follow_up(ctx: Context, text: str) -> tuple[str, datetime | None]:
    """``text`` without the follow-up moment it ends with, and that moment (aware), if it ends
    with one: ``明天 9点``, ``12月5日 14:00``, ``2026-12-05``, ``后天`` (a day alone: at 09:00)."""
    now = ctx.now().astimezone(shown.zone(ctx))
    for count in (2, 1):
        parts = text.rsplit(None, count)
        if len(parts) <= count:
            continue  # the text would be nothing but the date
        head, tail = parts[0], " ".join(parts[1:])
        found = arguments.moment(tail, now)
        if found is None and count == 1:
            found = arguments.moment(f"{tail} {MORNING}", now)
        if found is not None:
            return head.strip(), found
    return text, None


def schedule(ctx: Context, case: Case, when: datetime) -> None:
    """Remind about ``case``'s follow-up at ``when`` (replacing an earlier date)."""
    data = {"case": case.number, "by": ctx.person.id}
    ctx.timers(PLUGIN).at(timer_key(case.number), when, data)


def cancel(ctx: Context, number: int) -> None:
    """No more reminder for case ``number``'s follow-up."""
    ctx.timers(PLUGIN).cancel(timer_key(number))


async def remind(ctx: Context, timer: Due) -> list[Action]:
    """The follow-up of the timer's case is due: remind its owner (or the note's writer)
    privately; nothing for a case closed or given another date since."""
    data: dict[str, Any] = timer.data
    case = await Case.get_or_none(number=int(data.get("case", 0)))
    if case is None or case.status != "open" or case.follow_up_at is None:
        return []
    if utc(case.follow_up_at) != utc(timer.due):
        return []
    whom = case.owner or stored_person(str(data.get("by", "")))
    person = people.current_by_id(ctx, whom)
    if person is None or await Conflict.exists(client=case.person, staff=whom):
        return []
    _ = ctx.translator(person)
    text = _(
        "cases.reminder",
        number=case.number,
        name=case.name or "—",
        category=shown.category(_, case.category),
        when=shown.moment(ctx, _, case.follow_up_at),
    )
    told = ctx.tell(person, text)
    return [told] if told is not None else []
