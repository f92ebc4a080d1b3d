"""pytest fixtures for end-to-end tests against a real Synapse (see ``harness.py``).

Fixtures
--------
``homeserver`` (session scope, **synchronous**)
    One Synapse for the whole test session, started on first use in a temporary work
    directory and stopped at the end. If Synapse cannot be installed or started, every test
    that needs it errors with the reason and the tail of Synapse's log: it is never skipped.
``matrix_user`` (function scope, async, function event loop)
    An async factory ``await matrix_user(prefix="user", admin=False, password="pw")`` that
    registers a fresh, uniquely named user and returns a logged-in ``nio.AsyncClient``
    (its access token comes from registration); every client it made is closed at teardown.
    Calling it from a test on another loop (e.g. the session loop) raises ``RuntimeError``.

Event-loop scopes (pytest-asyncio 1.5, ``asyncio_mode = "auto"``)
------------------------------------------------------------------
``homeserver`` is a plain synchronous fixture and Synapse is a subprocess bound to no event
loop, so it works with tests on *any* loop scope, and a test may ``await
homeserver.restart()`` from its own loop. ``matrix_user`` runs in the default *function*
loop, so tests using it need no marker at all.

A nio client belongs to the loop it was first used in. A session-scoped async fixture
(e.g. a client shared by several tests) must be declared with
``@pytest_asyncio.fixture(scope="session", loop_scope="session")`` and every test that uses
it must run on the session loop: ``pytestmark = pytest.mark.asyncio(loop_scope="session")``
(module) or ``@pytest.mark.asyncio(loop_scope="session")`` (one test). Such a test must not
also use ``matrix_user``, whose clients live on the function loop; make clients there with
``clients.login_client(homeserver, ...)`` and close them yourself. Using a session-loop client
from a function-loop test fails inside aiohttp ("Timeout context manager should be used
inside a task"). ``test_harness.py`` checks both recipes.

Using the fixtures from another test module
-------------------------------------------
Register this module as a pytest plugin, so the session fixture is defined exactly once::

    pytest_plugins = ["tests.synapse.fixtures"]  # in tests/conftest.py

``test_harness.py`` registers it the same way (``pytest_plugins =
[f"{__package__}.fixtures"]``), so ``pytest tests/synapse`` works alone; a plugin registered
twice under one name is loaded once, so both together still give one homeserver. Importing
the fixture functions into several modules instead (``from tests.synapse.fixtures import
homeserver``) defines them once per module: one homeserver each. The nio helpers
(``login_client``, ``sync_until``, ``timeline``) live in ``clients.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import nio
import pytest
import pytest_asyncio

from .clients import MatrixUserFactory, login_client
from .harness import Homeserver, ensure_synapse


@pytest.fixture(scope="session")
def homeserver(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Homeserver]:
    """A Synapse started once per session; a failure to start errors the tests, never skips."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    # Let the first-run install progress reach the terminal instead of pytest's capture.
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        ensure_synapse()
    server = Homeserver(tmp_path_factory.mktemp("synapse"))
    server.start_blocking()
    try:
        yield server
    finally:
        server.stop_blocking()


@pytest_asyncio.fixture
async def matrix_user(homeserver: Homeserver) -> AsyncIterator[MatrixUserFactory]:
    """Factory of fresh logged-in ``nio.AsyncClient``s, closed at teardown."""
    clients: list[nio.AsyncClient] = []
    loop = asyncio.get_running_loop()

    async def make(
        prefix: str = "user", *, admin: bool = False, password: str = "pw"
    ) -> nio.AsyncClient:
        if asyncio.get_running_loop() is not loop:
            raise RuntimeError(
                "matrix_user lives on the function event loop but this test runs on another "
                "loop; use login_client() and close the client yourself"
            )
        client = await login_client(homeserver, prefix, admin=admin, password=password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
