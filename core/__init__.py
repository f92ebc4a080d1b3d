"""Sanshe's core: the bot, its storage, and what adapters and plugins build on.

Tables are built without tortoise-orm reading their models' source: to take a
field's description from a ``#:`` comment above it, tortoise parsed the whole
module of every model at each start (a sixth of ``sanshe run``'s start-up with
the built-in plugins).  A field that needs a description is given
``description=``.
"""

from tortoise import models as _tortoise_models


def _no_source_comments(cls: type[_tortoise_models.Model]) -> dict[str, str]:
    """No field descriptions from ``cls``'s source comments (see the module's docstring)."""
    return {}


_tortoise_models._get_comments = _no_source_comments
