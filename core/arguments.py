"""Command arguments: one parser for every command, with errors that say what is wrong and how.

A command declares what it reads, in order (``ChatCommand(..., arguments=BIND)``),
and reads it in its handler::

    BIND = Arguments(group=Group())

    async def bind(ctx: Context) -> Action:
        group = BIND.read(ctx).group  # a model.Group, or ArgumentError

Declared, arguments that name a group make core check the sender's roles in
that group before the handler runs; reading such arguments without declaring
them raises TypeError.

The command's text is split into words at white space; each reader takes the
words it needs from the front, and words left over are an error.  A reader
made with ``optional=True`` gives ``default`` when there is nothing for it.
A reading that fails raises :class:`ArgumentError`: its text, in the sender's
language, says what is wrong and then the command's usage, generated from
the readers' names (``/bind <group id>``), or the command's own catalogue
text (``usage=``; ``{usage}`` in it is the generated line).  Core answers an
ArgumentError raised by a command handler with that text; a handler can raise
its own through :meth:`Arguments.error`.  Reading never raises anything else,
whatever was typed.  Words a person typed are quoted only as an excerpt.

What each reader accepts (full-width characters read as ASCII: ``１８：００``):

- :class:`Person`: ``@handle`` (the person's id on this network: someone in the
  community file, or who has written since the bot started; ``＠`` reads as
  ``@``), a person id from the community file, or a known person's name (up to
  three words; any letter case); with none of these, the sender of the message
  this one answers (``Message.reply_to_sender``).  On Telegram a person's id is
  a number, so ``@username`` names nobody there: answer one of their messages
  with the command, or give their name or person id.
- :class:`Group`: a group id, or a group's name when it is one word.
- :class:`Duration`: days, hours and minutes in that order, each a number
  and a unit: ``30m``, ``2h``, ``3d``, ``1h30m``, ``90 min``; ``d``/``day(s)``,
  ``h``/``hr``/``hour(s)``, ``m``/``min``/``minute(s)``; in Chinese ``3天``,
  ``2小时`` (or ``2个小时``), ``30分钟`` (or ``30分``), ``1小时30分钟``,
  ``半小时``, ``一个半小时``, with numbers in digits or 一/两/三…九十九
  (``两小时``, ``十五分钟``).
- :class:`Moment`: a date and time in the community's time zone
  (``community.timezone``): ``2026-12-01 18:00`` (also ``2026/12/01``,
  ``2026-12-01T18:00``, ``2026年12月1日 18:00``); ``12月1日 18:00`` (this year,
  or next year once it has passed); ``today``, ``tomorrow``, ``今天``, ``明天``
  or ``后天`` and a time; a time alone (today, or tomorrow once it has passed
  when the message was written).  A time is ``18:00`` (24-hour clock), or in
  Chinese ``9点``, ``9点30``, ``9点30分``, ``9点半``, after a part of the day
  or not: ``上午9点``, ``下午3点`` (15:00), ``晚上8点半``, ``中午12点``.  A year
  more than a hundred years from the message's is refused.  A day alone is
  quoted back as typed (it is no personal data) with a request for the time.
- :class:`Word`: one word; with ``choices``, one of them (any letter case).
- :class:`Rest`: the rest of the text as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from . import model
from .events import Message
from .i18n import Translator
from .privacy import excerpt

if TYPE_CHECKING:
    from .context import Context

T = TypeVar("T")

#: At most this many known items are listed in an error (groups, choices…).
LISTED = 20


class ArgumentError(Exception):
    """A command's arguments are wrong: ``text`` says how, and the command's usage.

    ``key`` is the catalogue key of what is wrong (``arguments.missing``…).
    """

    def __init__(self, text: str, key: str) -> None:
        super().__init__(text)
        self.text = text
        self.key = key


class Wrong(Exception):
    """Raised by a reader: catalogue ``key`` (with ``values``) says what is wrong."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class Words:
    """The words of a command's arguments, read from the front."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans = [m.span() for m in re.finditer(r"\S+", text)]
        self.at = 0

    @property
    def left(self) -> int:
        """How many words are still unread."""
        return len(self._spans) - self.at

    def peek(self, count: int = 1) -> str:
        """The next ``count`` words (fewer at the end) as typed, spaces between them included."""
        spans = self._spans[self.at : self.at + count]
        return self.text[spans[0][0] : spans[-1][1]] if spans else ""

    def take(self, count: int = 1) -> None:
        """Mark the next ``count`` words read."""
        self.at = min(self.at + count, len(self._spans))

    def rest(self) -> str:
        """All the unread text as typed (without the spaces around it), then nothing is left."""
        text = self.text[self._spans[self.at][0] :].strip() if self.left else ""
        self.at = len(self._spans)
        return text


class _Missing:
    """What a reader gives when there is nothing for it to read."""


MISSING: Any = _Missing()


class Reader:
    """Reads one argument from :class:`Words`; subclasses implement :meth:`take`.

    ``name`` is the catalogue key naming the argument in the usage line and in
    "missing" errors.
    """

    name = "arguments.name.word"

    def __init__(self, *, name: str = "", optional: bool = False, default: Any = None) -> None:
        self.name = name or self.name
        self.optional = optional
        self.default = default

    def take(self, words: Words, ctx: Context) -> Any:
        """The value read (taking its words), or MISSING; raises :class:`Wrong`."""
        raise NotImplementedError


class Parsed:
    """The values read, by the names given to :class:`Arguments` (``parsed.group``)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values", {})
        if name not in values:
            raise AttributeError(name)
        return values[name]

    def __getitem__(self, name: str) -> Any:
        return self._values[name]


