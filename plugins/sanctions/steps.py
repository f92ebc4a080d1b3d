"""The rule actions ``mute``, ``remove`` and ``ban``: a rule's sanctions on a message's sender.

::

    do:
      - mute: 2h        # or minutes: 30; no value: an hour; lifts itself on time
      - remove          # out of this group's chats (they may ask again)
      - ban: 7d         # out of every group of the community; no value: until /unban

Each is logged like the commands' (the rule named as who decided), and a
rule's ``dry_run`` (or ``plugins: dry_run: [sanctions]``) only reports them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanshe.core.actions import Action
from sanshe.core.arguments import duration
from sanshe.core.context import Context
from sanshe.core.i18n import Translator
from sanshe.core.rules import RuleAction

from . import bans, mutes, removals
from .banlist import BANS
from .chats import community_admin, community_words
from .lengths import LONGEST, spoken

#: How long a rule's ``mute`` without a value lasts.
MUTE_LENGTH = timedelta(hours=1)


def _length(value: Any) -> timedelta:
    """A rule's length: minutes (``30``) or a length of time (``2h``, ``1h30m``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        # more minutes than LONGEST holds are refused as too long before timedelta overflows
        found: timedelta | None = timedelta(minutes=min(value, LONGEST // timedelta(minutes=1) + 1))
    elif isinstance(value, str):
        found = duration(value)
    else:
        found = None
    if found is None:
        raise ValueError("sanctions.parse.length")
    if found > LONGEST:
        raise ValueError("sanctions.parse.too_long", {"longest": "366d"})
    return found


def _mute_length(value: Any) -> timedelta:
    return MUTE_LENGTH if value is None else _length(value)


def _ban_length(value: Any) -> timedelta | None:
    return None if value is None else _length(value)


def _no_value(value: Any) -> None:
    if value is not None:
        raise ValueError("sanctions.parse.no_value")


def _by(ctx: Context) -> tuple[str, str]:
    """The rule as who decided: its name in the community's language, and ``rule:<id>``."""
    fired = ctx.fired
    if fired is None:
        return "", "rule:"
    rule = fired.rule
    _ = community_words(ctx)
    name = _.pick(rule.description) if rule.description else rule.id
    return _("sanctions.by_rule", rule=name), f"rule:{rule.id}"


def _reason(ctx: Context) -> str:
    """A rule's sanction gives as its reason the rule (its description, else its id)."""
    fired = ctx.fired
    if fired is None:
        return ""
    rule = fired.rule
    return community_words(ctx).pick(rule.description) if rule.description else rule.id


def _mute(ctx: Context, length: timedelta) -> list[Action]:
    if ctx.group is None:
        return []
    by, _key = _by(ctx)
    return mutes.mute(ctx, ctx.group, ctx.person, length, _reason(ctx), by)


def _remove(ctx: Context, _value: None) -> list[Action]:
    if ctx.group is None:
        return []
    by, _key = _by(ctx)
    return removals.remove(ctx, ctx.group, ctx.person, _reason(ctx), by)


def _ban(ctx: Context, length: timedelta | None) -> list[Action]:
    person = ctx.person
    if BANS.of_person(person.id) is not None or community_admin(ctx, person):
        return []  # banned already (kept out as it is), or one of the community's admins
    by, key = _by(ctx)
    return bans.ban(ctx, person, length, _reason(ctx), by, key)


def _describe_ban(_: Translator, length: timedelta | None) -> str:
    if length is None:
        return _("sanctions.do.ban")
    return _("sanctions.do.ban_for", length=spoken(_, length))


def rule_actions() -> list[RuleAction]:
    """The sanctions a rule may take."""
    return [
        RuleAction(
            "mute",
            _mute,
            lambda _, v: _("sanctions.do.mute", length=spoken(_, v)),
            _mute_length,
        ),
        RuleAction("remove", _remove, lambda _, v: _("sanctions.do.remove"), _no_value),
        RuleAction("ban", _ban, _describe_ban, _ban_length),
    ]
