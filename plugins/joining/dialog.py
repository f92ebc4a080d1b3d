"""The applicant's side of a join request: from the request to the admins.

A request to a group that needs approval (``join_approval``) is declined at once
for someone the community banned (the ``sanctions_banned`` hook) and approved at
once by an auto-approval rule; otherwise the applicant is asked the group's
questions privately, one at a time (buttons where they fit, typed answers too),
and the answered request goes to the group's admins (:mod:`.decisions`).  Every
question not asked in reply to the applicant's own private message has an
``otherwise``: when the network refuses to write to them (Telegram lets a bot
write to an applicant only for 5 minutes after the request, and pressing a
button opens no private chat), the request goes to the admins with the answers
given so far.  A question left unanswered for the settings' ``answer_within`` (30
minutes by default; a timer, kept across restarts) ends the dialog the same way: the
admins get the request with the answers given so far, and the applicant is told so.
A second request of an applicant still answering waits for its turn.  A request to a group that needs
no approval is let in.  ``/cancel`` (``/取消``) withdraws the request.  While the
plugin runs dry (``plugins: dry_run: [joining]``) it declines and approves nobody
by itself: the moderation log is told what it would have done, and the request
goes its usual way to the admins.
"""

from __future__ import annotations

from typing import Any

from sanshe.core.actions import Action, ApproveJoin, Button, DeclineJoin, DirectMessage
from sanshe.core.arguments import plain_word
from sanshe.core.buttons import ButtonHandler
from sanshe.core.context import Context
from sanshe.core.events import JoinRequest, Message
from sanshe.core.i18n import Translator, normalize_locale
from sanshe.core.model import Group
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.timers import Due

from .applicants import APPLICANTS, OPEN, UNDECIDED, answer_timer
from .decisions import spoken, to_admins
from .models import Application
from .questions import CANCEL, SKIP, Invalid, Step, ask, read, steps
from .settings import PLUGIN, JoiningSettings


def _steps(ctx: Context, group: Group) -> tuple[Step, ...]:
    return steps(ctx.community, group, ctx.settings(JoiningSettings))


def voice(ctx: Context, application: Application) -> Translator:
    """Texts for the applicant: in the language the event or their person gives, else in the
    one their network gave with the request (a private chat may say none)."""
    person = ctx.person
    if ctx.event.language or person.locale or not application.language:
        return ctx._
    return ctx.translator(person.model_copy(update={"locale": application.language}))


def _asking(ctx: Context, application: Application, group: Group) -> tuple[str, tuple[Button, ...]]:
    """The text and buttons of ``application``'s current question, in the sender's language."""
    questions = _steps(ctx, group)
    step = next(s for s in questions if s.id == application.step)
    place = (questions.index(step) + 1, len(questions))
    payload = f"{application.id}:{step.id}"
    _ = voice(ctx, application)
    return ask(_, ctx.community, group, step, place, application.answers, ANSWER, payload)


def _first(ctx: Context, application: Application, group: Group) -> tuple[str, tuple[Button, ...]]:
    """The first question, after a word on what the questions are for."""
    text, buttons = _asking(ctx, application, group)
    return voice(ctx, application)("joining.intro", group=group.name) + "\n" + text, buttons


def _question(
    ctx: Context, application: Application, group: Group, text: str, buttons: tuple[Button, ...]
) -> Action:
    """A question to the applicant, who has the settings' ``answer_within`` from now to answer
    it.  Unless they just wrote to the bot privately (then it may write back), it carries the
    request to the admins, with the answers given so far, for when the network refuses to
    write to them."""
    event = ctx.event
    within = ctx.settings(JoiningSettings).answer_time
    ctx.timers(PLUGIN).after(answer_timer(application.id), within, {"request": application.id})
    replying = isinstance(event, Message) and event.direct
    unasked = (
        () if replying else tuple(to_admins(ctx, application, group, unanswered="unreachable"))
    )
    return DirectMessage(
        user=application.handle,
        text=text,
        buttons=buttons,
        otherwise=unasked,
        network=application.network,
    )


def _name(ctx: Context) -> str:
    """The applicant's name for the moderation log: a short excerpt, no personal data."""
    return excerpt(ctx.event.sender_name or ctx.person.name or ctx.event.sender, 40)


async def _banned(ctx: Context) -> str | None:
    """Why the community banned the applicant (the sanctions plugin's hook), or None."""
    event = ctx.event
    answer = await ctx.call("sanctions_banned", network=event.network, handle=event.sender)
    if isinstance(answer, list):
        answer = next((a for a in answer if a), None)
    return str(answer) if answer else None


