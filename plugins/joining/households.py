"""The households of the resident groups: kept in memory (loaded at start), and ``/households``.

One member per household (DOMAIN.md): an approved resident stands for their building's
room, owner-occupied (自住) or rented (租住).  Building leaders, grid workers and the
community's admins read each building's list privately: every room the file lists with
who stands for it, and the rooms with nobody in the group yet.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Word, group_named, listing
from sanshe.core.context import Context
from sanshe.core.model import Community, Group
from sanshe.core.privacy import excerpt

from .models import Household
from .questions import building_name, is_resident_group, tenure_name


@dataclass(frozen=True, slots=True)
class Home:
    """One member of a resident group and the household they stand for."""

    group: str
    building: str
    room: str
    tenure: str
    person: str
    household: str
    joined_at: datetime

    def hook_answer(self) -> dict[str, str]:
        """What the ``joining_household`` hook answers for it."""
        return {
            "building": self.building,
            "room": self.room,
            "tenure": self.tenure,
            "household": self.household,
        }


class Households:
    """Every home registered, in the order they joined (what the hook and the list read)."""

    def __init__(self) -> None:
        self._homes: list[Home] = []
        self._latest: dict[str, Home] = {}
        """The latest home of each person: what :meth:`of` reads at every check-in."""

    def _index(self) -> None:
        self._latest = {h.person: h for h in self._homes}

    def clear(self) -> None:
        """Forget them all (the bot stopped)."""
        self._homes = []
        self._latest = {}

    async def load(self) -> None:
        """Read them from the table."""
        rows = await Household.all().order_by("id")
        self._homes = [
            Home(r.group_id, r.building, r.room, r.tenure, r.person, r.household, r.joined_at)
            for r in rows
        ]
        self._index()

    def keep(self, home: Home) -> None:
        """Remember a home just stored."""
        self._homes.append(home)
        self._latest[home.person] = home

    def drop(self, group: str, person: str) -> None:
        """Forget ``person``'s home in ``group`` (they left it)."""
        self._homes = [h for h in self._homes if not (h.group == group and h.person == person)]
        self._index()

    def forget(self, *person: str) -> None:
        """Forget every home the person stands for (they were erased), named by any of ``person``
        (their id, or the stored key of a long one)."""
        self._homes = [h for h in self._homes if h.person not in person]
        self._index()

    def of(self, person: str) -> Home | None:
        """The latest home ``person`` stands for, if any."""
        return self._latest.get(person)

    def in_room(self, building: str, room: str) -> list[Home]:
        """Who stands for ``room`` of ``building`` (in any of its groups)."""
        return [h for h in self._homes if h.building == building and h.room == room]

    def in_building(self, building: str) -> list[Home]:
        """Who stands for a room of ``building``."""
        return [h for h in self._homes if h.building == building]

    def member(self, group: str, person: str) -> bool:
        """Whether ``person`` stands for a home in ``group``."""
        return any(h.group == group and h.person == person for h in self._homes)


HOUSEHOLDS = Households()


def register(ctx: Context, group: Group, person: str, answers: dict[str, Any]) -> Home:
    """Store that ``person`` stands for the household ``answers`` give in ``group``, with the
    event's writes (remembered once they are made)."""
    home = Home(
        group=group.id,
        building=str(answers.get("building") or group.building or ""),
        room=str(answers.get("room", "")),
        tenure=str(answers.get("tenure", "")),
        person=person,
        household=str(answers.get("household", "")),
        joined_at=ctx.now(),
    )
    ctx.writes.add(
        Household(
            group_id=home.group,
            building=home.building,
            room=home.room,
            tenure=home.tenure,
            person=home.person,
            household=home.household,
            joined_at=home.joined_at,
        )
    )
    ctx.writes.after(lambda: HOUSEHOLDS.keep(home))
    return home


def left(ctx: Context, group: Group) -> None:
    """The sender left ``group``: their household there is no longer in it."""
    person = ctx.person.id
    if not HOUSEHOLDS.member(group.id, person):
        return
    ctx.writes.run(
        lambda db: Household.filter(group_id=group.id, person=person).using_db(db).delete()
    )
    ctx.writes.after(lambda: HOUSEHOLDS.drop(group.id, person))


