"""What core expects of an adapter (one per chat network)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .actions import Action

if TYPE_CHECKING:
    from .bot import Bot


class ActionFailed(Exception):
    """The network refused an action (no power, unknown chat…); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Adapter(Protocol):
    """Translates one chat network to and from core's events and actions.

    ``capabilities`` lists the action types the network can perform; core
    answers with a clear message instead of sending the others.  When
    ``chats_named_by_group`` is true, a chat whose id is a group id belongs to
    that group without any binding (the console).
    """

    network: str
    capabilities: frozenset[type[Action]]
    chats_named_by_group: bool

    async def run(self, bot: Bot) -> None:
        """Receive events and give each to ``bot.submit``; return when the input ends."""

    async def perform(self, action: Action) -> None:
        """Carry out one action; raise :class:`ActionFailed` when the network refuses."""
