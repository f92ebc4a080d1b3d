"""Small plugins the tests register: one that hears messages, one command reading a person."""

from __future__ import annotations

from sanshe.core.actions import Action, Restrict
from sanshe.core.arguments import Arguments, Duration, Person
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl


class Heard:
    """Keeps the messages the plugins are given (commands aside), as core gave them."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    @hookimpl
    def sanshe_message(self, context: Context) -> None:
        assert isinstance(context.event, Message)
        self.messages.append(context.event)


class Mute:
    """``/hush <person> <duration>``: a command reading a person (a reply names them) and a time
    (not ``/mute``, the sanctions plugin's)."""

    spec = Arguments(who=Person(), length=Duration())

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("hush", self.mute, help="arguments.name.duration")]

    def mute(self, ctx: Context) -> Action:
        found = self.spec.read(ctx)
        minutes = int(found.length.total_seconds() // 60)
        return Restrict(chat=ctx.event.chat, user=ctx.handle_of(found.who) or "", minutes=minutes)
