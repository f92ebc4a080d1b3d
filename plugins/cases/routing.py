"""Routing a case between the tiers, and avoiding acquaintances (熟人规避).

- ``/route <case> focus|key [group] [social worker]`` (分流): the case moves to a focus
  service or key accompaniment group (by default the community's first of that kind); a
  key-tier case gets an owner, the social worker named or the router.  The client is
  brought in (core's Invite: a Matrix invite, a Telegram single-use link sent privately)
  and told privately; the group's on-duty staff are told privately who is coming and why:
  the case number, its category and the client's name, nothing else.  Nothing is posted
  in the group.  ``/route <case> key`` escalates a focus case.
- ``/conflict <case>`` (回避, 熟人回避): a member of staff declares they know the client;
  from then on they are never told of, nor made owner of, the client's cases.
- ``/transfer <case> <group|community>`` (转介): to another consultation group, as a route
  is (its tier the group's kind); or to another community: the community's admins are told
  privately, with the case number only, and arrange it.

Social workers route and transfer (not one who declared they know the client); any staff
member declares an acquaintance.  Private chats only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanshe.core import arguments, people
from sanshe.core.actions import Action, Invite
from sanshe.core.arguments import Arguments, Rest, Words, Wrong
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.model import Group, Person
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import access, shown
from .assessment import workable
from .casework import CaseNumber, Keyword
from .models import Case, Conflict
from .opening import answered, avoiding

#: The group kind serving each tier.
TIER_KINDS = {"focus": "focus_service", "key": "key_accompaniment"}
KIND_TIERS = {kind: tier for tier, kind in TIER_KINDS.items()}
TIER_WORDS: dict[str, tuple[str, ...]] = {
    "focus": ("focus", "聚焦", "聚焦服务"),
    "key": ("key", "重点", "重点陪助"),
}
#: What ``/transfer`` takes for another community.
COMMUNITY_WORDS = ("community", "社区", "其他社区", "外社区")

ROUTE = Arguments(
    usage="cases.usage.route",
    case=CaseNumber(),
    tier=Keyword(TIER_WORDS, name="cases.arg.tier"),
    rest=Rest(optional=True, name="cases.arg.route_rest"),
)
CONFLICT = Arguments(case=CaseNumber())
TRANSFER = Arguments(
    usage="cases.usage.transfer", case=CaseNumber(), to=Rest(name="cases.arg.transfer_to")
)


def commands() -> list[ChatCommand]:
    """/route, /conflict and /transfer."""
    return [
        ChatCommand(
            "route",
            route,
            help="cases.help.route",
            aliases=("分流",),
            where="direct",
            arguments=ROUTE,
            shown_to=access.is_staff,
        ),
        ChatCommand(
            "conflict",
            conflict,
            help="cases.help.conflict",
            aliases=("回避", "熟人回避"),
            where="direct",
            arguments=CONFLICT,
            shown_to=access.is_staff,
        ),
        ChatCommand(
            "transfer",
            transfer,
            help="cases.help.transfer",
            aliases=("转介",),
            where="direct",
            arguments=TRANSFER,
            shown_to=access.is_staff,
        ),
    ]


def client_of(ctx: Context, case: Case) -> Person:
    """``case``'s client as known now, else someone unknown reached by the handle of their id."""
    found = people.current_by_id(ctx, case.person)
    if found is not None:
        return found
    network, _colon, handle = case.person.partition(":")
    return Person(id=case.person, handles={network: handle} if handle else {}, known=False)


def groups_of(ctx: Context, tier: str) -> list[Group]:
    """The community's groups serving ``tier``, in the file's order."""
    return [g for g in ctx.community.groups if g.kind == TIER_KINDS[tier]]


def _names(ctx: Context, groups: Sequence[Group]) -> str:
    return arguments.listing(ctx._, (g.id for g in groups)) if groups else "—"


