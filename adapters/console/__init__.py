"""The console adapter: the embedded default, for trying Sanshe and for scripts.

Each input line is ``<handle>@<group-id>: <text>`` (or ``<handle>@dm: <text>``
for a private message to the bot).  ``!`` instead of ``:`` sends another kind
of event: ``<handle>@<group-id>! join <note>`` (a join request), ``! joined``,
``! left``, ``! button <data>``.  Every bot action is printed as one line
``<action> <target>: <text>``, line breaks written as ``\\n`` (at a terminal,
the text's lines are shown indented instead); what goes to a person privately
is ``dm <handle>: <text>``.  Blank lines and lines starting with ``#`` are
ignored; every other line is answered, by actions, ``error: line N: …`` or
``note: line N: …`` (on standard error).

At a terminal, ``:as <handle>`` and ``:in <group-id>`` set who speaks where,
so that plain lines are messages from that person in that group.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import uuid
from collections.abc import AsyncIterator
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
from sanshe.core.i18n import Catalogue, Translator, environment_locale

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

NETWORK = "console"
DIRECT = "dm"
#: What no network puts in a person's or a chat's id: C0 controls, DEL, lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_LINE = re.compile(r"^(?P<handle>[^@\s:!]+)@(?P<chat>[^:\s!]+)\s*(?P<sep>[:!])\s?(?P<text>.*)$")


def format_action(action: Action, one_line: bool = True) -> str:
    """The output for ``action``: one line, or (at a terminal) its text on indented lines."""
    match action:
        case Send(chat=chat, text=text) | Reply(chat=chat, text=text) if chat.startswith(
            f"{DIRECT}:"
        ):
            verb, target, body = "dm", chat.removeprefix(f"{DIRECT}:"), text
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
        self._text = Translator(Catalogue(), environment_locale())
        """Console notes and errors, in the language of the person at the terminal."""
        self._told: set[str] = set()
        """Handles and ``@group`` names already noted as unknown."""
        self._performed = 0

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> ConsoleAdapter:
        """The console needs no settings; it reads stdin and writes stdout."""
        return cls()

    async def perform(self, action: Action) -> None:
        """Print the action as one line."""
        self._performed += 1
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
                return self._text("console.malformed", number=number)
        handle, chat, sep, text = match["handle"], match["chat"], match["sep"], match["text"]
        if _CONTROL.search(handle) or _CONTROL.search(chat):
            return self._text("console.control_in_name", number=number)
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
        return self._text("console.unknown_kind", number=number)

    async def run(self, bot: Bot) -> None:
        """Read lines until the input ends; each event is handled before the next line is read.

        Every line that is not blank or a comment is answered: by the bot's
        actions, an ``error: line N`` or a ``note: line N`` on standard error.
        """
        if self.interactive:
            self.stdout.write(
                self._text("console.welcome", community=bot.community.community.name) + "\n"
            )
            self.stdout.flush()
        number = 0
        async for raw in self._lines():
            number += 1
            try:
                line = raw if isinstance(raw, str) else raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = f"0x{raw[exc.start]:02x}"
                column = len(raw[: exc.start].decode("utf-8", "replace")) + 1  # characters
                sys.stderr.write(
                    f"error: {self._text('console.not_utf8', number=number, byte=byte, column=column)}\n"
                )
                continue
            parsed = self.parse(number, line)
            if parsed is None:
                if self.interactive and line.startswith((":as ", ":in ")):
                    self._note(number, self._confirmation(bot, line))
                continue
            if isinstance(parsed, str):
                sys.stderr.write(f"error: {parsed}\n")
                continue
            for note in self._unknown_names(bot, parsed.sender, parsed.chat):
                self._note(number, note)
            performed = self._performed
            try:
                await bot.submit(parsed)
            except Exception as exc:  # already logged by the dispatcher
                sys.stderr.write(
                    f"error: {self._text('console.not_handled', number=number, error=exc)}\n"
                )
                continue
            if self._performed == performed:
                self._note(number, self._text("console.no_reply"))

    def _note(self, number: int, note: str) -> None:
        sys.stderr.write(f"note: line {number}: {note}\n")
        sys.stderr.flush()

    def _confirmation(self, bot: Bot, line: str) -> str:
        """What ``:as`` or ``:in`` now set, and what is unknown about it (said once)."""
        if line.startswith(":as "):
            said = [self._text("console.speaking_as", handle=self._speaker)]
            said += self._unknown_names(bot, self._speaker or "", DIRECT)
        elif self._place == DIRECT:
            said = [self._text("console.speaking_privately")]
        else:
            said = [self._text("console.speaking_in", chat=self._place)]
            said += self._unknown_names(bot, "", self._place or "")
        return " ".join(said)

    def _unknown_names(self, bot: Bot, handle: str, chat: str) -> list[str]:
        """Notes on a handle or group the community file does not know, each once per run."""
        notes = []
        if handle and handle not in self._told:
            self._told.add(handle)
            if not bot.directory.person(NETWORK, handle).known:
                notes.append(self._text("console.unknown_person", handle=handle))
        if chat != DIRECT and not chat.startswith(f"{DIRECT}:") and f"@{chat}" not in self._told:
            self._told.add(f"@{chat}")
            if bot.directory.group(NETWORK, chat) is None:
                known = self._text("list.sep").join(g.id for g in bot.community.groups)
                notes.append(self._text("console.unknown_group", chat=chat, known=known))
        return notes

    async def _lines(self) -> AsyncIterator[bytes | str]:
        """The input's lines as they come: bytes from a file descriptor, else a text stream's lines.

        A terminal or a pipe is watched by the event loop, so that Ctrl-C ends
        the run at once; a regular file (which the loop cannot watch) and a
        stream with no descriptor are read in a thread, a line at a time.
        """
        loop = asyncio.get_running_loop()
        binary = getattr(self.stdin, "buffer", None)
        try:
            fd = self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if binary is None or fd is None or not _watchable(loop, fd):
            readline = binary.readline if binary is not None else self.stdin.readline
            while line := await loop.run_in_executor(None, readline):
                yield line
            return
        pending = b""
        while chunk := await _read_when_ready(loop, fd):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
        if pending:
            yield pending


def _watchable(loop: asyncio.AbstractEventLoop, fd: int) -> bool:
    """Whether the event loop can wait for ``fd`` to be readable (not so for regular files)."""
    try:
        loop.add_reader(fd, lambda: None)
    except (OSError, ValueError, NotImplementedError):
        return False
    loop.remove_reader(fd)
    return True


async def _read_when_ready(loop: asyncio.AbstractEventLoop, fd: int) -> bytes:
    """The bytes ``fd`` has once it is readable (empty at the end of input)."""
    ready: asyncio.Future[None] = loop.create_future()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    return os.read(fd, 65536)
