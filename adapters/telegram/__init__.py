"""The Telegram adapter: a community's groups and private chats on Telegram, via python-telegram-bot.

Updates come by long polling (default) or by webhook.  Each update becomes a
core event with ``event_id = str(update_id)`` and is submitted in
``update_id`` order; the polling offset is stored in Sanshe's database and
moved only past updates that core has handled and checkpointed, so a crash
loses nothing and core's de-duplication makes the redelivered ones no-ops.
Actions go out through one rate-limited queue (:mod:`.outbound`).  See
``README.md`` here for deploying a bot.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import html
import json
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import telegram
from telegram import (
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.helpers import mention_html

from sanshe.core.actions import (
    ALL_ACTIONS,
    Action,
    ApproveJoin,
    Ban,
    Button,
    CreateGroup,
    DeclineJoin,
    Delete,
    DirectMessage,
    Invite,
    Pin,
    Remove,
    Reply,
    Restrict,
    Send,
    Unban,
)
from sanshe.core.adapter import ActionFailed, Backoff, CannotStart
from sanshe.core.events import Callback, Event
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator, normalize_locale

from . import menus
from .convert import ALLOWED_UPDATES, NETWORK, Json, chat_of, migration, to_event
from .outbound import MAX_BACKOFF, Outbound, Priority, retry_seconds
from .settings import LOCALES, TOKEN_ENV, TelegramSettings, operator_text, read_settings

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

__all__ = ["NETWORK", "TelegramAdapter"]

log = logging.getLogger(__name__)

OFFSET_KEY = "offset"
#: While updates are being handled, Telegram is asked for new ones this often (seconds).
BUSY_POLL = 0.25
MAX_TEXT = 4096
MAX_BUTTON_DATA = 64
_SEEN_LIMIT = 10_000
#: Seconds a getUpdates call may take beyond its long-polling timeout.
READ_TIMEOUT = 5.0


class _Api(telegram.Bot):
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


class TelegramAdapter:
    """Runs a community on Telegram (see the module docstring)."""

    network = NETWORK
    #: Everything core can ask for except what this network cannot do.
    capabilities = ALL_ACTIONS - {CreateGroup, Invite}
    """Bots cannot create groups or add people to them: CreateGroup and Invite are refused."""
    chats_named_by_group = False

    def __init__(self, settings: TelegramSettings, token: str) -> None:
        self.settings = settings
        self._token = token
        self._api: _Api | None = None
        self._outbound: Outbound | None = None
        self._connecting = asyncio.Lock()
        self._bot: Bot | None = None
        self._seen: dict[str, tuple[str, str | None]] = {}
        """Name and language of people seen in updates, for texts addressed to them."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._retries: dict[asyncio.Future[None], asyncio.TimerHandle] = {}
        """Updates core failed to handle, waiting to be submitted again."""
        self._unlinked: set[str] = set()
        """Group chats already reported as not linked to a group of the community."""

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> TelegramAdapter:
        """The adapter for the YAML's ``adapters.telegram`` section (exits with a sentence if wrong)."""
        parsed, token = read_settings(settings)
        return cls(parsed, token)

    # -- life cycle --------------------------------------------------------------------

    async def prepare(self, bot: Bot) -> None:
        """Before core performs leftover actions: load our texts, reach Telegram, check the token."""
        self._bot = bot
        bot.catalogue.add_folder(LOCALES)
        _hide_token(self._token)
        await self._connected()

    async def run(self, bot: Bot) -> None:
        """Receive updates until cancelled; then finish the events under way and disconnect."""
        if self._bot is not bot:
            await self.prepare(bot)
        api = await self._connected()
        if self.settings.menus:
            assert self._outbound is not None
            self._spawn(menus.register(bot, api, self._outbound))
            bot.pm.register(self, name="telegram-adapter")
        try:
            if self.settings.mode == "webhook":
                await self._serve_webhook(bot, api)
            else:
                await self._poll(bot, api)
        finally:
            await bot.dispatcher.drain()
            for handled, retry in list(self._retries.items()):
                retry.cancel()
                handled.cancel()
            self._retries.clear()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._disconnect()
            if bot.pm.is_registered(self):
                bot.pm.unregister(self)

    async def _connected(self) -> _Api:
        """The connected Bot API client (and outbound queue), connecting first if needed."""
        async with self._connecting:
            if self._api is None or self._outbound is None:
                api = _Api(self._token, base_url=self.settings.base_url)
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

    @hookimpl
    def sanshe_community_changed(self, bot: Bot) -> None:
        """People, roles or chats changed: send the command menus that differ now."""
        if self._api is not None and self._outbound is not None:
            self._spawn(menus.register(bot, self._api, self._outbound))

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

    # -- updates in --------------------------------------------------------------------

    def receive(self, update: Json) -> asyncio.Future[None]:
        """Submit one update (the Bot API's JSON, decoded) to core.

        The future completes once core has handled and checkpointed it; until
        then the adapter submits it again after each failure.  Call this only
        after :meth:`prepare`.
        """
        bot, api = self._bot, self._api
        assert bot is not None and api is not None, "prepare(bot) was not called"
        try:
            event = to_event(update, api.username)
            moved = migration(update) if event is None else None
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
        if isinstance(event, Callback):
            self._spawn(self._answer(api, update["callback_query"]["id"]))
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._submit(bot, event, handled, None)
        return handled

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
                await bot.bind(NETWORK, new, group_id, bound_by=f"{NETWORK}:{old}")
                return
            except Exception:
                delay = backoff.delay()
                log.exception(
                    "could not store that group %s moved; trying again in %.0f s", group_id, delay
                )
                await asyncio.sleep(delay)

    def _submit(
        self, bot: Bot, event: Event, handled: asyncio.Future[None], backoff: Backoff | None
    ) -> None:
        """Submit ``event``; complete ``handled`` once core has handled it, else submit it again.

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
            log.warning("update %s was not handled; trying again in %.0f s", event.event_id, delay)
            self._retries[handled] = asyncio.get_running_loop().call_later(
                delay, self._submit, bot, event, handled, backoff
            )

    @staticmethod
    async def _answer(api: _Api, query_id: str) -> None:
        """Stop the spinner on the pressed button (too late after a restart: then nothing to do)."""
        try:
            await api.answer_callback_query(query_id)
        except TelegramError as exc:
            log.debug("callback query %s not answered: %s", query_id, exc)

    async def _poll(self, bot: Bot, api: _Api) -> None:
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

    async def _serve_webhook(self, bot: Bot, api: _Api) -> None:
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

    # -- actions out -------------------------------------------------------------------

    async def perform(self, action: Action) -> None:
        """Carry out ``action`` through the rate-limited queue; raise ActionFailed when refused.

        An action for a basic group that became a supergroup is carried out there (and the
        group bound to the supergroup), unless it names a message of the old chat.
        """
        try:
            await self._carry_out(action)
        except ChatMigrated as exc:
            old, new = _chat_of(action), str(exc.new_chat_id)
            assert old is not None, "only actions in a group chat meet a migrated group"
            self._chat_moved(old, new)
            moved = _in_moved_chat(action, new)
            if moved is None:
                raise ActionFailed(
                    f"chat {old} is now supergroup {new}; messages of the old chat are gone"
                ) from exc
            await self._carry_out(moved)

    async def _carry_out(self, action: Action) -> None:
        api = await self._connected()
        priority = Priority.URGENT if action.urgent else Priority.NORMAL
        try:
            match action:
                case Send(chat=chat, text=text, buttons=buttons):
                    await self._post(_id(chat), text, buttons, None, priority)
                case Reply(chat=chat, to=to, text=text, buttons=buttons):
                    await self._post(_id(chat), text, buttons, _id(to), priority)
                case DirectMessage():
                    await self._direct(action, priority)
                case Delete(chat=chat, message_id=message_id):
                    await self._call(_id(chat), api.delete_message, priority, _id(message_id))
                case Ban(chat=chat, user=user):
                    await self._call(_id(chat), api.ban_chat_member, priority, _id(user))
                case Remove(chat=chat, user=user):
                    await self._call(_id(chat), api.ban_chat_member, priority, _id(user))
                    await self._call(
                        _id(chat), api.unban_chat_member, priority, _id(user), only_if_banned=True
                    )
                case Unban(chat=chat, user=user):
                    await self._call(
                        _id(chat), api.unban_chat_member, priority, _id(user), only_if_banned=True
                    )
                case Restrict(chat=chat, user=user, minutes=minutes):
                    until = datetime.now(UTC) + timedelta(minutes=minutes) if minutes else None
                    await self._call(
                        _id(chat),
                        api.restrict_chat_member,
                        priority,
                        _id(user),
                        ChatPermissions.no_permissions(),
                        until_date=until,
                    )
                case ApproveJoin(chat=chat, user=user):
                    await self._call(_id(chat), api.approve_chat_join_request, priority, _id(user))
                case DeclineJoin(chat=chat, user=user):
                    await self._call(_id(chat), api.decline_chat_join_request, priority, _id(user))
                case Pin(chat=chat, message_id=message_id):
                    await self._call(_id(chat), api.pin_chat_message, priority, _id(message_id))
                case _:
                    raise ActionFailed(f"Telegram bots cannot {type(action).__name__}")
        except ChatMigrated:
            raise
        except TelegramError as exc:
            raise ActionFailed(f"Telegram refused {type(action).__name__}: {exc.message}") from exc

    async def _call(
        self, chat: int, method: Callable[..., Any], priority: Priority, *args: Any, **kwargs: Any
    ) -> Any:
        assert self._outbound is not None
        call = functools.partial(method, chat, *args, **kwargs)
        return await self._outbound.call(chat, call, message=False, priority=priority)

    async def _post(
        self,
        chat: int,
        text: str,
        buttons: tuple[Button, ...],
        reply_to: int | None,
        priority: Priority,
    ) -> None:
        """Send ``text`` (in parts if longer than Telegram allows), buttons under the last part."""
        assert self._api is not None and self._outbound is not None
        markup = _keyboard(buttons)
        parts = _split(text)
        for number, part in enumerate(parts):
            call = functools.partial(
                self._api.send_message,
                chat,
                part,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None,
                reply_markup=markup if number == len(parts) - 1 else None,
            )
            await self._outbound.call(chat, call, message=True, priority=priority)

    async def _direct(self, action: DirectMessage, priority: Priority) -> None:
        """Write privately; when the person never opened a chat with the bot, ask them in the group."""
        try:
            await self._post(_id(action.user), action.text, action.buttons, None, priority)
        except Forbidden as exc:
            if action.fallback_chat is None:
                raise
            await self._ask_to_open_private(action.user, _id(action.fallback_chat), priority)
            raise ActionFailed(
                f"{exc.message}; asked them in chat {action.fallback_chat} to open a private chat"
            ) from exc

    async def _ask_to_open_private(self, user: str, chat: int, priority: Priority) -> None:
        """Mention the person in ``chat`` with a button that opens the bot; nothing private is said."""
        assert self._api is not None and self._outbound is not None
        _ = self._translator(user)
        name = self._seen.get(user, ("", None))[0] or _("telegram.open_private.no_name")
        marker = "\x00"
        before, _sep, after = _("telegram.open_private", name=marker).partition(marker)
        text = html.escape(before) + mention_html(user, name) + html.escape(after)
        button = InlineKeyboardButton(
            _("telegram.open_private.button"), url=f"https://t.me/{self._api.username}?start=hello"
        )
        call = functools.partial(
            self._api.send_message,
            chat,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[button]]),
        )
        await self._outbound.call(chat, call, message=True, priority=priority)

    def _translator(self, user: str) -> Translator:
        """Texts for ``user``: their YAML locale, else their Telegram language, else the community's."""
        assert self._bot is not None, "prepare(bot) was not called"
        bot = self._bot
        person = bot.directory.person(NETWORK, user)
        language = self._seen.get(user, ("", None))[1]
        locale = person.locale or normalize_locale(language) or bot.community.locale
        return Translator(bot.catalogue, locale)


