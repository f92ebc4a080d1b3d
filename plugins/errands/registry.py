"""``/vulnerable``: the registry of vulnerable households, kept by community workers.

``/vulnerable add <person|building-room> <category> [note]`` registers a household (a
person known in chat, with their household, or a building and room), ``/vulnerable``
lists those of the buildings the sender keeps, per building, and ``/vulnerable remove
<n>`` takes one off.  In private chats only; who keeps which buildings: :mod:`.staff`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import ArgumentError, Arguments, Person, Rest, Word, listing, plain_word
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Community
from sanshe.core.names import building_name
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person

from . import staff
from .models import Vulnerable
from .settings import ErrandSettings

#: The categories of the guide's vulnerable groups (DOMAIN.md, "Help for vulnerable people"),
#: each with the words it is typed as beside its id and its names.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "elderly": ("高龄空巢老人", "空巢老人", "独居老人", "老人", "elderly_alone"),
    "children": ("困境儿童", "儿童", "child"),
    "disabled": ("残疾人", "残疾", "disability"),
    "mental": ("精神障碍人群", "精神障碍", "mental_disorder"),
    "low_income": ("低保对象", "低保", "低收入", "low-income", "lowincome"),
    "confirmed": ("确诊患者及家属", "确诊患者", "确诊", "patient"),
    "observation": ("医学观察人员及家属", "医学观察", "居家观察", "观察", "observed"),
}
#: Typed as ``1-302``: a building and a room.
_HOME = re.compile(r"^(?P<building>[^-\s]+)-(?P<room>[^-\s]+)$")

VULNERABLE = Arguments(
    usage="errands.vulnerable.usage",
    action=Word(name="errands.name.action", optional=True, default=""),
    rest=Rest(name="errands.name.details", optional=True, default=""),
)
BY_PERSON = Arguments(
    usage="errands.vulnerable.usage",
    action=Word(name="errands.name.action"),
    person=Person(),
    category=Word(name="errands.name.category"),
    note=Rest(name="errands.name.note", optional=True, default=""),
)
BY_HOME = Arguments(
    usage="errands.vulnerable.usage",
    action=Word(name="errands.name.action"),
    home=Word(name="errands.name.home"),
    category=Word(name="errands.name.category"),
    note=Rest(name="errands.name.note", optional=True, default=""),
)
REMOVE = Arguments(
    usage="errands.vulnerable.usage",
    action=Word(name="errands.name.action"),
    number=Word(name="errands.name.number"),
)
ADD_WORDS = ("add", "登记", "添加")
REMOVE_WORDS = ("remove", "删除", "移除")
#: The longest note kept.
NOTE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Home:
    """A household: its building and room, and who it is when known in chat."""

    building: str
    room: str
    person: str = ""


def category_name(_: Translator, category: str) -> str:
    """A category's name in ``_``'s language."""
    return _(f"errands.category.{category}")


def category(ctx: Context, word: str, args: Arguments) -> str:
    """The category ``word`` names (its id, a name, another word for it); ArgumentError else."""
    typed = plain_word(word)
    for key, words in CATEGORIES.items():
        names = (key, *words, ctx._(f"errands.category.{key}"))
        if typed in {plain_word(w) for w in names}:
            return key
    known = listing(ctx._, (f"{k}（{category_name(ctx._, k)}）" for k in CATEGORIES))
    raise args.error(ctx, "errands.unknown_category", word=excerpt(word), known=known)


def building_named(community: Community, word: str) -> str | None:
    """The building ``word`` names: its id, or its name in any language."""
    typed = plain_word(word)
    for building in community.buildings:
        names = [building.name] if isinstance(building.name, str) else building.name.values()
        if typed == plain_word(building.id) or typed in {plain_word(n) for n in names if n}:
            return building.id
    return None


def home_typed(ctx: Context, word: str) -> Home | None:
    """The household ``word`` writes as ``<building>-<room>`` (``1-302``), if it does."""
    match = _HOME.match(unicodedata.normalize("NFKC", word))
    if match is None:
        return None
    building = building_named(ctx.community, match["building"])
    return None if building is None else Home(building, match["room"])


async def household(ctx: Context, person_id: str) -> Home | None:
    """``person_id``'s household, as the joining plugin knows it."""
    home = await ctx.call("joining_household", person_id=person_id)
    if not isinstance(home, dict) or not home.get("building"):
        return None
    return Home(str(home["building"]), str(home.get("room", "")), person_id)


async def entry_of(ctx: Context, person_id: str) -> Vulnerable | None:
    """The registry's entry for ``person_id``: theirs, else their household's."""
    key = stored_person(person_id)
    own = await Vulnerable.filter(person=key).order_by("id").first()
    if own is not None:
        return own
    home = await household(ctx, person_id)
    if home is None:
        return None
    return await entry_at(home)


