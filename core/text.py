"""Text from a network made storable: every database takes it, every JSON encoder writes it.

PostgreSQL refuses NUL in text and ``\\u0000`` in JSON; lone surrogates cannot
be encoded as UTF-8 at all.  Such characters are never meaningful in what a
person writes, so they are dropped (controls) or replaced by U+FFFD
(surrogates) once, when an event comes in.  Identifiers (chat, sender, event
and message ids) are the network's and stay exactly as given: replies must go
where the message came from.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import TypeVar

from .events import Event

E = TypeVar("E", bound=Event)

#: C0 controls but tab, newline and carriage return; DEL; lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _mend(match: re.Match[str]) -> str:
    return "\ufffd" if match.group() >= "\ud800" else ""


def storable(text: str) -> str:
    """``text`` without control characters, lone surrogates replaced by U+FFFD."""
    if text.isprintable() or _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(_mend, text)


def storable_event(event: E) -> E:
    """``event`` with every text a person wrote made storable (the same object when nothing changes)."""
    names = _FIELDS.get(type(event))
    if names is None:
        names = _FIELDS[type(event)] = tuple(
            spec.name for spec in fields(event) if spec.name not in _IDENTIFIERS
        )
    changes: dict[str, object] = {}
    for name in names:
        value = getattr(event, name)
        if isinstance(value, str):
            if value.isprintable():
                continue
            mended: object = storable(value)
        elif isinstance(value, tuple) and value:
            mended = tuple(storable(v) if isinstance(v, str) else v for v in value)
        else:
            continue
        if mended != value:
            changes[name] = mended
    return replace(event, **changes) if changes else event


#: The fields of each kind of event that hold what a person wrote, looked up once.
_FIELDS: dict[type[Event], tuple[str, ...]] = {}
#: Fields the network names things with.
_IDENTIFIERS = frozenset(
    {"network", "chat", "event_id", "sender", "language", "message_id", "reply_to"}
)
