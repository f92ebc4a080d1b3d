"""Ordering and concurrency: events of one chat in order, chats side by side."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .events import Event

log = logging.getLogger(__name__)

Process = Callable[[Event], Awaitable[None]]


class Dispatcher:
    """Queues events per chat; one worker per busy chat handles them in arrival order.

    :meth:`submit` returns a future that completes once the event is handled
    and checkpointed — the moment an adapter may acknowledge it to its network.
    """

    def __init__(self, process: Process, idle_seconds: float = 30.0) -> None:
        self._process = process
        self._idle = idle_seconds
        self._queues: dict[tuple[str, str], asyncio.Queue[tuple[Event, asyncio.Future[None]]]] = {}
        self._workers: set[asyncio.Task[None]] = set()

    def submit(self, event: Event) -> asyncio.Future[None]:
        """Queue ``event`` behind the earlier events of its chat."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = (event.network, event.chat)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue()
            task = asyncio.create_task(self._work(key, queue), name=f"chat {key[0]}:{key[1]}")
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)
        queue.put_nowait((event, future))
        return future

    async def _work(
        self, key: tuple[str, str], queue: asyncio.Queue[tuple[Event, asyncio.Future[None]]]
    ) -> None:
        while True:
            try:
                event, future = await asyncio.wait_for(queue.get(), self._idle)
            except TimeoutError:
                if queue.empty():
                    del self._queues[key]
                    return
                continue
            try:
                await self._process(event)
            except Exception as exc:
                log.exception("event %s in %s:%s was not handled", event.event_id, *key)
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(None)
            finally:
                queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued event is handled."""
        for queue in list(self._queues.values()):
            await queue.join()

    async def close(self) -> None:
        """Finish queued work, then stop the workers."""
        await self.drain()
        for task in list(self._workers):
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._queues.clear()
