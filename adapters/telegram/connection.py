"""The connection to the Bot API, and what receiving updates and performing actions share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import telegram
from telegram.error import InvalidToken, NetworkError

from sanshe.core.adapter import Adapter, Backoff, CannotStart

from .convert import NETWORK, Json
from .outbound import MAX_BACKOFF, Outbound
from .settings import TOKEN_ENV, TelegramSettings, operator_text

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

log = logging.getLogger(__name__)

#: Seconds a getUpdates call may take beyond its long-polling timeout.
READ_TIMEOUT = 5.0


class BotApi(telegram.Bot):
    """python-telegram-bot's Bot, which can also fetch updates as decoded JSON (see convert.py)."""

    async def get_update_json(
        self, offset: int, limit: int, timeout: float, allowed_updates: tuple[str, ...]
    ) -> list[Json]:
        """getUpdates, answered without building python-telegram-bot objects."""
        data = {
            "offset": offset or None,
            "limit": limit,
            "timeout": round(timeout),
            "allowed_updates": list(allowed_updates),
        }
        updates: list[Json] = await self._post(
            "getUpdates", data, read_timeout=READ_TIMEOUT + timeout
        )
        return updates


class Connection(Adapter):
    """The Bot API client and outbound queue, background work, and the people seen in updates."""

    network = NETWORK

    def __init__(self, settings: TelegramSettings, token: str) -> None:
        self.settings = settings
        self._token = token
        self._api: BotApi | None = None
        self._outbound: Outbound | None = None
        self._connecting = asyncio.Lock()
        self._bot: Bot | None = None
        self._seen: dict[str, tuple[str, str | None]] = {}
        """Name and language of people seen in updates, for texts addressed to them."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._unanswered: set[str] = set()
        """Button presses (callback query ids) under way that no AnswerButton has answered yet."""

    async def _connected(self) -> BotApi:
        """The connected Bot API client (and outbound queue), connecting first if needed."""
        async with self._connecting:
            if self._api is None or self._outbound is None:
                api = BotApi(self._token, base_url=self.settings.base_url)
                backoff = Backoff(1.0, MAX_BACKOFF)
                while True:
                    try:
                        await api.initialize()
                        break
                    except InvalidToken:  # its message shows the token: never log it
                        raise CannotStart(
                            operator_text(
                                "telegram.config.bad_token",
                                env=TOKEN_ENV,
                                base_url=self.settings.base_url,
                            )
                        ) from None
                    except NetworkError as exc:
                        delay = backoff.delay()
                        log.warning(
                            "cannot reach Telegram at %s (%s); trying again in %.0f s",
                            self.settings.base_url,
                            exc,
                            delay,
                        )
                        await asyncio.sleep(delay)
                self._api, self._outbound = api, Outbound(self.settings.limits)
                log.info("connected to Telegram as @%s", api.username)
            return self._api

    async def _disconnect(self) -> None:
        async with self._connecting:
            if self._outbound is not None:
                await self._outbound.close()
            if self._api is not None:
                await self._api.shutdown()
            self._api = self._outbound = None

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` in the background; run() cancels what is left when it ends."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work of the Telegram adapter failed", exc_info=task.exception())

    def _chat_moved(self, old: str, new: str) -> asyncio.Future[None] | None:
        """The basic group ``old`` became supergroup ``new``: bind its group there, now and stored.

        Returns the storing, or None when there is nothing to do.  Later updates of the
        supergroup already find the group.
        """
        bot = self._bot
        assert bot is not None, "prepare(bot) was not called"
        group = bot.directory.group(NETWORK, old)
        if group is None or bot.directory.group(NETWORK, new) is group:
            return None
        bot.directory.bind(NETWORK, new, group.id)
        log.warning(
            "Telegram chat %s of group %s became supergroup %s; the group is bound to %s now "
            "(put it under the group's chats.telegram in the YAML)",
            old,
            group.id,
            new,
            new,
        )
        return self._spawn(self._store_binding(bot, old, new, group.id))

    @staticmethod
    async def _store_binding(bot: Bot, old: str, new: str, group_id: str) -> None:
        """Store the binding of a moved group, trying again until the database takes it."""
        backoff = Backoff(1.0, MAX_BACKOFF)
        while True:
            try:
                await bot.bound(NETWORK, new, group_id, bound_by=f"{NETWORK}:{old}")
                return
            except Exception:
                delay = backoff.delay()
                log.exception(
                    "could not store that group %s moved; trying again in %.0f s", group_id, delay
                )
                await asyncio.sleep(delay)
