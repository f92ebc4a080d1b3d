"""Roles and command gating: who may use what, where; unknown people have no privileges."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.actions import Delete, DirectMessage, Reply, Send
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, example_text, write_community


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
    assert "已绑定" in text  # zhao administers building-1, so he may bind a new chat to it
    [text] = community.texts(await community.send("chen", "building-3", "/bind building-1"))
    assert "仅限以下身份使用" in text and "您在1号楼居民群的身份是：无" in text


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


async def test_help_lists_grant_and_audit_only_to_who_can_use_them(community: Sandbox) -> None:
    """/grant and /revoke are open to anyone (they refuse by scope, saying why) and /audit to
    anyone privately (it refuses all but the admins): /help shows them only where they do
    something."""
    [resident] = community.texts(await community.send("maria", "dm", "/help"))
    [worker] = community.texts(await community.send("zhang", "dm", "/help"))
    [social] = community.texts(await community.send("wang", "building-1", "/help"))
    for command in ("/grant", "/revoke", "/audit"):
        assert command not in resident and command in worker
    assert "/roles" in resident  # one's own roles: for everyone
    assert "/grant" in social and "/audit" not in social  # privately only, and for admins
    [refused] = community.texts(await community.send("maria", "dm", "/grant @wang resident"))
    assert refused == "您不能授予居民：您的角色都不能授予角色。"  # still answered, saying why


class Flaky:
    """Two commands whose ``shown_to`` raises: one a plain function, one async."""

    @staticmethod
    def broken(ctx: Context) -> bool:
        raise RuntimeError("no roster")

    @staticmethod
    async def broken_later(ctx: Context) -> bool:
        raise RuntimeError("no roster either")

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [
            ChatCommand("odd", lambda ctx: None, help="x", shown_to=self.broken),
            ChatCommand("odder", lambda ctx: None, help="x", shown_to=self.broken_later),
        ]


async def test_a_failing_shown_to_hides_its_command_and_help_still_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox(EXAMPLE, plugins=[Flaky()]) as sandbox:
        [listed] = sandbox.texts(await sandbox.send("maria", "dm", "/help"))
        assert "/whoami" in listed and "/odd" not in listed
        [lost] = sandbox.texts(await sandbox.send("maria", "dm", "hello?"))  # lists commands too
        assert "/whoami" in lost
    failures = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("/odd" in m and "Flaky" in m for m in failures), failures
    assert any("/odder" in m and "Flaky" in m for m in failures), failures


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
    text = example_text()
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


def _with_people(tmp_path: Path, people: str) -> Path:
    """The example community (forms by absolute path) with more people appended."""
    text = example_text()
    return write_community(tmp_path, text.replace("\nrules:\n", f"{people}\nrules:\n", 1))


LIN = """  - id: lin
    name: 林社工
    handles: {console: lin}
    roles:
      - {role: social_worker, groups: [focus-1]}
