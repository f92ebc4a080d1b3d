"""What core expects of an adapter (one per chat network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .actions import Action

if TYPE_CHECKING:
    from .bot import Bot


#: The outbox key of the action core is performing (None outside :meth:`Bot._perform`).  It is
#: the same when core performs the action again after a crash, so an adapter may derive an
#: idempotency key from it (a Matrix transaction id).
performing_outbox_key: ContextVar[str | None] = ContextVar("performing_outbox_key", default=None)


class ActionFailed(Exception):
    """The network refused an action (no power, unknown chat…); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CannotStart(Exception):
    """The adapter cannot start (credentials refused, settings wrong); the message says what to fix."""


class Backoff:
    """Waits between an adapter's attempts: ``first``, twice that, and so on up to ``cap`` seconds."""

    def __init__(self, first: float = 1.0, cap: float = 60.0) -> None:
        self.first = first
        self.cap = cap
        self._next = first
        self.failures = 0

    def delay(self) -> float:
        """The wait after one more failure."""
        self.failures += 1
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        """Start again from the first delay after a success."""
        self._next = self.first
        self.failures = 0


class UrgentFirst:
    """Holds back the start of ordinary actions while urgent ones (crisis alerts) are in flight,
    so that an alert decided behind a broadcast is not queued behind it at the network."""

    def __init__(self) -> None:
        self._urgent = 0
        self._clear = asyncio.Event()
        self._clear.set()

    @asynccontextmanager
    async def turn(self, urgent: bool) -> AsyncIterator[None]:
        """Perform inside this: an urgent action at once, an ordinary one once none is in flight."""
        if not urgent:
            await self._clear.wait()
            yield
            return
        self._urgent += 1
        self._clear.clear()
        try:
            yield
        finally:
            self._urgent -= 1
            if not self._urgent:
                self._clear.set()


A = TypeVar("A", bound=Action)
Performer = Callable[[Any, A], Awaitable[None]]


def performs(*kinds: type[A]) -> Callable[[Performer[A]], Performer[A]]:
    """Mark an adapter method as the one that carries out actions of the types ``kinds``.

    An adapter can perform exactly the action types it has such a method for
    (its :attr:`Adapter.capabilities`), so a new kind of action is unsupported
    on a network until its adapter implements it.
    """

    def mark(method: Performer[A]) -> Performer[A]:
        method.__sanshe_performs__ = kinds  # type: ignore[attr-defined]
        return method

    return mark


class Adapter:
    """Translates one chat network to and from core's events and actions.

    Subclasses set ``network`` and implement :meth:`run` and one
    ``@performs(ActionType)`` method per action the network can carry out;
    ``capabilities`` is computed from those methods, and core answers with a
    clear message instead of sending the others (decided before the event is
    checkpointed).  When ``chats_named_by_group`` is true, a chat whose id is a
    group id belongs to that group without any binding (the console).

    :meth:`run` hands each event to ``bot.submit`` and acknowledges it to the
    network only once the future it returns is done; when that future fails,
    the adapter delivers the event again later (core counts the tries and sets
    an event aside after ``community.dead_letter_after`` of them).

    An adapter may also define ``async prepare(bot)``: :meth:`Bot.start` awaits it
    before performing the actions a crash left in the outbox, so the adapter can
    connect and load what it keeps in ``bot.storage`` first.  One whose network can say who
    is in a chat overrides :meth:`is_member` (the moderation commands ask it).
    """

    network: ClassVar[str]
    _urgent_first: UrgentFirst
    chats_named_by_group: ClassVar[bool] = False
    capabilities: ClassVar[frozenset[type[Action]]] = frozenset()
    _performers: ClassVar[dict[type[Action], str]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        performers: dict[type[Action], str] = {}
        for klass in reversed(cls.__mro__):  # a subclass's method wins over its bases'
            for name, member in vars(klass).items():
                for kind in getattr(member, "__sanshe_performs__", ()):
                    performers[kind] = name
        cls._performers = performers
        cls.capabilities = frozenset(performers)

    async def run(self, bot: Bot) -> None:
        """Receive events and give each to ``bot.submit``; return when the input ends."""
        raise NotImplementedError

    async def is_member(self, chat: str, user: str) -> bool | None:
        """Whether ``user`` is in the group chat ``chat`` now; None when the network cannot
        tell (the default), as when it does not answer."""
        return None

    async def perform(self, action: Action) -> None:
        """Carry out one action; raise :class:`ActionFailed` when the network refuses.

        An ordinary action starts only once no urgent one is in flight (:class:`UrgentFirst`);
        an adapter with a queue of its own (Telegram's) orders it there instead.
        """
        name = self._performers.get(type(action))
        if name is None:
            raise ActionFailed(f"{self.network} cannot perform {type(action).__name__}")
        gate: UrgentFirst | None = getattr(self, "_urgent_first", None)
        if gate is None:  # made here: adapters need not call an __init__ of this class
            gate = self._urgent_first = UrgentFirst()
        async with gate.turn(action.urgent):
            await getattr(self, name)(action)
