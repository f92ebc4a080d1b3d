"""Plugins: discovery by entry point, per-community disabling, async hooks, capabilities."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanshe.core.actions import Delete, Reply, Send
from sanshe.core.cli import main
from sanshe.core.hookspecs import hookimpl
from sanshe.core.plugins import available_plugins, plugin_manager
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, example_text, install_plugin, write_community

GREETER_PLUGIN = """
from sanshe.core.actions import Send
from sanshe.core.hookspecs import hookimpl


@hookimpl
async def sanshe_message(context):
    if context.text == "ping":
        return Send(chat=context.event.chat, text="pong")
"""


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An installed distribution declaring a plugin in the ``sanshe`` entry-point group."""
    site = install_plugin(tmp_path, "greeter", "greeter_plugin", GREETER_PLUGIN)
    monkeypatch.syspath_prepend(str(site))
    yield "greeter"
    sys.modules.pop("greeter_plugin", None)


async def test_third_party_plugin_is_found_by_entry_point(third_party: str) -> None:
    assert third_party in available_plugins()
    async with Sandbox(EXAMPLE) as community:
        assert community.texts(await community.send("maria", "building-1", "ping")) == ["pong"]


async def test_a_community_can_disable_a_plugin(third_party: str, tmp_path: Path) -> None:
    text = example_text().replace("  disable: []", "  disable: [greeter, basics]")
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
    async def sanshe_community_changed(self) -> None:
        self.changes += 1


async def test_plugins_hear_of_binds_and_reloads() -> None:
    watcher = Watcher()
    async with Sandbox(EXAMPLE, plugins=[watcher]) as community:
        await community.send("wang", "lobby", "/bind focus-1")
        await community.send("wang", "lobby", "/reload")
        await community.bot.stop()  # waits for the notifications under way
        assert watcher.changes == 2
        await community.bot.start()


BROKEN_PLUGIN = """
    import sanshe_missing_dependency  # not installed: importing this plugin fails
"""

CLASHING_PLUGIN = """
    from sanshe.core.commands import ChatCommand
    from sanshe.core.hookspecs import hookimpl


    @hookimpl
    def sanshe_commands():
        return [ChatCommand("helper", lambda ctx: None, help="x.help", aliases=("help",))]
"""


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin whose import raises."""
    monkeypatch.syspath_prepend(
        str(install_plugin(tmp_path, "wobbly", "wobbly_plugin", BROKEN_PLUGIN))
    )
    yield "wobbly"
    sys.modules.pop("wobbly_plugin", None)


def _disabling(tmp_path: Path, names: str) -> Path:
    text = example_text().replace("  disable: []", f"  disable: [{names}]")
    return write_community(tmp_path, text)


async def test_a_disabled_plugin_is_not_imported(broken: str, tmp_path: Path) -> None:
    async with Sandbox(_disabling(tmp_path, broken)) as community:
        [reply] = community.texts(await community.send("maria", "building-1", "/help"))
        assert "/start" in reply
    assert "wobbly_plugin" not in sys.modules


async def test_a_broken_plugin_is_named_in_one_log_line_and_left_out(
    broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sanshe.core.plugins"):
        async with Sandbox(EXAMPLE) as community:
            [reply] = community.texts(await community.send("maria", "building-1", "/help"))
            assert "/start" in reply
    [line] = [r.getMessage() for r in caplog.records if "wobbly" in r.getMessage()]
    assert "No module named 'sanshe_missing_dependency'" in line
    assert "\n" not in line


async def test_a_plugin_whose_commands_cannot_be_listed_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    source = """
        from sanshe.core.hookspecs import hookimpl


        @hookimpl
        def sanshe_commands():
            raise KeyError("settings")
    """
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path, "faulty", "faulty_plugin", source)))
    try:
        with caplog.at_level(logging.WARNING, logger="sanshe.core.plugins"):
            async with Sandbox(EXAMPLE) as community:
                [reply] = community.texts(await community.send("maria", "building-1", "/help"))
                assert "/start" in reply
    finally:
        sys.modules.pop("faulty_plugin", None)
    assert [r.getMessage() for r in caplog.records] == [
        "plugin 'faulty' left out, it could not be loaded: KeyError: 'settings'"
    ]


def test_check_config_mentions_a_broken_plugin(
    broken: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    assert main(["check-config", str(EXAMPLE)]) == 0
    said = capsys.readouterr()
    assert said.out.splitlines() == [f"OK: {EXAMPLE}"]  # stdout stays `OK` or file:line:col lines
    assert said.err.splitlines() == [
        "Plugin “wobbly” could not be loaded, so the bot runs without it: "
        "ModuleNotFoundError: No module named 'sanshe_missing_dependency'. "
        "Fix or reinstall it, or disable it under “plugins: disable:”."
    ]


CLASH = (
    "Two plugins claim the command /help: “basics” and “clash”. "
    "Disable one of them under “plugins: disable:”, or rename its command."
)


def test_two_plugins_claiming_one_command_stop_the_run_with_a_sentence(tmp_path: Path) -> None:
    site = install_plugin(tmp_path, "clash", "clash_plugin", CLASHING_PLUGIN)
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(EXAMPLE)],
        input="maria@building-1: /help\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": str(site),
            "SANSHE_LANG": "en",
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/sanshe.sqlite3",
        },
    )
    assert (result.returncode, result.stdout, result.stderr.strip()) == (1, "", CLASH)


def test_check_config_reports_a_command_clash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(
        str(install_plugin(tmp_path, "clash", "clash_plugin", CLASHING_PLUGIN))
    )
    monkeypatch.setenv("SANSHE_LANG", "en")
    try:
        assert main(["check-config", str(EXAMPLE)]) == 1
    finally:
        sys.modules.pop("clash_plugin", None)
    assert capsys.readouterr().out.splitlines() == [
        CLASH,
        f"{EXAMPLE}: 1 problem found; nothing was loaded.",
    ]


UNSHIPPED_PLUGIN = """
    from pathlib import Path

    from sanshe.core.commands import ChatCommand
    from sanshe.core.hookspecs import hookimpl


    @hookimpl
    def sanshe_catalogues():
        return [Path(__file__).parent / "locales"]  # not installed with the module


    @hookimpl
    def sanshe_commands():
        return [
            ChatCommand(
                "supplies", lambda ctx: ctx.reply(ctx._("mine.thanks")), help="mine.help.supplies"
            )
        ]
