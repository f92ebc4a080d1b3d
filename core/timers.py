"""Timers: work a plugin or a rule scheduled, fired as events, each firing handled exactly once.

A plugin schedules under a key of its own (``ctx.timers("shifts").at("remind:42", when)``),
once or on a :class:`Schedule` ("every day at 08:00" in the community's time zone).
Timers live in storage; scheduling is one of the event's writes.  A timer that
falls due becomes a :class:`~sanshe.core.events.TimerDue` event in a lane of its
own (network ``timer``, chat ``<plugin>|<key>``): it goes through the dispatcher,
the checkpoint and the outbox like a message, and the timer is moved on (or
dropped) in the transaction of that checkpoint, so its actions are kept once.
The owning plugin's ``sanshe_timer`` hook decides what the firing does; a rule
with ``on: {every: …}`` is kept as a timer of the plugin ``rules``.  A timer due
while the bot was stopped fires once at start, and says how late it is.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from .actions import Action
from .events import TimerDue
from .plugins import settle
from .storage.models import Timer
from .storage.writes import Writes

if TYPE_CHECKING:
    from .bot import Bot
    from .context import Context
    from .model import Rule

log = logging.getLogger(__name__)

#: The network of timer events (no adapter serves it: a timer's actions name their network).
NETWORK = "timer"
#: The plugin name under which the rules' schedules are kept.
RULES = "rules"
#: How long a firing that failed waits before it is tried again.
RETRY = timedelta(minutes=1)
#: The key prefix of the timers :meth:`Timers.once_per` keeps: they fire without calling a plugin.
QUIET = "quiet:"
#: The longest the timer loop sleeps without looking at the clock again.
NAP = 60.0

_DURATION = re.compile(r"^(\d+)\s*(m|min|h|d)$")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Schedule:
    """How a timer recurs: every day at a local time (``at``), or every ``interval``."""

    at: time | None = None
    interval: timedelta | None = None

    def __post_init__(self) -> None:
        if (self.at is None) == (self.interval is None):
            raise ValueError("a schedule is either daily at a time or every interval")
        if self.interval is not None and self.interval < timedelta(minutes=1):
            raise ValueError("a schedule's interval is a minute or more")

    @classmethod
    def daily(cls, at: str | time) -> Schedule:
        """Every day at ``at`` (``"08:00"``), local time of the community's time zone."""
        return cls(at=at if isinstance(at, time) else time.fromisoformat(at))

    @classmethod
    def every(cls, interval: timedelta | str) -> Schedule:
        """Every ``interval`` (a timedelta, or ``"30m"``, ``"2h"``, ``"1d"``)."""
        return cls(interval=interval if isinstance(interval, timedelta) else duration(interval))

    @property
    def text(self) -> str:
        """How storage keeps it: ``day 08:00`` or ``every 1800`` (seconds)."""
        if self.at is not None:
            return f"day {self.at.strftime('%H:%M')}"
        assert self.interval is not None
        return f"every {int(self.interval.total_seconds())}"

    @classmethod
    def read(cls, text: str) -> Schedule | None:
        """The schedule kept as ``text`` (see :attr:`text`); None for a timer that fires once."""
        kind, _, value = text.partition(" ")
        if kind == "day":
            return cls.daily(value)
        if kind == "every":
            return cls(interval=timedelta(seconds=int(value)))
        return None

    def next(self, due: datetime, now: datetime, zone: ZoneInfo) -> datetime:
        """The time after a firing due at ``due`` and made at ``now``: the next one after
        ``due`` that is still to come (those missed while stopped are skipped, not made up)."""
        following = self.after(due, zone)
        return following if following > now else self.after(now, zone)

    def after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first time after ``moment`` it falls due (aware, UTC).

        Daily times are wall-clock times in ``zone``: 08:00 stays 08:00 across
        a change to or from summer time.
        """
        if self.interval is not None:
            return moment + self.interval
        assert self.at is not None
        local = moment.astimezone(zone)
        day = local.date()
        while True:
            due = datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
            if due > moment:
                return due
            day += timedelta(days=1)


def duration(text: str) -> timedelta:
    """``"30m"``, ``"2h"`` or ``"1d"`` as a timedelta; raises ValueError for anything else."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise ValueError(f"not a duration: {text!r} (write 30m, 2h or 1d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True, slots=True)
