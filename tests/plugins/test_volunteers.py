"""Volunteers: register, review, train, sign the agreement, dispatch — in the example community.

The example's social worker is wang (王芳, community-wide); maria and bob are people the bot
does not know until they register.  Every test asserts what people read, and that nothing
personal is posted in a group.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sanshe.core.actions import Action, DirectMessage, Invite, Reply, Send
from sanshe.core.config import ConfigError, load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.personal_data import erase, export
from sanshe.core.plugins import plugin_manager
from sanshe.core.storage.models import Record, RoleGrant, stored_person
from sanshe.plugins.volunteers.models import Dispatch, Training, Volunteer
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import example_text, write_community
from tests.volunteering import ID_NUMBER, agreement_answers, registration_answers

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
WRONG_ID = "110101199003074578"  # its check digit should be 3
AGREEMENT_TEXT = (
    "甲方（志愿者组织方）制定信息保护规则并采取保密措施；乙方（志愿者）仅为提供服务使用保密信息"
    "（包括服务对象信息），不得用于其他目的。违反约定时，甲方有权提醒、制止、警告或将其移出群。"
    "本协议终止后，乙方的保密义务不随之终止。"
)


class Community:
    """The example community with every action the bot performed kept, to look at the groups'."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.s = sandbox
        self.seen: list[Action] = []

    async def send(self, who: str, where: str, text: str) -> list[Action]:
        actions = await self.s.send(who, where, text)
        self.seen += actions
        return actions

    async def texts(self, who: str, where: str, text: str) -> list[str]:
        return self.s.texts(await self.send(who, where, text))

    async def register(self, who: str, name: str, where: str = "dm") -> list[Action]:
        """``who`` registers with /volunteer and answers every question; the last answer's actions."""
        await self.send(who, where, "/volunteer")
        for answer in registration_answers(name)[:-1]:
            await self.send(who, "dm", answer)
        return await self.send(who, "dm", registration_answers(name)[-1])

    def group_texts(self) -> list[str]:
        """What the bot posted in group chats (sends and replies outside private chats)."""
        return [
            a.text
            for a in self.seen
            if isinstance(a, Send | Reply) and not a.chat.startswith("dm:")
        ]


def told(actions: Iterable[Action], user: str) -> list[str]:
    """What ``user`` read privately among ``actions``: messages, and answers in their private chat."""
    return [
        a.text
        for a in actions
        if (isinstance(a, DirectMessage) and a.user == user)
        or (isinstance(a, Send | Reply) and a.chat == f"dm:{user}")
    ]


def pipeline() -> Sandbox:
    return Sandbox(clock=ManualClock(START))


