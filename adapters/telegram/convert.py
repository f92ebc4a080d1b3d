"""From Telegram updates, as the Bot API sends them (decoded JSON), to core events.

The adapter reads updates as plain JSON rather than as python-telegram-bot
objects: building an ``Update`` for a group message costs several times more
than everything core does with the event (see ``bench/telegram_dispatch.py``).

Every event carries ``str(update_id)`` as its id, so an update delivered twice
is recognised by core.  Chat and user ids become strings; private chats are
``direct``.  Joins and leaves come from ``chat_member`` updates (the bot must
be a group admin to get them); the service messages that repeat them are not
events, so a join is never seen twice.  A reply names the person answered
(``reply_to_sender``), but not when it answers the bot or a message sent on
behalf of a chat; the first message of a forum topic, which Telegram gives as
``reply_to_message`` to every message in the topic, is no reply at all.  A
shared contact card is a message whose text is its phone number (a venue: its
name and address), so the privacy guard sees what the group would.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from sanshe.core.events import Callback, Event, JoinRequest, MemberJoined, MemberLeft, Message

NETWORK = "telegram"

Json = dict[str, Any]
"""A Bot API object (Update, Message, User…) as decoded JSON."""

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
_PRESENT = frozenset({"member", "administrator", "creator"})


def to_event(update: Json, bot_username: str) -> Event | None:
    """The core event for ``update``, or None when core has nothing to do with it.

    Commands addressed to another bot (``/start@other_bot``) are not events.
    Edited messages are events in groups (so rules see what the text became),
    except commands, which ran when first sent; private edits are ignored so a
    form's dialog does not take an edit for a new answer.
    """
    event_id = str(update["update_id"])
    message = update.get("message")
    if message is not None:
        return _message(message, event_id, bot_username)
    edited = update.get("edited_message")
    if edited is not None:
        if edited["chat"]["type"] == "private" or edited.get("text", "").startswith("/"):
            return None
        return _message(edited, event_id, bot_username)
    query = update.get("callback_query")
    if query is not None:
        return _callback(query, event_id)
    request = update.get("chat_join_request")
    if request is not None:
        return _join_request(request, event_id)
    change = update.get("chat_member")
    if change is not None:
        return _member_change(change, event_id)
    return None


def migration(update: Json) -> tuple[str, str] | None:
    """(old chat, new chat) when ``update`` says a basic group became a supergroup."""
    message = update.get("message")
    if message is None:
        return None
    if "migrate_to_chat_id" in message:
        return str(message["chat"]["id"]), str(message["migrate_to_chat_id"])
    if "migrate_from_chat_id" in message:
        return str(message["migrate_from_chat_id"]), str(message["chat"]["id"])
    return None


def chat_of(update: Json) -> Json | None:
    """The chat ``update`` happened in, if it names one."""
    for kind in ALLOWED_UPDATES:
        part = update.get(kind)
        if part is not None:
            if kind == "callback_query":
                part = part.get("message") or {}
            return part.get("chat")
    return None


class _Sender(TypedDict):
    sender: str
    sender_name: str
    language: str | None


def _person(user: Json) -> _Sender:
    last = user.get("last_name")
    first = user.get("first_name", "")
    return {
        "sender": str(user["id"]),
        "sender_name": f"{first} {last}" if last else first,
        "language": user.get("language_code"),
    }


def _message(message: Json, event_id: str, bot_username: str) -> Message | None:
    user = message.get("from")
    if user is None:  # channel posts
        return None
    text = message.get("text")
    if text is not None:  # a text message carries no media
        attachments: tuple[str, ...] = ()
    else:
        text = message.get("caption") or _shared(message)
        attachments = tuple(kind for key, kind in _ATTACHMENTS if key in message)
    if not text and not attachments:  # service messages: joins, pins, title changes…
        return None
    if text.startswith("/"):
        _, _, addressee = text.split(maxsplit=1)[0].partition("@")
        if addressee and addressee.lower() != bot_username.lower():
            return None
    chat = message["chat"]
    reply = message.get("reply_to_message")
    if reply is not None and _opens_topic(reply, message):
        reply = None
    return Message(
        network=NETWORK,
        chat=str(chat["id"]),
        event_id=event_id,
        direct=chat["type"] == "private",
        time=float(message["date"]),
        text=text,
        message_id=str(message["message_id"]),
        reply_to=str(reply["message_id"]) if reply is not None else None,
        reply_to_sender=_author(reply, bot_username) if reply is not None else None,
        reply_to_text=(reply.get("text") or reply.get("caption")) if reply is not None else None,
        forwarded_from=_channel(message),
        attachments=attachments,
        **_person(user),
    )


def _shared(message: Json) -> str:
    """What a shared contact card or venue says, as text the rules read: the contact's phone
    number (``+`` before it when Telegram gives bare digits, as it does for a person's own),
    the venue's name and address; a bare location says nothing."""
    if contact := message.get("contact"):
        number = str(contact.get("phone_number") or "")
        return f"+{number}" if number.isdigit() and not number.startswith("0") else number
    if venue := message.get("venue"):
        return f"{venue.get('title') or ''} {venue.get('address') or ''}".strip()
    return ""


def _channel(message: Json) -> str:
    """The username of the public channel ``message`` was forwarded from ("" if none)."""
    origin = message.get("forward_origin") or {}
    chat = origin.get("chat") if origin.get("type") == "channel" else None
    chat = chat or message.get("forward_from_chat") or {}  # before Bot API 7.0
    return str(chat.get("username") or "") if chat.get("type") == "channel" else ""


def _opens_topic(reply: Json, message: Json) -> bool:
    """Whether ``reply`` is the first message of the forum topic ``message`` is in.

    Telegram gives every message of a topic that message as ``reply_to_message``,
    whether or not the person answered anything.
    """
    return "forum_topic_created" in reply or (
        bool(message.get("is_topic_message"))
        and reply["message_id"] == message.get("message_thread_id")
    )


def _author(reply: Json, bot_username: str) -> str | None:
    """Who wrote ``reply``: None for the bot itself and for what was sent on behalf of a chat."""
    user = reply.get("from")
    if user is None or "sender_chat" in reply:  # a channel post, an anonymous admin
        return None
    if user.get("is_bot") and str(user.get("username", "")).lower() == bot_username.lower():
        return None
    return str(user["id"])


def _callback(query: Json, event_id: str) -> Callback | None:
    message = query.get("message")
    data = query.get("data")
    if message is None or data is None:  # inline-mode messages, games
        return None
    chat = message["chat"]
    return Callback(
        network=NETWORK,
        chat=str(chat["id"]),
        event_id=event_id,
        direct=chat["type"] == "private",
        time=time.time(),
        data=data,
        message_id=str(message["message_id"]),
        callback_id=str(query["id"]),
        **_person(query["from"]),
    )


def _join_request(request: Json, event_id: str) -> JoinRequest:
    return JoinRequest(
        network=NETWORK,
        chat=str(request["chat"]["id"]),
        event_id=event_id,
        time=float(request["date"]),
        note=request.get("bio") or "",
        **_person(request["from"]),
    )


def _present(member: Json) -> bool:
    if member["status"] == "restricted":
        return bool(member.get("is_member", False))
    return member["status"] in _PRESENT


def member_in_place(update: Json) -> tuple[str, str, str, float] | None:
    """(chat, person, name, time) of a ``chat_member`` update that leaves the person in
    the chat (a promotion, a restriction): it shows the name they have now."""
    change = update.get("chat_member")
    if change is None or not _present(change["new_chat_member"]):
        return None
    if not _present(change["old_chat_member"]):
        return None
    person = _person(change["new_chat_member"]["user"])
    return str(change["chat"]["id"]), person["sender"], person["sender_name"], float(change["date"])


def _member_change(change: Json, event_id: str) -> Event | None:
    was, now = _present(change["old_chat_member"]), _present(change["new_chat_member"])
    if was == now:  # promotions, restrictions of members, bans of people not in the chat
        return None
    kind = MemberJoined if now else MemberLeft
    return kind(
        network=NETWORK,
        chat=str(change["chat"]["id"]),
        event_id=event_id,
        time=float(change["date"]),
        **_person(change["new_chat_member"]["user"]),
    )
