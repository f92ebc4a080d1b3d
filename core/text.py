"""Text from a network made storable: every database takes it, every JSON encoder writes it.

PostgreSQL refuses NUL in text and ``\\u0000`` in JSON; lone surrogates cannot
be encoded as UTF-8 at all.  Such characters are never meaningful in what a
person writes, so they are dropped (controls) or replaced by U+FFFD
(surrogates) once, when an event comes in.  Identifiers (chat, sender, event
and message ids) are the network's and stay as given, but for NUL and lone
surrogates (no network sends them; a console line may), which become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any, TypeVar

from .events import Event

E = TypeVar("E", bound=Event)

#: C0 controls but tab, newline and carriage return; DEL; lone surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: What no database stores at all: NUL (PostgreSQL) and lone surrogates (UTF-8).
_UNENCODABLE = re.compile("[\x00\ud800-\udfff]")


def _mend(match: re.Match[str]) -> str:
    return "\ufffd" if match.group() >= "\ud800" else ""


def storable(text: str) -> str:
    """``text`` without control characters, lone surrogates replaced by U+FFFD."""
    if text.isprintable() or _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(_mend, text)


def storable_id(name: str) -> str:
    """An identifier with only what no database stores (NUL, lone surrogates) replaced by U+FFFD."""
    if name.isprintable():
        return name
    return _UNENCODABLE.sub("\ufffd", name)


def storable_event(event: E) -> E:
    """``event`` made storable (the same object when nothing changes): what a person wrote
    loses control characters, the network's identifiers only what cannot be stored."""
    names = _FIELDS.get(type(event))
    if names is None:
        names = _FIELDS[type(event)] = tuple(
            (spec.name, storable_id if spec.name in _IDENTIFIERS else storable)
            for spec in fields(event)
        )
    changes: dict[str, Any] = {}
    for name, mend in names:
        value = getattr(event, name)
        if isinstance(value, str):
            if value.isprintable():
                continue
            mended: object = mend(value)
        elif isinstance(value, tuple) and value:
            mended = tuple(mend(v) if isinstance(v, str) else v for v in value)
        else:
            continue
        if mended != value:
            changes[name] = mended
    return replace(event, **changes) if changes else event


#: Each kind of event's fields, with how each is made storable, looked up once.
_FIELDS: dict[type[Event], tuple[tuple[str, Callable[[str], str]], ...]] = {}
#: Fields the network names things with: replies must go where the message came
#: from, so only what cannot be stored at all is replaced in them.
_IDENTIFIERS = frozenset(
    {
        "network",
        "chat",
        "event_id",
        "sender",
        "language",
        "message_id",
        "reply_to",
        "reply_to_sender",
    }
)
