"""Group commit: calls made while the database is busy are served by one query."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batch(Generic[T, R]):
    """Gathers concurrent calls and serves them with one call of ``run`` on the list.

    A batch starts as soon as the event loop is free and nothing else of this
    batch is running; what arrives meanwhile waits for the next one.  ``run``
    returns one result per item, in order; if it raises, every caller of that
    batch gets the exception.  ``alone`` serves a single item when a caller
    must be retried by itself.
    """

    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[list[R]]],
        limit: int = 500,
        alone: Callable[[T], Awaitable[R]] | None = None,
    ) -> None:
        self._run = run
        self._alone = alone
        self._limit = limit
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._busy = False

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if not self._busy:
            self._busy = True
            asyncio.get_running_loop().call_soon(self._start)
        return await future

    async def run_alone(self, item: T) -> R:
        """Serve ``item`` by itself (after its batch failed), raising its own error."""
        if self._alone is None:
            return (await self._run([item]))[0]
        return await self._alone(item)

    def _start(self) -> None:
        asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
                try:
                    results = await self._run([item for item, _ in batch])
                except BaseException as exc:  # noqa: BLE001 - handed to every caller of the batch
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._busy = False
