"""The console adapter end to end: `sanshe run` driven by a script on stdin, as a user would."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sanshe.adapters.console import ConsoleAdapter, format_action
from sanshe.core.actions import (
    ALL_ACTIONS,
    AnswerButton,
    Button,
    Delete,
    DirectMessage,
    Edit,
    Invite,
    Reply,
    Restrict,
    Send,
    SendFile,
    Unban,
)
from sanshe.core.events import Callback, JoinRequest, MemberRenamed, Message
from sanshe.core.storage.sealed import Seal, key_of
from tests.conftest import EXAMPLE, example_text, install_plugin

VALID_ID = "110101199003074573"


def sanshe(
    *args: str, stdin: str = "", cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command the way a person does."""
    return subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def run_script(
    tmp_path: Path, lines: list[str], config: Path = EXAMPLE, db: str = "demo"
) -> list[str]:
    result = sanshe(
        "run",
        "--config",
        str(config),
        "--db",
        f"sqlite://{tmp_path}/{db}.sqlite3",
        stdin="\n".join(lines) + "\n",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_help_differs_by_role_and_is_in_chinese(tmp_path: Path) -> None:
    out = run_script(tmp_path, ["maria@building-1: /help", "wang@building-1: /help"])
    assert len(out) == 2
    resident, social = out
    assert resident.startswith("reply building-1: 您在这里可以使用的命令：")
    assert "/bind" not in resident and "/bind" in social and "/reload" in social


def test_resident_bind_refused_and_unknown_command_helped(tmp_path: Path) -> None:
    out = run_script(
        tmp_path,
        [
            "maria@building-1: /bind building-2",
            "maria@building-1: /hepl",
            "maria@building-1: /frobnicate",
        ],
    )
    assert out[0] == (
        "reply building-1: 抱歉，/bind 仅限以下身份使用：社区工作者、群管理员、社会工作者。"
        "您在这里的身份是：居民。如需办理，请联系群管理员。 (b1)"
    )
    assert (
        out[1]
        == "reply building-1: 没有 /hepl 这个命令。您是不是想用 /help？发送 /help 查看您在这里可以使用的命令。 (b2)"
    )
    assert out[2].startswith("reply building-1: 没有 /frobnicate 这个命令。发送 /help")


def test_english_when_the_yaml_says_en(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "forms").mkdir()
    for form in (EXAMPLE.parent / "forms").glob("*.yaml"):
        (config / "forms" / form.name).write_text(
            form.read_text(encoding="utf-8"), encoding="utf-8"
        )
    text = EXAMPLE.read_text(encoding="utf-8").replace("  locale: zh_CN ", "  locale: en ")
    (config / "community.yaml").write_text(text, encoding="utf-8")
    out = run_script(
        tmp_path,
        [
            "maria@building-1: /help",
            "maria@building-1: /bind building-1",
            "maria@building-1: /hepl",
        ],
        config / "community.yaml",
    )
    assert out[0].startswith("reply building-1: Commands you can use here:")
    assert out[1].startswith(
        "reply building-1: Sorry, /bind is for: community worker, group admin, social worker. Here you are: resident."
    )
    assert out[2].startswith("reply building-1: There is no command /hepl. Did you mean /help?")


def test_rules_act_on_messages_and_never_echo_private_data(tmp_path: Path) -> None:
    out = run_script(
        tmp_path,
        ["maria@building-1: 我的电话是13812345678，请联系我", "maria@building-1: 有个偏方能治病"],
    )
    assert out[0] == "delete building-1: 1"
    assert out[1].startswith("reply building-1: 为保护您的隐私")
    assert out[2].startswith("dm maria: 您在1号楼居民群发的消息含有电话号码，为保护您的隐私")
    assert out[3].startswith("send prevention: 1号楼居民群中，maria发的消息含有电话号码")
    assert out[4].startswith("dm zhao: 1号楼居民群中，maria触发了服务规则“群内出现电话")
    assert not any("13812345678" in line for line in out)
    assert out[5] == "delete building-1: 2"
    assert out[6].startswith("send building-1: 提醒maria：请只转发官方发布的信息")
    assert out[-1].startswith("dm zhao: 1号楼居民群中，maria触发了服务规则“非权威来源的疫情消息")


def test_volunteer_registration_through_the_console_with_a_restart(tmp_path: Path) -> None:
    first = [
        "maria@volunteers: /form volunteer_registration",
        "maria@dm: 李娜",
        "maria@dm: 1",
        "maria@dm: /skip",
        f"maria@dm: {VALID_ID}",
        "maria@dm: 5",
        "maria@dm: /back",
        "maria@dm: 6",
        "maria@dm: 北京大学",
    ]
    out = run_script(tmp_path, first)
    assert out[0] == "reply volunteers: 我已私聊您，请在私聊中填写。 (b1)"
    assert "（1/16）姓名" in out[1]
    assert "（4/16）身份证号码" in out[4]
    assert "（5/16）工作年限" in out[5]
    assert "（6/16）毕业院校" in out[6]
    assert "（5/16）工作年限" in out[7], "/back returns to the previous question"
    assert "（7/16）专业及学历" in out[9]
    second = [
        "maria@dm: 护理 本科",
        "maria@dm: 护理",
        "maria@dm: 东城区",
        "maria@dm: 12345",
        "maria@dm: 138 1234 5678",
        "maria@dm: /skip",
        "maria@dm: /skip",
        "maria@dm: /skip",
        "maria@dm: /skip",
        "maria@dm: 周末全天",
        "maria@dm: 1,3",
    ]
    out = run_script(tmp_path, second)
    assert "（8/16）服务技能" in out[0], "the dialog resumed where it stopped"
    assert out[3].startswith("dm maria: 这个回答未被接受：这不是有效的电话号码。")
    [saved] = [
        line for line in out if line.startswith("dm maria: 谢谢！“志愿者信息登记表”已保存：")
    ]
    assert "工作年限: 6" in saved and "138****5678" in saved
    assert out[-1].startswith(
        "dm wang: 有一份志愿者报名待审核：编号 1，李娜。"
    )  # the pool's social worker
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        rows = db.execute("select form_id, person, data from record").fetchall()
        sessions = db.execute("select answers from form_session").fetchall()
        [maria] = db.execute("select person_id from person_handle where handle = 'maria'")
    assert len(rows) == 1 and sessions == [], "no answers kept outside the record"
    form_id, person, sealed = rows[0]
    assert (form_id, person) == ("volunteer_registration", maria[0])  # registered: hers
    key = os.environ.get("SANSHE_KEY") or (tmp_path / "demo.sqlite3.key").read_text("ascii")
    data = json.loads(Seal(key_of(key, "key")).open(sealed))  # sealed with the deployment's key
    assert (data["phone"], data["years_of_work"]) == ("13812345678", 6)


def test_cancel_discards_the_form(tmp_path: Path) -> None:
    out = run_script(
        tmp_path, ["maria@dm: /form volunteer_registration", "maria@dm: 李娜", "maria@dm: /cancel"]
    )
    assert out[-1] == "dm maria: 已放弃填写“志愿者信息登记表”，没有保存任何内容。 (b3)"
    import sqlite3

    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        assert db.execute("select count(*) from record").fetchone()[0] == 0
        assert db.execute("select count(*) from form_session").fetchone()[0] == 0


def test_malformed_lines_are_explained_and_skipped(tmp_path: Path) -> None:
    result = sanshe(
        "run",
        "--db",
        f"sqlite://{tmp_path}/x.sqlite3",
        "--config",
        str(EXAMPLE),
        stdin="# a comment\n\nhello there\nmaria@building-1: /start\n",
    )
    assert result.returncode == 0
    assert "error: line 3: expected '<handle>@<group-id>: <text>'" in result.stderr
    assert result.stdout.startswith("reply building-1: 欢迎来到阳光社区")


@pytest.mark.parametrize(
    "line", ["ma\x00ria@dm: hi", "maria@build\x17ing-1: hi", "li\ud800@dm: hi"]
)
def test_a_handle_or_group_with_control_characters_is_a_malformed_line(line: str) -> None:
    """No network names a person or a chat so; two such names must not become one person."""
    said = ConsoleAdapter(interactive=False).parse(3, line)
    assert said == "line 3: a handle or group id cannot hold control characters"


def test_non_message_events_and_their_lines() -> None:
    adapter = ConsoleAdapter(interactive=False)
    event = adapter.parse(4, "maria@building-1! join 我是1-302自住")
    assert (
        isinstance(event, JoinRequest)
        and event.note == "我是1-302自住"
        and event.chat == "building-1"
    )
    message = adapter.parse(5, "maria@dm: 你好")
    assert isinstance(message, Message) and message.direct and message.chat == "dm:maria"
    assert (
        adapter.parse(6, "maria@building-1! dance")
        == "line 6: after '!' write join, joined, left, rename, button or reply"
    )
    assert format_action(Reply(chat="b", to="1", text="a\nb")) == "reply b: a\\nb"
    assert format_action(Delete(chat="b", message_id="9")) == "delete b: 9"
    assert format_action(Unban(chat="b", user="u")) == "unban b: u"
    assert format_action(Restrict(chat="b", user="u", minutes=30)) == "restrict b: u 30"
    assert (
        format_action(DirectMessage(user="u", text="t", buttons=(Button("OK", "ok"),)))
        == "dm u: t [1 OK|ok]"
    )


@pytest.mark.parametrize("command", ["/reload", "/重新加载"])
def test_reload_keeps_the_last_good_config(tmp_path: Path, command: str) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(
        example_text(),
        encoding="utf-8",
    )
    import asyncio

    from sanshe.testing import Sandbox

    async def scenario() -> None:
        async with Sandbox(config) as s:
            config.write_text(
                config.read_text(encoding="utf-8").replace("kind: focus_service", "kind: focus"),
                encoding="utf-8",
            )
            [here, refused] = s.texts(await s.send("wang", "building-1", command))
            assert here == "社区配置文件有问题，没有重新加载。详情已私聊发给您。"
            assert refused.startswith("社区配置文件有 1 处问题，继续使用当前设置。")
            assert "focus" in refused
            [info] = s.texts(await s.send("maria", "focus-1", "/groupinfo"))
            assert "聚焦服务群" in info
            config.write_text(
                config.read_text(encoding="utf-8")
                .replace("name: 聚焦服务群", "name: 关怀服务群")
                .replace("kind: focus\n", "kind: focus_service\n"),
                encoding="utf-8",
            )
            [done] = s.texts(await s.send("wang", "building-1", command))
            assert done == "已重新读取社区配置文件并生效。"
            [info] = s.texts(await s.send("maria", "focus-1", "/groupinfo"))
            assert info.startswith("关怀服务群")

    asyncio.run(scenario())


def test_at_a_terminal_speaker_and_place_can_be_set_and_texts_keep_their_lines() -> None:
    adapter = ConsoleAdapter(interactive=True)
    assert adapter.parse(1, ":as maria") is None
    assert adapter.parse(2, ":in building-3") is None
    event = adapter.parse(3, "/help")
    assert isinstance(event, Message) and (event.sender, event.chat, event.text) == (
        "maria",
        "building-3",
        "/help",
    )
    other = adapter.parse(4, "wang@focus-1: 你好")
    assert isinstance(other, Message) and other.sender == "wang"
    assert (
        format_action(Reply(chat="b", to="1", text="a\nb"), one_line=False) == "reply b: a\n    b"
    )


def test_sighup_rereads_the_file_and_keeps_the_last_good_one(tmp_path: Path) -> None:
    import signal
    import time

    config = tmp_path / "community.yaml"
    good = example_text()
    config.write_text(good, encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sanshe.core.cli",
            "run",
            "--config",
            str(config),
            "--db",
            f"sqlite://{tmp_path}/h.sqlite3",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_LANG": "en"},
    )
    assert process.stdin and process.stdout and process.stderr

    def groupinfo() -> str:
        process.stdin.write("maria@focus-1: /groupinfo\n")
        process.stdin.flush()
        return process.stdout.readline()

    try:
        assert groupinfo().startswith("reply focus-1: 聚焦服务群")
        config.write_text(good.replace("kind: focus_service", "kind: focus"), encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        # blocks until the reload was tried (past the console's note on maria, a stranger)
        refusal = next(line for line in process.stderr if not line.startswith("note: "))
        assert (
            "reload refused, keeping the running config" in refusal
            and "Unknown group kind “focus”" in refusal
        )
        assert groupinfo().startswith("reply focus-1: 聚焦服务群——聚焦服务群"), (
            "old config still in force"
        )
        config.write_text(good.replace("name: 聚焦服务群", "name: 关怀服务群"), encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        answers = []
        for _ in range(50):  # the signal is handled between events: ask until the new name shows
            answers.append(groupinfo())
            if answers[-1].startswith("reply focus-1: 关怀服务群"):
                break
            time.sleep(0.1)
        assert answers[-1].startswith("reply focus-1: 关怀服务群"), answers
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_a_line_that_is_not_utf8_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(EXAMPLE)],
        input=b"li@building-1: /start\nli@building-1: caf\xe9 \xff\nli@building-1: /start\n"
        + "li@building-1: 王芳 caf".encode()
        + b"\xe9\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "SANSHE_LANG": "en", "SANSHE_DB_URL": f"sqlite://{tmp_path}/u.db"},
    )
    assert result.returncode == 0, result.stderr.decode()
    replies = result.stdout.decode().splitlines()
    assert len(replies) == 2 and all(
        r.startswith("reply building-1: 欢迎来到阳光社区") for r in replies
    )
    assert result.stderr.decode().splitlines() == [
        "error: line 2: this line is not UTF-8 text (byte 0xe9 at column 19), so it was skipped.",
        # Columns count characters, as an editor shows them, not bytes.
        "error: line 4: this line is not UTF-8 text (byte 0xe9 at column 22), so it was skipped.",
    ]


def test_every_line_is_answered_and_unknown_names_are_noted_once(tmp_path: Path) -> None:
    result = sanshe(
        "run",
        "--config",
        str(EXAMPLE),
        "--db",
        f"sqlite://{tmp_path}/n.sqlite3",
        stdin="\n".join(
            [
                "li@building-9: 你好",
                "li@building-9: 还在吗",
                "stranger@building-1: 大家好",
                "stranger@building-1: /start",
                "li@building-1: 今天天气不错",
            ]
        )
        + "\n",
        env={"SANSHE_LANG": "en"},
    )
    assert result.returncode == 0, result.stderr
    notes = result.stderr.splitlines()
    assert notes[0].startswith(
        "note: line 1: There is no group “building-9” in this community (its groups: building-1, "
    )
    assert notes[1:] == [
        "note: line 1: The bot has nothing to say to this.",
        "note: line 2: The bot has nothing to say to this.",
        "note: line 3: “stranger” is not a console handle in the community file: "
        "the bot treats them as a resident it does not know.",
        "note: line 3: The bot has nothing to say to this.",
        "note: line 5: The bot has nothing to say to this.",
    ]
    assert result.stdout.startswith("reply building-1: 欢迎来到阳光社区")


def test_notes_read_naturally_in_chinese(tmp_path: Path) -> None:
    result = sanshe(
        "run",
        "--config",
        str(EXAMPLE),
        "--db",
        f"sqlite://{tmp_path}/zh.sqlite3",
        stdin="wang@building-9: 你好\n",
        env={"SANSHE_LANG": "zh_CN"},
    )
    assert result.returncode == 0, result.stderr
    assert "（现有的群：building-1、building-2、building-3、focus-1" in result.stderr


def test_private_replies_print_as_dm_like_direct_messages(tmp_path: Path) -> None:
    out = run_script(tmp_path, ["maria@dm: /help", "maria@dm: /form volunteer_registration"])
    assert out[0].startswith("dm maria: 您在这里可以使用的命令：")
    assert all(line.startswith("dm maria: ") for line in out), out
    assert format_action(Reply(chat="dm:maria", to="1", text="hi")) == "dm maria: hi"


def test_at_a_terminal_as_and_in_confirm_and_ctrl_c_ends_the_run_at_once(tmp_path: Path) -> None:
    import pty
    import signal
    import threading

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(EXAMPLE)],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_LANG": "en", "SANSHE_DB_URL": f"sqlite://{tmp_path}/t.db"},
    )
    os.close(follower)
    assert process.stdout and process.stderr
    watchdog = threading.Timer(60, process.kill)  # a missing answer fails the test, never hangs it
    watchdog.start()
    try:
        assert process.stdout.readline().startswith("Sanshe console")
        os.write(leader, b":as maria\n:in building-1\n/start\n")
        assert process.stderr.readline() == (
            "note: line 1: Plain lines now come from maria. “maria” is not a console handle "
            "in the community file: the bot treats them as a resident it does not know.\n"
        )
        assert process.stderr.readline() == "note: line 2: Plain lines now go to building-1.\n"
        assert process.stdout.readline().startswith("reply building-1: 欢迎来到阳光社区")
        process.send_signal(signal.SIGINT)  # no Enter after it: the run ends without one
        assert process.wait(timeout=30) == 130
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        watchdog.cancel()
        os.close(leader)