"""


async def test_a_scoped_role_does_not_act_on_the_community(tmp_path: Path) -> None:
    async with Sandbox(_with_people(tmp_path, LIN)) as s:
        for where in ("dm", "focus-1", "lobby"):
            # in focus-1 she is also reminded privately that off shift she does not post there:
            # a command she may not use stays in the group as a message does
            text = s.texts(await s.send("lin", where, "/reload"))[-1]
            assert "作用于整个社区" in text, where
        assert "已重新读取" in s.texts(await s.send("wang", "dm", "/reload"))[0]


async def test_scoped_roles_do_not_count_in_a_private_chat(community: Sandbox) -> None:
    # sun is medical volunteer of focus-1 and key-1 only.
    [text] = community.texts(await community.send("sun", "dm", "/form medical_service_record"))
    assert "由工作人员填写" in text and "/form medical_service_record focus-1" in text
    actions = await community.send("sun", "dm", "/form medical_service_record focus-1")
    assert [type(a) for a in actions] == [DirectMessage]
    assert "医务志愿者" in community.texts(actions)[0]
    session = await community.form_dialog("sun")
    assert session is not None and session.group_id == "focus-1"  # the record's group
    [listing] = community.texts(await community.send("sun", "dm", "/form"))
    assert "/form medical_service_record focus-1 — " in listing
    assert "/form medical_service_record — " not in listing


async def test_naming_a_group_from_elsewhere_gives_no_member_role(community: Sandbox) -> None:
    # A stranger is a client inside focus-1's chat, but not by naming it from a private chat.
    [text] = community.texts(await community.send("stranger", "dm", "/bind focus-1"))
    assert "只能在群里使用" in text
    [text] = community.texts(await community.send("stranger", "lobby", "/bind focus-1"))
    assert "仅限以下身份使用" in text and "聚焦服务群" in text


async def test_a_group_one_holds_no_role_in_cannot_be_named(community: Sandbox) -> None:
    # Anyone may fill the volunteer registration, but not file it under a group of strangers.
    actions = await community.send("stranger", "dm", "/form volunteer_registration supervision")
    [text] = community.texts(actions)
    assert "专家督导群" in text and "没有身份" in text
    assert await community.form_dialog("stranger") is None
    # Without the group it is theirs to fill.
    await community.send("stranger", "dm", "/form volunteer_registration")
    session = await community.form_dialog("stranger")
    assert session is not None and session.group_id is None


async def test_group_admins_by_administered_by_bind_a_new_chat(community: Sandbox) -> None:
    # chen leads building 3, which building leaders administer; liu leads its residents' group.
    [text] = community.texts(await community.send("chen", "new-chat", "/bind building-3"))
    assert text == "本聊天已绑定为3号楼居民群（building-3）。"
    [text] = community.texts(await community.send("liu", "other-chat", "/bind building-3"))
    assert "已绑定" in text
    [text] = community.texts(await community.send("chen", "third-chat", "/bind building-1"))
    assert "仅限以下身份使用" in text and "1号楼居民群" in text


async def test_a_command_with_personal_data_meets_the_privacy_rule(community: Sandbox) -> None:
    actions = await community.send("maria", "building-1", "/form 13812345678")
    assert isinstance(actions[0], Delete)
    group_texts = [a.text for a in actions if isinstance(a, Reply | Send)]
    assert group_texts and not any("1234" in t for t in group_texts)
    assert any(isinstance(a, DirectMessage) and a.user == "maria" for a in actions)


async def test_a_command_a_rule_deleted_does_not_run(community: Sandbox) -> None:
    actions = await community.send("maria", "building-1", "/whoami 内部消息")
    assert isinstance(actions[0], Delete)
    assert not any("不在社区工作人员名单中" in t for t in community.texts(actions))


async def test_replies_quote_only_a_short_masked_excerpt(community: Sandbox) -> None:
    # prevention is watched by no privacy rule: the reply itself must not repeat the number.
    [text] = community.texts(await community.send("zhang", "prevention", "/form 13812345678"))
    assert "没有“" in text and "1234" not in text
    [text] = community.texts(
        await community.send("zhang", "prevention", "/x\u202e" + "很长的命令名" * 10 + "\x07")
    )
    assert "\u202e" not in text and "\x07" not in text and "很长的命令名" * 4 not in text
    [text] = community.texts(
        await community.send("zhang", "prevention", "/bind 110101199003074573")
    )
    assert "没有“" in text and "0307" not in text


async def test_a_private_message_outside_a_form_says_what_one_can_do(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "dm", "你好，请问怎么报名？"))
    lines = text.split("\n")
    assert "/help" in lines[0]
    assert any(line.startswith("/whoami") for line in lines[1:])
    assert not any(line.startswith("/rules") for line in lines)  # a group-only command
    [english] = community.texts(await community.send("gao", "dm", "hello"))
    assert english.startswith("I did not understand")
