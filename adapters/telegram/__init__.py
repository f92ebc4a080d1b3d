"""The Telegram adapter: a community's groups and private chats on Telegram, via python-telegram-bot.

The adapter is assembled from one module per concern: :mod:`.intake` (updates in,
by long polling or webhook, turned into events by :mod:`.convert`), :mod:`.perform`
(actions out, through the rate-limited queue of :mod:`.outbound`),
:mod:`.formatting` (texts and buttons as the Bot API takes them), :mod:`.redact`
(the token kept out of the log) and :mod:`.connection` (the Bot API client they
share).  See ``README.md`` here for deploying a bot.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanshe.core.hookspecs import hookimpl

from . import menus
from .convert import NETWORK
from .intake import Intake
from .perform import Actions
from .redact import hide_token
from .settings import LOCALES, read_settings

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

__all__ = ["NETWORK", "TelegramAdapter"]


class TelegramAdapter(Actions, Intake):
    """Runs a community on Telegram (see the module docstring)."""

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> TelegramAdapter:
        """The adapter for the YAML's ``adapters.telegram`` section (exits with a sentence if wrong)."""
        parsed, token = read_settings(settings)
        return cls(parsed, token)

    async def prepare(self, bot: Bot) -> None:
        """Before core performs leftover actions: load our texts, reach Telegram, check the token."""
        self._bot = bot
        if not bot.pm.is_registered(self):  # for its texts (sanshe_catalogues) and menus
            bot.pm.register(self, name="telegram-adapter")
        hide_token(self._token)
        await self._connected()

    async def run(self, bot: Bot) -> None:
        """Receive updates until cancelled; then finish the events under way and disconnect."""
        if self._bot is not bot:
            await self.prepare(bot)
        api = await self._connected()
        if self.settings.menus:
            assert self._outbound is not None
            self._spawn(menus.register(bot, api, self._outbound))
        try:
            await self._receive_updates(bot, api)
        finally:
            await bot.dispatcher.drain()
            self._drop_retries()
            await self.close()
            if bot.pm.is_registered(self):
                bot.pm.unregister(self)

    async def close(self) -> None:
        """Stop the background work and disconnect (after a run, or a :meth:`prepare` without one)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._disconnect()

    @hookimpl
    def sanshe_catalogues(self) -> list[Path]:
        """The adapter's own texts (the invitation, asking to open a private chat…)."""
        return [LOCALES]

    @hookimpl
    def sanshe_community_changed(self) -> None:
        """People, roles or chats changed: send the command menus that differ now."""
        if not self.settings.menus:
            return
        if self._bot is not None and self._api is not None and self._outbound is not None:
            self._spawn(menus.register(self._bot, self._api, self._outbound))
