"""The console adapter: the embedded default, for trying Sanshe and for scripts.

Each input line is ``<handle>@<group-id>: <text>`` (or ``<handle>@dm: <text>``
for a private message to the bot).  ``!`` instead of ``:`` sends another kind
of event: ``<handle>@<group-id>! join <note>`` (a join request), ``! joined``,
``! left``, ``! rename <name>`` (the name shown for the person in that chat, which
their later lines there carry), ``! button …`` (a button pressed, below),
``! reply <n> <text>`` (a message answering the message on line ``n`` of that
chat, or the bot's ``b<n>``: ``wang@building-1! reply 3 /mute 2h`` mutes whoever
wrote line 3).  Every bot action is
printed as one line ``<action> <target>: <text>``, line breaks written as
``\\n`` (at a terminal, the text's lines are shown indented instead); what goes
to a person privately is ``dm <handle>: <text>`` (``dm-edit``, ``dm-file``).
Blank lines and lines starting with ``#`` are ignored; every other line is
answered, by actions, ``error: line N: …`` or ``note: line N: …`` (on
standard error).

Buttons.  The bot's messages (files too) are numbered ``b1``, ``b2``… in the
order it sends them, and each is printed with its number last (``reply
building-1: 收到 (b2)``, so that ``! reply b2 …`` answers it); one with buttons
shows them numbered before it:
``send volunteers: 选一个班次 [1 上午|shifts.take|am] [2 下午|shifts.take|pm] (b3)``
(``[<n> <label>|<data>]``).  A person presses one with

- ``wang@volunteers! button 2``: button 2 of the latest message with buttons
  in that chat (for ``wang@dm``, in wang's private chat);
- ``wang@volunteers! button 2 on b3``: button 2 of message b3;
- ``wang@volunteers! button shifts.take|pm``: the button carrying that data
  (on the latest message showing it; ``… on b3`` names the message).

A press, like ``! reply b3``, names only a message the bot sent in the
presser's chat, and a button that message still shows (an edit may have
taken it away); anything else is refused, as no network could deliver it.

The press carries the message's number, so the bot can edit it
(``edit volunteers: b3 <new text>``); its answer to the presser alone is
``answer wang: <text>``.

Files.  A file the bot sends is written to the console's files folder and its
path printed, never its content: ``file <chat>: <path> <caption>`` (``dm-file
<handle>: …`` privately).  The folder is ``$SANSHE_FILES``, else the
community file's ``adapters: {console: {files: PATH}}``, else
``sanshe-files`` in the current folder; it is created for its owner only (one
open to others is closed to them, with a warning), and a name already taken
there gets ``-2``, ``-3``… before its extension.  A name is cut to fit in 255
bytes, and loses invisible format characters (a right-to-left override).

Members.  Who wrote, joined, renamed themselves or pressed a button in a chat is in it, until
``! left`` or the bot removes or bans them (an approved join request lets them in): ``/warn``,
``/mute`` and ``/remove`` refuse to act on someone who left.  Of anyone not seen in a chat
the console cannot tell, and those commands act.

At a terminal, ``:as <handle>`` and ``:in <group-id>`` set who speaks where,
so that plain lines are messages from that person in that group.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import sys
import unicodedata
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sanshe.core.actions import (
    Action,
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
from sanshe.core.adapter import ActionFailed, Adapter, Backoff, performs
from sanshe.core.clock import Clock, SystemClock
from sanshe.core.dead_letters import failure
from sanshe.core.events import (
    Callback,
    Event,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    MemberRenamed,
    Message,
)
from sanshe.core.i18n import CORE_LOCALES, Catalogue, Translator, environment_locale
from sanshe.core.members import ChatMembers
from sanshe.core.privacy import excerpt

if TYPE_CHECKING:
    from sanshe.core.bot import Bot

log = logging.getLogger(__name__)

NETWORK = "console"
DIRECT = "dm"
#: The console's own texts (the older ones are in core's catalogue).
LOCALES = Path(__file__).parent / "locales"
#: The files folder when neither ``$SANSHE_FILES`` nor the console's ``files`` setting names one.
FILES = "sanshe-files"
#: What no network puts in a person's or a chat's id: C0 controls, DEL, lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_LINE = re.compile(r"^(?P<handle>[^@\s:!]+)@(?P<chat>[^:\s!]+)\s*(?P<sep>[:!])\s?(?P<text>.*)$")
#: ``! button`` followed by a number or a button's data, and optionally ``on <message>``.
_PRESS = re.compile(r"^(?P<what>.*?)(?:\s+on\s+(?P<message>b\d+))?\s*$")
#: What a file's name may not hold on the console's disk: controls, spaces (the path is
#: printed as one word), slashes.
_NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\\s]")
#: The most bytes in a file's name (ext4, APFS, NTFS…).
_NAME_BYTES = 255
#: The longest ``-n`` a taken name is given.
_VARIANT = "-9999"


def format_action(action: Action, one_line: bool = True, message_id: str = "") -> str:
    """The output for ``action``: one line, or (at a terminal) its text on indented lines.

    Buttons are shown numbered; a message's ``(message_id)`` follows when given.
    """
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
        case Edit(chat=chat, message_id=edited, text=text) if chat.startswith(f"{DIRECT}:"):
            verb, target, body = "dm-edit", chat.removeprefix(f"{DIRECT}:"), f"{edited} {text}"
        case Edit(chat=chat, message_id=edited, text=text):
            verb, target, body = "edit", chat, f"{edited} {text}"
        case AnswerButton(callback_id=callback_id, text=text):
            verb, target, body = "answer", presser(callback_id), text
        case Delete(chat=chat, message_id=deleted):
            verb, target, body = "delete", chat, deleted
        case Remove(chat=chat, user=user):
            verb, target, body = "remove", chat, user
        case Ban(chat=chat, user=user):
            verb, target, body = "ban", chat, user
        case Unban(chat=chat, user=user):
            verb, target, body = "unban", chat, user
        case Restrict(chat=chat, user=user, minutes=minutes):
            verb, target, body = "restrict", chat, f"{user} {minutes}"
        case Unrestrict(chat=chat, user=user):
            verb, target, body = "unrestrict", chat, user
        case DeleteRecent(chat=chat, user=user, hours=hours):
            verb, target, body = "delete-recent", chat, f"{user} {hours}h"
        case PublishBan(user=user):
            verb, target, body = "publish-ban", "-", user
        case WithdrawBan(user=user):
            verb, target, body = "withdraw-ban", "-", user
        case ApproveJoin(chat=chat, user=user):
            verb, target, body = "approve", chat, user
        case DeclineJoin(chat=chat, user=user):
            verb, target, body = "decline", chat, user
        case Invite(chat=chat, user=user):
            verb, target, body = "invite", chat, user
        case CreateGroup(group_id=group_id, name=name):
            verb, target, body = "create", group_id, name
        case Pin(chat=chat, message_id=pinned):
            verb, target, body = "pin", chat, pinned
        case _:
            verb, target, body = type(action).__name__.lower(), "-", ""
    buttons: tuple[Button, ...] = getattr(action, "buttons", ())
    if buttons:
        body += " " + " ".join(f"[{n} {b.label}|{b.data}]" for n, b in enumerate(buttons, 1))
    if message_id:
        body += f" ({message_id})"
    return _line(verb, target, body, one_line)


def _line(verb: str, target: str, body: str, one_line: bool) -> str:
    if one_line:
        return f"{verb} {target}: {body.replace(chr(10), chr(92) + 'n')}"
    return f"{verb} {target}: " + body.replace("\n", "\n    ")


def _shown(path: Path) -> str:
    """``path`` as a person finds it from here: relative to the current folder if it is inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())


