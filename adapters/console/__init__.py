"""The console adapter: the embedded default, for trying Sanshe and for scripts.

Each input line is ``<handle>@<group-id>: <text>`` (or ``<handle>@dm: <text>``
for a private message to the bot).  ``!`` instead of ``:`` sends another kind
of event: ``<handle>@<group-id>! join <note>`` (a join request), ``! joined``,
``! left``, ``! button <data>``.  Every bot action is printed as one line
``<action> <target>: <text>``, line breaks written as ``\\n`` (at a terminal,
the text's lines are shown indented instead).  Blank lines and
lines starting with ``#`` are ignored.

At a terminal, ``:as <handle>`` and ``:in <group-id>`` set who speaks where,
so that plain lines are messages from that person in that group.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import uuid
from typing import TYPE_CHECKING, TextIO

from sanshe.core.actions import (
    ALL_ACTIONS,
    Action,
    ApproveJoin,
    Ban,
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
from sanshe.core.events import Callback, Event, JoinRequest, MemberJoined, MemberLeft, Message

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

NETWORK = "console"
DIRECT = "dm"
_LINE = re.compile(r"^(?P<handle>[^@\s:!]+)@(?P<chat>[^:\s!]+)\s*(?P<sep>[:!])\s?(?P<text>.*)$")


def format_action(action: Action, one_line: bool = True) -> str:
    """The output for ``action``: one line, or (at a terminal) its text on indented lines."""
    match action:
        case Send(chat=chat, text=text):
            verb, target, body = "send", chat, text
        case Reply(chat=chat, text=text):
            verb, target, body = "reply", chat, text
        case DirectMessage(user=user, text=text):
            verb, target, body = "dm", user, text
        case Delete(chat=chat, message_id=message_id):
            verb, target, body = "delete", chat, message_id
        case Remove(chat=chat, user=user):
            verb, target, body = "remove", chat, user
        case Ban(chat=chat, user=user):
            verb, target, body = "ban", chat, user
        case Unban(chat=chat, user=user):
            verb, target, body = "unban", chat, user
        case Restrict(chat=chat, user=user, minutes=minutes):
            verb, target, body = "restrict", chat, f"{user} {minutes}"
        case ApproveJoin(chat=chat, user=user):
            verb, target, body = "approve", chat, user
        case DeclineJoin(chat=chat, user=user):
            verb, target, body = "decline", chat, user
        case Invite(chat=chat, user=user):
            verb, target, body = "invite", chat, user
        case CreateGroup(group_id=group_id, name=name):
            verb, target, body = "create", group_id, name
        case Pin(chat=chat, message_id=message_id):
            verb, target, body = "pin", chat, message_id
        case _:
            verb, target, body = type(action).__name__.lower(), "-", ""
    buttons = getattr(action, "buttons", ())
    if buttons:
        body += " " + " ".join(f"[{b.label}|{b.data}]" for b in buttons)
    if one_line:
        return f"{verb} {target}: {body.replace(chr(10), chr(92) + 'n')}"
    return f"{verb} {target}: " + body.replace("\n", "\n    ")


class ConsoleAdapter:
    """Reads events from a text stream and prints actions to another."""

    network = NETWORK
    capabilities = ALL_ACTIONS
    chats_named_by_group = True

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self._run = uuid.uuid4().hex[:8]
        self._speaker: str | None = None
        self._place: str | None = None

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> ConsoleAdapter:
        """The console needs no settings; it reads stdin and writes stdout."""
        return cls()

    async def perform(self, action: Action) -> None:
        """Print the action as one line."""
        self.stdout.write(format_action(action, one_line=not self.interactive) + "\n")
        self.stdout.flush()

    def parse(self, number: int, line: str) -> Event | str | None:
        """The event on an input line, an error text for a malformed line, or None to skip it."""
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            return None
        if self.interactive and line.startswith(":as "):
            self._speaker = line[4:].strip()
            return None
        if self.interactive and line.startswith(":in "):
            self._place = line[4:].strip()
            return None
        match = _LINE.match(line)
        if match is None:
            if self.interactive and self._speaker and self._place:
                match = _LINE.match(f"{self._speaker}@{self._place}: {line}")
            if match is None:
                return f"line {number}: expected '<handle>@<group-id>: <text>' or '<handle>@dm: <text>'"
        handle, chat, sep, text = match["handle"], match["chat"], match["sep"], match["text"]
        direct = chat == DIRECT
        common = dict(
            network=NETWORK,
            chat=f"{DIRECT}:{handle}" if direct else chat,
            event_id=f"{self._run}:{number}",
            sender=handle,
            direct=direct,
            time=time.time(),
        )
        if sep == ":":
            return Message(text=text, message_id=str(number), **common)  # type: ignore[arg-type]
        word, _, rest = text.strip().partition(" ")
        if word == "join":
            return JoinRequest(note=rest, **common)  # type: ignore[arg-type]
        if word == "joined":
            return MemberJoined(**common)  # type: ignore[arg-type]
        if word == "left":
            return MemberLeft(**common)  # type: ignore[arg-type]
        if word == "button":
            return Callback(data=rest, **common)  # type: ignore[arg-type]
        return f"line {number}: after '!' write join, joined, left or button"

    async def run(self, bot: Bot) -> None:
        """Read lines until the input ends; each event is handled before the next line is read."""
        loop = asyncio.get_running_loop()
        if self.interactive:
            self.stdout.write(
                f"Sanshe console — {bot.community.community.name}. "
                "Type '<handle>@<group-id>: <text>', or ':as <handle>' and ':in <group-id>' then text. "
                "Ctrl-D ends.\n"
            )
            self.stdout.flush()
        number = 0
        while True:
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                break
            number += 1
            parsed = self.parse(number, line)
            if parsed is None:
                continue
            if isinstance(parsed, str):
                sys.stderr.write(f"error: {parsed}\n")
                continue
            try:
                await bot.submit(parsed)
            except Exception as exc:  # already logged by the dispatcher
                sys.stderr.write(f"error: line {number} was not handled: {exc}\n")
