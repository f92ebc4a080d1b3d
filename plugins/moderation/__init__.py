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

from sanshe.core.hookspecs import hookimpl
from sanshe.core.rules import Condition, RuleAction

from . import actions, conditions


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_rule_conditions() -> Iterable[Condition]:
    return conditions.conditions()


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return actions.actions()
