"""Who has a join request still open (being asked, or waiting to be), kept in memory.

The dialog looks here before it reads the database, so a private message of
anyone else costs no query.  Loaded at start; changed once an event's writes
are made.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core.context import Context

from .models import Application

#: The statuses of a request whose applicant is (or will be) asked its questions.
OPEN = ("asking", "waiting")
#: The statuses of a request not decided yet.
UNDECIDED = (*OPEN, "pending")
#: The prefix of the timers that end a dialog whose question went unanswered for too long.
ANSWERING = "answer:"


def answer_timer(number: int) -> str:
    """The key of the timer ending request ``number``'s dialog when its question goes unanswered."""
    return f"{ANSWERING}{number}"


class Applicants:
    """The open requests of each applicant, by ``(network, handle)``."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], set[int]] = {}

    def clear(self) -> None:
        """Forget them all (the bot stopped)."""
        self._open = {}

    async def load(self) -> None:
        """Read the open requests from the table."""
        self.clear()
        for row in await Application.filter(status__in=OPEN):
            self._open.setdefault((row.network, row.handle), set()).add(row.id)

    def forget(self, handles: Iterable[tuple[str, str]]) -> None:
        """Forget the open requests of these ``(network, handle)`` pairs (their person was erased)."""
        for key in handles:
            self._open.pop(key, None)

    def has(self, network: str, handle: str) -> bool:
        """Whether the applicant ``handle`` has a request open on ``network``."""
        return bool(self._open.get((network, handle)))

    def opened(self, ctx: Context, application: Application) -> None:
        """``application`` is open from when the event's writes are made."""
        key, number = (application.network, application.handle), application.id
        ctx.writes.after(lambda: self._open.setdefault(key, set()).add(number))

    def closed(self, ctx: Context, application: Application) -> None:
        """``application`` is no longer open (answered, withdrawn or decided) once the event's
        writes are made."""
        key, number = (application.network, application.handle), application.id

        def close() -> None:
            numbers = self._open.get(key, set())
            numbers.discard(number)
            if not numbers:
                self._open.pop(key, None)

        ctx.writes.after(close)


APPLICANTS = Applicants()
