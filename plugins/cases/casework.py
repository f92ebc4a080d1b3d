"""Casework commands: read a case (/case), list cases (/cases), note a follow-up (/note, form 5)
and close a case (/close).

Open to anyone as commands (a volunteer holds their role in a group, and writes from a
private chat, where core counts community-wide roles only); each decides with
:mod:`.access` what the sender may do with the case, and refuses saying why.  A case's
details go to the sender privately, never into a group.  A note and a closing count as
the first human reply; reading or listing does not (a look is no answer).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

from sanshe.core.actions import Action
from sanshe.core.arguments import MISSING, Arguments, Reader, Rest, Word, Words, Wrong
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.privacy import excerpt
from sanshe.core.storage.models import stored_person
from sanshe.core.text import storable
from sanshe.core.timers import utc

from . import access, followups, shown
from .models import Case, CaseNote, Conflict
from .opening import answered

#: At most this many cases are listed by /cases.
LISTED = 30
#: The words of each category, as typed (any letter case), in both languages.
CATEGORY_WORDS = {
    "medical": ("medical", "医疗", "医务", "医学"),
    "psychological": ("psychological", "psych", "心理"),
    "other": ("other", "其他", "其它"),
}
#: The words of each list of /cases.
LIST_WORDS = {
    "open": ("open", "开放", "未结案", "进行中"),
    "mine": ("mine", "我的"),
    "overdue": ("overdue", "逾期", "超期"),
}
_NUMBER = re.compile(r"#?([0-9]{1,9})号?")


class CaseNumber(Reader):
    """A case's number: ``12``, ``#12``, ``12号`` (full-width digits too)."""

    name = "cases.arg.case"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", word))
        if found is None:
            raise Wrong("cases.bad_number", word=excerpt(word))
        words.take()
        return int(found.group(1))


def _keyed(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: key for key, words in table.items() for word in words}


class Keyword(Word):
    """One of a table's words, given back as its key (``心理`` -> ``psychological``)."""

    def __init__(self, table: dict[str, tuple[str, ...]], *, name: str, optional: bool = False):
        self._keys = _keyed(table)
        super().__init__(choices=tuple(self._keys), name=name, optional=optional)

    def take(self, words: Words, ctx: Context) -> Any:
        word = super().take(words, ctx)
        return word if word is MISSING else self._keys[word]


CASE = Arguments(case=CaseNumber())
CASES = Arguments(which=Keyword(LIST_WORDS, name="cases.arg.list", optional=True))
NOTE = Arguments(
    usage="cases.usage.note",
    case=CaseNumber(),
    category=Keyword(CATEGORY_WORDS, name="cases.arg.category"),
    text=Rest(name="cases.arg.note"),
)
CLOSE = Arguments(case=CaseNumber(), result=Rest(name="cases.arg.result"))


def commands() -> list[ChatCommand]:
    """The casework commands."""
    return [
        ChatCommand(
            "case",
            show_case,
            help="cases.help.case",
            aliases=("个案",),
            arguments=CASE,
        ),
        ChatCommand(
            "cases",
            list_cases,
            help="cases.help.cases",
            aliases=("个案列表",),
            arguments=CASES,
            shown_to=access.is_staff,
        ),
        ChatCommand(
            "note",
            note,
            help="cases.help.note",
            aliases=("跟进记录", "跟进"),
            where="direct",
            arguments=NOTE,
            shown_to=access.is_staff,
        ),
        ChatCommand(
            "close",
            close,
            help="cases.help.close",
            aliases=("结案",),
            where="direct",
            arguments=CLOSE,
            shown_to=access.is_staff,
        ),
    ]


def privately(ctx: Context, text: str) -> list[Action]:
    """``text`` to the sender privately; in a group, the group is told only that it was."""
    if ctx.event.direct:
        return [ctx.reply(text)]
    return [ctx.direct(text), ctx.reply(ctx._("cases.sent_privately"))]


async def _case(ctx: Context, number: int, work: str) -> tuple[Case | None, str | None]:
    """Case ``number`` if the sender may do ``work`` with it, else why not."""
    case = await Case.get_or_none(number=number)
    if case is None:
        key = "cases.no_such_case" if access.is_staff(ctx) else f"cases.refused.{work}"
        return None, ctx._(key, number=number)
    refusal = await access.refusal(ctx, case, work)
    return (None, refusal) if refusal else (case, None)


