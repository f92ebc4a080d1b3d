"""Who is who and which chat is which group: the community's people (the file's and those
stored, see :mod:`.people`) and chats by handle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Community, Group, Person

if TYPE_CHECKING:
    from .people import People


class Directory:
    """Who is who and which chat is which group, on every network."""

    def __init__(
        self,
        community: Community,
        named_by_group: frozenset[str],
        bindings: dict[tuple[str, str], str],
        people: People | None = None,
    ) -> None:
        self.community = community
        self._named_by_group = named_by_group
        known = people.merged(community) if people is not None else community.people
        self._people = {
            (network, handle): person
            for person in known
            for network, handle in person.handles.items()
        }
        self._strangers: dict[tuple[str, str], Person] = {}
        self._groups = {group.id: group for group in community.groups}
        self.bound = dict(bindings)
        """The chats bound with ``/bind`` (kept across reloads; the YAML's may change)."""
        self._chats: dict[tuple[str, str], str] = {}
        for group in community.groups:
            for network, chat in group.chats.items():
                self._chats[(network, chat)] = group.id
        self._chats.update(bindings)

    def person(self, network: str, handle: str, name: str = "") -> Person:
        """The known person with this handle, or an unknown person with no privileges."""
        found = self.seen(network, handle)
        if found is None:
            if len(self._strangers) > 10_000:
                self._strangers.clear()
            found = self._strangers[(network, handle)] = Person.model_construct(
                id=f"{network}:{handle}",
                name=name,
                locale=None,
                handles={network: handle},
                roles=(),
                known=False,
            )
        return found

    def seen(self, network: str, handle: str) -> Person | None:
        """The known person with this handle, or an unknown one who has written lately; else None."""
        key = (network, handle)
        return self._people.get(key) or self._strangers.get(key)

    def know(self, person: Person) -> None:
        """Know ``person`` by their handles from now on (stored, or their roles changed)."""
        for network, handle in person.handles.items():
            self._strangers.pop((network, handle), None)
            self._people[(network, handle)] = person

    def group(self, network: str, chat: str) -> Group | None:
        """The group a chat belongs to, if any."""
        group_id = self._chats.get((network, chat))
        if group_id is None and network in self._named_by_group:
            group_id = chat
        return self._groups.get(group_id) if group_id else None

    def chat_of(self, network: str, group_id: str) -> str | None:
        """The chat of a group on a network, if it has one (the latest binding first)."""
        for (net, chat), gid in [*reversed(self.bound.items()), *self._chats.items()]:
            if net == network and gid == group_id:
                return chat
        if network in self._named_by_group and self.community.group(group_id):
            return group_id
        return None

    def bind(self, network: str, chat: str, group_id: str) -> None:
        """Remember a ``/bind`` (the latest binding of a group is its chat)."""
        self.bound.pop((network, chat), None)
        self.bound[(network, chat)] = group_id
        self._chats[(network, chat)] = group_id
