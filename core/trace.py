"""Hook tracing, a ``wrapper=True`` plugin core registers itself when ``SANSHE_TRACE_HOOKS=1``.

It wraps every hook core calls for an event or a life-cycle step and logs,
at INFO on ``sanshe.core.trace``, the hook, the plugins that implement it,
and how long the call took; with tracing on, each implementation also logs
its own duration (``sanshe.core.plugins``), async ones once awaited.  It is
also the example of a wrapper: it takes none of the hook's arguments
(pluggy passes an implementation only those it names) and hands the others'
answers on unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .plugins import Plugins

log = logging.getLogger(__name__)

#: The hooks traced: every hook called per event or per life-cycle step.
TRACED: tuple[str, ...] = (
    "sanshe_permission",
    "sanshe_watch",
    "sanshe_dialog",
    "sanshe_message",
    "sanshe_event",
    "sanshe_form_submitted",
    "sanshe_startup",
    "sanshe_shutdown",
    "sanshe_community_changed",
)


class HookTrace:
    """The tracing plugin: its attributes are the wrappers, one per traced hook."""


def hook_trace(pm: Plugins) -> HookTrace:
    """The tracing plugin for ``pm``: one outermost wrapper per traced hook."""
    trace = HookTrace()
    for name in TRACED:
        setattr(trace, name, _wrapper(pm, name))
    return trace


def _wrapper(pm: Plugins, name: str) -> Callable[[], Generator[None, Any, Any]]:
    @hookimpl(wrapper=True, tryfirst=True)
    def trace() -> Generator[None, Any, Any]:
        started = time.perf_counter()
        answers = yield
        plugins = [
            i.plugin_name
            for i in getattr(pm.hook, name).get_hookimpls()
            if not (i.wrapper or i.hookwrapper)
        ]
        log.info(
            "hook %s: %.2f ms, %d answer(s) from %s",
            name,
            (time.perf_counter() - started) * 1000,
            len(answers) if isinstance(answers, list) else 1,
            ", ".join(plugins) or "no plugin",
        )
        return answers

    trace.__name__ = trace.__qualname__ = name
    return trace