async def route(ctx: Context) -> Iterable[Action]:
    """``/route <n> focus|key [group] [social worker]``."""
    found = ROUTE.read(ctx)
    case, refusal = await workable(ctx, found.case, "route")
    if case is None:
        return [ctx.reply(refusal or "")]
    tier: str = found.tier
    words = Words(found.rest or "")
    group: Group | None = None
    if words.left:
        named = arguments.group_named(ctx.community, words.peek())
        if named is not None:
            if named.kind != TIER_KINDS[tier]:
                raise ROUTE.error(
                    ctx,
                    "cases.route.wrong_kind",
                    group=named.id,
                    tier=ctx._(f"cases.tier.{tier}"),
                    groups=_names(ctx, groups_of(ctx, tier)),
                )
            group = named
            words.take()
    owner: Person | None = None
    if words.left:
        try:
            owner = arguments.Person().take(words, ctx)
        except Wrong as wrong:
            raise ROUTE.error(ctx, wrong.key, **wrong.values) from None
        if words.left:
            raise ROUTE.error(ctx, "arguments.too_many", word=excerpt(words.peek()))
        if tier != "key":
            raise ROUTE.error(ctx, "cases.route.owner_for_key")
    if group is None:
        choices = groups_of(ctx, tier)
        if not choices:
            return [ctx.reply(ctx._(f"cases.route.no_group.{tier}"))]
        group = choices[0]
    return await move(ctx, case, group, owner, transfer=False)


async def move(
    ctx: Context, case: Case, group: Group, owner: Person | None, *, transfer: bool
) -> list[Action]:
    """Serve ``case`` in ``group`` now: its tier the group's, an owner for the key tier, the
    client brought in, the on-duty staff there told privately; the router told what was done."""
    _ = ctx._
    if case.status != "open":
        return [ctx.reply(_("cases.closed_already", number=case.number))]
    if case.group == group.id:
        return [ctx.reply(_("cases.route.there_already", number=case.number, group=group.name))]
    tier = KIND_TIERS[group.kind]
    avoided = set(await avoiding(case.person))
    me = stored_person(ctx.person.id)
    if tier == "key":
        chosen = owner.id if owner is not None else None
        if chosen is None:
            chosen = case.owner if case.owner and case.owner not in avoided else ctx.person.id
        if stored_person(chosen) in avoided:
            return [ctx.reply(_("cases.route.owner_conflict", number=case.number))]
        named = people.current_by_id(ctx, chosen)
        if named is None or not _social_worker(ctx, named):
            return [
                ctx.reply(
                    _(
                        "cases.route.owner_not_social_worker",
                        name=excerpt(people.name_of(ctx, chosen)),
                    )
                )
            ]
        case.owner = stored_person(chosen)
    elif case.owner in avoided:
        case.owner = None
    case.tier, case.group = tier, group.id
    case.routed_at = ctx.now()
    ctx.writes.save(case, ["tier", "group", "owner", "routed_at"])
    answered(ctx, case.number)
    ctx.audit("update", f"case:{case.number}", f"{'transfer' if transfer else 'route'}:{group.id}")
    client = client_of(ctx, case)
    actions: list[Action] = []
    invited = await _invite(ctx, client, group)
    actions += invited
    theirs = ctx.translator(client)
    told_client = ctx.tell(
        client,
        theirs(
            "cases.route.client_invited" if invited else "cases.route.client_told",
            number=case.number,
            group=group.name,
        ),
    )
    if told_client is not None:
        actions.append(told_client)
    told: list[str] = []
    duty = await ctx.call("shifts_on_duty", group=group, at=ctx.now()) or {}
    for person_id in duty:
        key = stored_person(person_id)
        if key in avoided or key == me:
            continue
        staff = people.current_by_id(ctx, person_id)
        if staff is None:
            continue
        message = ctx.tell(staff, _coming(ctx, staff, case, group))
        if message is not None:
            actions.append(message)
            told.append(staff.name or staff.id)
    if case.owner and case.owner != me and case.owner not in {stored_person(p) for p in duty}:
        owner_person = people.current_by_id(ctx, case.owner)
        if owner_person is not None:
            message = ctx.tell(owner_person, _coming(ctx, owner_person, case, group))
            if message is not None:
                actions.append(message)
    lines = [
        _(
            "cases.transferred" if transfer else "cases.routed",
            number=case.number,
            tier=_(f"cases.tier.{tier}"),
            group=group.name,
        )
    ]
    if case.owner:
        lines.append(_("cases.route.owner", name=shown.person_name(ctx, case.owner)))
    lines.append(_("cases.route.invited" if invited else "cases.route.not_invited"))
    if told:
        lines.append(_("cases.route.told", names=_.join(told)))
    else:
        lines.append(_("cases.route.nobody_on_duty", group=group.name))
    return [ctx.reply("\n".join(lines)), *actions]


def _social_worker(ctx: Context, person: Person) -> bool:
    now = ctx.now()
    return any(g.role == access.SOCIAL_WORKER and g.counts_at(now) for g in person.roles)


