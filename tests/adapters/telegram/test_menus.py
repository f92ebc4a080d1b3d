"""Command menus show what core allows: the commands /help lists for that person in that chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.actions import Action
from sanshe.core.arguments import Arguments, Group
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from tests.botapi import BotApiServer

from .conftest import (
    BUILDING,
    COMMUNITY,
    HE,
    RESIDENT,
    VOLUNTEERS,
    WANG,
    World,
    eventually,
    running,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

ZHAO = 24  # a social worker for building-1 only
WITH_ZHAO = COMMUNITY.replace(
    "rules:\n",
    "  - {id: zhao, name: 赵磊, handles: {telegram: 24}, "
    "roles: [{role: social_worker, groups: [building-1]}]}\nrules:\n",
    1,
)


class Roster:
    """A volunteer's /roster <group>, asked from anywhere; /whoami voted down among volunteers."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        volunteers = frozenset({"general_volunteer"})
        return [
            ChatCommand(
                "roster",
                self.roster,
                help="basics.help.whoami",
                roles=volunteers,
                arguments=Arguments(group=Group()),
            )
        ]

    def roster(self, ctx: Context) -> Action:
        return ctx.reply("roster")

    @hookimpl
    def sanshe_permission(self, context: Context, permission: str) -> bool | None:
        in_volunteers = context.group is not None and context.group.id == "volunteers"
        return False if permission == "command:whoami" and in_volunteers else None


def menu(world: World, scope: str) -> list[tuple[str, str]]:
    """The commands and descriptions Telegram shows in ``scope`` (the community's language)."""
    return [(c["command"], c["description"]) for c in world.server.commands[(scope, "")]]


async def helped(world: World, chat: int, user: int) -> list[tuple[str, str]]:
    """What /help answers ``user`` in ``chat``: each command's name and description."""
    before = len(world.texts(chat))
    world.server.inject_message(chat, user, "/help")
    texts = await world.said(chat, before + 1, f"the answer to {user}'s /help")
    listed = []
    for line in texts[before].splitlines()[1:]:
        names, description = line.split(" — ", 1)
        listed.append((names.split()[0].removeprefix("/"), description))
    return listed


async def test_menus_are_what_help_lists_there(server: BotApiServer, tmp_path: Path) -> None:
    server.add_user(ZHAO, "Zhao Lei", language_code="zh-hans")
    server.add_member(BUILDING, ZHAO)
    async with running(server, tmp_path, community=WITH_ZHAO, plugins=[Roster()]) as world:
        await eventually(lambda: world.storage.get_state("telegram", "menus"), "the menus")
        # /reload acts on the community: a social worker for one building may not use it there.
        zhao_here = {name for name, _ in menu(world, f"chat_member:{BUILDING}:{ZHAO}")}
        assert "bind" in zhao_here and "reload" not in zhao_here
        assert "reload" in {name for name, _ in menu(world, f"chat_member:{BUILDING}:{WANG}")}
        # A plugin's vote takes /whoami out of the volunteers' menus, as out of their /help.
        assert "whoami" not in {name for name, _ in menu(world, f"chat_member:{VOLUNTEERS}:{HE}")}
        # He may ask for the volunteers' roster privately, naming the group.
        assert "roster" in {name for name, _ in menu(world, f"chat:{HE}")}

        for scope, chat, user in (
            (f"chat_member:{BUILDING}:{ZHAO}", BUILDING, ZHAO),
            (f"chat_member:{BUILDING}:{WANG}", BUILDING, WANG),
            (f"chat_member:{VOLUNTEERS}:{HE}", VOLUNTEERS, HE),
            ("default", BUILDING, RESIDENT),  # someone the YAML does not know
        ):
            assert menu(world, scope) == await helped(world, chat, user), scope
        for scope, user in (
            (f"chat:{ZHAO}", ZHAO),
            (f"chat:{HE}", HE),
            ("all_private_chats", RESIDENT),
        ):
            server.user_starts_bot(user)
            await world.said(user, 1, "the welcome")
            assert menu(world, scope) == await helped(world, user, user), scope


LIU = 25  # a community worker of the whole community
WITH_LIU = COMMUNITY.replace(
    "rules:\n",
    "  - {id: liu, name: 刘敏, handles: {telegram: 25}, roles: [community_worker]}\nrules:\n",
    1,
)


async def test_a_community_worker_s_private_menu_lists_the_observation_files(
    server: BotApiServer, tmp_path: Path
) -> None:
    server.add_user(LIU, "Liu Min", language_code="zh-hans")
    async with running(server, tmp_path, community=WITH_LIU) as world:
        await eventually(lambda: world.storage.get_state("telegram", "menus"), "the menus")
        assert "observe" in {name for name, _ in menu(world, f"chat:{LIU}")}
        # Nobody else keeps files: a resident's and a social worker's menus leave it out.
        assert "observe" not in {name for name, _ in menu(world, "all_private_chats")}
        assert "observe" not in {name for name, _ in menu(world, f"chat:{WANG}")}
        server.user_starts_bot(LIU)
        await world.said(LIU, 1, "the welcome")
        assert menu(world, f"chat:{LIU}") == await helped(world, LIU, LIU)