def _auto_approved(ctx: Context, group: Group) -> bool:
    """Whether an auto-approval rule lets the applicant into ``group``: a role they hold there
    (community-wide or in it), or their handle."""
    held = ctx.about(group).roles
    handle = f"{ctx.event.network}:{ctx.event.sender}"
    for rule in ctx.settings(JoiningSettings).auto_approve:
        if (rule.kinds and group.kind not in rule.kinds) or (
            rule.groups and group.id not in rule.groups
        ):
            continue
        if not held.isdisjoint(rule.roles) or handle in rule.handles:
            return True
    return False


async def requested(ctx: Context) -> list[Action]:
    """A join request: decline the banned, let in the auto-approved, else ask or tell the admins."""
    event = ctx.event
    group = ctx.group
    if not isinstance(event, JoinRequest) or group is None:
        return []
    values = {"group": group.name, "name": _name(ctx)}
    trying = ctx.dry_run(PLUGIN)  # decide nothing by itself: say what it would have done
    logged: list[Action] = []
    banned = await _banned(ctx) is not None  # its reason stays in the ban list, out of the room
    if banned:
        if not trying:
            logged = ctx.moderated("join_decline", ctx.person, "joining.log.banned", **values)
            return [DeclineJoin(chat=event.chat, user=event.sender), *logged]
        logged = ctx.moderated("join_dry_run", ctx.person, "joining.log.would_decline", **values)
    if not group.join_approval:
        return [*logged, ApproveJoin(chat=event.chat, user=event.sender)]
    if not banned and _auto_approved(ctx, group):
        if not trying:
            logged = ctx.moderated(
                "join_approve", ctx.person, "joining.log.auto_approved", **values
            )
            return [ApproveJoin(chat=event.chat, user=event.sender), *logged]
        logged = ctx.moderated("join_dry_run", ctx.person, "joining.log.would_approve", **values)
    mine = Application.filter(network=event.network, handle=event.sender, group_id=group.id)
    again = await mine.filter(status__in=UNDECIDED).order_by("id").first()
    if again is not None:  # asked once more: the question again, if it is being asked
        if again.status != "asking":
            return logged
        text, buttons = _asking(ctx, again, group)
        return [*logged, _question(ctx, again, group, text, buttons)]
    return [*logged, *await _new(ctx, event, group)]


async def _new(ctx: Context, event: JoinRequest, group: Group) -> list[Action]:
    """Store the request and ask its first question (or, without questions, tell the admins)."""
    questions = _steps(ctx, group)
    busy = APPLICANTS.has(event.network, event.sender)
    application = Application(
        id=await ctx.number("join_request"),
        network=event.network,
        chat=event.chat,
        group_id=group.id,
        handle=event.sender,
        person=stored_person(ctx.person.id),
        name=event.sender_name or ctx.person.name,
        language=ctx.person.locale or normalize_locale(event.language),
        status="pending" if not questions else "waiting" if busy else "asking",
        step=questions[0].id if questions else "",
        answers={},
        note=event.note,
        asked_at=ctx.now(),
    )
    ctx.writes.add(application)
    if not questions:
        told = ctx._("joining.submitted", number=application.id, group=group.name)
        return [
            DirectMessage(user=event.sender, text=told),
            *to_admins(ctx, application, group),
        ]
    APPLICANTS.opened(ctx, application)
    if busy:
        return []
    text, buttons = _first(ctx, application, group)
    return [_question(ctx, application, group, text, buttons)]


async def dialog(ctx: Context) -> list[Action] | None:
    """Take an applicant's private messages while they answer their request's questions (only
    ``/cancel`` and ``/skip`` of the commands)."""
    event = ctx.event
    if not event.direct or not isinstance(event, Message):
        return None
    if not APPLICANTS.has(event.network, event.sender):
        return None
    text = event.text.strip()
    if text.startswith("/") and plain_word(text[1:]) not in CANCEL | SKIP:
        return None
    mine = Application.filter(network=event.network, handle=event.sender, status__in=OPEN)
    application = await mine.order_by("id").first()
    group = ctx.community.group(application.group_id) if application is not None else None
    if application is None or group is None:
        return None
    if text.startswith("/") and plain_word(text[1:]) in CANCEL:
        return await _withdraw(ctx, application, group)
    if application.status == "waiting":  # its turn: this message only opens it
        return _open(ctx, application, group)
    return await _answer(ctx, application, group, text)


def _open(ctx: Context, application: Application, group: Group) -> list[Action]:
    """A waiting request's turn: ask its first question."""
    application.status = "asking"
    ctx.writes.save(application, ["status"])
    text, buttons = _first(ctx, application, group)
    return [_question(ctx, application, group, text, buttons)]


