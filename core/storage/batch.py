"""Group commit: calls made while the database is busy are served by one query."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batch(Generic[T, R]):
    """Gathers concurrent calls and serves them with one call of ``run`` on the list.

    A batch starts as soon as the event loop is free and nothing else of this
    batch is running; what arrives meanwhile waits for the next one.  ``run``
    returns one result per item, in order (an exception as a result is raised
    to that caller alone); if ``run`` raises, every caller of the batch gets
    the exception.
    """

    def __init__(
        self, run: Callable[[list[T]], Awaitable[Sequence[R | Exception]]], limit: int = 500
    ) -> None:
        self._run = run
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
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._busy = False
