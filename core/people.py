"""People and roles at runtime: people who became known in chat, roles granted and revoked.

The community file names staff and volunteers known in advance; the people
registry adds those who became known in chat (a resident let into a building
group, a volunteer who registered, a client taken in), each with a handle per
network and a language, and the roles granted since (``/grant``, or a plugin
on approval): role, groups or community-wide, by whom, why, from when and
until when.  Both are loaded at start and merged into the
:class:`~sanshe.core.directory.Directory`: a person of the file given a role
at runtime holds it beside those of the file.  A grant counts from its start
until its ``until`` by the bot's clock, or until revoked.

Changes are staged on the event's writes (made with its checkpoint) and each
is noted in the audit log; memory follows once they are committed.  Who may
grant what: a role one holds, where one holds it, or a role the file's
``grants:`` lets one of one's roles grant, there (:func:`refusal`).

Plugins may also compute roles from what is happening (``on_shift``):
``sanshe_computed_roles`` declares their names, ``sanshe_roles_now`` says who
holds them, asked at most once per event and group (:func:`computed`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from .audit import person_subject
from .model import Community, Group, Person, RuntimeGrant
from .plugins import call_hook
from .storage import audit as audit_log
from .storage.models import (
    FormSession,
    PersonHandle,
    Record,
    RoleGrant,
    StoredPerson,
    stored_person,
)
from .storage.writes import Statement

if TYPE_CHECKING:
    from .context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ComputedRole:
    """A role a plugin computes (``sanshe_computed_roles``): its name, the catalogue key of
    what people read for it, and, if the plugin can tell, a quick test of whether the person
    with an id may hold it at all (the shifts plugin: who has claimed a shift).  When no
    computed role's test passes for the sender, ``sanshe_roles_now`` is not asked."""

    name: str
    title: str
    candidate: Callable[[str], bool] | None = None


class People:
    """The people and the role grants kept in storage: those loaded at start and changed since."""

    def __init__(self, persons: Iterable[Person] = (), grants: Iterable[RuntimeGrant] = ()) -> None:
        self._persons = {p.id: p for p in persons}
        self._grants = {g.id: g for g in grants}

    @classmethod
    async def load(cls, now: datetime) -> People:
        """The stored people with their handles, and the grants neither revoked nor ended at ``now``."""
        handles: dict[str, dict[str, str]] = {}
        for handle in await PersonHandle.all():
            handles.setdefault(handle.person_id, {})[handle.network] = handle.handle
        persons = [
            Person.model_validate(
                {"id": p.id, "name": p.name, "locale": p.locale, "handles": handles.get(p.id, {})}
            )
            for p in await StoredPerson.all()
        ]
        grants = [_runtime(row) for row in await RoleGrant.filter(revoked_at=None)]
        return cls(persons, (g for g in grants if g.until is None or now < g.until))

    def grants_of(self, person_id: str) -> list[RuntimeGrant]:
        """The grants of ``person_id`` not revoked (some may have ended or not begun)."""
        return [g for g in self._grants.values() if g.person_id == person_id]

    def merged(self, community: Community) -> list[Person]:
        """Everyone known: the file's people with their runtime grants added, then the stored people."""
        theirs: dict[str, list[RuntimeGrant]] = {}
        for grant in self._grants.values():
            theirs.setdefault(grant.person_id, []).append(grant)
        known = (*community.people, *self._persons.values())
        return [_granted(p, theirs.get(p.id, ())) for p in known]

    def person(self, community: Community, person_id: str) -> Person | None:
        """The known person ``person_id`` (of the file or stored), with their runtime grants."""
        found = community.person(person_id) or self._persons.get(person_id)
        return self.with_grants(found) if found is not None else None

    def with_grants(self, person: Person) -> Person:
        """``person`` holding their runtime grants too."""
        return _granted(person, self.grants_of(person.id))

    def keep_person(self, person: Person) -> None:
        """Remember a person just stored."""
        self._persons[person.id] = person

    def keep_grant(self, grant: RuntimeGrant) -> None:
        """Remember a grant just stored."""
        self._grants[grant.id] = grant

    def drop_grant(self, grant_id: int) -> None:
        """Forget a grant just revoked."""
        self._grants.pop(grant_id, None)