class Arguments:
    """What a command reads, in order: ``Arguments(group=Group(), note=Rest(optional=True))``.

    ``usage`` is a catalogue key for the usage sentence; without it the
    generated line is put into ``arguments.usage``.
    """

    def __init__(self, *, usage: str = "", **readers: Reader) -> None:
        self.usage_key = usage or "arguments.usage"
        self.readers = readers

    def read(self, ctx: Context) -> Parsed:
        """Read the arguments of ``ctx.command``; raises :class:`ArgumentError` (and only that).

        Arguments that name a group must be the running command's declared
        ``arguments``, so that core checked the roles held in that group: else
        TypeError, a plugin author's mistake.
        """
        if self.names_group and (ctx.running is None or ctx.running.arguments is not self):
            raise TypeError(
                "these arguments name a group: declare them as the command's arguments= "
                "so core checks the sender's roles in that group"
            )
        words = Words(ctx.command.args if ctx.command else "")
        values: dict[str, Any] = {}
        try:
            for key, reader in self.readers.items():
                value = reader.take(words, ctx)
                if value is MISSING:
                    if not reader.optional:
                        raise Wrong("arguments.missing", what=ctx._(reader.name))
                    value = reader.default
                values[key] = value
            if words.left:
                raise Wrong("arguments.too_many", word=excerpt(words.peek()))
        except Wrong as wrong:
            raise self.error(ctx, wrong.key, **wrong.values) from None
        return Parsed(values)

    @property
    def names_group(self) -> bool:
        """Whether one of the arguments is a group (the group the command acts on)."""
        return any(isinstance(reader, Group) for reader in self.readers.values())

    def group(self, ctx: Context) -> model.Group | None:
        """The group the arguments name, read as :meth:`read` reads it; None if none is read.

        Core checks the roles held in that group before the command runs.
        """
        words = Words(ctx.command.args if ctx.command else "")
        for reader in self.readers.values():
            try:
                value = reader.take(words, ctx)
            except Wrong:
                return None
            if isinstance(reader, Group):
                return value if isinstance(value, model.Group) else None
        return None

    def usage(self, ctx: Context) -> str:
        """The usage sentence, in the sender's language: ``Write it as /bind <group id>.``"""
        _ = ctx._
        name = ctx.command.name if ctx.command else ""
        parts = [f"/{name}"]
        for reader in self.readers.values():
            parts.append(f"[{_(reader.name)}]" if reader.optional else f"<{_(reader.name)}>")
        return _(self.usage_key, usage=" ".join(parts))

    def error(self, ctx: Context, key: str, **values: object) -> ArgumentError:
        """An ArgumentError saying catalogue ``key`` (with ``values``), then the usage."""
        _ = ctx._
        return ArgumentError(
            _("arguments.error", problem=_(key, **values), usage=self.usage(ctx)), key
        )