async def test_registration_to_dispatch_with_the_reasons_on_the_way() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        opened = await c.send("maria", "volunteers", "/volunteer")
        assert sandbox.texts(opened)[0] == "已私信您。"
        [first] = told(opened, "maria")
        assert first.startswith(
            "表格：志愿者信息登记表。我会一次问一个问题。\n感谢您报名参加社区志愿服务！"
        )
        assert "（1/16）姓名" in first
        for answer in registration_answers("李娜")[:3]:
            await c.send("maria", "dm", answer)
        [refused] = await c.texts("maria", "dm", WRONG_ID)
        assert refused.startswith("这个回答未被接受：身份证号码校验位不正确，请再核对一下。")
        assert "（4/16）身份证号码" in refused
        for answer in registration_answers("李娜")[3:-1]:
            await c.send("maria", "dm", answer)
        done = await c.send("maria", "dm", registration_answers("李娜")[-1])
        summary, received = told(done, "maria")
        assert "身份证号码: 110***********4573" in summary and ID_NUMBER not in summary
        assert received == "感谢报名！您的报名编号为 1。社工审核后会在这里告诉您结果。"
        [waiting] = told(done, "wang")
        assert waiting == (
            "有一份志愿者报名待审核：编号 1，李娜。可用 /志愿者名单 待审核 查看，"
            "再用 /审核 1 通过 … 或 /审核 1 拒绝 …。"
        )
        [volunteer] = await Volunteer.all()
        assert volunteer.status == "pending" and volunteer.offered == ["medical", "general"]
        [record] = await Record.filter(form_id="volunteer_registration")
        assert record.person == volunteer.person and volunteer.record == record.id

        [again] = await c.texts("maria", "dm", "/volunteer")
        assert again == "您已报名（编号 1，待审核）。"

        [listed] = told(await c.send("wang", "volunteers", "/志愿者名单"), "wang")
        assert listed == (
            "待审核的报名：\n#1 李娜 · 待审核 · 可胜任：医务志愿者、一般志愿者 · 报名于 2026-12-01 09:00"
        )
        approved = await c.send("wang", "dm", "/审核 1 通过 医务 已核验 证书已核验")
        assert told(approved, "wang") == [
            "编号 1（李娜）：已通过，类别：医务，角色：医务志愿者；资质已核验。\n已私信告知本人。"
        ]
        [welcome] = told(approved, "maria")
        assert welcome.startswith(
            "您的报名已通过审核，类别为医务志愿者。派驻前请完成岗前培训：\n1. 线上服务规则\n"
        )
        assert "2. 保密与熟人回避\n   未经本人同意不透露" in welcome
        assert welcome.endswith("社工会为您安排派驻。")
        [roles] = await c.texts("maria", "dm", "/roles")
        assert "• 医务志愿者——志愿服务总群、志愿者派驻协调群（由王芳授予）" in roles

        [untrained] = told(await c.send("wang", "dm", "/派驻 1 focus-1"), "wang")
        assert untrained == (
            "编号 1（李娜）暂不能派驻到聚焦服务群：未确认的培训：1. 线上服务规则、2. 保密与熟人回避；"
            "尚未签署保密协议（/保密协议）。"
        )
        assert not await Dispatch.exists()
        [one] = await c.texts("maria", "dm", "/已培训 1")
        assert one == (
            "已记录：完成“线上服务规则”。\n还需完成：未确认的培训：2. 保密与熟人回避；"
            "尚未签署保密协议（/保密协议）。"
        )
        [twice] = await c.texts("maria", "dm", "/已培训 rules")
        assert twice == "您已确认过“线上服务规则”。"
        await c.send("maria", "dm", "/trained privacy")
        [unsigned] = told(await c.send("wang", "dm", "/dispatch 1 focus-1"), "wang")
        assert unsigned.endswith("暂不能派驻到聚焦服务群：尚未签署保密协议（/保密协议）。")

        [shown] = await c.texts("maria", "dm", "/保密协议")
        assert shown.startswith("表格：志愿服务保密协议。我会一次问一个问题。\n" + AGREEMENT_TEXT)
        for answer in agreement_answers("李娜"):
            await c.send("maria", "dm", answer)
        [yes] = await c.texts("maria", "dm", "是")
        assert yes.startswith(
            "这个回答未被接受：如同意，请发送 /同意（或 /agree），本题只能这样回答。"
        )
        await c.send("maria", "dm", "/同意")
        sandbox.clock.advance(minutes=5)
        signed = told(await c.send("maria", "dm", "2026-12-01"), "maria")
        version = hashlib.sha256(AGREEMENT_TEXT.encode("utf-8")).hexdigest()
        assert (
            signed[-1]
            == f"保密协议已签署（版本 {version[:12]}）。\n全部完成，社工现在可以为您安排派驻。"
        )
        [volunteer] = await Volunteer.all()
        assert volunteer.agreement_version == version
        assert volunteer.agreed_at == datetime(2026, 12, 1, 9, 5, tzinfo=SHANGHAI)
        assert volunteer.agreed_handle == "console:maria"
        [agreement] = await Record.filter(form_id="confidentiality_agreement")
        assert agreement.data["agree"] is True and volunteer.agreement_record == agreement.id

        dispatched = await c.send("wang", "dispatch", "/派驻 1 focus-1")
        assert sandbox.texts(dispatched)[0] == "已私信您。"
        assert told(dispatched, "wang") == [
            "编号 1（李娜）已派驻到聚焦服务群，身份为医务志愿者。\n入群邀请已发出。\n已私信告知本人。"
        ]
        assert [a for a in dispatched if isinstance(a, Invite)] == [
            Invite(chat="focus-1", user="maria", network="console")
        ]
        assert told(dispatched, "maria") == [
            "您已被派驻到聚焦服务群，身份为医务志愿者。请在群内把昵称改为：医务 李娜。"
        ]
        grants = await RoleGrant.filter(person_id=volunteer.person).order_by("id")
        assert [(g.role, g.groups) for g in grants] == [
            ("medical_volunteer", ["volunteers", "dispatch"]),
            ("medical_volunteer", ["focus-1"]),
        ]
        assert len(await sandbox.audit(action="grant", subject=f"person:{volunteer.person}")) == 2
        [again] = told(await c.send("wang", "dm", "/dispatch 1 focus-1"), "wang")
        assert again.startswith("编号 1（李娜）在聚焦服务群已有医务志愿者身份。\n入群邀请已发出。")
        assert await RoleGrant.filter(person_id=volunteer.person).count() == 2

        assert c.group_texts() == ["已私信您。"] * 3  # /volunteer, /志愿者名单, /派驻


