"""The shifts commands: see the roster, claim, release and swap shifts, who is on duty, arrive.

Who may claim a shift of a group: someone holding there a role the shift
needs, while a place of that role is free; every refusal says why (the shift
is over, it is not your role there, you have it already, it is full).  A swap
hands the claim over once the other person accepts (a button or ``/accept``).
"""

from __future__ import annotations

from datetime import date

from sanshe.core import people, spans
from sanshe.core.actions import Action, Edit
from sanshe.core.arguments import Arguments, Group, Person, listing
from sanshe.core.buttons import ButtonHandler
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context, roles_in
from sanshe.core.model import SHIFT_ROLES
from sanshe.core.model import Group as GroupModel
from sanshe.core.storage.models import stored_person

from . import shown, stored, timing
from .models import SwapOffer
from .readers import Day, GroupOrDay, ShiftNumber
from .roster import ROSTER, Claim, RolesNow, Shift
from .settings import ShiftSettings

#: The roles shifts need.
STAFF = SHIFT_ROLES
#: Who may see a roster: the roles shifts need, and community workers.
VIEWERS = STAFF | {"community_worker"}

SHIFTS = Arguments(
    usage="shifts.usage.shifts", group=GroupOrDay(optional=True), day=Day(optional=True)
)
ONDUTY = Arguments(group=Group(optional=True))
SHIFT = Arguments(usage="shifts.usage.shift", shift=ShiftNumber())
SWAP = Arguments(usage="shifts.usage.swap", shift=ShiftNumber(), person=Person())
ARRIVE = Arguments()


def serves_shifts(ctx: Context) -> bool:
    """Whether the sender holds, anywhere, a role shifts need (/help lists /claim… to them)."""
    return people.holds_anywhere(ctx, STAFF)


def serves_shifts_here(ctx: Context) -> bool:
    """Whether /help lists /claim… here: to who serves shifts, privately or where a roster is."""
    here = ctx.event.direct or (ctx.group is not None and ROSTER.has_shifts(ctx.group.id))
    return here and serves_shifts(ctx)


def views_rosters(ctx: Context) -> bool:
    """Whether the sender holds, anywhere, a role that may see a roster (/help lists /shifts)."""
    return people.holds_anywhere(ctx, VIEWERS)


def roster_here(ctx: Context) -> bool:
    """Whether this chat's group has a roster, or the sender serves shifts (/help lists /onduty)."""
    return (ctx.group is not None and ROSTER.has_shifts(ctx.group.id)) or serves_shifts(ctx)


def commands() -> list[ChatCommand]:
    """The plugin's chat commands: open to anyone, each deciding by the group it is about."""
    return [
        ChatCommand(
            "shifts",
            show_shifts,
            help="shifts.help.shifts",
            aliases=("班次", "排班"),
            arguments=SHIFTS,
            shown_to=views_rosters,
        ),
        ChatCommand(
            "claim",
            claim,
            help="shifts.help.claim",
            aliases=("认领",),
            arguments=SHIFT,
            shown_to=serves_shifts_here,
        ),
        ChatCommand(
            "release",
            release,
            help="shifts.help.release",
            aliases=("退班",),
            arguments=SHIFT,
            shown_to=serves_shifts_here,
        ),
        ChatCommand(
            "swap",
            swap,
            help="shifts.help.swap",
            aliases=("换班",),
            arguments=SWAP,
            shown_to=serves_shifts_here,
        ),
        ChatCommand(
            "accept",
            accept,
            help="shifts.help.accept",
            aliases=("接班",),
            arguments=SHIFT,
            shown_to=serves_shifts_here,
        ),
        ChatCommand(
            "onduty",
            on_duty,
            help="shifts.help.onduty",
            aliases=("在班", "值班"),
            arguments=ONDUTY,
            shown_to=roster_here,
        ),
        ChatCommand(
            "arrive",
            arrive,
            help="shifts.help.arrive",
            aliases=("到岗",),
            arguments=ARRIVE,
            shown_to=serves_shifts_here,
        ),
    ]


def _group_needed(ctx: Context, arguments: Arguments) -> Exception:
    known = listing(ctx._, (g.id for g in ctx.community.groups if ROSTER.has_shifts(g.id)))
    return arguments.error(ctx, "shifts.group_needed", groups=known)


def _name(ctx: Context, shift: Shift) -> str:
    return shown.shift(ctx._, ctx.community, shift)


def _begun(ctx: Context, shift: Shift) -> str:
    return shown.sentence(ctx._("shifts.refused.begun", shift=_name(ctx, shift)))


# -- /shifts ----------------------------------------------------------------------------------


