"""Intake: a person asks for help, or a worker refers them, and a numbered case is opened
(DOMAIN.md, "Triage and routing"; form 3, the client consultation record).

``/request`` (求助) opens the request form (``plugins: intake: request_form``) in a private
chat, filled by core's form dialog (``/back``, ``/cancel``, kept across a restart); once it is
stored a case is opened through the cases plugin's ``cases_open`` hook, the requester is told
its number privately and the on-duty staff of the consultation group it escalates to are told
privately that it came in (its number and category, nothing personal).  ``/refer`` (转介求助) by a
community worker or a resident group's administrators, in a resident or prevention group,
opens a referral case for someone, invites them privately to fill the request form and tells
the staff the same way; nothing of the reason stays in the group.  A private message that no
dialog or command took gets the commands open to the person and a button that asks for help.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sanshe.core import people
from sanshe.core.actions import Action, Delete, Send
from sanshe.core.arguments import Arguments, Person, Rest
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.forms import FormDialog, FormResult
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import normalize_locale
from sanshe.core.model import FormName, Group
from sanshe.core.model import Person as Someone
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

#: Who may refer someone (DOMAIN.md): community workers, who screen and refer people in need,
#: and the resident groups' administrators, who report them; social workers, who take them in.
REFERRERS = frozenset(
    {
        "community_worker",
        "grid_worker",
        "building_leader",
        "resident_group_leader",
        "property_staff",
        "social_worker",
    }
)
#: A case's categories (the request form's ``category`` answer; anything else is ``other``).
CATEGORIES = ("medical", "psychological", "other")
#: The request form's answers the case is opened with.
NAME, CATEGORY, QUESTION = "client_name", "category", "question"
#: The longest question kept as a case's reason.
REASON_LENGTH = 2000
REFER = Arguments(
    usage="intake.usage.refer",
    person=Person(),
    reason=Rest(name="intake.arg.reason"),
)


class IntakeSettings(BaseModel):
    """``plugins: intake:`` in the community file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request_form: FormName = "help_request"
    """The form ``/request`` opens: the client's part of the consultation record (form 3)."""


async def press_request(ctx: Context) -> list[Action]:
    """The "ask for help" button: the request form, in the presser's private chat."""
    return [ctx.answer(), *begin(ctx)]


#: The button that asks for help (in the private-message answer and a referral's invitation).
ASK = ButtonHandler("intake.request", press_request)


@hookimpl
def sanshe_settings() -> type[BaseModel]:
    return IntakeSettings


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_buttons() -> Iterable[ButtonHandler]:
    return [ASK]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand("request", request, help="intake.help.request", aliases=("求助", "我要求助")),
        ChatCommand(
            "refer",
            refer,
            help="intake.help.refer",
            aliases=("转介求助",),
            roles=REFERRERS,
            where="group",
            arguments=REFER,
        ),
    ]


def begin(ctx: Context) -> list[Action]:
    """Open the request form for the sender in their private chat; from a group, say so there
    (and only that)."""
    _ = ctx._
    form_id = ctx.settings(IntakeSettings).request_form
    form = ctx.community.form(form_id)
    if form is None:
        return [ctx.reply(_("intake.no_form"))]
    group_id = ctx.group.id if ctx.group is not None else None
    _dialog, first = FormDialog.begin(
        ctx.person_key, ctx.event.network, form, group_id, _, ctx.writes
    )
    if ctx.event.direct:
        return [ctx.reply(first)]
    return [ctx.reply(_("intake.sent_private")), ctx.direct(first)]


def request(ctx: Context) -> list[Action]:
    """``/request``: ask for help; the questions come privately."""
    return begin(ctx)


def _serves_referrals(group: Group | None, ctx: Context) -> bool:
    """Whether ``/refer`` works in ``group``: a resident group (of any kind whose members are
    residents) or the prevention work group."""
    if group is None:
        return False
    return group.kind == "prevention_work" or ctx.community.member_role(group.kind) == "resident"


