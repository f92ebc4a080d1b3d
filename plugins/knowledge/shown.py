"""What the answer library and the resource map share: who is staff, subcommand words, entry
numbers, the parts of an entry typed between bars, and an entry's source and date."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from sanshe.core import people
from sanshe.core.arguments import plain_word
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.privacy import excerpt, personal_data
from sanshe.core.timers import utc

from . import search
from .settings import KnowledgeSettings

#: The words of each subcommand, as typed (any letter case), in both languages.
SUBCOMMANDS = {
    "add": ("add", "添加", "新增", "增加"),
    "renew": ("renew", "confirm", "确认", "复核"),
    "remove": ("remove", "delete", "删除", "移除"),
}
_WORDS = {word: key for key, words in SUBCOMMANDS.items() for word in words}
_NUMBER = re.compile(r"[#＃]?([0-9]{1,9})号?")
#: What separates the parts of an entry: a bar, half or full width.
BAR = re.compile(r"\s*[|｜]\s*")


def settings(ctx: Context) -> KnowledgeSettings:
    return ctx.settings(KnowledgeSettings)


def synonyms(ctx: Context) -> search.Synonyms:
    """The synonym table searches use: the shipped one with the community's own groups."""
    own = settings(ctx).synonyms
    return search.synonyms(tuple((meaning, tuple(words)) for meaning, words in own.items()))


def is_staff(ctx: Context) -> bool:
    """Whether the sender holds, anywhere, a role that adds to the library and the map."""
    return people.holds_anywhere(ctx, settings(ctx).staff)


def staff_names(ctx: Context) -> str:
    """The staff roles, named in the sender's language."""
    return ctx._.join(ctx.role_name(role) for role in settings(ctx).staff)


def subcommand(args: str) -> tuple[str | None, str]:
    """The subcommand the arguments begin with (``add``, ``renew``, ``remove``; None: none),
    and the text after it."""
    first, _space, rest = args.strip().partition(" ")
    key = _WORDS.get(plain_word(first))
    return (key, rest.strip()) if key else (None, args.strip())


def number(text: str) -> int | None:
    """An entry's number as typed (``3``, ``#3``, ``3号``, full-width digits too), else None."""
    found = _NUMBER.fullmatch(unicodedata.normalize("NFKC", text.strip()))
    return int(found.group(1)) if found else None


def wrong_number(_: Translator, text: str) -> str:
    """What is wrong with a number typed as ``text``: missing, or not a number."""
    return _("knowledge.not_a_number", word=excerpt(text)) if text else _("knowledge.no_number")


def parts(text: str) -> list[str]:
    """The parts of ``text`` between bars, each stripped."""
    return [part.strip() for part in BAR.split(text.strip())]


def private(texts: list[str]) -> bool:
    """Whether one of ``texts`` holds a mobile, ID or bank card number."""
    return any(personal_data(text) for text in texts)


def date(_: Translator, ctx: Context, when: datetime) -> str:
    """A day in the community's time zone, with its year (``2026年12月2日``, ``Dec 2, 2026``)."""
    local = utc(when).astimezone(ZoneInfo(ctx.community.community.timezone))
    return format_skeleton("yMMMd", local.date(), locale=_.locale)


def stale(ctx: Context, checked_at: datetime) -> bool:
    """Whether an entry added or confirmed at ``checked_at`` is stale now."""
    return ctx.now() - utc(checked_at) > timedelta(days=settings(ctx).stale_days)


def source(ctx: Context, _: Translator, author: str, checked_at: datetime) -> str:
    """Who gave an entry and when it was added or last confirmed, marked if stale."""
    name = people.name_of(ctx, author, _("knowledge.staff")) if author else _("knowledge.staff")
    day = date(_, ctx, checked_at)
    if stale(ctx, checked_at):
        days = settings(ctx).stale_days
        return _.plural("knowledge.source_old", days, name=name, date=day, days=days)
    return _("knowledge.source", name=name, date=day)
