"""Rule conditions about the sender and what they wrote: ``sender_role``, ``not_sender_role``,
``command`` (``false``: not a command of the bot's the sender may use here), ``personal_data``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sanshe.core.context import Context
from sanshe.core.events import Message, parse_command
from sanshe.core.i18n import Translator
from sanshe.core.model import Community, all_roles
from sanshe.core.names import role_name
from sanshe.core.privacy import KINDS, personal_data
from sanshe.core.rules import Condition


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
        return KINDS
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(item, str) and item in KINDS for item in items
    ):
        raise ValueError("moderation.parse.personal_data")
    return tuple(items)


def _yes_or_no(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("moderation.parse.yes_or_no")
    return value


async def _is_command(ctx: Context) -> bool:
    """Whether the event is a command to the bot (``/onduty``…), not something said to people:
    one of the bot's that the sender may use here (a slash before another word is said to
    people, so that it is no way round a rule)."""
    event = ctx.event
    command = parse_command(event.text) if isinstance(event, Message) else None
    if command is None:
        return False
    return await ctx.may_use(command.name)


async def _command_is(ctx: Context, wanted: bool) -> bool:
    return await _is_command(ctx) == wanted


def _role_names(_: Translator, roles: Iterable[str], community: Community) -> str:
    return _.join(role_name(community, r, _) for r in sorted(roles))


def conditions() -> list[Condition]:
    """The conditions about the sender's roles and personal data."""
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
            "command",
            check=_command_is,
            describe=lambda _, wanted: _(
                "moderation.when.command" if wanted else "moderation.when.not_command"
            ),
            parse=_yes_or_no,
        ),
        Condition(
            "personal_data",
            check=lambda ctx, kinds: bool(personal_data(ctx.text, kinds)),
            describe=lambda _, kinds: _(
                "moderation.when.personal_data", kinds=_.join(_(f"content.{k}") for k in kinds)
            ),
            parse=_detectors,
            found=lambda ctx, kinds: personal_data(ctx.text, kinds),
        ),
    ]
