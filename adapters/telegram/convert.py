"""From Telegram updates to core events.

Every event carries ``str(update_id)`` as its id, so an update delivered twice
is recognised by core.  Chat and user ids become strings; private chats are
``direct``.  Joins and leaves come from ``chat_member`` updates (the bot must
be a group admin to get them); the service messages that repeat them are not
events, so a join is never seen twice.
"""

from __future__ import annotations

import time
from typing import TypedDict

from telegram import CallbackQuery, ChatJoinRequest, ChatMember, ChatMemberUpdated, Update, User
from telegram import Message as TgMessage
from telegram.constants import ChatMemberStatus, ChatType

from sanshe.core.events import Callback, Event, JoinRequest, MemberJoined, MemberLeft, Message

NETWORK = "telegram"

#: Update kinds the bot asks Telegram for.
ALLOWED_UPDATES = (
    "message",
    "edited_message",
    "callback_query",
    "chat_join_request",
    "chat_member",
)

_ATTACHMENTS = (
    ("photo", "image"),
    ("document", "file"),
    ("video", "video"),
    ("animation", "video"),
    ("video_note", "video"),
    ("voice", "audio"),
    ("audio", "audio"),
    ("sticker", "sticker"),
    ("location", "location"),
    ("venue", "location"),
    ("contact", "contact"),
    ("poll", "poll"),
)
_PRESENT = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)


def to_event(update: Update, bot_username: str) -> Event | None:
    """The core event for ``update``, or None when core has nothing to do with it.

    Commands addressed to another bot (``/start@other_bot``) are not events.
    Edited messages are events in groups (so rules see what the text became),
    except commands, which ran when first sent; private edits are ignored so a
    form's dialog does not take an edit for a new answer.
    """
    event_id = str(update.update_id)
    if update.message is not None:
        return _message(update.message, event_id, bot_username)
    if update.edited_message is not None:
        edited = update.edited_message
        if edited.chat.type == ChatType.PRIVATE or (edited.text or "").startswith("/"):
            return None
        return _message(edited, event_id, bot_username)
    if update.callback_query is not None:
        return _callback(update.callback_query, event_id)
    if update.chat_join_request is not None:
        return _join_request(update.chat_join_request, event_id)
    if update.chat_member is not None:
        return _member_change(update.chat_member, event_id)
    return None


class _Sender(TypedDict):
    sender: str
    sender_name: str
    language: str | None


def _person(user: User) -> _Sender:
    return {
        "sender": str(user.id),
        "sender_name": user.full_name,
        "language": user.language_code,
    }


def _message(message: TgMessage, event_id: str, bot_username: str) -> Message | None:
    user = message.from_user
    if user is None:  # channel posts
        return None
    text = message.text or message.caption or ""
    attachments = tuple(kind for attr, kind in _ATTACHMENTS if getattr(message, attr, None))
    if not text and not attachments:  # service messages: joins, pins, title changes…
        return None
    if text.startswith("/"):
        _, _, addressee = text.split(maxsplit=1)[0].partition("@")
        if addressee and addressee.lower() != bot_username.lower():
            return None
    reply = message.reply_to_message
    return Message(
        network=NETWORK,
        chat=str(message.chat.id),
        event_id=event_id,
        direct=message.chat.type == ChatType.PRIVATE,
        time=message.date.timestamp(),
        text=text,
        message_id=str(message.message_id),
        reply_to=str(reply.message_id) if reply is not None else None,
        attachments=attachments,
        **_person(user),
    )


def _callback(query: CallbackQuery, event_id: str) -> Callback | None:
    message = query.message
    if message is None or query.data is None:  # inline-mode messages, games
        return None
    return Callback(
        network=NETWORK,
        chat=str(message.chat.id),
        event_id=event_id,
        direct=message.chat.type == ChatType.PRIVATE,
        time=time.time(),
        data=query.data,
        message_id=str(message.message_id),
        **_person(query.from_user),
    )


def _join_request(request: ChatJoinRequest, event_id: str) -> JoinRequest:
    return JoinRequest(
        network=NETWORK,
        chat=str(request.chat.id),
        event_id=event_id,
        time=request.date.timestamp(),
        note=request.bio or "",
        **_person(request.from_user),
    )


def _present(member: ChatMember) -> bool:
    if member.status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in _PRESENT


def _member_change(change: ChatMemberUpdated, event_id: str) -> Event | None:
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    if was == now:  # promotions, restrictions of members, bans of people not in the chat
        return None
    kind = MemberJoined if now else MemberLeft
    return kind(
        network=NETWORK,
        chat=str(change.chat.id),
        event_id=event_id,
        time=change.date.timestamp(),
        **_person(change.new_chat_member.user),
    )
