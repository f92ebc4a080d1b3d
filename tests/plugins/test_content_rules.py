"""Content rules through the example community: links outside a whitelist, authoritative
sources exempted, clarifications, and the shipped categories (rumour, superstition, terror or
porn, negative talk, work information)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.actions import Action, Delete, DirectMessage, Remove, Send
from sanshe.core.config import ConfigError, load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.events import Message
from sanshe.core.plugins import plugin_manager
from sanshe.plugins.moderation.links import links
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import example_text, write_community
from tests.core.test_config import english  # noqa: F401 - the fixture

LINK_CLARIFIED = "刚才的消息含有非官方网站的链接，已删除。请只分享政府部门和官方媒体发布的信息。"
NEWS_CLARIFIED = (
    "刚才一条疫情消息没有注明官方来源，已删除。疫情信息请以政府部门和卫生健康委员会的官方发布为准，"
    "未经核实的消息请勿转发。"
)


def kinds(actions: list[Action]) -> list[str]:
    return [type(a).__name__ for a in actions]


def in_group(actions: list[Action], chat: str) -> list[str]:
    """What was posted in ``chat`` (not as a reply)."""
    return [a.text for a in actions if isinstance(a, Send) and a.chat == chat]


def to(actions: list[Action], who: str) -> list[str]:
    return [a.text for a in actions if isinstance(a, DirectMessage) and a.user == who]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("看这个 abc.com/x", ("abc.com",)),
        ("https://www.nhc.gov.cn/xcs/list.shtml看看", ("www.nhc.gov.cn",)),
        ("点这里http://gov.cn.evil.top/a", ("gov.cn.evil.top",)),
        ("谣言网 rumour.top！", ("rumour.top",)),
        ("ＷＷＷ．ＢＡＩＤＵ．ＣＯＭ", ("www.baidu.com",)),
        ("www.example.xyz 和 www.example.xyz", ("www.example.xyz",)),
        ("Mr.Li 说的", ()),  # no path, no well-known ending: a name
        ("报告.pdf 和 report.pdf", ()),
        ("每袋3.5kg/袋，5.8元/斤", ()),
        ("发邮件到 me@abc.com", ()),
        ("体温36.5度", ()),
        # The host follows the user name, however official that looks.
        ("看这里 https://www.gov.cn@rumour.top/x", ("rumour.top",)),
        ("https://admin:pw@www.nhc.gov.cn/x", ("www.nhc.gov.cn",)),
        # Domains in Chinese: after a scheme or www., not bare in a sentence.
        ("看这里 https://谣言.top/x", ("谣言.top",)),
        ("https://谣言.top看这里", ("谣言.top",)),
        ("http://www.谣言.top", ("www.谣言.top",)),
        ("看www.谣言.top", ("www.谣言.top",)),
        ("https://卫健委.中国 通知", ("卫健委.中国",)),
        ("谣言.top/x 这样写不算", ()),
    ],
)
def test_what_counts_as_a_link(text: str, found: tuple[str, ...]) -> None:
    assert links(text) == found


async def test_a_link_outside_the_whitelist_is_deleted_and_clarified(community: Sandbox) -> None:
    actions = await community.send("maria", "building-1", "快看 rumour-news.top/abc 明天有大事")
    assert kinds(actions) == ["Delete", "Send"]
    assert in_group(actions, "building-1") == [LINK_CLARIFIED]  # a post, not a reply


async def test_an_official_link_and_its_subdomains_are_let_be(community: Sandbox) -> None:
    assert await community.send("maria", "building-1", "通知见 https://www.nhc.gov.cn/x") == []
    assert await community.send("maria", "building-1", "见 who.int/news") == []
    fake = await community.send("maria", "building-1", "见 http://gov.cn.fake-news.top/x")
    assert in_group(fake, "building-1") == [LINK_CLARIFIED]


async def test_staff_may_post_any_link(community: Sandbox) -> None:
    assert await community.send("zhang", "building-1", "物资团购 http://shop.example.com") == []


async def test_epidemic_news_without_an_official_source_is_deleted(community: Sandbox) -> None:
    actions = await community.send("maria", "building-2", "听说今天新增病例300例")
    assert kinds(actions) == ["Delete", "Send", "DirectMessage"]
    assert in_group(actions, "building-2") == [NEWS_CLARIFIED]
    [alert] = to(actions, "zhao")
    assert alert.startswith("2号楼居民群中，maria触发了服务规则“未注明官方来源的疫情消息")
    assert "（关键词“新增病例”）" in alert


async def test_epidemic_news_from_an_official_source_is_let_be(community: Sandbox) -> None:
    sourced = "新增病例通报：https://www.nhc.gov.cn/xcs/yqtb.shtml"
    assert await community.send("maria", "building-2", sourced) == []
    half = "新增病例：https://www.nhc.gov.cn/x 详情 rumour.top/y"  # not every link is official
    actions = await community.send("maria", "building-2", half)
    assert in_group(actions, "building-2") == [NEWS_CLARIFIED]  # one clarification a message
    assert [type(a) for a in actions].count(Delete) == 1


FORWARDS = """\
community: {id: c, name: Test, locale: zh_CN}
groups:
  - {id: b1, kind: resident, name: B1, administered_by: [grid_worker]}
