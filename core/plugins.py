"""Finding, registering and calling plugins (pluggy).

Built-in plugins are listed in :data:`BUILTINS` and registered the way a
third-party plugin is; third-party plugins come from the ``sanshe``
entry-point group.  A community's YAML may disable any of them by name.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .actions import Action
from .commands import ChatCommand
from .i18n import LOCALES, Catalogue

log = logging.getLogger(__name__)

BUILTINS: tuple[str, ...] = (
    "sanshe.plugins.basics",
    "sanshe.plugins.forms",
    "sanshe.plugins.moderation",
)


def plugin_name(module_name: str) -> str:
    """The short name a YAML uses for a plugin module (``sanshe.plugins.basics`` -> ``basics``)."""
    return module_name.rsplit(".", 1)[-1]


def available_plugins() -> dict[str, EntryPoint]:
    """Every plugin installed, by short name, not yet imported: built-ins first, then entry points."""
    found = {
        plugin_name(module): EntryPoint(plugin_name(module), module, hookspecs.PROJECT)
        for module in BUILTINS
    }
    for entry in entry_points(group=hookspecs.PROJECT):
        found[entry.name] = entry
    return found


#: The hooks through which a plugin says what it contributes, asked when it is registered.
CONTRIBUTIONS: tuple[str, ...] = (
    "sanshe_commands",
    "sanshe_buttons",
    "sanshe_catalogues",
    "sanshe_rule_conditions",
    "sanshe_rule_actions",
)


class Plugins(pluggy.PluginManager):
    """The enabled plugins, registered; :attr:`broken` holds those that could not be loaded."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.broken: dict[str, str] = {}
        """Plugin name -> why it could not be imported or registered (the bot runs without it)."""

    def load(self, name: str, entry: EntryPoint) -> None:
        """Import and register one installed plugin; a failure leaves it out, logged in one line.

        Registering includes asking it once for what it contributes (its
        commands, catalogues, rule conditions and actions).
        """
        try:
            self.register(entry.load(), name=name)
            self.check_pending()
            for hook in CONTRIBUTIONS:
                for impl in getattr(self.hook, hook).get_hookimpls():
                    if impl.plugin_name == name:
                        list(impl.function() or ())
        except Exception as exc:
            if self.has_plugin(name):
                self.unregister(name=name)
            self.broken[name] = " ".join(f"{type(exc).__name__}: {exc}".split())
            log.error("plugin %r left out, it could not be loaded: %s", name, self.broken[name])


def plugin_manager(disabled: Iterable[str] = (), extra: Iterable[object] = ()) -> Plugins:
    """The installed plugins but the ``disabled`` ones (never imported), plus ``extra``.

    A plugin in ``extra`` that is also installed (the one being written and
    tested) is registered once.
    """
    pm = Plugins()
    off = set(disabled)
    for name, entry in available_plugins().items():
        if name not in off:
            pm.load(name, entry)
    for plugin in extra:
        if not pm.is_registered(plugin):
            pm.register(plugin, name=getattr(plugin, "__name__", None) or type(plugin).__name__)
    pm.check_pending()
    return pm


def plugin_catalogue(pm: pluggy.PluginManager, commands: Iterable[ChatCommand]) -> Catalogue:
    """Core's texts and every plugin's; warns once per plugin, naming it, about texts it lacks."""
    catalogue = Catalogue()
    for impl in pm.hook.sanshe_catalogues.get_hookimpls():
        for folder in impl.function() or ():
            found = catalogue.add_folder(Path(folder), owner=impl.plugin_name)
            if missing := [locale for locale in LOCALES if locale not in found]:
                log.warning(
                    "plugin %r ships no catalogue for %s in %s: "
                    "install its locales/*.po files with it (package data)",
                    impl.plugin_name,
                    ", ".join(missing),
                    folder,
                )
    untexted: dict[str, list[str]] = {}
    for command in commands:
        catalogue.own(command.help, command.plugin)
        if missing := [loc for loc in LOCALES if command.help not in catalogue.keys(loc)]:
            untexted.setdefault(command.plugin, []).append(f"{command.help} ({', '.join(missing)})")
    for plugin, keys in untexted.items():
        log.warning(
            "plugin %r has no text for %s: people will see the key", plugin, "; ".join(keys)
        )
    return catalogue


def as_actions(result: object) -> list[Action]:
    """Normalise what a hook or handler returned (None, an action, several) to a list."""
    if result is None:
        return []
    if isinstance(result, Action):
        return [result]
    return [a for a in result if a is not None]  # type: ignore[union-attr]


async def await_me_maybe(value: Any) -> Any:
    """Await ``value`` when a hook implementation was ``async def``."""
    if inspect.isawaitable(value):
        return await value
    return value


async def call_each(hook: pluggy.HookCaller, **kwargs: Any) -> list[Action]:
    """Call every implementation of an event hook in turn, isolating failures; collect actions."""
    actions: list[Action] = []
    for impl in reversed(hook.get_hookimpls()):
        try:
            result = await await_me_maybe(impl.function(**kwargs))
        except Exception:
            log.exception("plugin %r failed in %s", impl.plugin_name, hook.name)
            continue
        actions.extend(as_actions(result))
    return actions


async def call_first(hook: pluggy.HookCaller, **kwargs: Any) -> list[Action] | None:
    """Call implementations until one answers (not None); failures are logged and skipped."""
    for impl in reversed(hook.get_hookimpls()):
        try:
            result = await await_me_maybe(impl.function(**kwargs))
        except Exception:
            log.exception("plugin %r failed in %s", impl.plugin_name, hook.name)
            continue
        if result is not None:
            return as_actions(result)
    return None


async def call_votes(hook: pluggy.HookCaller, **kwargs: Any) -> bool | None:
    """Collect allow/deny/no-opinion votes: any False denies, else any True allows."""
    votes = []
    for impl in reversed(hook.get_hookimpls()):
        try:
            votes.append(await await_me_maybe(impl.function(**kwargs)))
        except Exception:
            log.exception("plugin %r failed in %s", impl.plugin_name, hook.name)
            votes.append(False)
    if False in votes:
        return False
    return True if True in votes else None


def collect(hook: pluggy.HookCaller) -> list[Any]:
    """Flatten what a registration hook returned across plugins."""
    items: list[Any] = []
    for result in hook():
        items.extend(result or ())
    return items
