"""Buttons on Matrix: listed in the message, one key each, pressed by reacting with that key.

Matrix has no buttons under a message.  The bot lists each button on a line of its
message after a key (1️⃣, 2️⃣ … 🔟, then 🇦 … 🇿), and reacts to its own message with
those keys, so a person presses a button by tapping its reaction.  Which key stands
for which button's data is an :class:`Offer`, kept in ``bot.storage`` for each
message, so a press is understood after a restart too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sanshe.core.actions import Button

log = logging.getLogger(__name__)

#: Reaction keys in the order buttons get them: keycaps, then regional-indicator letters.
KEYS: tuple[str, ...] = (
    *(f"{digit}\ufe0f\u20e3" for digit in "123456789"),
    "\U0001f51f",
    *(chr(0x1F1E6 + letter) for letter in range(26)),
)
#: Clients send a keycap with or without the emoji presentation selector (U+FE0F).
_BY_BARE = {key.replace("\ufe0f", ""): key for key in KEYS}

#: Storage key prefix of the offer of one message (``buttons:<event id>``).
OFFER_PREFIX = "buttons:"


def key_of(annotation: str) -> str | None:
    """The button key a reaction's annotation is, or None when it is not one of :data:`KEYS`."""
    return _BY_BARE.get(annotation.replace("\ufe0f", ""))


def listed(text: str, buttons: Sequence[Button]) -> str:
    """``text`` followed by one line per button: its key, then its label.

    There are only :data:`KEYS` keys: the buttons beyond them are lines ``- label``,
    shown but not pressable (and a warning is logged), so the message is still sent.
    """
    keyed = [f"{key} {b.label}" for key, b in zip(KEYS, buttons, strict=False)]
    unkeyed = [f"- {b.label}" for b in buttons[len(KEYS) :]]
    if unkeyed:
        log.warning(
            "a Matrix message offers at most %d buttons: %d more are listed without a key, "
            "so they cannot be pressed",
            len(KEYS),
            len(unkeyed),
        )
    return "\n".join([text, *keyed, *unkeyed])


@dataclass
class Offer:
    """The buttons one of the bot's messages offers, by key, and the bot's reactions showing them."""

    buttons: dict[str, str] = field(default_factory=dict)
    """Key -> the button's data."""
    reactions: dict[str, str] = field(default_factory=dict)
    """Key -> the event id of the bot's own reaction with that key."""

    @classmethod
    def of(cls, buttons: Sequence[Button], shown: Offer | None = None) -> Offer:
        """The offer of ``buttons``, keeping the reactions already ``shown`` on the message."""
        keys = dict(zip(KEYS, (b.data for b in buttons), strict=False))
        return cls(keys, dict(shown.reactions) if shown else {})

    def to_json(self) -> str:
        """The offer as stored."""
        return json.dumps({"buttons": self.buttons, "reactions": self.reactions})

    @classmethod
    def from_json(cls, stored: str | None) -> Offer:
        """The offer stored as ``stored`` (an empty one when nothing is stored)."""
        if stored is None:
            return cls()
        data = json.loads(stored)
        return cls(dict(data["buttons"]), dict(data["reactions"]))
