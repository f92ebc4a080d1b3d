"""A community on an in-memory adapter, driven by a test: the heart of :mod:`sanshe.testing`."""

from __future__ import annotations

import asyncio
import itertools
import textwrap
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, cast

import yaml

from sanshe.adapters.console import DIRECT, NETWORK
from sanshe.core.actions import (
    ALL_ACTIONS,
    Action,
    Button,
    DirectMessage,
    Edit,
    Reply,
    Send,
    SendFile,
)
from sanshe.core.adapter import ActionFailed
from sanshe.core.bot import Bot
from sanshe.core.cli import shipped_example
from sanshe.core.config import CommunityFile
from sanshe.core.contributions import vocabulary
from sanshe.core.events import (
    Callback,
    Event,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    MemberRenamed,
    Message,
)
from sanshe.core.i18n import Catalogue, Translator, environment_locale
from sanshe.core.model import Community
from sanshe.core.offline import OfflineAdapter
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.core.storage.models import AuditEntry, FormSession, Pseudonym, Record, stored_person
from sanshe.core.storage.tables import plugin_tables

from .clock import ManualClock

__all__ = ["DIRECT", "NETWORK", "RecordingAdapter", "Sandbox"]

#: The kit's own texts.
LOCALES = Path(__file__).parent / "locales"


class RecordingAdapter(OfflineAdapter):
    """An in-memory adapter: core's offline one, that performs every action by keeping it in
    :attr:`performed`, made for tests.

    The messages it "sends" (files too) are numbered ``b1``, ``b2``… as on the
    console (:meth:`number`), and it knows which buttons each still shows
    (:meth:`showing`).  :meth:`limited_to` gives one that can perform only some
    kinds of action, as a network that lacks the others.
    """

    def __init__(self) -> None:
        super().__init__()
        self._numbers: dict[int, str] = {}
        """The number of each message sent, by the action's ``id()`` (kept in :attr:`performed`)."""
        self._shown: dict[str, tuple[str, tuple[Button, ...]]] = {}
        """The chat and buttons of each message with buttons, by its number."""
        self.unreachable: set[str] = set()
        """Handles a private message is refused to, as a network refuses one (Telegram: a join
        applicant more than 5 minutes after the request)."""

    @classmethod
    def limited_to(cls, kinds: Iterable[type[Action]]) -> type[RecordingAdapter]:
        """A recording adapter class whose capabilities are exactly ``kinds``."""
        limited = cast(type[RecordingAdapter], type(cls.__name__, (cls,), {}))
        limited.capabilities = frozenset(kinds)
        return limited

    async def perform(self, action: Action) -> None:
        """Keep the action; one beyond the capabilities is refused as a network would."""
        if type(action) not in self.capabilities:
            raise ActionFailed(f"{self.network} cannot perform {type(action).__name__}")
        if isinstance(action, DirectMessage) and action.user in self.unreachable:
            raise ActionFailed(f"{action.user} cannot be written to privately")
        await super().perform(action)
        if isinstance(action, Send | Reply | DirectMessage | SendFile):
            number = f"b{len(self._numbers) + 1}"
            self._numbers[id(action)] = number
            if isinstance(action, DirectMessage):
                self._show(number, f"{DIRECT}:{action.user}", action.buttons)
            elif not isinstance(action, SendFile):
                self._show(number, action.chat, action.buttons)
        elif isinstance(action, Edit):
            self._show(action.message_id, action.chat, action.buttons)

    def _show(self, number: str, chat: str, buttons: tuple[Button, ...]) -> None:
        """Message ``number`` in ``chat`` now shows ``buttons`` (none: forget it)."""
        if buttons:
            self._shown[number] = (chat, buttons)
        else:
            self._shown.pop(number, None)

    def number(self, message: Action) -> str:
        """The number (``b1``, ``b2``…) of a message this adapter sent (``message`` is one it performed)."""
        try:
            return self._numbers[id(message)]
        except KeyError:
            raise LookupError(f"{message!r} is not a message this adapter sent") from None

    def showing(self, chat: str, data: str) -> str:
        """The number of the latest message in ``chat`` that shows a button carrying ``data``, or ""."""
        shown = [
            number
            for number, (where, buttons) in self._shown.items()
            if where == chat and any(b.data == data for b in buttons)
        ]
        return shown[-1] if shown else ""


