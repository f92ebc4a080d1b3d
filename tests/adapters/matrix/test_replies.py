"""A reply names the person it answers, on a real Synapse: from the events the bot saw, or fetched."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nio

from sanshe.core.actions import Action, Remove
from sanshe.core.arguments import Arguments, Person
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from tests.sample_plugins import Heard
from tests.synapse.clients import MatrixUserFactory
from tests.synapse.harness import Homeserver, RegisteredUser

from . import gatekeeper
from .conftest import (
    bot_joined,
    building,
    create_room,
    join,
    members,
    reply_of,
    running_bot,
    say,
    wait_until,
    write_community,
)


class Kick:
    """``/kick <person>``: a command reading a person, as a reply names them."""

    spec = Arguments(who=Person())

    @hookimpl
    def sanshe_commands(self) -> Iterable[ChatCommand]:
        return [ChatCommand("kick", self.kick, help="kick")]

    def kick(self, ctx: Context) -> Action:
        who = self.spec.read(ctx).who
        return Remove(chat=ctx.event.chat, user=ctx.handle_of(who) or "")


async def answer(client: nio.AsyncClient, room: str, event_id: str, text: str) -> str:
    """Reply to ``event_id`` as a Matrix client does (with the quoted fallback)."""
    content = {
        "msgtype": "m.text",
        "body": f"> <@someone:example.org> earlier\n\n{text}",
        "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
    }
    sent = await client.room_send(room, "m.room.message", content)
    assert isinstance(sent, nio.RoomSendResponse), sent
    return sent.event_id


async def test_a_reply_names_whom_it_answers_and_a_command_as_a_reply_acts_on_them(
    tmp_path: Path,
    homeserver: Homeserver,
    matrix_user: MatrixUserFactory,
    bot_account: RegisteredUser,
) -> None:
    admin = await matrix_user("admin")
    resident = await matrix_user("resident")
    bot = bot_account.user_id
    room = await create_room(admin, [bot, resident.user_id], moderators=[bot])
    await join(resident, room)
    before = await say(resident, room, "停水了吗？")  # before the bot is there: never synced
    config = write_community(
        tmp_path / "community.yaml",
        homeserver,
        bot_account,
        groups=[building(room)],
        people=[{"id": "zhao", "handles": {"matrix": admin.user_id}, "roles": ["grid_worker"]}],
    )
    heard = Heard()
    async with running_bot(config, tmp_path / "bot.sqlite3", (gatekeeper, heard, Kick())):
        await bot_joined(admin, room, bot)
        ping = await say(resident, room, "ping")
        pong = (await reply_of(admin, room, bot, ping, "the pong")).event_id
        await answer(admin, room, before, "Until six.")  # fetched from the homeserver
        await answer(admin, room, ping, "ping back")  # seen by the bot
        await answer(resident, room, pong, "thanks")  # the bot's own message
        await answer(resident, room, "$no-such-event", "who said so?")  # cannot be fetched

        async def all_heard() -> bool | None:
            return True if len(heard.messages) == 5 else None

        await wait_until(all_heard, "the five messages")
        assert [(m.text, m.reply_to, m.reply_to_sender) for m in heard.messages] == [
            ("ping", None, None),
            ("Until six.", before, resident.user_id),
            ("ping back", ping, resident.user_id),
            ("thanks", pong, None),
            ("who said so?", "$no-such-event", None),
        ]

        await answer(admin, room, before, "/kick")

        async def kicked() -> bool | None:
            return True if resident.user_id not in await members(admin, room) else None

        await wait_until(kicked, "the resident to be removed")
        assert admin.user_id in await members(admin, room)
