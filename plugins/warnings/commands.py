"""``/warn``, ``/warnings`` and ``/unwarn``: a group's admins warn members, see the warnings
given and withdraw one; a member sees their own warnings, privately."""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Person, Rest, Word, plain_word
from sanshe.core.context import Context, roles_in
from sanshe.core.i18n import Translator
from sanshe.core.model import Group
from sanshe.core.model import Person as PersonModel
from sanshe.core.privacy import MASK, excerpt, personal_data
from sanshe.core.spans import clock, day
from sanshe.core.timers import utc

from . import ledger
from .models import WarningEntry
from .sanctions import Warned, give, length, quoted
from .settings import WarningSettings

WARN = Arguments(
    usage="warnings.usage.warn", person=Person(), reason=Rest(name="warnings.name.reason")
)
WARNINGS = Arguments(usage="warnings.usage.warnings", person=Person(optional=True))
UNWARN = Arguments(
    usage="warnings.usage.unwarn",
    person=Person(),
    which=Word(name="warnings.name.which", optional=True, default="last"),
)
#: What ``/unwarn`` takes for the latest warning not withdrawn.
LAST = ("last", "latest", "最后", "最后一条", "最近", "最近一条", "最新")
ADMIN = "group_admin"
#: How much of a reason a list quotes.
QUOTED = 60


def _administers(ctx: Context, person: PersonModel, group: Group) -> bool:
    return ADMIN in roles_in(ctx.community, person, group, now=ctx.now())


def _name(ctx: Context, person: PersonModel, handle: str) -> str:
    """How a member is named: their name, else their handle, as an excerpt; a handle that is a
    long number (Telegram's), which an excerpt masks whole, by its last four digits (in the
    community's language: it is stored so)."""
    shown = excerpt(person.name or handle or person.id)
    if MASK in shown and not person.name:
        tail = "".join(c for c in handle if c.isdigit())[-4:]
        return Translator(ctx._.catalogue, ctx.community.locale)("warnings.unnamed", tail=tail)
    return shown


async def warn(ctx: Context) -> list[Action]:
    """``/warn <member> <reason>`` (or answering their message): warn them in this group."""
    _ = ctx._
    parsed = WARN.read(ctx)
    person: PersonModel = parsed.person
    reason: str = parsed.reason
    group = ctx.group
    if group is None:
        return [ctx.reply(_("warnings.no_group"))]
    handle = ctx.handle_of(person)
    if handle is None:
        return [ctx.reply(_("warnings.no_handle", name=_name(ctx, person, "")))]
    if person.id == ctx.person.id:
        return [ctx.reply(_("warnings.not_yourself"))]
    if _administers(ctx, person, group):
        return [ctx.reply(_("warnings.not_an_admin", name=_name(ctx, person, handle)))]
    if personal_data(reason):
        return [ctx.reply(_("warnings.reason_personal"))]
    if await ctx.member_of(group, person) is False:
        return [ctx.reply(_("warnings.not_a_member", name=_name(ctx, person, handle)))]
    warned = Warned(person, handle, _name(ctx, person, handle), group, ctx.event.chat)
    return await give(ctx, warned, reason)


async def show(ctx: Context) -> list[Action]:
    """``/warnings [member]``: privately, one's own warnings; for a group's admin, a member's
    there, or the group's latest; privately, a member's in the groups one administers."""
    _ = ctx._
    target: PersonModel | None = WARNINGS.read(ctx).person
    named_self = target is not None and target.id == ctx.person.id
    other = None if named_self else target
    group = ctx.group
    if ctx.event.direct or group is None:
        if other is None:
            text = await _own(ctx, None)
        else:
            groups = [g for g in ctx.community.groups if _administers(ctx, ctx.person, g)]
            if not groups:
                return [ctx.reply(_("warnings.refused_private"))]
            text = await _of(ctx, other, groups)
        return [ctx.reply(text)] if ctx.event.direct else _privately(ctx, text)
    admin = ADMIN in ctx.roles
    if other is not None and not admin:
        return [ctx.reply(_("warnings.refused"))]
    if other is not None:
        text = await _of(ctx, other, [group])
    elif admin and not named_self:
        text = await _of_group(ctx, group)
    else:
        text = await _own(ctx, group)
    return _privately(ctx, text)


def _privately(ctx: Context, text: str) -> list[Action]:
    return [ctx.reply(ctx._("warnings.sent_private")), ctx.direct(text)]


