"""Shared by the fuzz tests: seeded settings, sentinels of personal data, a console run in-process.

Every generator here is derandomized, so a failure replays on the next run; each
test counts what it tried and what went wrong, and the session's summary prints
those figures (tried / tracebacks / leaks / wrong answers).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import io
import logging
import re
from collections import Counter
from collections.abc import Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pluggy
import pytest
from hypothesis import HealthCheck, Phase, settings

from sanshe.adapters.console import ConsoleAdapter
from sanshe.core.actions import Action
from sanshe.core.adapter import performing_outbox_key
from sanshe.core.bot import Bot
from sanshe.core.config import CommunityFile
from sanshe.core.contributions import vocabulary
from sanshe.core.events import Event
from sanshe.core.model import Community
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.core.storage.tables import plugin_tables

T = TypeVar("T")

#: Seeded: the same examples every run, so a failure replays. Shrinking is left out:
#: the tests report each failing input line by line, and a run stays bounded.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.function_scoped_fixture),
)

#: Personal data a person may type; none of it may come back in a group.
PHONE = "13812345678"
ID_NUMBER = "110101199003074573"
ID_NUMBER_X = "11010519491231002X"
SENTINELS = (PHONE, ID_NUMBER, ID_NUMBER_X)

#: Figures per generator: tried, tracebacks, leaks, wrong answers (and any of its own).
TALLY: dict[str, Counter[str]] = {}
#: The figures every generator reports, zeros included.
FIGURES = ("tried", "tracebacks", "leaks", "wrong answers")


def tally(generator: str) -> Counter[str]:
    """The figures of one generator (added to the session summary)."""
    return TALLY.setdefault(generator, Counter())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures of the generators that ran."""
    if not TALLY:
        return
    terminalreporter.section("fuzz figures")
    for name, counts in sorted(TALLY.items()):
        shown = [*FIGURES, *sorted(set(counts) - set(FIGURES))]
        figures = ", ".join(f"{key} {counts[key]}" for key in shown)
        terminalreporter.write_line(f"{name}: {figures}")


def leaked(text: str) -> list[str]:
    """The sentinels in ``text``, however their digits are spaced or punctuated."""
    digits = re.sub(r"[^0-9X]", "", text.upper())
    return [s for s in SENTINELS if s in digits]


class _Lines(io.TextIOBase):
    """Standard input for the console: lines from a script, noting where each line's output starts.

    The console handles each event before it reads the next line, so what was
    written between two reads belongs to the earlier line.
    """

    def __init__(self, script: Iterator[str], run: ConsoleRun) -> None:
        self._script = script
        self._run = run

    def isatty(self) -> bool:
        return False

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self._run.starts.append(self._run.mark())
        try:
            return next(self._script) + "\n"
        except StopIteration:
            return ""


class _Recording(ConsoleAdapter):
    """The console adapter, also keeping each performed action with the line it answers."""

    def __init__(self, stdin: io.TextIOBase, stdout: io.StringIO, run: ConsoleRun) -> None:
        super().__init__(stdin=stdin, stdout=stdout, interactive=False)  # type: ignore[arg-type]
        self._record = run

    def parse(self, number: int, line: str) -> Event | str | None:
        parsed = super().parse(number, line)
        if isinstance(parsed, Event):
            self._record.events[number] = parsed
        return parsed

    async def perform(self, action: Action) -> None:
        key = performing_outbox_key.get() or ""
        number = re.search(r":(\d+)\|\d+$", key)
        self._record.actions.append((int(number[1]) if number else 0, action))
        await super().perform(action)


