"""The volunteer pool: the social workers who run it, a volunteer named in a command, and what
a volunteer still lacks before being dispatched."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core import people
from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Person, Reader, Words
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group
from sanshe.core.model import Person as PersonModel
from sanshe.core.storage.models import stored_person

from .models import Training, Volunteer
from .settings import TrainingItem, VolunteerSettings

SOCIAL_WORKER = "social_worker"
#: Where volunteers register and are reviewed: the volunteer general group.
POOL = ("volunteer_pool",)
#: Where the pipeline is run: the general group and the dispatch coordination group.
COORDINATION = ("volunteer_pool", "volunteer_dispatch")
#: The consultation groups volunteers are dispatched into.
CONSULTATION = ("focus_service", "key_accompaniment")


def groups_of(ctx: Context, kinds: Iterable[str]) -> list[Group]:
    """The community's groups of ``kinds``."""
    wanted = set(kinds)
    return [g for g in ctx.community.groups if g.kind in wanted]


def runs(ctx: Context, kinds: Iterable[str] = POOL) -> bool:
    """Whether the sender is a social worker community-wide or in a group of ``kinds``."""
    return people.holds_community_wide_or_in(ctx, SOCIAL_WORKER, kinds)


def staff_only(ctx: Context) -> str:
    """What one who does not run the pool is told: who may (see :func:`runs`)."""
    return ctx._("volunteers.staff_only", pool=ctx.kind_name("volunteer_pool"))


def social_workers(ctx: Context) -> list[PersonModel]:
    """The people who hold ``social_worker`` now (of the file, or granted it in chat),
    community-wide or in a volunteer pool group."""
    now = ctx.now()
    pools = {g.id for g in groups_of(ctx, POOL)}
    found = []
    for person in people.everyone(ctx):
        if any(
            g.role == SOCIAL_WORKER
            and g.counts_at(now)
            and (g.groups is None or not pools.isdisjoint(g.groups))
            for g in person.roles
        ):
            found.append(person)
    return found


def privately(ctx: Context, text: str) -> list[Action]:
    """``text`` for the sender alone: the answer in a private chat; from a group, privately,
    with a note in the group that says so."""
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.reply(ctx._("volunteers.sent_private")), ctx.direct(text)]


def local(ctx: Context, moment: datetime) -> str:
    """``moment`` as people read it: the community's time zone, to the minute."""
    zone = ZoneInfo(ctx.community.community.timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


class Named(Reader):
    """A volunteer: their number (``3``, ``#3``) as ``/volunteers`` lists it, or the person
    (``@handle``, a name…, as :class:`~sanshe.core.arguments.Person` reads them)."""

    name = "volunteers.name.volunteer"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = unicodedata.normalize("NFKC", words.peek()).removeprefix("#")
        if re.fullmatch("[0-9]{1,9}", word):
            words.take()
            return int(word)
        return Person().take(words, ctx)


async def find(named: int | PersonModel) -> Volunteer | None:
    """The volunteer a :class:`Named` reading names, if they registered."""
    if isinstance(named, int):
        return await Volunteer.get_or_none(id=named)
    return await Volunteer.filter(person=stored_person(named.id)).first()


async def registered_as(
    ctx: Context, arguments: Arguments, named: int | PersonModel
) -> tuple[Volunteer, PersonModel, str] | list[Action]:
    """The volunteer a command names, their person now and how staff call them; or what to
    answer instead (the command's usage when nobody registered as that, raised)."""
    found = await find(named)
    if found is None:
        raise arguments.error(ctx, "volunteers.unknown_volunteer")
    person = person_of(ctx, found)
    if person is None:
        return privately(ctx, ctx._("volunteers.not_in_registry", number=found.id))
    return found, person, name_of(ctx, found)


async def mine(ctx: Context) -> Volunteer | None:
    """The sender's registration, if any."""
    return await Volunteer.filter(person=stored_person(ctx.person.id)).first()


def person_of(ctx: Context, volunteer: Volunteer) -> PersonModel | None:
    """The registry's person of ``volunteer``, with their roles now (None: no longer known)."""
    return people.current_by_id(ctx, volunteer.person)


def name_of(ctx: Context, volunteer: Volunteer) -> str:
    """How a volunteer is named to staff: their name in the registry, else their number."""
    person = person_of(ctx, volunteer)
    return person.name if person is not None and person.name else f"#{volunteer.id}"


def status(_: Translator, volunteer: Volunteer) -> str:
    """A registration's state, with the class once approved, in the reader's language."""
    text = _(f"volunteers.status.{volunteer.status}")
    if volunteer.kind:
        text += _("volunteers.as_class", kind=_(f"volunteers.class.{volunteer.kind}"))
    return text


async def confirmed(volunteer: Volunteer) -> frozenset[str]:
    """The ids of the training items ``volunteer`` confirmed."""
    return frozenset(t.item for t in await Training.filter(volunteer=volunteer.id))


async def lacking(
    ctx: Context, volunteer: Volunteer
) -> tuple[list[tuple[int, TrainingItem]], bool]:
    """The training items ``volunteer`` has not confirmed (with their numbers), and whether the
    agreement is still unsigned."""
    done = await confirmed(volunteer)
    items = ctx.settings(VolunteerSettings).training
    return [(n, i) for n, i in enumerate(items, start=1) if i.id not in done], (
        volunteer.agreement_version is None
    )


def lacking_text(_: Translator, items: list[tuple[int, TrainingItem]], unsigned: bool) -> str:
    """What is still missing, in words: the training items by number and title, the agreement."""
    parts = []
    if items:
        named = _.join(f"{n}. {_.pick(i.title)}" for n, i in items)
        parts.append(_("volunteers.lacks_training", items=named))
    if unsigned:
        parts.append(_("volunteers.lacks_agreement"))
    return _("volunteers.clause_sep").join(parts)