def _coming(ctx: Context, staff: Person, case: Case, group: Group) -> str:
    """What an on-duty member of staff (or the owner) reads: number, category, name; no more."""
    _ = ctx.translator(staff)
    text = _(
        "cases.route.coming",
        number=case.number,
        category=shown.category(_, case.category),
        name=case.name or "—",
        group=group.name,
        by=ctx.person.name or ctx.person.id,
    )
    if case.owner == stored_person(staff.id):
        text += "\n" + _("cases.route.you_own", number=case.number)
    return text


async def _invite(ctx: Context, client: Person, group: Group) -> list[Action]:
    """An invitation of ``client`` into ``group``'s chat on the first network (this event's
    first) where both are and the adapter invites; none if they are in it already."""
    places = sorted(ctx.in_chats_of(group), key=lambda p: p.event.network != ctx.event.network)
    for place in places:
        network = place.event.network
        handle = client.handles.get(network)
        if not handle or not place.can(Invite, network):
            continue
        if await place.member_of(group, client):
            return []
        return [Invite(chat=place.event.chat, user=handle, network=network)]
    return []


async def conflict(ctx: Context) -> Iterable[Action]:
    """``/conflict <n>``: the sender knows case n's client; confirmed privately, audited."""
    number = CONFLICT.read(ctx).case
    _ = ctx._
    if not access.is_staff(ctx):
        return [ctx.reply(_("cases.conflict.staff_only"))]
    case = await Case.get_or_none(number=number)
    if case is None:
        return [ctx.reply(_("cases.no_such_case", number=number))]
    me = stored_person(ctx.person.id)
    if case.person == me:
        return [ctx.reply(_("cases.refused.own", number=number))]
    if await Conflict.exists(client=case.person, staff=me):
        return [ctx.reply(_("cases.conflict.already", number=number))]
    ctx.writes.add(Conflict(client=case.person, staff=me, at=ctx.now()))
    ctx.audit("create", f"case:{number}", "conflict")
    lines = [_("cases.conflict.noted", number=number)]
    if case.owner == me:
        case.owner = None
        ctx.writes.save(case, ["owner"])
        lines.append(_("cases.conflict.was_owner", number=number))
    return [ctx.reply("\n".join(lines))]


async def transfer(ctx: Context) -> Iterable[Action]:
    """``/transfer <n> <group|community>``: another consultation group, or another community."""
    found = TRANSFER.read(ctx)
    case, refusal = await workable(ctx, found.case, "transfer")
    if case is None:
        return [ctx.reply(refusal or "")]
    _ = ctx._
    consultation = [g for g in ctx.community.groups if g.kind in KIND_TIERS]
    to = found.to.strip()
    if len(to.split()) > 1:
        raise TRANSFER.error(ctx, "arguments.too_many", word=excerpt(to.split()[1]))
    if arguments.plain_word(to) in {arguments.plain_word(w) for w in COMMUNITY_WORDS}:
        return await _to_community(ctx, case)
    group = arguments.group_named(ctx.community, to)
    if group is None or group.kind not in KIND_TIERS:
        raise TRANSFER.error(
            ctx,
            "cases.transfer.not_consultation",
            word=excerpt(to),
            groups=_names(ctx, consultation),
        )
    return await move(ctx, case, group, None, transfer=True)


async def _to_community(ctx: Context, case: Case) -> list[Action]:
    """Tell the community's admins privately that case n needs another community (no more);
    an admin who declared they know the client is not told."""
    _ = ctx._
    if case.status != "open":
        return [ctx.reply(_("cases.closed_already", number=case.number))]
    avoided = set(await avoiding(case.person))
    ctx.audit("update", f"case:{case.number}", "transfer:community")
    actions: list[Action] = []
    told = []
    by = ctx.person.name or ctx.person.id
    for admin in ctx.community.admins():
        if admin.id == ctx.person.id or stored_person(admin.id) in avoided:
            continue
        theirs = ctx.translator(admin)
        message = ctx.tell(
            admin, theirs("cases.transfer.community_admin", number=case.number, by=by)
        )
        if message is not None:
            actions.append(message)
            told.append(admin.name or admin.id)
    key = "cases.transfer.community_told" if told else "cases.transfer.community_nobody"
    text = _(key, number=case.number, names=_.join(told))
    return [ctx.reply(text), *actions]
