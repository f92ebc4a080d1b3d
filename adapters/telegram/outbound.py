"""One outbound queue for every Bot API call, kept within Telegram's flood limits.

Each chat has a *lane*: its calls run one at a time, urgent ones first, and its
messages are spaced by the per-chat limit (and, in groups, the per-minute
limit).  Messages of all lanes then take a slot from one global gate, paced by
an :class:`aiolimiter.AsyncLimiter` and handed out urgent first.

Telegram counts a message when it arrives, which the bot only knows to lie
between sending it and reading the answer, however the network delays each
request.  So every window counts from when Telegram answered: a lane's spacing,
and the gate's slots, each held from before its request is sent until a window
after its answer.

A 429 pauses only its lane until ``retry_after`` has passed, as a deadline
that later answers can extend but never shorten (PTB's AIORateLimiter could be
released early by a concurrent request, PTB #5338); the call is then retried.
Transient network failures are retried with a capped backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
import itertools
import logging
import math
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from sanshe.core.adapter import Backoff

from .settings import Limits

log = logging.getLogger(__name__)

#: Attempts of one call that fails with a network error before giving up.
NETWORK_ATTEMPTS = 8
MAX_BACKOFF = 30.0


class Priority(IntEnum):
    """Order of calls waiting for the same resource: lower goes first."""

    URGENT = 0
    NORMAL = 1
    BACKGROUND = 2


def retry_seconds(error: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    call: Callable[[], Awaitable[Any]] = field(compare=False)
    message: bool = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)
    backoff: Backoff = field(default_factory=lambda: Backoff(1.0, MAX_BACKOFF), compare=False)


class _Gate:
    """Global message slots, handed out evenly and to the most urgent waiter first.

    At most ``global_per_second`` messages hold a slot at once, each from before
    it is sent until ``second * (1 + margin)`` after its answer (a fractional limit
    is rounded down, its window scaled to match): so the messages Telegram
    receives within any window never outnumber the limit.  The pacing
    spreads the slots over the window and holds a few, to catch up on a late
    timer, rather than letting a window's worth out at once.
    """

    def __init__(self, limits: Limits) -> None:
        window = limits.second * (1 + limits.margin)
        self._slots = max(1, math.floor(limits.global_per_second))
        self._window = window * self._slots / limits.global_per_second
        burst = max(1.0, limits.global_per_second * limits.margin)
        self._pace = AsyncLimiter(burst, burst * window / limits.global_per_second)
        self._sending = 0
        self._answered: deque[float] = deque()
        self._freed = asyncio.Event()
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def slot(self, priority: int) -> AsyncIterator[None]:
        """Wait for the right to send one message now; hold it until the answer is in."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (priority, next(self._seq), future))
        self._arrived.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._hand_out(), name="telegram send gate")
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # handed a slot, sends nothing
                self._sending -= 1
                self._freed.set()
            raise
        try:
            yield
        finally:
            self._sending -= 1
            self._answered.append(loop.time())
            self._freed.set()

    async def _hand_out(self) -> None:
        while True:
            while not self._waiting:
                self._arrived.clear()
                await self._arrived.wait()
            await self._pace.acquire()
            await self._free_slot()
            while self._waiting:
                _, _, future = heapq.heappop(self._waiting)
                if not future.done():
                    self._sending += 1
                    future.set_result(None)
                    break

    async def _free_slot(self) -> None:
        """Wait until fewer messages than the limit hold a slot."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._answered and self._answered[0] + self._window <= now:
                self._answered.popleft()
            if self._sending + len(self._answered) < self._slots:
                return
            self._freed.clear()
            timeout = self._answered[0] + self._window - now if self._answered else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._freed.wait(), timeout)

    async def close(self) -> None:
        """Stop handing out slots."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class _Lane:
    """The calls to one chat, one at a time, spaced by that chat's limits."""

    def __init__(self, outbound: Outbound, chat: int) -> None:
        self._outbound = outbound
        self._chat = chat
        self._jobs: list[_Job] = []
        self._arrived = asyncio.Event()
        self._ready_at = 0.0
        self._recent: deque[float] = deque(maxlen=outbound.limits.per_group_per_minute)
        self._paused_until = 0.0
        self.task = asyncio.create_task(self._work(), name=f"telegram lane {chat}")

    def push(self, job: _Job) -> None:
        heapq.heappush(self._jobs, job)
        self._arrived.set()

    def _wait_before(self, job: _Job, now: float) -> float:
        wait = self._paused_until - now
        if job.message:
            limits = self._outbound.limits
            wait = max(wait, self._ready_at - now)
            if self._chat < 0 and len(self._recent) == self._recent.maxlen:
                wait = max(wait, self._recent[0] + limits.minute * (1 + limits.margin) - now)
        return wait

    def _quiet_at(self) -> float:
        """When forgetting this lane loses nothing: its spacing and pauses are over."""
        minute = self._outbound.limits.minute * (1 + self._outbound.limits.margin)
        last = self._recent[-1] + minute if self._recent else 0.0
        return max(self._ready_at, last, self._paused_until)

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if not self._jobs:
                    linger = self._quiet_at() - loop.time()
                    if linger <= 0:
                        self._outbound.forget(self._chat, self)
                        return
                    await self._until_arrival(linger)
                    continue
                job = self._jobs[0]
                wait = self._wait_before(job, loop.time())
                if wait > 0:  # a more urgent job arriving meanwhile is looked at first
                    await self._until_arrival(wait)
                    continue
                heapq.heappop(self._jobs)
                if not job.future.done():  # done: the caller gave up
                    await self._attempt(job, loop)
        except asyncio.CancelledError:
            for job in self._jobs:
                job.future.cancel()
            raise

    async def _until_arrival(self, timeout: float) -> None:
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout)
        except TimeoutError:
            pass

    async def _attempt(self, job: _Job, loop: asyncio.AbstractEventLoop) -> None:
        slot = self._outbound.gate.slot(job.priority) if job.message else contextlib.nullcontext()
        try:
            async with slot:
                result = await job.call()
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            self._paused_until = max(self._paused_until, loop.time() + seconds)
            log.warning(
                "Telegram asked to wait %.0f s before writing to chat %s", seconds, self._chat
            )
            self.push(job)
        except BadRequest as exc:
            _settle(job.future, error=exc)
        except NetworkError as exc:  # connection trouble, timeouts, 5xx
            backoff = job.backoff.delay()
            if job.backoff.failures >= NETWORK_ATTEMPTS:
                _settle(job.future, error=exc)
            else:
                log.warning("Telegram unreachable (%s); trying again in %.0f s", exc, backoff)
                self._paused_until = max(self._paused_until, loop.time() + backoff)
                self.push(job)
        except Exception as exc:  # refused (Forbidden, …) or a bug: the caller decides
            _settle(job.future, error=exc)
        except BaseException:
            job.future.cancel()
            raise
        else:
            _settle(job.future, result=result)
        finally:
            if job.message:
                now = loop.time()
                limits = self._outbound.limits
                self._ready_at = (
                    now + (1 + limits.margin) * limits.second / limits.per_chat_per_second
                )
                if self._chat < 0:
                    self._recent.append(now)


