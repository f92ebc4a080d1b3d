"""Finding, registering and calling plugins (pluggy).

Built-in plugins are listed in :data:`BUILTINS` and registered the way a
third-party plugin is; third-party plugins come from the ``sanshe``
entry-point group.  A community's YAML may disable any of them by name.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import time
import types
from collections.abc import Callable, Iterable
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .actions import Action
from .commands import ChatCommand
from .i18n import LOCALES, Catalogue

if TYPE_CHECKING:
    from .storage.writes import Writes

log = logging.getLogger(__name__)

BUILTINS: tuple[str, ...] = (
    "sanshe.plugins.basics",
    "sanshe.plugins.forms",
    "sanshe.plugins.moderation",
    "sanshe.plugins.audit",
    "sanshe.plugins.people",
    "sanshe.plugins.retention",
    "sanshe.plugins.volunteers",
    "sanshe.plugins.shifts",
    "sanshe.plugins.handover",
    "sanshe.plugins.hours",
    "sanshe.plugins.nicknames",
    "sanshe.plugins.warnings",
    "sanshe.plugins.sanctions",
    "sanshe.plugins.joining",
    "sanshe.plugins.cases",
    "sanshe.plugins.intake",
    "sanshe.plugins.crisis",
    "sanshe.plugins.records",
    "sanshe.plugins.checkins",
    "sanshe.plugins.observation",
    "sanshe.plugins.knowledge",
    "sanshe.plugins.feedback",
    "sanshe.plugins.summary",
    "sanshe.plugins.errands",
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


#: The hooks through which a plugin says what it contributes, asked once when it is registered.
CONTRIBUTIONS: tuple[str, ...] = (
    "sanshe_commands",
    "sanshe_buttons",
    "sanshe_catalogues",
    "sanshe_rule_conditions",
    "sanshe_rule_actions",
    "sanshe_tables",
    "sanshe_settings",
    "sanshe_cli_commands",
    "sanshe_computed_roles",
)
#: Contribution hooks answered with one value rather than several.
ONE_ANSWER = frozenset({"sanshe_tables", "sanshe_settings"})
#: Hooks whose implementations run only when core awaits their answers, one by one in call
#: order: the first answer takes the message, and the implementations after it do not run.
AWAITED_IN_TURN = frozenset({"sanshe_dialog"})
#: What a failing implementation answers instead: a permission vote it could not cast denies.
FAILED_ANSWER: dict[str, object] = {"sanshe_permission": False}
#: Set to 1 to log every hook call with its plugins and durations (see :mod:`sanshe.core.trace`).
TRACE_VARIABLE = "SANSHE_TRACE_HOOKS"
#: The name the tracing plugin is registered under.
TRACE_PLUGIN = "sanshe.trace"


class Plugins(pluggy.PluginManager):
    """The enabled plugins, registered; :attr:`broken` holds those that could not be loaded.

    Each plugin's contributions (commands, buttons, catalogues, rule
    vocabulary) are asked through historic calls, so a plugin registered late
    contributes too: :attr:`generation` changes and :func:`pieces` rebuilds.
    Every implementation of the other hooks is isolated: one that raises is
    logged with its plugin's name and answers None (a permission vote: False).
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.broken: dict[str, str] = {}
        """Plugin name -> why it could not be imported or registered (the bot runs without it)."""
        self.contributed: dict[str, dict[str, list[Any]]] = {}
        """Plugin name -> contribution hook -> what it contributed, in registration order."""
        self.generation = 0
        """Changes whenever a plugin is registered or unregistered."""
        self.built: object = None
        """What :func:`sanshe.core.contributions.contributions` built for a generation."""
        self._registering: list[str] = []
        self._trace = os.environ.get(TRACE_VARIABLE, "") not in ("", "0")
        for hook in CONTRIBUTIONS:
            getattr(self.hook, hook).call_historic(result_callback=partial(self._file, hook))
        self.hook.sanshe_addhooks.call_historic(kwargs={"pluginmanager": self})
        if self._trace:
            from .trace import hook_trace

            self.register(hook_trace(self), name=TRACE_PLUGIN)

    def _file(self, hook: str, result: Iterable[Any] | None) -> None:
        """Keep what the plugin being registered contributes through ``hook``."""
        name = self._registering[-1] if self._registering else "?"
        items = [result] if hook in ONE_ANSWER else result or ()
        self.contributed.setdefault(name, {}).setdefault(hook, []).extend(items)

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` (asking its contributions) and isolate its other implementations."""
        name = name or self.get_canonical_name(plugin)
        self._registering.append(name)
        try:
            registered = super().register(plugin, name)
            if registered is not None:
                for caller in self.get_hookcallers(plugin) or ():
                    _refuse_async_first(caller, plugin)
        except Exception:
            if self.get_plugin(name) is plugin:  # not one already registered under that name
                self.contributed.pop(name, None)
                super().unregister(name=name)
            raise
        finally:
            self._registering.pop()
        if registered is not None:
            for caller in self.get_hookcallers(plugin) or ():
                if caller.name in CONTRIBUTIONS or caller.name == "sanshe_addhooks":
                    continue
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                        isolated = _isolated(impl.function, registered, caller.name, self._trace)
                        setattr(impl, "function", isolated)  # noqa: B010 (Final in pluggy's typing)
            self.generation += 1
        return registered

    def add_hookspecs(self, module_or_class: types.ModuleType | type) -> None:
        """Add hook specifications (a plugin's, through ``sanshe_addhooks``).

        A plugin registered earlier with an ``async`` implementation of a new
        ``firstresult`` hook is left out, logged (see :func:`_refuse_async_first`).
        """
        super().add_hookspecs(module_or_class)
        for name, plugin in list(self.list_name_plugin()):
            for caller in self.get_hookcallers(plugin) or ():
                try:
                    _refuse_async_first(caller, plugin)
                except pluggy.PluginValidationError as exc:
                    self.broken[name] = str(exc)
                    log.error("plugin %r left out: %s", name, exc)
                    self.unregister(name=name)
                    break

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Unregister a plugin and forget its contributions."""
        name = name or (self.get_name(plugin) if plugin is not None else None)
        removed = super().unregister(plugin, name)
        self.contributed.pop(name or "", None)
        self.generation += 1
        return removed

    def contributions(self, hook: str) -> list[tuple[str, Any]]:
        """(plugin name, item) for everything the registered plugins contribute through ``hook``."""
        return [
            (name, item)
            for name, hooks in self.contributed.items()
            if self.has_plugin(name)
            for item in hooks.get(hook, ())
        ]

    def load(self, name: str, entry: EntryPoint) -> None:
        """Import and register one installed plugin; a failure leaves it out, logged in one line.

        Registering includes asking it once for what it contributes (its
        commands, buttons, catalogues, rule conditions and actions).
        """
        try:
            self.register(entry.load(), name=name)
        except Exception as exc:
            self.broken[name] = " ".join(f"{type(exc).__name__}: {exc}".split())
            log.error("plugin %r left out, it could not be loaded: %s", name, self.broken[name])


def _refuse_async_first(caller: pluggy.HookCaller, plugin: object) -> None:
    """Refuse ``plugin``'s ``async`` implementation of a ``firstresult`` hook.

    pluggy stops at the first answer that is not None, and a coroutine is one
    even when it will answer None: the implementations after it would never be asked.
    """
    if not (caller.spec and caller.spec.opts.get("firstresult")):
        return
    for impl in caller.get_hookimpls():
        if impl.plugin is plugin and inspect.iscoroutinefunction(inspect.unwrap(impl.function)):
            raise pluggy.PluginValidationError(
                plugin,
                f"{caller.name} is a firstresult hook: its implementation in "
                f"{impl.plugin_name!r} must be a plain function, not async def",
            )


def _isolated(
    function: Callable[..., Any], plugin: str, hook: str, trace: bool
) -> Callable[..., Any]:
    """``function`` logging what it raises (with ``plugin``) and answering a failure's answer.

    An ``async`` implementation stays as it is: its coroutine is guarded where
    core awaits it (:func:`answer_of`, which knows its plugin by its code).  A
    plain one that returns an awaitable, and a plain implementation of a hook
    in :data:`AWAITED_IN_TURN`, answer a guarded coroutine: it runs when core
    awaits it.  With tracing on, every implementation is wrapped and timed.
    """
    failed = FAILED_ANSWER.get(hook)

    async def guarded(answer: Any, started: float) -> Any:
        try:
            return await answer
        except Exception:
            log.exception("plugin %r failed in %s", plugin, hook)
            return failed
        finally:
            if trace:
                _log_duration(plugin, hook, started)

    if inspect.iscoroutinefunction(function) and not trace:
        _ASYNC_IMPLEMENTATIONS[inspect.unwrap(function).__code__] = (plugin, hook)
        return function  # its coroutine is guarded where core awaits it (answer_of)

    if inspect.iscoroutinefunction(function) or hook in AWAITED_IN_TURN:

        @functools.wraps(function)
        async def later(*args: Any) -> Any:
            started = time.perf_counter() if trace else 0.0
            try:
                return await await_me_maybe(function(*args))
            except Exception:
                log.exception("plugin %r failed in %s", plugin, hook)
                return failed
            finally:
                if trace:
                    _log_duration(plugin, hook, started)

        return later

    @functools.wraps(function)
    def isolated(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            answer = function(*args)
        except Exception:
            log.exception("plugin %r failed in %s", plugin, hook)
            return failed
        if inspect.isawaitable(answer):  # a decorated coroutine function
            return guarded(answer, started)
        if trace:
            _log_duration(plugin, hook, started)
        return answer

    return isolated


#: The code of each ``async`` implementation left unwrapped -> (plugin, hook).
_ASYNC_IMPLEMENTATIONS: dict[types.CodeType, tuple[str, str]] = {}


async def answer_of(result: Any, writes: Writes | None = None) -> Any:
    """What an implementation answered, awaited if need be; an async one that raises is logged
    with its plugin, keeps none of what it noted on ``writes``, and answers its hook's failure
    answer (a permission vote: False)."""
    if type(result) is not types.CoroutineType:
        return await result if inspect.isawaitable(result) else result
    mark = writes.mark() if writes is not None else None
    try:
        return await result
    except Exception:
        if writes is not None and mark is not None:
            writes.undo(mark)
        plugin, hook = _ASYNC_IMPLEMENTATIONS.get(result.cr_code, ("?", "?"))
        log.exception("plugin %r failed in %s", plugin, hook)
        return FAILED_ANSWER.get(hook)


def _log_duration(plugin: str, hook: str, started: float) -> None:
    log.info("hook %s: %s took %.2f ms", hook, plugin, (time.perf_counter() - started) * 1000)


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
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        log.error("a plugin implements a hook nobody offers: %s", exc)
    return pm


def plugin_catalogue(pm: Plugins, commands: Iterable[ChatCommand]) -> Catalogue:
    """Core's texts and every plugin's; warns once per plugin, naming it, about texts it lacks."""
    catalogue = Catalogue()
    for plugin, folder in pm.contributions("sanshe_catalogues"):
        found = catalogue.add_folder(Path(folder), owner=plugin)
        if missing := [locale for locale in LOCALES if locale not in found]:
            log.warning(
                "plugin %r ships no catalogue for %s in %s: "
                "install its locales/*.po files with it (package data)",
                plugin,
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
    """Normalise what a hook or handler returned (None, an action, several) to a list.

    Anything else raises TypeError (a plugin's mistake, logged like a failure).
    """
    if result is None:
        return []
    if isinstance(result, Action):
        return [result]
    if isinstance(result, Iterable) and not isinstance(result, str | bytes):
        actions = [a for a in result if a is not None]
        if all(isinstance(a, Action) for a in actions):
            return actions
    raise TypeError(f"expected actions, got {type(result).__name__}")


async def await_me_maybe(value: Any) -> Any:
    """Await ``value`` when a hook implementation or handler was ``async def``."""
    if type(value) is types.CoroutineType or inspect.isawaitable(value):
        return await value
    return value


def call_hook(hook: pluggy.HookCaller, **kwargs: Any) -> list[Any]:
    """``hook(**kwargs)`` through pluggy; a wrapper that raises is logged and nothing answers.

    Implementations are isolated when registered; only a wrapper's failure reaches here.
    """
    if not hook.get_hookimpls():
        return []
    try:
        results = hook(**kwargs)
    except Exception:
        wrappers = [i.plugin_name for i in hook.get_hookimpls() if i.wrapper or i.hookwrapper]
        log.exception("a wrapper of %s failed (%s)", hook.name, ", ".join(wrappers))
        return []
    return results if isinstance(results, list) else [results]


async def settle(results: Iterable[Any], writes: Writes | None = None) -> list[Action]:
    """The actions the implementations answered, their coroutines awaited in call order (one
    that fails keeps none of what it noted on ``writes``)."""
    actions: list[Action] = []
    for result in results:
        try:
            actions.extend(as_actions(await answer_of(result, writes)))
        except TypeError:
            log.exception("a plugin answered something that is not actions; it is left out")
    return actions


async def first_answer(results: Iterable[Any], writes: Writes | None = None) -> list[Action] | None:
    """The first answer that is not None, awaited in call order; later coroutines are closed unrun
    (one that fails keeps none of what it noted on ``writes``)."""
    pending = iter(results)
    for result in pending:
        answer = await answer_of(result, writes)
        if answer is None:
            continue
        try:
            actions = as_actions(answer)
        except TypeError:
            log.exception("a plugin answered something that is not actions; it is left out")
            continue
        for rest in pending:
            if inspect.iscoroutine(rest):
                rest.close()
        return actions
    return None


async def votes(results: Iterable[Any]) -> bool | None:
    """Allow/deny/no-opinion votes: any False denies, else any True allows, else None."""
    cast = [await answer_of(result) for result in results]
    if False in cast:
        return False
    return True if True in cast else None


def then(
    results: list[Any], change: Callable[[list[Action]], Iterable[Action]], *, first: bool = False
) -> list[Any]:
    """For a ``wrapper=True`` implementation: the others' answers, changed by ``change``.

    ``change`` receives their actions once core has awaited them (async ones
    included) and returns the actions to perform instead (none: the hook
    answered None).  Around ``sanshe_dialog`` pass ``first=True``: ``change``
    then gets the answer of the dialog that takes the message.  A ``change``
    that raises is logged and the answers stay as they were::

        @hookimpl(wrapper=True)
        def sanshe_message(context):
            answers = yield
            return then(answers, lambda actions: [a for a in actions if not urgent(a)])
    """

    async def changed() -> list[Action] | None:
        taken = await first_answer(results) if first else await settle(results)
        try:
            actions = list(change(taken or []))
        except Exception:
            log.exception("a wrapper's change failed; the answers stay as they were")
            return taken or None
        if first and taken is not None:
            return actions  # the message stays taken, even with no action left
        return actions or None

    return [changed()]
