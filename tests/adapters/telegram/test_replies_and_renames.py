"""Replies name the person answered; a changed name is a rename — on the loopback Bot API server."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.events import MemberRenamed
from tests.botapi import BotApiServer
from tests.sample_plugins import Heard, Mute

from .conftest import BUILDING, COMMUNITY, NEIGHBOUR, RESIDENT, WANG, World, running, wait_for
from .test_e2e import free_port, settled, text

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

NICKNAME = "请把群昵称改为“楼号-房号-姓氏”，例如 1-302-李。"
RENAMES = (
    COMMUNITY
    + f"""  - id: nickname
    on: member_renamed
    where: {{kinds: [resident]}}
    do: [{{reply: "{NICKNAME}"}}]
"""
)


def rename(server: BotApiServer, user: int, first_name: str) -> None:
    """The person changes their name in their Telegram app (Telegram tells no bot)."""
    server.users[user] = {**server.users[user], "first_name": first_name}


def said(world: World, user: int, text: str, reply_to: int | None = None) -> int:
    """``user`` writes ``text`` in the building group; the message's id."""
    update = world.server.inject_message(BUILDING, user, text, reply_to_message_id=reply_to)
    message_id: int = update["message"]["message_id"]
    return message_id


async def test_a_reply_names_the_person_answered_but_not_the_bot(
    server: BotApiServer, tmp_path: Path
) -> None:
    heard = Heard()
    async with running(server, tmp_path, plugins=[heard]) as world:
        asked = said(world, RESIDENT, "停水了吗？")
        said(world, NEIGHBOUR, "Yes, until six.", reply_to=asked)
        said(world, RESIDENT, "ping")
        await world.said(BUILDING, 1, "the pong")
        pong = world.server.sent[0].message_id
        said(world, NEIGHBOUR, "thanks, bot", reply_to=pong)
        await wait_for(lambda: len(heard.messages) == 4, "the four messages")
    assert [(m.text, m.reply_to, m.reply_to_sender) for m in heard.messages] == [
        ("停水了吗？", None, None),
        ("Yes, until six.", str(asked), str(RESIDENT)),
        ("ping", None, None),
        ("thanks, bot", str(pong), None),
    ]


async def test_a_command_typed_as_a_reply_acts_on_the_person_answered(
    server: BotApiServer, tmp_path: Path
) -> None:
    async with running(server, tmp_path, plugins=[Mute()]) as world:
        rumour = said(world, NEIGHBOUR, "听说明天全楼停电")
        said(world, WANG, "/hush 2h", reply_to=rumour)
        await wait_for(lambda: server.calls_to("restrictChatMember"), "the restriction")
        assert await world.status(BUILDING, NEIGHBOUR) == "restricted"
        assert [c["user_id"] for c in server.calls_to("restrictChatMember")] == [NEIGHBOUR]

        said(world, RESIDENT, "ping")
        await world.said(BUILDING, 1, "the pong")
        said(world, WANG, "/hush 2h", reply_to=world.server.sent[0].message_id)  # the bot's
        (_pong, missing) = await world.said(BUILDING, 2, "the answer to /hush on the bot")
        # No person answered: "2h" is read as the person, and the usage is shown.
        unknown = text(world, "arguments.unknown_person", word="2h")
        usage = text(world, "arguments.usage", usage="/hush <成员> <时长>")
        assert missing == unknown + usage
        await settled(world)
        assert len(server.calls_to("restrictChatMember")) == 1


async def test_a_changed_name_fires_the_rename_rule_once_before_the_message(
    server: BotApiServer, tmp_path: Path
) -> None:
    async with running(server, tmp_path, community=RENAMES, plugins=[Mute()]) as world:
        said(world, RESIDENT, "大家早上好")  # the first message only shows the name
        rename(server, RESIDENT, "1-302-李")
        said(world, RESIDENT, "ping")
        assert await world.said(BUILDING, 2, "the nickname rule and the pong") == [NICKNAME, "pong"]
        said(world, RESIDENT, "ping")
        assert await world.said(BUILDING, 3, "the second pong") == [NICKNAME, "pong", "pong"]
        [renamed] = world.plugin.of(MemberRenamed)
        assert isinstance(renamed, MemberRenamed)
        assert (renamed.sender, renamed.old_name, renamed.sender_name) == (
            str(RESIDENT),
            "Li Lei",
            "1-302-李",
        )

        # A restriction's chat_member update shows the name too.
        hello = said(world, NEIGHBOUR, "hello")
        rename(server, NEIGHBOUR, "1-303-韩")
        said(world, WANG, "/hush 30m", reply_to=hello)
        texts = await world.said(BUILDING, 4, "the nickname rule after the restriction")
        assert texts[3] == NICKNAME
        await settled(world)
        assert len(world.texts(BUILDING)) == 4


async def test_a_rename_delivered_again_is_not_handled_twice(
    server: BotApiServer, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {"url": url, "listen": "127.0.0.1", "port": port, "secret_token": "s3cret-token"}
    async with running(server, tmp_path, RENAMES, mode="webhook", webhook=webhook) as world:
        said(world, RESIDENT, "大家早上好")
        rename(server, RESIDENT, "1-302-李")
        update = server.inject_message(BUILDING, RESIDENT, "ping")
        assert await world.said(BUILDING, 2, "the nickname rule and the pong") == [NICKNAME, "pong"]
        # Telegram sends an update again when it did not get the webhook's answer.
        server.inject_raw(update)
        await wait_for(
            lambda: (
                [d.update_id for d in server.webhook_deliveries].count(update["update_id"]) == 2
            ),
            "the update delivered again",
        )
        await settled(world)
        said(world, RESIDENT, "ping")
        assert await world.said(BUILDING, 3, "the next pong") == [NICKNAME, "pong", "pong"]
        assert len(world.plugin.of(MemberRenamed)) == 1
