"""Records: read a form's records in a private chat, and export them in its paper form's layout.

``/records <form> [words]`` lists the latest records of a form (sensitive
answers masked), ``/record <number>`` shows one, both to those the form's
``view:`` allows (``record.read:<form>``; for a record filed under a group, the
roles held there count too); ``/export <form> [from] [to]
[xlsx|csv|pdf]`` answers with the file, for those its ``export:`` allows
(``record.export:<form>``, by default its ``view:``); it exports as well the
sheets other plugins offer (``sanshe_export_sheets``: the health check-ins, the
hours ledger, :mod:`.offered`), to the roles each sheet names.  ``sanshe export`` does
the same on the command line (:mod:`.cli`).  A sensitive answer is shown or
exported in clear only to whoever has ``record.field:<form>/<field>`` (by
default the form's ``view:``); records stay sealed at rest.  Every record shown
is audited as read; every export, and every export refused, is audited with its
format and row count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Reader, Rest, Word, Words, Wrong, listing
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.exports import ExportSheet
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Form
from sanshe.core.permissions import record_export, record_read
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import Record
from sanshe.core.verbs import CliCommand

from . import cli, offered
from .exporting import (
    Span,
    clear_fields,
    day,
    export,
    file_name,
    may_export,
    may_export_some,
)
from .sheets import FORMATS
from .table import cell, local

#: How many records ``/records`` lists at most.
SHOWN = 10
#: How many answers a record's line in ``/records`` shows.
SUMMARY = 4
#: What a day typed wrong looks like (no more than a day's digits): quoted as typed.
_DAYLIKE = re.compile(r"[0-9]{1,4}(?:[-/.年月][0-9]{1,2}){0,2}[日号]?")
#: How many of the latest records ``/records`` looks through for its words.
SCANNED = 2000


class Day(Reader):
    """A day (``2026-12-01``, ``2026年12月1日``); a word not starting with a digit is left."""

    name = "records.arg.day"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left or not words.peek()[:1].isdigit():
            return MISSING
        word = words.peek()
        found = day(word)
        if found is None:  # a day is no personal data: quoted as typed if it looks like one
            raise Wrong("records.bad_day", word=word if _DAYLIKE.fullmatch(word) else excerpt(word))
        words.take()
        return found


EXPORT = Arguments(
    form=Word(name="records.arg.form"),
    start=Day(name="records.arg.from", optional=True),
    end=Day(name="records.arg.to", optional=True),
    format=Word(choices=FORMATS, name="records.arg.format", optional=True),
)
RECORDS = Arguments(form=Word(name="records.arg.form"), words=Rest(optional=True))
RECORD = Arguments(number=Word(name="records.arg.number"))


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "records",
            list_records,
            help="records.help.records",
            aliases=("记录",),
            arguments=RECORDS,
            shown_to=may_read_any,
            where="direct",
            acts_on="community",
        ),
        ChatCommand(
            "record",
            show_record,
            help="records.help.record",
            aliases=("查看记录",),
            arguments=RECORD,
            shown_to=may_read_any,
            where="direct",
            acts_on="community",
        ),
        ChatCommand(
            "export",
            export_records,
            help="records.help.export",
            aliases=("导出",),
            arguments=EXPORT,
            shown_to=may_export_any,
            where="direct",
            acts_on="community",
        ),
    ]


@hookimpl
def sanshe_cli_commands() -> Iterable[CliCommand]:
    return cli.commands()


@hookimpl
async def sanshe_permission(context: Context, permission: str) -> bool | None:
    """Who may export a sheet another plugin offers, and read its sensitive columns."""
    return await offered.vote(context, permission)


class Reads:
    """Whether the sender may read ``form``'s records filed under a group (None: under none),
    asked once per group: their roles there count, as for :func:`show_record`."""

    def __init__(self, ctx: Context, form: Form) -> None:
        self.ctx, self.form = ctx, form
        self.asked: dict[str | None, bool] = {}

    async def under(self, group_id: str | None) -> bool:
        if group_id not in self.asked:
            group = self.ctx.community.group(group_id) if group_id else None
            permission = record_read(self.form.id)
            self.asked[group_id] = await self.ctx.about(group).allowed(permission)
        return self.asked[group_id]

    async def somewhere(self) -> bool:
        """Whether they read some of its records: community-wide, or in a group."""
        for group_id in (None, *(g.id for g in self.ctx.community.groups)):
            if await self.under(group_id):
                return True
        return False


async def readable(ctx: Context) -> list[Form]:
    """The forms whose records the sender may read (some of them: those of a group)."""
    return [f for f in ctx.community.forms if await Reads(ctx, f).somewhere()]


async def exportable(ctx: Context) -> list[Form | ExportSheet]:
    """The forms whose records the sender may export, and the sheets (some of their groups')."""
    forms = [f for f in ctx.community.forms if await ctx.allowed(record_export(f.id))]
    sheets = [s for s in await offered.offered(ctx) if await may_export(ctx, Span(s))]
    return [*forms, *sheets]


async def may_read_any(ctx: Context) -> bool:
    """Whether the sender may read the records of some form: /help shows them /records."""
    return bool(await readable(ctx))


async def may_export_any(ctx: Context) -> bool:
    """Whether the sender may export the records of some form or some sheet: /help shows them
    /export (asking no further than the first they may)."""
    for form in ctx.community.forms:
        if await ctx.allowed(record_export(form.id)):
            return True
    for sheet in await offered.offered(ctx):
        if await may_export_some(ctx, sheet):
            return True
    return False


def _roles(ctx: Context, roles: Iterable[str]) -> str:
    return ctx._.join(ctx.role_name(r) for r in roles)


def _named_form(ctx: Context, typed: str) -> Form | None:
    """The form ``typed`` names (its id or title)."""
    plain = typed.strip().casefold()
    for form in ctx.community.forms:
        titles = [form.title] if isinstance(form.title, str) else list(form.title.values())
        if plain == form.id.casefold() or plain in (t.casefold() for t in titles):
            return form
    return None


def _form(
    ctx: Context, arguments: Arguments, typed: str, yours: Iterable[Form | ExportSheet]
) -> Form:
    """The form ``typed`` names; else an ArgumentError listing ``yours``."""
    found = _named_form(ctx, typed)
    if found is not None:
        return found
    raise _unknown(ctx, arguments, typed, list(yours))


def _unknown(
    ctx: Context, arguments: Arguments, typed: str, yours: list[Form | ExportSheet]
) -> Exception:
    """The error saying ``typed`` names no form (or sheet), listing ``yours``."""
    if not yours:
        return arguments.error(ctx, "records.unknown_form_none", form=excerpt(typed))
    known = listing(ctx._, (f.id for f in yours))
    return arguments.error(ctx, "records.unknown_form", form=excerpt(typed), known=known)


async def export_records(ctx: Context) -> Action:
    """``/export <form> [from] [to] [xlsx|csv|pdf]``: the form's records (or a sheet another
    plugin offers) as a file, privately."""
    _ = ctx._
    args = EXPORT.read(ctx)
    sheets = await offered.offered(ctx)
    what: Form | ExportSheet | None = _named_form(ctx, args.form) or offered.named(
        ctx, sheets, args.form
    )
    if what is None:
        raise _unknown(ctx, EXPORT, args.form, await exportable(ctx))
    if args.start and args.end and args.start > args.end:
        raise EXPORT.error(
            ctx, "records.days_reversed", start=args.start.isoformat(), end=args.end.isoformat()
        )
    fmt = args.format or "xlsx"
    asked = Span(what, args.start, args.end)
    span = await may_export(ctx, asked)
    if span is None:
        ctx.audit("export_refused", asked.subject, detail=fmt)
        return ctx.reply(
            _("records.export_refused", title=asked.title(_), roles=_roles(ctx, asked.exporters))
        )
    content, rows = await export(ctx, span, fmt)
    ctx.audit("export", span.subject, detail=span.detail(fmt, rows))
    zone = ZoneInfo(ctx.community.community.timezone)
    caption = _.plural("records.exported", rows, title=span.title(_))
    return ctx.send_file(file_name(span, fmt, ctx.now(), zone), content=content, caption=caption)


async def list_records(ctx: Context) -> Action:
    """``/records <form> [words]``: its latest records (those showing the words), masked."""
    _ = ctx._
    args = RECORDS.read(ctx)
    form = _form(ctx, RECORDS, args.form, await readable(ctx))
    title = _.pick(form.title)
    reads = Reads(ctx, form)
    if not await reads.somewhere():
        return ctx.reply(_("records.read_refused", title=title, roles=_roles(ctx, form.view)))
    words = (args.words or "").casefold().split()
    zone = ZoneInfo(ctx.community.community.timezone)
    lines: list[str] = []
    latest = await Record.filter(form_id=form.id).order_by("-id").limit(SCANNED)
    for record in latest:
        if not await reads.under(record.group_id):
            continue
        line = _line(ctx, form, record, zone)
        if all(w in line.casefold() for w in words):
            lines.append(line)
            ctx.audit("read", f"record:{record.id}", detail=form.id)
        if len(lines) == SHOWN:
            break
    if not lines:
        key = "records.none_with" if words else "records.none"
        return ctx.reply(_(key, title=title, words=excerpt(args.words or "")))
    return ctx.reply(
        "\n".join([_("records.list", title=title, count=len(lines)), *lines, _("records.hint")])
    )


def _line(ctx: Context, form: Form, record: Record, zone: ZoneInfo) -> str:
    """A record in one line: its number, time and first answers, sensitive ones masked."""
    _ = ctx._
    data = record.data or {}
    answers = []
    for field in form.fields:
        shown = cell(field, data.get(field.id), _, clear=False)
        if shown not in (None, ""):
            answers.append(_("records.answer", label=_.pick(field.label), value=shown))
        if len(answers) == SUMMARY:
            break
    return _(
        "records.line",
        number=record.id,
        at=local(record.created_at, zone),
        answers=_("records.sep").join(answers),
    )


async def show_record(ctx: Context) -> Action:
    """``/record <number>``: one record in full, to whoever may read its form's records."""
    _ = ctx._
    typed = RECORD.read(ctx).number
    digits = typed.lstrip("#＃")
    if not digits.isdigit() or len(digits) > 18:
        raise RECORD.error(ctx, "records.bad_number", word=excerpt(typed))
    number = int(digits)
    record = await ctx.records.record(number)
    form = ctx.community.form(record.form_id) if record is not None else None
    group = ctx.community.group(record.group_id) if record and record.group_id else None
    if record is None or form is None or not await Reads(ctx, form).under(record.group_id):
        return ctx.reply(_("records.no_record", number=number))
    clear = await clear_fields(ctx, form, (group,))
    zone = ZoneInfo(ctx.community.community.timezone)
    data = record.data or {}
    lines = [
        _(
            "records.record",
            number=record.id,
            title=_.pick(form.title),
            at=local(record.created_at, zone),
        )
    ]
    for field in form.fields:
        shown = cell(field, data.get(field.id), _, clear=field.id in clear)
        value = _("form.skipped") if shown is None else shown
        lines.append(_("records.answer", label=_.pick(field.label), value=value))
    ctx.audit("read", f"record:{record.id}", detail=form.id)
    return ctx.reply("\n".join(lines))
