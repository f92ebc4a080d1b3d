"""What a plugin sees while handling one event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import audit, moderation_log, people, permissions
from .actions import Action, AnswerButton, Button, Delete, DirectMessage, Reply, Send, SendFile
from .buttons import ButtonPress, read_press
from .events import Callback, Command, Event, MemberRenamed, Message
from .i18n import Translator
from .model import Community, Group, Person, RuntimeGrant, SettingsModel
from .reach import reach
from .services import call_offered
from .storage.writes import Writes

if TYPE_CHECKING:
    from .audit import Entry
    from .bot import Bot
    from .commands import ChatCommand
    from .forms import FormResult
    from .rules import Fired
    from .services import Records
    from .timers import TimerBook


def roles_in(
    community: Community,
    person: Person,
    group: Group | None,
    *,
    member: bool = True,
    now: datetime | None = None,
) -> frozenset[str]:
    """The roles ``person`` has in ``group``; outside any group, their community-wide roles only.

    Scoped roles count only in their groups.  Whoever has no role in a group
    has the member role of its kind (resident, client), unless ``member`` is
    False: a group named from elsewhere, where being in its chat proves
    nothing.  Holders of a role that administers the group are its ``group_admin``.  A role
    granted at runtime counts at ``now`` only if it has begun and not ended (None: the
    system's time).
    """
    where = group.id if group else None
    roles = {g.role for g in person.roles if g.covers(where) and g.counts_at(now)}
    if group is not None:
        member_role = community.member_role(group.kind)
        if member and member_role and not roles:
            roles.add(member_role)
        if roles.intersection(group.administered_by):
            roles.add("group_admin")
    return frozenset(roles)


class Context:
    """One event, with the community, group, person and roles it concerns: what a plugin sees.

    ``event`` is the event (:mod:`sanshe.core.events`), ``group`` the chat's
    group, or for a command that names another group, that group (see
    :meth:`about`); ``person`` the sender (an unknown person has no roles
    but the member role of the group's kind); ``roles`` the sender's roles
    that count here.  ``_`` translates catalogue keys into the person's
    language.  ``command`` is set for a command, ``fired`` while a service
    rule's actions run, :attr:`press` for a button press.  The methods build
    actions (values: core performs them after the event is stored) or ask
    core for what a plugin may know.
    """

    __slots__ = (
        "_bot",
        "event",
        "group",
        "person",
        "roles",
        "_",
        "command",
        "fired",
        "running",
        "writes",
        "computed",
    )

    def __init__(
        self,
        bot: Bot,
        event: Event,
        group: Group | None,
        person: Person,
        command: Command | None = None,
        roles: frozenset[str] | None = None,
        writes: Writes | None = None,
        computed: dict[str | None, frozenset[str]] | None = None,
    ) -> None:
        self._bot = bot
        self.event = event
        self.group = group
        self.person = person
        self.command = command
        if roles is None:  # only grants given at runtime need the time
            now = bot.clock.now() if person.roles else None
            roles = roles_in(bot.community, person, group, now=now)
        self.roles = roles
        self._: Translator = bot.translator(person, event)
        self.fired: Fired | None = None
        self.running: ChatCommand | None = None
        """The command whose handler is running (set by core), with what it declared."""
        self.writes: Writes = Writes() if writes is None else writes
        """The event's database writes: made with its checkpoint (see :mod:`.storage.writes`)."""
        self.computed: dict[str | None, frozenset[str]] = {} if computed is None else computed
        """The sender's computed roles per group id, asked once per event (see :mod:`.people`)."""
        if extra := people.computed(self, group):
            self.roles = self.roles | extra

    def about(self, group: Group | None) -> Context:
        """This event as it concerns ``group`` named from elsewhere (None: the whole community).

        Only the roles the person holds there count: no member role, since
        naming a group does not make one its member.
        """
        now = self.now()
        roles = roles_in(self.community, self.person, group, member=False, now=now)
        return Context(
            self._bot,
            self.event,
            group,
            self.person,
            self.command,
            roles,
            self.writes,
            self.computed,
        )

    @property
    def community(self) -> Community:
        """The community being served."""
        return self._bot.community

    @property
    def records(self) -> Records:
        """The stored forms."""
        return self._bot.storage

    def settings(self, model: type[SettingsModel]) -> SettingsModel:
        """This plugin's settings: the instance of ``model`` (its ``sanshe_settings``) in force.

        Read when needed, not kept: a reload brings the file's new settings.
        """
        return self._bot.community.plugins.of(model)

    @property
    def text(self) -> str:
        """The message text; for a rename the new name, which nickname rules check; else ''."""
        event = self.event
        if isinstance(event, Message):
            return event.text
        return event.sender_name if isinstance(event, MemberRenamed) else ""

    @property
    def press(self) -> ButtonPress | None:
        """The button pressed, for a button event (None for other events)."""
        event = self.event
        if not isinstance(event, Callback):
            return None
        return read_press(event.data, event.message_id, event.callback_id)

    @property
    def person_key(self) -> str:
        """A stable key for the sender: the person id, or ``network:handle`` for unknown people."""
        return self.person.id

    def has_role(self, roles: Iterable[str]) -> bool:
        """Whether the sender holds any of ``roles`` here."""
        return not self.roles.isdisjoint(roles)

    def reply(self, text: str, buttons: tuple[Button, ...] = ()) -> Action:
        """Answer the event where it happened: a reply to a message, else a post in the chat."""
        event = self.event
        if isinstance(event, Message) and event.message_id:
            return Reply(chat=event.chat, to=event.message_id, text=text, buttons=buttons)
        return Send(chat=event.chat, text=text, buttons=buttons)

    def direct(
        self, text: str, user: str | None = None, buttons: tuple[Button, ...] = ()
    ) -> Action:
        """Write privately to the sender (or to ``user``, a handle on this network)."""
        fallback = None if self.event.direct else self.event.chat
        return DirectMessage(
            user=user or self.event.sender, text=text, buttons=buttons, fallback_chat=fallback
        )

    def privately(self, texts: Iterable[str]) -> list[Action]:
        """``texts`` for the sender alone: the answer in a private chat, privately from a group
        (the group is told nothing: see :meth:`withdrawn` for the message typed there)."""
        if self.event.direct:
            return [self.reply(t) for t in texts]
        return [self.direct(t) for t in texts]

    def withdrawn(self) -> list[Action]:
        """The deletion of the event's own message, typed in a group, where the network can: for
        a command that carries personal data (a temperature, a complaint, an errand), answered
        :meth:`privately`.  Empty in a private chat or where the network cannot delete."""
        event = self.event
        if event.direct or not isinstance(event, Message) or not event.message_id:
            return []
        return [Delete(chat=event.chat, message_id=event.message_id)] if self.can(Delete) else []

    def tell(self, person: Person, text: str, buttons: tuple[Button, ...] = ()) -> Action | None:
        """Write privately to ``person`` on a network where they have a handle (this one first).

        None when they cannot be reached (logged): no handle on a running
        network that writes privately.  Only for the sender is this chat asked
        to open a private one if the network refuses; a group never sees a
        message meant for someone else.
        """
        event = self.event
        own = person.id == self.person.id and not event.direct
        return reach(
            person,
            text,
            self._bot.adapters,
            first=event.network,
            buttons=buttons,
            fallback_chat=event.chat if own else None,
        )

    def send_file(
        self, name: str, content: bytes | None = None, path: str | Path = "", caption: str = ""
    ) -> Action:
        """Send a file (``content``, or the file at ``path``) privately to the sender."""
        fallback = None if self.event.direct else self.event.chat
        return SendFile(
            name=name,
            content=content,
            path=str(path),
            caption=caption,
            user=self.event.sender,
            fallback_chat=fallback,
        )

    def answer(self, text: str = "") -> Action:
        """Answer the button press being handled: ``text`` shown to the presser (empty: only acknowledge).

        Outside a button press, a reply with ``text``.
        """
        press = self.press
        if press is None or not press.callback_id:
            return self.reply(text)
        return AnswerButton(callback_id=press.callback_id, text=text, chat=self.event.chat)

    def timers(self, plugin: str) -> TimerBook:
        """``plugin``'s timers: schedule, replace or cancel them with this event's writes."""
        return self._bot.timers.book(self.writes, plugin)

    def in_chats_of(self, group: Group) -> list[Context]:
        """This event as it concerns ``group``'s chat on each network served (to post there)."""
        places: list[Context] = []
        for network in self._bot.adapters:
            chat = self._bot.directory.chat_of(network, group.id)
            if chat is None:
                continue
            event = Event(network=network, chat=chat, event_id=self.event.event_id, sender="")
            person = self.person
            places.append(_Place(self._bot, event, group, person, self.command, None, self.writes))
        return places

    async def number(self, sequence: str) -> int:
        """The next number of ``sequence`` (``case``…), to show before the event is stored."""
        return await self._bot.storage.number(sequence)

    async def claim(self, *subjects: str) -> None:
        """Decide alone about ``subjects`` (such as ``"errand:12"``) until this event's
        checkpoint: wait while another event claims one of them, then read them (see
        :mod:`.claims`).  Once per event, all its subjects together."""
        await self._bot.claims.claim(self.writes, subjects)

    def now(self) -> datetime:
        """What time it is (aware, UTC), by the bot's clock: a test kit's clock can be moved."""
        return self._bot.clock.now()

    def audit(self, action: str, subject: str, detail: str = "") -> None:
        """Note in the audit log that the sender did ``action`` (``read``, ``create``…) on
        ``subject`` (``record:12``, ``person:<id>``…), with the event's writes (see :mod:`.audit`)."""
        audit.stage(self.writes, self.person.id, action, subject, detail, self.now())

    def moderated(self, action: str, about: Person, key: str, **values: object) -> list[Action]:
        """Note a moderation ``action`` (``warn``, ``mute``…) on ``about`` in the audit log and
        tell the moderation log group ``key``'s text, values free of personal data (see
        :mod:`.moderation_log`)."""
        return moderation_log.moderated(self, action, about, key, **values)

    def dry_run(self, plugin: str) -> bool:
        """Whether ``plugin``'s rule actions and automatic sanctions only report what they would
        do (``plugins: dry_run: [...]`` names it): then tell :meth:`moderated` instead of acting."""
        return plugin in self.community.plugins.dry_run

    def can(self, kind: type[Action], network: str = "") -> bool:
        """Whether ``network``'s adapter (default: this event's) can perform actions of ``kind``."""
        adapter = self._bot.adapters.get(network or self.event.network)
        return adapter is not None and kind in adapter.capabilities

    def once_per(self, plugin: str, key: str, interval: timedelta) -> bool:
        """True, and noted with the event's writes, when ``plugin`` noted nothing under ``key``
        within ``interval``; else False: for a reminder that must not nag (kept across restarts
        as a timer of ``plugin``'s that core lets pass without calling it)."""
        return self._bot.timers.once_per(self.writes, plugin, key, interval)

    async def audit_log(self, subject: str | None = None, limit: int = 20) -> list[Entry]:
        """The audit log's latest ``limit`` entries, newest first (on ``subject``, if given);
        nothing for a sender without ``audit.read`` here."""
        if not await self.allowed(permissions.AUDIT_READ):
            return []
        return await audit.recent(self._bot.storage, subject, limit)

    def person_with(self, handle: str) -> Person:
        """Whoever has ``handle`` on this event's network: a known person, or an unknown one."""
        return self._bot.directory.person(self.event.network, handle)

    def person_seen(self, handle: str) -> Person | None:
        """The known person with ``handle`` here, or an unknown one who wrote lately; else None."""
        return self._bot.directory.seen(self.event.network, handle)

    def add_person(
        self,
        *,
        name: str,
        handles: Mapping[str, str | int],
        locale: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Person:
        """Store someone who became known in chat (a resident let in, a volunteer registered),
        with the event's writes; ValueError for a handle a known person has (see :mod:`.people`)."""
        return people.add_person(self, name=name, handles=handles, locale=locale, details=details)

    def grant(
        self,
        person: Person,
        role: str,
        groups: Iterable[str] | None = None,
        *,
        until: datetime | None = None,
        reason: str = "",
    ) -> Person:
        """Give ``person`` ``role`` in ``groups`` (None: community-wide) until ``until``, with the
        event's writes and an audit entry; no check of who may (see :func:`.people.grant`)."""
        return people.grant(self, person, role, groups, until=until, reason=reason)

    def revoke(self, person: Person, role: str, group: Group | None) -> list[RuntimeGrant]:
        """End ``person``'s runtime grants of ``role`` in ``group`` (None: community-wide ones)."""
        return people.revoke(self, person, role, group)

    async def allowed(self, permission: str) -> bool:
        """Whether the sender may do ``permission`` here (``record.read:<form>``…): votes, then YAML."""
        return await permissions.allowed(self, permission)

    def handle_of(self, person: Person) -> str | None:
        """``person``'s id on this event's network, if known."""
        return person.handles.get(self.event.network)

    def chat_of(self, group_id: str) -> str | None:
        """The chat of ``group_id`` on this event's network, if it has one."""
        return self._bot.directory.chat_of(self.event.network, group_id)

    async def member_of(self, group: Group, person: Person) -> bool | None:
        """Whether ``person`` is in ``group``'s chat on this event's network now, as its adapter
        says; None when that is not known (the network cannot tell, the group has no chat or
        the person no handle here)."""
        adapter = self._bot.adapters.get(self.event.network)
        chat = self.chat_of(group.id)
        handle = self.handle_of(person)
        if adapter is None or chat is None or handle is None:
            return None
        return await adapter.is_member(chat, handle)

    def admins(self, group: Group) -> list[Person]:
        """The known people who administer ``group``."""
        return [
            p for p in self.community.people if "group_admin" in roles_in(self.community, p, group)
        ]

    def role_name(self, role: str) -> str:
        """A role's name (custom roles included) in the sender's language."""
        return self._bot.role_name(role, self._)

    def kind_name(self, kind: str) -> str:
        """A group kind's name (custom kinds included) in the sender's language."""
        return self._bot.kind_name(kind, self._)

    def translator(self, person: Person) -> Translator:
        """Texts in ``person``'s language (to write to someone other than the sender)."""
        return self._bot.translator(person)

    @property
    def everyone(self) -> Translator:
        """Texts in the community's language: for what everybody in a group reads (a notice,
        a clarification), whoever's message it answers."""
        return Translator(self._bot.catalogue, self.community.locale)

    async def open_commands(self) -> list[ChatCommand]:
        """The listed commands open to the sender here, in the plugins' order."""
        return await self._bot.open_commands(self)

    async def may_use(self, name: str) -> bool:
        """Whether ``/name`` is a command of the bot's (listed or not) the sender may use here."""
        command = self._bot.commands.find(name)
        return command is not None and await self._bot.open_to(self, command)

    async def command_lines(self) -> list[str]:
        """One line per command open to the sender here (what ``/help`` lists)."""
        return await self._bot.command_lines(self)

    def rules_here(self) -> list[str]:
        """The service rules that watch this group, in plain words in the sender's language."""
        return self._bot.rules.describe(self.group, self._) if self.group else []

    async def call(self, hook: str, **kwargs: Any) -> Any:
        """Call a hook another plugin offers (``sanshe_addhooks``) and await its answers.

        A list of the answers that are not None (for a ``firstresult`` hook,
        the answer); a hook nobody offers answers ``[]`` (None).
        """
        return await call_offered(self._bot, hook, **kwargs)

    async def form_submitted(self, result: FormResult) -> list[Action]:
        """Tell the rules (``on: form_submitted``) and the plugins that a form was stored."""
        return await self._bot.form_submitted(self, result)

    def bind(self, group_id: str) -> None:
        """Make this chat the chat of ``group_id`` once the event is stored (plugins are told)."""
        self._bot.bind(self.writes, self.event.network, self.event.chat, group_id, self.person.id)

    async def reload(self) -> list[str]:
        """Read the community file again; the problems that kept it from taking effect."""
        return await self._bot.reload()


class _Place(Context):
    """A group's chat on one network, as :meth:`Context.in_chats_of` gives it: what it builds
    goes to that network (the event it serves may be a timer's, which has none)."""

    __slots__ = ()

    def reply(self, text: str, buttons: tuple[Button, ...] = ()) -> Action:
        return replace(super().reply(text, buttons), network=self.event.network)

    def direct(
        self, text: str, user: str | None = None, buttons: tuple[Button, ...] = ()
    ) -> Action:
        return replace(super().direct(text, user, buttons), network=self.event.network)

    def send_file(
        self, name: str, content: bytes | None = None, path: str | Path = "", caption: str = ""
    ) -> Action:
        return replace(super().send_file(name, content, path, caption), network=self.event.network)
