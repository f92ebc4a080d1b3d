"""Buttons under the bot's messages, and the handlers their presses are routed to.

A plugin declares a :class:`ButtonHandler` in ``sanshe_buttons`` (as it
declares commands) and makes buttons with :meth:`ButtonHandler.button`; a
press comes back as a :class:`~sanshe.core.events.Callback` whose ``data``
names the handler, and core calls that handler only, with ``context.press``
saying which button it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .actions import Button
from .commands import ANYONE, Handler
from .i18n import Catalogue, Translator, environment_locale

#: What separates a handler's name from the payload in a button's data.
SEPARATOR = "|"
#: Telegram's limit on a button's callback data, the smallest of the networks'.
MAX_DATA_BYTES = 64
_NAME = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+")


@dataclass(frozen=True, slots=True)
class ButtonHandler:
    """A kind of button a plugin puts under its messages, and what a press on one does.

    ``name`` is namespaced by the plugin (``forms.choose``), unique among all
    plugins' handlers as command names are.  ``handler`` is called with the
    press's context (``context.press``) and returns actions like a command
    handler.  ``roles`` lists who may press it (empty: anyone), checked in the
    chat's group like a command's, through ``sanshe_permission`` with
    ``button:<name>``.
    """

    name: str
    handler: Handler
    roles: frozenset[str] = ANYONE
    plugin: str = ""
    """The plugin that contributed it (filled in by core)."""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(
                f"button handler name {self.name!r}: use '<plugin>.<what>' in lower case"
            )

    def button(self, label: str, payload: str = "") -> Button:
        """A button labelled ``label`` whose press reaches this handler with ``payload``.

        Raises ValueError when name and payload exceed the 64 bytes every network carries.
        """
        data = f"{self.name}{SEPARATOR}{payload}"
        if len(data.encode("utf-8")) > MAX_DATA_BYTES:
            raise ValueError(f"button data over {MAX_DATA_BYTES} bytes: {data!r}")
        return Button(label=label, data=data)


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """Which button was pressed: its handler's ``name``, its ``payload``, and where."""

    name: str
    payload: str
    message_id: str
    """The bot's message that carried the button (for an :class:`~sanshe.core.actions.Edit`)."""
    callback_id: str
    """What an :class:`~sanshe.core.actions.AnswerButton` answers."""


def read_press(data: str, message_id: str = "", callback_id: str = "") -> ButtonPress:
    """The press a button's ``data`` stands for (a name without payload if it has no separator)."""
    name, _sep, payload = data.partition(SEPARATOR)
    return ButtonPress(name.strip(), payload, message_id, callback_id)


class ButtonClash(ValueError):
    """Two plugins declare one button handler name."""

    def __init__(self, name: str, first: str, second: str) -> None:
        self.name, self.plugins = name, (first, second)
        _ = Translator(Catalogue(), environment_locale())
        super().__init__(_("plugins.button_clash", name=name, first=first, second=second))


class ButtonBook:
    """Every plugin's button handlers, by name."""

    def __init__(self, handlers: Iterable[ButtonHandler]) -> None:
        self._by_name: dict[str, ButtonHandler] = {}
        for handler in handlers:
            if handler.name in self._by_name:
                raise ButtonClash(handler.name, self._by_name[handler.name].plugin, handler.plugin)
            self._by_name[handler.name] = handler

    def find(self, name: str) -> ButtonHandler | None:
        """The handler called ``name``, if a running plugin declares it."""
        return self._by_name.get(name)
