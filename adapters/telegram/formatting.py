"""Core's texts and buttons in the shapes the Bot API takes: parts of a long text, inline keyboards, mentions."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import mention_html

from sanshe.core.actions import Button
from sanshe.core.adapter import ActionFailed

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTON_DATA = 64
#: What an answer to a button press (a toast) may hold.
MAX_TOAST = 200


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One inline button per row; pressing one sends its data back as a Callback."""
    if not buttons:
        return None
    for button in buttons:
        if not 1 <= len(button.data.encode()) <= MAX_BUTTON_DATA:
            raise ActionFailed(
                f"button {button.label!r}: Telegram takes 1-{MAX_BUTTON_DATA} bytes of data"
            )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data)] for b in buttons]
    )


def units(text: str) -> int:
    """Telegram's length of ``text``: UTF-16 code units."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


def shortened(text: str, limit: int) -> str:
    """``text``, or its first ``limit - 1`` characters and "…" if it is longer than ``limit``."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split(text: str) -> list[str]:
    """Parts Telegram takes (4096 UTF-16 units at most), cut after a line break where there is one."""
    parts = []
    while True:
        units, limit = 0, len(text)
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > MAX_TEXT:
                limit = index
                break
        if limit == len(text):
            parts.append(text)
            return parts
        cut = text.rfind("\n", 0, limit) + 1 or limit
        parts.append(text[:cut])
        text = text[cut:]


def with_mention(template: str, marker: str, user: str, name: str) -> str:
    """``template`` as HTML, with ``marker`` replaced by a mention of ``user`` shown as ``name``."""
    before, _sep, after = template.partition(marker)
    return html.escape(before) + mention_html(user, name) + html.escape(after)
