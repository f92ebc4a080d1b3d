"""Sanshe's pytest fixtures, loaded by pytest wherever sanshe is installed (entry point ``pytest11``).

::

    async def test_whoami(sandbox):
        [text] = sandbox.texts(await sandbox.send("wang", "building-1", "/whoami"))
        assert "王芳" in text

    async def test_my_plugin(make_sandbox, manual_clock):
        async with make_sandbox(yaml=MY_COMMUNITY, plugins=[MyPlugin()]) as sandbox:
            manual_clock.advance(minutes=30)
            ...

One sandbox runs at a time in a test (its database connection is the
process's).  The ``sandbox`` fixture needs pytest-asyncio (``pip install
pytest-asyncio``), in strict mode (mark the tests ``@pytest.mark.asyncio``) or
auto mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .clock import ManualClock

if TYPE_CHECKING:
    from .sandbox import Sandbox

MakeSandbox = Callable[..., "Sandbox"]
"""``make_sandbox(config=PATH | yaml=TEXT | data=DICT, **Sandbox options)``."""


@pytest.fixture
def manual_clock() -> ManualClock:
    """The test's clock, standing at the current time until the test moves it.

    Every sandbox the ``sandbox`` and ``make_sandbox`` fixtures make runs on
    this clock: ``manual_clock.advance(minutes=30)`` moves them all.
    """
    return ManualClock()


async def _sandbox(manual_clock: ManualClock) -> AsyncIterator[Sandbox]:
    """The example community shipped with sanshe, started on an in-memory database.

    It runs on ``manual_clock`` and is stopped after the test.
    """
    from .sandbox import Sandbox

    async with Sandbox(clock=manual_clock) as started:
        yield started


if find_spec("pytest_asyncio") is None:

    @pytest.fixture(name="sandbox")
    def _no_sandbox() -> None:
        """The example community; it needs pytest-asyncio, which is not installed."""
        pytest.fail("sanshe's sandbox fixture needs pytest-asyncio: pip install pytest-asyncio")

else:
    import pytest_asyncio

    sandbox = pytest_asyncio.fixture(_sandbox, name="sandbox")


@pytest.fixture
def make_sandbox(manual_clock: ManualClock) -> MakeSandbox:
    """A function that makes a sandbox to start with ``async with``.

    ``make_sandbox(yaml=TEXT)`` (see :meth:`Sandbox.from_yaml`),
    ``make_sandbox(data=DICT)``, ``make_sandbox(config=PATH)``, or none of
    them for the example community; other keywords are :class:`Sandbox`'s.
    Its clock is ``manual_clock`` unless ``clock=`` is given.
    """
    from .sandbox import Sandbox

    def make(
        *,
        config: str | Path | None = None,
        yaml: str | None = None,
        data: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Sandbox:
        if sum(source is not None for source in (config, yaml, data)) > 1:
            raise TypeError("make_sandbox takes one of config=, yaml= and data=")
        options.setdefault("clock", manual_clock)
        if yaml is not None:
            return Sandbox.from_yaml(yaml, **options)
        if data is not None:
            return Sandbox.from_dict(data, **options)
        return Sandbox(config, **options)

    return make
