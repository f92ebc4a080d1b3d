"""Talking to the homeserver: logging in, and requests that wait out rate limits and outages."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import nio

from sanshe.core.adapter import ActionFailed, Backoff, CannotStart

from .settings import MatrixSettings, terminal_text

log = logging.getLogger(__name__)

# nio's INFO log notes every room event, and its DEBUG log dumps whole responses, access
# tokens and message texts included: keep both out of Sanshe's log, even with -vv.
logging.getLogger("nio").setLevel(logging.WARNING)

CLIENT_CONFIG = nio.AsyncClientConfig(
    max_limit_exceeded=0,  # rate limits are waited out in request(), with a log line
    max_timeouts=0,  # outages are retried by the adapter, with a log line
    request_timeout=30,
    encryption_enabled=False,
    store_sync_tokens=False,  # the sync token is stored by the adapter, after handling
)

#: How often one action waits out ``M_LIMIT_EXCEEDED`` before it is reported as failed.
RATE_LIMITED_TRIES = 20
#: The longest single wait a rate limit may ask of an action.
LONGEST_RATE_WAIT = 60.0

SESSION_FILE = "session.json"

R = TypeVar("R")


class Unreachable(Exception):
    """The homeserver did not answer: down, unreachable, or a gateway error."""


class Unavailable(ActionFailed):
    """An action failed because the homeserver stayed unreachable."""


class LoginRefused(CannotStart):
    """The homeserver refused the bot's credentials; the message says what to fix."""


def http_status(response: nio.ErrorResponse) -> int:
    """The HTTP status the error came with (0 when unknown)."""
    transport = getattr(response, "transport_response", None)
    return int(getattr(transport, "status", 0) or 0)


def is_rate_limited(response: nio.ErrorResponse) -> bool:
    """Whether the homeserver asked us to slow down."""
    return response.status_code == "M_LIMIT_EXCEEDED" or http_status(response) == 429


async def attempt(send: Callable[[], Awaitable[R]]) -> R:
    """Make one request; raise :class:`Unreachable` when the homeserver did not answer it."""
    try:
        response = await send()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise Unreachable(str(exc) or type(exc).__name__) from exc
    if isinstance(response, nio.ErrorResponse) and http_status(response) >= 500:
        raise Unreachable(f"HTTP {http_status(response)}: {response.message}")
    return response


async def request(
    what: str,
    send: Callable[[], Awaitable[R]],
    *,
    patience: float = 60.0,
    allow: frozenset[str] = frozenset(),
) -> R:
    """Make a request for an action and return the homeserver's answer.

    Rate limits are waited out as long as the homeserver asks (``retry_after_ms``);
    an unreachable homeserver is tried again for up to ``patience`` seconds.  Any other
    refusal raises :class:`ActionFailed` saying ``what`` failed and why, unless its
    error code is in ``allow`` (then the error response is returned).
    """
    backoff = Backoff(0.5, 8.0)
    waited = 0.0
    limited = 0
    while True:
        try:
            response = await attempt(send)
        except Unreachable as exc:
            if waited >= patience:
                raise Unavailable(f"{what}: the homeserver is unreachable ({exc})") from exc
            delay = backoff.delay()
            log.warning("%s: homeserver unreachable (%s); trying again in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
            waited += delay
            continue
        if not isinstance(response, nio.ErrorResponse) or response.status_code in allow:
            return response
        if is_rate_limited(response) and limited < RATE_LIMITED_TRIES:
            limited += 1
            delay = min((response.retry_after_ms or 1000) / 1000, LONGEST_RATE_WAIT)
            log.info("%s: rate limited by the homeserver; waiting %.2f s as it asks", what, delay)
            await asyncio.sleep(delay)
            continue
        raise ActionFailed(
            f"{what}: {response.status_code or http_status(response)} {response.message}"
        )


async def get_json(client: nio.AsyncClient, path: str) -> dict[str, Any]:
    """GET a client-API path nio has no method for; raise :class:`Unreachable` on failure."""

    async def send() -> dict[str, Any]:
        answer = await client.send(
            "GET", path, headers={"Authorization": f"Bearer {client.access_token}"}
        )
        if answer.status >= 400:
            raise Unreachable(f"GET {path}: HTTP {answer.status}")
        return dict(await answer.json())

    return await attempt(send)


# -- logging in ----------------------------------------------------------------------------


async def log_in(settings: MatrixSettings) -> nio.AsyncClient:
    """A client logged in as the bot.

    With an access token the token is checked (``whoami``).  With a password the
    device and token obtained are kept in ``store_path`` and used again on the next
    start, so a restart keeps the same device (transaction ids stay idempotent).
    Raises :class:`Unreachable` or :class:`LoginRefused`.
    """
    client = nio.AsyncClient(settings.homeserver, settings.user_id, config=CLIENT_CONFIG)
    try:
        if settings.access_token:
            if not await _use_token(client, settings, settings.access_token):
                raise LoginRefused(
                    terminal_text()(
                        "matrix.login.token_refused",
                        homeserver=settings.homeserver,
                        user=settings.user_id,
                    )
                )
        else:
            await _use_password(client, settings)
    except BaseException:
        await client.close()
        raise
    return client


async def _use_token(client: nio.AsyncClient, settings: MatrixSettings, token: str) -> bool:
    """Log in with ``token``; False when the homeserver does not accept it."""
    client.access_token = token
    answer = await attempt(client.whoami)
    if isinstance(answer, nio.WhoamiError):
        client.access_token = ""
        return False
    if answer.user_id != settings.user_id:
        raise LoginRefused(
            terminal_text()("matrix.login.other_user", owner=answer.user_id, user=settings.user_id)
        )
    client.restore_login(answer.user_id, answer.device_id or "", token)
    return True


async def _use_password(client: nio.AsyncClient, settings: MatrixSettings) -> None:
    assert settings.password is not None
    path = settings.store_path / SESSION_FILE
    saved = _read_session(path)
    if (
        saved.get("homeserver") == settings.homeserver
        and saved.get("user_id") == settings.user_id
        and saved.get("access_token")
    ):
        client.device_id = saved.get("device_id", "")
        if await _use_token(client, settings, str(saved["access_token"])):
            return
        log.info("the saved Matrix session of %s has ended; logging in again", settings.user_id)
    answer = await attempt(
        lambda: client.login(settings.password, device_name=settings.device_name)
    )
    if isinstance(answer, nio.LoginError):
        raise LoginRefused(
            terminal_text()(
                "matrix.login.password_refused",
                homeserver=settings.homeserver,
                user=settings.user_id,
                code=answer.status_code,
            )
        )
    _write_session(
        path,
        {
            "homeserver": settings.homeserver,
            "user_id": answer.user_id,
            "device_id": answer.device_id,
            "access_token": answer.access_token,
        },
    )
    log.info(
        "logged in to %s as %s (device %s)", settings.homeserver, answer.user_id, answer.device_id
    )


def _read_session(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_session(path: Path, session: dict[str, Any]) -> None:
    """Write the session readable by its owner only (it holds an access token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(session, out)
    os.replace(partial, path)
