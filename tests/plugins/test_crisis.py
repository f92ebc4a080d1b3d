"""Crisis escalation: a crisis message reaches the on-shift social worker at once, privately and
ahead of everything else, and climbs the chain from YAML until someone takes it (/ack, 收到);
the message's words are repeated nowhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pluggy import PluginManager

from sanshe.core.actions import Action, Delete, DirectMessage, Reply, Send
from sanshe.core.context import Context
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Group, Person
from sanshe.core.personal_data import erase, export
from sanshe.core.storage.models import stored_person
from sanshe.plugins.cases import hookspecs as case_hooks
from sanshe.plugins.crisis.models import CrisisAlert, CrisisAlertee
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, write_community

#: 09:00 in Shanghai on 2 December 2026: shift 1 (focus-1, 08:00–20:00) is under way.
MORNING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


class Cases:
    """Stands in for the cases plugin (disabled in the test community): opens numbered cases
    from 41, one open case per person, notes the first human replies and the declared
    acquaintances."""

    def __init__(self) -> None:
        self.cases: dict[str, int] = {}
        self.answered: list[int] = []
        self.known: dict[str, set[str]] = {}
        """client id -> the staff who declared they know them."""
        self.opened: list[tuple[str, str, str, str | None]] = []

    @hookimpl
    def sanshe_addhooks(self, pluginmanager: PluginManager) -> None:
        caller = getattr(pluginmanager.hook, "cases_open", None)
        if caller is None or caller.spec is None:
            pluginmanager.add_hookspecs(case_hooks)

    @hookimpl
    def cases_open(
        self, person: Person, source: str, category: str, reason: str, origin: Group | None
    ) -> int:
        if person.id not in self.cases:
            self.cases[person.id] = 41 + len(self.cases)
            self.opened.append((source, category, reason, origin.id if origin else None))
        return self.cases[person.id]

    @hookimpl
    def cases_avoid(self, client: str) -> Collection[str]:
        return self.known.get(client, set())

    @hookimpl
    def cases_answered(self, context: Context, number: int) -> None:
        self.answered.append(number)


COMMUNITY = """\
community: {id: c, name: 测试社区, locale: zh_CN, timezone: Asia/Shanghai, admins: [community_worker]}
groups:
  - {id: building-1, kind: resident, name: 1号楼居民群, escalates_to: focus-1}
  - {id: building-2, kind: resident, name: 2号楼居民群, escalates_to: key-1}
  - {id: focus-1, kind: focus_service, name: 聚焦服务群, administered_by: [social_worker]}
  - {id: key-1, kind: key_accompaniment, name: 重点陪助群, administered_by: [social_worker]}
people:
  - {id: wang, name: 王芳, handles: {console: wang}, roles: [social_worker]}
  - {id: lin, name: 林社工, handles: {console: lin}, roles: [social_worker]}
  - {id: amy, name: Amy, locale: en, handles: {console: amy}, roles: [{role: social_worker, groups: [key-1]}]}
  - {id: zhang, name: 张敏, handles: {console: zhang}, roles: [community_worker]}
  - {id: sun, name: 孙医生, handles: {console: sun}, roles: [{role: medical_volunteer, groups: [focus-1]}]}
plugins:
  disable: [cases]
  shifts:
    templates:
      - groups: [focus-1, key-1]
        shifts:
          - {start: "08:00", end: "20:00", needs: {social_worker: 1, medical_volunteer: 1}}
    plan_days: 1
  crisis:
    ack_within: 5m
    on_shift: [social_worker]
    chain: [social_worker, community_worker]
    fallback: ["console:duty"]
"""
#: A crisis message in Chinese: none of it may be repeated anywhere.
CRISIS = "我真的撑不下去了，不想活了"
WORDS = ("撑不下去", "不想活")


def community(tmp_path: Path, text: str = COMMUNITY, cases: Cases | None = None) -> Sandbox:
    """The test community on a file database (it survives a restart), at 09:00 in Shanghai."""
    config = write_community(tmp_path, text)
    db = f"sqlite://{tmp_path / 'bot.sqlite3'}"
    return Sandbox(config, db_url=db, clock=ManualClock(MORNING), plugins=[cases or Cases()])


@pytest.fixture
def cases() -> Cases:
    return Cases()


@pytest.fixture
async def sandbox(tmp_path: Path, cases: Cases) -> AsyncIterator[Sandbox]:
    async with community(tmp_path, cases=cases) as running:
        yield running


async def on_shift(sandbox: Sandbox, who: str, group: str) -> None:
    """``who`` claims today's shift of ``group`` (focus-1's is shift 1, key-1's shift 2)."""
    number = {"focus-1": 1, "key-1": 2}[group]
    claimed = await sandbox.send(who, "dm", f"/claim {number}")
    assert claimed, claimed


