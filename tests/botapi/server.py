"""A loopback Telegram Bot API server for tests.

It serves ``/bot<token>/<method>`` on 127.0.0.1 with the Bot API's JSON shapes, error replies
and flood limits (HTTP 429 with ``parameters.retry_after``), over a small simulated world of
users, groups and messages. Point python-telegram-bot at it with
``telegram.Bot(token, base_url=server.base_url)``.
"""

import asyncio
import copy
import itertools
import json
import math
import mimetypes
import re
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import aiohttp
from aiohttp import web

from .formatting import EntityParseError, parse_text, strip_text, utf16_len

JSON = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: Update types Telegram leaves out unless ``allowed_updates`` names them.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)
_MEDIA_PERMISSIONS = PERMISSIONS[1:7]

_INT_PARAMS = frozenset(
    {
        "user_id",
        "message_id",
        "offset",
        "limit",
        "until_date",
        "reply_to_message_id",
        "max_connections",
        "message_thread_id",
        "cache_time",
        "expire_date",
        "member_limit",
    }
)
_CHAT_PARAMS = frozenset({"chat_id", "from_chat_id"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "only_if_banned",
        "revoke_messages",
        "show_alert",
        "use_independent_chat_permissions",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "creates_join_request",
        "disable_content_type_detection",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "permissions",
        "entities",
        "caption_entities",
        "link_preview_options",
    }
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_NO_RESTRICT_RIGHTS = "Bad Request: not enough rights to restrict/unrestrict chat member"
#: What a bot may upload (sendDocument…) and download (getFile) on the cloud Bot API.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_MEMBER_LIMIT = 99_999
MAX_INVITE_LINK_NAME = 32
#: How long after a join request the bot may write to the applicant who never opened a chat
#: with it (ChatJoinRequest.user_chat_id: "the bot can use this identifier for 5 minutes").
APPLICANT_WINDOW = 5 * 60
#: A restriction or ban ending sooner than this, or later than :data:`LONGEST_UNTIL`, from now
#: lasts forever (restrictChatMember's and banChatMember's until_date).
SHORTEST_UNTIL = 30
LONGEST_UNTIL = 366 * 24 * 3600


class ApiError(Exception):
    """A Bot API error reply: HTTP ``code`` with ``description`` and optional
    ``retry_after`` or ``migrate_to_chat_id`` (the reply's ``parameters``)."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def response(self) -> web.Response:
        """The JSON error reply Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return web.json_response(body, status=self.code)


@dataclass
class Limits:
    """Flood limits; ``second`` and ``minute`` are the real lengths of the two windows."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    second: float = 1.0
    minute: float = 60.0

    def __post_init__(self) -> None:
        if min(self.global_per_second, self.per_chat_per_second, self.per_group_per_minute) < 1:
            raise ValueError("limits must allow at least one message per window")


@dataclass
class Stats:
    """Request counters."""

    requests: int = 0
    too_many_requests: int = 0


@dataclass(frozen=True)
class SentRecord:
    """One accepted rate-limited call; ``time`` is :func:`time.monotonic` when accepted.

    A document's record has no ``text`` but its ``caption`` and ``document`` (the Document JSON).
    """

    method: str
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: JSON | None
    time: float
    caption: str | None = None
    document: JSON | None = None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, as the bot uploaded it."""

    name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file Telegram keeps: what a bot uploaded, downloadable through getFile."""

    file_id: str
    file_unique_id: str
    name: str
    mime_type: str
    content: bytes
    file_path: str


@dataclass
class InviteLink:
    """An invite link the bot created; ``joined`` are the users who came in through it."""

    url: str
    chat_id: int
    creator_id: int
    name: str
    expire_date: int
    member_limit: int
    creates_join_request: bool
    is_revoked: bool = False
    joined: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Refusal:
    """One rate-limited call answered 429; ``time`` is :func:`time.monotonic` when refused."""

    chat_id: int
    time: float
    retry_after: int


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the webhook: HTTP ``status``, or ``None`` and ``error``."""

    update_id: int
    status: int | None
    error: str | None
    time: float


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Member:
    status: str
    until_date: int = 0
    rights: dict[str, bool] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)
    is_member: bool = True


def scope_key(scope: Mapping[str, Any] | None) -> str:
    """Key of a BotCommandScope in :attr:`BotApiServer.commands`, e.g. ``"chat:-100"``.

    ``chat_id`` must already be numeric. Scopes without a chat map to their type
    (``"default"``, ``"all_private_chats"``, ...).
    """
    if not scope:
        return "default"
    parts = [scope["type"]]
    if "chat_id" in scope:
        parts.append(str(scope["chat_id"]))
    if "user_id" in scope:
        parts.append(str(scope["user_id"]))
    return ":".join(parts)


def _coerce(name: str, value: Any) -> Any:
    """Convert a form-encoded (string) or JSON parameter to the type the Bot API gives it."""
    if name in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name in _INT_PARAMS or name in _CHAT_PARAMS:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            if name in _CHAT_PARAMS and value.startswith("@"):
                return value
            try:
                return int(value)
            except ValueError:
                pass
        if name in _CHAT_PARAMS:
            raise ApiError(400, "Bad Request: chat not found")
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    if name == "timeout":  # PTB sends fractional seconds for a fractional timedelta
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid timeout specified") from None
    if name in _BOOL_PARAMS and not isinstance(value, bool):
        if str(value).lower() not in ("true", "1", "false", "0", ""):
            raise ApiError(400, f"Bad Request: invalid {name} specified")
        return str(value).lower() in ("true", "1")
    return value


