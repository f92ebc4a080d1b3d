"""Rule conditions about the sender and what they wrote: ``sender_role``, ``not_sender_role``,
``command`` (``false``: not a command to the bot), ``personal_data``."""

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


def _is_command(ctx: Context) -> bool:
    """Whether the event is a command to the bot (``/onduty``…), not something said to people."""
    event = ctx.event
    return isinstance(event, Message) and parse_command(event.text) is not None


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
            check=lambda ctx, wanted: _is_command(ctx) == wanted,
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
