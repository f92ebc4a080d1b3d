"""A community running on the Telegram adapter, in-process, against the loopback Bot API server.

Everything real: python-telegram-bot talks HTTP to ``tests.botapi.BotApiServer``, core
checkpoints in SQLite.  The server's flood windows are shrunk (and the adapter told so)
so tests run fast while the limits are still enforced.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import telegram

from sanshe.adapters.telegram import TelegramAdapter
from sanshe.core.actions import ApproveJoin, CreateGroup, DeclineJoin
from sanshe.core.bot import Bot
from sanshe.core.buttons import ButtonHandler
from sanshe.core.clock import Clock
from sanshe.core.commands import ChatCommand
from sanshe.core.config import load_community
from sanshe.core.context import Context
from sanshe.core.contributions import vocabulary
from sanshe.core.events import Event, JoinRequest
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.core.storage.tables import plugin_tables
from tests.botapi import BotApiServer, Limits

# PTB warns that RetryAfter.retry_after will become a timedelta; the server sends integers.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "4242:SECRET-test-token_x"
BOT_ID = 4242
BUILDING, FOCUS, VOLUNTEERS = -1001, -1002, -1003
WANG, HE, GAO = 21, 22, 23  # social worker; volunteer; English-speaking volunteer
RESIDENT, NEIGHBOUR, STRANGER = 31, 32, 33
#: Flood windows 10x shorter than Telegram's: 30 messages per 0.1 s, 1 per chat per 0.1 s…
FAST = {"second": 0.1, "minute": 6.0}

COMMUNITY = """
community: {id: sunshine, name: 阳光社区, locale: zh_CN}
groups:
  - {id: building-1, kind: resident, name: 1号楼居民群, administered_by: [grid_worker],
     chats: {telegram: "-1001"}}
  - {id: focus-1, kind: focus_service, name: 聚焦服务群, administered_by: [social_worker],
     chats: {telegram: "-1002"}}
  - {id: volunteers, kind: volunteer_pool, name: 志愿服务总群, administered_by: [social_worker],
     chats: {telegram: "-1003"}}
people:
  - {id: wang, name: 王芳, handles: {telegram: 21}, roles: [social_worker]}
  - id: he
    name: 何秘书
    handles: {telegram: 22}
    roles: [{role: general_volunteer, groups: [volunteers]}]
  - id: gao
    name: Gao Lin
    locale: en
    handles: {telegram: 23}
    roles: [{role: general_volunteer, groups: [volunteers]}]
rules:
  - id: ping
    when: {keywords: [ping]}
    do: [{reply: pong}]
  - id: private-data-stays-private
    where: {kinds: [resident]}
    when: {personal_data: [phone]}
    do: [delete, move_to_private]
"""


class Gatekeeper:
    """Approves join requests (declines ones whose note says spam) unless told to leave them
    alone, records member events, offers a volunteer-only command and a command with buttons,
    and answers presses."""

    def __init__(self, approves_joins: bool = True) -> None:
        self.events: list[Event] = []
        self.approves_joins = approves_joins
        self.pick = ButtonHandler("gatekeeper.pick", self.picked)

    @hookimpl
    def sanshe_buttons(self) -> list[ButtonHandler]:
        return [self.pick]

    def picked(self, ctx: Context) -> Any:
        assert ctx.press is not None
        return ctx.reply(f"you picked {ctx.press.payload}")

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [
            ChatCommand(
                "shift",
                self.shift,
                help="basics.help.whoami",
                roles=frozenset({"general_volunteer"}),
            ),
            ChatCommand("choose", self.choose, help="basics.help.help", aliases=("选择",)),
            ChatCommand("mkgroup", self.mkgroup, help="basics.help.help"),
        ]

    def shift(self, ctx: Context) -> Any:
        return ctx.reply("on shift")

    def choose(self, ctx: Context) -> Any:
        return ctx.reply(
            "pick one",
            buttons=(self.pick.button("Rice", "rice"), self.pick.button("Water", "water")),
        )

    def mkgroup(self, ctx: Context) -> Any:
        return CreateGroup(group_id="new", name="New group")

    @hookimpl
    def sanshe_event(self, context: Context) -> Any:
        event = context.event
        self.events.append(event)
        if isinstance(event, JoinRequest) and self.approves_joins:
            if "spam" in event.note:
                return DeclineJoin(chat=event.chat, user=event.sender)
            return ApproveJoin(chat=event.chat, user=event.sender)
        return None

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


async def wait_for(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


async def eventually(
    check: Callable[[], Awaitable[object]], what: str, timeout: float = 10.0
) -> None:
    """Wait until ``await check()`` holds; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


