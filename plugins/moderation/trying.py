"""``sanshe rules test FILE``: sample messages through the community's rules, offline.

Each line of FILE is a message, ``group-id: text`` (from someone with no role
there: the group's member) or ``who@group-id: text`` (``who`` a console
handle of the community file, as ``wang``); blank lines and lines starting
with ``#`` are skipped.  For each message it prints which rules fire and what
each would do, in the community's language, or that none does.  Nothing is
done to anyone and nothing reaches a network: the bot runs on an offline
adapter (:mod:`sanshe.core.offline`) and, unless ``--db`` says otherwise, an in-memory database.  The
lines are read as written one after another just now (so that five quick
lines of one person may make a flood).  Exit status 1 for a line that is no
message of a group the community has.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

from sanshe.core.bot import Bot
from sanshe.core.events import Message
from sanshe.core.i18n import Translator
from sanshe.core.model import Person
from sanshe.core.offline import OfflineAdapter
from sanshe.core.privacy import excerpt
from sanshe.core.verbs import CliCommand, Invocation

_LINE = re.compile(r"(?:(?P<who>[^@:：\s]+)@)?(?P<group>[^@:：\s]+)\s*[:：]\s?(?P<text>.*)")
#: Who writes a line that names no one: a person the community file does not know.
SOMEONE = "someone"
#: How much of each line is repeated above its verdicts (personal data masked).
SHOWN = 60


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
    bot = Bot(
        community,
        OfflineAdapter(),
        invocation.storage,
        pm=invocation.plugins,
        config_path=invocation.config_path,
    )
    _ = bot.translator(Person(id="rules-test", known=False))  # the community's language
    wrong = messages = fired = 0
    await bot.start()
    try:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = _LINE.fullmatch(unicodedata.normalize("NFKC", line).strip())
            group = community.group(match["group"]) if match else None
            if match is None or group is None:
                wrong += 1
                key = "moderation.cli.malformed" if match is None else "moderation.cli.no_group"
                print(_(key, number=number, group=excerpt(match["group"]) if match else ""))
                continue
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
            print(_("moderation.cli.message", number=number, group=group.id, who=who, text=shown))
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
    print(_("moderation.cli.summary", messages=messages, fired=fired))
    return 1 if wrong else 0


def commands() -> list[CliCommand]:
    """``sanshe rules test``."""
    return [
        CliCommand(
            "rules", help="moderation.cli.rules", run=test_rules, add_arguments=add_arguments
        )
    ]
