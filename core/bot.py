"""The bot serving one community: from an event to the actions performed on the network."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import os
import signal
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import names, permissions
from .actions import Action, Delete, DirectMessage
from .adapter import ActionFailed, Adapter, performing_outbox_key
from .arguments import ArgumentError
from .buttons import ButtonBook, ButtonClash
from .claims import Claims
from .clock import Clock, SystemClock
from .commands import ChatCommand, CommandBook, CommandClash
from .config import CommunityFile, ConfigError, Vocabulary, config_translator
from .context import Context
from .contributions import Contributions, contributions
from .dead_letters import admin_notes, failure
from .directory import Directory
from .dispatcher import Dispatcher
from .events import (
    Callback,
    Event,
    JoinRequest,
    MemberJoined,
    MemberLeft,
    MemberRenamed,
    Message,
    TimerDue,
    Unprompted,
    parse_command,
)
from .forms import FormResult
from .i18n import Catalogue, Translator, normalize_locale
from .model import Community, Group, Person
from .people import People
from .performing import waves
from .plugins import (
    TRACE_PLUGIN,
    Plugins,
    answer_of,
    as_actions,
    available_plugins,
    await_me_maybe,
    call_hook,
    first_answer,
    plugin_manager,
    settle,
)
from .privacy import excerpt
from .rules import RuleBook
from .services import Services
from .storage import Storage, event_of
from .storage.models import DeadLetter
from .storage.writes import Writes
from .text import storable_event
from .timers import Timers

log = logging.getLogger(__name__)

#: The network of the work plugins do outside incoming events (see :meth:`Bot.act`).
PLUGIN_NETWORK = "plugin"
#: Test-only: ``<network>:checkpoint`` makes the process stop itself (SIGSTOP) once it has
#: decided an event of ``network``, before its checkpoint; ``<network>:perform``, between that
#: checkpoint and the performing of its actions.  A crash test SIGKILLs it there.
STOP_VARIABLE = "SANSHE_TEST_STOP"
#: How many objects are made, less those freed, before the collector looks at the young ones
#: while the bot runs.
YOUNG_OBJECTS = 20_000

_RULE_EVENTS: dict[type[Event], str] = {
    JoinRequest: "join_request",
    MemberJoined: "member_joined",
    MemberLeft: "member_left",
    MemberRenamed: "member_renamed",
}


class Bot:
    """One community on one or more networks: resolves events, runs plugins and rules, performs actions."""

    def __init__(
        self,
        community: Community,
        adapter: Adapter | Sequence[Adapter],
        storage: Storage,
        pm: Plugins | None = None,
        config_path: Path | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        adapters = [adapter] if isinstance(adapter, Adapter) else list(adapter)
        self.adapters: dict[str, Adapter] = {a.network: a for a in adapters}
        """The adapters serving the community, by network (more than one: several networks)."""
        self.adapter = adapters[0]
        """The first network's adapter (the only one, on one network)."""
        self.clock: Clock = clock or SystemClock()
        """What time it is for this bot and its plugins (a test kit's clock can be moved)."""
        self.claims = Claims()
        """Subjects an event decides about alone until its checkpoint (see :mod:`.claims`)."""
        self.storage = storage
        self.config_path = config_path
        self.pm = pm or plugin_manager(community.plugins.disable)
        self.services = Services(self)
        """What plugins are given outside events (start-up, shutdown, changes)."""
        self.community = community
        self.rules = RuleBook(community, self.vocabulary.conditions, self.vocabulary.actions)
        if self.rules.problems:
            raise ValueError("rules do not compile; check the file with `sanshe check-config`")
        self.people = People()
        """The people and role grants kept in storage (loaded at start)."""
        self.directory = Directory(community, self._named(), {})
        self.dispatcher = Dispatcher(self.process)
        self.timers = Timers(self)
        """What plugins and rules scheduled (see :mod:`.timers`)."""
        self._unprompted: dict[str, Callable[[Context], object]] = {}
        self._background: set[asyncio.Future[object]] = set()
        #: The telling of the last change to the plugins (``sanshe_community_changed``), done
        #: once every plugin followed it: what a test of a reload waits for.
        self.change_told: asyncio.Future[object] | None = None
        self._reloading = asyncio.Lock()
        self._stop_at = os.environ.get(STOP_VARIABLE, "")
        self._thresholds = gc.get_threshold()

    @property
    def contributions(self) -> Contributions:
        """What the running plugins contribute (built again when a plugin comes or goes)."""
        return contributions(self.pm)

    @property
    def commands(self) -> CommandBook:
        """The running plugins' chat commands."""
        return self.contributions.commands

    @property
    def buttons(self) -> ButtonBook:
        """The running plugins' button handlers."""
        return self.contributions.buttons

    @property
    def catalogue(self) -> Catalogue:
        """Core's texts and the running plugins'."""
        return self.contributions.catalogue

    @property
    def vocabulary(self) -> Vocabulary:
        """The running plugins' rule conditions and actions."""
        return self.contributions.vocabulary

    def _named(self) -> frozenset[str]:
        return frozenset(n for n, a in self.adapters.items() if a.chats_named_by_group)

    # -- life cycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Load bindings, prepare the adapter, perform actions a crash left in the outbox, start plugins."""
        await self._ready()
        for network in self.adapters:
            for key, action in await self.storage.outbox(network):
                await self._perform(key, network, action)
        await self.timers.load()
        await self._tell(self.pm, "sanshe_startup")
        self.in_background(self.timers.run())  # first, what fell due while the bot was stopped
        gc.freeze()  # what start-up built lives as long as the bot: the collector skips it
        # An event leaves hundreds of short-lived objects: collecting the young ones every
        # 700 allocations (the default) cost a sixth of an event's time.
        self._thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_OBJECTS, *self._thresholds[1:])

    async def _ready(self) -> None:
        """Load the stored bindings and people and let the adapter prepare (connect, load what it
        keeps)."""
        self.people = await People.load(self.clock.now())
        bindings = await self.storage.bindings()
        self.directory = Directory(self.community, self._named(), bindings, self.people)
        for adapter in self.adapters.values():
            prepare = getattr(adapter, "prepare", None)
            if prepare is not None:
                await prepare(self)

    async def stop(self) -> None:
        """Stop the timers, finish queued events and tell plugins we are stopping."""
        self.timers.close()
        await self.dispatcher.close()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self._tell(self.pm, "sanshe_shutdown")
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)

    async def _tell(self, pm: Plugins, name: str, only: set[str] | None = None) -> None:
        """Call life-cycle hook ``name`` of ``pm``'s plugins (or the ``only`` ones) and await them."""
        hook = getattr(pm.hook, name)
        if only is not None:
            others = [p for n, p in pm.list_name_plugin() if n not in only and p is not None]
            hook = pm.subset_hook_caller(name, remove_plugins=others)
        for answer in call_hook(hook, services=self.services):
            await answer_of(answer)

    async def reload(self) -> list[str]:
        """Read the community file again, in a thread; keep the running config when it is wrong.

        A changed ``plugins.disable`` is applied: the installed plugins are
        registered again from the new list, with their commands, texts and rule
        vocabulary; plugins registered from outside (an adapter, a test kit's)
        stay.  Returns the problems found (empty when the new config is in force).
        """
        if self.config_path is None:
            return []
        installed = available_plugins()
        outside = [
            (n, p)
            for n, p in self.pm.list_name_plugin()
            if n not in installed and n != TRACE_PLUGIN and p  # a new manager traces itself
        ]
        async with self._reloading:
            try:
                loaded = await asyncio.to_thread(_read_again, self, self.config_path, outside)
            except (ConfigError, CommandClash, ButtonClash) as exc:
                problems = exc.problems if isinstance(exc, ConfigError) else [exc]
                for problem in problems:
                    log.error("reload refused, keeping the running config: %s", problem)
                return [str(p) for p in problems]
            except Exception as exc:
                log.error(
                    "reload refused, keeping the running config: %s",
                    type(exc).__name__,
                    exc_info=True,
                )
                return [config_translator()("config.reload_failed", error=type(exc).__name__)]
            old = self.pm
            self.pm, self.community, self.rules = loaded.pm, loaded.community, loaded.rules
            bound = self.directory.bound
            self.directory = Directory(self.community, self._named(), bound, self.people)
            if self.pm is not old:
                before = {name for name, _p in old.list_name_plugin()}
                now = {name for name, _p in self.pm.list_name_plugin()}
                await self._tell(old, "sanshe_shutdown", only=before - now)
                await self._tell(self.pm, "sanshe_startup", only=now - before)
        log.info("reloaded %s", self.config_path)
        await self.timers.follow_rules()
        self._changed()
        return []

    def bind(self, writes: Writes, network: str, chat: str, group_id: str, bound_by: str) -> None:
        """Make ``chat`` the chat of ``group_id`` on ``network`` with ``writes`` (an event's)."""

        def bound() -> None:
            self.directory.bind(network, chat, group_id)
            self._changed()

        writes.run(lambda db: self.storage.bind(network, chat, group_id, bound_by, using=db))
        writes.after(bound)

    async def bound(self, network: str, chat: str, group_id: str, bound_by: str) -> None:
        """An adapter made ``chat`` ``group_id``'s (a room it created, a group that moved): kept now.

        Not an event's decision but what happened on the network while performing one.
        """
        writes = Writes()
        self.bind(writes, network, chat, group_id, bound_by)
        await self.storage.write(writes)

    def _changed(self) -> None:
        """Tell plugins (and adapters registered as plugins) that the community changed."""
        self.change_told = self.in_background(self._tell(self.pm, "sanshe_community_changed"))

    def in_background(self, work: Awaitable[object]) -> asyncio.Future[object]:
        """Run ``work`` beside the events (a reload on SIGHUP, a change told); ``stop`` waits for it."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    # -- events ------------------------------------------------------------------------

    async def act(self, plugin: str, work: Callable[[Context], object]) -> None:
        """Run ``work`` (a plugin's, outside any incoming event) as an event of ``plugin``'s lane.

        ``work(context)`` returns actions (or a coroutine of them) and may note
        writes on ``context.writes``: they are checkpointed and performed as an
        event's.  Returns once they are kept; raises what ``work`` raised, or
        :class:`Held` when an earlier event of the lane could not be kept (then
        nothing of this one is).  Work that fails is not tried again: the plugin decides.
        """
        event_id = uuid.uuid4().hex
        self._unprompted[event_id] = work
        event = Unprompted(network=PLUGIN_NETWORK, chat=plugin, event_id=event_id, sender=plugin)
        try:
            await self.submit(event)
        finally:
            self._unprompted.pop(event_id, None)

    def submit(self, event: Event) -> asyncio.Future[None]:
        """Queue an event (its texts made storable); the future completes once it is checkpointed."""
        return self.dispatcher.submit(storable_event(event))

    async def process(self, events: list[Event]) -> list[BaseException | None]:
        """Handle events of one chat exactly once, in order: decide, checkpoint, then perform.

        An event handled before is decided again but its checkpoint keeps
        nothing of it (the duplicate check is the checkpoint's insert).  The
        try is noted in storage before it starts, so that a try the process
        does not live through counts.  An event whose handling raises stays unacknowledged (its error
        is returned; its adapter delivers it again), but on its last try
        (``community.dead_letter_after``) it is set aside as a dead letter and
        the admins are told, which counts as handled (see :mod:`.dead_letters`).
        The checkpoints, with their writes and actions (the outbox), are written
        in one transaction before any of those actions is performed; an event
        with writes is checkpointed (and its actions performed) before the next
        one of the chat is decided, which then sees those writes.  If that
        checkpoint fails, the chat's later events of the batch are held.  Returns, per event, None or
        the error that kept it from being handled.
        """
        before, trying = await self.storage.begin(events)
        outcomes: list[BaseException | None] = [None] * len(events)
        tries = {index: done + 1 for index, done in enumerate(before) if done >= 0}
        decided: list[tuple[int, _Decision]] = []
        last = max(tries, default=-1)
        for index in tries:
            try:
                decision = await self._decide(events[index], tries[index])
            except Exception as exc:
                log.exception(
                    "what became of event %s of %s could not be stored; it is tried again when "
                    "delivered again",
                    events[index].event_id,
                    events[index].network,
                )
                decision = exc
            if not isinstance(decision, _Decision):
                outcomes[index] = decision
                continue
            decided.append((index, decision))
            # the next event must see these writes, and may claim what this one claims
            if (
                decision.writes is not None
                and index != last
                and (decision.writes or self.claims.claims(decision.writes))
            ):
                await self._keep(decided, tries, outcomes, None)
                if any(outcomes[i] is not None for i, _d in decided):
                    self._hold(events, tries, index, outcomes)  # decided on a state not kept
                    break
                decided = []
        else:
            await self._keep(decided, tries, outcomes, trying)
            return outcomes
        await self._keep([], tries, outcomes, trying)
        return outcomes

    def _hold(
        self,
        events: list[Event],
        tries: dict[int, int],
        failed: int,
        outcomes: list[BaseException | None],
    ) -> None:
        """Leave the events after ``failed`` undecided: they come again after it, in order."""
        for index in tries:
            if index > failed:
                outcomes[index] = Held(events[index].event_id)

    async def _keep(
        self,
        decided: list[tuple[int, _Decision]],
        tries: dict[int, int],
        outcomes: list[BaseException | None],
        trying: str | None,
    ) -> None:
        """Checkpoint the decided events (ending the try ``trying``, if given), then perform their
        actions in the order :func:`.performing.waves` gives."""
        if self._stop_at:
            self._stop_if("checkpoint", [decision.event for _index, decision in decided])
        try:
            kept = await self._checkpoint(decided, tries, outcomes, trying)
        finally:
            for _index, decision in decided:
                if decision.writes is not None:
                    self.claims.release(decision.writes)
        for decision, keys in kept:
            if not keys:  # none decided, or handled before (then nothing of it was kept)
                continue
            if self._stop_at:
                self._stop_if("perform", [decision.event])
            planned = [
                (key, action.network or decision.event.network, action)
                for key, action in zip(keys, decision.actions, strict=True)
            ]
            for wave in waves(planned):
                if len(wave) == 1:
                    await self._perform(*wave[0])
                else:
                    await asyncio.gather(*(self._perform(*each) for each in wave))

    def _stop_if(self, point: str, events: list[Event]) -> None:
        """Stop this process at ``point`` if :data:`STOP_VARIABLE` names it for one of ``events``."""
        if any(self._stop_at == f"{event.network}:{point}" for event in events):
            os.kill(os.getpid(), signal.SIGSTOP)

    async def _perform(self, key: str, network: str, action: Action) -> None:
        """Perform ``action`` on ``network`` and drop it from the outbox.

        Without an adapter for ``network`` here, it stays in the outbox.
        """
        adapter = self.adapters.get(network)
        if adapter is None:
            log.error("no adapter for %s here: %s stays in the outbox", network, key)
            return
        refused = await self._try(adapter, key, network, action)
        if refused and isinstance(action, DirectMessage):
            for n, instead in enumerate(action.otherwise, 1):
                there = instead.network or network
                if (other := self.adapters.get(there)) is not None:
                    await self._try(other, f"{key}/{n}", there, instead)
        await self.storage.performed(key)

    async def _try(self, adapter: Adapter, key: str, network: str, action: Action) -> bool:
        """Perform ``action`` as the outbox entry ``key``; True when the network refused it.

        A refused :class:`DirectMessage`'s ``otherwise`` actions are performed after it under
        keys of their own (``key/1``…); a crash before the entry is dropped performs the message,
        and so its ``otherwise``, again.
        """
        performing = performing_outbox_key.set(key)
        try:
            await adapter.perform(action)
        except ActionFailed as exc:
            log.warning("%s refused %s: %s", network, type(action).__name__, exc.reason)
            return True
        except Exception:
            log.exception("%s failed to perform %s", network, type(action).__name__)
        finally:
            performing_outbox_key.reset(performing)
        return False

    def context(self, event: Event, writes: Writes | None = None) -> Context:
        """The context of ``event`` (whose database writes go to ``writes``): its group, sender
        and the sender's roles there."""
        group = None if event.direct else self.directory.group(event.network, event.chat)
        person = self.directory.person(event.network, event.sender, event.sender_name)
        return Context(self, event, group, person, writes=writes)

    def context_for(
        self, network: str, person: Person | None, group: Group | None, *, direct: bool = False
    ) -> Context:
        """``person`` (None: someone unknown) in ``group``'s chat, or their private chat, unprompted.

        For what to offer them before they write, such as a network's command menus.
        """
        person = person or self.directory.person(network, "")
        handle = person.handles.get(network, "")
        if direct:
            group, chat = None, handle
        else:
            chat = (self.directory.chat_of(network, group.id) if group else None) or ""
        event = Event(network=network, chat=chat, event_id="", sender=handle, direct=direct)
        return Context(self, event, group, person)

    async def handle(self, event: Event, writes: Writes | None = None) -> list[Action]:
        """Decide what to do about ``event`` (no side effects: its database writes go to ``writes``).

        ``sanshe_watch`` sees every message first; then, in a group, the service
        rules, commands included; a message they delete goes no further (their own actions tell
        the person why).  A private message that nothing took is answered with
        the commands open to the person.
        """
        ctx = self.context(event, writes)
        if isinstance(event, TimerDue):
            return await self.timers.fire(ctx, event)
        if isinstance(event, Unprompted):
            work = self._unprompted.get(event.event_id)
            return as_actions(await await_me_maybe(work(ctx))) if work is not None else []
        if isinstance(event, Callback):
            return await self.rules.apply(ctx, "button_pressed") + await self.press(ctx)
        if not isinstance(event, Message):
            on = _RULE_EVENTS.get(type(event))
            actions = await self.rules.apply(ctx, on) if on else []
            return actions + await settle(
                call_hook(self.pm.hook.sanshe_event, context=ctx), ctx.writes
            )
        watched = await settle(call_hook(self.pm.hook.sanshe_watch, context=ctx), ctx.writes)
        ruled = await self.rules.apply(ctx)
        if any(isinstance(a, Delete) for a in ruled):
            return watched + ruled
        taken = await first_answer(call_hook(self.pm.hook.sanshe_dialog, context=ctx), ctx.writes)
        if taken is not None:
            return watched + ruled + taken
        command = parse_command(event.text)
        if command is not None:
            ctx.command = command
            return watched + ruled + await self.run_command(ctx)
        actions = ruled + await settle(
            call_hook(self.pm.hook.sanshe_message, context=ctx), ctx.writes
        )
        if event.direct and not actions:
            lines = [ctx._("direct.not_understood"), *await self.command_lines(ctx)]
            actions.append(ctx.reply("\n".join(lines)))
        return watched + actions

    async def run_command(self, ctx: Context) -> list[Action]:
        """Run the command in ``ctx``, if it exists and the sender may use it here."""
        assert ctx.command is not None
        _ = ctx._
        name = ctx.command.name
        command = self.commands.find(name)
        if command is None:
            close = self.commands.closest(name)
            hint = _("command.did_you_mean", name=close) if close else ""
            return [ctx.reply(_("command.unknown", name=excerpt(name), hint=hint))]
        if command.where == "group" and ctx.event.direct:
            return [ctx.reply(_("command.only_in_group", name=name))]
        if command.where == "direct" and not ctx.event.direct:
            return [ctx.reply(_("command.only_in_private", name=name))]
        deciding = self.deciding(ctx, command)
        for place in deciding:
            named = place.group if place.group is not ctx.group else None
            if named and not command.roles and not place.roles:  # open to anyone, not to file there
                return [ctx.reply(_("command.no_role_in", name=name, group=named.name))]
            if not await self.may_use(place, command):
                return [ctx.reply(self._refusal(place, ctx, command, name))]
        acting = deciding[-1]
        acting.running = command
        try:
            with ctx.writes.unless_failed():
                return as_actions(await await_me_maybe(command.handler(acting)))
        except ArgumentError as wrong:
            return [ctx.reply(wrong.text)]
        except Exception:
            log.exception("plugin %r failed in command /%s", command.plugin, command.name)
            return [ctx.reply(_("command.failed", name=name))]

    async def press(self, ctx: Context) -> list[Action]:
        """Route a button press to the handler that made the button, if the sender may press it."""
        press = ctx.press
        assert press is not None
        handler = self.buttons.find(press.name)
        if handler is None:
            return [ctx.answer(ctx._("button.stale"))]
        if not await ctx.allowed(f"button:{handler.name}"):
            return [ctx.answer(ctx._("button.denied"))]
        try:
            with ctx.writes.unless_failed():
                return as_actions(await await_me_maybe(handler.handler(ctx)))
        except Exception:
            log.exception("plugin %r failed in button %s", handler.plugin, handler.name)
            return [ctx.answer(ctx._("button.failed"))]

    def deciding(self, ctx: Context, command: ChatCommand) -> list[Context]:
        """The contexts whose roles must all allow ``command``; the last one runs it.

        A command on the community: the community-wide roles.  Otherwise the
        chat's group, and the group that the command's arguments name if the
        chat is not that group's (outside groups, only the named one).
        """
        if command.acts_on == "community":
            return [ctx.about(None)]
        named = command.arguments.group(ctx) if command.arguments is not None else None
        if named is None or (ctx.group is not None and named.id == ctx.group.id):
            return [ctx]
        return [ctx, ctx.about(named)] if ctx.group is not None else [ctx.about(named)]

    def _refusal(self, place: Context, ctx: Context, command: ChatCommand, name: str) -> str:
        """Why ``place``'s roles do not allow ``command``, in the sender's language."""
        _ = ctx._
        if not command.roles:
            return _("command.denied", name=name)
        allowed = _.join(self.role_name(r, _) for r in sorted(command.roles))
        mine = _.join(self.role_name(r, _) for r in sorted(place.roles))
        mine = mine or _("roles.none")
        if command.acts_on == "community":
            return _("command.refused_community", name=name, allowed=allowed, mine=mine)
        if place.group is not None and place.group is not ctx.group:
            group = place.group.name
            return _("command.refused_in", name=name, allowed=allowed, mine=mine, group=group)
        return _("command.refused", name=name, allowed=allowed, mine=mine)

    async def may_use(self, ctx: Context, command: ChatCommand) -> bool:
        """Whether ``ctx``'s roles allow ``command``: plugins' votes, then the command's roles."""
        return await permissions.allowed(ctx, f"command:{command.name}")

    async def form_submitted(self, ctx: Context, result: FormResult) -> list[Action]:
        """A form was stored: the rules ``on: form_submitted`` (in its group), then the plugins."""
        group = self.community.group(result.group_id) if result.group_id else ctx.group
        place = ctx if group is ctx.group else ctx.about(group)
        ruled = await self.rules.apply(place, "form_submitted")
        answers = call_hook(self.pm.hook.sanshe_form_submitted, context=ctx, result=result)
        return ruled + await settle(answers, ctx.writes)

    async def open_to(self, ctx: Context, command: ChatCommand) -> bool:
        """Whether the sender may use ``command`` in this chat (naming one of their groups, if need be)."""
        if command.where == "group" and ctx.event.direct:
            return False
        if command.where == "direct" and not ctx.event.direct:
            return False
        if command.acts_on == "community":
            return await self.may_use(ctx.about(None), command)
        if await self.may_use(ctx, command):
            return True
        if command.arguments is None or not command.arguments.names_group or ctx.group:
            return False
        for group in self.community.groups:
            if await self.may_use(ctx.about(group), command):
                return True
        return False

    async def open_commands(self, ctx: Context) -> list[ChatCommand]:
        """The listed commands open to the sender in this chat, in the plugins' order.

        What /help lists and what a network's command menu shows.
        """
        return [
            c
            for c in self.commands.commands
            if c.listed and await self.open_to(ctx, c) and await self._shown(ctx, c)
        ]

    async def _shown(self, ctx: Context, command: ChatCommand) -> bool:
        """Whether ``command``'s ``shown_to`` lists it to the sender; one that raises is logged
        with its plugin and hides the command (the others are listed)."""
        if command.shown_to is None:
            return True
        try:
            shown = command.shown_to(ctx)
            return bool(await shown if inspect.isawaitable(shown) else shown)
        except Exception:
            log.exception(
                "plugin %r failed saying whether to list /%s", command.plugin, command.name
            )
            return False

    async def command_lines(self, ctx: Context) -> list[str]:
        """One line per command open to the sender here: its names and what it does."""
        lines = []
        for command in await self.open_commands(ctx):
            names = " ".join(f"/{n}" for n in (command.name, *command.aliases))
            lines.append(f"{names} — {ctx._(command.help)}")
        return lines

    def _supported(self, event: Event, actions: list[Action]) -> list[Action]:
        """Replace actions their network cannot perform by a note saying so (in the event's chat)."""
        here = self.adapters.get(event.network)
        if here is not None and all(
            not a.network and type(a) in here.capabilities for a in actions
        ):
            return actions
        ctx: Context | None = None
        kept: list[Action] = []
        for action in actions:
            network = action.network or event.network
            adapter = self.adapters.get(network)
            if adapter is not None and type(action) in adapter.capabilities:
                kept.append(action)
                continue
            log.info("%s cannot perform %s", network, type(action).__name__)
            if here is None:  # a timer's: there is no chat to say so in
                continue
            ctx = ctx or self.context(event)
            what = ctx._(f"action.{type(action).__name__}")
            kept.append(ctx.reply(ctx._("action.unsupported", action=what, network=network)))
        return kept

    # -- language --------------------------------------------------------------------------

    def translator(self, person: Person, event: Event | None = None) -> Translator:
        """Texts in the person's language: their YAML locale, their network's, else the community's."""
        locale = (
            person.locale
            or (normalize_locale(event.language) if event else None)
            or self.community.locale
        )
        return Translator(self.catalogue, locale)

    def role_name(self, role: str, _: Translator) -> str:
        """A role's name in the reader's language."""
        return names.role_name(self.community, role, _)

    def kind_name(self, kind: str, _: Translator) -> str:
        """A group kind's name in the reader's language."""
        return names.kind_name(self.community, kind, _)

    # -- events core cannot handle (see .dead_letters) ------------------------------------

    async def _decide(self, event: Event, tries: int) -> _Decision | BaseException:
        """``event``'s actions on its try number ``tries``; after its last try, its setting aside.

        Returns what handling raised while tries remain.  Handling an event
        handled before is only found out by its checkpoint, unless it raises.
        """
        last = self.community.community.dead_letter_after
        if tries > last:  # the last try did not finish: the process stopped during it
            error = await self.storage.last_failure(event)
            return await self._set_aside(event, tries - 1, error)
        writes = Writes()
        try:
            actions = self._supported(event, await self.handle(event, writes))
            return _Decision(event, actions, writes=writes)
        except Exception as exc:
            self.claims.release(writes)
            if await self.storage.handled_among([event]):  # a second delivery: done already
                log.info("event %s of %s was handled before", event.event_id, event.network)
                return _Decision(event, [])
            log.exception(
                "event %s of %s in chat %s was not handled (try %d of %d)",
                event.event_id,
                event.network,
                event.chat,
                tries,
                last,
            )
            if isinstance(event, Unprompted):  # never delivered again: its plugin is told
                return exc
            if tries >= last:
                return await self._set_aside(event, tries, failure(exc))
            await self.storage.note_failure(event, failure(exc))
            return exc

    async def _set_aside(self, event: Event, tries: int, error: str) -> _Decision:
        """Keep ``event`` as a dead letter and say so in the log; the notes to the admins."""
        letter = await self.storage.set_aside(event, tries, error)
        log.error(
            "event %s of %s in chat %s could not be handled in %d tries (%s); it is set aside "
            "as dead letter %d and the admins are told: once the fault is fixed, replay it "
            "with `sanshe dead-letters --replay %d`",
            event.event_id,
            event.network,
            event.chat,
            tries,
            error or "the process stopped during each try",
            letter.id,
            letter.id,
        )
        writes = Writes()
        if isinstance(event, TimerDue):  # a recurring timer goes on without this firing
            await self.timers.move_on(writes, event)
        notes = self._supported(event, admin_notes(self, event, letter))
        return _Decision(event, notes, True, writes)

    async def _checkpoint(
        self,
        decided: list[tuple[int, _Decision]],
        tries: dict[int, int],
        outcomes: list[BaseException | None],
        trying: str | None,
    ) -> list[tuple[_Decision, list[str]]]:
        """Checkpoint the decided events together, ending the try ``trying``; if that fails,
        each alone.

        An event whose checkpoint fails alone stays unacknowledged, or on its
        last try is set aside.  Returns the decisions kept and their actions'
        outbox keys (none for an event handled before).
        """
        if decided:
            try:
                together = [(d.event, d.actions) for _i, d in decided]
                writes = [d.writes for _i, d in decided]
                keys = await self.storage.checkpoint(together, trying, writes)
                return [(d, k) for (_i, d), k in zip(decided, keys, strict=True)]
            except Exception:
                log.warning(
                    "%d event(s) could not be checkpointed; trying each alone", len(decided)
                )
        try:
            return await self._checkpoint_each(decided, tries, outcomes)
        finally:
            if trying is not None:
                try:
                    await self.storage.tried(trying)
                except Exception:
                    log.exception("the end of a try could not be stored; it counts as cut short")

    async def _checkpoint_each(
        self,
        decided: list[tuple[int, _Decision]],
        tries: dict[int, int],
        outcomes: list[BaseException | None],
    ) -> list[tuple[_Decision, list[str]]]:
        """Checkpoint the decided events one at a time (see :meth:`_checkpoint`)."""
        last = self.community.community.dead_letter_after
        done: list[tuple[_Decision, list[str]]] = []
        for index, decision in decided:
            try:
                try:
                    [keys] = await self.storage.checkpoint(
                        [(decision.event, decision.actions)], writes=[decision.writes]
                    )
                except Exception as exc:
                    if decision.aside or tries[index] < last:
                        raise
                    log.exception(
                        "event %s of %s could not be checkpointed on its last try",
                        decision.event.event_id,
                        decision.event.network,
                    )
                    decision = await self._set_aside(decision.event, tries[index], failure(exc))
                    [keys] = await self.storage.checkpoint(
                        [(decision.event, decision.actions)], writes=[decision.writes]
                    )
            except Exception as exc:
                log.exception(
                    "event %s of %s could not be checkpointed (try %d of %d)",
                    decision.event.event_id,
                    decision.event.network,
                    tries[index],
                    last,
                )
                outcomes[index] = exc
                with contextlib.suppress(Exception):  # the database may be what failed
                    await self.storage.note_failure(decision.event, failure(exc))
                continue
            done.append((decision, keys))
        return done

    async def replay(self, letter: DeadLetter) -> list[Action]:
        """Hand a dead letter's event to the bot again and perform what it decides.

        The bot is made ready as :meth:`start` does, but for the outbox, which is
        the running bot's to perform.  The letter is gone once the actions are
        kept in the outbox.  Raises what handling raised: then the letter stays.
        """
        await self._ready()
        await self._tell(self.pm, "sanshe_startup")
        event = event_of(letter.event)
        writes = Writes()
        try:
            if isinstance(event, TimerDue):  # its timer moved on when it was set aside
                decided = await self.timers.replay(self.context(event, writes), event)
            elif isinstance(event, Unprompted):
                log.warning(
                    "dead letter %d was work of plugin %s done outside any event: it went with "
                    "the process that had it and cannot be done again; the letter is settled",
                    letter.id,
                    event.chat,
                )
                decided = []
            else:
                decided = await self.handle(event, writes)
            actions = self._supported(event, decided)
            kept = await self.storage.settle(letter, actions, writes)
        finally:
            self.claims.release(writes)
        for key, action in zip(kept, actions, strict=True):
            await self._perform(key, action.network or event.network, action)
        return actions


class Held(Exception):
    """An event not decided because the checkpoint of an earlier one of its chat failed."""


@dataclass(frozen=True, slots=True)
class _Decision:
    """What core decided about one event: its actions, or (``aside``) its setting aside."""

    event: Event
    actions: list[Action]
    aside: bool = False
    writes: Writes | None = None
    """Its database writes (none for an event set aside)."""


@dataclass(frozen=True, slots=True)
class _Reloaded:
    """A community file read again, and the plugins it enables (the running ones if unchanged)."""

    pm: Plugins
    community: Community
    rules: RuleBook


def _read_again(bot: Bot, path: Path, outside: list[tuple[str, object]]) -> _Reloaded:
    """Read and check ``path`` for ``bot`` (off the event loop); raises ConfigError or a clash."""
    file = CommunityFile.read(path)
    if set(file.disabled_plugins) == set(bot.community.plugins.disable):
        pm = bot.pm
    else:
        pm = plugin_manager(file.disabled_plugins)
        for name, plugin in outside:
            if not pm.is_registered(plugin):
                pm.register(plugin, name=name)
    vocabulary = contributions(pm).vocabulary
    community = file.check(vocabulary)
    rules = RuleBook(community, vocabulary.conditions, vocabulary.actions)
    return _Reloaded(pm, community, rules)