@dataclass
class World:
    """The loopback Telegram, and the community's bot running on it."""

    server: BotApiServer
    bot: Bot
    adapter: TelegramAdapter
    plugin: Gatekeeper
    storage: Storage
    task: asyncio.Task[None] | None = None

    def texts(self, chat: int) -> list[str]:
        """What the bot has posted in ``chat``, in order."""
        return [r.text or "" for r in self.server.sent if r.chat_id == chat]

    def reply_to(self, chat: int, message_id: int) -> int | None:
        """The message a bot message in ``chat`` answers, if it is a reply."""
        replied = self.server.messages[(chat, message_id)].get("reply_to_message")
        return replied["message_id"] if replied else None

    async def status(self, chat: int, user: int) -> str:
        """A member's status in a group, as a Bot API client reads it."""
        async with telegram.Bot(TOKEN, base_url=self.server.base_url) as look:
            return (await look.get_chat_member(chat, user)).status

    async def said(self, chat: int, count: int, what: str) -> list[str]:
        """Wait until the bot has posted ``count`` messages in ``chat``; return their texts."""
        await wait_for(lambda: len(self.texts(chat)) >= count, what)
        return self.texts(chat)

    def start(self) -> None:
        self.task = asyncio.create_task(self.adapter.run(self.bot))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


def populate(server: BotApiServer) -> None:
    """Users and groups of the test community; the bot is an admin of every group."""
    for user, name, language in (
        (WANG, "Fang Wang", "zh-hans"),
        (HE, "He", "zh-hans"),
        (GAO, "Gao", "en"),
        (RESIDENT, "Li Lei", "zh-hans"),
        (NEIGHBOUR, "Han Meimei", "en"),
        (STRANGER, "Zhang San", None),
    ):
        server.add_user(user, name, language_code=language)
    for chat, title in ((BUILDING, "1号楼"), (FOCUS, "聚焦"), (VOLUNTEERS, "志愿者")):
        server.add_chat(chat, title)
        server.add_member(chat, BOT_ID, "administrator")
    for chat, members in (
        (BUILDING, (WANG, RESIDENT, NEIGHBOUR)),
        (FOCUS, (WANG,)),
        (VOLUNTEERS, (WANG, HE, GAO)),
    ):
        for user in members:
            server.add_member(chat, user)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(TOKEN, "sanshe_bot", Limits(**FAST)) as srv:
        populate(srv)
        yield srv


@contextlib.asynccontextmanager
async def running(
    server: BotApiServer,
    tmp_path: Path,
    community: str = COMMUNITY,
    plugins: Sequence[object] = (),
    *,
    clock: Clock | None = None,
    approves_joins: bool = True,
    db_url: str = "sqlite://:memory:",
    **settings: Any,
) -> AsyncIterator[World]:
    """``community`` (the test community) on ``server``, with ``plugins`` and adapter ``settings``
    added, on ``clock`` if given, its storage at ``db_url`` (a file to run it again on); the
    test plugin approves join requests if ``approves_joins``."""
    config = tmp_path / "community.yaml"
    config.write_text(community, encoding="utf-8")
    plugin = Gatekeeper(approves_joins)
    pm = plugin_manager(extra=[plugin, *plugins])
    community = load_community(config, vocabulary(pm))
    storage = Storage(db_url, plugin_tables(pm))  # the plugins' tables too
    await storage.open()
    adapter = TelegramAdapter.from_settings(
        {"token": TOKEN, "base_url": server.base_url, "poll_timeout": 5, "limits": FAST} | settings
    )
    bot = Bot(community, adapter, storage, pm=pm, config_path=config, clock=clock)
    world = World(server, bot, adapter, plugin, storage)
    try:
        await bot.start()
        world.start()
        # Telegram applies allowed_updates (chat_member…) from the bot's first request on.
        await wait_for(
            lambda: server.calls_to("getUpdates") or server.calls_to("setWebhook"),
            "the bot to ask Telegram for updates",
        )
        yield world
    finally:
        await world.stop()
        await bot.stop()
        await storage.close()


@pytest.fixture
async def world(server: BotApiServer, tmp_path: Path) -> AsyncIterator[World]:
    async with running(server, tmp_path) as w:
        yield w
