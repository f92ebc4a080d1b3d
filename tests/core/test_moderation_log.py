"""Core's moderation plumbing: the moderation log group, dry runs, quiet reminders, a refused
private message's ``otherwise``, and buildings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sanshe.core.actions import Delete, DirectMessage, Send, from_record, to_record
from sanshe.core.context import Context
from sanshe.core.model import Building
from sanshe.testing import NETWORK, Sandbox
from tests.conftest import example_text

RUMOUR = "内部消息：明天封楼"


def dry(text: str) -> str:
    return text.replace("  - id: no-rumours\n", "  - id: no-rumours\n    dry_run: true\n", 1)


async def test_a_dry_run_rule_acts_on_nobody_and_tells_the_moderation_log() -> None:
    async with Sandbox.from_yaml(dry(example_text())) as s:
        actions = await s.send("maria", "building-2", RUMOUR)
        assert [(type(a), getattr(a, "chat", "")) for a in actions] == [(Send, "prevention")]
        [report] = s.texts(actions)
        assert report == (
            "试运行：2号楼居民群中，规则“非权威来源的疫情消息、偏方会被删除并警告发送者”"
            "本会对maria的消息执行：删除该消息，然后警告发送者，然后通知群管理员。"
        )
        [entry] = await s.audit()
        assert (entry.action, entry.detail) == ("dry_run", "rules.dry_run")


async def test_a_dry_run_plugin_makes_its_rules_report_only() -> None:
    text = example_text().replace("  dry_run: []", "  dry_run: [moderation]", 1)
    async with Sandbox.from_yaml(text) as s:
        actions = await s.send("maria", "building-1", "我的电话13812345678")
        assert not any(isinstance(a, Delete | DirectMessage) for a in actions)
        assert [a.chat for a in actions if isinstance(a, Send)] == ["prevention"]
        assert "13812345678" not in "".join(s.texts(actions))


async def test_without_dry_run_the_rule_acts_and_the_log_hears_nothing_of_it() -> None:
    async with Sandbox.from_yaml(example_text()) as s:
        actions = await s.send("maria", "building-2", RUMOUR)
        assert isinstance(actions[0], Delete)
        # The log hears the warning given (the warnings plugin), no dry run.
        logged = [a.text for a in actions if isinstance(a, Send) and a.chat == "prevention"]
        assert logged and not any(text.startswith("试运行") for text in logged)


async def test_a_dry_run_of_an_unknown_plugin_is_refused_where_it_is_written() -> None:
    text = example_text().replace("  dry_run: []", "  dry_run: [moderatoin]", 1)
    try:
        async with Sandbox.from_yaml(text):
            raise AssertionError("the file was taken")
    except Exception as exc:  # the sandbox refuses a file with problems, saying them
        assert "moderatoin" in str(exc)


async def test_a_moderation_log_naming_no_group_is_refused() -> None:
    text = example_text().replace("moderation_log: prevention", "moderation_log: preventoin", 1)
    try:
        async with Sandbox.from_yaml(text):
            raise AssertionError("the file was taken")
    except Exception as exc:
        assert "preventoin" in str(exc) and "prevention" in str(exc)


async def test_once_per_is_true_once_within_the_interval_and_across_a_restart(
    tmp_path: Path,
) -> None:
    async with Sandbox.from_yaml(example_text(), db_url=f"sqlite://{tmp_path}/db.sqlite3") as s:
        said: list[bool] = []

        async def remind(ctx: Context) -> None:
            said.append(ctx.once_per("nicknames", "maria@building-1", timedelta(hours=1)))

        await s.bot.services.act("nicknames", remind)
        await s.bot.services.act("nicknames", remind)
        await s.restart()
        await s.bot.services.act("nicknames", remind)
        await s.advance(minutes=61)
        await s.bot.services.act("nicknames", remind)
        assert said == [True, False, False, True]


async def test_a_refused_private_message_is_replaced_by_its_otherwise() -> None:
    async with Sandbox.from_yaml(example_text()) as s:
        s.adapter.unreachable.add("maria")

        async def ask(ctx: Context) -> list[DirectMessage]:
            instead = Send(chat="prevention", text="maria could not be asked", network=NETWORK)
            asked = DirectMessage(user="maria", text="which room?", otherwise=(instead,))
            return [replace(asked, network=NETWORK)]

        before = len(s.adapter.performed)
        await s.bot.services.act("joining", ask)
        assert s.texts(s.adapter.performed[before:]) == ["maria could not be asked"]
        s.adapter.unreachable.clear()
        await s.bot.services.act("joining", ask)
        assert s.texts(s.adapter.performed[before + 1 :]) == ["which room?"]


def test_a_building_writes_its_room_ranges_out() -> None:
    building = Building(id="1", rooms=("101-103", "201", "202-202"))
    assert building.room_list() == ("101", "102", "103", "201", "202")


async def test_a_group_of_a_building_not_listed_is_refused() -> None:
    text = example_text().replace(
        '  - {id: "3", name: {zh_CN: 3号楼, en: Building 3}', "  - {id: x", 1
    )
    try:
        async with Sandbox.from_yaml(text):
            raise AssertionError("the file was taken")
    except Exception as exc:
        assert "“3”" in str(exc) and "buildings" in str(exc)


def test_a_private_message_keeps_its_otherwise_in_the_outbox() -> None:
    instead = (Send(chat="prevention", text="could not ask", network=NETWORK),)
    asked = DirectMessage(user="maria", text="which room?", otherwise=instead)
    assert from_record(json.loads(json.dumps(to_record(asked)))) == asked


async def test_a_range_of_too_many_rooms_is_refused() -> None:
    text = example_text().replace('"101-106", "201-206"', '"1-99999999"', 1)
    try:
        async with Sandbox.from_yaml(text):
            raise AssertionError("the file was taken")
    except Exception as exc:
        assert "10000" in str(exc) or "10,000" in str(exc)