def _served(ctx: Context) -> GroupModel | None:
    """The one group with a roster where the sender holds a role that may see it, if one only."""
    groups = ctx.community.groups
    mine = [g for g in groups if ROSTER.has_shifts(g.id) and VIEWERS & ctx.about(g).roles]
    return mine[0] if len(mine) == 1 else None


def show_shifts(ctx: Context) -> Action:
    """``/shifts [group] [day]``: the group's shifts that day, each place with who claimed it,
    for who holds there a role shifts need, or is a community worker (privately, the group
    left out: the one group of a roster the sender serves in)."""
    args = SHIFTS.read(ctx)
    group: GroupModel | None = args.group or ctx.group or _served(ctx)
    if group is None:
        raise _group_needed(ctx, SHIFTS)
    _ = ctx._
    place = ctx if group is ctx.group else ctx.about(group)
    if not VIEWERS & place.roles:
        allowed = _.join(ctx.role_name(r) for r in sorted(VIEWERS))
        mine = _.join(ctx.role_name(r) for r in sorted(place.roles)) or _("roles.none")
        return ctx.reply(_("shifts.refused.viewers", allowed=allowed, group=group.name, mine=mine))
    if not ROSTER.has_shifts(group.id):
        return ctx.reply(_("shifts.no_roster", group=group.name))
    where = shown.zone(ctx.community)
    on: date = args.day or ctx.now().astimezone(where).date()
    that_day = [s for s in ROSTER.of_group(group.id) if s.start.astimezone(where).date() == on]
    if not that_day:
        return ctx.reply(_("shifts.list.none", group=group.name, day=spans.day(_, on)))
    lines = [_("shifts.list.title", group=group.name, day=spans.day(_, on))]
    for shift in that_day:
        places = []
        for role, count in shift.needs.items():
            names = [people.name_of(ctx, c.person) for c in shift.claims.values() if c.role == role]
            free = count - len(names)
            who = [*names, _("shifts.list.free", n=free)] if free > 0 else names
            places.append(_("shifts.list.role", role=ctx.role_name(role), who=_.join(who)))
        lines.append(
            _(
                "shifts.list.line",
                number=shift.number,
                start=spans.clock(shift.start, where),
                end=spans.clock(shift.end, where, end=True),
                places=_("shifts.list.sep").join(places),
            )
        )
    lines.append(_("shifts.list.hint"))
    return ctx.reply("\n".join(lines))


# -- /claim, /release --------------------------------------------------------------------------


async def claim(ctx: Context) -> Action:
    """``/claim <shift>``: take a free place of one of one's roles on the shift (two claims of
    one shift are decided one after the other: the second sees the first's place taken)."""
    shift: Shift = SHIFT.read(ctx).shift
    await ctx.claim(f"shift:{shift.number}")
    _ = ctx._
    group = ctx.community.group(shift.group)
    if group is None or ctx.now() >= shift.end:
        return ctx.reply(shown.sentence(_("shifts.refused.past", shift=_name(ctx, shift))))
    mine = shift.claims.get(ctx.person.id)
    if mine is not None:
        role = ctx.role_name(mine.role)
        return ctx.reply(_("shifts.refused.already", shift=_name(ctx, shift), role=role))
    held = ctx.about(group).roles
    roles = [role for role in shift.needs if role in held]
    if not roles:
        needed = _.join(ctx.role_name(r) for r in shift.needs)
        have = _.join(ctx.role_name(r) for r in sorted(held)) or _("roles.none")
        text = _(
            "shifts.refused.role",
            shift=_name(ctx, shift),
            needed=needed,
            group=group.name,
            mine=have,
        )
        return ctx.reply(shown.sentence(text))
    free = [(role, place) for role in roles if (place := shift.free_place(role)) is not None]
    if not free:
        full = _.join(ctx.role_name(r) for r in roles)
        return ctx.reply(
            shown.sentence(_("shifts.refused.full", shift=_name(ctx, shift), role=full))
        )
    role, place = free[0]
    settings = ctx.settings(ShiftSettings)
    stored.claim(ctx, shift, role, place)
    timing.schedule_claim(ctx, shift, role, settings)
    lines = [_("shifts.claimed", shift=_name(ctx, shift), role=ctx.role_name(role))]
    if shift.start - settings.reminder > ctx.now():
        lines.append(_("shifts.will_remind", before=shown.length(_, settings.reminder)))
    return ctx.reply("".join(lines))