class Due:
    """A timer firing, as its plugin's ``sanshe_timer`` sees it."""

    plugin: str
    key: str
    due: datetime
    """When it was due (aware, UTC)."""
    late: timedelta
    """How long after ``due`` it fires (long after a stop: decide whether it is still worth it)."""
    data: dict[str, Any] = field(default_factory=dict)
    schedule: Schedule | None = None
    """How it recurs (it is moved on already), or None for a timer that fired its one time."""


class TimerBook:
    """One plugin's timers, scheduled as writes of the event being handled."""

    __slots__ = ("_timers", "_writes", "plugin")

    def __init__(self, timers: Timers, writes: Writes, plugin: str) -> None:
        self._timers = timers
        self._writes = writes
        self.plugin = plugin

    def at(self, key: str, when: datetime, data: dict[str, Any] | None = None) -> None:
        """Fire once at ``when`` (aware) under ``key``, replacing a timer of that key."""
        if when.tzinfo is None:
            raise ValueError("a timer's time needs a time zone")
        self._timers.keep(self._writes, self.plugin, key, when.astimezone(UTC), None, data)

    def after(self, key: str, delay: timedelta, data: dict[str, Any] | None = None) -> None:
        """Fire once ``delay`` from now under ``key``, replacing a timer of that key."""
        self.at(key, self._timers.now() + delay, data)

    def every(self, key: str, schedule: Schedule, data: dict[str, Any] | None = None) -> None:
        """Fire on ``schedule`` from now on under ``key``, replacing a timer of that key."""
        due = schedule.after(self._timers.now(), self._timers.zone)
        self._timers.keep(self._writes, self.plugin, key, due, schedule, data)

    def cancel(self, key: str) -> None:
        """Drop the timer ``key`` (nothing if there is none)."""
        self._timers.drop(self._writes, self.plugin, key)


