"""Reaching a person, not a handle: ``ctx.tell`` and ``services.tell`` on several networks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sanshe.core.actions import ALL_ACTIONS, Action, DirectMessage, Send
from sanshe.core.bot import Bot
from sanshe.core.config import load_community
from sanshe.core.context import Context
from sanshe.core.contributions import vocabulary
from sanshe.core.events import Message
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage import Storage
from sanshe.testing import RecordingAdapter

COMMUNITY = """
community: {id: test, name: Test, locale: en}
groups:
  - {id: building-1, kind: resident, name: Building 1, chats: {telegram: "-1001", matrix: "!b1:hs"}}
people:
  - {id: zhao, name: Zhao, handles: {matrix: "@zhao:hs"}, roles: [grid_worker]}
  - {id: wang, name: Wang, handles: {matrix: "@wang:hs", telegram: "21"}, roles: [social_worker]}
  - {id: qian, name: Qian, handles: {console: qian}, roles: [general_volunteer]}
"""


def on(network: str, capabilities: frozenset[type[Action]] = ALL_ACTIONS) -> type[RecordingAdapter]:
    """A recording adapter for ``network`` that performs ``capabilities``."""
    adapter = RecordingAdapter.limited_to(capabilities)
    adapter.network = network
    adapter.chats_named_by_group = False
    return adapter


class Notifier:
    """On ``notify <person>`` in a group, tells that person privately; says so when it cannot."""

    @hookimpl
    def sanshe_message(self, context: Context) -> Any:
        words = context.text.split()
        if len(words) != 2 or words[0] != "notify":
            return None
        person = context.community.person(words[1])
        assert person is not None
        told = context.tell(person, f"{context.person.id} needs you")
        return told or context.reply("cannot reach them")


@dataclass
class Networks:
    bot: Bot
    matrix: RecordingAdapter
    telegram: RecordingAdapter

    def context(self, network: str, chat: str, sender: str, direct: bool = False) -> Context:
        event = Message(
            network=network, chat=chat, event_id="e1", sender=sender, direct=direct, text="hi"
        )
        return self.bot.context(event)

    async def say(self, network: str, chat: str, sender: str, text: str, number: int) -> None:
        event = Message(network=network, chat=chat, event_id=f"m{number}", sender=sender, text=text)
        await self.bot.submit(event)


async def running(
    tmp_path: Path, telegram: frozenset[type[Action]] = ALL_ACTIONS
) -> AsyncIterator[Networks]:
    config = tmp_path / "community.yaml"
    config.write_text(COMMUNITY, encoding="utf-8")
    pm = plugin_manager(extra=[Notifier()])
    community = load_community(config, vocabulary(pm))
    storage = Storage("sqlite://:memory:")
    await storage.open()
    matrix, other = on("matrix")(), on("telegram", telegram)()
    bot = Bot(community, [matrix, other], storage, pm=pm)
    await bot.start()
    try:
        yield Networks(bot, matrix, other)
    finally:
        await bot.stop()
        await storage.close()


@pytest.fixture
async def networks(tmp_path: Path) -> AsyncIterator[Networks]:
    async for running_networks in running(tmp_path):
        yield running_networks


def person(networks: Networks, person_id: str) -> Any:
    found = networks.bot.community.person(person_id)
    assert found is not None
    return found


async def test_someone_with_only_a_matrix_handle_is_told_on_matrix_from_a_telegram_group(
    networks: Networks,
) -> None:
    ctx = networks.context("telegram", "-1001", "21")
    told = ctx.tell(person(networks, "zhao"), "a case for you")
    assert told == DirectMessage(
        user="@zhao:hs", text="a case for you", network="matrix", fallback_chat=None
    )


async def test_the_events_network_comes_first_for_someone_on_both(networks: Networks) -> None:
    wang = person(networks, "wang")
    # One person, whichever network they write from.
    assert networks.context("telegram", "-1001", "21").person is wang
    assert networks.context("matrix", "!b1:hs", "@wang:hs").person is wang
    on_telegram = networks.context("telegram", "-1001", "31").tell(wang, "x")
    on_matrix = networks.context("matrix", "!b1:hs", "@someone:hs").tell(wang, "x")
    assert isinstance(on_telegram, DirectMessage) and isinstance(on_matrix, DirectMessage)
    assert (on_telegram.network, on_telegram.user) == ("telegram", "21")
    assert (on_matrix.network, on_matrix.user) == ("matrix", "@wang:hs")
    # Outside an event (a timer's), the order is stable: by network name.
    told = networks.bot.services.tell(wang, "x")
    assert isinstance(told, DirectMessage) and told.network == "matrix"


async def test_only_the_sender_is_asked_in_the_group_to_open_a_private_chat(
    networks: Networks,
) -> None:
    ctx = networks.context("telegram", "-1001", "21")
    own = ctx.tell(ctx.person, "your case")
    other = ctx.tell(person(networks, "zhao"), "their case")
    assert isinstance(own, DirectMessage) and own.fallback_chat == "-1001"
    assert isinstance(other, DirectMessage) and other.fallback_chat is None
    in_private = networks.context("telegram", "21", "21", direct=True).tell(ctx.person, "x")
    assert isinstance(in_private, DirectMessage) and in_private.fallback_chat is None


async def test_someone_on_no_running_network_cannot_be_reached_and_the_log_says_who(
    networks: Networks, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sanshe.core.reach")
    ctx = networks.context("telegram", "-1001", "21")
    assert ctx.tell(person(networks, "qian"), "a shift") is None
    assert networks.bot.services.tell(person(networks, "qian"), "a shift") is None
    (line, _again) = [r.getMessage() for r in caplog.records]
    assert line.startswith("cannot reach qian:")
    assert "console" not in line.split(":", 1)[1].split("(")[0]


async def test_a_network_that_cannot_write_privately_is_passed_over(tmp_path: Path) -> None:
    async for networks in running(tmp_path, frozenset({Send})):
        told = networks.context("telegram", "-1001", "31").tell(person(networks, "wang"), "x")
        assert isinstance(told, DirectMessage) and told.network == "matrix"


async def test_a_telegram_message_makes_the_matrix_adapter_write_privately(
    networks: Networks,
) -> None:
    await networks.say("telegram", "-1001", "21", "notify zhao", 1)
    assert networks.matrix.performed == [
        DirectMessage(user="@zhao:hs", text="wang needs you", network="matrix")
    ]
    assert networks.telegram.performed == []  # nothing of it in the group


async def test_the_plugin_sees_who_cannot_be_reached(networks: Networks) -> None:
    await networks.say("telegram", "-1001", "21", "notify qian", 1)
    assert networks.matrix.performed == []
    assert [getattr(a, "text", "") for a in networks.telegram.performed] == ["cannot reach them"]
