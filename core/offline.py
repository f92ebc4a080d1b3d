"""An adapter that reaches no network: it keeps every action it is given.

For runs that must touch nobody, such as ``sanshe rules test``; the test kit's
recording adapter (:mod:`sanshe.testing`) builds on it.  Its network is the
console's, so that the community file's ``console:`` handles name people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .actions import ALL_ACTIONS, Action
from .adapter import Adapter
from .events import Event
from .members import ChatMembers

if TYPE_CHECKING:
    from .bot import Bot

#: The console's network (its handles in the community file are ``console:``).
CONSOLE = "console"


class OfflineAdapter(Adapter):
    """Performs every action by keeping it in :attr:`performed`; events come from its caller,
    who shows it each (:meth:`saw`) so that it knows who is in which chat (:attr:`members`)."""

    network = CONSOLE
    chats_named_by_group = True

    def __init__(self) -> None:
        self.performed: list[Action] = []
        self.members = ChatMembers()

    async def run(self, bot: Bot) -> None:
        """Events come from the caller, not from a network."""

    def saw(self, event: Event) -> None:
        """The caller hands ``event`` to the bot: note who it shows in its chat."""
        self.members.saw(event)

    async def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` is in ``chat``, from the events and actions seen (see :mod:`.members`)."""
        return self.members.is_member(chat, user)

    async def perform(self, action: Action) -> None:
        """Keep the action."""
        self.performed.append(action)
        self.members.performed(action)


# It performs every action without a method for each (its capabilities are declared).
OfflineAdapter.capabilities = ALL_ACTIONS
