"""``sanshe rules test FILE``: sample messages through the example community's rules, offline,
run as a person runs it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.adapters.test_console import sanshe
from tests.conftest import EXAMPLE, ROOT

SAMPLES = """\
# one sample message a line: "group-id: text" or "who@group-id: text"
building-2: 听说新增病例300例，明天封小区！
building-2: 新增病例通报 https://www.nhc.gov.cn/xcs/yqtb/list.shtml
zhang@building-1: 物资团购 http://shop.example.com

sun@focus-1: 大家好，我是孙医生
sun@focus-1: /onduty
maria@building-3： 我的电话是13812345678
"""


def test_each_sample_says_which_rules_fire_and_what_they_would_do(tmp_path: Path) -> None:
    samples = tmp_path / "samples.txt"
    samples.write_text(SAMPLES, encoding="utf-8")
    result = sanshe("rules", "test", str(samples), "--config", str(EXAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "第2行 someone@building-2：听说新增病例300例,明天封小区!",
        "  → unverified-epidemic-news（未注明官方来源的疫情消息（病例、封控、疫苗、特效药）会被删除，"
        "并在群内澄清）：删除该消息，然后在群内发布澄清：“刚才一条疫情消息没有注明官方来源，已删除。"
        "疫情信息请以政府部门和卫生健康委员会的官方发布为准，未经核实的消息请勿转发。”，然后通知群管理员",
        "第3行 someone@building-2：新增病例通报 https://www.nhc.gov.cn/xcs/yqtb/list.shtml",
        "  → 没有规则适用",
        "第4行 zhang@building-1：物资团购 http://shop.example.com",
        "  → 没有规则适用",
        "第6行 sun@focus-1：大家好,我是孙医生",
        "  → off-shift-silence（不在班的社工和志愿者不在咨询群内发言（私聊提醒，每小时最多一次））："
        "私聊提醒发送者“您现在不在班。按照线上服务规则，不在班的社工和志愿者不在群内发言；"
        "如需跟进，请私聊当班人员或群秘书。”（每1小时最多一次）",
        "第7行 sun@focus-1：/onduty",
        "  → 没有规则适用",
        "第8行 maria@building-3：我的电话是***",
        "  → private-data-stays-private（群内出现电话、身份证号或银行卡号会被删除，并转为私聊）："
        "删除该消息，然后转为私聊沟通，然后通知群管理员",
        "共6条消息，其中3条触发了规则。",
    ]
    assert "13812345678" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == [samples]  # no database, no key file, no data folder


def test_a_line_that_is_no_message_of_a_group_is_named_and_fails_the_run(tmp_path: Path) -> None:
    samples = tmp_path / "samples.txt"
    samples.write_text("nowhere: hello\njust words\nbuilding-1: 你好\n", encoding="utf-8")
    result = sanshe("rules", "test", str(samples), "--config", str(EXAMPLE))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "第1行：社区中没有id为“nowhere”的群。",
        "第2行：请写成“群id: 文字”或“人@群id: 文字”。",
        "第3行 someone@building-1：你好",
        "  → 没有规则适用",
        "共1条消息，其中0条触发了规则。",
    ]


def test_a_file_that_cannot_be_read_is_told(tmp_path: Path) -> None:
    result = sanshe("rules", "test", str(tmp_path / "missing.txt"), "--config", str(EXAMPLE))
    assert result.returncode == 1
    assert "missing.txt" in result.stdout and "FileNotFoundError" in result.stdout


def test_the_verb_is_listed_with_its_help(tmp_path: Path) -> None:
    result = sanshe("rules", "--help", "--config", str(EXAMPLE), env={"SANSHE_LANG": "en"})
    assert result.returncode == 0, result.stderr
    assert "test: run the sample messages" in result.stdout


def test_the_moderators_guide_shows_what_the_command_prints(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## A moderator's guide to the service rules", 1)[1].split("\n## ", 1)[0]
    samples = re.search(r"^```text samples\n(.*?)^```$", guide, re.M | re.S)
    verdicts = re.search(r"^```text verdicts\n(.*?)^```$", guide, re.M | re.S)
    assert samples is not None and verdicts is not None
    file = tmp_path / "samples.txt"
    file.write_text(samples[1], encoding="utf-8")
    result = sanshe("rules", "test", str(file), "--config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == verdicts[1]
