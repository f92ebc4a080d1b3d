"""The minimal plugin of the README, kept here so that its example is known to work."""

from collections.abc import Iterable
from pathlib import Path

from sanshe.core.actions import Action
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl


@hookimpl
def sanshe_catalogues() -> Iterable[Path]:
    return [Path(__file__).parent / "locales"]  # en.po and zh_CN.po


@hookimpl
def sanshe_commands() -> Iterable[ChatCommand]:
    return [
        ChatCommand(
            "supplies",
            ask_supplies,
            help="mine.help.supplies",
            aliases=("物资",),
            roles=frozenset({"resident", "client"}),
            where="group",
        )
    ]


def ask_supplies(ctx: Context) -> list[Action]:
    return [ctx.reply(ctx._("mine.thanks")), ctx.direct(ctx._("mine.ask_privately"))]
