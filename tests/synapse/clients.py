"""matrix-nio helpers for tests against the harness's Synapse."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import nio

from .harness import Homeserver

T = TypeVar("T")


class MatrixUserFactory(Protocol):
    """Signature of the ``matrix_user`` fixture's value."""

    def __call__(
        self, prefix: str = "user", *, admin: bool = False, password: str = "pw"
    ) -> Awaitable[nio.AsyncClient]: ...


def client_config() -> nio.AsyncClientConfig:
    """nio settings for tests: fail fast instead of retrying for ever."""
    return nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=3, request_timeout=30)


async def login_client(
    homeserver: Homeserver, prefix: str = "user", *, admin: bool = False, password: str = "pw"
) -> nio.AsyncClient:
    """Register ``<prefix>-<random>`` on ``homeserver`` and return a logged-in client.

    The caller must ``await client.close()``.
    """
    user = await homeserver.register(f"{prefix}-{uuid.uuid4().hex[:10]}", password, admin)
    client = nio.AsyncClient(
        homeserver.url, user.user_id, device_id=user.device_id, config=client_config()
    )
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


async def sync_until(
    client: nio.AsyncClient,
    found: Callable[[nio.SyncResponse], T | None],
    timeout: float = 15.0,
) -> T:
    """Sync ``client`` repeatedly until ``found(response)`` is not None, and return that.

    Each sync continues from the client's last ``next_batch``. Raises ``AssertionError``
    on a sync error or when ``timeout`` seconds pass without a match.
    """
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{client.user_id}: nothing matched within {timeout} s")
        response = await client.sync(timeout=int(min(remaining, 2.0) * 1000))
        if not isinstance(response, nio.SyncResponse):
            raise AssertionError(f"{client.user_id}: sync failed: {response}")
        result = found(response)
        if result is not None:
            return result


def timeline(response: nio.SyncResponse, room_id: str) -> list[nio.Event]:
    """Timeline events of ``room_id`` in a sync response (joined or left section)."""
    room = response.rooms.join.get(room_id) or response.rooms.leave.get(room_id)
    return list(room.timeline.events) if room is not None else []
