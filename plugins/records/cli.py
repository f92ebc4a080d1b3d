"""``sanshe export <form> --as <person>``: a form's records (or a sheet a plugin offers: the
check-ins, the hours ledger) as a file, from the terminal.

The person named by ``--as`` (an id of the community file or one stored at
runtime) is who exports: their community-wide roles decide (those held in
``--group``'s group too, when it is given), as ``/export`` decides in chat, and
the audit log names them, refused or not.  The file is made readable by its
owner only.  At a terminal, a long export shows a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sanshe.core.exports import ExportSheet
from sanshe.core.i18n import Translator
from sanshe.core.model import Form
from sanshe.core.offline import CONSOLE
from sanshe.core.verbs import CliCommand, Invocation, write_private

from . import offered
from .exporting import CHUNK, Span, day, export, file_name, may_export
from .sheets import FORMATS

#: How many characters wide the progress bar is.
BAR = 30


class Bar:
    """A progress bar on ``stream``, drawn for an export longer than one chunk."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label

    def __call__(self, done: int, total: int) -> None:
        if total <= CHUNK:
            return
        filled = BAR * done // total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def add_arguments(parser: argparse.ArgumentParser, _: Translator) -> None:
    parser.add_argument("form", help=_("records.cli.form"))
    parser.add_argument("--as", dest="person", required=True, help=_("records.cli.as"))
    parser.add_argument("--from", dest="start", metavar="DATE", help=_("records.cli.from"))
    parser.add_argument("--to", dest="end", metavar="DATE", help=_("records.cli.to"))
    parser.add_argument("--group", help=_("records.cli.group"))
    parser.add_argument("--format", choices=FORMATS, default="xlsx", help=_("records.cli.format"))
    parser.add_argument("--output", default=".", metavar="FOLDER", help=_("records.cli.output"))


def _day(text: str | None, __: Translator) -> date | None:
    if text is None:
        return None
    found = day(text)
    if found is None:
        raise ValueError(__("records.cli.bad_day", day=text))
    return found


async def run_export(invocation: Invocation) -> int:
    """Write the form's records (or a sheet a plugin offers) to a file in ``--output``, as
    ``--as`` may see them."""
    __ = invocation._
    args = invocation.args
    community = invocation.community
    try:
        start, end = _day(args.start, __), _day(args.end, __)
    except ValueError as wrong:
        print(wrong, file=sys.stderr)
        return 1
    if start and end and start > end:
        print(__("records.cli.reversed", start=start, end=end), file=sys.stderr)
        return 1
    group = community.group(args.group) if args.group else None
    if args.group and group is None:
        known = ", ".join(g.id for g in community.groups)
        print(__("records.cli.no_group", group=args.group, known=known), file=sys.stderr)
        return 1
    bot = await invocation.bot()  # names of people stored at runtime too
    person = bot.people.person(community, args.person)
    ctx = bot.context_for(CONSOLE, person, None, direct=True) if person is not None else None
    sheets = await offered.offered(ctx) if ctx is not None else []
    what: Form | ExportSheet | None = community.form(args.form)
    if what is None and ctx is not None:
        what = offered.named(ctx, sheets, args.form)
    if what is None:
        known = ", ".join([*(f.id for f in community.forms), *(s.id for s in sheets)])
        print(__("records.cli.no_form", form=args.form, known=known), file=sys.stderr)
        return 1
    if person is None or ctx is None:
        print(__("records.cli.no_person", person=args.person), file=sys.stderr)
        return 1
    asked = Span(what, start, end, group)
    title = asked.title(__)
    span = await may_export(ctx, asked)
    if span is None:
        await bot.services.audit(person.id, "export_refused", asked.subject, args.format)
        roles = __.join(bot.role_name(r, __) for r in asked.exporters)
        print(
            __("records.cli.refused", person=args.person, title=title, roles=roles),
            file=sys.stderr,
        )
        return 1
    progress = Bar(sys.stderr, title) if sys.stderr.isatty() else None
    content, rows = await export(ctx, span, args.format, progress)
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    zone = ZoneInfo(community.community.timezone)
    path = folder / file_name(span, args.format, bot.clock.now(), zone)
    write_private(path, content)
    await bot.services.audit(person.id, "export", span.subject, span.detail(args.format, rows))
    print(__.plural("records.cli.exported", rows, title=title, path=path))
    return 0


def commands() -> list[CliCommand]:
    """``sanshe export``."""
    return [
        CliCommand("export", help="records.cli.export", run=run_export, add_arguments=add_arguments)
    ]
