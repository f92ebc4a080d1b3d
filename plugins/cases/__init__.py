"""Cases: a person being helped, from intake to closing (DOMAIN.md, "Triage and routing").

A case is opened by another plugin through the ``cases_open`` hook (the intake
plugin's request dialog or ``/refer``, the crisis plugin), numbered from the
community's ``case`` sequence.  Social workers assess it (form 4), route it to
the focus service or key accompaniment tier, note follow-ups (form 5) and close
it; staff who know the client keep away from it (熟人规避).  Each case keeps the
times that ``/stats`` reports: requested, first human reply, routed, closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import Plugins
from sanshe.core.storage.tables import Tables

from . import hookspecs

#: The plugin's name: its tables' app, its timers' owner.
PLUGIN = "cases"


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    pluginmanager.add_hookspecs(hookspecs)
