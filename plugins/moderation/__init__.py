"""Moderation: the vocabulary of the service rules moderators write in YAML.

Rule conditions (:mod:`.conditions`: sender roles, personal data…) and rule
actions (:mod:`.actions`: delete, reply, tell the admins…)::

    - id: no-private-data
      where: {kinds: [resident]}
      when: {personal_data: [phone, id_number]}
      do: [delete, move_to_private]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sanshe.core.actions import Action, Ban, Remove, Restrict
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.rules import Condition, RuleAction

from . import actions, conditions
from .actions import no_value as _no_value


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_rule_conditions() -> Iterable[Condition]:
    return conditions.conditions()


def _minutes(value: Any) -> int:
    if value is None:
        return 60
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError("moderation.parse.minutes")


def _remove(ctx: Context, _value: None) -> Action:
    return Remove(chat=ctx.event.chat, user=ctx.event.sender, reason=ctx._("moderation.removed"))


def _ban(ctx: Context, _value: None) -> Action:
    return Ban(chat=ctx.event.chat, user=ctx.event.sender, reason=ctx._("moderation.removed"))


def _mute(ctx: Context, minutes: int) -> Action:
    return Restrict(
        chat=ctx.event.chat,
        user=ctx.event.sender,
        minutes=minutes,
        reason=ctx._("moderation.removed"),
    )


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return [
        *actions.actions(),
        RuleAction("remove", _remove, lambda _, v: _("moderation.do.remove"), _no_value),
        RuleAction("ban", _ban, lambda _, v: _("moderation.do.ban"), _no_value),
        RuleAction("mute", _mute, lambda _, v: _("moderation.do.mute", minutes=v), _minutes),
    ]