async def _answer(ctx: Context, application: Application, group: Group, text: str) -> list[Action]:
    """Read ``text`` as the answer to the current question; ask the next, or hand the request
    to the admins after the last."""
    questions = _steps(ctx, group)
    step = next((s for s in questions if s.id == application.step), None)
    if step is None:  # the questions changed since it was asked: start again
        if not questions:
            return await _submit(ctx, application, group)
        application.step, application.answers = questions[0].id, {}
        ctx.writes.save(application, ["step", "answers"])
        text, buttons = _first(ctx, application, group)
        return [_question(ctx, application, group, text, buttons)]
    try:
        _ = voice(ctx, application)
        found: dict[str, Any] = read(_, ctx.community, group, step, text, application.answers)
    except Invalid as wrong:
        again, buttons = _asking(ctx, application, group)
        return [_question(ctx, application, group, f"{wrong}\n{again}", buttons)]
    application.answers = {**application.answers, **found}
    at = questions.index(step)
    if at + 1 < len(questions):
        application.step = questions[at + 1].id
        ctx.writes.save(application, ["answers", "step"])
        again, buttons = _asking(ctx, application, group)
        return [_question(ctx, application, group, again, buttons)]
    return await _submit(ctx, application, group)


async def _submit(ctx: Context, application: Application, group: Group) -> list[Action]:
    """All answered: the request goes to the admins; the applicant's next request, if one
    waits, is asked."""
    _close(ctx, application, "pending")
    told = voice(ctx, application)("joining.submitted", number=application.id, group=group.name)
    actions = [ctx.direct(told), *to_admins(ctx, application, group)]
    return actions + await _next(ctx, application)


async def _withdraw(ctx: Context, application: Application, group: Group) -> list[Action]:
    """``/cancel``: the request is withdrawn (declined on the network) and the next one asked."""
    application.decided_at = ctx.now()
    _close(ctx, application, "withdrawn")
    actions: list[Action] = [
        DeclineJoin(chat=application.chat, user=application.handle, network=application.network),
        ctx.direct(
            voice(ctx, application)("joining.withdrawn", number=application.id, group=group.name)
        ),
    ]
    return actions + await _next(ctx, application)


def _close(ctx: Context, application: Application, status: str) -> None:
    """The dialog of ``application`` is over (``pending``: with the admins; ``withdrawn``): no
    more questions, and no timer waiting for an answer."""
    application.status, application.step = status, ""
    ctx.writes.save(application, ["status", "step", "answers", "decided_at"])
    APPLICANTS.closed(ctx, application)
    ctx.timers(PLUGIN).cancel(answer_timer(application.id))


async def expired(ctx: Context, timer: Due) -> list[Action]:
    """A question went unanswered for ``answer_within``: the request goes to the admins with
    the answers given so far, the applicant is told so privately, and their next waiting
    request is asked.  Nothing when the dialog is over already (answered, withdrawn, decided
    or erased meanwhile)."""
    number = timer.data.get("request")
    application = await Application.get_or_none(id=number) if isinstance(number, int) else None
    if application is None or application.status != "asking":
        return []
    group = ctx.community.group(application.group_id)
    if group is None:  # the group left the community file: nobody to decide it
        return []
    _close(ctx, application, "pending")
    _ = voice(ctx, application)
    within = spoken(_, ctx.settings(JoiningSettings).answer_time)
    told = _("joining.expired_told", number=application.id, group=group.name, length=within)
    return [
        DirectMessage(user=application.handle, text=told, network=application.network),
        *to_admins(ctx, application, group, unanswered="expired"),
        *await _next(ctx, application),
    ]


async def _next(ctx: Context, done: Application) -> list[Action]:
    """Ask the first question of the applicant's next waiting request, if any."""
    waiting = Application.filter(network=done.network, handle=done.handle, status="waiting")
    for application in await waiting.order_by("id"):
        group = ctx.community.group(application.group_id)
        if group is not None and application.step:
            return _open(ctx, application, group)
    return []


async def pressed(ctx: Context) -> list[Action]:
    """A button under a question (confirm, skip, 自住, 租住): answered as if typed."""
    press = ctx.press
    assert press is not None
    event = ctx.event
    number, _colon, rest = press.payload.partition(":")
    step, _colon, value = rest.partition(":")
    application = await Application.get_or_none(id=int(number)) if number.isdigit() else None
    group = ctx.community.group(application.group_id) if application is not None else None
    if (
        application is None
        or group is None
        or application.status != "asking"
        or (application.network, application.handle) != (event.network, event.sender)
        or application.step != step
    ):
        return [ctx.answer(ctx._("joining.answer.gone"))]
    return [ctx.answer(), *await _answer(ctx, application, group, value)]


ANSWER = ButtonHandler("joining.answer", pressed)
