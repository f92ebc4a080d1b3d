"""Plugins: discovery by entry point, per-community disabling, async hooks, capabilities."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from sanshe.core.actions import Delete, Reply, Send
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import available_plugins, plugin_manager
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, write_community


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An installed distribution declaring a plugin in the ``sanshe`` entry-point group."""
    (tmp_path / "greeter_plugin.py").write_text(
        textwrap.dedent(
            """
            from sanshe.core.actions import Send
            from sanshe.core.hookspecs import hookimpl


            @hookimpl
            async def sanshe_message(context):
                if context.text == "ping":
                    return Send(chat=context.event.chat, text="pong")
            """
        ),
        encoding="utf-8",
    )
    info = tmp_path / "greeter-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: greeter\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[sanshe]\ngreeter = greeter_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "greeter"
    sys.modules.pop("greeter_plugin", None)


async def test_third_party_plugin_is_found_by_entry_point(third_party: str) -> None:
    assert third_party in available_plugins()
    async with Sandbox(EXAMPLE) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]


async def test_a_community_can_disable_a_plugin(third_party: str, tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "  disable: []", "  disable: [greeter, basics]"
    )
    text = text.replace("forms/*.yaml", str(EXAMPLE.parent / "forms" / "*.yaml"))
    async with Sandbox(write_community(tmp_path, text)) as community:
        assert await community.send("maria", "building-1", "ping") == []
        [reply] = community.texts(await community.send("maria", "building-1", "/help"))
        assert reply.startswith("没有 /help 这个命令")
    assert plugin_manager(["basics"]).get_plugin("basics") is None


async def test_an_action_the_network_cannot_do_becomes_a_clear_note(tmp_path: Path) -> None:
    async with Sandbox(EXAMPLE, capabilities={Reply, Send}) as community:
        actions = await community.send("maria", "building-1", "内部消息：明天封楼")
        assert not any(isinstance(a, Delete) for a in actions)
        notes = [a.text for a in actions if isinstance(a, Reply)]
        assert "当前平台（console）无法删除消息，请手动处理。" in notes


class Watcher:
    """Counts how often the community changed."""

    def __init__(self) -> None:
        self.changes = 0

    @hookimpl
    async def sanshe_community_changed(self, bot: object) -> None:
        self.changes += 1


async def test_plugins_hear_of_binds_and_reloads() -> None:
    watcher = Watcher()
    async with Sandbox(EXAMPLE, plugins=[watcher]) as community:
        await community.send("wang", "lobby", "/bind focus-1")
        await community.send("wang", "lobby", "/reload")
        await community.bot.stop()  # waits for the notifications under way
        assert watcher.changes == 2
        await community.bot.start()
