"""The basics plugin: /start, /whoami, /groupinfo in both languages."""

from __future__ import annotations

from pathlib import Path

from sanshe.core.actions import DirectMessage, Reply, Send
from sanshe.testing import Sandbox
from tests.conftest import example_text, write_community


async def test_start_greets_with_the_community_name(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/start"))
    assert text.startswith("欢迎来到阳光社区")


async def test_whoami_lists_roles_and_scopes(community: Sandbox) -> None:
    [text] = community.texts(await community.send("zhao", "building-1", "/whoami"))
    assert text == "您是赵网格。\n• 网格员——building-1、building-2\n在本群：网格员、群管理员。"
    [english] = community.texts(await community.send("gao", "dm", "/whoami"))
    assert english == "You are Gao Lin.\n• general volunteer (group secretary) — volunteers"


async def test_groupinfo_describes_kind_purpose_naming_and_admins(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/groupinfo"))
    lines = text.split("\n")
    assert lines[0] == "1号楼居民群——小区居民群"
    assert lines[2] == "您在本群的群昵称应为：1-房号自住/租住"
    assert lines[3] == "入群需经管理员审核。"
    assert lines[4] == "管理员：赵网格"


async def test_groupinfo_in_an_unbound_chat_explains_bind(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "some-chat", "/groupinfo"))
    assert "/bind <群编号>" in text


async def test_bind_usage_and_unknown_group(community: Sandbox) -> None:
    [usage] = community.texts(await community.send("wang", "lobby", "/bind"))
    assert usage.startswith("缺少群编号。请这样写：/bind <群编号>，例如 /bind building-1。")
    [unknown] = community.texts(await community.send("wang", "lobby", "/bind building-9"))
    assert unknown.startswith("没有“building-9”这个群。")


async def test_a_refused_reload_goes_privately_to_who_asked(tmp_path: Path) -> None:
    text = example_text()
    config = write_community(tmp_path, text)
    async with Sandbox(config) as s:
        config.write_text(text.replace("locale: zh_CN", "locale: xx", 1), encoding="utf-8")
        actions = await s.send("wang", "building-1", "/reload")
        in_group = [a.text for a in actions if isinstance(a, Reply | Send)]
        assert in_group == ["社区配置文件有问题，没有重新加载。详情已私聊发给您。"]
        [private] = [a for a in actions if isinstance(a, DirectMessage)]
        assert private.user == "wang" and str(config) in private.text and "locale" in private.text