ROTA = """
    from sanshe.core.actions import AnswerButton, Edit, SendFile
    from sanshe.core.buttons import ButtonHandler
    from sanshe.core.commands import ChatCommand
    from sanshe.core.hookspecs import hookimpl


    def take(context):
        press = context.press
        chat = context.event.chat
        return [
            Edit(chat=chat, message_id=press.message_id, text="已选：" + press.payload, buttons=CHOICES),
            AnswerButton(callback_id=press.callback_id, text=f"好的（{press.message_id}）", chat=chat),
        ]


    TAKE = ButtonHandler("rota.take", take)
    CHOICES = (TAKE.button("上午", "am"), TAKE.button("下午", "pm"))


    def offer(context):
        return context.reply("选一个班次", buttons=CHOICES)


    def roster(context):
        where = dict(chat=context.event.chat) if not context.event.direct else dict(user=context.event.sender)
        return [
            SendFile(name="排班 表.csv", content="姓名,班次\\n王芳,上午\\n".encode(), caption="本周排班", **where),
            SendFile(name="../../逃出.txt", path=__file__, **where),
        ]


    @hookimpl
    def sanshe_commands():
        return [
            ChatCommand(name="shift", handler=offer, help="rota.help"),
            ChatCommand(name="roster", handler=roster, help="rota.help"),
        ]


    @hookimpl
    def sanshe_buttons():
        return [TAKE]
"""


