"""A plugin with tables of its own, as a third-party plugin ships them: a model and two migrations."""

from __future__ import annotations

from sanshe.core.hookspecs import hookimpl
from sanshe.core.storage.tables import Tables


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(
        app="sample_tables", models=f"{__name__}.models", migrations=f"{__name__}.migrations"
    )