async def test_a_rejection_is_told_privately_with_its_reason() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("bob", "Bob Li", where="volunteers")
        [usage] = await c.texts("wang", "dm", "/vet 1 reject")
        assert usage.startswith("缺少")
        assert "/审核 <编号或@某人> 拒绝 <原因>" in usage
        rejected = await c.send("wang", "volunteers", "/审核 1 拒绝 暂不需要该岗位")
        assert told(rejected, "bob") == ["感谢您的报名。您的报名未通过审核，原因：暂不需要该岗位"]
        assert told(rejected, "wang") == ["编号 1（Bob Li）：未通过。\n已私信告知本人。"]
        [volunteer] = await Volunteer.all()
        assert (volunteer.status, volunteer.note) == ("rejected", "暂不需要该岗位")
        assert not await RoleGrant.exists()
        [twice] = await c.texts("wang", "dm", "/vet 1 approve general unchecked")
        assert twice == "编号 1（Bob Li）已审核：未通过。"
        [not_approved] = await c.texts("bob", "dm", "/training")
        assert not_approved == "您的报名未通过审核，如有疑问请联系社工。"
        assert "暂不需要该岗位" not in " ".join(c.group_texts())
        assert c.group_texts() == ["已私信您。", "已私信您。"]


async def test_only_social_workers_may_review_and_dispatch() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        for who in ("he", "zhang", "maria"):
            [refused] = await c.texts(who, "dm", "/vet 1 approve medical checked")
            assert refused == "只有全社区或志愿服务总群的社工可以这样做。"
            [listing] = await c.texts(who, "dm", "/volunteers")
            assert listing == "只有全社区或志愿服务总群的社工可以这样做。"
            [dispatch] = await c.texts(who, "dm", "/dispatch 1 focus-1")
            assert dispatch.startswith("抱歉，/dispatch 仅限以下身份使用：社会工作者。"), dispatch
        [volunteer] = await Volunteer.all()
        assert volunteer.status == "pending"


async def test_wrong_commands_say_how_to_write_them() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        [no_class] = await c.texts("wang", "dm", "/vet 1 approve")
        assert (
            no_class.startswith("缺少类别。")
            and "例如 /审核 3 通过 医务 已核验 证书已核验" in no_class
        )
        [bad_class] = await c.texts("wang", "dm", "/vet 1 approve dentist checked")
        assert "“dentist”" in bad_class and "医务" in bad_class
        [nobody] = await c.texts("wang", "dm", "/vet 9 approve medical checked")
        assert nobody.startswith("没有这个编号或这个人的报名；/志愿者名单 全部 可查看。")
        [not_consultation] = await c.texts("wang", "dm", "/dispatch 1 building-1")
        assert not_consultation.startswith(
            "志愿者只派驻到咨询服务群（聚焦服务群、重点陪助群）；1号楼居民群是小区居民群。"
        )
        [named_as_its_kind] = await c.texts("wang", "dm", "/派驻 1 volunteers")
        assert named_as_its_kind.startswith(
            "志愿者只派驻到咨询服务群（聚焦服务群、重点陪助群），志愿服务总群不是咨询服务群。"
        )
        [pending] = await c.texts("wang", "dm", "/dispatch 1 focus-1")
        assert pending == "编号 1（李娜）不能派驻到聚焦服务群：报名状态为待审核。"
        [unknown_item] = await c.texts("maria", "dm", "/trained 7")
        assert unknown_item.startswith("没有这一项培训。培训项有：1 (rules)、2 (privacy)。")
        [not_yet] = await c.texts("maria", "dm", "/trained 1")
        assert not_yet == "您的报名还在审核中，结果会在这里告诉您。"
        [elsewhere] = await c.texts("maria", "building-1", "/volunteer")
        assert elsewhere == "请私聊我报名，或在志愿服务总群中发送。"
        [stranger] = await c.texts("bob", "dm", "/training")
        assert stranger == "您还没有报名成为志愿者，请发送 /志愿者报名 报名。"


