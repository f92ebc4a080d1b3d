"""The plugin API: every hook a Sanshe plugin may implement.

A plugin is a plain module with functions decorated ``@hookimpl`` and named
after these specifications.  Built-in plugins (``sanshe.plugins.*``) are
registered exactly as third-party ones, which are found through the
``sanshe`` entry-point group::

    [project.entry-points.sanshe]
    myplugin = "my_package.my_plugin"

Implementations may be ``async def``; core awaits them.  Event hooks are
called one implementation at a time: one that raises is logged with its
plugin's name and the others still run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .actions import Action
    from .buttons import ButtonHandler
    from .commands import ChatCommand
    from .context import Context
    from .forms import FormResult
    from .rules import Condition, RuleAction

PROJECT = "sanshe"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def sanshe_commands() -> Iterable[ChatCommand]:
    """Chat commands this plugin adds (name, aliases, roles allowed, help, handler)."""


@hookspec
def sanshe_buttons() -> Iterable[ButtonHandler]:
    """Button handlers this plugin adds; presses of their buttons are routed to them alone."""


@hookspec
def sanshe_rule_conditions() -> Iterable[Condition]:
    """Condition kinds that service rules may use under ``when:``."""


@hookspec
def sanshe_rule_actions() -> Iterable[RuleAction]:
    """Action kinds that service rules may use under ``do:``."""


@hookspec
def sanshe_catalogues() -> Iterable[Path]:
    """Folders holding this plugin's ``<locale>.po`` message catalogues."""


@hookspec
def sanshe_permission(context: Context, permission: str) -> bool | None:
    """Allow (True), deny (False) or have no opinion (None) on ``permission`` for the sender.

    ``permission`` is ``command:<name>`` for chat commands.  Any False denies;
    otherwise any True allows; with no opinion the roles declared by the
    command decide.
    """


@hookspec(firstresult=True)
def sanshe_dialog(context: Context) -> Action | Iterable[Action] | None:
    """Answer a message that belongs to a conversation this plugin holds with the sender.

    Called before commands.  In a group the service rules see the message
    first, and a message they delete reaches no dialog and no command.  The
    first plugin that returns something other than None has taken the
    message; no command and no ``sanshe_message`` sees it.
    """


@hookspec
def sanshe_message(context: Context) -> Action | Iterable[Action] | None:
    """React to a message that is not a command and not part of a dialog.

    In a group it comes after the service rules, and not at all when they deleted it.
    """


@hookspec
def sanshe_event(context: Context) -> Action | Iterable[Action] | None:
    """React to an event that is not a message: join request, member change, button."""


@hookspec
def sanshe_form_submitted(context: Context, result: FormResult) -> Action | Iterable[Action] | None:
    """A form was completed and stored; react to it (registration, intake, check-in…)."""


@hookspec
def sanshe_community_changed(bot: Any) -> None:
    """The community changed while running: its file was reloaded, or a chat was bound."""


@hookspec
def sanshe_startup(bot: Any) -> None:
    """The bot is ready: storage open, adapter connected, before the first event."""


@hookspec
def sanshe_shutdown(bot: Any) -> None:
    """The bot is stopping; release what the plugin holds."""