async def unwarn(ctx: Context) -> list[Action]:
    """``/unwarn <member> [number|last]``: withdraw one of their warnings here (it is kept)."""
    _ = ctx._
    parsed = UNWARN.read(ctx)
    person: PersonModel = parsed.person
    which: str = parsed.which
    group = ctx.group
    if group is None:
        return [ctx.reply(_("warnings.no_group"))]
    number = _number(which)
    if number is None:
        raise UNWARN.error(ctx, "warnings.bad_which", word=excerpt(which))
    name = _name(ctx, person, ctx.handle_of(person) or "")
    listed = ledger.numbered(await ledger.of_person(person.id, [group.id]), group.id)
    if not listed:
        return [ctx.reply(_("warnings.none", name=name, group=group.name))]
    if number == 0:
        standing = [(n, e) for n, e in listed if e.withdrawn_at is None]
        if not standing:
            return [ctx.reply(_("warnings.all_withdrawn", name=name))]
        number, entry = standing[-1]
    elif number > len(listed):
        return [ctx.reply(_("warnings.no_such", name=name, number=number, count=len(listed)))]
    else:
        entry = listed[number - 1][1]
        if entry.withdrawn_at is not None:
            return [ctx.reply(_("warnings.already_withdrawn", name=name, number=number))]
    settings = ctx.settings(WarningSettings)
    since = ctx.now() - settings.window
    count = sum(ledger.counts(e, since) for _n, e in listed if e is not entry)
    ledger.withdraw(ctx, entry)
    values = {"name": name, "group": group.name, "number": number, "limit": settings.limit}
    actions = [ctx.reply(_("warnings.withdrawn", count=count, **values))]
    note = ctx.tell(person, ctx.translator(person)("warnings.private.withdrawn", **values))
    if note is not None:
        actions.append(note)
    by = excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)
    actions += ctx.moderated(
        "unwarn", person, "warnings.log.withdrawn", by=by, count=count, **values
    )
    return actions


def _number(word: str) -> int | None:
    """The warning ``word`` names: its number, 0 for the latest still counting, None if neither."""
    plain = plain_word(word)
    if plain in LAST:
        return 0
    digits = unicodedata.normalize("NFKC", plain).lstrip("#第").rstrip("条次")
    return int(digits) if digits.isdecimal() and 0 < int(digits) < 10_000 else None


# -- what /warnings writes -------------------------------------------------------------


def _line(ctx: Context, _: Translator, entry: WarningEntry, number: int | None) -> str:
    """One warning: its number, when, why, by whom, and whether it still counts."""
    settings = ctx.settings(WarningSettings)
    zone = ZoneInfo(ctx.community.community.timezone)
    at = utc(entry.at)
    by = (
        _("warnings.by_rule", rule=entry.rule_id)
        if entry.rule_id
        else people.name_of(ctx, entry.by, _("warnings.someone"))
    )
    if entry.withdrawn_at is not None:
        state = _("warnings.state.withdrawn")
    elif not ledger.counts(entry, ctx.now() - settings.window):
        state = _("warnings.state.expired")
    else:
        state = ""
    return _(
        "warnings.line" if number is not None else "warnings.line.group",
        number=number or "",
        day=day(_, at.astimezone(zone).date()),
        time=clock(at, zone),
        name=entry.name,
        reason=quoted(entry.reason, QUOTED),
        by=by,
        state=state,
    )


def _standing(ctx: Context, entries: list[WarningEntry]) -> int:
    since = ctx.now() - ctx.settings(WarningSettings).window
    return sum(ledger.counts(e, since) for e in entries)


def _summary(ctx: Context, _: Translator, group: Group, entries: list[WarningEntry]) -> list[str]:
    """A person's warnings in ``group``: how many count, then each, numbered."""
    settings = ctx.settings(WarningSettings)
    title = _(
        "warnings.in_group",
        group=group.name,
        count=_standing(ctx, entries),
        limit=settings.limit,
        within=length(_, settings.within),
    )
    numbered = ledger.numbered(entries, group.id)[-ledger.LISTED :]
    return [title, *(_line(ctx, _, e, n) for n, e in numbered)]


def _groups_of(ctx: Context, entries: list[WarningEntry], among: list[Group] | None) -> list[Group]:
    ids = dict.fromkeys(e.group_id for e in entries)
    found = [g for g in (ctx.community.group(i) for i in ids) if g is not None]
    return [g for g in found if among is None or g in among]


async def _own(ctx: Context, group: Group | None) -> str:
    """The sender's own warnings: in ``group``, or in every group."""
    _ = ctx._
    entries = await ledger.of_person(ctx.person.id, [group.id] if group else None)
    groups = _groups_of(ctx, entries, None)
    if not groups:
        return _("warnings.none_own")
    lines = [_("warnings.own")]
    for found in groups:
        lines += _summary(ctx, _, found, [e for e in entries if e.group_id == found.id])
    return "\n".join(lines)


async def _of(ctx: Context, person: PersonModel, among: list[Group]) -> str:
    """``person``'s warnings in the groups ``among``."""
    _ = ctx._
    name = _name(ctx, person, ctx.handle_of(person) or "")
    entries = await ledger.of_person(person.id, [g.id for g in among])
    groups = _groups_of(ctx, entries, among)
    if not groups:
        where = among[0].name if len(among) == 1 else _("warnings.your_groups")
        return _("warnings.none", name=name, group=where)
    lines = [_("warnings.of", name=name)]
    for found in groups:
        lines += _summary(ctx, _, found, [e for e in entries if e.group_id == found.id])
    return "\n".join(lines)


async def _of_group(ctx: Context, group: Group) -> str:
    """The group's latest warnings, whoever got them."""
    _ = ctx._
    entries = await ledger.of_group(group.id)
    if not entries:
        return _("warnings.none_group", group=group.name)
    lines = [_.plural("warnings.group", len(entries), group=group.name)]
    lines += [_line(ctx, _, e, None) for e in entries]
    return "\n".join(lines)
