"""Moderation: the vocabulary of the service rules moderators write in YAML, and ``/report``.

Rule conditions: :mod:`.conditions` (sender roles, commands, personal data),
:mod:`.links` (links outside a whitelist, authoritative sources), :mod:`.flood`
(too many messages too fast).  Rule actions: :mod:`.actions` (delete, reply,
tell the admins, move to a private chat), :mod:`.notices` (clarify in the chat,
remind privately).  :mod:`.report` is ``/report``; :mod:`.trying` is ``sanshe
rules test``, which runs sample messages through the rules offline::

    - id: no-private-data
      where: {kinds: [resident]}
      when: {personal_data: [phone, id_number]}
      do: [delete, move_to_private]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.commands import ChatCommand
from sanshe.core.hookspecs import hookimpl
from sanshe.core.rules import Condition, RuleAction
from sanshe.core.verbs import CliCommand

from . import actions, conditions, flood, links, notices, report, trying


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_rule_conditions() -> Iterable[Condition]:
    return [*conditions.conditions(), *links.conditions(), *flood.conditions()]


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return [*actions.actions(), *notices.actions()]


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return report.commands()


@hookimpl
def sanshe_cli_commands() -> Iterable[CliCommand]:
    return trying.commands()