def release(ctx: Context) -> Action:
    """``/release <shift>``: give up one's place on a shift that has not begun."""
    shift: Shift = SHIFT.read(ctx).shift
    _ = ctx._
    if ctx.person.id not in shift.claims:
        return ctx.reply(_("shifts.refused.not_yours", shift=_name(ctx, shift)))
    if ctx.now() >= shift.start:
        return ctx.reply(_begun(ctx, shift))
    stored.release(ctx, shift, ctx.person.id)
    return ctx.reply(_("shifts.released", shift=_name(ctx, shift)))


# -- /swap, /accept and the offer's buttons ---------------------------------------------------


async def swap(ctx: Context) -> list[Action]:
    """``/swap <shift> @person``: offer one's place to someone holding its role in the group."""
    args = SWAP.read(ctx)
    shift: Shift = args.shift
    target = people.current(ctx, args.person)
    _ = ctx._
    mine = shift.claims.get(ctx.person.id)
    if mine is None:
        return [ctx.reply(_("shifts.refused.not_yours", shift=_name(ctx, shift)))]
    group = ctx.community.group(shift.group)
    if group is None or ctx.now() >= shift.start:
        return [ctx.reply(_begun(ctx, shift))]
    name = target.name or target.id
    if target.id == ctx.person.id:
        return [ctx.reply(_("shifts.refused.swap_self"))]
    if target.id in shift.claims:
        return [ctx.reply(_("shifts.refused.swap_on", name=name, shift=_name(ctx, shift)))]
    if mine.role not in roles_in(ctx.community, target, group, member=False, now=ctx.now()):
        role = ctx.role_name(mine.role)
        return [ctx.reply(_("shifts.refused.swap_role", name=name, role=role, group=group.name))]
    number = await ctx.number("swap")
    giver = stored_person(ctx.person.id)
    ctx.writes.run(
        lambda db: SwapOffer.filter(shift=shift.number, from_person=giver).using_db(db).delete()
    )
    ctx.writes.add(
        SwapOffer(
            id=number,
            shift=shift.number,
            from_person=giver,
            to_person=stored_person(target.id),
            role=mine.role,
            made_at=ctx.now(),
        )
    )
    their = ctx.translator(target)
    offer = their(
        "shifts.swap.offer",
        name=ctx.person.name or ctx.person.id,
        shift=shown.shift(their, ctx.community, shift),
        role=shown.role(their, ctx.community, mine.role),
        number=shift.number,
    )
    buttons = (
        OFFER.button(their("shifts.swap.accept"), f"accept:{number}"),
        OFFER.button(their("shifts.swap.decline"), f"decline:{number}"),
    )
    told = ctx.tell(target, offer, buttons=buttons)
    key = "shifts.swap.asked" if told is not None else "shifts.swap.asked_unreachable"
    reply = ctx.reply(_(key, name=name, shift=_name(ctx, shift), number=shift.number))
    return [reply] if told is None else [reply, told]


def _giver(shift: Shift, offer: SwapOffer) -> Claim | None:
    """The claim of ``shift`` that ``offer`` offers, if its maker still has it."""
    found = (c for c in shift.claims.values() if stored_person(c.person) == offer.from_person)
    return next(found, None)


def _take_over(ctx: Context, shift: Shift, offer: SwapOffer) -> tuple[str, list[Action]]:
    """The sender accepts ``offer``: what they are told, and what the giver is told."""
    _ = ctx._
    giver = _giver(shift, offer)
    group = ctx.community.group(shift.group)
    if giver is None or giver.role != offer.role or group is None:
        ctx.writes.delete(offer)
        return _("shifts.swap.gone"), []
    if ctx.now() >= shift.start:
        return _begun(ctx, shift), []
    if ctx.person.id in shift.claims:
        return _("shifts.refused.on_it", shift=_name(ctx, shift)), []
    if offer.role not in ctx.about(group).roles:
        role = ctx.role_name(offer.role)
        return _("shifts.refused.take_role", role=role, group=group.name), []
    me = ctx.person.name or ctx.person.id
    stored.hand_over(ctx, shift, giver.person, offer)
    timing.schedule_claim(ctx, shift, offer.role, ctx.settings(ShiftSettings))
    told: list[Action] = []
    person = people.current_by_id(ctx, giver.person)
    if person is not None:
        their = ctx.translator(person)
        text = their("shifts.swap.handed", name=me, shift=shown.shift(their, ctx.community, shift))
        if (message := ctx.tell(person, text)) is not None:
            told.append(message)
    text = _("shifts.swap.taken", shift=_name(ctx, shift), role=ctx.role_name(offer.role))
    text = shown.sentence(text)
    return text, told


