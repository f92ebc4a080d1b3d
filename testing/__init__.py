"""A test kit for plugin authors: a community, people typing in groups, the actions that come back.

::

    from sanshe.testing import Sandbox

    async def test_help_lists_bind_for_social_workers():
        async with Sandbox() as community:  # the example community shipped with sanshe
            texts = community.texts(await community.send("wang", "building-1", "/help"))
            assert "/bind" in texts[0]

People are named by their console handle (unknown handles are unknown
residents); places are group ids, or ``"dm"`` for a private chat with the
bot.  Every wait has a timeout and says what it was waiting for.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sanshe.core.actions import ALL_ACTIONS, Action
from sanshe.core.bot import Bot, vocabulary
from sanshe.core.cli import shipped_example
from sanshe.core.config import CommunityFile
from sanshe.core.events import Callback, Event, JoinRequest, MemberJoined, MemberLeft, Message
from sanshe.core.model import Community
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage

NETWORK = "console"
DIRECT = "dm"

__all__ = ["NETWORK", "RecordingAdapter", "Sandbox"]


class RecordingAdapter:
    """An in-memory adapter: performed actions are kept in :attr:`performed`."""

    network = NETWORK
    chats_named_by_group = True

    def __init__(self, capabilities: Iterable[type[Action]] = ALL_ACTIONS) -> None:
        self.capabilities = frozenset(capabilities)
        self.performed: list[Action] = []

    async def run(self, bot: Bot) -> None:
        """Events come from the test, not from a network."""

    async def perform(self, action: Action) -> None:
        """Keep the action."""
        self.performed.append(action)


class Sandbox:
    """A community loaded from YAML, run on a :class:`RecordingAdapter` and a real database.

    ``config`` is the community file; without it, the example community
    shipped with sanshe.  ``db_url`` defaults to an in-memory SQLite database; give a file URL to
    survive :meth:`restart`.  ``plugins`` registers extra plugin modules (the
    one you are writing) beside the installed ones, once even if it is installed too.
    """

    def __init__(
        self,
        config: str | Path | None = None,
        *,
        db_url: str = "sqlite://:memory:",
        plugins: Sequence[object] = (),
        capabilities: Iterable[type[Action]] = ALL_ACTIONS,
        timeout: float = 10.0,
    ) -> None:
        self.config = Path(config) if config is not None else shipped_example()
        self.db_url = db_url
        self.plugins = tuple(plugins)
        self.capabilities = tuple(capabilities)
        self.timeout = timeout
        self._ids = itertools.count(1)
        self.bot: Bot
        self.adapter: RecordingAdapter
        self.storage: Storage

    @property
    def community(self) -> Community:
        """The community as loaded."""
        return self.bot.community

    async def start(self) -> Sandbox:
        """Load the YAML (refusing it as ``sanshe check-config`` would), open storage, start the bot."""
        file = CommunityFile.read(self.config)
        pm = plugin_manager(file.disabled_plugins, extra=self.plugins)
        community = file.check(vocabulary(pm))
        self.storage = Storage(self.db_url)
        self.adapter = RecordingAdapter(self.capabilities)
        self.bot = Bot(community, self.adapter, self.storage, pm=pm, config_path=self.config)
        await self.storage.open()
        await self.bot.start()
        return self

    async def stop(self) -> None:
        """Stop the bot and close storage."""
        await self.bot.stop()
        await self.storage.close()

    async def restart(self) -> None:
        """Stop and start again on the same database (use a file database)."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _common(self, who: str, where: str) -> dict[str, Any]:
        direct = where == DIRECT
        number = next(self._ids)
        return {
            "network": NETWORK,
            "chat": f"{DIRECT}:{who}" if direct else where,
            "event_id": f"sandbox:{time.monotonic_ns()}:{number}",
            "sender": who,
            "direct": direct,
            "time": time.time(),
        }

    async def deliver(self, event: Event) -> list[Action]:
        """Hand ``event`` to the bot as an adapter would; return the actions performed for it."""
        before = len(self.adapter.performed)
        try:
            await asyncio.wait_for(self.bot.submit(event), self.timeout)
        except TimeoutError:
            raise AssertionError(
                f"no answer within {self.timeout}s while waiting for {type(event).__name__} "
                f"{event.event_id} from {event.sender} in {event.chat} to be handled"
            ) from None
        return self.adapter.performed[before:]

    async def send(
        self, who: str, where: str, text: str, *, language: str | None = None
    ) -> list[Action]:
        """``who`` writes ``text`` in group ``where`` (or ``"dm"``); return the bot's actions."""
        common = self._common(who, where)
        message_id = common["event_id"].rsplit(":", 1)[1]
        return await self.deliver(
            Message(text=text, message_id=message_id, language=language, **common)
        )

    async def ask_to_join(self, who: str, where: str, note: str = "") -> list[Action]:
        """``who`` asks to join group ``where``."""
        return await self.deliver(JoinRequest(note=note, **self._common(who, where)))

    async def join(self, who: str, where: str) -> list[Action]:
        """``who`` is now a member of ``where``."""
        return await self.deliver(MemberJoined(**self._common(who, where)))

    async def leave(self, who: str, where: str) -> list[Action]:
        """``who`` left ``where``."""
        return await self.deliver(MemberLeft(**self._common(who, where)))

    async def press(self, who: str, where: str, data: str) -> list[Action]:
        """``who`` pressed a button carrying ``data``."""
        return await self.deliver(Callback(data=data, **self._common(who, where)))

    @staticmethod
    def texts(actions: Iterable[Action]) -> list[str]:
        """The texts of the actions that carry one, in order."""
        return [text for a in actions if (text := getattr(a, "text", None)) is not None]