def listing(_: Translator, items: Iterable[str]) -> str:
    """``items`` as a list in the reader's language, at most :data:`LISTED` of them."""
    items = list(items)
    shown = _.join(items[:LISTED])
    return shown + "…" if len(items) > LISTED else shown or "—"


def _plain(text: str) -> str:
    """``text`` as compared: full-width forms as ASCII, any letter case."""
    return unicodedata.normalize("NFKC", text).casefold()


def plain_word(text: str) -> str:
    """A word typed alone, as compared: full-width forms as ASCII, any letter case, without the
    full stop or exclamation mark ending it (``确认。``, ``ＣＯＮＦＩＲＭ！`` are ``确认``, ``confirm``)."""
    return _plain(text).strip().rstrip("。.!！").rstrip()


def _unique(found: Iterable[T]) -> T | None:
    """The one item of ``found``, or None when there is none or more than one."""
    items = list(found)
    return items[0] if len(items) == 1 else None


# -- people and groups ----------------------------------------------------------------


def group_named(community: model.Community, word: str) -> model.Group | None:
    """The group ``word`` names: its id (any letter case), or its name when that is one word.

    What the :class:`Group` reader reads.
    """
    found = community.group(word)
    if found is not None:
        return found
    plain = _plain(word)
    groups = community.groups
    return _unique(g for g in groups if _plain(g.id) == plain) or _unique(
        g for g in groups if _plain(g.name) == plain
    )


class Group(Reader):
    """A group of the community: its id, or its one-word name."""

    name = "arguments.name.group"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        group = group_named(ctx.community, word)
        if group is None:
            known = listing(ctx._, (g.id for g in ctx.community.groups))
            raise Wrong("arguments.unknown_group", word=excerpt(word), known=known)
        words.take()
        return group


class Person(Reader):
    """Someone the command is about: ``@handle``, a person id, a name, or whoever was answered."""

    name = "arguments.name.person"

    def take(self, words: Words, ctx: Context) -> Any:
        replied = ctx.event.reply_to_sender if isinstance(ctx.event, Message) else None
        if not words.left:
            return _by_handle(ctx, replied) if replied else MISSING
        word = words.peek()
        handle = unicodedata.normalize("NFKC", word)  # ＠ from a Chinese input method is @
        if handle.startswith("@"):
            person = _known_by_handle(ctx, handle)
            if person is None:
                raise Wrong("arguments.unknown_person", word=excerpt(word))
            words.take()
            return person
        for count in (3, 2, 1):  # the longest name first: "Gao Lin" before the id "gao"
            person = _by_name(ctx, words.peek(count)) if count <= words.left else None
            if person is None and count == 1:
                person = _by_id(ctx.community, word)
            if person is not None:
                words.take(count)
                return person
        if replied:
            return _by_handle(ctx, replied)
        raise Wrong("arguments.unknown_person", word=excerpt(word))


def _by_id(community: model.Community, word: str) -> model.Person | None:
    """The known person whose id in the community file is ``word`` (any letter case)."""
    plain = _plain(word)
    return community.person(word) or _unique(p for p in community.people if _plain(p.id) == plain)


def _by_name(ctx: Context, typed: str) -> model.Person | None:
    """The known person called ``typed`` (any case and spacing); raises Wrong if several are."""
    name = _plain(" ".join(typed.split()))
    named = [p for p in ctx.community.people if p.name and _plain(" ".join(p.name.split())) == name]
    if len(named) > 1:
        ids = ctx._.join(p.id for p in named[:LISTED])
        raise Wrong("arguments.person_ambiguous", word=excerpt(typed), ids=ids)
    return named[0] if named else None


def _by_handle(ctx: Context, handle: str) -> model.Person:
    """Whoever has ``handle`` on this event's network, known or not."""
    return ctx.person_with(handle)


def _known_by_handle(ctx: Context, word: str) -> model.Person | None:
    """Whom an ``@handle`` names: a known person, or someone who wrote lately (Matrix handles
    begin with ``@`` themselves)."""
    return ctx.person_seen(word) or ctx.person_seen(word[1:])


