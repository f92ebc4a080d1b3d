"""Roles and command gating: who may use what, where; unknown people have no privileges."""

from __future__ import annotations

from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE


async def test_resident_is_refused_bind_with_who_may(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/bind building-1"))
    assert "/bind" in text and "社会工作者" in text and "居民" in text


async def test_scoped_role_counts_only_in_its_groups(community: Sandbox) -> None:
    # zhao is grid worker of building-1 and building-2 (which grid workers administer).
    ok = community.texts(await community.send("zhao", "building-2", "/bind building-2"))
    assert "已绑定" in ok[0]
    refused = community.texts(await community.send("zhao", "building-3", "/bind building-3"))
    assert "仅限以下身份使用" in refused[0]


async def test_bind_checks_the_scope_of_the_target_group(community: Sandbox) -> None:
    [text] = community.texts(await community.send("zhao", "lobby", "/bind building-1"))
    assert "仅限" in text  # lobby is no group of zhao's: no role there at all
    [text] = community.texts(await community.send("chen", "building-3", "/bind building-1"))
    assert "不是“building-1”的管理人员" in text


async def test_bind_persists_and_maps_the_chat(tmp_path) -> None:
    url = f"sqlite://{tmp_path}/bind.sqlite3"
    sandbox = Sandbox(EXAMPLE, db_url=url)
    await sandbox.start()
    try:
        await sandbox.send("wang", "lobby", "/bind focus-1")
        await sandbox.restart()
        [text] = sandbox.texts(await sandbox.send("maria", "lobby", "/groupinfo"))
        assert text.startswith("聚焦服务群——聚焦服务群")
    finally:
        await sandbox.stop()


async def test_unknown_person_is_resident_or_client_by_group_kind(community: Sandbox) -> None:
    [text] = community.texts(await community.send("stranger", "building-1", "/whoami"))
    assert "不在社区工作人员名单中" in text and "居民" in text
    [text] = community.texts(await community.send("stranger", "focus-1", "/whoami"))
    assert "服务对象" in text


async def test_unknown_command_gets_a_suggestion(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/hlep"))
    assert "没有 /hlep 这个命令" in text and "/help" in text


async def test_chinese_alias_and_botname_suffix(community: Sandbox) -> None:
    [a] = community.texts(await community.send("maria", "building-1", "/帮助"))
    [b] = community.texts(await community.send("maria", "building-1", "/help@sanshe_bot"))
    assert a == b and "/whoami" in a


async def test_help_depends_on_role_and_language(community: Sandbox) -> None:
    [resident] = community.texts(await community.send("maria", "building-1", "/help"))
    [social] = community.texts(await community.send("wang", "building-1", "/help"))
    assert "/bind" not in resident and "/bind" in social
    [english] = community.texts(await community.send("gao", "volunteers", "/help"))
    assert english.startswith("Commands you can use here:")
    [network] = community.texts(
        await community.send("maria", "building-1", "/help", language="en-US")
    )
    assert network.startswith("Commands you can use here:")


class Veto:
    """Denies /whoami to everybody, allows /reload to everybody."""

    @hookimpl
    def sanshe_permission(self, context: Context, permission: str) -> bool | None:
        return {"command:whoami": False, "command:reload": True}.get(permission)


async def test_permission_hook_can_veto_or_allow() -> None:
    async with Sandbox(EXAMPLE, plugins=[Veto()]) as sandbox:
        [text] = sandbox.texts(await sandbox.send("wang", "building-1", "/whoami"))
        assert text == "抱歉，您在这里不能使用 /whoami。"
        [text] = sandbox.texts(await sandbox.send("maria", "building-1", "/reload"))
        assert "已重新读取" in text


async def test_group_only_command_in_private_chat(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "dm", "/rules"))
    assert "只能在群里使用" in text


async def test_a_reload_moves_yaml_chats_and_keeps_binds(tmp_path) -> None:
    from tests.conftest import write_community

    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "forms/*.yaml", str(EXAMPLE.parent / "forms" / "*.yaml")
    )
    config = write_community(
        tmp_path,
        text.replace(
            "    administered_by: [social_worker]\n",
            "    administered_by: [social_worker]\n    chats: {console: room-a}\n",
            1,
        ),
    )
    async with Sandbox(config) as s:
        await s.send("wang", "lobby", "/bind building-1")
        assert s.texts(await s.send("maria", "room-a", "/groupinfo"))[0].startswith("聚焦服务群")
        config.write_text(
            config.read_text(encoding="utf-8").replace("room-a", "room-b"), encoding="utf-8"
        )
        await s.send("wang", "lobby", "/reload")
        assert s.texts(await s.send("maria", "room-b", "/groupinfo"))[0].startswith("聚焦服务群")
        assert "/bind" in s.texts(await s.send("maria", "room-a", "/groupinfo"))[0]  # no group now
        assert s.texts(await s.send("maria", "lobby", "/groupinfo"))[0].startswith("1号楼居民群")
