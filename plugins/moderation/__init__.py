"""Moderation: rule conditions (sender roles, personal data) and rule actions (delete, warn…).

These are the vocabulary of the service rules moderators write in YAML::

    - id: no-private-data
      where: {kinds: [resident]}
      when: {personal_data: [phone, id_number]}
      do: [delete, move_to_private]
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sanshe.core.actions import Action, Ban, Delete, Remove, Restrict, Send
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.i18n import Translator
from sanshe.core.model import Community, all_roles
from sanshe.core.names import role_name
from sanshe.core.privacy import DETECTORS, excerpt, personal_data
from sanshe.core.rules import Condition, Fired, RuleAction


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]


def _roles(value: Any, community: Community) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(r, str) for r in items):
        raise ValueError("moderation.parse.roles")
    known = all_roles(community)
    unknown = [r for r in items if r not in known]
    if unknown:
        raise ValueError(
            "moderation.parse.unknown_role", {"role": unknown[0], "known": ", ".join(sorted(known))}
        )
    return frozenset(items)


def _detectors(value: Any) -> tuple[str, ...]:
    if value is None or value is True:
        return tuple(DETECTORS)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(item, str) and item in DETECTORS for item in items
    ):
        raise ValueError("moderation.parse.personal_data")
    return tuple(items)


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return value
    raise ValueError("moderation.parse.text")


def _optional_text(value: Any) -> Any:
    return None if value is None else _text(value)


def _minutes(value: Any) -> int:
    if value is None:
        return 60
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError("moderation.parse.minutes")


def _no_value(value: Any) -> None:
    if value is not None:
        raise ValueError("moderation.parse.no_value")


def _role_names(_: Translator, roles: Iterable[str], community: Community) -> str:
    return _.join(role_name(community, r, _) for r in sorted(roles))


@hookimpl
def sanshe_rule_conditions() -> Iterable[Condition]:
    return [
        Condition(
            "sender_role",
            check=lambda ctx, roles: ctx.has_role(roles),
            describe=lambda _, roles, community: _(
                "moderation.when.sender_role", roles=_role_names(_, roles, community)
            ),
            parse=_roles,
        ),
        Condition(
            "not_sender_role",
            check=lambda ctx, roles: not ctx.has_role(roles),
            describe=lambda _, roles, community: _(
                "moderation.when.not_sender_role", roles=_role_names(_, roles, community)
            ),
            parse=_roles,
        ),
        Condition(
            "personal_data",
            check=lambda ctx, kinds: bool(personal_data(ctx.text, kinds)),
            describe=lambda _, kinds: _("moderation.when.personal_data"),
            parse=_detectors,
            found=lambda ctx, kinds: personal_data(ctx.text, kinds),
        ),
    ]


def _message_id(ctx: Context) -> str | None:
    event = ctx.event
    return event.message_id if isinstance(event, Message) and event.message_id else None


def _delete(ctx: Context, _value: None) -> Action | None:
    message_id = _message_id(ctx)
    return Delete(chat=ctx.event.chat, message_id=message_id) if message_id else None


def _reply(ctx: Context, text: Any) -> Action:
    return ctx.reply(ctx._.pick(text))


def _warn(ctx: Context, text: Any) -> Action:
    reason = ctx._.pick(text) if text else ctx._("moderation.warn.default")
    name = excerpt(ctx.person.name or ctx.event.sender_name or ctx.event.sender)
    # A deleted message cannot be replied to: post the warning in the chat.
    return Send(chat=ctx.event.chat, text=ctx._("moderation.warn", name=name, reason=reason))


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


def _tell_admins(ctx: Context, text: Any) -> list[Action]:
    """Tell the group's admins privately: which rule fired, on whose message, on what kind of content."""
    group = ctx.group
    if group is None:
        return []
    actions = []
    for admin in ctx.admins(group):
        handle = ctx.handle_of(admin)
        if handle is None or handle == ctx.event.sender:
            continue
        _ = ctx.translator(admin)
        note = _.pick(text) if text else _("moderation.tell_admins.default")
        who = ctx.person.name or ctx.event.sender_name or ctx.event.sender
        rule, content = _what_fired(ctx.fired, _)
        alert = _(
            "moderation.tell_admins",
            group=group.name,
            who=who,
            rule=rule,
            content=content,
            note=note,
        )
        actions.append(ctx.direct(alert, user=handle))
    return actions


def _what_fired(fired: Fired | None, _: Translator) -> tuple[str, str]:
    """The rule's name (its description, else its id) and the kinds of content it matched."""
    if fired is None:
        return "", _("moderation.content.conditions")
    rule = _.pick(fired.rule.description) if fired.rule.description else fired.rule.id
    kinds = [_(f"content.{kind}") for kind in fired.kinds]
    if fired.keywords:
        words = _.join(f"“{k}”" for k in fired.keywords)
        kinds.insert(0, _("content.keyword", words=words))
    return rule, _.join(kinds) or _("moderation.content.conditions")


def _move_to_private(ctx: Context, _value: None) -> list[Action]:
    _ = ctx._
    return [
        ctx.reply(_("moderation.private.group")),
        ctx.direct(_("moderation.private.direct", group=ctx.group.name if ctx.group else "")),
    ]


@hookimpl
def sanshe_rule_actions() -> Iterable[RuleAction]:
    return [
        RuleAction("delete", _delete, lambda _, v: _("moderation.do.delete"), _no_value),
        RuleAction("reply", _reply, lambda _, v: _("moderation.do.reply", text=_.pick(v)), _text),
        RuleAction("warn", _warn, lambda _, v: _("moderation.do.warn"), _optional_text),
        RuleAction("remove", _remove, lambda _, v: _("moderation.do.remove"), _no_value),
        RuleAction("ban", _ban, lambda _, v: _("moderation.do.ban"), _no_value),
        RuleAction("mute", _mute, lambda _, v: _("moderation.do.mute", minutes=v), _minutes),
        RuleAction(
            "tell_admins", _tell_admins, lambda _, v: _("moderation.do.tell_admins"), _optional_text
        ),
        RuleAction(
            "move_to_private",
            _move_to_private,
            lambda _, v: _("moderation.do.move_to_private"),
            _no_value,
        ),
    ]
