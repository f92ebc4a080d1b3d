"""``/report`` (举报): a member reports a message to the group's admins, as a reply to it."""

from __future__ import annotations

from pathlib import Path

from sanshe.adapters.console import ConsoleAdapter
from sanshe.core.actions import Delete, DirectMessage, Reply, Send
from sanshe.core.events import Message
from sanshe.testing import Sandbox
from tests.adapters.test_console import run_script
from tests.conftest import EXAMPLE

RUMOUR = "据说明天停水，联系我13812345678，快转给邻居们看看吧"


async def test_a_report_reaches_the_admins_privately_and_thanks_the_reporter(
    community: Sandbox,
) -> None:
    actions = await community.send(
        "maria",
        "building-1",
        "/举报 散布谣言",
        reply_to="7",
        reply_to_sender="stranger",
        reply_to_text=RUMOUR,
    )
    assert [type(a) for a in actions] == [DirectMessage, DirectMessage, Delete, Send]
    admin, thanks, deleted, logged = actions
    assert isinstance(admin, DirectMessage) and admin.user == "zhao"
    assert admin.text == (
        "maria举报了1号楼居民群中stranger的一条消息：“据说明天停水，联系我***，快转给邻居们看看吧”。"
        "原因：散布谣言。请查看并处理。"
    )
    assert isinstance(thanks, DirectMessage) and thanks.user == "maria"
    assert thanks.text == (
        "感谢您的举报，1号楼居民群的管理员已收到，会尽快处理。为保护您，群内的举报消息已撤下。"
    )
    assert isinstance(deleted, Delete) and deleted.chat == "building-1"  # the report itself
    assert isinstance(logged, Send) and logged.chat == "prevention"
    assert logged.text == "1号楼居民群中stranger的一条消息被举报，已转给群管理员。"
    assert not any("5678" in t for t in community.texts(actions))
    [entry] = await community.audit()
    assert (entry.action, entry.detail) == ("report", "moderation.log.report")


async def test_a_report_without_a_reason_or_a_text_says_so(community: Sandbox) -> None:
    actions = await community.send(
        "maria", "building-3", "/report", reply_to="9", reply_to_sender="zhou"
    )
    told = [a.text for a in actions if isinstance(a, DirectMessage)]
    assert (
        "maria举报了3号楼居民群中周物业的一条消息：（原文无法获取）。原因：未说明。请查看并处理。"
        in told
    )
    assert {a.user for a in actions if isinstance(a, DirectMessage)} == {"chen", "liu", "maria"}


async def test_an_admin_reporting_is_not_told_of_their_own_report(community: Sandbox) -> None:
    actions = await community.send(
        "zhao", "building-1", "/举报", reply_to="3", reply_to_sender="maria", reply_to_text="hi"
    )
    assert [a.user for a in actions if isinstance(a, DirectMessage)] == ["zhao"]  # thanked only


async def test_a_report_that_answers_no_message_is_refused_saying_how(community: Sandbox) -> None:
    [refused] = await community.send("maria", "building-1", "/举报 散布谣言")
    assert isinstance(refused, Reply)
    assert refused.text == (
        "请指明要举报哪条消息。请回复（引用）要举报的那条消息，再发送 /举报 [原因]，例如：/举报 散布谣言。"
    )


async def test_a_report_of_the_bots_own_message_is_refused(community: Sandbox) -> None:
    [refused] = community.texts(
        await community.send("maria", "building-1", "/report", reply_to="b1")
    )
    assert refused.startswith("无法确认这条消息是谁发的")


async def test_a_report_is_typed_in_a_group(community: Sandbox) -> None:
    [refused] = community.texts(await community.send("maria", "dm", "/举报"))
    assert "举报" in refused and "群" in refused


def test_the_console_carries_the_text_answered_to_the_report(tmp_path: Path) -> None:
    adapter = ConsoleAdapter(interactive=False)
    adapter.parse(1, f"stranger@building-1: {RUMOUR}")
    report = adapter.parse(2, "maria@building-1! reply 1 /举报 散布谣言")
    assert isinstance(report, Message) and report.reply_to_text == RUMOUR
    lines = ["stranger@building-1: 今天下午停水", "maria@building-1! reply 1 /举报 散布谣言"]
    printed = run_script(tmp_path, lines, EXAMPLE)
    assert (
        "dm zhao: maria举报了1号楼居民群中stranger的一条消息：“今天下午停水”。原因：散布谣言。请查看并处理。 (b1)"
        in printed
    )
    assert "delete building-1: 2" in printed
