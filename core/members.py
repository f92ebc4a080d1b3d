"""Who is in a chat, for adapters whose network keeps no member list (the console, the test kit).

Such an adapter knows only what it saw: whoever wrote, joined, changed their name or
pressed a button in a chat is in it, until they leave it or the bot removes or bans them;
an approved join request lets the person in.  Of anyone else it cannot tell, unless the
chat's members were given (:meth:`ChatMembers.given`): then nobody else is in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .actions import Action, ApproveJoin, Ban, Remove
from .events import Callback, Event, MemberJoined, MemberLeft, MemberRenamed, Message


class ChatMembers:
    """The members of each chat, from the events and actions an adapter saw."""

    def __init__(self) -> None:
        self._in: defaultdict[str, set[str]] = defaultdict(set)
        self._out: defaultdict[str, set[str]] = defaultdict(set)
        self._given: set[str] = set()
        """Chats whose members were given: whoever is not in them is out."""

    def saw(self, event: Event) -> None:
        """Note who ``event`` shows to be in its chat, or to have left it."""
        if event.direct or not event.sender:
            return
        if isinstance(event, MemberLeft):
            self._leaves(event.chat, event.sender)
        elif isinstance(event, Message | MemberJoined | MemberRenamed | Callback):
            self._joins(event.chat, event.sender)

    def performed(self, action: Action) -> None:
        """Note a member the bot let in or took out."""
        if isinstance(action, ApproveJoin):
            self._joins(action.chat, action.user)
        elif isinstance(action, Remove | Ban):
            self._leaves(action.chat, action.user)

    def given(self, chat: str, users: Iterable[str]) -> None:
        """``chat``'s members are ``users``, and nobody else, from now on."""
        self._in[chat] = set(users)
        self._out[chat] -= self._in[chat]
        self._given.add(chat)

    def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` is in ``chat``: None when nothing said either (and its members
        were not given)."""
        if user in self._in.get(chat, ()):
            return True
        if user in self._out.get(chat, ()) or chat in self._given:
            return False
        return None

    def _joins(self, chat: str, user: str) -> None:
        self._in[chat].add(user)
        self._out[chat].discard(user)

    def _leaves(self, chat: str, user: str) -> None:
        self._in[chat].discard(user)
        self._out[chat].add(user)
