"""The Matrix adapter: rooms are chats, knocks are join requests, the sync token is the checkpoint.

Receiving: one ``/sync`` loop.  The events of a sync response are handed to core
together; only when every one is handled does the adapter store the response's
``next_batch`` token (``storage`` state ``matrix``/``since``), so a crash makes the
next start receive them again and core's de-duplication by event id makes that
harmless.  Events core did not handle are delivered again after a pause; core
sets one aside as a dead letter after its last try (see
:mod:`sanshe.core.dead_letters`), so none is tried forever.  A timeline the homeserver cut short (``limited``) is filled in from
``/messages`` first.  On its very first start the bot does not replay history.

Sending: each message carries a transaction id derived from core's outbox key, so
a send repeated after a crash is recognised by the homeserver, not posted twice.
Buttons are keyed lines of the message and the bot's reactions with those keys; a
person's reaction with a key is the button's press (see :mod:`.buttons`).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import mimetypes
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import nio

from sanshe.core.actions import (
    AnswerButton,
    ApproveJoin,
    Ban,
    Button,
    CreateGroup,
    DeclineJoin,
    Delete,
    DeleteRecent,
    DirectMessage,
    Edit,
    Invite,
    Pin,
    PublishBan,
    Remove,
    Reply,
    Restrict,
    Send,
    SendFile,
    Unban,
    Unrestrict,
    WithdrawBan,
)
from sanshe.core.adapter import ActionFailed, Adapter, Backoff, performing_outbox_key, performs
from sanshe.core.events import Event
from sanshe.core.i18n import FALLBACK, Catalogue, Translator
from sanshe.core.model import Community
from sanshe.core.storage import Storage

from . import provision as provisioning
from .buttons import OFFER_PREFIX, Offer, key_of, listed
from .client import (
    SESSION_FILE,
    LoginRefused,
    Unavailable,
    Unreachable,
    attempt,
    is_rate_limited,
    log_in,
    request,
)
from .convert import NETWORK, answered, is_own_join, reaction, replaced, to_event
from .mutes import Mutes
from .policy import PolicyRoom
from .provision import Say
from .redaction import redact_recent
from .settings import LOCALES, MatrixSettings
from .state import storage_key

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

log = logging.getLogger(__name__)

SINCE = "since"
#: How long one ``/sync`` waits for new events, in milliseconds.
POLL_MS = 30_000
#: Reconnect delays: the first, and the longest (doubling in between).
FIRST_DELAY, LONGEST_DELAY = 1.0, 60.0
#: Events per room in one sync; more are fetched from ``/messages``, a page at a time.
TIMELINE, BACKFILL_PAGE = 50, 100
#: The senders of this many recent messages are kept, for the replies that answer them.
AUTHORS = 10_000

_QUIET = {"not_types": ["*"]}
SYNC_FILTER: dict[str, Any] = {
    "presence": _QUIET,
    "account_data": _QUIET,
    "room": {"timeline": {"limit": TIMELINE}, "ephemeral": _QUIET, "account_data": _QUIET},
}
#: The first sync of a run only learns the rooms; its timeline is not handled.
FIRST_FILTER: dict[str, Any] = {
    **SYNC_FILTER,
    "room": {**SYNC_FILTER["room"], "timeline": {"limit": 1}},
}

#: How long a command waits for an unreachable homeserver to say who is in a room.
MEMBERS_PATIENCE = 10.0

UNREACHABLE = (
    "cannot reach the Matrix homeserver %s (%s); trying again in %.0f s. "
    "Check that it is running and that this machine can reach it."
)


def notice(body: str) -> dict[str, Any]:
    """The content of a notice, what bots post (so other bots do not answer it)."""
    return {"msgtype": "m.notice", "body": body}


class MatrixAdapter(Adapter):
    """Serves a community on a Matrix homeserver through one bot account (matrix-nio).

    It performs what it has a ``@performs`` method for: a mute is a power-level
    change (:mod:`.mutes`), the community's ban list a policy room (:mod:`.policy`).
    """

    network = NETWORK

    def __init__(self, settings: MatrixSettings) -> None:
        self.settings = settings
        self.client: nio.AsyncClient | None = None
        self._connecting = asyncio.Lock()
        self._bot: Bot | None = None
        self._since: str | None = None
        self._rooms_by_alias: dict[str, str] = {}
        self._direct: dict[tuple[str, str], bool] = {}
        self._created_direct: set[str] = set()
        self._authors: dict[str, str] = {}
        """Sender by event id of recent messages (at most ``AUTHORS``, the oldest go first)."""
        self._edits: dict[str, list[str]] = {}
        """The edits of recent messages by the message's event id (at most ``AUTHORS``): a
        deleted message's edits are redacted with it, as they hold its text too."""
        self._mutes = Mutes()
        self._policy = PolicyRoom(settings)
        self._ = Translator(Catalogue([LOCALES]), FALLBACK)

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> MatrixAdapter:
        """An adapter for the ``adapters.matrix`` section of the community file."""
        return cls(MatrixSettings.read(settings))

    @property
    def me(self) -> str:
        """The bot's Matrix id."""
        return self.settings.user_id

    # -- connecting ------------------------------------------------------------------------

    async def connect(self) -> nio.AsyncClient:
        """The logged-in client; logs in first, waiting for the homeserver as long as it takes."""
        async with self._connecting:
            backoff = Backoff(FIRST_DELAY, LONGEST_DELAY)
            while self.client is None:
                try:
                    self.client = await log_in(self.settings)
                except Unreachable as exc:
                    delay = backoff.delay()
                    log.warning(UNREACHABLE, self.settings.homeserver, exc, delay)
                    await asyncio.sleep(delay)
            return self.client

    async def close(self) -> None:
        """Close the connection to the homeserver."""
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def prepare(self, bot: Bot) -> None:
        """Log in, learn the rooms and map the YAML's rooms to groups, before core replays its outbox.

        On the very first start the current sync position is stored as the starting
        point, so that earlier history is not handled as new.
        """
        self._bot = bot
        bot.catalogue.add_folder(LOCALES)
        self._ = Translator(bot.catalogue, bot.community.locale)
        await self.connect()
        first = await self._sync(None, 0, FIRST_FILTER)
        self._since = await bot.storage.get_state(NETWORK, SINCE)
        if self._since is None:
            await self._answer_invites(bot, first)
            self._since = first.next_batch
            await bot.storage.set_state(NETWORK, SINCE, self._since)
            log.info("first start as %s: history before now is not handled", self.me)
        else:
            log.info("resuming from the stored sync position")
        await self._map_rooms(bot)

    async def _map_rooms(self, bot: Bot) -> None:
        """Resolve the YAML's room aliases, bind them, and join the YAML's rooms not yet joined."""
        client = await self.connect()
        for group in bot.community.groups:
            chat = group.chats.get(NETWORK)
            if not chat:
                continue
            try:
                room_id = await self._room(chat)
            except ActionFailed as exc:
                log.warning("group %s: room %s cannot be used: %s", group.id, chat, exc.reason)
                continue
            bot.directory.bind(NETWORK, room_id, group.id)
            if room_id in client.rooms or room_id in client.invited_rooms:
                continue  # joined already, or the invitation was just answered
            try:
                await request(f"join {chat}", partial(client.join, room_id))
                log.info("joined %s (%s) for group %s", chat, room_id, group.id)
            except ActionFailed as exc:
                log.warning(
                    "group %s: cannot join %s (%s); invite %s there",
                    group.id,
                    chat,
                    exc.reason,
                    self.me,
                )

    # -- receiving -------------------------------------------------------------------------

    async def run(self, bot: Bot) -> None:
        """Sync until cancelled; store the sync token only after its events were handled."""
        if self._bot is not bot:
            await self.prepare(bot)
        try:
            await self._receive(bot)
        finally:
            # Let what is queued be performed before the connection closes.
            await bot.dispatcher.drain()
            await self.close()

    async def _receive(self, bot: Bot) -> None:
        outage = Backoff(FIRST_DELAY, LONGEST_DELAY)
        retry = Backoff(FIRST_DELAY, LONGEST_DELAY)
        while True:
            response = await self._sync(self._since, POLL_MS, SYNC_FILTER)
            try:
                failed = await self._handle(bot, response)
            except Unreachable as exc:
                delay = outage.delay()
                log.warning(UNREACHABLE, self.settings.homeserver, exc, delay)
                await asyncio.sleep(delay)
                continue
            outage.reset()
            if failed:
                # Core counts each event's tries and sets it aside after the last one (which
                # counts as handled), so only a database that takes nothing keeps them here.
                delay = retry.delay()
                log.error(
                    "%d event(s) were not handled (%s); delivering them again in %.0f s",
                    len(failed),
                    ", ".join(failed[:5]),
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            retry.reset()
            self._since = response.next_batch
            await bot.storage.set_state(NETWORK, SINCE, self._since)

    async def _sync(
        self, since: str | None, timeout: int, sync_filter: dict[str, Any]
    ) -> nio.SyncResponse:
        """One sync, repeated (with capped exponential backoff) until the homeserver answers."""
        backoff = Backoff(FIRST_DELAY, LONGEST_DELAY)
        while True:
            client = await self.connect()
            try:
                response = await attempt(
                    partial(client.sync, timeout=timeout, since=since, sync_filter=sync_filter)
                )
            except Unreachable as exc:
                delay = backoff.delay()
                log.warning(UNREACHABLE, self.settings.homeserver, exc, delay)
                await asyncio.sleep(delay)
                continue
            if isinstance(response, nio.SyncResponse):
                if backoff.failures:
                    log.warning(
                        "reached the Matrix homeserver %s again after %d failed attempt(s)",
                        self.settings.homeserver,
                        backoff.failures,
                    )
                return response
            if response.status_code == "M_UNKNOWN_TOKEN" and self.settings.password:
                log.warning("the homeserver ended the bot's session; logging in again")
                await self.close()
                (self.settings.store_path / SESSION_FILE).unlink(missing_ok=True)
                continue
            if response.status_code == "M_UNKNOWN_TOKEN":
                raise LoginRefused(
                    f"{self.settings.homeserver} no longer accepts the access token of {self.me}: "
                    "give a new one (SANSHE_MATRIX_ACCESS_TOKEN or adapters.matrix.access_token)"
                )
            delay = (
                response.retry_after_ms / 1000
                if is_rate_limited(response) and response.retry_after_ms
                else backoff.delay()
            )
            log.warning(
                "sync refused by the homeserver (%s); trying again in %.1f s", response, delay
            )
            await asyncio.sleep(delay)

    async def _handle(self, bot: Bot, response: nio.SyncResponse) -> list[str]:
        """Give core the events of one sync response; return the ids of those not handled."""
        events: list[Event] = []
        for room_id, room in response.rooms.join.items():
            sources = [e.source for e in room.timeline.events]
            if room.timeline.limited and room.timeline.prev_batch:
                sources = await self._backfill(room_id, room.timeline.prev_batch) + sources
            events.extend(await self._room_events(bot, room_id, sources))
        await self._answer_invites(bot, response)
        for room_id in response.rooms.leave:
            group = bot.directory.group(NETWORK, room_id)
            if group is not None:
                log.warning(
                    "the bot is no longer in %s, the room of group %s: invite it back",
                    room_id,
                    group.id,
                )
        log.debug("handing %d event(s) to core", len(events))
        results = await asyncio.gather(*(bot.submit(e) for e in events), return_exceptions=True)
        return [
            e.event_id for e, r in zip(events, results, strict=True) if isinstance(r, BaseException)
        ]

    async def _backfill(self, room_id: str, prev_batch: str) -> list[dict[str, Any]]:
        """The events between the stored sync position and a cut-short timeline, oldest first.

        Stops at the bot's own join: what came before it is not the bot's to handle.
        """
        client = await self.connect()
        found: list[dict[str, Any]] = []
        token = prev_batch
        while True:
            page = await attempt(
                partial(
                    client.room_messages, room_id, start=token, end=self._since, limit=BACKFILL_PAGE
                )
            )
            if isinstance(page, nio.ErrorResponse):
                log.warning("could not fetch the events missed in %s: %s", room_id, page)
                break
            for event in page.chunk:
                found.append(event.source)
                if is_own_join(event.source, self.me):
                    return list(reversed(found))
            if not page.chunk or not page.end or page.end == token:
                break
            token = page.end
        if found:
            log.info("fetched %d event(s) the sync of %s left out", len(found), room_id)
        return list(reversed(found))

    async def _room_events(
        self, bot: Bot, room_id: str, sources: list[dict[str, Any]]
    ) -> list[Event]:
        """Core events for a room's new timeline; whatever precedes the bot's own join is skipped."""
        start = 0
        for index, source in enumerate(sources):
            if is_own_join(source, self.me):
                start = index + 1
        room = self.client.rooms.get(room_id) if self.client else None

        def name_of(user: str) -> str:
            member = room.users.get(user) if room else None
            return (member.display_name or "") if member else ""

        offers: dict[str, Offer] = {}
        for source in sources[start:]:
            annotated = reaction(source)
            pressed = annotated and source.get("sender") != self.me and key_of(annotated[1])
            if annotated and pressed and annotated[0] not in offers:
                offers[annotated[0]] = await self._offer_of(annotated[0])

        def button(message_id: str, key: str) -> str | None:
            offer = offers.get(message_id)
            return offer.buttons.get(key) if offer else None

        await self._learn_authors(room_id, sources[start:])
        events: list[Event] = []
        for source in sources[start:]:
            sender = source.get("sender")
            direct = isinstance(sender, str) and await self._is_direct(bot, room_id, sender)
            event = to_event(source, room_id, self.me, direct, name_of, button, self._authors.get)
            if event is not None:
                events.append(event)
        return events

    async def _learn_authors(self, room_id: str, sources: list[dict[str, Any]]) -> None:
        """Remember who sent each message of ``sources``, who sent the ones they reply to or
        edit, and which messages they edit.

        A reply to (an edit of) a message not seen lately (before a restart, or long
        ago) makes the adapter fetch that event; when that fails, the reply names no
        one (the edit stands for itself).
        """
        for source in sources:
            event_id, sender = source.get("event_id"), source.get("sender")
            if source.get("type") == "m.room.message" and isinstance(event_id, str):
                self._remember_author(event_id, sender)
                if edited := replaced(source):
                    self._remember_edit(edited, event_id)
        unknown = {
            t for s in sources if (t := answered(s) or replaced(s)) and t not in self._authors
        }
        if not unknown:
            return
        client = await self.connect()
        for target in unknown:
            try:
                found = await attempt(partial(client.room_get_event, room_id, target))
            except Unreachable as exc:
                log.info("could not learn who sent %s, answered or edited: %s", target, exc)
                continue
            if isinstance(found, nio.ErrorResponse):
                log.info("could not learn who sent %s, answered or edited: %s", target, found)
                continue
            self._remember_author(target, found.event.source.get("sender"))

    def _remember_edit(self, edited: str, edit: str) -> None:
        if len(self._edits) >= AUTHORS and edited not in self._edits:
            del self._edits[next(iter(self._edits))]
        self._edits.setdefault(edited, []).append(edit)

    def _remember_author(self, event_id: str, sender: object) -> None:
        if not isinstance(sender, str):
            return
        if len(self._authors) >= AUTHORS and event_id not in self._authors:
            del self._authors[next(iter(self._authors))]
        self._authors[event_id] = sender

    async def _is_direct(self, bot: Bot, room_id: str, user: str) -> bool:
        """Whether ``room_id`` is the bot's private chat with ``user``."""
        known = self._direct.get((room_id, user))
        if known is None:
            stored = await bot.storage.get_state(NETWORK, storage_key("dm:", user))
            known = self._direct[(room_id, user)] = stored == room_id
        return known

    async def _answer_invites(self, bot: Bot, response: nio.SyncResponse) -> None:
        """Join rooms known staff invite the bot to, and anyone's direct chat with it (a resident
        asking for help); decline everyone else's invitations."""
        client = await self.connect()
        staff = {p.handles[NETWORK] for p in bot.community.people if NETWORK in p.handles}
        for room_id, info in response.rooms.invite.items():
            invite = next(
                (
                    e
                    for e in info.invite_state
                    if e.source.get("type") == "m.room.member"
                    and e.source.get("state_key") == self.me
                ),
                None,
            )
            inviter = str(invite.source.get("sender", "")) if invite is not None else ""
            # nio moves the event's content out of ``source`` into ``content``
            content: dict[str, Any] = getattr(invite, "content", None) or {}
            direct = bool(content.get("is_direct"))
            if inviter not in staff and not (direct and inviter):
                log.info(
                    "declined the invitation to %s from %s: not on the staff list", room_id, inviter
                )
                await self._quietly(
                    f"decline the invitation to {room_id}", partial(client.room_leave, room_id)
                )
                continue
            if not await self._quietly(f"join {room_id}", partial(client.join, room_id)):
                continue
            log.info("joined %s, invited by %s", room_id, inviter)
            if direct:
                await bot.storage.set_state(NETWORK, storage_key("dm:", inviter), room_id)
                self._direct[(room_id, inviter)] = True

    async def _quietly(self, what: str, send: Callable[[], Awaitable[object]]) -> bool:
        """Make a request whose refusal is logged, not raised; return whether it worked.

        An unreachable homeserver raises :class:`Unreachable`: the sync batch is tried again.
        """
        try:
            await request(what, send)
        except Unavailable as exc:
            raise Unreachable(exc.reason) from exc
        except ActionFailed as exc:
            log.warning("could not %s", exc.reason)
            return False
        return True

    # -- members ---------------------------------------------------------------------------

    async def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` has joined room ``chat`` (invited, knocking or gone: not), from the
        room state the sync keeps; the first time the state lacks them, from the homeserver's
        list of joined members.  None when the bot is not in the room or it cannot be asked."""
        client = await self.connect()
        try:
            room_id = await self._room(chat)
            room = client.rooms.get(room_id)
            if room is None:
                return None
            known = room.users.get(user)
            if known is not None and not known.invited:
                return True
            if room.members_synced:
                return False
            joined = await request(
                f"read who is in {room_id}",
                partial(client.joined_members, room_id),
                patience=MEMBERS_PATIENCE,
            )
        except ActionFailed as exc:
            log.info("cannot tell whether %s is in %s: %s", user, chat, exc.reason)
            return None
        return any(m.user_id == user for m in joined.members)

    # -- performing ------------------------------------------------------------------------

    @performs(Send)
    async def send(self, action: Send) -> None:
        """Post a notice in the room, its buttons as reactions."""
        await self._send(await self._room(action.chat), action.text, action.buttons)

    @performs(Reply)
    async def reply(self, action: Reply) -> None:
        """Post a notice in reply to a message."""
        room = await self._room(action.chat)
        await self._send(room, action.text, action.buttons, reply_to=action.to)

    @performs(Delete)
    async def delete(self, action: Delete) -> None:
        """Redact the message, and the edits of it the bot has seen."""
        client = await self.connect()
        room = await self._room(action.chat)
        await request(
            f"redact {action.message_id}",
            partial(client.room_redact, room, action.message_id, tx_id=self._txn()),
        )
        for edit in self._edits.get(action.message_id, ()):
            await request(
                f"redact {edit}",
                partial(client.room_redact, room, edit, tx_id=self._txn(f"redact {edit}")),
            )
        self._edits.pop(action.message_id, None)

    @performs(Remove)
    async def remove(self, action: Remove) -> None:
        """Kick the person (they may knock again)."""
        client = await self.connect()
        room = await self._room(action.chat)
        await request(
            f"kick {action.user}",
            partial(client.room_kick, room, action.user, action.reason or None),
        )

    @performs(DeclineJoin)
    async def decline_join(self, action: DeclineJoin) -> None:
        """Turn away a knock: a kick with the reason (the adapter's own when none is given)."""
        client = await self.connect()
        room = await self._room(action.chat)
        reason = action.reason or self._("matrix.decline.reason")
        await request(
            f"turn away {action.user}", partial(client.room_kick, room, action.user, reason)
        )

    @performs(Ban)
    async def ban(self, action: Ban) -> None:
        """Ban the person from the room."""
        client = await self.connect()
        room = await self._room(action.chat)
        await request(
            f"ban {action.user}", partial(client.room_ban, room, action.user, action.reason or None)
        )

    @performs(Unban)
    async def unban(self, action: Unban) -> None:
        """Lift a ban (the person may knock or be invited again)."""
        client = await self.connect()
        room = await self._room(action.chat)
        await request(f"unban {action.user}", partial(client.room_unban, room, action.user))

    @performs(Restrict)
    async def restrict(self, action: Restrict) -> None:
        """Mute: the person's power level below what posting needs (their own level noted).

        A timed mute is lifted by the :class:`Unrestrict` its plugin emits on time.
        """
        client = await self.connect()
        room = await self._room(action.chat)
        await self._mutes.mute(client, self._started().storage, room, action.user)

    @performs(Unrestrict)
    async def unrestrict(self, action: Unrestrict) -> None:
        """Lift a mute: the person's power level back to what the mute noted."""
        client = await self.connect()
        room = await self._room(action.chat)
        await self._mutes.unmute(client, self._started().storage, room, action.user)

    @performs(PublishBan)
    async def publish_ban(self, action: PublishBan) -> None:
        """Write the person's ``m.policy.rule.user`` ban in the policy room (created the first time)."""
        client = await self.connect()
        room = await self._policy.room(client, self._started().community, self._, create=True)
        assert room is not None
        await self._policy.publish(client, room, action.user, action.reason)

    @performs(WithdrawBan)
    async def withdraw_ban(self, action: WithdrawBan) -> None:
        """Empty the person's rule in the policy room (nothing to do when there is no such room)."""
        client = await self.connect()
        room = await self._policy.room(client, self._started().community, self._, create=False)
        if room is not None:
            await self._policy.withdraw(client, room, action.user)

    @performs(DeleteRecent)
    async def delete_recent(self, action: DeleteRecent) -> None:
        """Redact what the person posted in the room in the last ``hours``."""
        client = await self.connect()
        room = await self._room(action.chat)
        await redact_recent(client, room, action.user, action.hours, self._txn)

    def _started(self) -> Bot:
        """The bot this adapter serves (:class:`ActionFailed` before it started)."""
        if self._bot is None:
            raise ActionFailed("this action needs the bot to be started")
        return self._bot

    @performs(ApproveJoin)
    async def approve_join(self, action: ApproveJoin) -> None:
        """Let a knock in: invite the person who knocked."""
        await self._invite(action.chat, action.user)

    @performs(Invite)
    async def invite(self, action: Invite) -> None:
        """Invite the person into the room (their client shows the invitation)."""
        await self._invite(action.chat, action.user)

    async def _invite(self, chat: str, user: str) -> None:
        client = await self.connect()
        room = await self._room(chat)
        await request(f"invite {user}", partial(client.room_invite, room, user))

    @performs(Edit)
    async def edit(self, action: Edit) -> None:
        """Replace the text of a message of the bot's (``m.replace``); its buttons follow."""
        client = await self.connect()
        room = await self._room(action.chat)
        body = listed(action.text, action.buttons)
        content = {
            **notice(f"* {body}"),
            "m.new_content": notice(body),
            "m.relates_to": {"rel_type": "m.replace", "event_id": action.message_id},
        }
        await request(
            f"edit {action.message_id}",
            partial(client.room_send, room, "m.room.message", content, tx_id=self._txn()),
        )
        shown = await self._offer_of(action.message_id)
        if action.buttons or shown.buttons or shown.reactions:
            await self._show(room, action.message_id, Offer.of(action.buttons, shown))

    @performs(AnswerButton)
    async def answer_button(self, action: AnswerButton) -> None:
        """Answer a press: its ``text`` to the person who pressed alone, then take back their reaction.

        Matrix has no private toast.  Pressed in the bot's private room with the person,
        the text is a notice there, replying to the message whose button was pressed;
        pressed in a group, it goes to their private room (opened when there is none),
        and the group sees nothing of it.  Their reaction is redacted either way, so
        that the button can be pressed again; where the bot may not redact it, it stays.
        """
        if not action.chat:
            raise ActionFailed("on Matrix an AnswerButton needs the chat of the press")
        room = await self._room(action.chat)
        try:
            if action.text:
                await self._tell_presser(room, action.callback_id, action.text)
        finally:
            await self._take_back(room, action.callback_id)

    async def _tell_presser(self, room: str, press: str, text: str) -> None:
        """Write ``text`` to whoever made the reaction ``press`` in ``room``, privately."""
        client = await self.connect()
        found = await request(
            f"read the press {press}", partial(client.room_get_event, room, press)
        )
        source = found.event.source
        sender = str(source.get("sender", ""))
        if not await self._is_private(room, sender):
            try:
                private = await self._direct_room(sender)
            except Unavailable:
                raise
            except ActionFailed as exc:
                raise ActionFailed(
                    f"the answer to the press {press} was not sent: {exc.reason}"
                ) from exc
            await self._send(private, text)
            return
        content = {**notice(text), "m.mentions": {"user_ids": [sender]}}
        if annotated := reaction(source):
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": annotated[0]}}
        await request(
            f"answer the press {press}",
            partial(client.room_send, room, "m.room.message", content, tx_id=self._txn()),
        )

    async def _take_back(self, room: str, press: str) -> None:
        """Redact the reaction ``press`` (left as it is where the bot may not)."""
        client = await self.connect()
        taken = await request(
            f"take back the press {press}",
            partial(client.room_redact, room, press, tx_id=self._txn("redact")),
            allow=frozenset({"M_FORBIDDEN"}),
        )
        if isinstance(taken, nio.ErrorResponse):
            log.info("the bot may not redact reactions in %s: the press stays shown", room)

    @performs(SendFile)
    async def send_file(self, action: SendFile) -> None:
        """Upload the file to the media repository and post it as ``m.file`` (in a room or privately)."""
        client = await self.connect()
        room = (
            await self._room(action.chat)
            if action.chat
            else await self._private_room(action.user, action.fallback_chat)
        )
        data = await asyncio.to_thread(action.read)
        mimetype = mimetypes.guess_type(action.name)[0] or "application/octet-stream"

        async def upload() -> nio.UploadResponse | nio.UploadError:
            answer, _keys = await client.upload(
                io.BytesIO(data), content_type=mimetype, filename=action.name, filesize=len(data)
            )
            return answer

        uploaded = await request(f"upload {action.name}", upload)
        content = {
            "msgtype": "m.file",
            "body": action.caption or action.name,
            "filename": action.name,
            "url": uploaded.content_uri,
            "info": {"mimetype": mimetype, "size": len(data)},
        }
        await request(
            f"send {action.name} to {room}",
            partial(client.room_send, room, "m.room.message", content, tx_id=self._txn()),
        )

    def _txn(self, part: str = "") -> str:
        """A transaction id: the same when core performs the same outbox action again.

        ``part`` tells apart the requests one action makes (each reaction of a message).
        """
        key = performing_outbox_key.get()
        if key is None:
            return f"sanshe.{uuid.uuid4().hex}"
        if part:
            key = f"{key}|{part}"
        return "sanshe." + hashlib.sha256(key.encode()).hexdigest()[:40]

    async def _room(self, chat: str) -> str:
        """The room id of ``chat``: a room id, or an alias resolved once."""
        if not chat.startswith("#"):
            return chat
        if chat not in self._rooms_by_alias:
            client = await self.connect()
            room_id = await provisioning.resolve(client, chat)
            if room_id is None:
                raise ActionFailed(f"there is no room {chat}")
            self._rooms_by_alias[chat] = room_id
        return self._rooms_by_alias[chat]

    async def _send(
        self, room_id: str, text: str, buttons: tuple[Button, ...] = (), reply_to: str | None = None
    ) -> None:
        """Post a notice (what bots post, so other bots do not answer it), buttons as reactions."""
        client = await self.connect()
        content = notice(listed(text, buttons))
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        sent = await request(
            f"send to {room_id}",
            partial(client.room_send, room_id, "m.room.message", content, tx_id=self._txn()),
        )
        if buttons:
            await self._show(room_id, sent.event_id, Offer.of(buttons))

    async def _offer_of(self, message_id: str) -> Offer:
        """The buttons ``message_id`` offers (none when it is not a message with buttons)."""
        if self._bot is None:
            return Offer()
        stored = await self._bot.storage.get_state(NETWORK, storage_key(OFFER_PREFIX, message_id))
        return Offer.from_json(stored)

    async def _show(self, room_id: str, message_id: str, offer: Offer) -> None:
        """Remember ``offer`` for ``message_id``, and make the bot's reactions its keys.

        The offer is stored before the reactions are added, so a press is understood
        as soon as it can be made, and again with the reactions' ids afterwards.
        """
        if self._bot is None:
            raise ActionFailed("buttons need the bot to be started")
        client = await self.connect()
        key = storage_key(OFFER_PREFIX, message_id)
        await self._bot.storage.set_state(NETWORK, key, offer.to_json())
        for button in [k for k in offer.buttons if k not in offer.reactions]:
            annotation = {
                "m.relates_to": {"rel_type": "m.annotation", "event_id": message_id, "key": button}
            }
            added = await request(
                f"react to {message_id}",
                partial(
                    client.room_send, room_id, "m.reaction", annotation, tx_id=self._txn(button)
                ),
                allow=frozenset({"M_DUPLICATE_ANNOTATION"}),
            )
            if not isinstance(added, nio.ErrorResponse):
                offer.reactions[button] = added.event_id
        for button, shown in [(k, r) for k, r in offer.reactions.items() if k not in offer.buttons]:
            await request(
                f"take back the reaction {shown}",
                partial(client.room_redact, room_id, shown, tx_id=self._txn(f"redact {button}")),
            )
            del offer.reactions[button]
        await self._bot.storage.set_state(NETWORK, key, offer.to_json())

    async def _is_private(self, room_id: str, user: str) -> bool:
        return self._bot is not None and await self._is_direct(self._bot, room_id, user)

    @performs(DirectMessage)
    async def direct_message(self, action: DirectMessage) -> None:
        """Write in the bot's private room with the person (opened when there is none)."""
        room_id = await self._private_room(action.user, action.fallback_chat)
        await self._send(room_id, action.text, action.buttons)

    async def _private_room(self, user: str, fallback_chat: str | None) -> str:
        """The bot's private room with ``user``, for an action meant for them alone.

        When it cannot be opened, ``fallback_chat`` (if any) is asked, naming the person
        only, to open one, and :class:`ActionFailed` says so.
        """
        try:
            return await self._direct_room(user)
        except Unavailable:
            raise
        except ActionFailed as exc:
            if not fallback_chat:
                raise
            note = self._("matrix.direct.fallback", user=user)
            await self._send(await self._room(fallback_chat), note)
            raise ActionFailed(
                f"{exc.reason}; asked them in {fallback_chat} to open a private chat"
            ) from exc

    async def _direct_room(self, user: str) -> str:
        """The bot's private chat with ``user``: the one remembered, or a new one."""
        if self._bot is None:
            raise ActionFailed("private chats need the bot to be started")
        client = await self.connect()
        key = storage_key("dm:", user)
        room_id = await self._bot.storage.get_state(NETWORK, key)
        if room_id is not None:
            room = client.rooms.get(room_id)
            if (room is not None and user in room.users) or room_id in self._created_direct:
                return room_id
        # The homeserver invites unknown accounts without complaint: make sure this one exists.
        profile = await request(
            f"look up {user}", partial(client.get_profile, user), allow=frozenset({"M_FORBIDDEN"})
        )
        if isinstance(profile, nio.ErrorResponse):
            log.info(
                "cannot check that %s exists (%s); opening the private chat anyway", user, profile
            )
        created = await request(
            f"open a private chat with {user}",
            partial(
                client.room_create,
                is_direct=True,
                invite=[user],
                preset=nio.RoomPreset.private_chat,
            ),
        )
        await self._bot.storage.set_state(NETWORK, key, created.room_id)
        self._created_direct.add(created.room_id)
        self._direct[(created.room_id, user)] = True
        return created.room_id

    @performs(Pin)
    async def pin(self, action: Pin) -> None:
        """Add the message to the room's pinned events."""
        client = await self.connect()
        room_id, message_id = await self._room(action.chat), action.message_id
        current = await request(
            f"read the pins of {room_id}",
            partial(client.room_get_state_event, room_id, "m.room.pinned_events"),
            allow=frozenset({"M_NOT_FOUND"}),
        )
        pinned = (
            []
            if isinstance(current, nio.ErrorResponse)
            else list(current.content.get("pinned", []))
        )
        if message_id not in pinned:
            await request(
                f"pin {message_id}",
                partial(
                    client.room_put_state,
                    room_id,
                    "m.room.pinned_events",
                    {"pinned": [*pinned, message_id]},
                ),
            )

    @performs(CreateGroup)
    async def create_group(self, action: CreateGroup) -> None:
        """Create the room of a group (as provisioning would), bind it, invite who is named."""
        bot = self._bot
        if bot is None:
            raise ActionFailed("creating a room needs the bot to be started")
        group = bot.community.group(action.group_id)
        if group is None:
            raise ActionFailed(f"there is no group {action.group_id}")
        existing = bot.directory.chat_of(NETWORK, group.id)
        if existing is not None:
            log.info("group %s already has room %s; not creating another", group.id, existing)
            return
        client = await self.connect()
        privileged = provisioning.creators_privileged(
            await provisioning.default_room_version(client)
        )
        options = provisioning.group_room_options(bot.community, group, self.me, privileged)
        options.update(name=action.name, topic=action.topic or options["topic"])
        created = await request(
            f"create the room of {group.id}", partial(client.room_create, **options)
        )
        await bot.bound(NETWORK, created.room_id, group.id, "CreateGroup")
        for user in action.invite:
            await request(f"invite {user}", partial(client.room_invite, created.room_id, user))

    # -- provisioning ------------------------------------------------------------------------

    async def provision(self, community: Community, storage: Storage, say: Say) -> None:
        """``sanshe provision --network matrix``: create the rooms of the groups that have none."""
        client = await self.connect()
        try:
            await provisioning.provision(client, self.settings, community, storage, say)
        finally:
            await self.close()
