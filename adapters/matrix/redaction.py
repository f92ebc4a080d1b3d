"""Taking back what one person wrote in a room lately (a community ban's clean-up).

The room's history is read backwards from now (``/messages``, filtered to the
person), a page at a time, until an event older than the span; each of their
posts found (not state, not a redaction, not redacted already) is redacted.
Redactions are events like any other for the homeserver's rate limits, which
:func:`.client.request` waits out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import nio

from .client import request

log = logging.getLogger(__name__)

PAGE = 100


def is_post(source: Mapping[str, Any]) -> bool:
    """Whether an event is something a person posted that a redaction would take back."""
    unsigned = source.get("unsigned")
    redacted = isinstance(unsigned, dict) and "redacted_because" in unsigned
    return "state_key" not in source and source.get("type") != "m.room.redaction" and not redacted


async def recent_posts(
    client: nio.AsyncClient, room: str, user: str, hours: float, now: float | None = None
) -> list[str]:
    """The ids of ``user``'s posts in ``room`` of the last ``hours``, newest first."""
    since_ms = ((time.time() if now is None else now) - hours * 3600) * 1000
    only_theirs = {"senders": [user]}
    found: list[str] = []
    token: str | None = None
    while True:
        page = await request(
            f"read the recent history of {room}",
            partial(
                client.room_messages, room, start=token, limit=PAGE, message_filter=only_theirs
            ),
        )
        for event in page.chunk:
            source = event.source
            if float(source.get("origin_server_ts") or 0) < since_ms:
                return found
            if source.get("sender") == user and is_post(source):
                found.append(str(source["event_id"]))
        if not page.chunk or not page.end or page.end == token:
            return found
        token = page.end


async def redact_recent(
    client: nio.AsyncClient, room: str, user: str, hours: float, txn: Callable[[str], str]
) -> int:
    """Redact ``user``'s posts of the last ``hours`` in ``room``; return how many.

    ``txn(part)`` gives each redaction's transaction id, the same when the action is
    performed again, so a redaction repeated after a crash is not made twice.
    """
    posts = await recent_posts(client, room, user, hours)
    for event_id in posts:
        await request(
            f"redact {event_id}",
            partial(client.room_redact, room, event_id, tx_id=txn(f"redact {event_id}")),
        )
    if posts:
        log.info("redacted %d recent post(s) of %s in %s", len(posts), user, room)
    return len(posts)