@dataclass
class ConsoleRun:
    """What one console run wrote: per input line, its output on stdout and stderr, and logs."""

    stdout: io.StringIO = field(default_factory=io.StringIO)
    stderr: io.StringIO = field(default_factory=io.StringIO)
    starts: list[tuple[int, int, int]] = field(default_factory=list)
    events: dict[int, Event] = field(default_factory=dict)
    """The event read from each input line (by line number)."""
    actions: list[tuple[int, Action]] = field(default_factory=list)
    """Each performed action with the number of the line whose event decided it."""
    logs: list[logging.LogRecord] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop | None = None
    context: contextvars.Context | None = None
    """The bot's loop and context (its open database), for :meth:`between`."""

    def between(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the bot's loop from the reading thread (a script looking at storage)."""
        assert self.loop is not None and self.context is not None
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def finish(task: asyncio.Task[T]) -> None:
            error = task.exception()
            done.set_exception(error) if error else done.set_result(task.result())

        def start() -> None:
            self.loop.create_task(coroutine).add_done_callback(finish)  # type: ignore[union-attr]

        self.loop.call_soon_threadsafe(start, context=self.context)
        return done.result(60)

    def mark(self) -> tuple[int, int, int]:
        return self.stdout.tell(), self.stderr.tell(), len(self.logs)

    def _span(self, number: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        end = self.starts[number] if number < len(self.starts) else self.mark()
        return self.starts[number - 1], end

    def output(self, number: int) -> tuple[list[str], list[str]]:
        """The stdout and stderr lines written while input line ``number`` (from 1) was handled."""
        start, end = self._span(number)
        return (
            self.stdout.getvalue()[start[0] : end[0]].splitlines(),
            self.stderr.getvalue()[start[1] : end[1]].splitlines(),
        )

    def tracebacks(self, number: int) -> list[str]:
        """Log records with a traceback or at ERROR and above, and tracebacks on stderr, of a line."""
        start, end = self._span(number)
        found = [
            f"{r.levelname} {r.name}: "
            + (
                f"{type(r.exc_info[1]).__name__}: {str(r.exc_info[1]).splitlines()[:1]}"
                if r.exc_info
                else r.getMessage()
            )
            for r in self.logs[start[2] : end[2]]
            if r.exc_info or r.levelno >= logging.ERROR
        ]
        if "Traceback (most recent call last)" in self.stderr.getvalue()[start[1] : end[1]]:
            found.append("a traceback on stderr")
        return found


class _Keep(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self._into = into

    def emit(self, record: logging.LogRecord) -> None:
        self._into.append(record)


def load(path: Path) -> tuple[Community, pluggy.PluginManager]:
    """The community in ``path`` and its plugins, loaded as ``sanshe run`` loads them."""
    file = CommunityFile.read(path)
    pm = plugin_manager(file.disabled_plugins)
    return file.check(vocabulary(pm)), pm


async def run_console(
    config: Path, db_url: str, lines: Iterable[str], run: ConsoleRun | None = None
) -> ConsoleRun:
    """Serve ``config`` on the console in-process, as ``sanshe run`` does, reading ``lines``.

    ``lines`` may be an iterator that decides each line after looking at
    ``run`` (it is called in the console's reading thread, between two lines).
    """
    run = run or ConsoleRun()
    run.loop = asyncio.get_running_loop()
    path = Path(config)
    community, pm = load(path)
    adapter = _Recording(_Lines(iter(lines), run), run.stdout, run)
    storage = Storage(db_url, plugin_tables(pm))  # the plugins' tables too, as `sanshe run`
    keep = _Keep(run.logs)
    root = logging.getLogger()
    root.addHandler(keep)
    try:
        with contextlib.redirect_stderr(run.stderr):
            await storage.open(migrate=True)
            run.context = contextvars.copy_context()
            bot = Bot(community, adapter, storage, pm=pm, config_path=path)
            try:
                await bot.start()
                await adapter.run(bot)
            finally:
                await bot.stop()
                await storage.close()
    finally:
        root.removeHandler(keep)
    return run


def run_sync(
    config: Path, db_url: str, lines: Iterable[str], run: ConsoleRun | None = None
) -> ConsoleRun:
    """:func:`run_console` from synchronous code (a hypothesis example)."""
    return asyncio.run(run_console(config, db_url, lines, run))