def told(actions: list[Action], user: str) -> list[str]:
    """What ``user`` was written privately (a message, or an answer in their private chat)."""
    return [
        a.text
        for a in actions
        if (isinstance(a, DirectMessage) and a.user == user)
        or (isinstance(a, Send | Reply) and a.chat == f"dm:{user}")
    ]


def alerts(actions: list[Action]) -> dict[str, str]:
    """The crisis alerts among ``actions``: who -> the text."""
    return {
        a.user: a.text
        for a in actions
        if isinstance(a, DirectMessage) and ("危机提醒" in a.text or "crisis alert" in a.text)
    }


def group_texts(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Send | Reply) and not a.chat.startswith("dm")]


def repeated_anywhere(sandbox: Sandbox) -> list[str]:
    """Every text the bot performed that repeats words of the crisis message."""
    texts = [getattr(a, "text", "") + getattr(a, "caption", "") for a in sandbox.adapter.performed]
    return [t for t in texts if any(word in t for word in WORDS)]


async def test_an_alert_reaches_the_on_shift_social_worker_urgently_and_the_person_is_cared_for(
    sandbox: Sandbox, cases: Cases
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    actions = await sandbox.send("maria", "building-1", CRISIS, name="1-101自住")
    assert alerts(actions) == {
        "wang": (
            "【紧急·危机提醒】1-101自住（1号楼居民群，09:00）可能处于危险之中：自杀意念。"
            "请立即私下联系。原话不在此转述。\n"
            "个案：/个案 41\n"
            "由您接手请回复：/收到 41"
        )
    }
    assert cases.opened == [("crisis", "psychological", "危机提醒：自杀意念", "building-1")]
    [care] = told(actions, "maria")
    assert care.startswith("我们看到了您的消息，很关心您现在的情况。")
    assert "120" in care and "12356" in care
    private = [a for a in actions if isinstance(a, DirectMessage) and a.user in ("wang", "maria")]
    assert private and all(a.urgent for a in private)
    assert not any(isinstance(a, Delete) for a in actions)  # the message stays by default
    assert repeated_anywhere(sandbox) == []
    assert not any(word in t for t in group_texts(sandbox.adapter.performed) for word in WORDS)


async def test_without_an_ack_the_alert_goes_to_the_next_in_the_chain_after_the_set_time(
    sandbox: Sandbox,
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS)
    assert alerts(await sandbox.advance(minutes=4, seconds=59)) == {}
    escalated = alerts(await sandbox.advance(seconds=1))
    assert sorted(escalated) == ["lin"]  # the other social worker (Amy's role is key-1's only)
    assert "此前收到提醒的人 5 分钟内无人确认，现转给您。" in escalated["lin"]
    assert sorted(alerts(await sandbox.advance(minutes=5))) == ["zhang"]  # community worker
    assert sorted(alerts(await sandbox.advance(minutes=5))) == ["duty"]  # the fallback
    assert alerts(await sandbox.advance(minutes=30)) == {}  # the chain is done
    assert repeated_anywhere(sandbox) == []


async def test_with_nobody_on_shift_the_fallback_is_alerted_first(sandbox: Sandbox) -> None:
    actions = await sandbox.send("maria", "building-1", CRISIS)
    assert sorted(alerts(actions)) == ["duty"]
    assert all(a.urgent for a in actions if isinstance(a, DirectMessage))
    assert sorted(alerts(await sandbox.advance(minutes=5))) == ["lin", "wang"]
    assert sorted(alerts(await sandbox.advance(minutes=5))) == ["zhang"]


async def test_ack_stops_the_escalation_and_tells_the_others_and_the_person(
    sandbox: Sandbox, cases: Cases
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS, name="1-101自住")
    [case] = {a.case for a in await CrisisAlert.all()}
    await sandbox.advance(minutes=5)  # Lin alerted too
    acked = await sandbox.send("lin", "dm", f"/收到 {case}")
    assert told(acked, "lin") == [
        f"已确认：第 {case} 号个案由您接手，提醒不再转给其他人。请马上联系1-101自住。"
    ]
    assert told(acked, "wang") == [f"第 {case} 号个案的危机提醒已由林社工接手，您无需再处理。"]
    assert told(acked, "maria") == [
        "工作人员已经收到您的消息，会尽快私下联系您。请坚持一下，您不是一个人。"
    ]
    assert cases.answered == [case]  # the case's first human reply
    assert alerts(await sandbox.advance(hours=1)) == {}  # nobody else alerted
    again = await sandbox.send("wang", "dm", f"/ack {case}")
    assert told(again, "wang") == [f"第 {case} 号个案的危机提醒已由林社工接手。"]


async def test_two_acks_at_the_same_moment_one_takes_it_and_the_other_is_told(
    sandbox: Sandbox, cases: Cases
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS, name="1-101自住")
    [case] = {a.case for a in await CrisisAlert.all()}
    await sandbox.advance(minutes=5)  # Lin alerted too
    by_wang, by_lin = await asyncio.gather(
        sandbox.send("wang", "dm", f"/ack {case}"), sandbox.send("lin", "dm", f"/收到 {case}")
    )
    performed = by_wang + [a for a in by_lin if a not in by_wang]  # each sees both
    answers = {who: told(performed, who) for who in ("wang", "lin")}
    [taker] = [who for who, texts in answers.items() if any("由您接手" in t for t in texts)]
    [other] = {"wang", "lin"} - {taker}
    name = {"wang": "王芳", "lin": "林社工"}[taker]
    assert sorted(answers[other]) == [  # told by the taker, and answered
        f"第 {case} 号个案的危机提醒已由{name}接手。",
        f"第 {case} 号个案的危机提醒已由{name}接手，您无需再处理。",
    ]
    assert len(told(performed, "maria")) == 1
    assert cases.answered == [case]
    [acked] = {a.acked_by for a in await CrisisAlert.all()}
    assert acked == stored_person(taker)


async def test_only_someone_the_alert_reached_can_take_it_and_wrong_input_says_how(
    sandbox: Sandbox,
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS)
    [case] = {a.case for a in await CrisisAlert.all()}
    refused = await sandbox.send("zhang", "dm", f"/ack {case}")
    assert told(refused, "zhang") == [
        f"第 {case} 号个案的危机提醒没有发给您，只有收到提醒的人可以确认接手。"
    ]
    wrong = await sandbox.send("wang", "dm", "/收到 明天")
    [answer] = told(wrong, "wang")
    assert answer.startswith("“明天”不是个案编号，编号是提醒里的数字，例如 12。请这样写：")
    assert "/收到 12" in answer
    assert told(await sandbox.send("wang", "dm", "/ack 999"), "wang") == [
        "第 999 号个案没有危机提醒。请核对提醒里的编号。"
    ]
    # with one alert waiting, the number may be left out
    taken = await sandbox.send("wang", "dm", "收到")
    assert "由您接手" not in " ".join(told(taken, "wang"))  # a plain word is no command
    taken = await sandbox.send("wang", "dm", "/收到")
    assert told(taken, "wang")[0].startswith(f"已确认：第 {case} 号个案由您接手")


async def test_a_restart_between_the_alert_and_its_escalation_still_escalates(
    tmp_path: Path,
) -> None:
    sandbox = community(tmp_path)
    async with sandbox:
        await on_shift(sandbox, "wang", "focus-1")
        first = await sandbox.send("maria", "building-1", CRISIS)
        assert sorted(alerts(first)) == ["wang"]
        await sandbox.stop()
        sandbox.clock.advance(minutes=7)
        await sandbox.start()
        await sandbox.advance()
        assert sorted(alerts(sandbox.adapter.performed)) == ["lin"]
        await sandbox.restart()
        assert sorted(alerts(await sandbox.advance(minutes=5))) == ["zhang"]


async def test_an_idiom_alerts_nobody(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    for text in ("今天热死了", "笑死我了", "我想死你了", "this heat is killing me"):
        actions = await sandbox.send("maria", "building-1", text)
        assert alerts(actions) == {} and told(actions, "maria") == [], text
    assert await CrisisAlert.all().count() == 0


async def test_the_delete_setting_deletes_the_message(tmp_path: Path) -> None:
    text = COMMUNITY.replace("    ack_within: 5m\n", "    ack_within: 5m\n    delete: true\n")
    async with community(tmp_path, text) as sandbox:
        actions = await sandbox.send("maria", "building-1", CRISIS)
        deleted = [a for a in actions if isinstance(a, Delete)]
        assert [d.chat for d in deleted] == ["building-1"]
        assert sorted(alerts(actions)) == ["duty"]


async def test_in_a_consultation_group_those_on_shift_there_are_alerted(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await on_shift(sandbox, "amy", "key-1")
    actions = await sandbox.send("maria", "key-1", "I am going to kill myself tonight")
    [alert] = alerts(actions).items()
    assert alert[0] == "amy"
    assert alert[1].startswith("URGENT crisis alert: maria (重点陪助群, 09:00) may be in danger: ")
    assert "kill myself" not in alert[1]
    [care] = told(actions, "maria")
    assert "kill myself" not in care


async def test_a_resident_group_escalates_to_its_consultation_group(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await on_shift(sandbox, "amy", "key-1")
    actions = await sandbox.send("maria", "building-2", CRISIS)
    assert sorted(alerts(actions)) == ["amy"]  # building-2 escalates_to key-1


async def test_a_private_chat_escalates_to_the_first_focus_group(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await on_shift(sandbox, "amy", "key-1")
    actions = await sandbox.send("maria", "dm", CRISIS)
    [text] = alerts(actions).values()
    assert sorted(alerts(actions)) == ["wang"]
    assert "（与机器人的私聊，09:00）" in text


async def test_a_second_crisis_message_while_the_alert_waits_alerts_nobody_again(
    sandbox: Sandbox,
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS)
    again = await sandbox.send("maria", "building-1", "我想自杀")
    assert alerts(again) == {}
    assert told(again, "maria")  # cared for again
    assert await CrisisAlert.all().count() == 1


async def test_a_staff_members_command_about_a_client_raises_no_alert(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    actions = await sandbox.send("lin", "dm", "/note 3 心理 来访者说过不想活了")
    assert alerts(actions) == {}
    resident = await sandbox.send("maria", "dm", "/request 我不想活了")
    assert sorted(alerts(resident)) == ["wang"]


async def test_staff_who_declared_they_know_the_client_are_never_alerted(
    sandbox: Sandbox, cases: Cases
) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    cases.known["console:maria"] = {"wang", "zhang"}
    actions = await sandbox.send("maria", "building-1", CRISIS)
    assert sorted(alerts(actions)) == ["duty"]  # the one on shift knows her: as if nobody were
    assert sorted(alerts(await sandbox.advance(minutes=5))) == ["lin"]
    assert alerts(await sandbox.advance(minutes=5)) == {}  # Zhang knows her too: passed
    assert alerts(await sandbox.advance(hours=1)) == {}


async def test_the_alerts_are_exported_and_erased_with_the_person(sandbox: Sandbox) -> None:
    await on_shift(sandbox, "wang", "focus-1")
    await sandbox.send("maria", "building-1", CRISIS)
    maria = sandbox.bot.directory.person("console", "maria")
    exported = await export(sandbox.storage, sandbox.community, sandbox.bot.pm, maria.id)
    [crisis] = exported["plugins"]["crisis"]["crises"]
    assert crisis["kind"] == "suicide" and crisis["group"] == "building-1"
    await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, maria.id)
    assert await CrisisAlert.all().count() == 0
    assert await CrisisAlertee.all().count() == 0


async def test_the_example_community_alerts_its_social_worker(tmp_path: Path) -> None:
    async with Sandbox(EXAMPLE, clock=ManualClock(MORNING)) as sandbox:
        await sandbox.send("wang", "dm", "/claim 1")
        actions = await sandbox.send("maria", "building-1", CRISIS)
        reached = alerts(actions)
        assert "wang" in reached
        assert not any(word in t for t in reached.values() for word in WORDS)
        assert not any(word in t for t in group_texts(sandbox.adapter.performed) for word in WORDS)
