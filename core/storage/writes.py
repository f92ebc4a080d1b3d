"""What handling one event writes: kept until the event's checkpoint, written in its transaction.

Core and plugins never write to the database while they decide about an event
or a timer: they note the writes here (``ctx.writes``), and core makes them in
the transaction that marks the event handled and keeps its actions in the
outbox.  A redelivered event writes nothing twice; a checkpoint that fails
leaves nothing half done.  Within one chat, the next event is decided after
the writes of the one before are made, so a plugin sees its own earlier writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

#: A statement to run in the checkpoint's transaction, given its connection.
Statement = Callable[[BaseDBAsyncClient], Awaitable[object]]


class _Plain:
    """One SQL statement and its values (see :meth:`Writes.execute`)."""

    __slots__ = ("query", "values")

    def __init__(self, query: str, values: list[object]) -> None:
        self.query = query
        self.values = values


def in_style(connection: BaseDBAsyncClient, query: str) -> str:
    """``query``, written with ``?`` marks, in the connection's parameter style (``$1``…)."""
    if connection.capabilities.dialect != "postgres":
        return query
    parts = query.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))


class Gathering:
    """A checkpoint's connection for the writes of its events: plain statements
    (:meth:`Writes.execute`) that follow one another with the same query are sent together,
    one round trip for all the events of the checkpoint; anything else is sent in order."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection
        self._query = ""
        self._rows: list[list[object]] = []

    async def add(self, plain: _Plain) -> None:
        """Send ``plain`` with the statements like it around it."""
        if plain.query != self._query:
            await self.flush()
            self._query = plain.query
        self._rows.append(plain.values)

    async def flush(self) -> None:
        """Send the statements gathered so far."""
        if self._rows:
            rows, self._rows = self._rows, []
            await self.connection.execute_many(in_style(self.connection, self._query), rows)


class Writes:
    """The database writes of one event (or timer), in the order they were noted."""

    __slots__ = ("_steps", "_after", "__weakref__")  # a plugin may key what an event stages by it

    def __init__(self) -> None:
        self._steps: list[Statement | _Plain] = []
        self._after: list[Callable[[], None]] = []

    def __bool__(self) -> bool:
        return bool(self._steps)

    def add(self, row: Model) -> None:
        """Insert ``row`` (a model object not yet stored).

        A primary key left to the database is known only after the
        checkpoint; take a number first (``ctx.number``) where one must be shown.
        """
        generated = row.pk is None

        async def insert(connection: BaseDBAsyncClient) -> None:
            if generated:  # a checkpoint tried before and rolled back gave it one
                row.pk = None
            await row.save(using_db=connection, force_create=True)

        self._steps.append(insert)

    def save(self, row: Model, fields: Iterable[str] | None = None) -> None:
        """Update the stored ``row`` (only ``fields``, if given)."""
        update = list(fields) if fields is not None else None

        async def save(connection: BaseDBAsyncClient) -> None:
            await row.save(using_db=connection, update_fields=update, force_update=True)

        self._steps.append(save)

    def delete(self, row: Model) -> None:
        """Delete the stored ``row``."""

        async def delete(connection: BaseDBAsyncClient) -> None:
            await row.delete(using_db=connection)

        self._steps.append(delete)

    def run(self, statement: Statement) -> None:
        """Run ``statement(connection)``: a query set's ``update()`` or ``delete()``, raw SQL…

        For example ``writes.run(lambda db: Shift.filter(id=3).using_db(db).delete())``.
        """
        self._steps.append(statement)

    def execute(self, query: str, values: Sequence[object]) -> None:
        """Run one SQL statement, written with ``?`` marks (``$1``… on PostgreSQL), with
        ``values`` as the database keeps them (a sealed column's value sealed).

        The same statement noted by the events of one checkpoint, one after
        another, costs one round trip for all of them: the way for a write
        that many events make (a row a message).
        """
        self._steps.append(_Plain(query, list(values)))

    def after(self, change: Callable[[], None]) -> None:
        """Call ``change`` once the writes are made (to update what is kept in memory)."""
        self._after.append(change)

    @contextmanager
    def unless_failed(self) -> Iterator[None]:
        """Keep what is noted inside only if it ends without an exception (which goes on): a
        handler that failed leaves nothing half done."""
        mark = self.mark()
        try:
            yield
        except BaseException:
            self.undo(mark)
            raise

    def mark(self) -> tuple[int, int]:
        """Where the writes stand now, for :meth:`undo`."""
        return len(self._steps), len(self._after)

    def undo(self, mark: tuple[int, int]) -> None:
        """Drop the writes and in-memory changes noted since ``mark``."""
        del self._steps[mark[0] :]
        del self._after[mark[1] :]

    async def write(self, connection: BaseDBAsyncClient | Gathering) -> None:
        """Make the writes on ``connection`` (core calls this inside the checkpoint's transaction,
        with the :class:`Gathering` of its events)."""
        for step in self._steps:
            if isinstance(connection, Gathering):
                if isinstance(step, _Plain):
                    await connection.add(step)
                    continue
                await connection.flush()
                await step(connection.connection)
            elif isinstance(step, _Plain):
                await connection.execute_query(in_style(connection, step.query), step.values)
            else:
                await step(connection)

    def written(self) -> None:
        """The writes are committed: apply the in-memory changes noted with :meth:`after`."""
        for change in self._after:
            change()