def _settle(
    future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Outbound:
    """Runs Bot API calls per chat lane within the limits; see the module docstring."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.gate = _Gate(limits)
        self._lanes: dict[int, _Lane] = {}
        self._seq = itertools.count()

    async def call(
        self,
        chat: int,
        call: Callable[[], Awaitable[Any]],
        *,
        message: bool,
        priority: Priority = Priority.NORMAL,
    ) -> Any:
        """Run ``call`` in ``chat``'s lane and return its result; raise what Telegram refused.

        ``message`` marks calls that post a message (the flood limits count those).
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        lane = self._lanes.get(chat)
        if lane is None:
            lane = self._lanes[chat] = _Lane(self, chat)
        lane.push(_Job(int(priority), next(self._seq), call, message, future))
        return await future

    def forget(self, chat: int, lane: _Lane) -> None:
        """Drop an idle lane whose limits no longer matter."""
        if self._lanes.get(chat) is lane:
            del self._lanes[chat]

    async def close(self) -> None:
        """Stop every lane and the gate; calls still waiting are cancelled."""
        lanes = list(self._lanes.values())
        self._lanes.clear()
        for lane in lanes:
            lane.task.cancel()
        await asyncio.gather(*(lane.task for lane in lanes), return_exceptions=True)
        await self.gate.close()