def _id(value: str) -> int:
    """A Telegram chat, user or message id from core's opaque string."""
    try:
        return int(value)
    except ValueError:
        raise ActionFailed(
            f"{value!r} is not a Telegram id (chats and people are numbers)"
        ) from None


def _chat_of(action: Action) -> str | None:
    """The group chat ``action`` happens in (a direct message's fallback chat)."""
    if isinstance(action, DirectMessage):
        return action.fallback_chat
    chat: str | None = getattr(action, "chat", None)
    return chat


def _in_moved_chat(action: Action, new: str) -> Action | None:
    """``action`` in supergroup ``new`` instead of its basic group; None if it cannot move.

    Message ids do not carry over, so deleting or pinning is dropped and a reply is sent
    as a plain message.  People's ids do.
    """
    match action:
        case Reply():
            return Send(chat=new, text=action.text, buttons=action.buttons, urgent=action.urgent)
        case DirectMessage():
            return replace(action, fallback_chat=new)
        case Send() | Ban() | Remove() | Unban() | Restrict() | ApproveJoin() | DeclineJoin():
            return replace(action, chat=new)
        case _:  # Delete, Pin: the message is in the old chat
            return None


def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One inline button per row; pressing one sends its data back as a Callback."""
    if not buttons:
        return None
    for button in buttons:
        if not 1 <= len(button.data.encode()) <= MAX_BUTTON_DATA:
            raise ActionFailed(
                f"button {button.label!r}: Telegram takes 1-{MAX_BUTTON_DATA} bytes of data"
            )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data)] for b in buttons]
    )


def _split(text: str) -> list[str]:
    """Parts Telegram takes (4096 UTF-16 units at most), cut after a line break where there is one."""
    parts = []
    while True:
        units, limit = 0, len(text)
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_TEXT:
                limit = index
                break
        if limit == len(text):
            parts.append(text)
            return parts
        cut = text.rfind("\n", 0, limit) + 1 or limit
        parts.append(text[:cut])
        text = text[cut:]


class _Redact(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), ()
        return True


def _hide_token(token: str) -> None:
    """Keep the token out of every log line (httpx logs request URLs, which contain it)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Redact) and f.secret == token for f in handler.filters):
            handler.addFilter(_Redact(token))