rules:
  - id: news
    where: {kinds: [resident]}
    when:
      keywords: [封城]
      not_from: [gov.cn, "@rmrb"]
    do: [delete]
"""


async def test_a_forward_from_a_listed_channel_is_exempt_but_not_one_from_another() -> None:
    async with Sandbox.from_yaml(FORWARDS) as s:

        def forwarded(number: int, channel: str) -> Message:
            return Message(
                network=NETWORK,
                chat="b1",
                event_id=f"forward-{number}",
                sender="maria",
                text="明天封城",
                message_id=str(number),
                forwarded_from=channel,
            )

        assert await s.deliver(forwarded(1, "rmrb")) == []
        assert await s.deliver(forwarded(2, "RMRB")) == []  # usernames know no case
        assert kinds(await s.deliver(forwarded(3, "rmrb_news"))) == ["Delete"]
        assert kinds(await s.send("maria", "b1", "明天封城")) == ["Delete"]


async def test_superstition_is_deleted_and_warned(community: Sandbox) -> None:
    actions = await community.send("maria", "building-3", "喝符水可以驱邪")
    assert isinstance(actions[0], Delete)
    assert any("请勿传播迷信内容" in t for t in in_group(actions, "building-3"))


async def test_terror_or_porn_removes_the_sender_and_alerts_the_admins(
    community: Sandbox,
) -> None:
    actions = await community.send("spammer", "building-1", "免费裸聊加我")
    assert isinstance(actions[0], Delete)
    assert [a.user for a in actions if isinstance(a, Remove)] == ["spammer"]
    [alert] = to(actions, "zhao")
    assert alert.endswith("发送者已被移出本群；如涉嫌违法，请保留记录并报告公安机关。")


async def test_negative_talk_is_answered_calmly_not_deleted(community: Sandbox) -> None:
    actions = await community.send("maria", "building-1", "没人管我们，大家都得死")
    assert not any(isinstance(a, Delete) for a in actions)
    [calm] = in_group(actions, "building-1")
    assert calm.startswith("大家的担心我们都理解。")
    [alert] = to(actions, "zhao")
    assert alert.endswith("群内出现消极言论，请关注发送者的情绪并私下沟通。")


async def test_work_information_forwarded_to_residents_is_deleted(community: Sandbox) -> None:
    actions = await community.send("zhao", "building-1", "内部通知：明天全员核酸")
    assert kinds(actions)[:2] == ["Delete", "Send"]
    assert in_group(actions, "building-1") == [
        "工作群的内部信息未经管理员同意不转发到其他群，刚才的消息已删除。"
    ]
    assert await community.send("zhang", "building-1", "内部通知：明天全员核酸") == []


async def test_the_shipped_rules_are_listed_by_their_descriptions(community: Sandbox) -> None:
    [text] = community.texts(await community.send("maria", "building-1", "/rules"))
    assert "指向非官方网站的链接会被删除，并在群内澄清" in text
    assert "10秒内连发5条消息视为刷屏，禁言10分钟" in text


async def test_the_rules_say_their_new_conditions_in_words() -> None:
    rules = """\
community: {id: c, name: Test, locale: zh_CN}
groups:
  - {id: b1, kind: resident, name: B1}
