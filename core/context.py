"""What a plugin sees while handling one event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .actions import Action, Button, DirectMessage, Reply, Send
from .buttons import ButtonPress, read_press
from .events import Callback, Command, Event, Message
from .i18n import Translator
from .model import Community, Group, Person

if TYPE_CHECKING:
    from .bot import Bot
    from .rules import Fired


def roles_in(
    community: Community, person: Person, group: Group | None, *, member: bool = True
) -> frozenset[str]:
    """The roles ``person`` has in ``group``; outside any group, their community-wide roles only.

    Scoped roles count only in their groups.  Whoever has no role in a group
    has the member role of its kind (resident, client), unless ``member`` is
    False: a group named from elsewhere, where being in its chat proves
    nothing.  Holders of a role that administers the group are its ``group_admin``.
    """
    roles = {g.role for g in person.roles if g.covers(group.id if group else None)}
    if group is not None:
        member_role = community.member_role(group.kind)
        if member and member_role and not roles:
            roles.add(member_role)
        if roles.intersection(group.administered_by):
            roles.add("group_admin")
    return frozenset(roles)


class Context:
    """One event, with the community, group, person and roles it concerns.

    ``group`` is the chat's group, or for a command that names another group,
    that group (see :meth:`about`).  ``_`` translates catalogue keys into the
    person's language.  ``fired`` is set while a service rule's actions run.
    """

    __slots__ = ("bot", "event", "group", "person", "roles", "_", "command", "fired")

    def __init__(
        self,
        bot: Bot,
        event: Event,
        group: Group | None,
        person: Person,
        command: Command | None = None,
        roles: frozenset[str] | None = None,
    ) -> None:
        self.bot = bot
        self.event = event
        self.group = group
        self.person = person
        self.command = command
        self.roles = roles_in(bot.community, person, group) if roles is None else roles
        self._: Translator = bot.translator(person, event)
        self.fired: Fired | None = None

    def about(self, group: Group | None) -> Context:
        """This event as it concerns ``group`` named from elsewhere (None: the whole community).

        Only the roles the person holds there count: no member role, since
        naming a group does not make one its member.
        """
        roles = roles_in(self.community, self.person, group, member=False)
        return Context(self.bot, self.event, group, self.person, self.command, roles)

    @property
    def community(self) -> Community:
        """The community being served."""
        return self.bot.community

    @property
    def text(self) -> str:
        """The message text ('' for other events)."""
        return self.event.text if isinstance(self.event, Message) else ""

    @property
    def press(self) -> ButtonPress | None:
        """The button pressed, for a button event (None for other events)."""
        event = self.event
        if not isinstance(event, Callback):
            return None
        return read_press(event.data, event.message_id, event.callback_id)

    @property
    def person_key(self) -> str:
        """A stable key for the sender: the person id, or ``network:handle`` for unknown people."""
        return self.person.id

    def has_role(self, roles: Iterable[str]) -> bool:
        """Whether the sender holds any of ``roles`` here."""
        return not self.roles.isdisjoint(roles)

    def reply(self, text: str, buttons: tuple[Button, ...] = ()) -> Action:
        """Answer the event where it happened: a reply to a message, else a post in the chat."""
        event = self.event
        if isinstance(event, Message) and event.message_id:
            return Reply(chat=event.chat, to=event.message_id, text=text, buttons=buttons)
        return Send(chat=event.chat, text=text, buttons=buttons)

    def direct(
        self, text: str, user: str | None = None, buttons: tuple[Button, ...] = ()
    ) -> Action:
        """Write privately to the sender (or to ``user``, a handle on this network)."""
        fallback = None if self.event.direct else self.event.chat
        return DirectMessage(
            user=user or self.event.sender, text=text, buttons=buttons, fallback_chat=fallback
        )

    def handle_of(self, person: Person) -> str | None:
        """``person``'s id on this event's network, if known."""
        return person.handles.get(self.event.network)

    def chat_of(self, group_id: str) -> str | None:
        """The chat of ``group_id`` on this event's network, if it has one."""
        return self.bot.directory.chat_of(self.event.network, group_id)

    def admins(self, group: Group) -> list[Person]:
        """The known people who administer ``group``."""
        return [
            p for p in self.community.people if "group_admin" in roles_in(self.community, p, group)
        ]