# A test double performs every action without a method for each (its capabilities are declared).
RecordingAdapter.capabilities = ALL_ACTIONS


class _FromText(Bot):
    """A bot whose community came from text, not from a file."""

    async def reload(self) -> list[str]:
        """Refuse, as there is no file to read again; the problem says how to test ``/reload``."""
        return [Translator(Catalogue([LOCALES]), environment_locale())("testing.reload_from_text")]


class Sandbox:
    """A community run on a :class:`RecordingAdapter` and a real database.

    ``config`` is the community file; without it, the example community
    shipped with sanshe (see also :meth:`from_yaml` and :meth:`from_dict`).
    ``db_url`` defaults to an in-memory SQLite database; give a file URL to
    survive :meth:`restart`.  ``plugins`` registers extra plugin modules (the
    one you are writing) beside the installed ones, once even if it is installed too.
    ``capabilities`` limits the actions the adapter can perform.  ``clock`` is
    the time the bot sees (default: a :class:`ManualClock` at the current time).

    One sandbox runs at a time (the database connection is the process's):
    starting a second before the first stops is refused.  The clock stamps
    events, records, audit entries and what the bot reads as ``bot.clock``, not
    the times the database stamps itself (a form dialog's ``updated_at``…): those
    are the system's.
    """

    _running: ClassVar[Sandbox | None] = None
    """The sandbox started and not yet stopped, if any."""

    def __init__(
        self,
        config: str | Path | None = None,
        *,
        db_url: str = "sqlite://:memory:",
        plugins: Sequence[object] = (),
        capabilities: Iterable[type[Action]] = ALL_ACTIONS,
        timeout: float = 10.0,
        clock: ManualClock | None = None,
    ) -> None:
        self.config: Path | None = Path(config) if config is not None else shipped_example()
        """The community file (None for a sandbox made from text or a dict)."""
        self._text: tuple[str, str, Path] | None = None
        self.db_url = db_url
        self.plugins = tuple(plugins)
        self.capabilities = frozenset(capabilities)
        self.timeout = timeout
        self.clock = clock or ManualClock()
        self._ids = itertools.count(1)
        self.bot: Bot
        self.adapter: RecordingAdapter
        self.storage: Storage

    @classmethod
    def from_yaml(
        cls, text: str, *, name: str = "<string>", base: str | Path = ".", **options: Any
    ) -> Sandbox:
        """A sandbox of the community written in YAML ``text`` (dedented first).

        Mistakes are reported as in a file called ``name`` (``<string>:3:5: …``);
        files the text includes (``forms: [forms/*.yaml]``) are found from the
        folder ``base``.  ``options`` are those of :class:`Sandbox`.  Without a
        file, ``/reload`` has nothing to read again, and the bot answers it as
        a refused reload saying so (test reloading with ``Sandbox(path)``).
        """
        sandbox = cls(**options)
        sandbox.config = None
        sandbox._text = (textwrap.dedent(text), name, Path(base))
        return sandbox

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        name: str = "<dict>",
        base: str | Path = ".",
        **options: Any,
    ) -> Sandbox:
        """A sandbox of the community ``data`` holds, as the YAML would (see :meth:`from_yaml`).

        Mistakes are reported at the line and column of ``data`` written out as
        YAML, in a file called ``name``.
        """
        text = yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
        return cls.from_yaml(text, name=name, base=base, **options)

    @property
    def community(self) -> Community:
        """The community as loaded."""
        return self.bot.community

    def _file(self) -> CommunityFile:
        if self._text is not None:
            text, name, base = self._text
            return CommunityFile.from_text(text, name, base)
        assert self.config is not None
        return CommunityFile.read(self.config)

    async def start(self) -> Sandbox:
        """Load the YAML (refusing it as ``sanshe check-config`` would), open storage (with the
        plugins' tables), start the bot.

        Raises RuntimeError while another sandbox runs.
        """
        running = Sandbox._running
        if running is not None:
            raise RuntimeError(
                "one sandbox at a time: another is running (of "
                f"{running.config or running._text and running._text[1]}); stop it first "
                "(leave its `async with`), as both would use the one database connection"
            )
        Sandbox._running = self
        try:
            await self._start()
        except BaseException:
            Sandbox._running = None
            raise
        return self

    async def _start(self) -> None:
        file = self._file()
        pm = plugin_manager(file.disabled_plugins, extra=self.plugins)
        community = file.check(vocabulary(pm))
        self.storage = Storage(self.db_url, plugin_tables(pm))
        adapter = RecordingAdapter
        if self.capabilities != RecordingAdapter.capabilities:
            adapter = RecordingAdapter.limited_to(self.capabilities)
        self.adapter = adapter()
        bot = Bot if self._text is None else _FromText
        self.bot = bot(
            community, self.adapter, self.storage, pm=pm, config_path=self.config, clock=self.clock
        )
        await self.storage.open()
        await self.bot.start()

    async def stop(self) -> None:
        """Stop the bot and close storage."""
        try:
            await self.bot.stop()
            await self.storage.close()
        finally:
            if Sandbox._running is self:
                Sandbox._running = None

    async def restart(self) -> None:
        """Stop and start again on the same database (use a file database) and clock."""
        await self.stop()
        await self.start()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- people doing things -------------------------------------------------------

    def _common(self, who: str, where: str, name: str = "") -> dict[str, Any]:
        direct = where == DIRECT
        number = next(self._ids)
        return {
            "network": NETWORK,
            "chat": f"{DIRECT}:{who}" if direct else where,
            "event_id": f"sandbox:{time.monotonic_ns()}:{number}",
            "sender": who,
            "direct": direct,
            "time": self.clock.time(),
            "sender_name": name,
        }

    async def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> list[Action]:
        """Move the clock forward (nothing given: not at all), fire the timers due by then and
        return the actions performed meanwhile (a timer due while stopped fires at start: see
        it with ``advance()`` after :meth:`restart`)."""
        before = len(self.adapter.performed)
        self.clock.advance(delta, days=days, hours=hours, minutes=minutes, seconds=seconds)
        await asyncio.wait_for(self.bot.timers.fire_due(), self.timeout)
        return self.adapter.performed[before:]

    def members(self, where: str, *who: str) -> None:
        """Group ``where``'s chat holds exactly the people with console handles ``who`` (then,
        as before, who joins or writes there is in it, who leaves or is removed out).

        Without this, the adapter knows of a chat only whom it saw there (who wrote, joined,
        pressed a button, was let in, left or was removed) and cannot tell of anyone else.
        """
        self.adapter.members.given(where, who)

    async def deliver(self, event: Event) -> list[Action]:
        """Hand ``event`` to the bot as an adapter would (which notes who it shows in its chat);
        return the actions performed for it."""
        before = len(self.adapter.performed)
        self.adapter.saw(event)
        try:
            await asyncio.wait_for(self.bot.submit(event), self.timeout)
        except TimeoutError:
            raise AssertionError(
                f"no answer within {self.timeout}s while waiting for {type(event).__name__} "
                f"{event.event_id} from {event.sender} in {event.chat} to be handled"
            ) from None
        return self.adapter.performed[before:]

    async def send(
        self,
        who: str,
        where: str,
        text: str,
        *,
        language: str | None = None,
        reply_to: Action | str | None = None,
        reply_to_sender: str | None = None,
        reply_to_text: str | None = None,
        name: str = "",
    ) -> list[Action]:
        """``who`` writes ``text`` in group ``where`` (or ``"dm"``); return the bot's actions.

        ``reply_to`` makes it a reply: to a message the bot sent (the action) or
        to the message with that id, written by ``reply_to_sender`` (a handle),
        whose text was ``reply_to_text``.  ``name`` is the display name the network shows
        for ``who`` (none: it shows none).
        """
        common = self._common(who, where, name)
        message_id = common["event_id"].rsplit(":", 1)[1]
        if reply_to is not None and not isinstance(reply_to, str):
            reply_to = self.adapter.number(reply_to)
        return await self.deliver(
            Message(
                text=text,
                message_id=message_id,
                language=language,
                reply_to=reply_to,
                reply_to_sender=reply_to_sender,
                reply_to_text=reply_to_text,
                **common,
            )
        )

    async def ask_to_join(self, who: str, where: str, note: str = "") -> list[Action]:
        """``who`` asks to join group ``where``."""
        return await self.deliver(JoinRequest(note=note, **self._common(who, where)))

    async def join(self, who: str, where: str, name: str = "") -> list[Action]:
        """``who`` is now a member of ``where``, shown as ``name`` (none: the network shows none)."""
        return await self.deliver(MemberJoined(**self._common(who, where, name)))

    async def rename(self, who: str, where: str, name: str, old: str = "") -> list[Action]:
        """``who`` changed the name shown for them in ``where`` from ``old`` to ``name``."""
        return await self.deliver(MemberRenamed(old_name=old, **self._common(who, where, name)))

    async def leave(self, who: str, where: str) -> list[Action]:
        """``who`` left ``where``."""
        return await self.deliver(MemberLeft(**self._common(who, where)))

    async def press(
        self, who: str, where: str, button: Button | str, *, on: Action | str = ""
    ) -> list[Action]:
        """``who`` pressed ``button`` (or a button carrying this data) in ``where``.

        The press names the message ``on`` (the action that sent it, or a
        message id), else the latest message in that chat showing such a
        button (none: an empty id, as for a button shown before a restart).
        It has a callback id, as on Telegram, so the bot's answer to it comes
        back as an :class:`~sanshe.core.actions.AnswerButton`.
        """
        data = button.data if isinstance(button, Button) else button
        common = self._common(who, where)
        if isinstance(on, str):
            message_id = on or self.adapter.showing(common["chat"], data)
        else:
            message_id = self.adapter.number(on)
        callback_id = f"press:{common['event_id']}"
        return await self.deliver(
            Callback(data=data, message_id=message_id, callback_id=callback_id, **common)
        )

    # -- what the bot said and stored ------------------------------------------------

    @staticmethod
    def texts(actions: Iterable[Action]) -> list[str]:
        """The texts of the actions that carry one, in order."""
        return [text for a in actions if (text := getattr(a, "text", None)) is not None]

    @staticmethod
    def buttons(actions: Iterable[Action]) -> list[Button]:
        """The buttons under the actions' messages, in order."""
        return [b for a in actions for b in getattr(a, "buttons", ())]

    def person_key(self, who: str) -> str:
        """How records and dialogs name the person with console handle ``who``."""
        return stored_person(self.bot.directory.person(NETWORK, who).id)

    async def records(self, form: str | None = None, *, who: str | None = None) -> list[Record]:
        """The stored records (filled forms), oldest first: of ``form``, by ``who`` if given."""
        query = Record.all()
        if form is not None:
            query = query.filter(form_id=form)
        if who is not None:
            query = query.filter(person=self.person_key(who))
        return await query.order_by("id")

    async def form_dialog(self, who: str) -> FormSession | None:
        """The form dialog ``who`` is filling, if any."""
        return await FormSession.get_or_none(person=self.person_key(who))

    async def form_dialogs(self) -> list[FormSession]:
        """Every form dialog kept, of anyone, oldest first."""
        return await FormSession.all().order_by("id")

    async def audit(
        self, *, who: str | None = None, action: str | None = None, subject: str | None = None
    ) -> list[AuditEntry]:
        """The audit log's entries, oldest first: by ``who``, of ``action``, on ``subject`` if given.

        ``who`` is a console handle and a person subject ``person:<id>``, as the
        audit API names them; the entries hold pseudonyms (none: no entries).
        """
        query = AuditEntry.all()
        if who is not None:
            actor = await Pseudonym.get_or_none(person=self.person_key(who))
            if actor is None:
                return []
            query = query.filter(actor=actor.pseudonym)
        if action is not None:
            query = query.filter(action=action)
        if subject is not None:
            kind, _colon, person = subject.partition(":")
            if kind == "person":
                named = await Pseudonym.get_or_none(person=stored_person(person))
                if named is None:
                    return []
                subject = f"person:{named.pseudonym}"
            query = query.filter(subject=subject)
        return await query.order_by("id")

    async def handled(self, event: Event) -> bool:
        """Whether ``event`` was checkpointed (a second delivery of it does nothing)."""
        return bool(await self.storage.handled_among([event]))

    async def pending(self) -> list[Action]:
        """The actions decided but not yet performed (the outbox), oldest first."""
        return [action for _key, action in await self.storage.outbox(NETWORK)]
