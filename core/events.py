"""Platform-neutral events: what an adapter tells core happened on its network.

Events are small immutable values.  Platform ids (chats, people, messages)
travel as opaque strings; core maps them to groups and people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Something that happened in one chat of one network."""

    network: str
    """Adapter name: ``console``, ``matrix``, ``telegram``…"""
    chat: str
    """Opaque chat id on that network (a room, a group, a private chat)."""
    event_id: str
    """Unique on that network; used to recognise an event delivered twice."""
    sender: str
    """Opaque id (handle) of the person who caused the event."""
    sender_name: str = ""
    direct: bool = False
    """True when the chat is a private chat between the person and the bot."""
    language: str | None = None
    """The person's language as the network reports it, if it does."""
    time: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """A text message (commands are messages whose text starts with ``/``)."""

    text: str
    message_id: str = ""
    reply_to: str | None = None
    """The message this one answers, if it is a reply."""
    reply_to_sender: str | None = None
    """Who wrote the message answered (their handle), if the network says; commands read it
    as the person they are about (``/mute 30m`` as a reply)."""
    attachments: tuple[str, ...] = ()
    """Kinds of what was attached (``image``, ``file``…); the content stays on the network."""
    reply_to_text: str | None = None
    """The text of the message answered, if the network gives it (``/report`` quotes an excerpt)."""
    forwarded_from: str = ""
    """The public username of the channel a forwarded message comes from, if the network says
    (Telegram); a rule's ``not_from`` may trust it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinRequest(Event):
    """A person asks to join a chat (Telegram join request, Matrix knock)."""

    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(Event):
    """A person is now a member of the chat."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberRenamed(Event):
    """A member changed the name shown in the chat (``sender_name``); the nickname rule checks it."""

    old_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(Event):
    """A person left or was removed from the chat."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback(Event):
    """A person pressed a button under one of the bot's messages.

    ``data`` is the button's (see :mod:`sanshe.core.buttons`), ``message_id``
    the message that carried it, ``callback_id`` what an
    :class:`~sanshe.core.actions.AnswerButton` answers (the network's query or
    reaction id).
    """

    data: str
    message_id: str = ""
    callback_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerDue(Event):
    """A timer fell due (see :mod:`sanshe.core.timers`): network ``timer``, chat ``plugin|key``."""

    plugin: str
    key: str
    due: str
    """When it was due (ISO 8601, UTC)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unprompted(Event):
    """Work a plugin does that no incoming event caused (see ``Services.act``): network ``plugin``."""


@dataclass(frozen=True, slots=True)
class Command:
    """A message read as a command: ``/name args`` (``@botname`` suffix removed)."""

    name: str
    args: str = ""
    """What follows the name, as typed; :mod:`sanshe.core.arguments` reads it."""


def parse_command(text: str, prefixes: str = "/") -> Command | None:
    """Read ``text`` as a command, or return None when it is not one."""
    if not text or text[0] not in prefixes:
        return None
    head, _, rest = text[1:].strip().partition(" ")
    name = head.split("@", 1)[0].strip().lower()
    if not name:
        return None
    args = rest.strip()
    return Command(name=name, args=args)
