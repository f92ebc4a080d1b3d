"""Actions out: one ``@performs`` method per action Telegram can carry out, through the outbound queue."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import (
    ChatMemberRestricted,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from sanshe.core.actions import (
    Action,
    AnswerButton,
    ApproveJoin,
    Ban,
    Button,
    DeclineJoin,
    Delete,
    DirectMessage,
    Edit,
    Invite,
    Pin,
    Remove,
    Reply,
    Restrict,
    Send,
    SendFile,
    Unban,
    Unrestrict,
)
from sanshe.core.adapter import ActionFailed, performs
from sanshe.core.i18n import Translator, normalize_locale

from .connection import Connection
from .convert import NETWORK
from .formatting import MAX_CAPTION, MAX_TOAST, keyboard, shortened, split, units, with_mention
from .outbound import Priority

log = logging.getLogger(__name__)

#: The most a bot may send as one file.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The statuses of someone in a group (a restricted one is in it if ``is_member`` says so).
IN_GROUP = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)
#: How long an invitation link works (it lets one person in).
INVITE_HOURS = 24
MAX_LINK_NAME = 32


class Actions(Connection):
    """Carries out core's actions; Telegram's refusals become :class:`ActionFailed`."""

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
        await self._connected()
        try:
            await super().perform(action)
        except ChatMigrated:
            raise
        except TelegramError as exc:
            raise ActionFailed(f"Telegram refused {type(action).__name__}: {exc.message}") from exc

    # -- messages ----------------------------------------------------------------------

    @performs(Send)
    async def _send(self, action: Send) -> None:
        await self._post(_id(action.chat), action.text, action.buttons, None, _priority(action))

    @performs(Reply)
    async def _reply(self, action: Reply) -> None:
        chat, to = _id(action.chat), _id(action.to)
        await self._post(chat, action.text, action.buttons, to, _priority(action))

    @performs(DirectMessage)
    async def _direct(self, action: DirectMessage) -> None:
        """Write privately; when the person never opened a chat with the bot, ask them in the group."""
        priority = _priority(action)
        try:
            await self._post(_id(action.user), action.text, action.buttons, None, priority)
        except Forbidden as exc:
            if action.fallback_chat is None:
                raise
            await self._ask_to_open_private(action.user, _id(action.fallback_chat), priority)
            raise ActionFailed(
                f"{exc.message}; asked them in chat {action.fallback_chat} to open a private chat"
            ) from exc

    @performs(Edit)
    async def _edit(self, action: Edit) -> None:
        """Change a message's text and buttons (an edit that changes nothing is done already)."""
        api = await self._connected()
        assert self._outbound is not None
        if len(split(action.text)) > 1:
            raise ActionFailed("an edited message holds 4096 characters at most")
        chat = _id(action.chat)
        call = functools.partial(
            api.edit_message_text,
            action.text,
            chat_id=chat,
            message_id=_id(action.message_id),
            reply_markup=keyboard(action.buttons),
        )
        try:
            await self._outbound.call(chat, call, message=True, priority=_priority(action))
        except BadRequest as exc:
            if "message is not modified" not in exc.message.lower():
                raise

    @performs(AnswerButton)
    async def _answer_button(self, action: AnswerButton) -> None:
        """Show ``text`` to the person who pressed the button (a toast) and stop its spinner."""
        api = await self._connected()
        assert self._outbound is not None
        lane = _id(action.chat) if action.chat else 0
        text = shortened(action.text, MAX_TOAST) or None
        call = functools.partial(api.answer_callback_query, action.callback_id, text=text)
        await self._outbound.call(lane, call, message=False, priority=_priority(action))
        self._unanswered.discard(action.callback_id)

    @performs(SendFile)
    async def _send_file(self, action: SendFile) -> None:
        """sendDocument to the chat, or privately to the person; a caption too long follows as text."""
        api = await self._connected()
        assert self._outbound is not None
        priority = _priority(action)
        try:
            document = InputFile(await asyncio.to_thread(_contents, action), filename=action.name)
        except OSError as exc:
            raise ActionFailed(f"cannot read {action.path}: {exc.strerror}") from exc
        chat = _id(action.chat or action.user)
        fits = units(action.caption) <= MAX_CAPTION
        call = functools.partial(
            api.send_document, chat, document, caption=action.caption if fits else None
        )
        try:
            await self._outbound.call(chat, call, message=True, priority=priority)
        except Forbidden as exc:
            if not action.user:
                raise
            if action.fallback_chat is not None:
                await self._ask_to_open_private(action.user, _id(action.fallback_chat), priority)
            raise ActionFailed(
                f"{exc.message}: {action.name} was not sent; {_not_opened(api.username)}"
            ) from exc
        if not fits:
            await self._post(chat, action.caption, (), None, priority)

    @performs(Invite)
    async def _invite(self, action: Invite) -> None:
        """Create a link that lets one person in for a day, and send it to them privately."""
        api = await self._connected()
        assert self._bot is not None, "prepare(bot) was not called"
        chat, priority = _id(action.chat), _priority(action)
        _ = self._translator(action.user)
        person = self._bot.directory.person(NETWORK, action.user)
        name = person.name or self._seen.get(action.user, ("", None))[0] or action.user
        group = self._bot.directory.group(NETWORK, action.chat)
        title = (
            group.name
            if group is not None
            else (await self._call(chat, api.get_chat, priority)).title
        )
        link = await self._call(
            chat,
            api.create_chat_invite_link,
            priority,
            expire_date=datetime.now(UTC) + timedelta(hours=INVITE_HOURS),
            member_limit=1,
            name=_("telegram.invite.link_name", name=name)[:MAX_LINK_NAME],
        )
        text = _("telegram.invite", group=title, link=link.invite_link, hours=INVITE_HOURS)
        try:
            await self._post(_id(action.user), text, (), None, priority)
        except Forbidden as exc:
            try:
                await self._call(chat, api.revoke_chat_invite_link, priority, link.invite_link)
            except TelegramError as revoking:
                log.debug("unsent invite link of chat %s not revoked: %s", chat, revoking)
            raise ActionFailed(
                f"{exc.message}: the invitation to chat {action.chat} was not sent to "
                f"{action.user}; {_not_opened(api.username)}"
            ) from exc

    @performs(Delete)
    async def _delete(self, action: Delete) -> None:
        api = await self._connected()
        chat = _id(action.chat)
        await self._call(chat, api.delete_message, _priority(action), _id(action.message_id))

    @performs(Pin)
    async def _pin(self, action: Pin) -> None:
        api = await self._connected()
        chat = _id(action.chat)
        await self._call(chat, api.pin_chat_message, _priority(action), _id(action.message_id))

    # -- members -----------------------------------------------------------------------

    async def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` is in group ``chat`` now, as getChatMember says (left or kicked:
        not); None when Telegram does not answer it."""
        try:
            chat_id, user_id = int(chat), int(user)
        except ValueError:
            return None
        api = await self._connected()
        try:
            member = await self._call(chat_id, api.get_chat_member, Priority.NORMAL, user_id)
        except BadRequest as exc:
            if "user not found" in exc.message.lower():  # no such person in this chat
                return False
            log.info("getChatMember of %s in chat %s refused: %s", user, chat, exc.message)
            return None
        except TelegramError as exc:
            log.info("getChatMember of %s in chat %s failed: %s", user, chat, exc.message)
            return None
        if isinstance(member, ChatMemberRestricted):
            return member.is_member
        return member.status in IN_GROUP

    @performs(Ban)
    async def _ban(self, action: Ban) -> None:
        api = await self._connected()
        await self._call(_id(action.chat), api.ban_chat_member, _priority(action), _id(action.user))

    @performs(Remove)
    async def _remove(self, action: Remove) -> None:
        """Ban, then unban: the person is out but may ask to join again."""
        api = await self._connected()
        chat, user, priority = _id(action.chat), _id(action.user), _priority(action)
        await self._call(chat, api.ban_chat_member, priority, user)
        await self._call(chat, api.unban_chat_member, priority, user, only_if_banned=True)

    @performs(Unban)
    async def _unban(self, action: Unban) -> None:
        api = await self._connected()
        chat, user = _id(action.chat), _id(action.user)
        await self._call(chat, api.unban_chat_member, _priority(action), user, only_if_banned=True)

    @performs(Restrict)
    async def _restrict(self, action: Restrict) -> None:
        """Take every permission; a timed mute also tells Telegram its end (until_date), a
        safety net should the bot not be running to lift it (Telegram takes 30 s to 366 days)."""
        api = await self._connected()
        assert self._bot is not None, "prepare(bot) was not called"
        minutes = action.minutes
        until = self._bot.clock.now() + timedelta(minutes=minutes) if minutes else None
        await self._call(
            _id(action.chat),
            api.restrict_chat_member,
            _priority(action),
            _id(action.user),
            ChatPermissions.no_permissions(),
            until_date=until,
        )

    @performs(Unrestrict)
    async def _unrestrict(self, action: Unrestrict) -> None:
        """Lift a mute: every permission given back, as the Bot API lifts restrictions (what
        the chat's own permissions forbid everyone stays forbidden)."""
        api = await self._connected()
        await self._call(
            _id(action.chat),
            api.restrict_chat_member,
            _priority(action),
            _id(action.user),
            ChatPermissions.all_permissions(),
        )

    @performs(ApproveJoin)
    async def _approve(self, action: ApproveJoin) -> None:
        api = await self._connected()
        chat, user = _id(action.chat), _id(action.user)
        await self._call(chat, api.approve_chat_join_request, _priority(action), user)

    @performs(DeclineJoin)
    async def _decline(self, action: DeclineJoin) -> None:
        api = await self._connected()
        chat, user = _id(action.chat), _id(action.user)
        await self._call(chat, api.decline_chat_join_request, _priority(action), user)

    # -- the calls ---------------------------------------------------------------------

    async def _call(
        self, chat: int, method: Callable[..., Any], priority: Priority, *args: Any, **kwargs: Any
    ) -> Any:
        """Call ``method(chat, *args, **kwargs)`` in ``chat``'s lane (not counted as a message)."""
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
        api = await self._connected()
        assert self._outbound is not None
        markup = keyboard(buttons)
        parts = split(text)
        for number, part in enumerate(parts):
            call = functools.partial(
                api.send_message,
                chat,
                part,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and number == 0
                else None,
                reply_markup=markup if number == len(parts) - 1 else None,
            )
            await self._outbound.call(chat, call, message=True, priority=priority)

    async def _ask_to_open_private(self, user: str, chat: int, priority: Priority) -> None:
        """Mention the person in ``chat`` with a button that opens the bot; nothing private is said."""
        api = await self._connected()
        assert self._outbound is not None
        _ = self._translator(user)
        name = self._seen.get(user, ("", None))[0] or _("telegram.open_private.no_name")
        marker = "\x00"
        text = with_mention(_("telegram.open_private", name=marker), marker, user, name)
        button = InlineKeyboardButton(
            _("telegram.open_private.button"), url=f"https://t.me/{api.username}?start=hello"
        )
        call = functools.partial(
            api.send_message,
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


def _not_opened(username: str) -> str:
    """What to do when a person never opened a private chat with the bot."""
    return (
        f"they have not opened a private chat with the bot: ask them to open "
        f"https://t.me/{username} and press Start, then try again"
    )


def _priority(action: Action) -> Priority:
    return Priority.URGENT if action.urgent else Priority.NORMAL


def _id(value: str) -> int:
    """A Telegram chat, user or message id from core's opaque string."""
    try:
        return int(value)
    except ValueError:
        raise ActionFailed(
            f"{value!r} is not a Telegram id (chats and people are numbers)"
        ) from None


def _contents(action: SendFile) -> bytes:
    """The bytes of the file ``action`` sends, when Telegram would take them (read off the loop)."""
    if action.path:
        _check_size(action.name, os.stat(action.path).st_size)
    data = action.read()
    _check_size(action.name, len(data))
    return data


def _check_size(name: str, size: int) -> None:
    if size == 0:  # Telegram answers an empty upload "Bad Request: file must be non-empty"
        raise ActionFailed(f"{name} is empty: Telegram does not take empty files")
    if size > MAX_FILE_BYTES:
        raise ActionFailed(f"{name} is {size / 2**20:.1f} MB; Telegram bots send 50 MB at most")


def _chat_of(action: Action) -> str | None:
    """The group chat ``action`` happens in (a direct message's fallback chat)."""
    if isinstance(action, DirectMessage) or (isinstance(action, SendFile) and action.user):
        return action.fallback_chat
    chat: str | None = getattr(action, "chat", None)
    return chat


def _in_moved_chat(action: Action, new: str) -> Action | None:
    """``action`` in supergroup ``new`` instead of its basic group; None if it cannot move.

    Message ids do not carry over, so deleting, pinning or editing is dropped and a reply
    is sent as a plain message.  People's ids do.
    """
    match action:
        case Reply():
            return Send(chat=new, text=action.text, buttons=action.buttons, urgent=action.urgent)
        case DirectMessage():
            return replace(action, fallback_chat=new)
        case (
            Send()
            | Ban()
            | Remove()
            | Unban()
            | Restrict()
            | ApproveJoin()
            | DeclineJoin()
            | Invite()
        ):
            return replace(action, chat=new)
        case SendFile() if action.chat:
            return replace(action, chat=new)
        case SendFile():
            return replace(action, fallback_chat=new)
        case _:  # Delete, Pin, Edit: the message is in the old chat
            return None