# -- durations and moments ------------------------------------------------------------

_NUMBER = r"\s*([0-9]{1,5})\s*"
_DAYS = "(?:days?|d|天|日)"
_HOURS = "(?:hours?|hrs?|h|个?小时|个?钟头|时)"
_HALF_HOURS = r"(?:\s*([0-9]{1,5})\s*个)?(半)个?(?:小时|钟头)"
_MINUTES = "(?:minutes?|mins?|m|分钟?)"
_DURATION = re.compile(
    f"(?:{_NUMBER}{_DAYS})?(?:{_NUMBER}{_HOURS}|{_HALF_HOURS})?(?:{_NUMBER}{_MINUTES})?",
    re.IGNORECASE,
)
_CHINESE_DIGITS = {
    c: n
    for n, cs in enumerate(("零", "一", "二两", "三", "四", "五", "六", "七", "八", "九"))
    for c in cs
}
_CHINESE_NUMBER = re.compile(f"[{''.join(_CHINESE_DIGITS)}十]+")


def _chinese_number(numeral: str) -> str:
    """``numeral`` (一 to 九十九: ``两``, ``十五``, ``二十``) in digits; ``?`` if it is none."""
    tens, ten, units = numeral.partition("十")
    if not ten:
        return str(_CHINESE_DIGITS[tens]) if len(tens) == 1 else "?"
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return "?"
    return str(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(units, 0))