async def test_registering_twice_through_the_form_makes_no_second_volunteer() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        await c.send("maria", "dm", "/form volunteer_registration")
        for answer in registration_answers("李娜")[:-1]:
            await c.send("maria", "dm", answer)
        last = await c.send("maria", "dm", registration_answers("李娜")[-1])
        assert told(last, "maria")[-1] == (
            "您已报名（编号 1，待审核）：本次表单已保存，但不会重复登记。"
        )
        assert told(last, "wang") == []
        assert await Volunteer.all().count() == 1


async def test_training_is_shown_posted_in_the_dispatch_group_and_listed() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        await c.send("wang", "dm", "/vet 1 approve psych unchecked")
        await c.send("maria", "dm", "/trained 2")
        [progress] = await c.texts("maria", "dm", "/培训")
        assert progress.startswith("您的岗前培训：\n1. 线上服务规则\n")
        assert "2. 保密与熟人回避 ✓\n" in progress
        assert progress.endswith(
            "还需完成：未确认的培训：1. 线上服务规则；尚未签署保密协议（/保密协议）。"
        )
        refused = await c.texts("maria", "dispatch", "/training post")
        assert refused == ["只有全社区、志愿服务总群或志愿者派驻协调群的社工可以这样做。"]
        posted = await c.send("wang", "volunteers", "/培训 发布")
        [post] = [a for a in posted if isinstance(a, Send) and a.chat == "dispatch"]
        assert post.text.startswith("志愿者岗前培训：\n1. 线上服务规则\n   不在班时不在群内发言")
        assert sandbox.texts(posted)[-1] == "已发到志愿者派驻协调群。"
        [listed] = told(await c.send("wang", "dm", "/volunteers approved"), "wang")
        assert listed == (
            "已通过的志愿者：\n#1 李娜 · 已通过（心理咨询） · 可胜任：医务志愿者、一般志愿者 · "
            "报名于 2026-12-01 09:00 · 培训 1/2 · 未签保密协议"
        )


async def test_export_and_erasure_cover_the_volunteers_tables() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        await c.send("wang", "dm", "/vet 1 approve medical checked 证书已核验")
        await c.send("maria", "dm", "/trained 1")
        [volunteer] = await Volunteer.all()
        exported = await export(
            sandbox.storage, sandbox.community, sandbox.bot.pm, volunteer.person
        )
        mine = exported["plugins"]["volunteers"]
        assert [(v["number"], v["status"], v["class"], v["note"]) for v in mine["volunteers"]] == [
            (1, "approved", "medical", "证书已核验")
        ]
        assert [t["item"] for t in mine["training"]] == ["rules"]
        assert [r["form"] for r in exported["records"]] == ["volunteer_registration"]
        await erase(sandbox.storage, sandbox.community, sandbox.bot.pm, volunteer.person)
        assert not await Volunteer.exists() and not await Training.exists()
        assert not await Record.exists()  # the registration, filed under her once registered


FORMS = Path(__file__).resolve().parents[2] / "config" / "forms"
SCOPED = f"""
community: {{id: c, name: Test, locale: en}}
groups:
  - {{id: pool, kind: volunteer_pool, name: Pool, administered_by: [social_worker]}}
  - {{id: desk, kind: volunteer_dispatch, name: Desk}}
  - {{id: care, kind: focus_service, name: Care}}
people:
  - {{id: pia, name: Pia, handles: {{console: pia}}, roles: [{{role: social_worker, groups: [pool]}}]}}
  - {{id: sam, name: Sam, handles: {{console: sam}}, roles: [{{role: social_worker, groups: [care]}}]}}
forms: ["{FORMS}/1_volunteer_registration.yaml", "{FORMS}/2_confidentiality_agreement.yaml"]
plugins:
  volunteers:
    class_roles: {{general: general_volunteer}}
    training:
      - {{id: intro, title: Welcome, text: Read the rules., link: "https://example.org/rules"}}
  nicknames:
    patterns: [{{kinds: [focus_service], roles: [general_volunteer], pattern: "secretary {{name}}"}}]
"""