def presser(callback_id: str) -> str:
    """The handle of the person whose press ``callback_id`` names (the console makes them so)."""
    return callback_id.partition(":")[0]


def _file_name(name: str) -> tuple[str, str]:
    """The stem and the ``.suffix`` a file called ``name`` is written as on the console's disk.

    Only the last part of a path is kept, without format characters (a
    right-to-left override) and what :data:`_NOT_IN_NAME` lists; the stem is
    cut so that the name, with a ``-n`` for a taken one, fits in 255 bytes.
    """
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(c for c in last if unicodedata.category(c) != "Cf")
    base = _NOT_IN_NAME.sub("_", shown).strip(". ") or "file"
    stem, dot, suffix = base.rpartition(".") if "." in base[1:] else (base, "", "")
    tail = dot + suffix
    room = _NAME_BYTES - len(_VARIANT) - len(tail.encode())
    if room < 1:  # a suffix too long to keep is part of the stem
        stem, tail, room = base, "", _NAME_BYTES - len(_VARIANT)
    return stem.encode()[:room].decode("utf-8", "ignore"), tail


def _chat_of(action: Send | Reply | DirectMessage | Edit) -> str:
    """The console chat a message is in (a person's private chat is ``dm:<handle>``)."""
    return f"{DIRECT}:{action.user}" if isinstance(action, DirectMessage) else action.chat


