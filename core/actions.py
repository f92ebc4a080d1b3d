"""Platform-neutral actions: what core and plugins ask an adapter to do.

Plugins return actions; the dispatcher checks them against the adapter's
capabilities, checkpoints them and hands them to the adapter.  Chat and person
ids are the opaque network ids carried by events.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; pressing it sends a :class:`~sanshe.core.events.Callback` with ``data``.

    Make one with :meth:`sanshe.core.buttons.ButtonHandler.button`, so that ``data`` names the
    handler a press is routed to.
    """

    label: str
    data: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """Something to do on a network."""

    urgent: bool = False
    """Urgent actions (crisis alerts) go ahead of bulk ones where an adapter queues."""
    network: str = ""
    """The network to perform it on; empty: the network of the event (or timer) that decided it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Send(Action):
    """Post ``text`` in a chat."""

    chat: str
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply(Action):
    """Answer a message in its chat."""

    chat: str
    to: str
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectMessage(Action):
    """Write to a person in a private chat with the bot."""

    user: str
    text: str
    buttons: tuple[Button, ...] = ()
    fallback_chat: str | None = None
    """Where to ask the person to open a private chat when the network refuses (no private data)."""
    otherwise: tuple[Action, ...] = ()
    """What core performs instead when the network refuses to write to the person (a Telegram
    join applicant more than 5 minutes after their request…)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Delete(Action):
    """Remove a message."""

    chat: str
    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Remove(Action):
    """Take a person out of a chat; they may come back by asking again."""

    chat: str
    user: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ban(Action):
    """Take a person out of a chat and keep them out."""

    chat: str
    user: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unban(Action):
    """Let a banned person come back (they may ask to join again)."""

    chat: str
    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Restrict(Action):
    """Keep a person in a chat but stop them posting, for ``minutes`` (0: until lifted)."""

    chat: str
    user: str
    minutes: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unrestrict(Action):
    """Let a muted person post again (what a :class:`Restrict` took, given back)."""

    chat: str
    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteRecent(Action):
    """Remove what ``user`` wrote in a chat in the last ``hours`` (a community ban's clean-up)."""

    chat: str
    user: str
    hours: int = 24


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishBan(Action):
    """Put ``user`` on the community's shared ban list (on Matrix: an ``m.policy.rule.user``
    event in the community's policy room, which moderation bots such as Draupnir follow)."""

    user: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawBan(Action):
    """Take ``user`` off the community's shared ban list."""

    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveJoin(Action):
    """Let a person who asked to join in."""

    chat: str
    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclineJoin(Action):
    """Refuse a person who asked to join."""

    chat: str
    user: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Invite(Action):
    """Bring a person into a chat: a Matrix invite, a single-use Telegram invite link sent privately."""

    chat: str
    user: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateGroup(Action):
    """Create a chat for a group of the community (where the network allows bots to)."""

    group_id: str
    name: str
    topic: str = ""
    invite: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class Pin(Action):
    """Pin a message in its chat."""

    chat: str
    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit(Action):
    """Change the text (and buttons) of a message the bot sent, such as the one whose button was pressed."""

    chat: str
    message_id: str
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerButton(Action):
    """Answer a button press (``callback_id`` of the :class:`~sanshe.core.events.Callback`).

    Made by :meth:`Context.answer <sanshe.core.context.Context.answer>`.

    ``text`` is shown to the person who pressed it only (a Telegram toast, a
    Matrix notice); empty, the press is only acknowledged.
    """

    callback_id: str
    chat: str
    """The chat of the press (networks without private toasts answer there)."""
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendFile(Action):
    """Send a file: ``content`` (bytes) or the file at ``path``, named ``name``.

    Exactly one of ``chat`` (a chat) and ``user`` (privately, to a person) is set.
    """

    name: str
    content: bytes | None = None
    path: str = ""
    caption: str = ""
    chat: str = ""
    user: str = ""
    fallback_chat: str | None = None
    """For a file to ``user``: where to ask them to open a private chat when the network refuses."""

    def __post_init__(self) -> None:
        if (self.content is None) == (not self.path):
            raise ValueError("a SendFile carries either content or a path")
        if bool(self.chat) == bool(self.user):
            raise ValueError("a SendFile goes either to a chat or to a user")

    def read(self) -> bytes:
        """The file's bytes."""
        if self.content is not None:
            return self.content
        with open(self.path, "rb") as file:
            return file.read()


ALL_ACTIONS: frozenset[type[Action]] = frozenset(
    {
        Send,
        Reply,
        DirectMessage,
        Delete,
        Remove,
        Ban,
        Unban,
        Restrict,
        Unrestrict,
        DeleteRecent,
        PublishBan,
        WithdrawBan,
        ApproveJoin,
        DeclineJoin,
        Invite,
        CreateGroup,
        Pin,
        Edit,
        AnswerButton,
        SendFile,
    }
)

_BY_NAME = {cls.__name__: cls for cls in ALL_ACTIONS}


def to_record(action: Action) -> dict[str, object]:
    """A JSON-ready form of an action, for the outbox."""
    data = asdict(action)
    data["type"] = type(action).__name__
    if isinstance(data.get("content"), bytes):
        data["content"] = base64.b64encode(data["content"]).decode("ascii")
    if isinstance(action, DirectMessage):
        data["otherwise"] = [to_record(a) for a in action.otherwise]
    return data


def from_record(data: dict[str, object]) -> Action:
    """Rebuild an action stored with :func:`to_record`."""
    values: dict[str, Any] = dict(data)
    cls = _BY_NAME[str(values.pop("type"))]
    if "buttons" in values:
        values["buttons"] = tuple(Button(**b) for b in values["buttons"])
    if isinstance(values.get("content"), str):
        values["content"] = base64.b64decode(str(values["content"]))
    if "invite" in values:
        values["invite"] = tuple(values["invite"])
    if "otherwise" in values:
        values["otherwise"] = tuple(from_record(a) for a in values["otherwise"])
    return cls(**values)