async def accept(ctx: Context) -> list[Action]:
    """``/accept <shift>``: take over the shift someone offered the sender."""
    shift: Shift = SHIFT.read(ctx).shift
    me = stored_person(ctx.person.id)
    offer = await SwapOffer.filter(shift=shift.number, to_person=me).order_by("-id").first()
    if offer is None:
        return [ctx.reply(ctx._("shifts.swap.none", shift=_name(ctx, shift)))]
    text, told = _take_over(ctx, shift, offer)
    return [ctx.reply(text), *told]


async def answered(ctx: Context) -> list[Action]:
    """A press on an offer's button: accept it (the claim is handed over) or decline it."""
    press = ctx.press
    assert press is not None
    verb, _colon, number = press.payload.partition(":")
    offer = await SwapOffer.get_or_none(id=int(number)) if number.isdigit() else None
    shift = ROSTER.shift(offer.shift) if offer is not None else None
    if offer is None or shift is None or offer.to_person != stored_person(ctx.person.id):
        return [ctx.answer(ctx._("shifts.swap.gone"))]
    if verb == "accept":
        text, told = _take_over(ctx, shift, offer)
    else:
        text, told = _decline(ctx, shift, offer)
    edit = Edit(chat=ctx.event.chat, message_id=press.message_id, text=text)
    return [edit, ctx.answer(), *told] if press.message_id else [ctx.answer(text), *told]


def _decline(ctx: Context, shift: Shift, offer: SwapOffer) -> tuple[str, list[Action]]:
    ctx.writes.delete(offer)
    me = ctx.person.name or ctx.person.id
    told: list[Action] = []
    giver = _giver(shift, offer)
    person = people.current_by_id(ctx, giver.person) if giver is not None else None
    if person is not None:
        their = ctx.translator(person)
        text = their(
            "shifts.swap.declined_told", name=me, shift=shown.shift(their, ctx.community, shift)
        )
        if (message := ctx.tell(person, text)) is not None:
            told.append(message)
    return ctx._("shifts.swap.declined", shift=_name(ctx, shift)), told


OFFER = ButtonHandler("shifts.swap", answered)


# -- /onduty, /arrive ---------------------------------------------------------------------------


def on_duty(ctx: Context) -> Action:
    """``/onduty [group]``: who is on shift in the group now, with the roles they serve in."""
    group: GroupModel | None = ONDUTY.read(ctx).group or ctx.group
    if group is None:
        raise _group_needed(ctx, ONDUTY)
    _ = ctx._
    if not ROSTER.has_shifts(group.id):
        return ctx.reply(_("shifts.no_roster", group=group.name))
    duty = ROSTER.on_duty(group, ctx.now(), RolesNow.of(ctx))
    if duty:
        return ctx.reply(_("shifts.onduty", group=group.name, people=shown.staff(ctx, _, duty)))
    return ctx.reply(_("shifts.onduty.nobody", group=group.name))


def arrive(ctx: Context) -> Action:
    """``/arrive``: the sender is there for their shift under way (or about to begin)."""
    ARRIVE.read(ctx)
    _ = ctx._
    now = ctx.now()
    early = ctx.settings(ShiftSettings).reminder
    where = shown.zone(ctx.community)
    roles = RolesNow.of(ctx)
    mine = [
        s
        for s in ROSTER.claims_of(ctx.person.id)
        if s.start - early <= now < s.end
        and (ctx.group is None or s.group == ctx.group.id)
        and roles.holds(s.claims[ctx.person.id], ctx.community.group(s.group), now)
    ]
    if not mine:
        return ctx.reply(_("shifts.no_shift_now"))
    waiting = [s for s in mine if s.claims[ctx.person.id].arrived is None]
    if not waiting:
        arrived = mine[0].claims[ctx.person.id].arrived
        assert arrived is not None
        return ctx.reply(_("shifts.arrived_already", time=spans.clock(arrived, where)))
    for shift in waiting:
        stored.arrive(ctx, shift, ctx.person.id)
    shift = waiting[0]
    group = ctx.community.group(shift.group)
    return ctx.reply(
        _(
            "shifts.arrived",
            group=group.name if group else shift.group,
            end=spans.clock(shift.end, where, end=True),
        )
    )


def noticed(ctx: Context) -> None:
    """A message in a group: its sender, a claimer of a shift of it under way (or about to
    begin), has appeared for that shift."""
    group = ctx.group
    if group is None or ctx.event.direct:
        return
    early = ctx.settings(ShiftSettings).reminder
    for shift in ROSTER.awaiting(ctx.person.id, group.id, ctx.now(), early):
        stored.arrive(ctx, shift, ctx.person.id)
