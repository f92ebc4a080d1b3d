"""The ``sanshe`` command: run a community, check its YAML, migrate its database, replay dead letters."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import sys
import traceback
import unicodedata
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import personal_data
from .adapter import Adapter, CannotStart
from .bot import Bot
from .commands import CommandClash
from .config import CommunityFile, ConfigError, config_translator
from .contributions import command_book, vocabulary
from .dead_letters import error_text, failure, kind_name
from .i18n import Catalogue, Translator, environment_locale
from .model import Community
from .plugins import Plugins, await_me_maybe, plugin_manager
from .storage import CannotOpen, Settled, Storage, database_url
from .storage.models import DeadLetter
from .storage.sealed import key_source
from .storage.tables import plugin_tables
from .verbs import CliCommand, Invocation, VerbBook, verb_book, write_private

log = logging.getLogger("sanshe")


def default_config() -> Path:
    """``SANSHE_CONFIG``, else ``config/community.yaml`` here, else the example community shipped."""
    if os.environ.get("SANSHE_CONFIG"):
        return Path(os.environ["SANSHE_CONFIG"])
    local = Path("config/community.yaml")
    if local.exists():
        return local
    return shipped_example()


def shipped_example() -> Path:
    """The example community installed with the package, in editable and wheel installs alike.

    ``importlib.resources.files`` fails on the namespace path an older editable
    install gives ``sanshe.config``; its folders are read directly instead.
    """
    import sanshe.config

    candidates = [Path(folder) / "community.yaml" for folder in sanshe.config.__path__]
    return next((path for path in candidates if path.is_file()), candidates[0])


def adapter_class(network: str) -> Any:
    """The adapter class registered for ``network`` (entry-point group ``sanshe.adapters``)."""
    for entry in entry_points(group="sanshe.adapters"):
        if entry.name == network:
            return entry.load()
    known = ", ".join(sorted(e.name for e in entry_points(group="sanshe.adapters")))
    raise SystemExit(_text("cli.unknown_network", network=network, known=known))


def _text(key: str, **values: object) -> str:
    return Translator(Catalogue(), environment_locale())(key, **values)


def _load(path: Path, pm: Plugins | None = None) -> tuple[Any, Any]:
    file = CommunityFile.read(path)
    pm = pm or plugin_manager(file.disabled_plugins)
    try:
        command_book(pm)
        return file.check(vocabulary(pm)), pm
    except CommandClash as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from None
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(1) from None


def _storage(args: argparse.Namespace, community: Community, pm: Plugins, path: Path) -> Storage:
    """The database of ``--db``, ``$SANSHE_DB_URL`` or the YAML, with the plugins' tables and the
    key that seals it (``storage.key_file`` is relative to the community file's folder)."""
    db_url = args.db or database_url(community.storage.db_url)
    key = key_source(db_url, community.storage.key_file, path.parent)
    return Storage(db_url, plugin_tables(pm), key)


async def _run(args: argparse.Namespace) -> int:
    """``sanshe run``, with the cyclic garbage collector paused until the bot has started.

    Start-up builds what lives as long as the bot (the community, the plugins'
    modules and models, the catalogues) and little garbage: the collector's
    passes over it took a third of the start with a big community.  Once
    started, the bot has frozen all of it out of the collector (:meth:`Bot.start`).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return await _running(args, resume=gc.enable if collecting else gc.disable)
    finally:
        if collecting:
            gc.enable()


async def _running(args: argparse.Namespace, resume: Callable[[], None]) -> int:
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path)
    enabled = [
        name for name, settings in community.adapters.items() if settings.get("enabled", True)
    ]
    networks = [args.network] if args.network else enabled or ["console"]
    adapters: list[Adapter] = [
        adapter_class(network).from_settings(community.adapters.get(network, {}))
        for network in networks
    ]
    storage = _storage(args, community, pm, path)
    bot = Bot(community, adapters, storage, pm=pm, config_path=path)
    applied = await storage.open(migrate=True)
    for name in applied:
        log.info("applied migration %s", name)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGHUP, lambda: bot.in_background(bot.reload()))
    try:
        await bot.start()
        resume()
        await _serve(bot, adapters)
    except CannotStart as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        try:
            await bot.stop()
        finally:
            for adapter in adapters:  # one whose start failed, or that never ran, is connected
                close = getattr(adapter, "close", None)
                if close is not None:
                    await await_me_maybe(close())
            await storage.close()
    return 0


async def _serve(bot: Bot, adapters: list[Adapter]) -> None:
    """Run every network's adapter side by side until one of them ends; then stop the others.

    What that one raised (a :class:`CannotStart`: a network refusing the
    bot) is raised here once the others have finished what they had under way.
    """
    runs = [asyncio.create_task(a.run(bot), name=f"{a.network} adapter") for a in adapters]
    try:
        ended, _running = await asyncio.wait(runs, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
    for run in ended:
        run.result()


def _check(args: argparse.Namespace) -> int:
    failed = False
    for raw in args.paths or [str(default_config())]:
        path = Path(raw)
        file = CommunityFile.read(path)
        pm = plugin_manager(file.disabled_plugins)
        for name, error in pm.broken.items():
            print(_text("plugins.broken", name=name, error=error), file=sys.stderr)
        problems: list[object] = []
        try:
            command_book(pm)
        except CommandClash as exc:
            problems.append(exc)
        words = vocabulary(pm)
        verbs = verb_book(pm)
        parser(verbs, config_translator(words))
        problems.extend(verbs.refused.values())
        try:
            community = file.check(words)
        except ConfigError as exc:
            problems.extend(exc.problems)
        else:
            for warning in file.warnings(community):
                print(warning, file=sys.stderr)
        for problem in problems:
            print(problem)
        if problems:
            failed = True
            _ = Translator(Catalogue(), environment_locale())
            print(_.plural("cli.check_failed", len(problems), path=raw))
        else:
            print(_text("cli.check_ok", path=raw))
    return 1 if failed else 0


async def _migrate(args: argparse.Namespace) -> int:
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path)
    storage = _storage(args, community, pm, path)
    applied = await storage.open(migrate=True)
    await storage.close()
    for name in applied:
        print(_text("cli.migrated", name=name))
    if not applied:
        print(_text("cli.up_to_date"))
    return 0


async def _provision(args: argparse.Namespace) -> int:
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path)
    adapter = adapter_class(args.network).from_settings(community.adapters.get(args.network, {}))
    provision = getattr(adapter, "provision", None)
    if provision is None:
        print(_text("cli.cannot_provision", network=args.network), file=sys.stderr)
        return 1
    storage = _storage(args, community, pm, path)
    await storage.open(migrate=True)
    try:
        await provision(community, storage, print)
    finally:
        await storage.close()
    return 0


async def _person(args: argparse.Namespace) -> int:
    """``sanshe person export|erase <id>``: everything stored about one person, out or gone."""
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path)
    storage = _storage(args, community, pm, path)
    await storage.open(migrate=True)
    try:
        if args.what == "export":
            data = await personal_data.export(storage, community, pm, args.id)
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if args.output:
                write_private(args.output, (text + "\n").encode("utf-8"))
                print(_text("cli.person.exported", id=args.id, path=args.output))
            else:
                print(text)
            return 0
        removed = await personal_data.erase(storage, community, pm, args.id)
    finally:
        await storage.close()
    if not removed or set(removed) == {"audit link"}:
        print(_text("cli.person.nothing", id=args.id))
    else:
        what = ", ".join(f"{kind} {n}" for kind, n in removed.items())
        print(_text("cli.person.erased", id=args.id, what=what))
    if community.person(args.id) is not None:
        print(_text("cli.person.in_file", id=args.id, path=path), file=sys.stderr)
    return 0


async def _dead_letters(args: argparse.Namespace) -> int:
    """``sanshe dead-letters``: list the events set aside after their last try, or replay one."""
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path)
    storage = _storage(args, community, pm, path)
    await storage.open(migrate=True)
    try:
        if args.replay is None:
            _list_dead_letters(community, await storage.dead_letters(), args.text)
            return 0
        return await _replay(args.replay, community, pm, storage, path)
    finally:
        await storage.close()


def _list_dead_letters(community: Community, letters: list[DeadLetter], text: bool) -> None:
    """One line per dead letter, in columns, times in the community's zone; no text unless asked."""
    _ = Translator(Catalogue(), environment_locale())
    if not letters:
        print(_("cli.dead_letters.none"))
        return
    zone = ZoneInfo(community.community.timezone)
    columns = ("id", "when", "network", "chat", "event", "tries", "error")
    rows = [[_(f"cli.dead_letters.{c}") for c in columns]]
    texts = [""]
    for letter in letters:
        rows.append(
            [
                str(letter.id),
                letter.failed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                letter.network,
                letter.chat,
                kind_name(letter.kind, _),
                str(letter.tries),
                error_text(letter, _),
            ]
        )
        said = next(
            (letter.event.get(f) for f in ("text", "note", "data") if f in letter.event), ""
        )
        texts.append(_("cli.dead_letters.text", text=said) if text and said else "")
    widths = [max(_width(row[i]) for row in rows) for i in range(len(columns))]
    for row, said in zip(rows, texts, strict=True):
        print(
            "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        )
        if said:
            print(said)
    print(_("cli.dead_letters.hint"))


def _width(text: str) -> int:
    """How many columns ``text`` takes at a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


async def _replay(
    letter_id: int, community: Community, pm: Plugins, storage: Storage, path: Path
) -> int:
    """Hand dead letter ``letter_id`` to a bot on its network again; it stays if that fails."""
    _ = Translator(Catalogue(), environment_locale())
    letter = await storage.dead_letter(letter_id)
    if letter is None:
        print(_("cli.dead_letters.missing", id=letter_id), file=sys.stderr)
        return 1
    adapter = adapter_class(letter.network).from_settings(
        community.adapters.get(letter.network, {})
    )
    bot = Bot(community, adapter, storage, pm=pm, config_path=path)
    try:
        actions = await bot.replay(letter)
    except Settled:
        print(_("cli.dead_letters.settled", id=letter.id), file=sys.stderr)
        return 1
    except CannotStart as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:
        log.error("dead letter %d could not be handled again", letter.id, exc_info=True)
        print(_("cli.dead_letters.failed", id=letter.id, error=failure(exc)), file=sys.stderr)
        return 1
    finally:
        try:
            await bot.stop()
        finally:
            close = getattr(adapter, "close", None)
            if close is not None:
                await await_me_maybe(close())
    print(_.plural("cli.dead_letters.replayed", len(actions), id=letter.id))
    return 0


async def _verb(args: argparse.Namespace, command: CliCommand, pm: Plugins) -> int:
    """Run a plugin's verb; what it raises is told in one line (the traceback with ``-v``)."""
    path = Path(args.config) if args.config else default_config()
    community, pm = _load(path, pm)
    storage = _storage(args, community, pm, path)
    await storage.open(migrate=True)
    _ = config_translator(vocabulary(pm))
    try:
        status = await await_me_maybe(
            command.run(Invocation(args, community, storage, pm, path, _))
        )
    except Exception as exc:
        if args.verbose:
            log.error("plugin %r failed in sanshe %s", command.plugin, command.name, exc_info=True)
        error = f"{type(exc).__name__}: {exc}" if isinstance(exc, OSError) else type(exc).__name__
        print(
            _("cli.verb_failed", verb=command.name, plugin=command.plugin, error=error),
            file=sys.stderr,
        )
        return 1
    finally:
        await storage.close()
    return status if isinstance(status, int) else 0


def _plugin_verbs(config: str | None) -> tuple[Plugins, VerbBook]:
    """The plugins the community file enables (``--config``, else the default), and their verbs."""
    path = Path(config) if config else default_config()
    pm = plugin_manager(CommunityFile.read(path).disabled_plugins)
    return pm, verb_book(pm)


#: The extra (README, "Extras") that installs each optional module.
EXTRAS = {"asyncpg": "postgres", "nio": "matrix", "telegram": "telegram"}


def _missing(exc: ModuleNotFoundError) -> str:
    """The sentence for a module that is not installed: the pip command when an extra has it."""
    module = (exc.name or "").split(".", 1)[0]
    if module in EXTRAS:
        return _text("cli.missing_extra", module=module, command=_pip_install(EXTRAS[module]))
    return _text("cli.missing_module", module=module)


def _pip_install(extra: str) -> str:
    """The command that adds ``extra`` to this very installation (a checkout's, or a wheel's)."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").exists() and (checkout / "plugins").is_dir():
        return f"{sys.executable} -m pip install -e '{checkout}[{extra}]'"
    return f"{sys.executable} -m pip install 'sanshe[{extra}]'"


class StatementsOnly(logging.Filter):
    """Lets tortoise's SQL lines through without their values, which carry what people typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            if record.msg == "%s: %s":  # tortoise logs "<statement>: <values>"
                record.msg, record.args = "%s", (record.args[0],)  # type: ignore[index]
            else:  # e.g. "Created connection pool %s with params: %s" (the password)
                record.msg, record.args = f"{str(record.msg).split('%', 1)[0].strip()} …", ()
        return True


class TracebacksWithoutText(logging.Formatter):
    """Formats a traceback with each exception's type and frames, not its message.

    A message may quote what people typed (``time data '138…' does not match``);
    only those of system errors (``OSError``: files, connections) are kept.
    """

    def formatException(self, ei: Any) -> str:
        chain: list[BaseException] = []
        exc: BaseException | None = ei[1]
        while exc is not None and exc not in chain:
            chain.append(exc)
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        parts: list[str] = []
        for exc in reversed(chain):
            if parts:
                parts.append("\nwhich led to:\n\n")
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(exc.__traceback__))
            kind = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
            shown = str(exc) if isinstance(exc, OSError) else "(message not logged)"
            parts.append(f"{kind}: {shown}\n")
        return "".join(parts).rstrip("\n")


def configure_logging(verbosity: int) -> None:
    """Log Sanshe's own lines at warning, info (``-v``) or debug (``-v -v``) level.

    ``-v -v -v`` adds the SQL statements, never their values.  Other libraries
    log warnings only: their debug lines (aiosqlite's, for one) show query values.
    Tracebacks leave out exception messages (:class:`TracebacksWithoutText`).
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TracebacksWithoutText("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("sanshe").setLevel(logging.WARNING - 10 * min(verbosity, 2))
    if verbosity >= 3:
        sql = logging.getLogger("tortoise.db_client")
        sql.setLevel(logging.DEBUG)
        sql.addFilter(StatementsOnly())


class CommandLine(argparse.ArgumentParser):
    """The ``sanshe`` parser; :attr:`verbs` holds a parser per verb."""

    verbs: argparse._SubParsersAction[argparse.ArgumentParser]


def parser(verbs: VerbBook | None = None, _: Translator | None = None) -> CommandLine:
    """The command line: Sanshe's own verbs, then those of ``verbs`` that do not clash.

    ``_`` gives the plugins' verbs their texts (the terminal's language, core's
    catalogue when None).
    """
    top = CommandLine(prog="sanshe", description=_text("cli.description"))
    top.add_argument("-v", "--verbose", action="count", default=0, help=_text("cli.verbose"))
    sub = top.verbs = top.add_subparsers(
        dest="command", required=True, parser_class=argparse.ArgumentParser
    )
    run = sub.add_parser("run", help=_text("cli.run"))
    run.add_argument("--config", help=_text("cli.config"))
    run.add_argument("--db", help=_text("cli.db"))
    run.add_argument("--network", help=_text("cli.network"))
    check = sub.add_parser("check-config", help=_text("cli.check"))
    check.add_argument("paths", nargs="*", help=_text("cli.config"))
    migrate = sub.add_parser("migrate", help=_text("cli.migrate"))
    migrate.add_argument("--config", help=_text("cli.config"))
    migrate.add_argument("--db", help=_text("cli.db"))
    provision = sub.add_parser("provision", help=_text("cli.provision"))
    provision.add_argument("--network", required=True, help=_text("cli.network"))
    provision.add_argument("--config", help=_text("cli.config"))
    provision.add_argument("--db", help=_text("cli.db"))
    dead = sub.add_parser("dead-letters", help=_text("cli.dead_letters"))
    dead.add_argument("--config", help=_text("cli.config"))
    dead.add_argument("--db", help=_text("cli.db"))
    dead.add_argument("--replay", type=int, metavar="ID", help=_text("cli.dead_letters.replay"))
    dead.add_argument("--text", action="store_true", help=_text("cli.dead_letters.show_text"))
    person = sub.add_parser("person", help=_text("cli.person"))
    person.add_argument("what", choices=("export", "erase"), help=_text("cli.person.what"))
    person.add_argument("id", help=_text("cli.person.id"))
    person.add_argument("--output", help=_text("cli.person.output"))
    person.add_argument("--config", help=_text("cli.config"))
    person.add_argument("--db", help=_text("cli.db"))
    if verbs is not None:
        verbs.offer(sub, _ or config_translator())
    return top


def _early() -> argparse.ArgumentParser:
    """What is read before the plugins are: ``-v``, ``--config`` and which verb."""
    early = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    early.add_argument("-v", "--verbose", action="count", default=0)
    early.add_argument("--config")
    early.add_argument("verb", nargs="?")
    return early


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sanshe`` console script.

    A verb of Sanshe's own runs without asking the plugins; for any other
    (and for ``--help``) the plugins the community file enables are loaded
    to offer theirs.
    """
    argv = sys.argv[1:] if argv is None else argv
    early, _rest = _early().parse_known_args(argv)
    configure_logging(early.verbose)
    top = parser()
    plugins: tuple[Plugins, VerbBook] | None = None
    if early.verb not in top.verbs.choices:
        try:
            plugins = _plugin_verbs(early.config)
        except ModuleNotFoundError as exc:
            print(_missing(exc), file=sys.stderr)
            return 1
        pm, verbs = plugins
        top = parser(verbs, config_translator(vocabulary(pm)))
        for text in verbs.refused.values():
            print(text, file=sys.stderr)
        if early.verb in verbs.refused:
            return 1
    args = top.parse_args(argv)
    try:
        if plugins is not None and args.command in plugins[1].commands:
            return asyncio.run(_verb(args, plugins[1].commands[args.command], plugins[0]))
        if args.command == "check-config":
            return _check(args)
        if args.command == "migrate":
            return asyncio.run(_migrate(args))
        if args.command == "provision":
            return asyncio.run(_provision(args))
        if args.command == "dead-letters":
            return asyncio.run(_dead_letters(args))
        if args.command == "person":
            return asyncio.run(_person(args))
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 130
    except CannotOpen as exc:
        print(_text(exc.key, **exc.values), file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        print(_missing(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