async def test_the_pools_social_workers_vet_and_the_groups_dispatch_in_english() -> None:
    async with Sandbox.from_yaml(SCOPED, clock=ManualClock(START)) as sandbox:
        c = Community(sandbox)
        done = await c.register("ann", "Ann Lee")
        assert told(done, "pia") == [
            "A volunteer registration waits for review: number 1, Ann Lee. See it with "
            "/volunteers pending, then /vet 1 approve … or /vet 1 reject …."
        ]
        assert told(done, "sam") == []
        [not_pool] = await c.texts("sam", "care", "/vet 1 approve general checked")
        assert (
            not_pool
            == "Only social workers of the whole community or of the volunteer general group may do this."
        )
        approved = await c.send("pia", "pool", "/vet 1 approve general yes")
        assert sandbox.texts(approved)[0] == "I have written to you privately."
        [welcome] = told(approved, "ann")
        assert "1. Welcome\n   Read the rules.\n   https://example.org/rules" in welcome
        [one] = await c.texts("ann", "dm", "/trained intro")
        assert one == (
            "Noted: “Welcome” done.\n"
            "Still to do: the confidentiality agreement is not signed (/agreement)."
        )
        await c.send("ann", "dm", "/agreement")
        for answer in agreement_answers("Ann Lee", "Sunshine social work"):
            await c.send("ann", "dm", answer)
        [yes] = await c.texts("ann", "dm", "yes")
        assert yes.startswith("That answer was not accepted: to agree, type /agree")
        await c.send("ann", "dm", "/agree")
        await c.send("ann", "dm", "2026-12-01")
        [refused_in] = await c.texts("pia", "pool", "/dispatch 1 care")
        assert refused_in.startswith(
            "Sorry, /dispatch is for: social worker. In Care you are: no role."
        )
        dispatched = await c.send("sam", "care", "/dispatch 1 care")
        assert [a for a in dispatched if isinstance(a, Invite)] == [
            Invite(chat="care", user="ann", network="console")
        ]
        assert told(dispatched, "ann") == [
            "You are dispatched to Care as general volunteer (group secretary). "
            "Please set your nickname there as: secretary Ann Lee."
        ]
        await Volunteer.filter(id=1).update(network="matrix")  # as if she registered there
        [again] = told(await c.send("sam", "dm", "/dispatch 1 care"), "sam")
        assert "Care has no chat on matrix yet, so no invitation was sent" in again
        assert c.group_texts() == [not_pool, "I have written to you privately.", refused_in] + [
            "I have written to you privately."
        ]


async def test_the_tables_are_migrated_and_used_on_sqlite_and_postgresql(db_url: str) -> None:
    async with Sandbox(db_url=db_url, clock=ManualClock(START)) as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        await c.send("wang", "dm", "/vet 1 approve general unchecked 待面谈")
        await c.send("maria", "dm", "/trained 1")
        [volunteer] = await Volunteer.all()
        assert (volunteer.kind, volunteer.qualified, volunteer.note) == ("general", False, "待面谈")
        assert volunteer.offered == ["medical", "general"]
        assert volunteer.registered_at == START
        assert [t.item for t in await Training.filter(volunteer=1)] == ["rules"]


