"""``sanshe rules test FILE``: sample messages through the community's rules, offline.

Each line of FILE is a message, ``group-id: text`` (from someone with no role
there: the group's member) or ``who@group-id: text`` (``who`` a console
handle of the community file, as ``wang``); blank lines and lines starting
with ``#`` are skipped.  For each message it prints which rules fire and what
each would do, in the community's language, or that none does.  Nothing is
done to anyone and nothing reaches a network: the bot runs on an offline
adapter (:mod:`sanshe.core.offline`) and, unless ``--db`` says otherwise, an in-memory database.

A line may begin with when it is written: ``+5s`` (5 seconds after the line
before; ``+2m``, ``+1h``, ``+5秒``, ``+2分钟`` too, a bare ``+5`` is seconds) or
a clock time, ``12:00:05`` or ``12:00``, in the community's time zone on the
day of the run (never before the line above).  A line without one is written
:data:`STEP` after the one before; the first at the time of the run.  The bot
runs on that time, so a flood rule (N messages within T seconds) and the rules
reading who is on shift judge each line as they would live; once a line gives a
time, each printed message shows it.  Exit status 1 for a line that is no
message of a group the community has, or whose time cannot be read.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sanshe.core.bot import Bot
from sanshe.core.clock import SystemClock
from sanshe.core.events import Message
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.offline import OfflineAdapter
from sanshe.core.privacy import excerpt
from sanshe.core.verbs import CliCommand, Invocation

from .lengths import spoken

_LINE = re.compile(
    r"(?:(?P<at>\+\S*|[0-9]{1,2}:\S*)\s+)?"
    r"(?:(?P<who>[^@:：\s]+)@)?(?P<group>[^@:：\s]+)\s*[:：]\s?(?P<text>.*)"
)
_AFTER = re.compile(r"\+([0-9]{1,5})(s|sec|秒|秒钟|m|min|分|分钟|h|小时)?", re.IGNORECASE)
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_UNIT = {"m": 60, "min": 60, "分": 60, "分钟": 60, "h": 3600, "小时": 3600}
#: How long after the line before a line without a time is written.
STEP = timedelta(seconds=1)
#: Who writes a line that names no one: a person the community file does not know.
SOMEONE = "someone"
#: How much of each line is repeated above its verdicts (personal data masked).
SHOWN = 60


class SampleClock:
    """The bot's clock during the run: the time the sample being judged is written at."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def time(self) -> float:
        return self.at.timestamp()


class BadTime(ValueError):
    """A line's time that cannot be read, or that goes back before the line above."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def written_at(at: str, before: datetime, zone: ZoneInfo, *, first: bool) -> datetime:
    """When a line beginning with ``at`` (``+5s``, ``12:00:05``) is written, the line above at
    ``before`` (the ``first`` message: ``before`` is the time of the run, and a clock time may
    be earlier that day)."""
    after = _AFTER.fullmatch(at)
    if after is not None:
        seconds = int(after[1]) * _UNIT.get((after[2] or "s").lower(), 1)
        return before + timedelta(seconds=seconds)
    stamp = _CLOCK.fullmatch(at)
    try:
        clock = time(int(stamp[1]), int(stamp[2]), int(stamp[3] or 0)) if stamp else None
    except ValueError:
        clock = None
    if clock is None:
        raise BadTime("moderation.cli.bad_time", time=excerpt(at, 20))
    day = before.astimezone(zone).date()
    when = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    if when < before and not first:
        shown = before.astimezone(zone).strftime("%H:%M:%S")
        raise BadTime("moderation.cli.time_back", time=excerpt(at, 20), before=shown)
    return when


def add_arguments(parser: argparse.ArgumentParser, _: Translator) -> None:
    parser.add_argument("what", choices=("test",), help=_("moderation.cli.what"))
    parser.add_argument("file", help=_("moderation.cli.file"))
    parser.set_defaults(db="sqlite://:memory:")  # offline: a database of its own, thrown away


async def test_rules(invocation: Invocation) -> int:
    """Print each sample message's verdicts; 1 if a line could not be read as a message."""
    __ = invocation._
    try:
        lines = Path(invocation.args.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(__("moderation.cli.unreadable", path=invocation.args.file, error=type(exc).__name__))
        return 1
    community = invocation.community
    zone = ZoneInfo(community.community.timezone)
    clock = SampleClock(SystemClock().now())
    bot = Bot(
        community,
        OfflineAdapter(),
        invocation.storage,
        pm=invocation.plugins,
        config_path=invocation.config_path,
        clock=clock,
    )
    _ = bot.translator(Person(id="rules-test", known=False))  # the community's language
    wrong = messages = fired = 0
    samples = [
        (number, _LINE.fullmatch(unicodedata.normalize("NFKC", line).strip()))
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    timed = any(match and match["at"] for _number, match in samples)
    started = False
    await bot.start()
    try:
        for number, match in samples:
            group = community.group(match["group"]) if match else None
            if match is None or group is None:
                wrong += 1
                key = "moderation.cli.malformed" if match is None else "moderation.cli.no_group"
                print(_(key, number=number, group=excerpt(match["group"]) if match else ""))
                continue
            try:
                if match["at"]:
                    clock.at = written_at(match["at"], clock.at, zone, first=not started)
                elif started:
                    clock.at += STEP
            except BadTime as bad:
                wrong += 1
                print(_(bad.key, number=number, step=spoken(_, STEP), **bad.values))
                continue
            started = True
            who = match["who"] or SOMEONE
            event = Message(
                network=OfflineAdapter.network,
                chat=group.id,
                event_id=f"rules-test:{number}",
                sender=who,
                text=match["text"],
                message_id=str(number),
                time=bot.clock.now().timestamp(),
            )
            verdicts = await bot.rules.verdicts(bot.context(event), _)
            messages += 1
            fired += bool(verdicts)
            shown = excerpt(match["text"], SHOWN)
            said = {"number": number, "group": group.id, "who": who, "text": shown}
            if timed:
                at = clock.at.astimezone(zone).strftime("%H:%M:%S")
                print(_("moderation.cli.message_at", time=at, **said))
            else:
                print(_("moderation.cli.message", **said))
            for rule, steps in verdicts:
                name = (
                    _("moderation.cli.rule", id=rule.id, description=_.pick(rule.description))
                    if rule.description
                    else rule.id
                )
                print(_("moderation.cli.fired", rule=name, do=_("rules.list_sep").join(steps)))
            if not verdicts:
                print(_("moderation.cli.no_rule"))
    finally:
        await bot.stop()
    print(_.plural("moderation.cli.summary", messages, messages=messages, fired=fired))
    return 1 if wrong else 0


def commands() -> list[CliCommand]:
    """``sanshe rules test``."""
    return [
        CliCommand(
            "rules", help="moderation.cli.rules", run=test_rules, add_arguments=add_arguments
        )
    ]