class Timers:
    """The bot's timers: what is due when (kept in memory from storage), and the loop firing them."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._due: dict[tuple[str, str], datetime] = {}
        self._heap: list[tuple[datetime, str, str, datetime]] = []
        """(when to fire, plugin, key, when due): ``when`` is later than ``due`` for a retry."""
        self._firing: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._wake = asyncio.Event()
        self._stopped = False

    @property
    def zone(self) -> ZoneInfo:
        """The community's time zone, in which daily times are read."""
        return ZoneInfo(self._bot.community.community.timezone)

    def now(self) -> datetime:
        """The bot's time."""
        return self._bot.clock.now()

    def book(self, writes: Writes, plugin: str) -> TimerBook:
        """``plugin``'s timers, scheduled as part of ``writes``."""
        return TimerBook(self, writes, plugin)

    # -- changes, as an event's writes -------------------------------------------------

    def keep(
        self,
        writes: Writes,
        plugin: str,
        key: str,
        due: datetime,
        schedule: Schedule | None,
        data: dict[str, Any] | None,
    ) -> None:
        """Store timer ``key`` of ``plugin`` (replacing one of that key) with ``writes``."""
        row = Timer(
            plugin=plugin,
            key=key,
            due_at=due,
            schedule=schedule.text if schedule else "",
            data=dict(data or {}),
        )
        writes.run(lambda db: Timer.filter(plugin=plugin, key=key).using_db(db).delete())
        writes.add(row)
        writes.after(lambda: self._set(plugin, key, due))

    def drop(self, writes: Writes, plugin: str, key: str) -> None:
        """Delete timer ``key`` of ``plugin`` with ``writes``."""
        writes.run(lambda db: Timer.filter(plugin=plugin, key=key).using_db(db).delete())
        writes.after(lambda: self._set(plugin, key, None))

    def once_per(self, writes: Writes, plugin: str, key: str, interval: timedelta) -> bool:
        """True, and a quiet timer kept with ``writes``, unless ``plugin`` has one under ``key``
        not yet due (see :meth:`Context.once_per <sanshe.core.context.Context.once_per>`)."""
        quiet = QUIET + key
        until = self._due.get((plugin, quiet))
        now = self.now()
        if until is not None and until > now:
            return False
        self.keep(writes, plugin, quiet, now + interval, None, None)
        return True

    def _set(self, plugin: str, key: str, due: datetime | None) -> None:
        if due is None:
            self._due.pop((plugin, key), None)
            return
        self._due[(plugin, key)] = due
        heapq.heappush(self._heap, (due, plugin, key, due))
        self._wake.set()

    # -- start-up and the loop ---------------------------------------------------------

    async def load(self) -> None:
        """Read every stored timer; keep the rules' schedules in step with the rules."""
        self._due.clear()
        self._heap.clear()
        for row in await Timer.all():
            self._set(row.plugin, row.key, utc(row.due_at))
        await self.follow_rules()

    async def follow_rules(self) -> None:
        """Store a timer for each rule with a schedule, and drop those of rules that are gone.

        A rule whose schedule is unchanged keeps its next time.  When the
        community's time zone changed (since the daily timers were set, across
        restarts too), every daily timer is set again at its time in the new zone.
        """
        await self._follow_zone()
        schedules = {r.id: _rule_schedule(r) for r in self._bot.community.rules}
        wanted = {rule_id: s for rule_id, s in schedules.items() if s is not None}
        rows = {row.key: row for row in await Timer.filter(plugin=RULES)}
        writes = Writes()
        for key, row in rows.items():
            if key not in wanted or wanted[key].text != row.schedule:
                self.drop(writes, RULES, key)
        for key, schedule in wanted.items():
            if key not in rows or rows[key].schedule != schedule.text:
                self.keep(writes, RULES, key, schedule.after(self.now(), self.zone), schedule, {})
        if writes:
            await self._bot.storage.write(writes)

    async def _follow_zone(self) -> None:
        storage = self._bot.storage
        zone = self._bot.community.community.timezone
        before = await storage.get_state(NETWORK, "timezone")
        if before is not None and before != zone:
            writes = Writes()
            for row in await Timer.filter(schedule__startswith="day "):
                schedule = Schedule.read(row.schedule)
                assert schedule is not None
                due = schedule.after(self.now(), self.zone)
                self.keep(writes, row.plugin, row.key, due, schedule, row.data)
            await storage.write(writes)
            log.info("the time zone is now %s: daily timers keep their local times there", zone)
        if before != zone:
            await storage.set_state(NETWORK, "timezone", zone)

    async def run(self) -> None:
        """Fire timers as they fall due, until :meth:`close`; a slow firing holds up no other."""
        while not self._stopped:
            self._wake.clear()
            self._start_due()
            wait = NAP
            if self._heap:
                wait = min(NAP, max(0.0, (self._heap[0][0] - self.now()).total_seconds()))
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass
        if self._firing:
            await asyncio.gather(*self._firing.values())

    def close(self) -> None:
        """End :meth:`run`."""
        self._stopped = True
        self._wake.set()

    async def fire_due(self) -> None:
        """Hand every timer due by now to the dispatcher; wait until they (and those being
        fired already) are handled."""
        self._start_due()
        while self._firing:
            await asyncio.gather(*self._firing.values())
            self._start_due()  # what those firings set due by now (a retry is not)

    def _start_due(self) -> None:
        """Start firing every timer due by now that is not being fired already."""
        now = self.now()
        busy = []
        while self._heap and self._heap[0][0] <= now:
            entry = heapq.heappop(self._heap)
            _when, plugin, key, due = entry
            if self._due.get((plugin, key)) != due:
                continue  # replaced or dropped since
            if (plugin, key) in self._firing:
                busy.append(entry)  # once that firing is over
                continue
            firing = asyncio.ensure_future(self._fire(plugin, key, due))
            firing.add_done_callback(lambda _f: self._wake.set())
            self._firing[(plugin, key)] = firing
        for entry in busy:
            heapq.heappush(self._heap, entry)

    async def _fire(self, plugin: str, key: str, due: datetime) -> None:
        event = TimerDue(
            network=NETWORK,
            chat=f"{plugin}|{key}",
            event_id=f"{plugin}|{key}|{due.isoformat()}",
            sender=plugin,
            plugin=plugin,
            key=key,
            due=due.isoformat(),
        )
        try:
            await self._bot.submit(event)
        except Exception:
            log.warning("timer %s of %s is tried again in %s", key, plugin, RETRY)
            if self._due.get((plugin, key)) == due:  # the same firing, a minute later
                heapq.heappush(self._heap, (self.now() + RETRY, plugin, key, due))
                self._wake.set()
            return
        finally:
            self._firing.pop((plugin, key), None)
        if self._due.get((plugin, key)) == due:  # set aside, or found handled: not again here
            self._due.pop((plugin, key), None)

    # -- firing ----------------------------------------------------------------------------

    async def move_on(self, writes: Writes, event: TimerDue) -> Due | None:
        """Move the timer of ``event`` to its next time (or drop it) with ``writes``; the firing.

        None if it was replaced or cancelled since it fell due.  Also used when
        the firing is set aside as a dead letter, so that a recurring timer goes on.
        """
        row = await Timer.get_or_none(plugin=event.plugin, key=event.key)
        due = datetime.fromisoformat(event.due)
        if row is None or utc(row.due_at) != due:
            return None
        schedule = Schedule.read(row.schedule)
        now = self.now()
        following = None if schedule is None else schedule.next(due, now, self.zone)
        self._advance(writes, row, following)
        return Due(row.plugin, row.key, due, max(now - due, timedelta()), row.data, schedule)

    def _advance(self, writes: Writes, row: Timer, following: datetime | None) -> None:
        """Replace ``row`` by its next time (or drop it) with ``writes``, unless it was replaced
        or cancelled meanwhile (by another chat's event, a reload): then that change stands."""
        moved = False

        async def advance(db: BaseDBAsyncClient) -> None:
            nonlocal moved
            moved = bool(await Timer.filter(id=row.id).using_db(db).delete())
            if moved and following is not None:
                again = Timer(
                    plugin=row.plugin,
                    key=row.key,
                    due_at=following,
                    schedule=row.schedule,
                    data=row.data,
                )
                await again.save(using_db=db, force_create=True)

        def kept() -> None:
            if moved:
                self._set(row.plugin, row.key, following)

        writes.run(advance)
        writes.after(kept)

    async def fire(self, ctx: Context, event: TimerDue) -> list[Action]:
        """What the timer of ``event`` does; it is moved on (or dropped) with the event's writes.

        A timer replaced or cancelled since it fell due does nothing.
        """
        fired = await self.move_on(ctx.writes, event)
        return [] if fired is None else await self._run(ctx, fired)

    async def replay(self, ctx: Context, event: TimerDue) -> list[Action]:
        """Fire ``event``'s timer again as it fell due (a dead letter replayed): the timer,
        moved on when the firing was set aside, stays as it is."""
        row = await Timer.get_or_none(plugin=event.plugin, key=event.key)
        due = datetime.fromisoformat(event.due)
        late = max(self.now() - due, timedelta())
        schedule = Schedule.read(row.schedule) if row is not None else None
        data = row.data if row is not None else {}
        return await self._run(ctx, Due(event.plugin, event.key, due, late, data, schedule))

    async def _run(self, ctx: Context, fired: Due) -> list[Action]:
        """What the firing does: its rule's actions, or its plugin's ``sanshe_timer``."""
        if fired.plugin == RULES:
            return await self._bot.rules.apply_scheduled(ctx, fired.key)
        if fired.key.startswith(QUIET):
            return []  # a quiet time ended: nothing to do
        pm = self._bot.pm
        others = [p for name, p in pm.list_name_plugin() if name != fired.plugin and p is not None]
        hook = pm.subset_hook_caller("sanshe_timer", remove_plugins=others)
        return await settle(hook(context=ctx, timer=fired), ctx.writes)


def _rule_schedule(rule: Rule) -> Schedule | None:
    """The schedule of a rule ``on: {every: …}``, or None for a rule on events."""
    on = rule.on
    if isinstance(on, str):
        return None
    return Schedule.daily(on.at or "00:00") if on.every == "day" else Schedule.every(on.every)


def on_networks(actions: list[Action], network: str) -> list[Action]:
    """``actions`` with an empty network set to ``network`` (actions made for a chat of it)."""
    return [a if a.network else replace(a, network=network) for a in actions]


def utc(moment: datetime) -> datetime:
    """``moment`` aware, in UTC (a database may give back naive UTC times)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