def _granted(person: Person, grants: Iterable[RuntimeGrant]) -> Person:
    """``person`` holding ``grants`` (their runtime grants) beside the roles of the file."""
    grants = tuple(grants)
    if not grants:
        return person
    kept = tuple(g for g in person.roles if not isinstance(g, RuntimeGrant))
    return person.model_copy(update={"roles": kept + grants})


def _aware(when: datetime) -> datetime:
    """``when`` in UTC (the database may give it back without its time zone, meaning UTC)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _runtime(row: RoleGrant) -> RuntimeGrant:
    return RuntimeGrant(
        id=row.id,
        person_id=row.person_id,
        role=row.role,
        groups=tuple(row.groups) if row.groups is not None else None,
        granted_by=row.granted_by,
        reason=row.reason,
        starts_at=_aware(row.starts_at),
        until=_aware(row.until) if row.until is not None else None,
    )


# -- changes, staged on an event's writes ------------------------------------------------


def holds_anywhere(ctx: Context, roles: Iterable[str]) -> bool:
    """Whether the sender holds one of ``roles`` now, in some group or community-wide (what
    /help asks of a command it lists to them only)."""
    now, wanted = ctx.now(), set(roles)
    return any(g.role in wanted and g.counts_at(now) for g in ctx.person.roles)


def holds_community_wide_or_in(ctx: Context, role: str, kinds: Iterable[str]) -> bool:
    """Whether the sender holds ``role`` now community-wide or in a group of one of ``kinds``,
    wherever they write from (a social worker of the whole community or of the volunteer pool)."""
    if role in ctx.about(None).roles:
        return True
    wanted = set(kinds)
    return any(role in ctx.about(g).roles for g in ctx.community.groups if g.kind in wanted)


def add_person(
    ctx: Context,
    *,
    name: str,
    handles: Mapping[str, str | int],
    locale: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Person:
    """Store a person who became known in chat; known to the directory once the event is stored.

    ``details`` is what a rule, form or case needs about them (building, room,
    household), nothing more.  What was kept under their handle is theirs from
    then on; when they are the sender, ``ctx.person`` becomes them.  Raises
    ValueError for a handle a known person has already, or a locale other than
    ``zh_CN``/``en`` (a plugin's mistake).
    """
    bot = ctx._bot
    person = Person.model_validate(
        {"id": f"p-{secrets.token_hex(6)}", "name": name, "locale": locale, "handles": handles}
    )
    for network, handle in person.handles.items():
        taken = bot.directory.seen(network, handle)
        if taken is not None and taken.known:
            raise ValueError(f"the {network} handle is {taken.id}'s already")
    ctx.writes.add(
        StoredPerson(
            id=person.id,
            name=name,
            locale=person.locale,
            details=dict(details or {}),
            added_by=ctx.person.id,
        )
    )
    for network, handle in person.handles.items():
        ctx.writes.add(PersonHandle(person_id=person.id, network=network, handle=handle))
        ctx.writes.run(_theirs_now(f"{network}:{handle}", person.id))
    if not ctx.person.known and ctx.person.handles.items() <= person.handles.items():
        ctx.person = person  # the sender, stored: the rest of the event is theirs

    def known() -> None:
        bot.people.keep_person(person)
        bot.directory.know(person)

    ctx.writes.after(known)
    ctx.audit("create", person_subject(person.id))
    return person


def _theirs_now(handle_key: str, person_id: str) -> Statement:
    """What was kept under a stranger's ``network:handle`` key becomes the stored person's: their
    records, open dialog and audit link (export, erasure and the dialog find them)."""
    old, new = stored_person(handle_key), stored_person(person_id)

    async def rekey(db: BaseDBAsyncClient) -> None:
        await Record.filter(person=old).using_db(db).update(person=new)
        await FormSession.filter(person=old).using_db(db).update(person=new)
        await audit_log.relink(db, handle_key, person_id)

    return rekey


def grant(
    ctx: Context,
    person: Person,
    role: str,
    groups: Iterable[str] | None = None,
    *,
    until: datetime | None = None,
    reason: str = "",
) -> Person:
    """Give ``person`` ``role`` in ``groups`` (None: community-wide) from now, until ``until``.

    No check of who may: the caller decides (the ``/grant`` command asks
    :func:`refusal`; a plugin granting on approval knows).  Someone unknown is
    stored first (by their name, else their handle, and their handle here).  Returns the person granted,
    as stored.
    """
    bot = ctx._bot
    if not person.known:
        name = person.name or next(iter(person.handles.values()), "")
        person = add_person(ctx, name=name, handles=person.handles)
    scope = tuple(groups) if groups is not None else None
    now = ctx.now()
    row = RoleGrant(
        person_id=person.id,
        role=role,
        groups=list(scope) if scope is not None else None,
        granted_by=ctx.person.id,
        reason=reason[:255],
        starts_at=now,
        until=until,
    )
    ctx.writes.add(row)
    person_id = person.id

    def granted() -> None:
        bot.people.keep_grant(_runtime(row))
        _know_again(ctx, person_id)

    ctx.writes.after(granted)
    ctx.audit("grant", person_subject(person_id), detail=_detail(role, scope, until))
    return person


def revoke(ctx: Context, person: Person, role: str, group: Group | None) -> list[RuntimeGrant]:
    """End ``person``'s runtime grants of ``role`` that count in ``group`` (None: community-wide
    ones), now; the grants ended (none: nothing to revoke).

    A grant of several groups ends in all of them.  No check of who may (see
    :func:`grant`).
    """
    bot = ctx._bot
    now = ctx.now()
    ending = [
        g
        for g in bot.people.grants_of(person.id)
        if g.role == role
        and (g.groups is None if group is None else g.groups is not None and group.id in g.groups)
        and (g.until is None or now < g.until)
    ]
    revoker = ctx.person.id
    ids = [g.id for g in ending]
    if ids:
        ctx.writes.run(
            lambda db: (
                RoleGrant.filter(id__in=ids).using_db(db).update(revoked_at=now, revoked_by=revoker)
            )
        )
    for ended in ending:
        ctx.audit("revoke", person_subject(person.id), detail=_detail(role, ended.groups, None))

    def revoked() -> None:
        for ended in ending:
            bot.people.drop_grant(ended.id)
        _know_again(ctx, person.id)

    if ending:
        ctx.writes.after(revoked)
    return ending


def everyone(ctx: Context) -> list[Person]:
    """Everyone known now, each with their runtime grants: the file's people, then those who
    became known in chat (a resident let in, a volunteer registered, someone granted a role)."""
    bot = ctx._bot
    return bot.people.merged(bot.community)


def holding(ctx: Context, roles: Iterable[str], groups: Iterable[Group] | None) -> list[Person]:
    """Everyone known (:func:`everyone`) holding one of ``roles`` now in one of ``groups``, or
    with ``groups`` None, community-wide."""
    wanted, now = set(roles), ctx.now()
    places = None if groups is None else {g.id for g in groups}
    found = []
    for person in everyone(ctx):
        for grant in person.roles:
            if grant.role not in wanted or not grant.counts_at(now):
                continue
            if places is None:
                here = grant.groups is None
            else:
                here = grant.groups is not None and not places.isdisjoint(grant.groups)
            if here:
                found.append(person)
                break
    return found


def serving(ctx: Context, roles: Iterable[str], building: str) -> list[Person]:
    """Who serves ``building`` in one of ``roles``: those holding one in a resident group of
    it, else those holding one community-wide (who is told of a fever there, who keeps its
    observation files when their worker no longer does)."""
    wanted = tuple(roles)
    return holding(ctx, wanted, ctx.community.resident_groups(building)) or holding(
        ctx, wanted, None
    )


def current(ctx: Context, person: Person) -> Person:
    """``person`` as known now, with their runtime grants (someone unknown: as they are)."""
    return current_by_id(ctx, person.id) or person


def current_by_id(ctx: Context, person_id: str) -> Person | None:
    """The known person ``person_id`` (of the file or stored) with their runtime grants."""
    bot = ctx._bot
    return bot.people.person(bot.community, person_id)


def name_of(ctx: Context, person_id: str, unknown: str | None = None) -> str:
    """How the person ``person_id`` is named to others: their name, else their id; someone the
    community does not know (or no longer does), ``unknown`` if given, else ``person_id``."""
    found = current_by_id(ctx, person_id)
    if found is None:
        return person_id if unknown is None else unknown
    return found.name or found.id


def _know_again(ctx: Context, person_id: str) -> None:
    """Give the directory ``person_id`` as they are now (their grants changed)."""
    bot = ctx._bot
    merged = bot.people.person(bot.community, person_id)
    if merged is not None:
        bot.directory.know(merged)


def _detail(role: str, groups: tuple[str, ...] | None, until: datetime | None) -> str:
    """What an audit entry of a grant says besides the person: the role, where, until when."""
    where = "community" if groups is None else ",".join(groups)
    ends = f" until {until.astimezone(UTC).isoformat(timespec='minutes')}" if until else ""
    return f"{role} in {where}{ends}"[:255]


# -- who may grant what --------------------------------------------------------------------


def grantable(ctx: Context, group: Group | None) -> set[str]:
    """The roles the sender may grant in ``group`` (None: community-wide): those they hold
    there, and those the file's ``grants:`` lets one of these grant; computed roles never."""
    community = ctx.community
    held = ctx.about(group).roles
    given = set(held).union(*(community.grants.get(role, ()) for role in held))
    return given - set(community.computed_roles)


