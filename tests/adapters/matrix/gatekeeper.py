"""A small test plugin: answers ``ping``, lets group admins admit or refuse join requests.

Its commands are ``/admit`` and ``/refuse``: ``/approve`` and ``/decline`` are the joining
plugin's.

It also keeps every non-message event it sees in :data:`SEEN`, so tests can check what
the adapter reported.
"""

from __future__ import annotations

from collections.abc import Iterable

from sanshe.core.actions import Action, ApproveJoin, DeclineJoin, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Event, JoinRequest
from sanshe.core.hookspecs import hookimpl

SEEN: list[Event] = []
ADMINS = frozenset({"group_admin"})


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand("admit", admit, help="admit", roles=ADMINS, where="group"),
        ChatCommand("refuse", refuse, help="refuse", roles=ADMINS, where="group"),
        ChatCommand("dm", direct, help="dm"),
    ]


def admit(ctx: Context) -> Action:
    """``/admit @user``: let a person who knocked in."""
    assert ctx.command is not None
    return ApproveJoin(chat=ctx.event.chat, user=ctx.command.args)


def refuse(ctx: Context) -> Action:
    """``/refuse @user reason``: turn away a person who knocked."""
    assert ctx.command is not None
    user, _, reason = ctx.command.args.partition(" ")
    return DeclineJoin(chat=ctx.event.chat, user=user, reason=reason)


def direct(ctx: Context) -> Action:
    """``/dm text``: the bot writes ``text`` to the sender privately."""
    assert ctx.command is not None
    return ctx.direct(ctx.command.args)


@hookimpl
def sanshe_message(context: Context) -> Action | None:
    if context.text.startswith("ping"):
        return context.reply("pong" + context.text[4:])
    return None


@hookimpl
def sanshe_event(context: Context) -> Action | None:
    SEEN.append(context.event)
    event = context.event
    if isinstance(event, JoinRequest):
        return Send(chat=event.chat, text=f"join request: {event.sender} ({event.note})")
    return None
