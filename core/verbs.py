"""Subcommands that plugins add to the ``sanshe`` command line (``sanshe export`` …).

A plugin declares a :class:`CliCommand` in ``sanshe_cli_commands``; ``sanshe
--help`` lists it beside Sanshe's own verbs, and ``sanshe <name>`` runs it
with an :class:`Invocation`: the parsed arguments, the community, its open
database and the plugins.  A verb that another plugin also declares, or that
is one of Sanshe's own, is refused with a sentence naming both.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .clock import Clock, SystemClock
from .i18n import Catalogue, Translator, environment_locale
from .model import Community

if TYPE_CHECKING:
    from .bot import Bot
    from .plugins import Plugins
    from .storage import Storage

log = logging.getLogger(__name__)

_NAME = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True, slots=True)
class Invocation:
    """What a plugin's verb runs with."""

    args: argparse.Namespace
    """The command line, parsed: the verb's own options and ``config``, ``db``, ``verbose``."""
    community: Community
    """The community file, loaded and checked."""
    storage: Storage
    """The community's database, open and migrated; closed when the verb returns."""
    plugins: Plugins
    """The community's plugins, registered."""
    config_path: Path
    """The community file read."""
    _: Translator
    """Texts in the terminal's language (``SANSHE_LANG``, ``LANG``), the plugins' included."""
    clock: Clock = field(default_factory=SystemClock)
    """What time it is for the verb (dates in file names, audit entries)."""

    async def bot(self) -> Bot:
        """A bot of the community with no network, its runtime people loaded: for a verb that
        acts as a person (``bot.context_for(CONSOLE, person, None, direct=True)``)."""
        from .bot import Bot
        from .offline import OfflineAdapter
        from .people import People

        bot = Bot(
            self.community,
            OfflineAdapter(),
            self.storage,
            pm=self.plugins,
            config_path=self.config_path,
            clock=self.clock,
        )
        bot.people = await People.load(bot.clock.now())
        return bot


def write_private(path: str | Path, content: bytes) -> None:
    """Write ``content`` to ``path``, readable by its owner only from the start (an older file
    there is replaced)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)


@dataclass(frozen=True, slots=True)
class CliCommand:
    """A verb a plugin adds to the ``sanshe`` command line: ``sanshe <name> [options]``.

    ``name`` is lower case (letters, digits, ``-``).  ``help`` is a catalogue
    key: the line ``sanshe --help`` shows.  ``add_arguments`` adds the verb's
    options to its argparse parser, given the terminal's texts for their help;
    ``--config`` and ``--db`` are there already.  ``run`` receives an
    :class:`Invocation` (it may be ``async def``) and returns the exit status
    (None: 0).  To stop with a sentence for the operator it prints it and
    returns non-zero; what it raises is told in one line, exit 1 (the
    traceback with ``sanshe -v``).
    """

    name: str
    help: str
    run: Callable[[Invocation], int | None | Awaitable[int | None]]
    add_arguments: Callable[[argparse.ArgumentParser, Translator], None] | None = None
    plugin: str = ""
    """The plugin that contributed it (filled in by core)."""

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"command line verb {self.name!r}: use lower case letters, digits, -")


class VerbBook:
    """The plugins' verbs; those that clash are refused, each with its sentence."""

    def __init__(self, commands: Iterable[CliCommand]) -> None:
        self.commands: dict[str, CliCommand] = {}
        self.refused: dict[str, str] = {}
        """Verb -> why no plugin's command of that name is offered (terminal's language)."""
        _ = Translator(Catalogue(), environment_locale())
        for command in commands:
            if command.name in self.refused:
                continue
            first = self.commands.get(command.name)
            if first is None:
                self.commands[command.name] = command
                continue
            del self.commands[command.name]
            if first.plugin == command.plugin:
                text = _("plugins.verb_twice", name=command.name, plugin=command.plugin)
            else:
                text = _(
                    "plugins.verb_clash",
                    name=command.name,
                    first=first.plugin,
                    second=command.plugin,
                )
            self.refused[command.name] = text

    def offer(
        self, verbs: argparse._SubParsersAction[argparse.ArgumentParser], _: Translator
    ) -> None:
        """Add a parser for each verb to ``verbs``, but for those ``verbs`` already has (built in)."""
        for name, command in list(self.commands.items()):
            if name in verbs.choices:
                del self.commands[name]
                self.refused[name] = _("plugins.verb_builtin", name=name, plugin=command.plugin)
                continue
            parser = verbs.add_parser(name, help=_(command.help))
            parser.add_argument("--config", help=_("cli.config"))
            parser.add_argument("--db", help=_("cli.db"))
            if command.add_arguments is None:
                continue
            try:
                command.add_arguments(parser, _)
            except Exception as exc:
                log.exception("plugin %r failed adding the options of %r", command.plugin, name)
                del self.commands[name]
                self.refused[name] = _(
                    "plugins.verb_broken",
                    name=name,
                    plugin=command.plugin,
                    error=type(exc).__name__,
                )


def verb_book(pm: Plugins) -> VerbBook:
    """The verbs of the registered plugins, each marked with its plugin."""
    return VerbBook(
        replace(command, plugin=name) for name, command in pm.contributions("sanshe_cli_commands")
    )