def run_with_plugin(
    tmp_path: Path,
    lines: list[str],
    env: dict[str, str] | None = None,
    config: Path = EXAMPLE,
    plugin: tuple[str, str, str] = ("rota", "rota_plugin", ROTA),
) -> subprocess.CompletedProcess[str]:
    """``sanshe run`` in ``tmp_path`` with ``plugin`` (name, module, source) installed, fed ``lines``."""
    name, module, source = plugin
    site = tmp_path / f"site-{name}"
    if not site.exists():
        install_plugin(tmp_path, name, module, source)
    base = {k: v for k, v in os.environ.items() if k != "SANSHE_FILES"}
    result = subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(config)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={
            **base,
            "PYTHONPATH": str(site),
            "SANSHE_LANG": "en",
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/{name}.sqlite3",
            **(env or {}),
        },
    )
    assert result.returncode == 0, result.stderr
    return result


def test_a_button_pressed_on_the_console_reaches_its_plugin_with_the_message(
    tmp_path: Path,
) -> None:
    result = run_with_plugin(
        tmp_path,
        [
            "wang@volunteers: /shift",
            "wang@volunteers! button 2",
            "wang@volunteers! button rota.take|am",
            "wang@dm: /shift",
            "wang@dm! button 1",
            "wang@volunteers! button 1 on b1",
            "wang@volunteers! button 3",
            "wang@volunteers! button 1 on b9",
            "maria@building-1! button 1",
            "maria@building-1! button rota.gone|x",
        ],
    )
    assert result.stdout.splitlines() == [
        "reply volunteers: 选一个班次 [1 上午|rota.take|am] [2 下午|rota.take|pm] (b1)",
        "edit volunteers: b1 已选：pm [1 上午|rota.take|am] [2 下午|rota.take|pm]",
        "answer wang: 好的（b1）",
        "edit volunteers: b1 已选：am [1 上午|rota.take|am] [2 下午|rota.take|pm]",
        "answer wang: 好的（b1）",
        "dm wang: 选一个班次 [1 上午|rota.take|am] [2 下午|rota.take|pm] (b2)",
        "dm-edit wang: b2 已选：am [1 上午|rota.take|am] [2 下午|rota.take|pm]",
        "answer wang: 好的（b2）",
        "edit volunteers: b1 已选：am [1 上午|rota.take|am] [2 下午|rota.take|pm]",
        "answer wang: 好的（b1）",
    ]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: line 7: message b1 has no button 3 (it has 2)",
        "error: line 8: the bot has shown no message b9 with buttons in this run",
        "error: line 9: the bot has shown no buttons in building-1 yet; "
        "write '! button <data>', or '! button <n> on <message>'",
        "error: line 10: no message the bot shows in building-1 has a button rota.gone|x; "
        "press one it shows ('! button <n>')",
    ]


