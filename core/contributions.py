"""What the registered plugins contribute, gathered once per set of plugins.

Plugins answer their contribution hooks when they are registered (historic
calls, see :class:`~sanshe.core.plugins.Plugins`); this module turns those
answers into the command book, the button book, the catalogue and the
vocabulary of the community file (rule conditions and actions, plugin names,
settings models), and builds them again only when a plugin comes or goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .buttons import ButtonBook
from .commands import CommandBook
from .config import Vocabulary
from .i18n import Catalogue
from .plugins import Plugins, available_plugins, plugin_catalogue

if TYPE_CHECKING:
    from .people import ComputedRole


@dataclass(frozen=True, slots=True)
class Contributions:
    """The commands, buttons, texts and rule vocabulary of one generation of plugins."""

    generation: int
    commands: CommandBook
    buttons: ButtonBook
    catalogue: Catalogue
    vocabulary: Vocabulary
    computed: tuple[ComputedRole, ...]
    """The computed roles the plugins declare (``sanshe_computed_roles``)."""


def contributions(pm: Plugins) -> Contributions:
    """What ``pm``'s plugins contribute (raises CommandClash or ButtonClash), built once per generation."""
    built = pm.built
    if isinstance(built, Contributions) and built.generation == pm.generation:
        return built
    commands = command_book(pm)
    built = Contributions(
        generation=pm.generation,
        commands=commands,
        buttons=button_book(pm),
        catalogue=plugin_catalogue(pm, commands.commands),
        vocabulary=vocabulary(pm),
        computed=tuple(r for _name, r in pm.contributions("sanshe_computed_roles")),
    )
    pm.built = built
    return built


def command_book(pm: Plugins) -> CommandBook:
    """The commands of the registered plugins, each marked with its plugin; raises CommandClash."""
    return CommandBook(
        replace(command, plugin=name) for name, command in pm.contributions("sanshe_commands")
    )


def button_book(pm: Plugins) -> ButtonBook:
    """The button handlers of the registered plugins, each marked with its plugin; raises ButtonClash."""
    return ButtonBook(
        replace(handler, plugin=name) for name, handler in pm.contributions("sanshe_buttons")
    )


def vocabulary(pm: Plugins) -> Vocabulary:
    """The rule conditions, rule actions, plugin names, settings models and computed roles the
    plugins provide."""
    return Vocabulary(
        conditions={
            c.name: replace(c, plugin=name)
            for name, c in pm.contributions("sanshe_rule_conditions")
        },
        actions={
            a.name: replace(a, plugin=name) for name, a in pm.contributions("sanshe_rule_actions")
        },
        plugins=frozenset(available_plugins()),
        catalogues=tuple(Path(f) for _name, f in pm.contributions("sanshe_catalogues")),
        settings=dict(pm.contributions("sanshe_settings")),
        roles={r.name: r.title for _name, r in pm.contributions("sanshe_computed_roles")},
    )
