"""Chat commands contributed by plugins, and who may use them."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .i18n import Catalogue, Translator, environment_locale

if TYPE_CHECKING:
    from .actions import Action
    from .arguments import Arguments
    from .context import Context

Handler = Callable[
    ["Context"], "Action | Iterable[Action] | None | Awaitable[Action | Iterable[Action] | None]"
]
Shown = Callable[["Context"], "bool | Awaitable[bool]"]

ANYONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ChatCommand:
    """A command people type in a chat: ``/name args``.

    ``roles`` lists who may use it; empty means anyone.  Which of the
    sender's roles count depends on what it acts on: ``acts_on="chat"`` (the
    roles held in the chat's group; outside groups, community-wide roles
    only) or ``"community"`` (community-wide roles only, wherever it is
    typed).  ``arguments`` (:class:`~sanshe.core.arguments.Arguments`) says
    what it reads; when they name a group (a ``Group`` reader) that is not
    the chat's, the roles held in that group must allow the command too, and
    outside groups it is open to whoever may use it in some group.  ``help`` is
    a catalogue key.
    ``where`` limits it to ``group`` chats or ``direct`` chats; ``any``
    allows both.
    """

    name: str
    handler: Handler
    help: str
    aliases: tuple[str, ...] = ()
    roles: frozenset[str] = ANYONE
    where: str = "any"
    acts_on: Literal["chat", "community"] = "chat"
    arguments: Arguments | None = None
    listed: bool = True
    """False for commands that only make sense inside a dialog; /help leaves them out."""
    shown_to: Shown | None = None
    """Whether /help and the menus show it to the sender (None: to whoever may use it). For a
    command open to all that refuses by itself those it can do nothing for (``/grant``)."""
    plugin: str = ""
    """The plugin that contributed it (filled in by core)."""


class CommandClash(ValueError):
    """Two commands claim one name; the sentence names both plugins (terminal's language)."""

    def __init__(self, name: str, first: str, second: str) -> None:
        self.name, self.plugins = name, (first, second)
        _ = Translator(Catalogue(), environment_locale())
        if first == second:
            text = _("plugins.command_twice", name=name, plugin=first)
        else:
            text = _("plugins.command_clash", name=name, first=first, second=second)
        super().__init__(text)


class CommandBook:
    """All commands of the enabled plugins, found by name or alias."""

    def __init__(self, commands: Iterable[ChatCommand]) -> None:
        self.commands: list[ChatCommand] = []
        self._by_name: dict[str, ChatCommand] = {}
        for command in commands:
            for name in (command.name, *command.aliases):
                key = name.lower()
                if key in self._by_name:
                    raise CommandClash(name, self._by_name[key].plugin, command.plugin)
                self._by_name[key] = command
            self.commands.append(command)

    def find(self, name: str) -> ChatCommand | None:
        """The command called ``name`` (or with that alias)."""
        return self._by_name.get(name.lower())

    def closest(self, name: str) -> str | None:
        """The known command name nearest to a mistyped one, if any is near."""
        found = difflib.get_close_matches(name.lower(), list(self._by_name), n=1, cutoff=0.6)
        return found[0] if found else None