"""


async def test_a_plugin_without_its_catalogues_is_named_in_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    site = install_plugin(tmp_path, "mine", "mine_plugin", UNSHIPPED_PLUGIN)
    monkeypatch.syspath_prepend(str(site))
    try:
        with caplog.at_level(logging.WARNING):
            async with Sandbox(EXAMPLE) as community:
                at_start = [r.getMessage() for r in caplog.records]
                for _ in range(2):
                    actions = await community.send("maria", "building-1", "/supplies")
                    assert community.texts(actions) == ["mine.thanks"]
    finally:
        sys.modules.pop("mine_plugin", None)
    assert at_start == [
        f"plugin 'mine' ships no catalogue for en, zh_CN in {site / 'locales'}: "
        "install its locales/*.po files with it (package data)",
        "plugin 'mine' has no text for mine.help.supplies (en, zh_CN): people will see the key",
    ]
    assert [r.getMessage() for r in caplog.records][2:] == [
        "no text for 'mine.thanks' (plugin 'mine') in any catalogue: people see the key"
    ]


FAILING_LIFE_CYCLE_PLUGIN = """
    from sanshe.core.hookspecs import hookimpl


    @hookimpl
    def sanshe_startup(services):
        raise RuntimeError("no inventory service")


    @hookimpl
    async def sanshe_shutdown():
        raise RuntimeError("inventory not saved")
"""


def test_a_plugin_failing_at_start_or_stop_is_named_and_the_run_ends(tmp_path: Path) -> None:
    """Hooks that raise are logged with the plugin's name; the others, and the bot, go on."""
    site = install_plugin(tmp_path, "stock", "stock_plugin", FAILING_LIFE_CYCLE_PLUGIN)
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(EXAMPLE)],
        input="maria@building-1: /start\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": str(site),
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/sanshe.sqlite3",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("reply building-1: 欢迎来到阳光社区")
    assert "plugin 'stock' failed in sanshe_startup" in result.stderr
    assert "plugin 'stock' failed in sanshe_shutdown" in result.stderr