def grantable_anywhere(ctx: Context) -> set[str]:
    """The roles the sender may grant somewhere (none: they may grant nothing)."""
    groups = ctx.community.groups
    return grantable(ctx, None).union(*(grantable(ctx, g) for g in groups))


def refusal(ctx: Context, role: str, groups: Iterable[Group] | None) -> str | None:
    """Why the sender may not grant (or revoke) ``role`` in ``groups`` (None: community-wide),
    in their language; None when they may."""
    _ = ctx._
    places: list[Group | None] = [None] if groups is None else list(groups)
    if all(role in grantable(ctx, place) for place in places):
        return None
    where = [g for g in ctx.community.groups if role in grantable(ctx, g)]
    if where:
        return _(
            "people.refused_scope",
            role=ctx.role_name(role),
            groups=_.join(g.name for g in where[:20]),
        )
    mine = grantable_anywhere(ctx)
    if not mine:
        return _("people.refused_nothing", role=ctx.role_name(role))
    names = _.join(ctx.role_name(r) for r in sorted(mine))
    return _("people.refused_role", role=ctx.role_name(role), mine=names)


# -- computed roles --------------------------------------------------------------------------


def computed(ctx: Context, group: Group | None) -> frozenset[str]:
    """The computed roles the sender holds in ``group`` now: ``sanshe_roles_now``'s answers.

    Asked at most once per event and group: the answer is kept in the event's
    :attr:`Context.computed`.  Names no plugin declared are left out, logged.
    """
    hook = ctx._bot.pm.hook.sanshe_roles_now
    if not hook.get_hookimpls():  # no plugin computes roles: nothing to ask (most events)
        return frozenset()
    person = ctx.person.id
    if all(
        r.candidate is not None and not r.candidate(person) for r in ctx._bot.contributions.computed
    ):
        return frozenset()  # nobody's role to hold (a sender who claimed no shift)
    cache = ctx.computed
    key = group.id if group is not None else None
    if key in cache:
        return cache[key]
    found: set[str] = set()
    for answer in call_hook(hook, context=ctx, group=group):
        if answer is None:  # most events: not looking up the names declared (a private attribute)
            continue
        declared = ctx.community.computed_roles
        if not isinstance(answer, Iterable) or isinstance(answer, str):
            close = getattr(answer, "close", None)
            if close is not None:  # a coroutine: the hook must not await
                close()
            log.error("sanshe_roles_now answered %s, not role names", type(answer).__name__)
            continue
        for name in answer:
            if name in declared:
                found.add(name)
            else:
                log.error("sanshe_roles_now named %r, which no plugin declared", name)
    cache[key] = frozenset(found)
    return cache[key]