rules:
  - id: links
    where: {kinds: [resident]}
    when: {links_outside: [gov.cn, "https://www.who.int/"], not_from: [gov.cn, "@rmrb"]}
    do: [delete, {clarify: 请以官方发布为准。}]
"""
    async with Sandbox.from_yaml(rules) as s:
        [said] = s.texts(await s.send("maria", "b1", "/rules"))
    assert "含有指向白名单（gov.cn、www.who.int）以外网站的链接" in said
    assert "不是来自权威来源（gov.cn、@rmrb）" in said
    assert "在群内发布澄清：“请以官方发布为准。”" in said


@pytest.mark.parametrize(
    ("when", "column", "problem"),
    [
        (
            "{links_outside: []}",
            27,
            "Give a domain or a list of domains, such as [gov.cn, who.int].",
        ),
        ("{links_outside: [gov.cn, 'not a domain']}", 27, "“not a domain” is no domain"),
        ("{not_from: [3]}", 22, "Give a list of authoritative sources: domains (such as gov.cn)"),
        ("{flood: {messages: 1, within: 10s}}", 19, "Write it as {messages: 5, within: 10s}"),
        ("{flood: {messages: 5, within: soon}}", 19, "Write it as {messages: 5, within: 10s}"),
        ("{flood: {messages: 5, within: 2h}}", 19, "at most 1h"),
        ("{command: maybe}", 21, "Write true or false."),
    ],
)
@pytest.mark.usefixtures("english")
def test_a_wrong_condition_is_refused_at_its_place_saying_how(
    tmp_path: Path, when: str, column: int, problem: str
) -> None:
    text = f"""\
community: {{id: c, name: Test, locale: zh_CN}}
groups:
  - {{id: b1, kind: resident, name: B1}}
rules:
  - id: r
    where: {{kinds: [resident]}}
    when: {when}
    do: [delete]
"""
    path = write_community(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_community(path, vocabulary(plugin_manager()))
    [wrong] = [str(p) for p in refused.value.problems]
    assert wrong.startswith(f"{path}:7:{column}: ")
    assert problem in wrong


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        ("{clarify: ''}", "Give a text, or one text per language"),
        ("{remind: {text: 请勿发言, every: soon}}", "Write it as {text: the reminder, every: 1h}"),
        ("{remind: {text: 请勿发言, often: 1h}}", "Write it as {text: the reminder, every: 1h}"),
        ("{remind: [3]}", "Write it as {text: the reminder, every: 1h}"),
    ],
)
@pytest.mark.usefixtures("english")
def test_a_wrong_notice_is_refused_saying_how(tmp_path: Path, step: str, problem: str) -> None:
    text = f"""\
community: {{id: c, name: Test, locale: zh_CN}}
groups:
  - {{id: b1, kind: resident, name: B1}}
rules:
  - id: r
    where: {{kinds: [resident]}}
    when: {{keywords: [x]}}
    do: [{step}]
"""
    path = write_community(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_community(path, vocabulary(plugin_manager()))
    [wrong] = [str(p) for p in refused.value.problems]
    assert wrong.startswith(f"{path}:8:") and problem in wrong


async def test_with_moderation_in_dry_run_a_link_is_only_reported() -> None:
    text = example_text().replace("  dry_run: []", "  dry_run: [moderation]", 1)
    async with Sandbox.from_yaml(text) as s:
        actions = await s.send("maria", "building-1", "快看 rumour-news.top/abc")
        assert [(type(a), getattr(a, "chat", "")) for a in actions] == [(Send, "prevention")]
        assert s.texts(actions) == [
            "试运行：1号楼居民群中，规则“指向非官方网站的链接会被删除，并在群内澄清”本会对maria的消息执行："
            f"删除该消息，然后在群内发布澄清：“{LINK_CLARIFIED}”。"
        ]


async def test_a_message_breaking_two_clarified_rules_gets_one_clarification(
    community: Sandbox,
) -> None:
    actions = await community.send("maria", "building-1", "新增病例很多 https://rumour.top/x")
    assert kinds(actions).count("Delete") == 1
    assert in_group(actions, "building-1") == [NEWS_CLARIFIED]  # the first rule's, in file order
    [alert] = to(actions, "zhao")  # the admins still hear which rule fired
    assert "未注明官方来源的疫情消息" in alert
