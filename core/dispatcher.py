"""Ordering and concurrency: events of one chat in order, chats side by side."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from .events import Event

log = logging.getLogger(__name__)

#: Handles the events of one chat, in order; returns, per event, None or why it failed.
Process = Callable[[list[Event]], Awaitable[Sequence[BaseException | None]]]


class Dispatcher:
    """Queues events per chat; one worker per busy chat handles them in arrival order.

    A worker takes every event its chat has queued (up to ``batch``) and hands
    them to ``process`` together, so their checkpoints share one transaction.
    It lives while its chat has events queued and ends when the queue runs dry:
    a chat costs nothing while quiet, and taking the next event costs no task or
    timer.  :meth:`submit` returns a future that completes once the event is
    handled and checkpointed — the moment an adapter may acknowledge it to its network.
    """

    def __init__(self, process: Process, batch: int = 200) -> None:
        self._process = process
        self._batch = batch
        self._queues: dict[tuple[str, str], deque[tuple[Event, asyncio.Future[None]]]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    def submit(self, event: Event) -> asyncio.Future[None]:
        """Queue ``event`` behind the earlier events of its chat."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = (event.network, event.chat)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            task = asyncio.create_task(self._work(key, queue), name=f"chat {key[0]}:{key[1]}")
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)
        queue.append((event, future))
        return future

    async def _work(
        self, key: tuple[str, str], queue: deque[tuple[Event, asyncio.Future[None]]]
    ) -> None:
        try:
            while queue:
                taken = [queue.popleft() for _ in range(min(len(queue), self._batch))]
                try:
                    outcomes: Sequence[BaseException | None] = await self._process(
                        [e for e, _ in taken]
                    )
                except Exception as exc:
                    log.exception("%d event(s) of %s:%s were not handled", len(taken), *key)
                    outcomes = [exc] * len(taken)
                for (_event, future), outcome in zip(taken, outcomes, strict=True):
                    if not future.done():
                        if outcome is None:
                            future.set_result(None)
                        else:
                            future.set_exception(outcome)
        finally:  # no await since the queue was found empty: nothing came meanwhile
            if self._queues.get(key) is queue:
                del self._queues[key]

    async def drain(self) -> None:
        """Wait until every queued event is handled."""
        while self._workers:
            await asyncio.wait(list(self._workers))

    async def close(self) -> None:
        """Finish queued work."""
        await self.drain()
        self._queues.clear()