async def test_an_agreement_signed_while_pending_counts_once_approved() -> None:
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        [again] = told(await c.send("maria", "volunteers", "/报名"), "maria")
        assert again == "您已报名（编号 1，待审核）。"
        [not_yet] = await c.texts("maria", "dm", "/agreement")
        assert not_yet == "您的报名还在审核中，结果会在这里告诉您。"
        await c.send("maria", "dm", "/form confidentiality_agreement")
        for answer in [*agreement_answers("李娜"), "/agree"]:
            await c.send("maria", "dm", answer)
        signed = told(await c.send("maria", "dm", "2026-12-01"), "maria")
        assert signed[-1].startswith("保密协议已签署（版本 ")
        await c.send("wang", "dm", "/vet 1 approve general checked")
        await c.send("maria", "dm", "/trained 1")
        await c.send("maria", "dm", "/trained 2")
        [dispatched] = told(await c.send("wang", "dm", "/dispatch 1 key-1"), "wang")
        assert dispatched.startswith(
            "编号 1（李娜）已派驻到重点陪助群，身份为一般志愿者（群秘书）。"
        )
        assert c.group_texts() == ["已私信您。"]
        [revoked] = await c.texts("wang", "dm", "/revoke @maria general_volunteer key-1")
        assert revoked == "李娜已不再在重点陪助群担任一般志愿者（群秘书）。"
        [granted_again] = told(await c.send("wang", "dm", "/dispatch 1 key-1"), "wang")
        assert granted_again.startswith("编号 1（李娜）已派驻到重点陪助群")
        [volunteer] = await Volunteer.all()
        grants = await RoleGrant.filter(person_id=volunteer.person, role="general_volunteer")
        assert [(g.groups, g.revoked_at is None) for g in grants] == [
            (["volunteers", "dispatch"], True),
            (["key-1"], False),
            (["key-1"], True),
        ]
        assert await Dispatch.filter(volunteer=1).count() == 1


async def test_help_lists_the_training_and_agreement_to_volunteers_only() -> None:
    """/training, /trained and /agreement answer anyone (refusing, saying why), but /help and the
    menus list them to registered volunteers not turned down (and /training to social workers)."""
    async with pipeline() as sandbox:
        c = Community(sandbox)
        names = ("/training", "/trained", "/agreement")
        [stranger] = await c.texts("amy", "dm", "/help")
        assert "/volunteer" in stranger and not any(n in stranger for n in names)
        [pool, resident] = [
            (await c.texts("amy", g, "/help"))[0] for g in ("volunteers", "building-1")
        ]
        assert "/volunteer" in pool and "/volunteer" not in resident  # registers privately or there
        await c.register("amy", "Amy Wu")
        [registered] = await c.texts("amy", "dm", "/help")
        assert all(n in registered for n in names)
        [social] = await c.texts("wang", "dm", "/help")
        assert "/training" in social and "/trained" not in social
        assert "社工：私信查看志愿者报名：/志愿者名单 [待审核|已通过|全部]" in social
        await c.register("bob", "Bob Li")
        await c.send("wang", "dm", "/vet 2 reject 暂不需要")
        [rejected] = await c.texts("bob", "dm", "/help")
        assert not any(n in rejected for n in names)


LONG = "u" * 255  # a handle as long as a Matrix id may be: its key, console:uuu…, is longer