async def entry_at(home: Home) -> Vulnerable | None:
    """The registry's entry for the household at ``home``."""
    for row in await Vulnerable.filter(building=home.building).order_by("id"):
        if row.room == home.room:
            return row
    return None


async def vulnerable(ctx: Context) -> list[Action]:
    """``/vulnerable [add …|remove <n>]``: the registry, for those who keep it."""
    _ = ctx._
    if not staff.keeps(ctx):
        roles = listing(_, (ctx.role_name(r) for r in ctx.settings(ErrandSettings).registry))
        return [ctx.reply(_("errands.vulnerable.refused", roles=roles))]
    try:
        action = plain_word(VULNERABLE.read(ctx).action)
        if action in ADD_WORDS:
            return await _add(ctx)
        if action in REMOVE_WORDS:
            return await _remove(ctx)
        if action:
            raise VULNERABLE.error(ctx, "errands.vulnerable.unknown_action", word=excerpt(action))
    except ArgumentError as wrong:
        return [ctx.reply(wrong.text)]
    return [ctx.reply(await _listing(ctx))]


async def _add(ctx: Context) -> list[Action]:
    _ = ctx._
    words = (ctx.command.args if ctx.command else "").split()
    home = home_typed(ctx, words[1]) if len(words) > 1 else None
    used = BY_HOME if home is not None else BY_PERSON
    args = used.read(ctx)
    if home is None:
        person = people.current_by_id(ctx, args.person.id)
        if person is None:
            raise used.error(ctx, "errands.vulnerable.unknown")
        home = await household(ctx, person.id)
        if home is None:
            name = excerpt(person.name or person.id, 40)
            raise used.error(ctx, "errands.vulnerable.no_household", name=name)
    kind = category(ctx, args.category, used)
    where = building_name(ctx.community, home.building, _)
    if not staff.keeps(ctx, home.building):
        return [ctx.reply(_("errands.vulnerable.not_yours", building=where))]
    found = await entry_at(home)
    if found is not None:
        return [
            ctx.reply(
                _(
                    "errands.vulnerable.already",
                    number=found.number,
                    building=where,
                    room=excerpt(home.room, 20),
                )
            )
        ]
    number = await ctx.number("errands_vulnerable")
    ctx.writes.add(
        Vulnerable(
            number=number,
            person=stored_person(home.person) if home.person else "",
            building=home.building,
            room=home.room,
            category=kind,
            note=excerpt(" ".join(str(args.note).split()), NOTE_LENGTH),
            added_by=stored_person(ctx.person.id),
            at=ctx.now(),
        )
    )
    ctx.audit("create", f"vulnerable:{number}")
    text = _(
        "errands.vulnerable.added",
        number=number,
        building=where,
        room=excerpt(home.room, 20),
        category=category_name(_, kind),
    )
    return [ctx.reply(text)]


async def _remove(ctx: Context) -> list[Action]:
    _ = ctx._
    typed = REMOVE.read(ctx).number.lstrip("#＃")
    row = (
        await Vulnerable.get_or_none(number=int(typed))
        if typed.isdecimal() and len(typed) < 9
        else None
    )
    if row is None:
        raise REMOVE.error(ctx, "errands.vulnerable.no_such", number=excerpt(typed, 12))
    where = building_name(ctx.community, row.building, _)
    if not staff.keeps(ctx, row.building):
        return [ctx.reply(_("errands.vulnerable.not_yours", building=where))]
    ctx.writes.delete(row)
    ctx.audit("delete", f"vulnerable:{row.number}")
    return [ctx.reply(_("errands.vulnerable.removed", number=row.number, building=where))]


async def _listing(ctx: Context) -> str:
    """The entries of the buildings the sender keeps, per building, in the file's order."""
    _ = ctx._
    roles = ctx.settings(ErrandSettings).registry
    buildings = staff.kept(ctx.community, ctx.person, roles, ctx.now())
    rows = [
        r
        for r in await Vulnerable.all().order_by("number")
        if buildings is None or r.building in buildings
    ]
    ctx.audit("read", "vulnerable:list", f"{len(rows)} entries")
    if not rows:
        return _("errands.vulnerable.none")
    order = {b.id: n for n, b in enumerate(ctx.community.buildings)}
    lines = [_("errands.vulnerable.heading", count=len(rows))]
    for building in sorted({r.building for r in rows}, key=lambda b: (order.get(b, len(order)), b)):
        lines.append(
            _(
                "errands.vulnerable.building",
                building=building_name(ctx.community, building, _),
            )
        )
        for row in (r for r in rows if r.building == building):
            name = people.name_of(ctx, row.person, unknown="") if row.person else ""
            lines.append(
                _(
                    "errands.vulnerable.line",
                    number=row.number,
                    room=excerpt(row.room, 20) or "—",
                    name=excerpt(name, 40) or "—",
                    category=category_name(_, row.category),
                    note=excerpt(row.note, 60) if row.note else "—",
                )
            )
    return "\n".join(lines)