def test_a_file_the_bot_sends_is_written_and_its_path_printed(tmp_path: Path) -> None:
    lines = ["wang@volunteers: /roster", "wang@dm: /roster"]
    result = run_with_plugin(tmp_path, lines)
    out = result.stdout.splitlines()
    assert out == [
        "file volunteers: sanshe-files/排班_表.csv 本周排班 (b1)",
        "file volunteers: sanshe-files/逃出.txt (b2)",
        "dm-file wang: sanshe-files/排班_表-2.csv 本周排班 (b3)",
        "dm-file wang: sanshe-files/逃出-2.txt (b4)",
    ]
    folder = tmp_path / "sanshe-files"
    assert (folder / "排班_表.csv").read_bytes() == "姓名,班次\n王芳,上午\n".encode()
    assert (folder / "排班_表-2.csv").read_bytes() == (folder / "排班_表.csv").read_bytes()
    plugin = (tmp_path / "site-rota" / "rota_plugin.py").read_bytes()
    assert (folder / "逃出.txt").read_bytes() == plugin
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".txt") == []  # not outside
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "排班_表.csv").stat().st_mode & 0o777) == "0o600"
    assert "王芳,上午" not in result.stdout + result.stderr  # the path, never the content


def test_the_files_folder_is_the_console_setting_or_sanshe_files(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(
        example_text() + "\nadapters:\n  console: {files: exports}\n", encoding="utf-8"
    )
    out = run_with_plugin(tmp_path, ["wang@volunteers: /roster"], config=config).stdout
    assert out.startswith("file volunteers: exports/排班_表.csv 本周排班 (b1)\n")
    elsewhere = tmp_path.parent / f"{tmp_path.name}-files"  # outside the current folder
    out = run_with_plugin(
        tmp_path, ["wang@volunteers: /roster"], env={"SANSHE_FILES": str(elsewhere)}, config=config
    ).stdout
    assert out.startswith(f"file volunteers: {elsewhere}/排班_表.csv 本周排班 (b1)\n")
    assert (elsewhere / "排班_表.csv").exists()


def test_the_console_performs_every_action_by_a_method_of_its_own() -> None:
    assert ConsoleAdapter.capabilities == ALL_ACTIONS
    assert all(ConsoleAdapter._performers[kind].startswith("_") for kind in ALL_ACTIONS)
    assert format_action(Invite(chat="key-1", user="maria")) == "invite key-1: maria"
    assert (
        format_action(AnswerButton(callback_id="maria:run:3", text="", chat="b"))
        == "answer maria: "
    )
    shown = format_action(
        Send(chat="b", text="选\n一个", buttons=(Button("上午", "s.t|am"),)), message_id="b4"
    )
    assert shown == "send b: 选\\n一个 [1 上午|s.t|am] (b4)"


MUTE = """
    from sanshe.core.actions import Restrict
    from sanshe.core.arguments import Arguments, Duration, Person
    from sanshe.core.commands import ChatCommand
    from sanshe.core.hookspecs import hookimpl

    SPEC = Arguments(who=Person(), length=Duration())


    def mute(context):
        found = SPEC.read(context)
        minutes = int(found.length.total_seconds() // 60)
        return Restrict(chat=context.event.chat, user=context.handle_of(found.who), minutes=minutes)


    @hookimpl
    def sanshe_commands():
        return [ChatCommand(name="hush", handler=mute, help="arguments.name.duration")]
"""


def test_a_reply_on_the_console_names_whom_it_answers(tmp_path: Path) -> None:
    adapter = ConsoleAdapter(interactive=False)
    adapter.parse(1, "maria@building-1: 听说明天停电")
    reply = adapter.parse(2, "wang@building-1! reply 1 /hush 2h")
    assert isinstance(reply, Message)
    assert (reply.text, reply.reply_to, reply.reply_to_sender) == ("/hush 2h", "1", "maria")
    assert adapter.parse(3, "wang@building-2! reply 1 hi") == (
        "line 3: there is no message 1 in this chat to reply to; "
        "name a message by its line number, or the bot's as b1, b2…"
    )

    lines = [
        "maria@building-1: 听说明天停电",
        "wang@building-1! reply 1 /hush 2h",
        "wang@building-1: /hush 30m",
        "wang@building-1! reply b1 /hush 30m",
    ]
    result = run_with_plugin(tmp_path, lines, plugin=("mute", "mute_plugin", MUTE))
    # No one answered (line 3) or the bot did (line 4): "30m" is read as the person.
    asked = (
        "reply building-1: 不认识“30m”。请用 @账号、社区配置文件中的编号或姓名指明成员，"
        "或者回复对方的消息时输入命令。请这样写：/hush <成员> <时长>。"
    )
    assert result.stdout.splitlines() == [
        "restrict building-1: maria 120",
        f"{asked} (b1)",
        f"{asked} (b2)",
    ]


DATED = """
import datetime
import os

from sanshe.core.hookspecs import hookimpl


@hookimpl
def sanshe_message(context):
    if context.event.text == "when is the meeting?":
        if os.path.exists(os.environ["DATED_FAULT"]):
            return context.reply(datetime.date(2026, 12, 1))  # the bug: a date, not its text
        return context.reply("on 2026-12-01")
    return None
"""

DEAD_LETTER_COMMUNITY = """\
community: {id: c, name: Test, locale: en, dead_letter_after: 2}
groups:
  - {id: b1, kind: resident, name: Building 1}
people:
  - {id: li, name: Li, handles: {console: li}, roles: [community_worker]}
"""


def test_a_line_that_fails_every_try_is_set_aside_told_and_replayed(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(DEAD_LETTER_COMMUNITY, encoding="utf-8")
    fault = tmp_path / "fault"
    fault.touch()
    site = install_plugin(tmp_path, "dated", "dated_plugin", DATED)
    env = {
        "PYTHONPATH": str(site),
        "SANSHE_LANG": "en",
        "DATED_FAULT": str(fault),
        "SANSHE_DB_URL": f"sqlite://{tmp_path}/db.sqlite3",
    }
    options = ("--config", str(config))
    ran = sanshe("run", *options, stdin="maria@b1: when is the meeting?\nmaria@b1: hi\n", env=env)
    assert ran.returncode == 0, ran.stderr
    [note] = ran.stdout.splitlines()
    assert note.startswith(
        "dm li: An event the bot could not handle is set aside as dead letter 1:"
    )
    assert "a message in the group “Building 1” on console, tried 2 times (TypeError at " in note
    assert "meeting" not in note and "maria" not in note
    assert "set aside as dead letter 1" in ran.stderr and "--replay 1" in ran.stderr
    assert "error: line 1" not in ran.stderr and "note: line 2" in ran.stderr  # the run went on

    listed = sanshe("dead-letters", *options, env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split()[4:7] == ["b1", "message", "2"]
    refused = sanshe("dead-letters", "--replay", "1", *options, env=env)
    assert refused.returncode == 1 and "it stays set aside" in refused.stderr
    fault.unlink()
    replayed = sanshe("dead-letters", "--replay", "1", *options, env=env)
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.splitlines()[0].startswith("reply b1: on 2026-12-01")
    assert "handled again" in replayed.stdout
    assert "No dead letters" in sanshe("dead-letters", *options, env=env).stdout


async def test_a_press_or_reply_names_only_what_the_bot_showed_in_that_chat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    adapter = ConsoleAdapter(stdin=io.StringIO(), stdout=io.StringIO(), interactive=False)
    choices = (Button("上午", "shifts.take|am"), Button("下午", "shifts.take|pm"))
    await adapter.perform(Send(chat="volunteers", text="选一个班次", buttons=choices))  # b1
    await adapter.perform(Send(chat="building-1", text="停电通知"))  # b2
    elsewhere = "line 1: the bot has shown no message b1 with buttons in this run"
    assert adapter.parse(1, "maria@building-1! button 1 on b1") == elsewhere
    assert adapter.parse(2, "maria@building-1! reply b1 好") == (
        "line 2: there is no message b1 in this chat to reply to; "
        "name a message by its line number, or the bot's as b1, b2…"
    )
    reply = adapter.parse(3, "maria@building-1! reply b2 收到")
    assert isinstance(reply, Message) and reply.reply_to == "b2"
    unseen = (
        "line 4: no message the bot shows in building-1 has a button shifts.take|am; "
        "press one it shows ('! button <n>')"
    )
    assert adapter.parse(4, "maria@building-1! button shifts.take|am") == unseen
    press = adapter.parse(5, "wang@volunteers! button shifts.take|am")
    assert isinstance(press, Callback) and press.message_id == "b1"
    await adapter.perform(Edit(chat="volunteers", message_id="b1", text="已选：上午"))
    for number, line in [(6, "wang@volunteers! button shifts.take|am"), (7, "… on b1")]:
        line = line.replace("…", "wang@volunteers! button shifts.take|am")
        assert adapter.parse(number, line) == (
            f"line {number}: no message the bot shows in volunteers has a button "
            "shifts.take|am; press one it shows ('! button <n>')"
        )


async def test_a_long_or_tricky_file_name_is_cut_to_fit_and_an_open_folder_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "exports"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    out = io.StringIO()
    adapter = ConsoleAdapter(stdin=io.StringIO(), stdout=out, interactive=False, files=folder)
    long = "\u202e" + "报名表" * 30 + ".csv"  # 90 characters, 270 bytes before the suffix
    for _ in range(2):
        await adapter.perform(SendFile(name=long, content=b"a,b\n", chat="volunteers"))
    await adapter.perform(SendFile(name="\u202eexe.txt", content=b"x", chat="volunteers"))
    first, second, third = out.getvalue().splitlines()
    written = sorted(folder.iterdir())
    assert len(written) == 3 and all(len(p.name.encode()) <= 255 for p in written)
    stem = first.removeprefix("file volunteers: exports/").removesuffix(".csv (b1)")
    assert stem and "报名表".startswith(stem[-1]) and "\u202e" not in stem
    assert second == f"file volunteers: exports/{stem}-2.csv (b2)"
    assert third == "file volunteers: exports/exe.txt (b3)"
    assert (folder / f"{stem}-2.csv").read_bytes() == b"a,b\n"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert [r.getMessage() for r in caplog.records if "exports" in r.getMessage()] == [
        f"{folder} was open to others; it is now for its owner only"
    ]


def test_a_rename_on_the_console_names_the_person_in_that_chat(tmp_path: Path) -> None:
    adapter = ConsoleAdapter(interactive=False)
    renamed = adapter.parse(1, "maria@building-1! rename 玛丽亚")
    assert isinstance(renamed, MemberRenamed) and renamed.sender_name == "玛丽亚"
    said = adapter.parse(2, "maria@building-1: 你好")
    assert isinstance(said, Message) and said.sender_name == "玛丽亚"
    again = adapter.parse(3, "maria@building-1! rename 1-302 自住")
    assert isinstance(again, MemberRenamed) and again.old_name == "玛丽亚"
    elsewhere = adapter.parse(4, "maria@building-2: 你好")
    assert isinstance(elsewhere, Message) and elsewhere.sender_name == ""
    assert adapter.parse(5, "maria@building-1! rename ") == (
        "line 5: write the new name after ! rename (! rename 1-302 自住)"
    )
    out = run_script(
        tmp_path,
        ["maria@building-1! rename 玛丽亚", "maria@building-1! rename 1-302 自住"],
    )
    assert out[0] == (
        "dm maria: 您在1号楼居民群的群昵称“玛丽亚”不符合本群的命名规范，请改为：1-房号自住/租住 (b1)"
    )
    assert len(out) == 1  # the name that follows the convention is not answered


def test_someone_who_left_the_group_is_not_warned_muted_or_removed(tmp_path: Path) -> None:
    out = run_script(
        tmp_path,
        [
            "maria@building-1: 大家好",
            "maria@building-1! left",
            "zhao@building-1: /警告 @maria 刷屏",
            "zhao@building-1! reply 1 /禁言 2小时",
            "zhao@building-1: /移出 @maria",
            "maria@building-1! joined",
            "zhao@building-1: /移出 @maria",
        ],
    )
    assert out[:3] == [
        "reply building-1: maria不是本群成员，不能在本群警告。"
        "请确认对象：回复其消息写 /警告 原因，或写 /警告 @成员 原因。 (b1)",
        "reply building-1: maria不是1号楼居民群的成员，不能在本群禁言。"
        "请确认对象：回复其消息写 /禁言 2小时，或写 /禁言 @成员 2小时。 (b2)",
        "reply building-1: maria不是1号楼居民群的成员，无需移出。"
        "如需让某人离开社区所有群，请社区管理员使用 /封禁。 (b3)",
    ]
    assert out[3:5] == [
        "reply building-1: 已将maria移出1号楼居民群。 (b4)",
        "remove building-1: maria",
    ]
