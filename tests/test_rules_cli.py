"""``sanshe rules test FILE``: sample messages through the example community's rules, offline,
run as a person runs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.adapters.test_console import sanshe
from tests.conftest import EXAMPLE, ROOT, example_text, write_community

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


FLOOD = "  → flood（10秒内连发5条消息视为刷屏，禁言10分钟）：禁言发送者10分钟（到时自动解除）"


def test_a_flood_rule_judges_each_sample_at_the_time_it_is_written(tmp_path: Path) -> None:
    """Five lines 5 seconds apart are no flood (5 within 10 s); five lines written without a
    time follow each other by 1 second, and the fifth is one."""
    samples = tmp_path / "samples.txt"
    spread = ["8:30 maria@building-1: 早上好", *["+5s maria@building-1: 有人吗"] * 4]
    close = ["+1m maria@building-1: 在吗", *["maria@building-1: 在吗？"] * 4]
    samples.write_text("\n".join([*spread, *close]), encoding="utf-8")
    result = sanshe("rules", "test", str(samples), "--config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    none = "  → 没有规则适用"
    assert result.stdout.splitlines() == [
        "第1行 08:30:00 maria@building-1：早上好",
        none,
        "第2行 08:30:05 maria@building-1：有人吗",
        none,
        "第3行 08:30:10 maria@building-1：有人吗",
        none,
        "第4行 08:30:15 maria@building-1：有人吗",
        none,
        "第5行 08:30:20 maria@building-1：有人吗",
        none,
        "第6行 08:31:20 maria@building-1：在吗",
        none,
        "第7行 08:31:21 maria@building-1：在吗?",
        none,
        "第8行 08:31:22 maria@building-1：在吗?",
        none,
        "第9行 08:31:23 maria@building-1：在吗?",
        none,
        "第10行 08:31:24 maria@building-1：在吗?",
        FLOOD,
        "共10条消息，其中1条触发了规则。",
    ]


def test_lines_without_a_time_are_a_second_apart(tmp_path: Path) -> None:
    """Someone's fifth line comes 11 seconds after their first: no flood (5 within 10 s),
    while maria's five lines in between, a second apart, are one."""
    samples = tmp_path / "samples.txt"
    lines = ["building-1: 刷屏"] * 4 + ["maria@building-1: 刷屏"] * 7 + ["building-1: 刷屏"]
    samples.write_text("\n".join(lines), encoding="utf-8")
    result = sanshe("rules", "test", str(samples), "--config", str(EXAMPLE))
    shown = result.stdout.splitlines()
    assert [shown[i - 1] for i, line in enumerate(shown) if line == FLOOD] == [
        "第9行 maria@building-1：刷屏"
    ]
    assert shown[-3:] == [
        "第12行 someone@building-1：刷屏",
        "  → 没有规则适用",
        "共12条消息，其中1条触发了规则。",
    ]


def test_a_time_that_cannot_be_read_or_goes_back_is_named_and_fails_the_run(
    tmp_path: Path,
) -> None:
    samples = tmp_path / "samples.txt"
    samples.write_text(
        "12:00:05 building-1: 你好\n12:00 building-1: 早了\n25:00 building-1: 几点\n"
        "+5x building-1: 多久\n＋2分钟 building-1: 两分钟后\n",
        encoding="utf-8",
    )
    result = sanshe("rules", "test", str(samples), "--config", str(EXAMPLE))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "第1行 12:00:05 someone@building-1：你好",
        "  → 没有规则适用",
        "第2行：12:00 早于上一行的 12:00:05。样例请按时间先后排列，或写 +5s 表示比上一行晚5秒。",
        "第3行：“25:00”不是时间。行首的时间请写成 +5s（比上一行晚5秒，也可写 +2m、+1h）或 12:00:05"
        "（几点几分几秒）；不写时间即比上一行晚1秒。",
        "第4行：“+5x”不是时间。行首的时间请写成 +5s（比上一行晚5秒，也可写 +2m、+1h）或 12:00:05"
        "（几点几分几秒）；不写时间即比上一行晚1秒。",
        "第5行 12:02:05 someone@building-1：两分钟后",
        "  → 没有规则适用",
        "共2条消息，其中0条触发了规则。",
    ]


def test_an_english_community_reads_the_times_too(tmp_path: Path) -> None:
    english = example_text().replace("  locale: zh_CN ", "  locale: en ", 1)
    config = write_community(tmp_path, english)
    samples = tmp_path / "samples.txt"
    samples.write_text(
        "9:15 building-1: hello\n+1h building-1: again\n+ building-1: when\n", encoding="utf-8"
    )
    result = sanshe("rules", "test", str(samples), "--config", str(config))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "Line 1, 09:15:00, someone@building-1: hello",
        "  → no rule",
        "Line 2, 10:15:00, someone@building-1: again",
        "  → no rule",
        "Line 3: “+” is no time. Begin a line with +5s (5 seconds after the line above; +2m, "
        "+1h too) or 12:00:05 (a clock time); a line without one is written 1 s after the "
        "line above.",
        "2 messages, 0 of them fired a rule.",
    ]


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


@pytest.mark.parametrize("example", ["", "timed "])
def test_the_moderators_guide_shows_what_the_command_prints(tmp_path: Path, example: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## A moderator's guide to the service rules", 1)[1].split("\n## ", 1)[0]
    samples = re.search(rf"^```text {example}samples\n(.*?)^```$", guide, re.M | re.S)
    verdicts = re.search(rf"^```text {example}verdicts\n(.*?)^```$", guide, re.M | re.S)
    assert samples is not None and verdicts is not None
    file = tmp_path / "samples.txt"
    file.write_text(samples[1], encoding="utf-8")
    result = sanshe("rules", "test", str(file), "--config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == verdicts[1]