async def show_case(ctx: Context) -> Iterable[Action]:
    """``/case <n>``: the case privately to staff who may read it; its state to its client."""
    number = CASE.read(ctx).case
    own = await Case.get_or_none(number=number, person=stored_person(ctx.person.id))
    if own is not None:
        return privately(ctx, shown.for_client(ctx, own))
    case, refusal = await _case(ctx, number, access.READ)
    if case is None:
        return [ctx.reply(refusal or "")]
    notes = await CaseNote.filter(case_id=case.id).order_by("at", "id")
    ctx.audit("read", f"case:{case.number}")
    return privately(ctx, shown.full(ctx, case, notes))


async def list_cases(ctx: Context) -> Iterable[Action]:
    """``/cases [open|mine|overdue]``: the open cases the sender may read, privately."""
    which = CASES.read(ctx).which or "open"
    if not access.is_staff(ctx):
        return [ctx.reply(ctx._("cases.refused.list"))]
    me = stored_person(ctx.person.id)
    now = ctx.now()
    avoided = {row.client for row in await Conflict.filter(staff=me)}
    noted = set(cast(list[int], await CaseNote.filter(by=me).values_list("case_id", flat=True)))
    found = []
    for case in await Case.filter(status="open").order_by("number"):
        if access.READ not in await access.works(ctx, case, avoided):
            continue
        if which == "mine" and case.owner != me and case.id not in noted:
            continue
        if which == "overdue" and (case.follow_up_at is None or utc(case.follow_up_at) > now):
            continue
        found.append(case)
    if not found:
        return privately(ctx, ctx._(f"cases.list.none.{which}"))
    lines = [ctx._(f"cases.list.{which}", count=len(found))]
    lines += [shown.line(ctx, case) for case in found[:LISTED]]
    if len(found) > LISTED:
        lines.append(ctx._("cases.list.more", count=len(found) - LISTED))
    return privately(ctx, "\n".join(lines))


async def note(ctx: Context) -> Iterable[Action]:
    """``/note <n> <medical|psychological|other> <text> [follow-up date]``: a form 5 entry; a
    date at the end sets the follow-up the owner is reminded of on the day."""
    found = NOTE.read(ctx)
    case, refusal = await _case(ctx, found.case, access.NOTE)
    if case is None:
        return [ctx.reply(refusal or "")]
    if case.status != "open":
        return [ctx.reply(ctx._("cases.closed_already", number=case.number))]
    text, when = followups.split_follow_up(ctx, found.text)
    now = ctx.now()
    if when is not None and when <= now:
        raise NOTE.error(ctx, "cases.follow_up_past", when=shown.moment(ctx, ctx._, when))
    entry = CaseNote(case_id=case.id, at=now, by=stored_person(ctx.person.id))
    setattr(entry, found.category, storable(text))
    ctx.writes.add(entry)
    due = utc(case.follow_up_at) if case.follow_up_at is not None else None
    if when is not None:
        case.follow_up_at = when
        followups.schedule(ctx, case, when)
    elif due is not None and due <= now:  # this note is the follow-up that was due
        case.follow_up_at = None
        followups.cancel(ctx, case.number)
    ctx.writes.save(case, ["follow_up_at"])
    answered(ctx, case.number)
    ctx.audit("update", f"case:{case.number}", f"note:{found.category}")
    _ = ctx._
    category = shown.category(_, found.category)
    if when is None:
        return [ctx.reply(_("cases.noted", number=case.number, category=category))]
    whom = shown.person_name(ctx, case.owner) if case.owner else _("cases.you")
    moment = shown.moment(ctx, _, when)
    return [
        ctx.reply(
            _(
                "cases.noted_follow_up",
                number=case.number,
                category=category,
                when=moment,
                whom=whom,
            )
        )
    ]


async def close(ctx: Context) -> Iterable[Action]:
    """``/close <n> <result>``: the case is closed with what came of it; no more follow-up."""
    found = CLOSE.read(ctx)
    case, refusal = await _case(ctx, found.case, access.CLOSE)
    if case is None:
        return [ctx.reply(refusal or "")]
    if case.status != "open":
        return [ctx.reply(ctx._("cases.closed_already", number=case.number))]
    case.status = "closed"
    case.closed_at = ctx.now()
    case.result = storable(found.result)
    case.follow_up_at = None
    ctx.writes.save(case, ["status", "closed_at", "result", "follow_up_at"])
    followups.cancel(ctx, case.number)
    answered(ctx, case.number)
    ctx.audit("update", f"case:{case.number}", "close")
    return [ctx.reply(ctx._("cases.closed", number=case.number))]
