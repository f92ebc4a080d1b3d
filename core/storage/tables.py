"""A plugin's own tables: its tortoise models and the migrations that create and upgrade them.

A plugin answers ``sanshe_tables`` with a :class:`Tables`; its models are a
tortoise app of their own, which ``sanshe migrate`` and ``sanshe run`` migrate
after core's.  By convention the app is named as the plugin and its table names
start with that name (``shifts_slot``); a table named as core's or another
plugin's is refused when the database is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plugins import Plugins


@dataclass(frozen=True, slots=True)
class Tables:
    """Where a plugin's tables are declared: modules by dotted name, imported when storage opens.

    ``app`` is the tortoise app label, the plugin's name in letters, digits and
    ``_`` (``shifts``): migrations name it in their dependencies and it is part
    of their names (``shifts.0001_initial``), so it never changes.  ``models``
    is the module of its tortoise ``Model`` classes; ``migrations`` the package
    of its migration modules (``0001_initial.py``…, as ``tortoise
    makemigrations`` writes them).  Raises ValueError for an ``app`` that is not
    such a name.
    """

    app: str
    models: str
    migrations: str

    def __post_init__(self) -> None:
        if not (self.app.isidentifier() and self.app.isascii()) or self.app.startswith("_"):
            raise ValueError(
                f"Tables(app={self.app!r}): name the app as the plugin, in letters, digits and _"
            )


def plugin_tables(pm: Plugins) -> dict[str, Tables]:
    """The tables of ``pm``'s plugins (those enabled and loaded), by plugin name."""
    return dict(pm.contributions("sanshe_tables"))
