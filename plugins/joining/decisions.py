"""The group's admins decide a join request.

They get it privately (the answers, a flag when the household already has a
member in the group) with Approve and Decline buttons, or type ``/approve 12`` and
``/decline 12 reason``.  Only the admins of the request's group may decide.  An
approval lets the applicant in (:class:`ApproveJoin`), and a resident becomes a
person of the registry standing for their household; a decline refuses them
(:class:`DeclineJoin`).  Either way the applicant is told privately and the
moderation log is told (:meth:`Context.moderated`).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import timedelta
from typing import Any, Literal

from babel.dates import format_timedelta

from sanshe.core import people
from sanshe.core.actions import Action, ApproveJoin, Button, DeclineJoin, DirectMessage, Edit
from sanshe.core.arguments import MISSING, Arguments, Reader, Rest, Words, Wrong, plain_word
from sanshe.core.buttons import ButtonHandler
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from .applicants import APPLICANTS, OPEN, UNDECIDED, answer_timer
from .households import HOUSEHOLDS, register
from .models import Application
from .questions import building_name, is_resident_group, shown_answers, tenure_name
from .settings import PLUGIN, JoiningSettings

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"[#№]?([0-9]{1,9})号?")


class RequestNumber(Reader):
    """A join request, by the number the admins were shown (``12``, ``#12``)."""

    name = "joining.name.number"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        found = _NUMBER.fullmatch(plain_word(word))
        if found is None:
            raise Wrong("joining.not_a_number", word=excerpt(word))
        words.take()
        return int(found.group(1))


APPROVE = Arguments(usage="joining.usage.approve", number=RequestNumber())
DECLINE = Arguments(
    usage="joining.usage.decline",
    number=RequestNumber(),
    reason=Rest(name="joining.name.reason", optional=True, default=""),
)


def _decides(ctx: Context, group: Group) -> bool:
    """Whether the sender decides requests to ``group``: one of its admins, or of the
    community's admins when it has none."""
    if "group_admin" in ctx.about(group).roles:
        return True
    deciding = admins(ctx, group)
    return not ctx.admins(group) and any(p.id == ctx.person.id for p in deciding)


def applicant_name(application: Application) -> str:
    """How the applicant is named to the admins: the name the network showed, else their handle."""
    return excerpt(application.name or application.handle, 40)


def admins(ctx: Context, group: Group) -> list[Person]:
    """Who decides requests to ``group``: its admins, else the community's admins."""
    return ctx.admins(group) or list(ctx.community.admins())


def _members_in_room(
    ctx: Context, their: Translator, application: Application, group: Group
) -> list[str]:
    """The names of those already standing for the applicant's room (one member per household)."""
    answers = application.answers
    building = answers.get("building") or group.building
    room = answers.get("room")
    if not building or not room:
        return []
    homes = HOUSEHOLDS.in_room(str(building), str(room))
    own = application.person
    return [
        their(
            "joining.request.member",
            name=people.name_of(ctx, h.person),
            tenure=tenure_name(their, h.tenure),
        )
        for h in homes
        if stored_person(h.person) != own
    ]


def request_lines(
    their: Translator, ctx: Context, application: Application, group: Group
) -> list[str]:
    """The request as an admin reads it: who asked to join which group, and their answers."""
    community = ctx.community
    settings = ctx.settings(JoiningSettings)
    lines = [
        their(
            "joining.request.title",
            number=application.id,
            name=applicant_name(application),
            group=group.name,
        )
    ]
    lines += shown_answers(their, community, group, application.answers, settings)
    if application.note:
        lines.append(their("joining.request.note", note=excerpt(application.note, 200)))
    return lines


def _buttons(their: Translator, number: int) -> tuple[Button, ...]:
    return (
        DECIDE.button(their("joining.button.approve"), f"approve:{number}"),
        DECIDE.button(their("joining.button.decline"), f"decline:{number}"),
    )


def spoken(_: Translator, length: timedelta) -> str:
    """``length`` in days, hours and minutes, in the reader's language (``1天 2小时``,
    ``1 hour 30 minutes``)."""
    minutes = int(length.total_seconds()) // 60
    days, minutes = divmod(minutes, 1_440)
    hours, minutes = divmod(minutes, 60)
    units: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (
        ("day", days),
        ("hour", hours),
        ("minute", minutes),
    )
    return " ".join(
        format_timedelta(
            timedelta(**{f"{unit}s": count}), granularity=unit, threshold=math.inf, locale=_.locale
        )
        for unit, count in units
        if count
    )


#: Why the admins get a request before all its questions were answered: the network would not
#: let the bot write to the applicant (``unreachable``), or the applicant left a question
#: unanswered for the settings' ``answer_within`` (``expired``).
Unanswered = Literal["", "unreachable", "expired"]
#: The line saying so, when no question and when only some were answered.
_UNANSWERED = {
    "unreachable": ("joining.request.not_asked", "joining.request.partly_asked"),
    "expired": ("joining.request.expired", "joining.request.partly_expired"),
}


def to_admins(
    ctx: Context, application: Application, group: Group, *, unanswered: Unanswered = ""
) -> list[Action]:
    """The request, privately to each admin of ``group`` who can be reached, with the buttons
    that decide it; ``unanswered`` says why the applicant answered none or only some of its
    questions."""
    told: list[Action] = []
    within = ctx.settings(JoiningSettings).answer_time
    for admin in admins(ctx, group):
        their = ctx.translator(admin)
        others = _members_in_room(ctx, their, application, group)
        lines = request_lines(their, ctx, application, group)
        if unanswered:
            line = _UNANSWERED[unanswered][bool(application.answers)]
            lines.append(their(line, length=spoken(their, within)))
        if others:
            answers = application.answers
            building = building_name(their, ctx.community, str(answers.get("building") or ""))
            lines.append(
                their(
                    "joining.request.household_taken",
                    building=building,
                    room=excerpt(str(answers.get("room")), 20),
                    members=their.join(others),
                )
            )
        lines.append(their("joining.request.how", number=application.id))
        message = ctx.tell(admin, "\n".join(lines), buttons=_buttons(their, application.id))
        if message is not None:
            told.append(message)
    if not told:
        log.warning(
            "join request %s to %s: none of its admins can be reached privately",
            application.id,
            group.id,
        )
    return told


def _applicant(ctx: Context, application: Application) -> Person:
    """The applicant as known now (someone unknown but by their handle)."""
    if application.network == ctx.event.network:
        return ctx.person_with(application.handle)
    return Person.model_construct(
        id=f"{application.network}:{application.handle}",
        name=application.name,
        locale=None,
        handles={application.network: application.handle},
        roles=(),
        known=False,
    )


def _their(ctx: Context, application: Application, person: Person) -> Translator:
    """Texts for the applicant: their language as the network gave it, else as known."""
    if application.language and person.locale is None:
        return ctx.translator(person.model_copy(update={"locale": application.language}))
    return ctx.translator(person)


def _tell_applicant(application: Application, text: str) -> Action:
    return DirectMessage(user=application.handle, text=text, network=application.network)


async def decide(
    ctx: Context, number: int, approve: bool, reason: str = ""
) -> tuple[str, list[Action], Application | None]:
    """The sender decides request ``number``: what they are told, the actions, and the request
    decided (None when it was not: unknown, already decided, or not theirs to decide).  Two
    decisions of one request are made one after the other: the second finds it decided."""
    _ = ctx._
    await ctx.claim(f"join:{number}")
    application = await Application.get_or_none(id=number)
    group = ctx.community.group(application.group_id) if application is not None else None
    if application is None or group is None:
        return _("joining.no_such_request", number=number), [], None
    if not _decides(ctx, group):
        return _("joining.refused", number=number, group=group.name), [], None
    if application.status == "withdrawn":
        return _("joining.already_withdrawn", number=number), [], None
    if application.status not in UNDECIDED:
        by = people.name_of(ctx, application.decided_by or "")
        outcome = _(f"joining.outcome.{application.status}")
        return _("joining.already_decided", number=number, outcome=outcome, by=by), [], None
    was_open = application.status in OPEN
    application.decided_by = ctx.person.id
    application.decided_at = ctx.now()
    applicant = _applicant(ctx, application)
    their = _their(ctx, application, applicant)
    values = {"number": number, "group": group.name, "admin": ctx.person.name or ctx.person.id}
    if approve:
        application.status = "approved"
        actions: list[Action] = [
            ApproveJoin(chat=application.chat, user=application.handle, network=application.network)
        ]
        applicant = _resident(ctx, application, group, applicant)
        actions.append(
            _tell_applicant(application, their("joining.approved_told", group=group.name))
        )
        actions += ctx.moderated("join_approve", applicant, "joining.log.approved", **values)
        text = _(
            "joining.approved", number=number, name=applicant_name(application), group=group.name
        )
    else:
        application.status = "declined"
        if reason:
            application.reason = reason
        # The reason goes to the applicant privately only: a network may show a decline's
        # reason in the room (a Matrix kick's), and an admin may have written anything.
        actions = [
            DeclineJoin(chat=application.chat, user=application.handle, network=application.network)
        ]
        told = (
            their("joining.declined_told_why", group=group.name, reason=reason)
            if reason
            else their("joining.declined_told", group=group.name)
        )
        actions.append(_tell_applicant(application, told))
        actions += ctx.moderated("join_decline", applicant, "joining.log.declined", **values)
        text = _(
            "joining.declined", number=number, name=applicant_name(application), group=group.name
        )
    ctx.writes.save(application, ["status", "decided_by", "decided_at", "reason", "person"])
    if was_open:
        APPLICANTS.closed(ctx, application)
        ctx.timers(PLUGIN).cancel(answer_timer(application.id))
    return text, actions, application


def _resident(ctx: Context, application: Application, group: Group, applicant: Person) -> Person:
    """An approved resident who answered: stored as a person (if unknown) standing for their
    household; anyone else as they are."""
    answers = application.answers
    if not is_resident_group(ctx.community, group) or "room" not in answers:
        return applicant
    if not applicant.known:
        details = {
            "building": answers.get("building") or group.building,
            "room": answers["room"],
            "tenure": answers.get("tenure"),
            "household": answers.get("household"),
        }
        applicant = ctx.add_person(
            name=application.name or str(answers.get("household") or application.handle),
            handles={application.network: application.handle},
            locale=application.language,
            details=details,
        )
    register(ctx, group, applicant.id, answers)
    application.person = stored_person(applicant.id)
    return applicant


async def approve(ctx: Context) -> list[Action]:
    """``/approve <number>``: let the applicant in."""
    number = APPROVE.read(ctx).number
    text, actions, _decided = await decide(ctx, number, approve=True)
    return [ctx.reply(text), *actions]


async def decline(ctx: Context) -> list[Action]:
    """``/decline <number> [reason]``: refuse the applicant, telling them the reason if given."""
    read = DECLINE.read(ctx)
    text, actions, _decided = await decide(ctx, read.number, approve=False, reason=read.reason)
    return [ctx.reply(text), *actions]


async def pressed(ctx: Context) -> list[Action]:
    """Approve or Decline pressed under a request: decide it; the request's message then says
    what was decided, without its buttons."""
    press = ctx.press
    assert press is not None
    verb, _colon, number = press.payload.partition(":")
    if verb not in ("approve", "decline") or not number.isdigit():
        return [ctx.answer(ctx._("joining.no_such_request", number=excerpt(number)))]
    text, actions, decided = await decide(ctx, int(number), approve=verb == "approve")
    group = ctx.community.group(decided.group_id) if decided is not None else None
    if decided is None or group is None or not press.message_id:
        return [ctx.answer(text), *actions]
    lines = [*request_lines(ctx._, ctx, decided, group), text]
    edit = Edit(chat=ctx.event.chat, message_id=press.message_id, text="\n".join(lines))
    return [edit, ctx.answer(), *actions]


DECIDE = ButtonHandler("joining.decide", pressed)


def decides(ctx: Context) -> bool:
    """/help lists /approve and /decline to who decides requests to some group."""
    return any(_decides(ctx, g) for g in ctx.community.groups)