class ConsoleAdapter(Adapter):
    """Reads events from a text stream and prints actions to another."""

    network = NETWORK
    chats_named_by_group = True

    def __init__(
        self,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        files: str | Path | None = None,
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.interactive = self.stdin.isatty() if interactive is None else interactive
        self.files = Path(os.environ.get("SANSHE_FILES") or files or FILES)
        """Where the files the bot sends are written."""
        self.clock: Clock = SystemClock()
        """Stamps the events read (the bot's clock once :meth:`run` starts)."""
        self._run = uuid.uuid4().hex[:8]
        self._speaker: str | None = None
        self._place: str | None = None
        self._text = Translator(Catalogue([CORE_LOCALES, LOCALES]), environment_locale())
        """Console notes and errors, in the language of the person at the terminal."""
        self._told: set[str] = set()
        """Handles and ``@group`` names already noted as unknown."""
        self._performed = 0
        self._sent = 0
        """How many messages the bot has sent in this run (the last one is ``b<_sent>``)."""
        self._buttons: dict[str, tuple[str, tuple[Button, ...]]] = {}
        """The bot's messages with buttons: their chat and buttons, by message number."""
        self._latest: dict[str, str] = {}
        """The latest message with buttons in each chat."""
        self._written: dict[str, tuple[str, str | None, str | None]] = {}
        """The chat, the writer (None: the bot) and the text (None: the bot's) of each message,
        by line number or ``b<n>``."""
        self._names: dict[tuple[str, str], str] = {}
        """The display name each handle took in each chat (``! rename``): its events carry it."""
        self._members = ChatMembers()
        """Who is in each chat, from the lines read and the actions printed."""

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> ConsoleAdapter:
        """Read stdin and write stdout; ``files`` names the folder for the files the bot sends."""
        files = settings.get("files")
        return cls(files=str(files) if files else None)

    async def perform(self, action: Action) -> None:
        """Print the action (a file is written first, and its path printed)."""
        self._performed += 1
        await super().perform(action)
        self._members.performed(action)

    async def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` is in ``chat``, from the lines read (see the module docstring)."""
        return self._members.is_member(chat, user)

    def _print(self, line: str) -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def _posted(self, action: Send | Reply | DirectMessage) -> None:
        """Number a message the bot sends, remember its buttons, and print it."""
        number = self._number(_chat_of(action))
        if action.buttons:
            self._show(number, _chat_of(action), action.buttons)
        self._print(format_action(action, one_line=not self.interactive, message_id=number))

    def _number(self, chat: str) -> str:
        """The number of the bot's next message, sent in ``chat``."""
        self._sent += 1
        number = f"b{self._sent}"
        self._written[number] = (chat, None, None)
        return number

    def _show(self, number: str, chat: str, buttons: tuple[Button, ...]) -> None:
        self._buttons[number] = (chat, buttons)
        self._latest[chat] = number

    @performs(Send)
    async def _send(self, action: Send) -> None:
        self._posted(action)

    @performs(Reply)
    async def _reply(self, action: Reply) -> None:
        self._posted(action)

    @performs(DirectMessage)
    async def _direct(self, action: DirectMessage) -> None:
        self._posted(action)

    @performs(Edit)
    async def _edit(self, action: Edit) -> None:
        chat = _chat_of(action)
        if action.buttons:
            self._show(action.message_id, chat, action.buttons)
        elif self._buttons.pop(action.message_id, None) and self._latest.get(chat) == (
            action.message_id
        ):
            del self._latest[chat]
        self._print(format_action(action, one_line=not self.interactive))

    @performs(AnswerButton)
    async def _answer(self, action: AnswerButton) -> None:
        self._print(format_action(action, one_line=not self.interactive))

    @performs(SendFile)
    async def _file(self, action: SendFile) -> None:
        number = self._number(f"{DIRECT}:{action.user}" if action.user else action.chat)
        try:
            path = await asyncio.to_thread(self._write, action)
        except OSError as exc:
            reason = f"cannot write {action.name!r} to {self.files}: {exc.strerror}"
            raise ActionFailed(reason) from None
        shown = _shown(path)
        body = f"{shown} {action.caption} ({number})" if action.caption else f"{shown} ({number})"
        if action.user or action.chat.startswith(f"{DIRECT}:"):
            target = action.user or action.chat.removeprefix(f"{DIRECT}:")
            self._print(_line("dm-file", target, body, not self.interactive))
        else:
            self._print(_line("file", action.chat, body, not self.interactive))

    def _write(self, action: SendFile) -> Path:
        """Write the file as a new one named after it in the files folder; return its path."""
        content = action.read()
        self.files.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = self.files.stat().st_mode & 0o777
        if mode & 0o077:
            self.files.chmod(mode & 0o700)
            log.warning("%s was open to others; it is now for its owner only", self.files)
        stem, tail = _file_name(action.name)
        for n in range(1, 10_000):
            path = self.files / (f"{stem}{tail}" if n == 1 else f"{stem}-{n}{tail}")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as file:
                file.write(content)
            return path
        raise FileExistsError(f"{stem}{tail}: every variant of the name is taken")

    @performs(
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
    )
    async def _echo(self, action: Action) -> None:
        """Print what would be done: there is no one to do it to on a terminal."""
        self._print(format_action(action, one_line=not self.interactive))

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
            sender_name=self._names.get((handle, chat), ""),
            direct=direct,
            time=self.clock.time(),
        )
        if sep == ":":
            self._written[str(number)] = (str(common["chat"]), handle, text)
            return Message(text=text, message_id=str(number), **common)  # type: ignore[arg-type]
        word, _, rest = text.strip().partition(" ")
        if word == "reply":
            answered, _, said = rest.strip().partition(" ")
            chat, author, quoted = self._written.get(answered, ("", None, None))
            if chat != common["chat"]:
                return self._text(
                    "console.no_message_to_answer", number=number, message=excerpt(answered)
                )
            self._written[str(number)] = (str(common["chat"]), handle, said)
            return Message(
                text=said,
                message_id=str(number),
                reply_to=answered,
                reply_to_sender=author,
                reply_to_text=quoted,
                **common,  # type: ignore[arg-type]
            )
        if word == "join":
            return JoinRequest(note=rest, **common)  # type: ignore[arg-type]
        if word == "joined":
            return MemberJoined(**common)  # type: ignore[arg-type]
        if word == "left":
            return MemberLeft(**common)  # type: ignore[arg-type]
        if word == "rename":
            name = rest.strip()
            if not name:
                return self._text("console.rename_needs_name", number=number)
            old = str(common.pop("sender_name"))
            self._names[(handle, chat)] = name
            return MemberRenamed(old_name=old, sender_name=name, **common)  # type: ignore[arg-type]
        if word == "button":
            pressed = self._pressed(number, str(common["chat"]), rest)
            if isinstance(pressed, str):
                return pressed
            data, message_id = pressed
            callback_id = f"{handle}:{self._run}:{number}"
            return Callback(data=data, message_id=message_id, callback_id=callback_id, **common)  # type: ignore[arg-type]
        return self._text("console.unknown_kind", number=number)

    def _pressed(self, number: int, chat: str, said: str) -> tuple[str, str] | str:
        """The data and message of the button ``! button <said>`` presses, or an error text."""
        match = _PRESS.match(said.strip())
        assert match is not None  # every text matches
        what, message = match["what"], match["message"]
        if what.isdecimal():
            message = message or self._latest.get(chat)
            if message is None:
                return self._text("console.no_buttons_here", number=number, chat=chat)
            if self._buttons.get(message, ("", ()))[0] != chat:
                return self._text(
                    "console.no_such_message", number=number, message=excerpt(message)
                )
            buttons = self._buttons[message][1]
            if not 1 <= int(what) <= len(buttons):
                return self._text(
                    "console.no_such_button",
                    number=number,
                    message=message,
                    choice=what,
                    count=len(buttons),
                )
            return buttons[int(what) - 1].data, message
        showing = [
            n
            for n, (where, buttons) in self._buttons.items()
            if where == chat and any(b.data == what for b in buttons) and message in (None, n)
        ]
        if not showing:
            data = excerpt(what)  # as typed, it may hold controls that break the line
            return self._text("console.unseen_button", number=number, chat=chat, data=data)
        return what, showing[-1]

    async def run(self, bot: Bot) -> None:
        """Read lines until the input ends; each event is handled before the next line is read.

        Every line that is not blank or a comment is answered: by the bot's
        actions, an ``error: line N`` or a ``note: line N`` on standard error.
        """
        self.clock = bot.clock
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
            self._members.saw(parsed)
            performed = self._performed
            if not await self._deliver(bot, parsed, number):
                continue
            if self._performed == performed:
                self._note(number, self._text("console.no_reply"))

    async def _deliver(self, bot: Bot, event: Event, number: int) -> bool:
        """Submit ``event`` again after each failure, as a network delivers it again.

        Core counts the tries and sets the event aside after its last one (which
        counts as handled), so this ends there; only when core could not even
        store that (its database failing) is the line given up, with an error.
        """
        pause = Backoff(0.1, 2.0)
        for delivery in range(1, bot.community.community.dead_letter_after + 1):
            try:
                await bot.submit(event)
                return True
            except Exception as exc:  # core logged why
                if delivery == bot.community.community.dead_letter_after:
                    error = failure(exc)
                    sys.stderr.write(
                        f"error: {self._text('console.not_handled', number=number, error=error)}\n"
                    )
                    return False
                await asyncio.sleep(pause.delay())
        return False

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
                known = self._text.join(g.id for g in bot.community.groups)
                notes.append(self._text("console.unknown_group", chat=chat, known=known))
        return notes

    async def _lines(self) -> AsyncIterator[bytes | str]:
        """The input's lines as they come: bytes from a file descriptor, else a text stream's lines.

        A terminal or a pipe is watched by the event loop, so that Ctrl-C ends
        the run at once; a regular file (which the loop cannot watch, and whose
        reads do not wait) is read as it is, a block at a time; a stream with no
        descriptor is read in a thread, a line at a time.
        """
        loop = asyncio.get_running_loop()
        binary = getattr(self.stdin, "buffer", None)
        try:
            fd = self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if binary is not None and fd is not None and stat.S_ISREG(os.fstat(fd).st_mode):
            while line := binary.readline():
                yield line
            return
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
