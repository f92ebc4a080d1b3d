"""The plugin API: every hook a Sanshe plugin may implement.

A plugin is a plain module (or object) with functions decorated ``@hookimpl``
and named after these specifications.  Built-in plugins (``sanshe.plugins.*``)
are registered exactly as third-party ones, which are found through the
``sanshe`` entry-point group::

    [project.entry-points.sanshe]
    myplugin = "my_package.my_plugin"

Core calls every hook through pluggy (``pm.hook.<name>(...)``), so pluggy's
conventions hold:

* an implementation may take any subset of a hook's arguments, by name;
* ``@hookimpl(wrapper=True)`` runs around the other implementations: ``answers
  = yield`` gives their answers (a list), and what it returns replaces them.
  Answers of ``async def`` implementations are coroutines that core awaits
  later; to change the actions they produce use
  :func:`sanshe.core.plugins.then`;
* ``tryfirst``/``trylast`` order implementations; the registration hooks are
  ``historic``: a plugin registered late is still asked.

Facts a plugin author needs:

* **Async or not.** The registration hooks (``sanshe_commands``,
  ``sanshe_buttons``, ``sanshe_catalogues``, ``sanshe_rule_conditions``,
  ``sanshe_rule_actions``, ``sanshe_tables``, ``sanshe_settings``,
  ``sanshe_cli_commands``, ``sanshe_computed_roles``, ``sanshe_addhooks``)
  must be plain functions: they are asked once, when the plugin is registered.
  So must ``sanshe_roles_now``, and the implementations of a ``firstresult`` hook (pluggy stops at the
  first answer, and a coroutine is one): core refuses an ``async`` one.  Every
  other hook, and every command, button and rule handler, may be ``async
  def``; core awaits the answers after pluggy's call, in
  :mod:`sanshe.core.plugins` (``settle``, ``first_answer``, ``votes``).
* **Actions are values.** Handlers and event hooks return actions
  (:mod:`sanshe.core.actions`: one, several, or None) and never call the
  network.  Core checks each against the adapter's capabilities, stores it
  with the event in one transaction, then performs it — so a crash neither
  loses nor repeats it.
* **Isolation.** An implementation that raises is logged with its plugin's
  name and counts as having answered None (a permission vote: False); the
  other plugins still run.  A ``wrapper=True`` implementation is not isolated:
  when it raises, no implementation of that hook answers for this event.
* **Parse errors name catalogue keys.** A rule condition's or action's
  ``parse`` raises ``ValueError(key)`` or ``ValueError(key, {values})`` with a
  key of the plugin's catalogue; the moderator sees its text with the file,
  line and column.  Every text a person reads is a catalogue key
  (``<locale>.po`` in the folders of ``sanshe_catalogues``), translated with
  ``context._(key, **values)``.
* **What a plugin sees.** While handling an event: a
  :class:`~sanshe.core.context.Context`.  At start-up, shutdown and when the
  community changes: the :class:`~sanshe.core.services.Services`.  Neither is
  the bot itself, which may change without breaking a plugin.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .actions import Action
    from .buttons import ButtonHandler
    from .commands import ChatCommand
    from .context import Context
    from .exports import ExportSheet
    from .forms import FormResult
    from .model import Group, Person
    from .people import ComputedRole
    from .plugins import Plugins
    from .rules import Condition, RuleAction
    from .services import Services
    from .storage.tables import Tables
    from .storage.writes import Writes
    from .timers import Due
    from .verbs import CliCommand

PROJECT = "sanshe"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# -- registration: asked once, when the plugin is registered ------------------------------


@hookspec(historic=True)
def sanshe_addhooks(pluginmanager: Plugins) -> None:
    """Offer hooks of this plugin's own to the other plugins.

    Called by core once for every plugin, when it is registered (historic:
    also for plugins registered later).  ``pluginmanager`` is the plugin
    manager; call ``pluginmanager.add_hookspecs(module)`` with a module of
    ``@hookspec`` functions (``sanshe.core.hookspecs.hookspec``).  Other
    plugins implement them with ``@hookimpl`` and call them with
    :meth:`Context.call <sanshe.core.context.Context.call>` or
    :meth:`Services.call <sanshe.core.services.Services.call>`, without
    importing this plugin.  Name them after the plugin (``shifts_on_duty``).
    The return value is ignored.
    """


@hookspec(historic=True)
def sanshe_commands() -> Iterable[ChatCommand]:
    """The chat commands this plugin adds.

    Called by core once, when the plugin is registered.  Return
    :class:`~sanshe.core.commands.ChatCommand` values (name, aliases, who may
    use them, help key, handler).  Two plugins claiming one name stop the bot
    from starting, with a sentence naming both.
    """


@hookspec(historic=True)
def sanshe_buttons() -> Iterable[ButtonHandler]:
    """The button handlers this plugin adds.

    Called by core once, when the plugin is registered.  Return
    :class:`~sanshe.core.buttons.ButtonHandler` values; buttons made with
    ``handler.button(label, payload)`` route their presses to that handler
    alone.  Names are unique across plugins (``<plugin>.<what>``).
    """


@hookspec(historic=True)
def sanshe_rule_conditions() -> Iterable[Condition]:
    """Condition kinds that service rules may use under ``when:``.

    Called by core once, when the plugin is registered.  Return
    :class:`~sanshe.core.rules.Condition` values; their ``parse`` runs when
    the community file is read, their ``check`` for each event a rule might
    apply to.
    """


@hookspec(historic=True)
def sanshe_rule_actions() -> Iterable[RuleAction]:
    """Action kinds that service rules may use under ``do:``.

    Called by core once, when the plugin is registered.  Return
    :class:`~sanshe.core.rules.RuleAction` values; their ``run`` returns
    actions like a hook.  One that raises is logged with the plugin and the
    rule's id; the rule's other steps and the other rules still run.
    """


@hookspec(historic=True)
def sanshe_catalogues() -> Iterable[Path]:
    """Folders holding this plugin's ``<locale>.po`` message catalogues (zh_CN and en at least).

    Called by core once, when the plugin is registered.  A folder without a
    catalogue for a locale is warned about at start-up.
    """


@hookspec(historic=True)
def sanshe_tables() -> Tables:
    """Where this plugin's database tables are declared: one :class:`~sanshe.core.storage.tables.Tables`.

    Called by core once, when the plugin is registered.  Return
    ``Tables(app="my_plugin", models="my_plugin.models",
    migrations="my_plugin.migrations")``: the tortoise app its models form,
    named as the plugin; the module of its tortoise models; the package of
    its migrations.  ``sanshe migrate`` and ``sanshe run`` (and the test kit's
    sandbox) apply its migrations after core's, on SQLite and PostgreSQL.
    Name the tables after the plugin (``my_plugin_note``): one named as core's
    or another plugin's, or an app two plugins name, is refused when the
    database is opened.  A plugin without tables does not implement it.
    """


@hookspec(historic=True)
def sanshe_settings() -> type[BaseModel] | None:
    """The model of this plugin's section under ``plugins:`` in the community file.

    Called by core once, when the plugin is registered.  Return a pydantic
    model class (``frozen=True, extra="forbid"`` is best: a mistyped key is
    then refused).  Each time the file is read (at start, on ``sanshe
    check-config``, on a reload) the section ``plugins: <plugin name>:`` is
    validated by it, and its mistakes are refused with file, line and column
    (a validator raising ``ValueError(key, {values})`` with a key of the
    plugin's catalogue is refused saying that text, as a rule's ``parse``);
    no section gives the model's defaults.  The plugin reads the instance with
    :meth:`Context.settings <sanshe.core.context.Context.settings>` or
    :meth:`Services.settings <sanshe.core.services.Services.settings>`.
    Return None (or do not implement it) for a plugin without settings: a
    section for it is then refused.  A disabled plugin's section is kept as
    written, unvalidated.
    """


# -- permissions ----------------------------------------------------------------------------


@hookspec
def sanshe_permission(context: Context, permission: str) -> bool | None:
    """Vote on whether the sender may do ``permission`` here.

    Called by core before a command runs (``command:<name>``), a button's
    handler runs (``button:<name>``), and when a feature asks for a named
    permission (``record.read:<form>``, ``record.export:<form>``,
    ``audit.read``).  ``context`` is the event's context as it concerns the
    group being acted on (``context.roles`` are the roles that count).
    Return False to deny, True to allow, None for no opinion: any False
    denies, else any True allows; with no opinion at all, the roles the
    command, button or YAML names decide.  An implementation that raises
    votes False.
    """


@hookspec(historic=True)
def sanshe_computed_roles() -> Iterable[ComputedRole]:
    """The roles this plugin computes from what is happening (``on_shift``), so rules may name them.

    Called by core once, when the plugin is registered.  Return
    :class:`~sanshe.core.people.ComputedRole` values: the role's name and the
    catalogue key of what people read for it.  The community file may name
    them wherever it names a role (``sender_role: on_shift``, a form's
    ``fill:``), but not grant them; :func:`sanshe_roles_now` says who holds them.
    """


@hookspec
def sanshe_roles_now(context: Context, group: Group | None) -> Iterable[str] | None:
    """The computed roles the sender of ``context`` holds now in ``group`` (None: community-wide).

    Called by core when it works out the sender's roles for an event, at most
    once per event and group (the answer is kept for the event), before any
    rule, command or permission sees ``context.roles``; ``context.roles`` then
    holds the other roles only.  Return names the plugin declared with
    :func:`sanshe_computed_roles` (others are left out, logged), or None.  A
    plain function: it must not await, so read what the plugin keeps in memory;
    the time is ``context.now()``.  One that raises counts as answering None.
    """


# -- events: called for each event, in the order plugins were registered, last first ------------


@hookspec
def sanshe_watch(context: Context) -> Action | Iterable[Action] | None:
    """Look at every message before anything else does (the crisis detector).

    Called by core for every message, in groups and private chats, before the
    service rules, dialogs and commands; what it returns never keeps the
    message from them (a dialog still takes its answer, a command still runs).
    ``context.text`` is the text.  Return the actions to perform (or None);
    mark urgent ones ``urgent=True``: core performs them before the others it
    decided with them, and adapters send them ahead of queued bulk messages.
    Never quote the message into a group.
    """


@hookspec
def sanshe_dialog(context: Context) -> Action | Iterable[Action] | None:
    """Answer a message that belongs to a conversation this plugin holds with the sender.

    Called by core for every message, after the service rules and before
    commands; a message the rules deleted reaches no dialog.  Return None when
    the message is not part of your conversation.  Core awaits the answers in
    call order and the first that is not None takes the message (an empty
    list takes it silently): no command and no ``sanshe_message`` sees it,
    and the coroutines of later ``async`` implementations are closed unrun.
    """


@hookspec
def sanshe_message(context: Context) -> Action | Iterable[Action] | None:
    """React to a message that no dialog took and that is not a command.

    Called by core for every such message; in a group after the service
    rules, and not at all when they deleted it.  ``context.text`` is the
    text.  Return the actions to perform (or None).
    """


@hookspec
def sanshe_event(context: Context) -> Action | Iterable[Action] | None:
    """React to an event that is neither a message nor a button press.

    Called by core after the service rules for join requests, members joining,
    leaving and renaming themselves (``context.event`` says which, see
    :mod:`sanshe.core.events`).  Button presses go to their handler only.
    Return the actions to perform (or None).
    """


@hookspec
def sanshe_timer(context: Context, timer: Due) -> Action | Iterable[Action] | None:
    """Do what a timer of this plugin was set for (see :mod:`sanshe.core.timers`).

    Called by core for the plugin that owns the timer only, when it falls due
    (at start, for one that fell due while the bot was stopped), once per
    firing: the firing is an event of its own lane, checkpointed with its
    actions.  ``timer.key`` and ``timer.data`` are what the plugin scheduled;
    ``timer.late`` says how late it fires, so a reminder long overdue may be
    skipped.  A recurring timer is moved on already; schedule, replace or
    cancel timers with ``context.timers(<plugin>)``.  ``context`` has no group
    and no sender: address actions with ``context.tell`` (a person) or
    ``context.in_chats_of`` (a group's chats).  Return the actions to perform
    (or None).
    """


@hookspec
def sanshe_form_submitted(context: Context, result: FormResult) -> Action | Iterable[Action] | None:
    """React to a form that was completed and stored (registration, intake, check-in…).

    Called by core (through :meth:`Context.form_submitted
    <sanshe.core.context.Context.form_submitted>`) after the rules ``on:
    form_submitted``, once per stored record.  ``context`` is the message that
    completed it, ``result`` the form, the record's id and the answers.  Return
    the actions to perform (or None).
    """


# -- exports: asked by the plugin exporting records (``/export``, ``sanshe export``) ------------


@hookspec
def sanshe_export_sheets(context: Context) -> Iterable[ExportSheet] | None:
    """The tables this plugin offers for export beside the forms' records (the check-ins…).

    Called by the plugin exporting records each time it needs them: to tell
    whether ``/help`` lists ``/export`` to the sender, to find the sheet an
    ``/export <name>`` or ``sanshe export <name>`` names, and to list the
    sheets the sender may export.  ``context`` is the event's (for ``sanshe
    export``, one made for ``--as``); read the settings from it, as who may
    have a sheet may follow them.  Return :class:`~sanshe.core.exports.ExportSheet`
    values (its id, aliases, the catalogue keys of its title and column
    headers, the roles that may export it and read its sensitive columns in
    clear, and its ``rows``: an async function of the context and a
    :class:`~sanshe.core.exports.SheetQuery`, days and group, giving the rows
    in clear), or None for none.  The exporter checks the permission, masks
    the sensitive columns and audits the export; ``rows`` only reads.  A
    sheet named as a form or as another plugin's sheet is left out.  May be
    async.
    """


# -- life cycle ----------------------------------------------------------------------------------


# -- a person's data: called by ``sanshe person export`` and ``sanshe person erase`` -----------


@hookspec
def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """What this plugin's tables hold about ``person``, JSON-ready (None: nothing).

    Called by ``sanshe person export <id>`` (:mod:`sanshe.core.personal_data`)
    with the database open; ``person.id`` is their id, ``person.handles``
    every handle known for them.  May be async (to query the plugin's
    tables).  The answer goes into the export under the plugin's name.
    """


@hookspec
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """Delete (or unlink) what this plugin's tables hold about ``person``, on ``writes``.

    Called by ``sanshe person erase <id>`` before core's own deletions run:
    note them on ``writes`` (``writes.run(lambda db: Model.filter(...).using_db(db).delete())``),
    made in the one transaction of the erasure.  May be async (to read which
    rows are theirs first).  Leave nothing that names their id or a handle of
    theirs, nor what they answered.
    """


@hookspec
def sanshe_startup(services: Services) -> None:
    """The bot is ready: storage open, adapter connected, before the first event.

    Called by core once at start, and for a plugin enabled by a reload.
    ``services`` is what a plugin may use outside an event.  May be async; one
    that raises is logged and the bot starts anyway.
    """


@hookspec
def sanshe_shutdown(services: Services) -> None:
    """The bot is stopping (or a reload disabled this plugin): release what the plugin holds.

    Called by core after the last event was handled.  May be async.
    """


@hookspec
def sanshe_community_changed(services: Services) -> None:
    """The community changed while running: its file was reloaded, or a chat was bound to a group.

    Called by core beside the events (not before the next one).
    ``services.community`` is the new community.  May be async.
    """


# -- the command line --------------------------------------------------------------------------


@hookspec(historic=True)
def sanshe_cli_commands() -> Iterable[CliCommand]:
    """Verbs this plugin adds to the ``sanshe`` command line (``sanshe export`` …).

    Called by the ``sanshe`` command when it builds its parser, for
    ``sanshe --help`` and for any verb that is not Sanshe's own, with the
    plugins the community file enables.  Return
    :class:`~sanshe.core.verbs.CliCommand` values; a verb that is built in or
    that another plugin also adds is refused with a sentence naming both.
    Asked once, when the plugin is registered, like the other registration
    hooks: a plain function.
    """
