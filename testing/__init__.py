"""A test kit for plugin authors: a community, people typing in groups, the actions that come back.

::

    from sanshe.testing import Sandbox

    async def test_help_lists_bind_for_social_workers():
        async with Sandbox() as community:  # the example community shipped with sanshe
            texts = community.texts(await community.send("wang", "building-1", "/help"))
            assert "/bind" in texts[0]

A community comes from a file (``Sandbox(path)``), from YAML text
(``Sandbox.from_yaml(text)``) or from a dict (``Sandbox.from_dict(data)``),
and is refused as ``sanshe check-config`` would refuse it (``ConfigError``,
each mistake as ``file:line:col: sentence``).  Time stands still on the
sandbox's :class:`ManualClock` until the test moves it
(``sandbox.clock.advance(minutes=30)``); the bot reads it as ``bot.clock``.

People are named by their console handle (unknown handles are unknown
residents); places are group ids, or ``"dm"`` for a private chat with the
bot.  Every wait has a timeout and says what it was waiting for.

Installed with sanshe, the kit is also a pytest plugin: the fixtures
``sandbox``, ``make_sandbox`` and ``manual_clock`` (see
:mod:`sanshe.testing.pytest_plugin`) are there in every test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import ManualClock

if TYPE_CHECKING:
    from .sandbox import NETWORK, RecordingAdapter, Sandbox

__all__ = ["NETWORK", "ManualClock", "RecordingAdapter", "Sandbox"]


def __getattr__(name: str) -> object:
    """The sandbox's names, imported on first use: pytest loads this package's plugin at every
    start, and a run that uses no sandbox need not import the bot and the ORM."""
    if name in {"NETWORK", "RecordingAdapter", "Sandbox"}:
        from . import sandbox

        return getattr(sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
