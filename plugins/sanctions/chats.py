"""Where a sanction reaches a person: a group's chat on each network they have a handle on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sanshe.core import people
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.model import Group, Person
from sanshe.core.privacy import excerpt

#: The plugin's name: its timers, its dry run, its settings.
PLUGIN = "sanctions"


def places(ctx: Context, group: Group, handles: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(network, chat, handle)`` for each chat of ``group`` on a network where the person
    has one of ``handles``."""
    found = []
    for place in ctx.in_chats_of(group):
        network = place.event.network
        handle = handles.get(network)
        if handle:
            found.append((network, place.event.chat, handle))
    return found


def digest(person_id: str) -> str:
    """A short fixed-length name for a person in timer keys (ids may be long)."""
    data = person_id.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def person_of(ctx: Context, person_id: str, handles: Mapping[str, str]) -> Person:
    """The person ``person_id`` as known now, else someone unknown with ``handles``."""
    return people.current_by_id(ctx, person_id) or Person(
        id=person_id, handles=dict(handles), known=False
    )


def shown_name(person: Person) -> str:
    """How a sanctioned person is named to others: their name, else a handle, as an excerpt."""
    return excerpt(person.name or next(iter(person.handles.values()), "") or person.id)


def community_words(ctx: Context) -> Translator:
    """Texts in the community's language (the moderation log's, a rule's reasons)."""
    return ctx.translator(Person(id=PLUGIN, known=False))


def network_reason(ctx: Context) -> str:
    """What a sanction's network actions give as their reason, in the community's language: a
    fixed text, since networks may show it to others (Matrix does, in the room and the public
    policy room); the reason given stays in the record, the log and the person's note."""
    return community_words(ctx)("sanctions.network_reason")


def reason_shown(_: Translator, reason: str) -> str:
    """A reason as texts give it: as written, or that none was given."""
    return reason or _("sanctions.no_reason")


def community_admin(ctx: Context, person: Person) -> bool:
    """Whether ``person`` holds now, community-wide, a role of ``community.admins``."""
    admins, now = set(ctx.community.community.admins), ctx.now()
    return any(g.role in admins and g.groups is None and g.counts_at(now) for g in person.roles)