# -- /households [building] ---------------------------------------------------------------

LIST = Arguments(building=Word(name="joining.name.building", optional=True))


def buildings(community: Community) -> list[str]:
    """The buildings known: those the file lists, then those of resident groups."""
    known = [b.id for b in community.buildings]
    for group in community.groups:
        if group.building and group.building not in known and is_resident_group(community, group):
            known.append(group.building)
    return known


def visible(ctx: Context) -> list[str]:
    """The buildings whose households the sender may read: every one for the community's
    admins, else those of the resident groups they administer."""
    community = ctx.community
    known = buildings(community)
    if not ctx.about(None).roles.isdisjoint(community.community.admins):
        return known
    mine = {
        g.building
        for g in community.groups
        if g.building and is_resident_group(community, g) and "group_admin" in ctx.about(g).roles
    }
    return [b for b in known if b in mine]


def _named(ctx: Context, word: str) -> str | None:
    """The building ``word`` names: its id or name (``1``, ``1号楼``), or a resident group of
    it (``building-1``)."""
    _ = ctx._
    plain = unicodedata.normalize("NFKC", word).strip().casefold()
    for building in buildings(ctx.community):
        names = {building.casefold(), building_name(_, ctx.community, building).casefold()}
        if plain in names or plain.removesuffix("号楼") == building.casefold():
            return building
    group = group_named(ctx.community, word)
    if group is not None and group.building and is_resident_group(ctx.community, group):
        return group.building
    return None


def may_list(ctx: Context) -> bool:
    """/help lists /households to who may read some building's households."""
    return bool(visible(ctx))


def _room_order(rooms: tuple[str, ...]) -> dict[str, int]:
    return {room: n for n, room in enumerate(rooms)}


def building_list(ctx: Context, building: str) -> str:
    """One building's households, room by room, and its rooms with nobody in the group yet."""
    _ = ctx._
    community = ctx.community
    name = building_name(_, community, building)
    listed = community.building(building)
    rooms = listed.room_list() if listed is not None else ()
    order = _room_order(rooms)
    homes = sorted(
        HOUSEHOLDS.in_building(building),
        key=lambda h: (order.get(h.room, len(order)), h.room, h.joined_at),
    )
    taken = {h.room for h in homes}
    lines = [_("joining.households.title", building=name, count=len(taken))]
    for home in homes:
        member = people.name_of(ctx, home.person, unknown=_("joining.households.gone"))
        lines.append(
            _(
                "joining.households.line",
                room=excerpt(home.room, 20),
                tenure=tenure_name(_, home.tenure) if home.tenure else "—",
                household=excerpt(home.household, 40) or "—",
                member=excerpt(member, 40),
            )
        )
    if not homes:
        lines.append(_("joining.households.nobody"))
    if rooms:
        empty = [r for r in rooms if r not in taken]
        if empty:
            shown = _.join(empty)
            lines.append(_("joining.households.empty", count=len(empty), rooms=shown))
        else:
            lines.append(_("joining.households.full"))
    else:
        lines.append(_("joining.households.no_rooms"))
    return "\n".join(lines)


async def households(ctx: Context) -> list[Action]:
    """``/households [building]``: each building's households and empty rooms, privately.

    Without a building: in a resident group its building, elsewhere every building the
    sender may read.
    """
    _ = ctx._
    word = LIST.read(ctx).building
    mine = visible(ctx)
    group = ctx.group
    if word is not None:
        found = _named(ctx, word)
        if found is None:
            known = listing(
                _, (building_name(_, ctx.community, b) for b in buildings(ctx.community))
            )
            raise LIST.error(ctx, "joining.unknown_building", word=excerpt(word), known=known)
        wanted = [found]
    elif group is not None and group.building and is_resident_group(ctx.community, group):
        wanted = [group.building]
    else:
        wanted = mine
    if not wanted or any(b not in mine for b in wanted):
        return [ctx.reply(_("joining.households.refused"))]
    text = "\n\n".join(building_list(ctx, b) for b in wanted)
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(_("joining.households.sent_private")), ctx.direct(text)]
