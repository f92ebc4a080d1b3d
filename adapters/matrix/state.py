"""Keys of what the adapter keeps in core's storage (its ``matrix`` state)."""

from __future__ import annotations

import hashlib


def storage_key(prefix: str, value: str) -> str:
    """A storage state key ``prefix + value``, hashed when too long for the key column."""
    key = prefix + value
    return key if len(key) <= 64 else prefix + "#" + hashlib.sha256(value.encode()).hexdigest()[:40]