async def refer(ctx: Context) -> list[Action]:
    """``/refer @person <reason>``: open a referral case for someone in need; the referrer and
    the person are written to privately, the staff told; the group reads only that it was
    taken privately (the command's own message is deleted where the network can)."""
    _ = ctx._
    if not _serves_referrals(ctx.group, ctx):
        return [ctx.reply(_("intake.refer_where"))]
    args = REFER.read(ctx)
    person: Someone = args.person
    if person.id == ctx.person.id:
        return [ctx.reply(_("intake.refer_self"))]
    if not person.handles.get(ctx.event.network) and not person.known:
        raise REFER.error(ctx, "arguments.unknown_person", word=excerpt(person.id))
    reason = excerpt(args.reason, REASON_LENGTH)
    number = await ctx.call(
        "cases_open",
        context=ctx,
        person=person,
        source="referral",
        category="other",
        reason=reason,
        origin=ctx.group,
        record=None,
    )
    actions: list[Action] = []
    event = ctx.event
    if isinstance(event, Message) and event.message_id and ctx.can(Delete):
        actions.append(Delete(chat=event.chat, message_id=event.message_id))
    actions.append(Send(chat=event.chat, text=_("intake.refer_taken")))
    if number is None:
        return [*actions, ctx.direct(_("intake.no_cases"))]
    name = person.name or ctx.handle_of(person) or person.id
    theirs = ctx.translator(person)
    button = ASK.button(theirs("intake.button"))
    invited = ctx.tell(
        person,
        theirs("intake.invited", number=number, community=ctx.community.community.name),
        buttons=(button,),
    )
    key = "intake.referred" if invited is not None else "intake.referred_unreachable"
    actions.append(ctx.direct(_(key, number=number, name=excerpt(name))))
    if invited is not None:
        actions.append(invited)
    actions += await alert(ctx, person, ctx.group, number, "other", "intake.alert.referral")
    return actions


async def alert(
    ctx: Context, client: Someone, origin: Group | None, number: int, category: str, key: str
) -> list[Action]:
    """Tell privately the on-duty staff of the consultation group ``origin`` escalates to (with
    nobody on shift, its admins) that case ``number`` came in: its number and category only.
    Staff who declared they know the client are left out (熟人规避)."""
    group = ctx.community.escalation_group(origin)
    if group is None:
        return []
    on_duty = await ctx.call("shifts_on_duty", group=group, at=ctx.now())
    ids: Iterable[str] = on_duty if isinstance(on_duty, Mapping) else ()
    staff = [p for p in (people.current_by_id(ctx, i) for i in ids) if p is not None]
    if not staff:
        staff = ctx.admins(group)
    avoided = await ctx.call("cases_avoid", client=client.id) or ()
    actions = []
    for person in staff:
        if stored_person(person.id) in avoided or person.id == client.id:
            continue
        _ = ctx.translator(person)
        what = _(f"intake.category.{category}")
        told = ctx.tell(person, _(key, number=number, category=what, group=group.name))
        if told is not None:
            actions.append(told)
    return actions


@hookimpl
async def sanshe_form_submitted(context: Context, result: FormResult) -> list[Action] | None:
    """A request form was stored: open the requester's case (or add it to the one they have),
    tell them its number and what happens next, and tell the staff."""
    ctx = context
    if result.form.id != ctx.settings(IntakeSettings).request_form:
        return None
    _ = ctx._
    data = result.data
    person = ctx.person
    before = await ctx.call("cases_of", client=person.id)
    if before is None and not person.known and ctx.event.sender:  # known by the name given
        name = str(data.get(NAME) or "").strip() or ctx.event.sender_name or ctx.event.sender
        person = ctx.add_person(
            name=excerpt(name),
            handles={ctx.event.network: ctx.event.sender},
            locale=normalize_locale(ctx.event.language),  # what they are told later reads so too
        )
    category = data.get(CATEGORY)
    category = category if category in CATEGORIES else "other"
    origin = ctx.community.group(result.group_id) if result.group_id else None
    number = await ctx.call(
        "cases_open",
        context=ctx,
        person=person,
        source="request",
        category=category,
        reason=excerpt(str(data.get(QUESTION) or ""), REASON_LENGTH),
        origin=origin,
        record=result.record_id,
    )
    if number is None:
        return [ctx.direct(_("intake.no_cases"))]
    if before == number:
        told = [ctx.direct(_("intake.added", number=number))]
        return told + await alert(ctx, person, origin, number, category, "intake.alert.record")
    told = [ctx.direct(_("intake.opened", number=number))]
    return told + await alert(ctx, person, origin, number, category, "intake.alert.request")


@hookimpl
async def sanshe_message(context: Context) -> list[Action] | None:
    """A private message no dialog or command took: the commands open to the person, and a
    button that asks for help (core then adds nothing)."""
    ctx = context
    if not ctx.event.direct or not isinstance(ctx.event, Message):
        return None
    if ctx.community.form(ctx.settings(IntakeSettings).request_form) is None:
        return None  # core answers with the commands alone
    _ = ctx._
    lines = [_("direct.not_understood"), *await ctx.command_lines(), _("intake.offer")]
    return [ctx.reply("\n".join(lines), buttons=(ASK.button(_("intake.button")),))]