async def test_a_stranger_with_a_long_handle_registers_trains_and_signs(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with Sandbox(db_url=db_url, clock=ManualClock(START)) as sandbox:
        c = Community(sandbox)
        with caplog.at_level(logging.ERROR):
            [menu] = await c.texts(LONG, "dm", "/help")
            assert "/volunteer" in menu and "/trained" not in menu
            for command in ("/training", "/trained 1", "/agreement"):
                [before] = await c.texts(LONG, "dm", command)
                assert before == "您还没有报名成为志愿者，请发送 /志愿者报名 报名。"
            done = await c.register(LONG, "李娜")
        assert not caplog.records, [r.getMessage() for r in caplog.records]
        assert told(done, LONG)[-1] == "感谢报名！您的报名编号为 1。社工审核后会在这里告诉您结果。"
        [again] = await c.texts(LONG, "dm", "/volunteer")
        assert again == "您已报名（编号 1，待审核）。"
        await c.send("wang", "dm", "/vet 1 approve general checked")
        await c.send(LONG, "dm", "/trained 1")
        [two] = await c.texts(LONG, "dm", "/trained 2")
        assert two.endswith("还需完成：尚未签署保密协议（/保密协议）。")
        await c.send(LONG, "dm", "/agreement")
        for answer in [*agreement_answers("李娜"), "/agree"]:
            await c.send(LONG, "dm", answer)
        signed = told(await c.send(LONG, "dm", "2026-12-01"), LONG)
        assert signed[-1].endswith("全部完成，社工现在可以为您安排派驻。")
        [volunteer] = await Volunteer.all()
        assert volunteer.agreed_handle == stored_person(f"console:{LONG}")


async def test_a_social_worker_of_the_pool_alone_reviews_in_a_private_chat() -> None:
    """The registration notice tells the pool's social worker to type /volunteers and /vet
    privately: there they work for them, and /help lists them; not to a social worker of
    another group only, whom the commands refuse saying who may."""
    async with Sandbox.from_yaml(SCOPED, clock=ManualClock(START)) as sandbox:
        c = Community(sandbox)
        await c.register("ann", "Ann Lee")
        [menu] = await c.texts("pia", "dm", "/help")
        assert "/volunteers" in menu and "/vet" in menu
        [listed] = await c.texts("pia", "dm", "/volunteers pending")
        assert listed.startswith("Registrations pending review:\n#1 Ann Lee · pending")
        [vetted] = told(await c.send("pia", "dm", "/vet 1 approve general checked"), "pia")
        assert vetted.startswith("Number 1, Ann Lee: approved, class general")
        [other] = await c.texts("sam", "dm", "/help")
        assert "/volunteers" not in other and "/vet" not in other
        for command in ("/volunteers", "/vet 1 reject late"):
            [refused] = await c.texts("sam", "dm", command)
            assert refused == (
                "Only social workers of the whole community or of the volunteer general group may do "
                "this."
            )


def test_settings_naming_what_the_community_lacks_are_refused_at_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class granting a role the community has not, or a form it has not, is refused at the
    line that names it (a volunteer approved as medical would be granted a role nobody reads)."""
    monkeypatch.setenv("SANSHE_LANG", "en")
    text = example_text()
    for good, wrong in (
        ("medical: medical_volunteer", "medical: medic_volunteer"),
        ("registration_form: volunteer_registration", "registration_form: volunteer_form"),
        ("agreement_form: confidentiality_agreement", "agreement_form: agreement"),
    ):
        assert text.count(good) == 1
        text = text.replace(good, wrong)
    path = write_community(tmp_path, text)
    lines = text.splitlines()
    with pytest.raises(ConfigError) as info:
        load_community(path, vocabulary(plugin_manager()))
    found = {}
    for problem in map(str, info.value.problems):
        _file, line, _column, sentence = problem.split(":", 3)
        found[lines[int(line) - 1].split(":")[0].strip()] = sentence.split(". ")[0]
    assert found == {
        "medical": " Unknown role “medic_volunteer”",
        "registration_form": " There is no form “volunteer_form” in this community",
        "agreement_form": " There is no form “agreement” in this community",
    }


async def test_words_as_a_phone_types_them_are_understood() -> None:
    """A full-width digit from a Chinese input method is the digit; the class the bot calls
    心理咨询 is named so too."""
    async with pipeline() as sandbox:
        c = Community(sandbox)
        await c.register("maria", "李娜")
        vetted = await c.send("wang", "dm", "/审核 1 通过 心理咨询 已核验")
        assert told(vetted, "wang")[0].startswith("编号 1（李娜）：已通过，类别：心理咨询")
        [one] = await c.texts("maria", "dm", "/已培训 １")
        assert one.startswith("已记录：完成“线上服务规则”。")
        [two] = await c.texts("maria", "dm", "/已培训 ＰＲＩＶＡＣＹ。")
        assert two.startswith("已记录：完成“保密与熟人回避”。")


async def test_dispatch_counts_the_named_group_and_the_chat_it_is_typed_in() -> None:
    """As the README's table says: privately only the named group's social workers may
    dispatch there; typed in another group's chat, that group's roles must allow it too."""
    async with Sandbox.from_yaml(SCOPED, clock=ManualClock(START)) as sandbox:
        c = Community(sandbox)
        await c.register("ann", "Ann Lee")
        [privately] = told(await c.send("sam", "dm", "/dispatch 1 care"), "sam")
        assert privately == (
            "Number 1, Ann Lee, cannot be dispatched to Care: the registration is pending review."
        )
        [in_pool] = await c.texts("sam", "pool", "/dispatch 1 care")
        assert in_pool.startswith("Sorry, /dispatch is for: social worker. Here you are: no role.")
        [named_elsewhere] = await c.texts("pia", "dm", "/dispatch 1 care")
        assert named_elsewhere.startswith(
            "Sorry, /dispatch is for: social worker. In Care you are: no role."
        )
