"""From Matrix room events (as the homeserver sends them) to core events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sanshe.core.events import (
    Callback,
    Event,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    MemberRenamed,
    Message,
)

from .buttons import key_of

NETWORK = "matrix"

#: Message types that carry something besides text, and the attachment kind core sees.
ATTACHMENTS = {
    "m.image": "image",
    "m.file": "file",
    "m.audio": "audio",
    "m.video": "video",
    "m.location": "location",
}


def strip_reply_fallback(body: str) -> str:
    """The text of a reply without the ``> <@someone> quoted text`` lines clients prepend."""
    lines = body.split("\n")
    start = 0
    while start < len(lines) and lines[start].startswith(">"):
        start += 1
    if start == 0:
        return body
    if start < len(lines) and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:])


def is_own_join(source: Mapping[str, Any], me: str) -> bool:
    """Whether ``source`` is the bot joining a room (not a change of its profile there)."""
    if source.get("type") != "m.room.member" or source.get("state_key") != me:
        return False
    content = source.get("content") or {}
    return content.get("membership") == "join" and _previous(source).get("membership") != "join"


def reaction(source: Mapping[str, Any]) -> tuple[str, str] | None:
    """The message a reaction annotates and its key; None when ``source`` is no reaction."""
    content = source.get("content")
    relates = content.get("m.relates_to") if isinstance(content, dict) else None
    if source.get("type") != "m.reaction" or not isinstance(relates, dict):
        return None
    target, key = relates.get("event_id"), relates.get("key")
    if relates.get("rel_type") != "m.annotation" or not isinstance(target, str):
        return None
    return (target, key) if isinstance(key, str) else None


def _no_buttons(message_id: str, key: str) -> str | None:
    return None


def _unknown(event_id: str) -> str | None:
    return None


def answered(source: Mapping[str, Any]) -> str | None:
    """The event a message replies to; None for other events, edits, and a thread's fallback.

    A message in a thread carries the thread's latest event as ``m.in_reply_to``
    (``is_falling_back``) for clients without threads: that is no reply.
    """
    content = source.get("content")
    relates = content.get("m.relates_to") if isinstance(content, dict) else None
    if source.get("type") != "m.room.message" or not isinstance(relates, dict):
        return None
    if relates.get("rel_type") == "m.replace" or relates.get("is_falling_back") is True:
        return None
    in_reply_to = relates.get("m.in_reply_to")
    target = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
    return target if isinstance(target, str) and target else None


def replaced(source: Mapping[str, Any]) -> str | None:
    """The event an edit (``m.replace``) replaces; None for other events."""
    content = source.get("content")
    relates = content.get("m.relates_to") if isinstance(content, dict) else None
    if source.get("type") != "m.room.message" or not isinstance(relates, dict):
        return None
    target = relates.get("event_id")
    if relates.get("rel_type") != "m.replace" or not isinstance(target, str) or not target:
        return None
    return target


def to_event(
    source: Mapping[str, Any],
    chat: str,
    me: str,
    direct: bool,
    name_of: Callable[[str], str],
    button: Callable[[str, str], str | None] = _no_buttons,
    author_of: Callable[[str], str | None] = _unknown,
) -> Event | None:
    """The core event for one room event, or None when core has no use for it.

    ``button(message_id, key)`` is the data of the button that reaction key stands
    for on that message of the bot's, if any: such a reaction is a button press.
    ``author_of(event_id)`` is who sent that event, if known: a reply's
    ``reply_to_sender`` (none when it answers the bot).
    An edit in a group is a message with the new text (``m.new_content``), so the
    rules see what the text became; it stands for the message it replaces (its
    deletion redacts that one) when its sender wrote that, else (clients show no
    such edit) for itself.  Edits of commands, which ran when first sent, and
    private edits, which a form's dialog would take for a new answer, are skipped.
    Skipped too: the bot's own events, notices (other bots), other reactions,
    and membership changes in a private chat with the bot.
    """
    sender = source.get("sender")
    event_id = source.get("event_id")
    content = source.get("content")
    if (
        not isinstance(sender, str)
        or not isinstance(event_id, str)
        or not isinstance(content, dict)
    ):
        return None
    common: dict[str, Any] = {
        "network": NETWORK,
        "chat": chat,
        "event_id": event_id,
        "direct": direct,
        "time": float(source.get("origin_server_ts") or 0) / 1000,
    }
    kind = source.get("type")
    relates = content.get("m.relates_to")
    if (
        kind == "m.room.message"
        and isinstance(relates, dict)
        and relates.get("rel_type") == "m.replace"
    ):
        edited, new = replaced(source), content.get("m.new_content")
        if sender == me or direct or edited is None or not isinstance(new, dict):
            return None
        if str(new.get("body", "")).startswith("/"):
            return None
        stands_for = edited if author_of(edited) == sender else event_id
        return _message(new, common, sender, name_of(sender), (None, None), stands_for)
    if kind == "m.room.message" and sender != me:
        reply_to = answered(source)
        author = author_of(reply_to) if reply_to else None
        replied = (reply_to, author if author != me else None)
        return _message(content, common, sender, name_of(sender), replied, event_id)
    if kind == "m.room.member" and not direct:
        return _membership(source, content, common, me)
    if kind == "m.reaction" and sender != me:
        return _press(source, common, sender, name_of(sender), button)
    return None


def _press(
    source: Mapping[str, Any],
    common: dict[str, Any],
    sender: str,
    name: str,
    button: Callable[[str, str], str | None],
) -> Callback | None:
    annotated = reaction(source)
    key = key_of(annotated[1]) if annotated else None
    if annotated is None or key is None:
        return None
    data = button(annotated[0], key)
    if data is None:
        return None
    return Callback(
        sender=sender,
        sender_name=name,
        data=data,
        message_id=annotated[0],
        callback_id=common["event_id"],
        **common,
    )


def _message(
    content: Mapping[str, Any],
    common: dict[str, Any],
    sender: str,
    name: str,
    replied: tuple[str | None, str | None],
    message_id: str,
) -> Message | None:
    reply_to, reply_to_sender = replied
    kind = content.get("msgtype")
    body = content.get("body")
    body = body if isinstance(body, str) else ""
    attachments: tuple[str, ...]
    if kind in ("m.text", "m.emote"):
        text, attachments = body, ()
    elif kind in ATTACHMENTS:
        # A caption is a body that differs from the file name.
        caption = "filename" in content and content.get("filename") != body
        text, attachments = (body if caption else ""), (ATTACHMENTS[kind],)
    else:
        return None
    if reply_to:
        text = strip_reply_fallback(text)
    return Message(
        sender=sender,
        sender_name=name,
        text=text,
        reply_to=reply_to,
        reply_to_sender=reply_to_sender,
        message_id=message_id,
        attachments=attachments,
        **common,
    )


def _previous(source: Mapping[str, Any]) -> Mapping[str, Any]:
    unsigned = source.get("unsigned")
    previous = unsigned.get("prev_content") if isinstance(unsigned, dict) else None
    return previous if isinstance(previous, dict) else {}


def _membership(
    source: Mapping[str, Any], content: Mapping[str, Any], common: dict[str, Any], me: str
) -> Event | None:
    member = source.get("state_key")
    if not isinstance(member, str) or not member or member == me:
        return None
    now = content.get("membership")
    before = _previous(source)
    name = content.get("displayname")
    name = name if isinstance(name, str) else ""
    old_name = before.get("displayname")
    old_name = old_name if isinstance(old_name, str) else ""
    if now == "knock":
        reason = content.get("reason")
        note = reason if isinstance(reason, str) else ""
        return JoinRequest(sender=member, sender_name=name, note=note, **common)
    if now == "join" and before.get("membership") != "join":
        return MemberJoined(sender=member, sender_name=name, **common)
    if now == "join" and name != old_name:
        return MemberRenamed(sender=member, sender_name=name, old_name=old_name, **common)
    if now in ("leave", "ban") and before.get("membership") == "join":
        return MemberLeft(sender=member, sender_name=old_name, **common)
    return None