def duration(text: str) -> timedelta | None:
    """The duration ``text`` says (``1h30m``, ``2小时``, ``半小时``, ``90 min``), or None."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = _CHINESE_NUMBER.sub(lambda m: _chinese_number(m.group()), text)
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        return None
    days, hours, half_of, half, minutes = match.groups()
    found = timedelta(
        days=int(days or 0),
        hours=int(hours or half_of or 0),
        minutes=int(minutes or 0) + (30 if half else 0),
    )
    return found if found else None


class Duration(Reader):
    """A length of time, as a :class:`~datetime.timedelta`: ``30m``, ``2h``, ``3d``, ``1h30m``."""

    name = "arguments.name.duration"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        for count in (4, 3, 2, 1):  # "1 h 30 min", "90 min" before "90"
            if count <= words.left:
                found = duration(words.peek(count))
                if found is not None:
                    words.take(count)
                    return found
        raise Wrong("arguments.bad_duration", word=excerpt(words.peek()))


_DATE = (
    r"(?:([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})[日号]?)"
    r"|([0-9]{1,2})月([0-9]{1,2})[日号]?)"
)
_DAY = "(today|tomorrow|今天|明天|后天)"
_PART = "(上午|早上|早晨|凌晨|中午|下午|傍晚|晚上)"
_TIME = r"([0-9]{1,2})(?::([0-9]{2})|点(?:([0-9]{1,2})分?|(半))?)"
_MOMENT = re.compile(f"(?:{_DATE}(?:t|\\s+)?|{_DAY}\\s*)?(?:{_PART}\\s*)?{_TIME}")
_DAY_ONLY = re.compile(f"{_DATE}|{_DAY}")
_DAYS_ON = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "后天": 2}
_MORNING = ("上午", "早上", "早晨", "凌晨")

#: A moment may be at most this many years from the message (a datetime ends at 9999).
YEARS_AWAY = 100


def _now(ctx: Context, zone: ZoneInfo) -> datetime:
    """When the message was written, in ``zone`` (the bot's clock, if the network did not say)."""
    if ctx.event.time > 0:
        try:
            return datetime.fromtimestamp(ctx.event.time, zone)
        except (OverflowError, OSError, ValueError):
            pass
    return ctx.now().astimezone(zone)


def _day(groups: tuple[str | None, ...], now: datetime) -> date:
    """The day that :data:`_DATE` and :data:`_DAY`'s ``groups`` say; raises ValueError."""
    year, month, day, cn_month, cn_day, this_month, this_day, day_word = groups
    if year:
        return date(int(year), int(month or cn_month or 0), int(day or cn_day or 0))
    if this_month:
        return date(now.year, int(this_month), int(this_day or 0))
    return now.date() + timedelta(days=_DAYS_ON.get(day_word or "", 0))


def _hour(part: str | None, hour: int) -> int:
    """The hour of the 24-hour clock that ``hour`` is in the part of the day ``part`` (下午…)."""
    if part is None:
        return hour
    if part in _MORNING and hour <= 12:
        return hour
    if part == "中午" and hour in (11, 12):
        return hour
    if (1 <= hour <= 11 and part != "中午") or (part == "中午" and 1 <= hour <= 3):
        return hour + 12
    if part == "下午" and hour == 12:
        return hour
    raise ValueError(f"{part}{hour}点")


def moment(text: str, now: datetime) -> datetime | None:
    """The date and time ``text`` says, in ``now``'s time zone, or None (see the module's list)."""
    match = _MOMENT.fullmatch(_plain(text).strip())
    if match is None:
        return None
    *on, part, hour, minute, cn_minute, half = match.groups()
    year, this_month, day_word = on[0], on[5], on[7]
    minutes = 30 if half else int(minute or cn_minute or 0)
    try:
        day = _day(tuple(on), now)
        found = datetime(
            day.year, day.month, day.day, _hour(part, int(hour)), minutes, tzinfo=now.tzinfo
        )
        if found <= now and this_month:  # a day without its year: its next coming
            found = found.replace(year=found.year + 1)
        elif found <= now and not year and not day_word:  # a time alone: its next coming
            found += timedelta(days=1)
    except (ValueError, OverflowError):
        return None
    return found


class Moment(Reader):
    """A date and time in the community's time zone, as an aware :class:`~datetime.datetime`."""

    name = "arguments.name.moment"

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        now = _now(ctx, ZoneInfo(ctx.community.community.timezone))
        for count in (2, 1):  # "2026-12-01 18:00", "明天 9:00" before "18:00"
            if count <= words.left:
                found = moment(words.peek(count), now)
                if found is not None:
                    if abs(found.year - now.year) > YEARS_AWAY:
                        first, last = now.year - YEARS_AWAY, now.year + YEARS_AWAY
                        raise Wrong("arguments.moment_out_of_range", first=first, last=last)
                    words.take(count)
                    return found
        word = words.peek()
        day_only = _DAY_ONLY.fullmatch(_plain(word))
        if day_only is None:
            raise Wrong("arguments.bad_moment", word=excerpt(word))
        # A day is no personal data (at most eight digits): it is quoted as typed.
        try:
            _day(day_only.groups(), now)
        except ValueError:
            raise Wrong("arguments.bad_moment", word=day_only.group()) from None
        raise Wrong("arguments.moment_needs_time", word=day_only.group())


# -- words ----------------------------------------------------------------------------

Choices = Iterable[str] | Callable[["Context"], Iterable[str]]


class Word(Reader):
    """One word; with ``choices`` (words, or a function of the context giving them), one of them.

    A choice is given back as the choice is written, whatever the letter case typed.
    """

    def __init__(
        self,
        *,
        choices: Choices | None = None,
        name: str = "",
        optional: bool = False,
        default: Any = None,
    ) -> None:
        super().__init__(name=name, optional=optional, default=default)
        self.choices = choices if callable(choices) or choices is None else tuple(choices)

    def _choices(self, ctx: Context) -> Iterator[str]:
        choices = self.choices
        yield from (choices(ctx) if callable(choices) else choices or ())

    def take(self, words: Words, ctx: Context) -> Any:
        if not words.left:
            return MISSING
        word = words.peek()
        if self.choices is not None:
            choices = list(self._choices(ctx))
            chosen = next((c for c in choices if _plain(c) == _plain(word)), None)
            if chosen is None:
                raise Wrong(
                    "arguments.not_a_choice", word=excerpt(word), choices=listing(ctx._, choices)
                )
            word = chosen
        words.take()
        return word


class Rest(Reader):
    """The rest of the text as typed (line breaks and inner spaces kept)."""

    name = "arguments.name.text"

    def take(self, words: Words, ctx: Context) -> Any:
        return words.rest() or MISSING
