"""Updates in: long polling or webhook, each update submitted to core as an event.

Each update becomes a core event with ``event_id = str(update_id)`` and is
submitted in ``update_id`` order; the polling offset is stored in Sanshe's
database and moved only past updates that core has handled and checkpointed, so
a crash loses nothing and core's de-duplication makes the redelivered ones no-ops.
An update core did not handle is submitted again after a pause; core sets it
aside as a dead letter after its last try (see :mod:`sanshe.core.dead_letters`),
which counts as handled, so no update holds the offset back for ever.

Telegram tells nobody when a person changes their name: the intake compares the
name on each group message (and ``chat_member`` update) with the one it last saw
for that person in that chat, and submits a ``MemberRenamed`` before the message
when it differs (see :meth:`Intake._renamed`).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from sanshe.core.adapter import Backoff, CannotStart
from sanshe.core.events import Callback, Event, MemberJoined, MemberLeft, MemberRenamed, Message

from .connection import BotApi, Connection
from .convert import (
    ALLOWED_UPDATES,
    NETWORK,
    Json,
    chat_of,
    member_in_place,
    migration,
    to_event,
)
from .outbound import MAX_BACKOFF, retry_seconds
from .settings import TOKEN_ENV, TelegramSettings, operator_text

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

log = logging.getLogger(__name__)

OFFSET_KEY = "offset"
#: While updates are being handled, Telegram is asked for new ones this often (seconds).
BUSY_POLL = 0.25
_SEEN_LIMIT = 10_000
#: At most this many (chat, person) names are remembered; the longest known go first.
_NAMES_LIMIT = 10_000


class Intake(Connection):
    """Receives updates (:meth:`receive`, by :meth:`_poll` or :meth:`_serve_webhook`) for core."""

    def __init__(self, settings: TelegramSettings, token: str) -> None:
        super().__init__(settings, token)
        self._retries: dict[asyncio.Future[None], asyncio.TimerHandle] = {}
        """Updates core failed to handle, waiting to be submitted again."""
        self._unlinked: set[str] = set()
        """Group chats already reported as not linked to a group of the community."""
        self._names: dict[tuple[str, str], tuple[str, int, str | None]] = {}
        """By (group chat, person): the name last seen, the update that showed it first, and
        the name before it if that update was a rename (see :meth:`_renamed`)."""

    async def _receive_updates(self, bot: Bot, api: BotApi) -> None:
        """Poll or serve the webhook, as configured, until cancelled."""
        if self.settings.mode == "webhook":
            await self._serve_webhook(bot, api)
        else:
            await self._poll(bot, api)

    def _drop_retries(self) -> None:
        """Give up the updates waiting to be submitted again (they are delivered again later)."""
        for handled, retry in list(self._retries.items()):
            retry.cancel()
            handled.cancel()
        self._retries.clear()

    def receive(self, update: Json) -> asyncio.Future[None]:
        """Submit one update (the Bot API's JSON, decoded) to core.

        The future completes once core has handled and checkpointed it; until
        then the adapter submits it again after each failure.  Call this only
        after :meth:`prepare`.
        """
        bot, api = self._bot, self._api
        assert bot is not None and api is not None, "prepare(bot) was not called"
        renamed: MemberRenamed | None = None
        try:
            event = to_event(update, api.username)
            moved = migration(update) if event is None else None
            if event is None and moved is None and (shown := member_in_place(update)):
                event = renamed = self._renamed(update["update_id"], *shown)
            elif isinstance(event, Message) and not event.direct and "message" in update:
                renamed = self._renamed(
                    update["update_id"], event.chat, event.sender, event.sender_name, event.time
                )
            elif isinstance(event, MemberJoined):
                self._renamed(
                    update["update_id"], event.chat, event.sender, event.sender_name, event.time
                )
            elif isinstance(event, MemberLeft):
                self._names.pop((event.chat, event.sender), None)
        except (KeyError, TypeError, ValueError, AttributeError):  # not shaped as the Bot API says
            log.exception("update %s could not be read and is skipped", update.get("update_id"))
            event = moved = None
        if event is None:
            waiting = self._chat_moved(*moved) if moved is not None else None
            if waiting is not None:
                return waiting
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.clear()
        self._seen[event.sender] = (event.sender_name, event.language)
        if not event.direct and event.chat not in self._unlinked:
            if bot.directory.group(NETWORK, event.chat) is None:
                self._unlinked.add(event.chat)
                log.info(
                    "chat %s (%s) is not linked to a group: type /bind <group-id> there, "
                    "or give its id under the group's chats.telegram",
                    event.chat,
                    (chat_of(update) or {}).get("title", "?"),
                )
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if isinstance(event, Callback):
            self._unanswered.add(event.callback_id)
            handled.add_done_callback(functools.partial(self._pressed, api, event.callback_id))
        if renamed is not None and renamed is not event:  # the rename first, then the message
            first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._submit(bot, renamed, first, None)
            self._submit(bot, event, handled, None)
            return _both(first, handled)
        self._submit(bot, event, handled, None)
        return handled

    def _renamed(
        self, update_id: int, chat: str, person: str, name: str, time: float
    ) -> MemberRenamed | None:
        """The rename that update ``update_id`` shows, if ``person``'s name in ``chat`` changed.

        Telegram sends no update when someone changes their name, so the names seen
        are remembered (at most ``_NAMES_LIMIT``, in memory: after a start, or once
        forgotten, a person's first update only records their name).  The rename's id
        comes from the update's, and the update that showed a new name first, when
        delivered again, shows the same rename again, so core recognises it; older
        updates delivered again change nothing.
        """
        key = (chat, person)
        seen = self._names.get(key)
        if seen is None:
            if len(self._names) >= _NAMES_LIMIT:
                del self._names[next(iter(self._names))]
            self._names[key] = (name, update_id, None)
            return None
        last, since, before = seen
        if name == last:
            if update_id != since or before is None:
                return None
            old = before
        elif update_id <= since:
            return None
        else:
            old = last
            self._names[key] = (name, update_id, last)
        return MemberRenamed(
            network=NETWORK,
            chat=chat,
            event_id=f"{update_id}:renamed",
            sender=person,
            sender_name=name,
            old_name=old,
            time=time,
        )

    def _pressed(self, api: BotApi, query_id: str, handled: asyncio.Future[None]) -> None:
        """Core has handled a press: stop the button's spinner if no AnswerButton did."""
        if query_id in self._unanswered:
            self._unanswered.discard(query_id)
            if not handled.cancelled():
                self._spawn(self._answer(api, query_id))

    def _submit(
        self, bot: Bot, event: Event, handled: asyncio.Future[None], backoff: Backoff | None
    ) -> None:
        """Submit ``event``; complete ``handled`` once core has handled it (or set it aside after
        its last try), else submit it again after a pause.

        Callbacks rather than a task per update: a task would cost more than core's
        whole handling of a plain group message.
        """
        self._retries.pop(handled, None)
        attempt = bot.submit(event)
        attempt.add_done_callback(functools.partial(self._submitted, bot, event, handled, backoff))

    def _submitted(
        self,
        bot: Bot,
        event: Event,
        handled: asyncio.Future[None],
        backoff: Backoff | None,
        attempt: asyncio.Future[None],
    ) -> None:
        if handled.done():
            return
        if attempt.cancelled():
            handled.cancel()
        elif attempt.exception() is None:
            handled.set_result(None)
        else:  # the dispatcher logged why
            backoff = backoff or Backoff(1.0, MAX_BACKOFF)
            delay = backoff.delay()
            log.warning(
                "update %s was not handled; delivering it again in %.0f s", event.event_id, delay
            )
            self._retries[handled] = asyncio.get_running_loop().call_later(
                delay, self._submit, bot, event, handled, backoff
            )

    @staticmethod
    async def _answer(api: BotApi, query_id: str) -> None:
        """Stop the spinner on the pressed button, saying nothing (too late after a restart)."""
        try:
            await api.answer_callback_query(query_id)
        except TelegramError as exc:
            log.debug("callback query %s not answered: %s", query_id, exc)

    async def _poll(self, bot: Bot, api: BotApi) -> None:
        """Long-poll getUpdates; store and confirm the offset only past fully handled updates."""
        await self._with_retries(
            "delete the webhook", lambda: api.delete_webhook(drop_pending_updates=False)
        )
        stored = await bot.storage.get_state(NETWORK, OFFSET_KEY)
        confirmed = int(stored) if stored else 0
        newest = confirmed - 1
        pending: dict[int, asyncio.Future[None]] = {}  # by update_id, in order
        while True:
            handled = confirmed
            while pending:
                update_id, future = next(iter(pending.items()))
                if not future.done():
                    break
                del pending[update_id]
                handled = update_id + 1
            if handled != confirmed:
                confirmed = handled
                await bot.storage.set_state(NETWORK, OFFSET_KEY, str(confirmed))
            timeout = 0 if pending else self.settings.poll_timeout
            updates = await self._with_retries(
                "fetch updates",
                functools.partial(api.get_update_json, confirmed, 100, timeout, ALLOWED_UPDATES),
            )
            for update in updates:
                update_id = update["update_id"]
                if update_id > newest:  # not yet submitted
                    newest = update_id
                    pending[update_id] = self.receive(update)
            if pending:
                await asyncio.wait(list(pending.values()), timeout=BUSY_POLL)

    async def _with_retries(self, what: str, call: Callable[[], Any]) -> Any:
        """Run a receiving call, waiting out floods, conflicts and network trouble."""
        backoff = Backoff(1.0, MAX_BACKOFF)
        while True:
            try:
                return await call()
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
            except InvalidToken:
                raise CannotStart(
                    operator_text(
                        "telegram.config.bad_token", env=TOKEN_ENV, base_url=self.settings.base_url
                    )
                ) from None
            except (Conflict, NetworkError) as exc:
                delay = backoff.delay()
                log.warning("could not %s (Telegram: %s); trying again in %.0f s", what, exc, delay)
                await asyncio.sleep(delay)

    async def _serve_webhook(self, bot: Bot, api: BotApi) -> None:
        """Answer Telegram's POSTs (200 once an update is handled) and register the webhook."""
        from .webhook import serve

        hook = self.settings.webhook
        assert hook is not None
        secret = self.settings.secret_token()

        async def on_post(given: str, body: bytes) -> int:
            if not hmac.compare_digest(given.encode(), secret.encode()):
                log.warning("refused a webhook request without the right secret token")
                return 403
            try:
                update = json.loads(body)
                if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                    return 400
            except ValueError:
                return 400
            await asyncio.shield(self.receive(update))
            return 200

        server = serve(hook.listen, hook.port, hook.served_path, on_post)
        try:
            await self._with_retries(
                "set the webhook",
                lambda: api.set_webhook(
                    hook.url,
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=hook.max_connections,
                ),
            )
            log.info(
                "receiving updates at %s (listening on %s:%s)", hook.url, hook.listen, hook.port
            )
            await asyncio.Event().wait()
        finally:
            server.stop()
            await server.close_all_connections()


def _both(first: asyncio.Future[None], second: asyncio.Future[None]) -> asyncio.Future[None]:
    """A future done once both are (cancelled if either is)."""
    both: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def settle(_: asyncio.Future[None]) -> None:
        if both.done():
            return
        if first.cancelled() or second.cancelled():
            both.cancel()
        elif first.done() and second.done():
            both.set_result(None)

    first.add_done_callback(settle)
    second.add_done_callback(settle)
    return both
