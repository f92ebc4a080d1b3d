"""Warnings, then removal: ``/warn``, ``/warnings``, ``/unwarn`` and the rules' ``warn`` step.

A group's admins warn a member (answering their message, or naming them) with a
reason; service rules warn with the moderators' text::

    do:
      - delete
      - warn: {zh_CN: 请只转发官方发布的信息。, en: "please share only official information."}

Every warning is kept and counts in its group for a while; the member who
reaches the limit is removed (or banned, or muted: by the sanctions plugin, so
that ``/unmute``, ``/bans`` and ``/unban`` know of it), and told privately why::

    plugins:
      warnings: {limit: 3, within: 30d, then: remove}

With ``plugins: dry_run: [warnings]`` the limit is only reported to the
moderation log.  Every warning, withdrawal and removal is audited and goes to
the moderation log (``community: moderation_log:``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sanshe.core.actions import Action, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import LOCALES, Translator
from sanshe.core.model import Person
from sanshe.core.privacy import excerpt
from sanshe.core.rules import RuleAction
from sanshe.core.storage.models import stored_person
from sanshe.core.storage.tables import Tables
from sanshe.core.storage.writes import Writes

from .commands import UNWARN, WARN, WARNINGS, show, unwarn, warn
from .models import WarningEntry
from .sanctions import PLUGIN, Warned, give
from .settings import WarningSettings


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


@hookimpl
def sanshe_tables() -> Tables:
    return Tables(app=PLUGIN, models=f"{__name__}.models", migrations=f"{__name__}.migrations")


@hookimpl
def sanshe_settings() -> type[WarningSettings]:
    return WarningSettings


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    admins = frozenset({"group_admin"})
    return [
        ChatCommand(
            "warn",
            warn,
            help="warnings.help.warn",
            aliases=("警告",),
            roles=admins,
            where="group",
            arguments=WARN,
        ),
        ChatCommand(
            "warnings",
            show,
            help="warnings.help.warnings",
            aliases=("警告记录",),
            arguments=WARNINGS,
        ),
        ChatCommand(
            "unwarn",
            unwarn,
            help="warnings.help.unwarn",
            aliases=("撤销警告",),
            roles=admins,
            where="group",
            arguments=UNWARN,
        ),
    ]


def _text(value: Any) -> Any:
    """A rule's reason: text, or text per language (``{zh_CN: …, en: …}``); None: the default."""
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return value
    raise ValueError("warnings.parse.text")


async def _warn(ctx: Context, text: Any) -> list[Action]:
    """A rule's warning to the sender: counted in the group like an admin's, the rule its source."""
    _ = ctx._
    catalogue = _.catalogue
    reason = text or {n: Translator(catalogue, n)("warnings.default_reason") for n in LOCALES}
    event = ctx.event
    name = excerpt(ctx.person.name or event.sender_name or event.sender)
    if ctx.group is None or not event.sender:  # no group to count it in: only the reminder
        said = _("warnings.reminder", name=name, reason=_.pick(reason))
        return [Send(chat=event.chat, text=said)]
    assert ctx.fired is not None  # set by the rules engine while a rule's steps run
    warned = Warned(ctx.person, event.sender, name, ctx.group, event.chat)
    # A deleted message cannot be answered: the notice is posted in the chat.
    return await give(ctx, warned, reason, rule_id=ctx.fired.rule.id)


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return [RuleAction("warn", _warn, lambda _, v: _("warnings.do.warn"), _text)]


@hookimpl
async def sanshe_person_export(person: Person) -> dict[str, Any] | None:
    """The warnings the person was given."""
    entries = await WarningEntry.filter(person=stored_person(person.id)).order_by("at", "id")
    if not entries:
        return None
    return {
        "warnings": [
            {
                "group": e.group_id,
                "reason": e.reason,
                "rule": e.rule_id,
                "at": e.at.isoformat(),
                "withdrawn_at": e.withdrawn_at.isoformat() if e.withdrawn_at else None,
            }
            for e in entries
        ]
    }


@hookimpl
def sanshe_person_erase(person: Person, writes: Writes) -> None:
    """The person's warnings go; the warnings they gave no longer name them."""
    key = stored_person(person.id)
    writes.run(lambda db: WarningEntry.filter(person=key).using_db(db).delete())
    writes.run(lambda db: WarningEntry.filter(by=key).using_db(db).update(by=""))