class BotApiServer:
    """Loopback Bot API server with a simulated world.

    Set up the world with ``add_user``/``add_chat``/``add_member``/``user_starts_bot``, make
    simulated users act with the ``inject_*`` methods, and inspect what the bot did through
    ``calls``, ``sent``, ``refused``, ``messages``, ``commands``, ``callback_answers``,
    ``join_requests``, ``files``, ``invite_links``, ``stats`` and ``webhook_deliveries``.
    ``limits`` may be replaced at any time.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        bot_username: str = "sanshe_bot",
        limits: Limits | None = None,
        *,
        bot_first_name: str = "Sanshe",
        privacy_mode: bool = True,
        webhook_retry_delay: float = 0.05,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise ValueError(f"malformed bot token {token!r}")
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.bot_username = bot_username
        self.limits = limits or Limits()
        #: Group privacy mode: non-admin bots see only commands, replies to them, service messages.
        self.privacy_mode = privacy_mode
        #: Pause before re-POSTing an update the webhook refused.
        self.webhook_retry_delay = webhook_retry_delay
        #: Telegram's clock (seconds since the epoch): message and request dates, the applicant
        #: window, until_date.  A test can pass a clock it moves; the flood limits keep real time.
        self.clock = clock

        self.users: dict[int, JSON] = {
            self.bot_id: {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
            }
        }
        self.chats: dict[int, JSON] = {}
        #: Stored messages by (chat_id, message_id).
        self.messages: dict[tuple[int, int], JSON] = {}
        #: Pending ChatJoinRequest payloads by (chat_id, user_id).
        self.join_requests: dict[tuple[int, int], JSON] = {}
        #: Bot commands by (scope_key(scope), language_code or "").
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        #: answerCallbackQuery parameters by callback_query_id.
        self.callback_answers: dict[str, JSON] = {}
        #: Files sent by the bot, by file_id.
        self.files: dict[str, StoredFile] = {}
        #: Invite links the bot created, by their URL.
        self.invite_links: dict[str, InviteLink] = {}
        self._file_numbers = itertools.count()
        #: Every authorised call as (method, params).
        self.calls: list[tuple[str, JSON]] = []
        self.sent: list[SentRecord] = []
        self.refused: list[Refusal] = []
        self.stats = Stats()
        self.webhook_deliveries: list[WebhookDelivery] = []
        #: Pinned message id per chat.
        self.pinned: dict[int, int] = {}
        #: How many calls :meth:`hold` is keeping waiting right now.
        self.held_calls = 0
        self._held: frozenset[str] = frozenset()
        self._release: asyncio.Future[bool] | None = None

        self._members: dict[int, dict[int, _Member]] = defaultdict(dict)
        #: Basic groups upgraded to supergroups: old id -> new id.
        self.migrated: dict[int, int] = {}
        self._chat_permissions: dict[int, dict[str, bool]] = {}
        self._private: dict[int, str] = {}  # user_id -> bot's status there: member or kicked
        #: When each join request the bot received was made, by (chat_id, user_id), decided or not.
        self._applied: dict[tuple[int, int], int] = {}
        #: Applicants the bot wrote to in their window: they can answer (which opens the chat).
        self._written_to: set[int] = set()
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._next_update_id = 1
        self._next_query_id = 1
        self._updates: list[JSON] = []
        self._allowed_updates: frozenset[str] | None = None
        self._open_queries: set[str] = set()
        self._poll: asyncio.Future[str | None] | None = None
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = defaultdict(deque)
        self._group_windows: dict[int, deque[float]] = defaultdict(deque)
        self._webhook: _Webhook | None = None
        self._webhook_wakeup = asyncio.Event()
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = False
        self.port = 0

        handlers: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "banChatMember": self._ban_chat_member,
            "unbanChatMember": self._unban_chat_member,
            "restrictChatMember": self._restrict_chat_member,
            "setChatPermissions": self._set_chat_permissions,
            "approveChatJoinRequest": self._approve_chat_join_request,
            "declineChatJoinRequest": self._decline_chat_join_request,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "createChatInviteLink": self._create_chat_invite_link,
            "revokeChatInviteLink": self._revoke_chat_invite_link,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "pinChatMessage": self._pin_chat_message,
        }
        # Bot API method names are case-insensitive.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ------------------------------------------------------------------ lifecycle

    def now(self) -> int:
        """Telegram's time now, in whole seconds since the epoch."""
        return int(self.clock())

    @property
    def base_url(self) -> str:
        """``base_url`` for python-telegram-bot (it appends ``<token>/<method>``)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """``base_file_url`` for python-telegram-bot: files are downloaded from ``<it><token>/<file_path>``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and serve."""
        if self._runner is not None:
            raise RuntimeError("server already started")
        # Room for a largest upload and the other fields; bigger bodies are answered 413.
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 64 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        self._stopping = False

    async def stop(self) -> None:
        """Answer any open long poll, stop webhook delivery and close the server."""
        self._stopping = True
        self.release(perform=False)
        self._wake()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ simulated world

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Create a human user and return its User JSON."""
        if user_id <= 0 or user_id == self.bot_id:
            raise ValueError(f"invalid user id {user_id}")
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({k: v for k, v in optional.items() if v is not None})
        self.users[user_id] = user
        return user

    def add_chat(
        self,
        chat_id: int,
        title: str,
        type: Literal["group", "supergroup"] = "supergroup",
        username: str | None = None,
    ) -> JSON:
        """Create a group the bot is a plain member of and return its Chat JSON."""
        if chat_id >= 0 or type not in ("group", "supergroup"):
            raise ValueError("groups have negative ids and type 'group' or 'supergroup'")
        chat: JSON = {"id": chat_id, "title": title, "type": type}
        if username is not None:
            chat["username"] = username
        self.chats[chat_id] = chat
        self._chat_permissions[chat_id] = dict.fromkeys(PERMISSIONS, True)
        self._members[chat_id][self.bot_id] = _Member("member")
        return chat

    def add_member(
        self,
        chat_id: int,
        user_id: int,
        status: Literal["member", "administrator", "creator"] = "member",
        rights: Mapping[str, bool] | None = None,
    ) -> None:
        """Put a user (or the bot) in a group; administrators get all ADMIN_RIGHTS by default."""
        self._group(chat_id)
        if user_id not in self.users or status not in ("member", "administrator", "creator"):
            raise ValueError(f"unknown user {user_id} or status {status!r}")
        member_rights = dict.fromkeys(ADMIN_RIGHTS, True) if status == "administrator" else {}
        member_rights.update(rights or {})
        self._members[chat_id][user_id] = _Member(status, rights=member_rights)

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int, user_id: int) -> list[JSON]:
        """A member upgrades a basic group to a supergroup (Telegram does it, for example,
        when join requests are switched on).

        The supergroup gets the title, members and permissions; the old id answers every call
        with 400 and ``migrate_to_chat_id``.  Returns the two service messages' updates: in
        the old chat with ``migrate_to_chat_id``, in the new one with ``migrate_from_chat_id``.
        """
        old = self._group(chat_id)
        if old["type"] != "group" or new_chat_id in self.chats:
            raise ValueError("only a basic group moves, and to a new id")
        self._require_can_post(chat_id, user_id)
        self.chats[new_chat_id] = {**old, "id": new_chat_id, "type": "supergroup"}
        self._chat_permissions[new_chat_id] = dict(self._chat_permissions[chat_id])
        self._members[new_chat_id] = copy.deepcopy(self._members[chat_id])
        updates = [
            self._service_message(chat_id, user_id, {"migrate_to_chat_id": new_chat_id}),
            self._service_message(new_chat_id, user_id, {"migrate_from_chat_id": chat_id}),
        ]
        self.migrated[chat_id] = new_chat_id
        return updates

    def user_starts_bot(self, user_id: int, payload: str | None = None) -> JSON:
        """Open (or unblock) the user's private chat and queue their ``/start`` message.

        Unblocking also queues a ``my_chat_member`` update, as Telegram does.
        """
        self._user(user_id)
        if self._private.get(user_id) == "kicked":
            self._private_status_change(user_id, "member")
        self._private[user_id] = "member"
        return self.inject_message(user_id, user_id, "/start" + (f" {payload}" if payload else ""))

    def user_blocks_bot(self, user_id: int) -> JSON:
        """Block the bot from the user's side; returns the queued ``my_chat_member`` update."""
        if user_id not in self._private:
            raise ValueError(f"user {user_id} never started the bot")
        return self._private_status_change(user_id, "kicked")

    def inject_message(
        self, chat_id: int, user_id: int, text: str, reply_to_message_id: int | None = None
    ) -> JSON:
        """Queue a text message from a user; returns the Update (queued only if the bot sees it).

        An applicant answering what the bot wrote to them opens their private chat with it.
        """
        self._require_can_post(chat_id, user_id)
        if chat_id > 0:
            self._private[user_id] = "member"
        fields: JSON = {"text": text}
        if entities := self._command_entities(text):
            fields["entities"] = entities
        if reply_to_message_id is not None:
            fields["reply_to_message"] = self._reply_copy(
                self._stored(chat_id, reply_to_message_id)
            )
        message = self._new_message(chat_id, self.users[user_id], fields)
        return self._queue("message", message, self._bot_sees(message))

    def inject_contact(
        self, chat_id: int, user_id: int, phone_number: str, first_name: str
    ) -> JSON:
        """Queue a contact card a user shares (a message with ``contact`` and no text)."""
        self._require_can_post(chat_id, user_id)
        contact = {"phone_number": phone_number, "first_name": first_name}
        message = self._new_message(chat_id, self.users[user_id], {"contact": contact})
        return self._queue("message", message, self._bot_sees(message))

    def inject_edited_message(self, chat_id: int, message_id: int, text: str) -> JSON:
        """Edit a user's stored message and queue the ``edited_message`` update."""
        message = self._stored(chat_id, message_id)
        if message["from"]["id"] == self.bot_id:
            raise ValueError("users cannot edit the bot's messages")
        message["text"] = text
        message.pop("entities", None)
        if entities := self._command_entities(text):
            message["entities"] = entities
        message["edit_date"] = self.now()
        return self._queue("edited_message", message, self._bot_sees(message))

    def inject_join_request(self, chat_id: int, user_id: int, bio: str | None = None) -> JSON:
        """Record a pending join request and queue its ``chat_join_request`` update.

        The bot receives it only with the can_invite_users right, as on Telegram.
        """
        chat = self._group(chat_id)
        self._user(user_id)
        if self._member(chat_id, user_id).status not in ("left", "kicked"):
            raise ValueError(f"user {user_id} is already in chat {chat_id}")
        request: JSON = {
            "chat": chat,
            "from": self.users[user_id],
            "user_chat_id": user_id,
            "date": self.now(),
        }
        if bio is not None:
            request["bio"] = bio
        return self._request_to_join(request)

    def _request_to_join(self, request: JSON) -> JSON:
        """Keep a pending join request; queue its update if the bot may see it (can_invite_users).

        A bot told of the request may write to the applicant for :data:`APPLICANT_WINDOW`.
        """
        key = (request["chat"]["id"], request["from"]["id"])
        self.join_requests[key] = request
        visible = self._bot_has(key[0], "can_invite_users")
        if visible:
            self._applied[key] = request["date"]
        return self._queue("chat_join_request", request, visible)

    def inject_member_joined(self, chat_id: int, user_id: int) -> list[JSON]:
        """A user joins a group: returns the ``chat_member`` and ``new_chat_members`` updates."""
        self._group(chat_id)
        self._user(user_id)
        if self._member(chat_id, user_id).status != "left":
            raise ValueError(f"user {user_id} is in or banned from chat {chat_id}")
        return self._join(chat_id, user_id, actor_id=user_id)

    def inject_member_left(self, chat_id: int, user_id: int) -> list[JSON]:
        """A user leaves a group: returns the ``chat_member`` and ``left_chat_member`` updates."""
        if not self._in_chat(chat_id, user_id):
            raise ValueError(f"user {user_id} is not in chat {chat_id}")
        return [
            self._member_change(chat_id, user_id, _Member("left"), actor_id=user_id),
            self._service_message(chat_id, user_id, _left_fields(self.users[user_id])),
        ]

    def inject_callback_query(self, chat_id: int, user_id: int, message_id: int, data: str) -> JSON:
        """A user presses the inline button with callback ``data`` under one of the bot's messages.

        Raises ValueError, as a Telegram app would not let it happen, when the user cannot
        see the chat or the message carries no such button (now: an edit may have removed it).
        """
        self._user(user_id)
        message = self._stored(chat_id, message_id)
        if (
            chat_id > 0
            and chat_id != user_id
            or chat_id < 0
            and not self._in_chat(chat_id, user_id)
        ):
            raise ValueError(f"user {user_id} cannot see chat {chat_id}")
        if message["from"]["id"] != self.bot_id:
            raise ValueError(f"message {message_id} in chat {chat_id} is not the bot's")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        if not any(button.get("callback_data") == data for row in rows for button in row):
            raise ValueError(f"message {message_id} in chat {chat_id} has no button {data!r}")
        query_id = str(self._next_query_id)
        self._next_query_id += 1
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self.users[user_id],
            "message": message,
            "chat_instance": str(abs(chat_id) * 7919),
            "data": data,
        }
        return self._queue("callback_query", query)

    def join_by_link(self, invite_link: str, user_id: int) -> list[JSON]:
        """A user opens an invite link the bot created: joins, or asks to if the link says so.

        Returns the queued updates.  Raises ValueError with Telegram's error for a link that
        does not exist, was revoked, has expired or is used up (``member_limit`` people joined
        through it are in the chat), and for a user already in the chat or banned from it.
        """
        self._user(user_id)
        link = self.invite_links.get(invite_link)
        if link is None or link.is_revoked:
            raise ValueError("INVITE_HASH_INVALID")
        chat_id = link.chat_id
        in_chat = sum(self._in_chat(chat_id, user) for user in link.joined)
        if (
            link.expire_date
            and link.expire_date <= self.now()
            or (link.member_limit and in_chat >= link.member_limit)
        ):
            raise ValueError("INVITE_HASH_EXPIRED")
        status = self._member(chat_id, user_id).status
        if self._in_chat(chat_id, user_id):
            raise ValueError("USER_ALREADY_PARTICIPANT")
        if status == "kicked":
            raise ValueError("USER_BANNED_IN_CHANNEL")
        if link.creates_join_request:
            request: JSON = {
                "chat": self.chats[chat_id],
                "from": self.users[user_id],
                "user_chat_id": user_id,
                "date": self.now(),
                "invite_link": self._invite_link_json(link),
            }
            return [self._request_to_join(request)]
        link.joined.add(user_id)
        return self._join(chat_id, user_id, actor_id=user_id, invite_link=link)

    def inject_raw(self, update: JSON) -> JSON:
        """Queue an Update dict as given (filters do not apply); assigns ``update_id`` if absent."""
        update = copy.deepcopy(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._updates.append(update)
        self._wake()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed (by offset or webhook delivery)."""
        return list(self._updates)

    def hold(self, *methods: str) -> None:
        """Keep calls to ``methods`` unanswered and not performed until :meth:`release`.

        Crash tests use it to stop the bot's traffic at a known point: a held call has not
        reached the simulated Telegram.
        """
        self._held = frozenset(method.lower() for method in methods)
        if self._release is None or self._release.done():
            self._release = asyncio.get_running_loop().create_future()

    def release(self, perform: bool = True) -> None:
        """Let held calls go on (``perform``), or answer them 500 without performing them."""
        self._held = frozenset()
        if self._release is not None and not self._release.done():
            self._release.set_result(perform)

    def calls_to(self, method: str) -> list[JSON]:
        """Parameters of every recorded call to ``method``."""
        return [params for name, params in self.calls if name == method]

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        self.stats.requests += 1
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        name = request.match_info["method"]
        name, handler = self._methods.get(name.lower(), (name, None))
        try:
            raw = await _read_params(request)
        except ApiError as error:
            self.calls.append((name, {}))
            return error.response()
        try:
            params = {key: _coerce(key, value) for key, value in raw.items()}
        except ApiError as error:
            self.calls.append((name, raw))
            return error.response()
        self.calls.append((name, params))
        if name.lower() in self._held and self._release is not None:
            self.held_calls += 1
            try:
                perform = await self._release
            finally:
                self.held_calls -= 1
            if not perform:
                return ApiError(500, "Internal Server Error: the call was dropped").response()
        if handler is None:
            return ApiError(404, "Not Found").response()
        try:
            result = await handler(params)
        except ApiError as error:
            if error.code == 429:
                self.stats.too_many_requests += 1
            return error.response()
        return web.json_response({"ok": True, "result": result})

    # ------------------------------------------------------------------ updates

    def _queue(self, kind: str, payload: JSON, visible: bool = True) -> JSON:
        """Build an Update; queue it if the bot would receive it under allowed_updates."""
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        if self._allowed_updates is None:
            allowed = kind not in DEFAULT_EXCLUDED_UPDATES
        else:
            allowed = kind in self._allowed_updates
        if visible and allowed:
            self._updates.append(update)
            self._wake()
        return update

    def _wake(self) -> None:
        self._end_poll(None)
        self._webhook_wakeup.set()

    def _end_poll(self, conflict: str | None) -> None:
        """Answer the waiting getUpdates: with its updates, or with 409 ``conflict``."""
        if self._poll is not None and not self._poll.done():
            self._poll.set_result(conflict)

    def _set_allowed_updates(self, allowed: Any) -> None:
        if not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else None

    async def _get_updates(self, p: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset", 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        limit = min(max(p.get("limit", 100), 1), 100)
        self._end_poll(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(p.get("timeout", 0), 0)
        while not self._updates and not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            poll = self._poll = loop.create_future()
            try:
                conflict = await asyncio.wait_for(poll, remaining)
            except TimeoutError:
                break
            finally:
                if self._poll is poll:
                    self._poll = None
            if conflict is not None:
                raise ApiError(409, conflict)
        return self._updates[:limit]

    async def _set_webhook(self, p: JSON) -> bool:
        url = p.get("url", "")
        if not url:
            return await self._delete_webhook(p)
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = p.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: invalid max_connections specified")
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._end_poll("Conflict: terminated by setWebhook request")
        self._webhook = _Webhook(url, secret, max_connections)
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._deliver_webhook())
        self._webhook_wakeup.set()
        return True

    async def _delete_webhook(self, p: JSON) -> bool:
        self._webhook = None
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    async def _get_webhook_info(self, p: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self._webhook.last_error_date is not None:
                info["last_error_date"] = self._webhook.last_error_date
                info["last_error_message"] = self._webhook.last_error_message
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _deliver_webhook(self) -> None:
        """POST queued updates in order, retrying each until the receiver answers 2xx."""
        assert self._session is not None, "server not started"
        while (hook := self._webhook) is not None:
            if not self._updates:
                self._webhook_wakeup.clear()
                await self._webhook_wakeup.wait()
                continue
            update = self._updates[0]
            headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
            status: int | None = None
            error: str | None = None
            try:
                async with self._session.post(
                    hook.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                ) as response:
                    status = response.status
                    if not 200 <= status <= 299:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc!r}"
            self.webhook_deliveries.append(
                WebhookDelivery(update["update_id"], status, error, time.monotonic())
            )
            if error is None:
                if self._updates and self._updates[0] is update:
                    self._updates.pop(0)
            else:
                hook.last_error_date, hook.last_error_message = self.now(), error
                await asyncio.sleep(self.webhook_retry_delay)

    # ------------------------------------------------------------------ world helpers

    def _user(self, user_id: int) -> JSON:
        if user_id not in self.users:
            raise ValueError(f"unknown user {user_id}; call add_user first")
        return self.users[user_id]

    def _group(self, chat_id: int) -> JSON:
        if chat_id not in self.chats:
            raise ValueError(f"unknown group {chat_id}; call add_chat first")
        return self.chats[chat_id]

    def _member(self, chat_id: int, user_id: int) -> _Member:
        """A member as they are now: a restriction or ban whose until_date has come is over."""
        member = self._members[chat_id].get(user_id) or _Member("left")
        if member.status in ("restricted", "kicked") and 0 < member.until_date <= self.now():
            lifted = member.status == "restricted" and member.is_member
            member = self._members[chat_id][user_id] = _Member("member" if lifted else "left")
        return member

    def _until(self, p: JSON) -> int:
        """The until_date of a restriction or ban; 0 (forever) if under 30 s or over 366 days."""
        until: int = p.get("until_date", 0)
        return until if SHORTEST_UNTIL <= until - self.now() <= LONGEST_UNTIL else 0

    def _in_chat(self, chat_id: int, user_id: int) -> bool:
        member = self._member(chat_id, user_id)
        return member.status in ("member", "administrator", "creator") or (
            member.status == "restricted" and member.is_member
        )

    def _bot_has(self, chat_id: int, right: str) -> bool:
        member = self._member(chat_id, self.bot_id)
        return member.status == "creator" or (
            member.status == "administrator" and member.rights.get(right, False)
        )

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id in self.chats:
            return self.chats[chat_id]
        user = self.users[chat_id]
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        chat.update({k: user[k] for k in ("last_name", "username") if k in user})
        return chat

    def _member_json(self, chat_id: int, user_id: int) -> JSON:
        member = self._member(chat_id, user_id)
        result: JSON = {"status": member.status, "user": self.users[user_id]}
        if member.status == "administrator":
            result |= {"can_be_edited": False, "is_anonymous": False}
            result |= {right: member.rights.get(right, False) for right in ADMIN_RIGHTS}
        elif member.status == "creator":
            result["is_anonymous"] = False
        elif member.status == "restricted":
            result |= {"is_member": member.is_member, "until_date": member.until_date}
            result |= {name: member.permissions.get(name, False) for name in PERMISSIONS}
        elif member.status == "kicked":
            result["until_date"] = member.until_date
        return result

    def _require_can_post(self, chat_id: int, user_id: int) -> None:
        """Raise ValueError unless the simulated user could post in the chat."""
        self._user(user_id)
        if chat_id > 0:
            status = self._private.get(user_id, "member" if user_id in self._written_to else None)
            if chat_id != user_id or status != "member":
                raise ValueError(f"user {user_id} has no private chat {chat_id} with the bot")
            return
        self._group(chat_id)
        member = self._member(chat_id, user_id)
        if not self._in_chat(chat_id, user_id) or (
            member.status == "restricted" and not member.permissions.get("can_send_messages")
        ):
            raise ValueError(f"user {user_id} cannot post in chat {chat_id}")

    def _command_entities(self, text: str) -> list[JSON]:
        return [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
            for match in _COMMAND.finditer(text)
        ]

    def _bot_sees(self, message: JSON) -> bool:
        """Whether Telegram would deliver a message to the bot (own, membership, privacy)."""
        chat_id = message["chat"]["id"]
        if message["from"]["id"] == self.bot_id:
            return False
        if chat_id > 0:
            return True
        if not self._in_chat(chat_id, self.bot_id):
            return False
        if not self.privacy_mode or self._member(chat_id, self.bot_id).status in (
            "administrator",
            "creator",
        ):
            return True
        text = message.get("text")
        if text is None:
            return True  # service messages
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            _, _, addressee = command.partition("@")
            return not addressee or addressee.lower() == self.bot_username.lower()
        reply = message.get("reply_to_message")
        return reply is not None and reply.get("from", {}).get("id") == self.bot_id

    def _stored(self, chat_id: int, message_id: int) -> JSON:
        if (chat_id, message_id) not in self.messages:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return self.messages[(chat_id, message_id)]

    @staticmethod
    def _reply_copy(message: JSON) -> JSON:
        reply = copy.deepcopy(message)
        reply.pop("reply_to_message", None)
        return reply

    def _new_message(self, chat_id: int, sender: JSON, fields: JSON) -> JSON:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] += 1
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": self._chat_json(chat_id),
            "date": self.now(),
        } | fields
        self.messages[(chat_id, message_id)] = message
        return message

    def _service_message(self, chat_id: int, actor_id: int, fields: JSON) -> JSON:
        message = self._new_message(chat_id, self.users[actor_id], fields)
        return self._queue("message", message, self._bot_sees(message))

    def _member_change(
        self,
        chat_id: int,
        user_id: int,
        new: _Member,
        actor_id: int,
        via_join_request: bool = False,
        invite_link: InviteLink | None = None,
    ) -> JSON:
        """Set a member's status and queue the chat_member/my_chat_member update."""
        old = self._member_json(chat_id, user_id)
        self._members[chat_id][user_id] = new
        change: JSON = {
            "chat": self.chats[chat_id],
            "from": self.users[actor_id],
            "date": self.now(),
            "old_chat_member": old,
            "new_chat_member": self._member_json(chat_id, user_id),
        }
        if via_join_request:
            change["via_join_request"] = True
        if invite_link is not None:
            change["invite_link"] = self._invite_link_json(invite_link)
        if user_id == self.bot_id:
            return self._queue("my_chat_member", change)
        # Telegram sends chat_member updates only to administrators.
        return self._queue("chat_member", change, self._bot_has(chat_id, "can_manage_chat"))

    def _join(
        self,
        chat_id: int,
        user_id: int,
        actor_id: int,
        via_join_request: bool = False,
        invite_link: InviteLink | None = None,
    ) -> list[JSON]:
        user = self.users[user_id]
        joined = {"new_chat_members": [user], "new_chat_member": user, "new_chat_participant": user}
        member = _Member("member")
        return [
            self._member_change(chat_id, user_id, member, actor_id, via_join_request, invite_link),
            self._service_message(chat_id, user_id, joined),
        ]

    def _invite_link_json(self, link: InviteLink) -> JSON:
        """The ChatInviteLink object (as Telegram shows it to the link's creator)."""
        result: JSON = {
            "invite_link": link.url,
            "creator": self.users[link.creator_id],
            "creates_join_request": link.creates_join_request,
            "is_primary": False,
            "is_revoked": link.is_revoked,
        }
        if link.name:
            result["name"] = link.name
        if link.expire_date:
            result["expire_date"] = link.expire_date
        if link.member_limit:
            result["member_limit"] = link.member_limit
        if link.creates_join_request:
            result["pending_join_request_count"] = sum(
                chat == link.chat_id
                and request.get("invite_link", {}).get("invite_link") == link.url
                for (chat, _user), request in self.join_requests.items()
            )
        return result

    def _private_status_change(self, user_id: int, status: str) -> JSON:
        """Change the bot's status in a private chat; queue the ``my_chat_member`` update."""
        old = self._private.get(user_id, "member")
        self._private[user_id] = status
        bot = self.users[self.bot_id]
        change = {
            "chat": self._chat_json(user_id),
            "from": self.users[user_id],
            "date": self.now(),
            "old_chat_member": {"status": old, "user": bot}
            | ({"until_date": 0} if old == "kicked" else {}),
            "new_chat_member": {"status": status, "user": bot}
            | ({"until_date": 0} if status == "kicked" else {}),
        }
        return self._queue("my_chat_member", change)

    # ------------------------------------------------------------------ request helpers

    def _chat_id(self, p: JSON, name: str = "chat_id") -> int:
        """Resolve a chat_id parameter (number or @username) to a known chat's id."""
        value = p.get(name)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        if value in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[value],
            )
        if isinstance(value, str):
            for chat in self.chats.values():
                if chat.get("username", "").lower() == value[1:].lower():
                    return chat["id"]
        elif value in self.chats or (value > 0 and value in self.users and value != self.bot_id):
            return value
        raise ApiError(400, "Bad Request: chat not found")

    def _group_id(self, p: JSON, private_error: str) -> int:
        """A chat_id that must name a group; ``private_error`` describes the private-chat case."""
        value = p.get("chat_id")
        if isinstance(value, int) and value > 0 and value in self.users:
            raise ApiError(400, f"Bad Request: {private_error}")
        return self._chat_id(p)

    def _user_id(self, p: JSON) -> int:
        user_id = p.get("user_id")
        if user_id is None:
            raise ApiError(400, "Bad Request: user_id is empty")
        if user_id not in self.users:
            raise ApiError(400, "Bad Request: user not found")
        return user_id

    def _message_id(self, p: JSON) -> int:
        if "message_id" not in p:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        return p["message_id"]

    def _text(self, p: JSON) -> tuple[str, list[JSON]]:
        """Parse ``text`` with ``parse_mode`` (or explicit ``entities``) as Telegram does."""
        text = str(p.get("text", ""))
        if "entities" in p:
            entities = p["entities"]
            if not isinstance(entities, list):
                raise ApiError(400, "Bad Request: can't parse entities JSON object")
        else:
            try:
                text, entities = parse_text(text, p.get("parse_mode"))
            except KeyError:
                raise ApiError(400, "Bad Request: unsupported parse_mode") from None
            except EntityParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        text, entities = strip_text(text, entities)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    def _reply_markup(self, p: JSON, inline_only: bool = False) -> JSON | None:
        """Validate ``reply_markup``; return it if it is an inline keyboard (kept on the message)."""
        markup = p.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is None:
            if inline_only or not (
                "keyboard" in markup or markup.get("remove_keyboard") or markup.get("force_reply")
            ):
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            return None
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup JSON object")
        for button in (button for row in keyboard for button in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError(
                    400,
                    'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
                )
            actions = [action for action in _BUTTON_ACTIONS if action in button]
            if not actions:
                raise ApiError(
                    400,
                    "Bad Request: can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"(https?|tg)://\S", str(url)):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        return markup

    def _reply_to(self, chat_id: int, p: JSON) -> JSON | None:
        """The message a send replies to (reply_parameters or legacy reply_to_message_id)."""
        params = p.get("reply_parameters")
        if params is None and "reply_to_message_id" in p:
            params = {
                "message_id": p["reply_to_message_id"],
                "allow_sending_without_reply": p.get("allow_sending_without_reply", False),
            }
        if params is None:
            return None
        if not isinstance(params, dict) or "message_id" not in params:
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        source_chat = params.get("chat_id", chat_id)
        message = self.messages.get((source_chat, params["message_id"]))
        if message is None:
            if params.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return self._reply_copy(message)

    def _check_can_send(self, chat_id: int) -> None:
        """Raise the error Telegram gives when the bot may not write to ``chat_id``."""
        if chat_id > 0:
            if self._private.get(chat_id) == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self._private and not self.applicant_window_open(chat_id):
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        member = self._member(chat_id, self.bot_id)
        kind = self.chats[chat_id]["type"]
        if member.status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if not self._in_chat(chat_id, self.bot_id):
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        if member.status == "restricted" and not member.permissions.get("can_send_messages"):
            raise ApiError(400, "Bad Request: not enough rights to send text messages to the chat")

    def applicant_window_open(self, user_id: int) -> bool:
        """Whether the bot may write to ``user_id`` as an applicant: a join request of theirs
        reached it (pending or decided since) less than :data:`APPLICANT_WINDOW` ago."""
        now = self.now()
        return any(
            user == user_id and now < date + APPLICANT_WINDOW
            for (_chat, user), date in self._applied.items()
        )

    def _take_send_slot(self, chat_id: int) -> None:
        """Apply the sliding-window flood limits; raise 429 without counting the send if over."""
        limits = self.limits
        windows = [
            (self._global_window, limits.global_per_second, limits.second),
            (self._chat_windows[chat_id], limits.per_chat_per_second, limits.second),
        ]
        if chat_id < 0:
            windows.append(
                (self._group_windows[chat_id], limits.per_group_per_minute, limits.minute)
            )
        now = time.monotonic()
        wait = 0.0
        for times, limit, length in windows:
            while times and times[0] <= now - length:
                times.popleft()
            if len(times) >= limit:
                wait = max(wait, times[-limit] + length - now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.refused.append(Refusal(chat_id, now, retry_after))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for times, _, _ in windows:
            times.append(now)

    def _record_sent(self, method: str, message: JSON) -> None:
        if message["chat"]["id"] > 0 and message["chat"]["id"] not in self._private:
            self._written_to.add(message["chat"]["id"])  # an applicant, in their window
        self.sent.append(
            SentRecord(
                method,
                message["chat"]["id"],
                message["message_id"],
                message.get("text"),
                message.get("reply_markup"),
                time.monotonic(),
                message.get("caption"),
                message.get("document"),
            )
        )

    def _require_right(self, chat_id: int, right: str, description: str) -> None:
        if not self._bot_has(chat_id, right):
            raise ApiError(400, description)

    def _require_changeable(self, chat_id: int, user_id: int) -> None:
        """Raise unless the bot may ban or restrict ``user_id`` (not an admin or the owner)."""
        status = self._member(chat_id, user_id).status
        if status == "creator":
            raise ApiError(400, "Bad Request: can't remove chat owner")
        if status == "administrator":
            raise ApiError(400, "Bad Request: user is an administrator of the chat")

    # ------------------------------------------------------------------ methods

    async def _get_me(self, p: JSON) -> JSON:
        return self.users[self.bot_id] | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _send_message(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        text, entities = self._text(p)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat_id, p)
        self._check_can_send(chat_id)
        self._take_send_slot(chat_id)
        fields: JSON = {"text": text}
        if entities:
            fields["entities"] = entities
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup is not None:
            fields["reply_markup"] = markup
        message = self._new_message(chat_id, self.users[self.bot_id], fields)
        self._record_sent("sendMessage", message)
        return message

    async def _copy_message(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        from_chat_id = self._chat_id(p, "from_chat_id")
        source = self.messages.get((from_chat_id, self._message_id(p)))
        if source is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        if "text" not in source:
            raise ApiError(400, "Bad Request: message can't be copied")
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat_id, p)
        self._check_can_send(chat_id)
        self._take_send_slot(chat_id)
        fields = {key: source[key] for key in ("text", "entities") if key in source}
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup is not None:
            fields["reply_markup"] = markup
        message = self._new_message(chat_id, self.users[self.bot_id], copy.deepcopy(fields))
        self._record_sent("copyMessage", message)
        return {"message_id": message["message_id"]}

    def _editable(self, p: JSON) -> JSON:
        if "inline_message_id" in p:
            raise ApiError(400, "Bad Request: inline messages are not supported by this server")
        message = self.messages.get((self._chat_id(p), self._message_id(p)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    async def _edit_message_text(self, p: JSON) -> JSON:
        message = self._editable(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._text(p)
        markup = self._reply_markup(p, inline_only=True)
        if (text, entities, markup) == (
            message["text"],
            message.get("entities", []),
            message.get("reply_markup"),
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._take_send_slot(message["chat"]["id"])
        message["text"] = text
        message.pop("entities", None)
        message.pop("reply_markup", None)
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = self.now()
        self._record_sent("editMessageText", message)
        return message

    async def _edit_message_reply_markup(self, p: JSON) -> JSON:
        message = self._editable(p)
        markup = self._reply_markup(p, inline_only=True)
        if markup == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = self.now()
        return message

    async def _delete_message(self, p: JSON) -> bool:
        chat_id = self._chat_id(p)
        key = (chat_id, self._message_id(p))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        if chat_id < 0 and self.messages[key]["from"]["id"] != self.bot_id:
            self._require_right(
                chat_id, "can_delete_messages", "Bad Request: message can't be deleted"
            )
        del self.messages[key]
        return True

    async def _ban_chat_member(self, p: JSON) -> bool:
        chat_id = self._group_id(p, "chat member status can't be changed in private chats")
        user_id = self._user_id(p)
        self._require_right(chat_id, "can_restrict_members", _NO_RESTRICT_RIGHTS)
        self._require_changeable(chat_id, user_id)
        was_in_chat = self._in_chat(chat_id, user_id)
        self._member_change(
            chat_id, user_id, _Member("kicked", until_date=self._until(p)), self.bot_id
        )
        if was_in_chat:
            self._service_message(chat_id, self.bot_id, _left_fields(self.users[user_id]))
        if p.get("revoke_messages") or self.chats[chat_id]["type"] == "group":
            for key in [
                k
                for k, m in self.messages.items()
                if k[0] == chat_id and m["from"]["id"] == user_id
            ]:
                del self.messages[key]
        return True

    async def _unban_chat_member(self, p: JSON) -> bool:
        chat_id = self._group_id(p, "chat member status can't be changed in private chats")
        user_id = self._user_id(p)
        self._require_right(chat_id, "can_restrict_members", _NO_RESTRICT_RIGHTS)
        status = self._member(chat_id, user_id).status
        if p.get("only_if_banned") and status != "kicked":
            return True
        self._require_changeable(chat_id, user_id)
        was_in_chat = self._in_chat(chat_id, user_id)
        if status != "left":
            self._member_change(chat_id, user_id, _Member("left"), self.bot_id)
        if was_in_chat:  # without only_if_banned, unbanning removes a current member
            self._service_message(chat_id, self.bot_id, _left_fields(self.users[user_id]))
        return True

    def _permissions(self, p: JSON) -> dict[str, bool]:
        """ChatPermissions from ``permissions``, with Telegram's implications unless independent."""
        given = p.get("permissions")
        if not isinstance(given, dict):
            raise ApiError(400, "Bad Request: can't parse permissions JSON object")
        permissions = {name: bool(given.get(name, False)) for name in PERMISSIONS}
        if not p.get("use_independent_chat_permissions"):
            if permissions["can_send_other_messages"] or permissions["can_add_web_page_previews"]:
                permissions.update(dict.fromkeys(_MEDIA_PERMISSIONS, True))
            if any(permissions[name] for name in (*_MEDIA_PERMISSIONS, "can_send_polls")):
                permissions["can_send_messages"] = True
        return permissions

    async def _restrict_chat_member(self, p: JSON) -> bool:
        chat_id = self._group_id(p, "method is available only for supergroups")
        if self.chats[chat_id]["type"] != "supergroup":
            raise ApiError(400, "Bad Request: method is available only for supergroups")
        user_id = self._user_id(p)
        self._require_right(chat_id, "can_restrict_members", _NO_RESTRICT_RIGHTS)
        self._require_changeable(chat_id, user_id)
        permissions = self._permissions(p)
        is_member = self._in_chat(chat_id, user_id)
        restricted = self._member(chat_id, user_id).status == "restricted"
        if all(permissions.values()) and (is_member or restricted):  # restrictions lifted
            new = _Member("member" if is_member else "left")
        else:
            new = _Member(
                "restricted", self._until(p), permissions=permissions, is_member=is_member
            )
        self._member_change(chat_id, user_id, new, self.bot_id)
        return True

    async def _set_chat_permissions(self, p: JSON) -> bool:
        chat_id = self._group_id(p, "method is available for supergroup and group chats only")
        self._require_right(
            chat_id,
            "can_restrict_members",
            "Bad Request: not enough rights to change chat permissions",
        )
        self._chat_permissions[chat_id] = self._permissions(p)
        return True

    def _join_request(self, p: JSON) -> tuple[int, int]:
        chat_id = self._group_id(p, "CHAT_ADMIN_REQUIRED")
        user_id = self._user_id(p)
        self._require_right(chat_id, "can_invite_users", "Bad Request: CHAT_ADMIN_REQUIRED")
        if self.join_requests.pop((chat_id, user_id), None) is None:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        return chat_id, user_id

    async def _approve_chat_join_request(self, p: JSON) -> bool:
        chat_id, user_id = self._join_request(p)
        self._join(chat_id, user_id, actor_id=self.bot_id, via_join_request=True)
        return True

    async def _decline_chat_join_request(self, p: JSON) -> bool:
        self._join_request(p)
        return True

    def _caption(self, p: JSON) -> tuple[str, list[JSON]]:
        """Parse ``caption`` with ``parse_mode`` (or ``caption_entities``); 1024 characters at most."""
        caption = str(p.get("caption", ""))
        if "caption_entities" in p:
            entities = p["caption_entities"]
            if not isinstance(entities, list):
                raise ApiError(400, "Bad Request: can't parse caption_entities JSON object")
        else:
            try:
                caption, entities = parse_text(caption, p.get("parse_mode"))
            except KeyError:
                raise ApiError(400, "Bad Request: unsupported parse_mode") from None
            except EntityParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        caption, entities = strip_text(caption, entities)
        if len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption, entities

    def _document(self, p: JSON) -> StoredFile:
        """The file ``document`` names: a new upload (kept), or the file_id of a kept file."""
        given = p.get("document")
        if isinstance(given, str) and given.startswith("attach://"):
            given = p.get(given.removeprefix("attach://"))
        if isinstance(given, Upload):
            if not given.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            if len(given.content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            number = next(self._file_numbers)
            extension = mimetypes.guess_extension(given.mime_type) or ""
            if "." in given.name:
                extension = "." + given.name.rsplit(".", 1)[1]
            stored = StoredFile(
                file_id=f"BQACAgIAAxkDAA{number:06d}{secrets.token_urlsafe(12)}",
                file_unique_id=f"AgAD{number:06d}",
                name=given.name,
                mime_type=given.mime_type,
                content=given.content,
                file_path=f"documents/file_{number}{extension}",
            )
            self.files[stored.file_id] = stored
            return stored
        if isinstance(given, str) and given in self.files:
            return self.files[given]
        if not given:
            raise ApiError(400, "Bad Request: there is no document in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _send_document(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        caption, entities = self._caption(p)
        markup = self._reply_markup(p)
        reply_to = self._reply_to(chat_id, p)
        self._check_can_send(chat_id)
        member = self._member(chat_id, self.bot_id) if chat_id < 0 else None
        if member is not None and member.status == "restricted":
            if not member.permissions.get("can_send_documents"):
                raise ApiError(400, "Bad Request: not enough rights to send documents to the chat")
        stored = self._document(p)
        self._take_send_slot(chat_id)
        fields: JSON = {
            "document": {
                "file_name": stored.name,
                "mime_type": stored.mime_type,
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            }
        }
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        if markup is not None:
            fields["reply_markup"] = markup
        message = self._new_message(chat_id, self.users[self.bot_id], fields)
        self._record_sent("sendDocument", message)
        return message

    async def _get_file(self, p: JSON) -> JSON:
        stored = self.files.get(str(p.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _download(self, request: web.Request) -> web.Response:
        """``GET /file/bot<token>/<file_path>``: a file's bytes, for a path getFile gave."""
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path and len(stored.content) <= MAX_DOWNLOAD_BYTES:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        return ApiError(404, "Not Found").response()

    async def _create_chat_invite_link(self, p: JSON) -> JSON:
        chat_id = self._group_id(p, "can't invite members to a private chat")
        self._require_right(
            chat_id, "can_invite_users", "Bad Request: not enough rights to manage chat invite link"
        )
        # The Bot API server clamps member_limit to 0..100000 before Telegram checks it.
        member_limit = min(max(p.get("member_limit", 0), 0), MAX_MEMBER_LIMIT + 1)
        creates_join_request = bool(p.get("creates_join_request"))
        if creates_join_request and member_limit:
            raise ApiError(
                400,
                "Bad Request: member limit can't be specified for links requiring "
                "administrator approval",
            )
        if member_limit > MAX_MEMBER_LIMIT:
            raise ApiError(400, "Bad Request: USAGE_LIMIT_INVALID")
        expire_date = max(p.get("expire_date", 0), 0)
        if expire_date and expire_date <= self.now():
            raise ApiError(400, "Bad Request: EXPIRE_DATE_INVALID")
        link = InviteLink(
            url=f"https://t.me/+{secrets.token_urlsafe(12)}",
            chat_id=chat_id,
            creator_id=self.bot_id,
            name=str(p.get("name", "")).strip()[:MAX_INVITE_LINK_NAME],
            expire_date=expire_date,
            member_limit=member_limit,
            creates_join_request=creates_join_request,
        )
        self.invite_links[link.url] = link
        return self._invite_link_json(link)

    async def _revoke_chat_invite_link(self, p: JSON) -> JSON:
        chat_id = self._group_id(p, "can't invite members to a private chat")
        self._require_right(
            chat_id, "can_invite_users", "Bad Request: not enough rights to manage chat invite link"
        )
        link = self.invite_links.get(str(p.get("invite_link", "")))
        if link is None or link.chat_id != chat_id:
            raise ApiError(400, "Bad Request: INVITE_HASH_EXPIRED")
        link.is_revoked = True
        return self._invite_link_json(link)

    async def _answer_callback_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(p.get("text", ""))) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.remove(query_id)
        self.callback_answers[query_id] = p
        return True

    def _commands_key(self, p: JSON) -> tuple[str, str]:
        scope = p.get("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in (
                "default",
                "all_private_chats",
                "all_group_chats",
                "all_chat_administrators",
                "chat",
                "chat_administrators",
                "chat_member",
            ):
                raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
            scope = dict(scope)
            if scope["type"].startswith("chat"):
                scope["chat_id"] = self._chat_id(
                    {"chat_id": _coerce("chat_id", scope.get("chat_id"))}
                )
            if scope["type"] == "chat_member":
                scope["user_id"] = self._user_id({"user_id": scope.get("user_id")})
        return scope_key(scope), p.get("language_code") or ""

    async def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, p: JSON) -> list[JSON]:
        return self.commands.get(self._commands_key(p), [])

    async def _delete_my_commands(self, p: JSON) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _pin_chat_message(self, p: JSON) -> bool:
        chat_id = self._chat_id(p)
        message_id = self._message_id(p)
        if (chat_id, message_id) not in self.messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        if chat_id < 0:
            self._require_right(
                chat_id, "can_pin_messages", "Bad Request: not enough rights to pin a message"
            )
        self.pinned[chat_id] = message_id
        return True

    async def _get_chat(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        if chat_id > 0 and chat_id not in self._private:
            raise ApiError(400, "Bad Request: chat not found")
        info = self._chat_json(chat_id) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(
                (
                    "unlimited_gifts",
                    "limited_gifts",
                    "unique_gifts",
                    "premium_subscription",
                    "gifts_from_channels",
                ),
                False,
            ),
        }
        if chat_id < 0:
            info["permissions"] = self._chat_permissions[chat_id]
        return info

    async def _get_chat_member(self, p: JSON) -> JSON:
        chat_id = self._chat_id(p)
        user_id = self._user_id(p)
        if chat_id > 0:
            if chat_id not in self._private:
                raise ApiError(400, "Bad Request: chat not found")
            if user_id not in (chat_id, self.bot_id):
                raise ApiError(400, "Bad Request: user not found")
            status = self._private[chat_id] if user_id == self.bot_id else "member"
            return {"status": status, "user": self.users[user_id]} | (
                {"until_date": 0} if status == "kicked" else {}
            )
        return self._member_json(chat_id, user_id)

    async def _get_chat_administrators(self, p: JSON) -> list[JSON]:
        chat_id = self._group_id(p, "there are no administrators in the private chat")
        return [
            self._member_json(chat_id, user_id)
            for user_id, member in self._members[chat_id].items()
            if member.status in ("administrator", "creator") and not self.users[user_id]["is_bot"]
        ]

    async def _get_chat_member_count(self, p: JSON) -> int:
        chat_id = self._chat_id(p)
        if chat_id > 0:
            return 2
        return sum(self._in_chat(chat_id, user_id) for user_id in self._members[chat_id])

    async def _leave_chat(self, p: JSON) -> bool:
        chat_id = self._group_id(p, "chat member status can't be changed in private chats")
        if not self._in_chat(chat_id, self.bot_id):
            raise ApiError(
                403, f"Forbidden: bot is not a member of the {self.chats[chat_id]['type']} chat"
            )
        self._member_change(chat_id, self.bot_id, _Member("left"), self.bot_id)
        return True


def _left_fields(user: JSON) -> JSON:
    return {"left_chat_member": user, "left_chat_participant": user}


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body parameters (JSON, urlencoded or multipart form)."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, web.FileField):
                params[key] = Upload(value.filename, value.content_type, value.file.read())
    return params
