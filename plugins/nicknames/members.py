"""The members seen in each group and their display name there, kept in memory and stored.

Only a change is written (a new member, a new name, a member gone), with the event's
checkpoint; the memory follows once it is kept, so the check of a message reads no database.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core.context import Context
from sanshe.core.model import Group
from sanshe.core.storage.models import stored_person

from .models import SeenMember


class Members:
    """Per group id, per person id: the display name each member was last seen with there."""

    def __init__(self) -> None:
        self._groups: dict[str, dict[str, str]] = {}

    def clear(self) -> None:
        """Forget everyone (before loading)."""
        self._groups.clear()

    def name(self, group_id: str, person_id: str) -> str | None:
        """The name ``person_id`` was last seen with in ``group_id`` (None: not seen there)."""
        return self._groups.get(group_id, {}).get(person_id)

    def keep(self, group_id: str, person_id: str, name: str | None) -> None:
        """Note ``person_id``'s name in ``group_id`` (None: no longer a member)."""
        members = self._groups.setdefault(group_id, {})
        if name is None:
            members.pop(person_id, None)
        else:
            members[person_id] = name

    def of(self, group_id: str) -> dict[str, str]:
        """The members seen in ``group_id``: person id -> name."""
        return dict(self._groups.get(group_id, {}))

    def forget(self, person_id: str) -> None:
        """Forget ``person_id`` in every group (their data was erased)."""
        for members in self._groups.values():
            members.pop(person_id, None)


MEMBERS = Members()


async def load(named: Iterable[str]) -> None:
    """Fill :data:`MEMBERS` from storage; an id too long for the person column comes back as one
    of ``named`` (the community file's people: stored people's ids are short)."""
    ids = {stored_person(person): person for person in named}
    MEMBERS.clear()
    for row in await SeenMember.all():
        MEMBERS.keep(row.group_id, ids.get(row.person, row.person), row.name)


def note(ctx: Context, group: Group, name: str | None) -> None:
    """Keep, with the event, the sender's display name in ``group`` (None: they left it)."""
    person_id = ctx.person.id
    if MEMBERS.name(group.id, person_id) == name:
        return
    key, group_id = stored_person(person_id), group.id
    if name is None:
        ctx.writes.execute(_FORGET, [group_id, key])
    else:
        sealed = SeenMember._meta.fields_map["name"].to_db_value(name, SeenMember)
        ctx.writes.execute(_KEEP, [group_id, key, sealed])
    ctx.writes.after(lambda: MEMBERS.keep(group_id, person_id, name))


#: A member seen with a name: one statement, however many members each checkpoint's events saw.
_KEEP = (
    'INSERT INTO "nicknames_member" ("group_id", "person", "name") VALUES (?, ?, ?) '
    'ON CONFLICT ("group_id", "person") DO UPDATE SET "name" = excluded."name"'
)
#: A member gone.
_FORGET = 'DELETE FROM "nicknames_member" WHERE "group_id" = ? AND "person" = ?'
