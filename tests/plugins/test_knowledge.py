"""The knowledge plugin: the answer library (/faq, 问答) and the resource map (/resource, 资源)
in the example community, on a clock that stands still at 13:00 in Shanghai.

Staff add entries; anyone finds them with other words, in Chinese and English; resources are
listed by need; entries not confirmed for 30 days are flagged privately to their author.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sanshe.core.actions import Action, DirectMessage, Reply, Send
from sanshe.core.config import ConfigError, load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.personal_data import erase, export
from sanshe.core.plugins import plugin_manager
from sanshe.plugins.knowledge.models import AddedResource, Entry
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, example_text, write_community

#: 13:00 in Shanghai on Wednesday 2 December 2026: no timer of the example is due for hours.
QUIET = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)

#: (an entry's question, its answer, a differently phrased question someone asks).  Written
#: before the synonym table (lexicon/synonyms.yaml), which was written with them in view.
PARAPHRASES = [
    (
        "发烧了应该怎么办？",
        "体温超过37.3℃请先在家休息、多喝水，并私聊楼长或社区医务志愿者；出现呼吸困难立即拨打120。",
        "体温38度发热要去医院吗",
    ),
    (
        "小区里哪里可以买到口罩？",
        "社区服务站每天9点到17点登记购买，每户每次限购5只，请自带身份证明。",
        "防护口罩在哪儿能买",
    ),
    (
        "居家隔离期间怎么买菜？",
        "请在居民群内参加团购，或私聊楼长登记，志愿者每天下午把蔬菜送到门口。",
        "隔离在家不能出门，采购蔬菜怎么解决",
    ),
    (
        "快递可以送到家门口吗？",
        "快递员只送到小区门口的快递架，居家观察的住户可请志愿者代取。",
        "包裹能不能直接放我家门口",
    ),
    (
        "居家观察期间谁来收垃圾？",
        "每天上午10点物业人员上门收取，请把垃圾袋扎紧放在门外。",
        "隔离的时候生活垃圾谁帮忙扔",
    ),
    (
        "家里老人慢性病的药吃完了怎么办？",
        "可私聊社区工作者登记药品名称，由志愿者到医院代为配药送上门。",
        "爷爷的高血压药快没了，去哪里配药",
    ),
    (
        "出小区需要什么证明？",
        "外出请出示健康码和出入证，出入证在社区居委会办理。",
        "离开社区要开通行证吗",
    ),
    (
        "心情焦虑睡不着怎么办？",
        "可以加入聚焦服务群，心理咨询志愿者每天在线陪伴；也可拨打心理援助热线12356。",
        "最近很紧张失眠，有没有心理咨询",
    ),
    (
        "怎么给家里消毒？",
        "84消毒液按1比100兑水擦拭地面和门把手，开窗通风，酒精不要喷洒。",
        "屋里用84消毒液怎么配比",
    ),
    (
        "核酸检测在哪里做？",
        "社区卫生服务中心每天8点到12点采样，请提前在群内预约。",
        "哪儿可以测核酸",
    ),
    (
        "孩子上网课家里没有电脑怎么办？",
        "社区可以借用平板电脑，请私聊社工登记。",
        "小孩上网课缺设备",
    ),
    (
        "独居老人没人照顾可以申请帮助吗？",
        "可以，社区工作者会登记为重点关怀对象，安排邻居志愿者定期探望和代购。",
        "一个人住的老年人能找谁帮忙",
    ),
    (
        "复工返岗需要登记什么？",
        "请填写返岗复工登记表，写明单位、岗位和近14天的行程。",
        "回单位上班要填什么表",
    ),
    (
        "What should I do if I have a fever?",
        "Rest at home, drink water and write privately to your building leader; call 120 if "
        "breathing is hard.",
        "my temperature is high, what now",
    ),
    (
        "Where can I buy face masks?",
        "The community service station sells masks from 9:00 to 17:00, five per household each "
        "time.",
        "where to get a mask near here",
    ),
    (
        "How do I get groceries during home quarantine?",
        "Join the group order in your building's group; volunteers leave the vegetables at your "
        "door each afternoon.",
        "buying food while isolating at home",
    ),
    (
        "Can parcels be delivered to my door?",
        "Couriers leave parcels on the rack at the gate; volunteers fetch them for households "
        "under observation.",
        "will the courier bring packages up to my flat",
    ),
    (
        "Who collects the rubbish for people under observation?",
        "Property staff collect it every morning at 10:00; tie the bag and leave it outside the "
        "door.",
        "garbage pickup while I am under home observation",
    ),
    (
        "My elderly mother has run out of her blood pressure medicine",
        "Tell a community worker the medicine's name; a volunteer fetches it from the hospital "
        "and brings it to the door.",
        "where can an old person refill prescription drugs",
    ),
    (
        "I feel anxious and cannot sleep",
        "Join the focus service group, where counselling volunteers are online every day, or "
        "call the hotline 12356.",
        "stressed out and having insomnia, is there counselling",
    ),
    (
        "How do I disinfect my home?",
        "Dilute bleach 1 to 100 and wipe floors and door handles; open the windows; do not "
        "spray alcohol.",
        "cleaning the flat with disinfectant, how",
    ),
    (
        "Where is the nearest nucleic acid testing site?",
        "The community health centre takes swabs from 8:00 to 12:00; book in the group first.",
        "where can I get a PCR test",
    ),
    (
        "Do I need a pass to leave the compound?",
        "Show your health code and the entry pass, which the residents' committee issues.",
        "permit for going out of the neighbourhood",
    ),
]
#: More pairs, written after the synonym table and never used to change it: what the search
#: does with wording nobody tuned it for.
HELD_OUT = [
    (
        "居民可以去哪里打疫苗？",
        "社区卫生服务中心周二、周四上午接种，请带身份证。",
        "接种点在什么地方",
    ),
    ("停电了找谁修？", "请拨打物业值班电话，夜间可联系网格员。", "家里没电了怎么报修"),
    (
        "孕妇产检去不了医院怎么办？",
        "可联系社区医务志愿者，安排定点医院绿色通道。",
        "怀孕了要做检查但出不去",
    ),
    ("宠物狗可以下楼遛吗？", "请错峰遛狗，佩戴牵引绳，不在楼道停留。", "能不能带狗出去走走"),
    (
        "低保户有什么补助？",
        "低保家庭可领取生活物资包和临时救助金，请向社区申请。",
        "家里困难能领什么补贴",
    ),
    (
        "房东不让租户回来怎么办？",
        "请联系社区工作者协调，租户群里也可反映。",
        "租房的被房东拦在外面",
    ),
    (
        "咳嗽嗓子疼要不要去发热门诊？",
        "体温正常、症状轻可先居家观察，加重请就医。",
        "喉咙痛还有点咳，需要去医院看吗",
    ),
    ("志愿者怎么报名？", "请私聊机器人发送 /志愿者报名，填写登记表。", "我想当志愿者，在哪登记"),
    ("抗原试剂在哪里领？", "每户可在社区服务站领取两份抗原试剂。", "自测盒子去哪拿"),
    ("老人不会用手机预约怎么办？", "可请楼长或志愿者代为预约。", "爸妈不会在网上约挂号"),
    (
        "How do I book a vaccination?",
        "Book at the community health centre on Tuesdays and Thursdays.",
        "where can I get my jab",
    ),
    (
        "Who do I call when the power is out?",
        "Call the property company's duty phone; at night the grid worker.",
        "no electricity in my flat, who fixes it",
    ),
    (
        "Can I walk my dog during the lockdown?",
        "Yes, at quiet times, on a lead, without stopping in the stairwell.",
        "is taking the dog outside allowed",
    ),
    (
        "What help is there for low-income families?",
        "Low-income households get supply packs and emergency aid; apply to the community.",
        "we have money problems, is there any subsidy",
    ),
    (
        "My landlord will not let me back in",
        "Tell a community worker, who will talk to the landlord; you can also post in the "
        "tenants' group.",
        "the owner of my rented room locked me out",
    ),
    (
        "I have a cough and a sore throat, should I see a doctor?",
        "With a normal temperature and mild symptoms stay home; if it worsens, see a doctor.",
        "throat hurts and coughing, do I go to the clinic",
    ),
    (
        "How can I sign up as a volunteer?",
        "Write /volunteer to the bot privately and fill in the form.",
        "I want to help out as a volunteer",
    ),
    (
        "Where do I pick up antigen test kits?",
        "Each household can collect two kits at the community service station.",
        "self test kits, where are they handed out",
    ),
    (
        "Is there help for pregnant women who cannot get to antenatal checks?",
        "A medical volunteer arranges a green channel at the designated hospital.",
        "I'm pregnant and can't get to my check-up",
    ),
    (
        "My child is bored and stressed at home",
        "Try the online activities in the resident group; counsellors in the focus group can "
        "talk to children too.",
        "my kid is anxious stuck indoors",
    ),
]


@pytest.fixture
async def sunshine() -> AsyncIterator[Sandbox]:
    async with Sandbox(EXAMPLE, clock=ManualClock(QUIET)) as sandbox:
        yield sandbox


def told(actions: Iterable[Action]) -> dict[str, list[str]]:
    """What each person was told privately, by handle."""
    found: dict[str, list[str]] = {}
    for action in actions:
        if isinstance(action, DirectMessage):
            found.setdefault(action.user, []).append(action.text)
        elif isinstance(action, Reply | Send) and action.chat.startswith("dm:"):
            found.setdefault(action.chat[3:], []).append(action.text)
    return found


async def one(sandbox: Sandbox, who: str, where: str, text: str, **options: str) -> str:
    """The one text the bot answers ``text`` with."""
    [answer] = sandbox.texts(await sandbox.send(who, where, text, **options))
    return answer


async def test_an_entry_added_is_found_by_other_words_in_chinese(sunshine: Sandbox) -> None:
    added = await one(
        sunshine,
        "wang",
        "focus-1",
        "/问答 添加 发烧了应该怎么办？ | 体温超过37.3℃请先在家休息、多喝水，并私聊楼长。",
    )
    assert added == (
        "已加入问答库，第1条：“发烧了应该怎么办？”。大家可以用 /问答 <关键词> 查到它。"
    )
    found = await one(sunshine, "maria", "building-1", "/问答 体温38度发热要去医院吗")
    assert found == (
        "问答库里找到1条相关回答：\n\n"
        "1. 问：发烧了应该怎么办？\n"
        "答：体温超过37.3℃请先在家休息、多喝水，并私聊楼长。\n"
        "（王芳，2026年12月2日）"
    )
    [entry] = await Entry.all()
    assert (entry.author, entry.created_at) == ("wang", QUIET)
    assert await one(sunshine, "maria", "building-1", "/faq 停车位怎么收费") == (
        "问答库里还没有相关的回答。可以换个说法再试试，或私聊社区工作者、社工提问。"
    )


async def test_an_entry_added_in_english_is_found_in_english(sunshine: Sandbox) -> None:
    added = await one(
        sunshine,
        "sun",
        "dm",
        "/faq add Can parcels be delivered to my door? | Couriers leave them at the gate; "
        "volunteers fetch them for households under observation.",
        language="en",
    )
    assert added == (
        "Added to the answer library as entry 1: “Can parcels be d…”. Anyone can find it with "
        "/faq <words>."
    )
    found = await one(sunshine, "gao", "volunteers", "/faq will the courier bring my package up")
    assert found == (
        "Answers found in the answer library (1):\n\n"
        "1. Q: Can parcels be delivered to my door?\n"
        "A: Couriers leave them at the gate; volunteers fetch them for households under "
        "observation.\n"
        "(孙医生, Dec 2, 2026)"
    )
    # The meanings are shared by both languages: a Chinese question finds it too.
    assert "Can parcels be delivered" in await one(sunshine, "maria", "dm", "/问答 快递送上门吗")


async def test_paraphrased_questions_find_their_entry_in_the_top_three(
    sunshine: Sandbox,
) -> None:
    for question, answer, _asked in PARAPHRASES + HELD_OUT:
        await sunshine.send("wang", "dm", f"/faq add {question} | {answer}")
    assert await Entry.all().count() == len(PARAPHRASES) + len(HELD_OUT)

    async def found(pairs: list[tuple[str, str, str]]) -> list[str]:
        missed = []
        for question, _answer, asked in pairs:
            text = await one(sunshine, "maria", "dm", f"/问答 {asked}")
            if f"问：{question}\n" not in text:
                missed.append(asked)
        return missed

    missed = await found(PARAPHRASES)
    held = await found(HELD_OUT)
    print(
        f"paraphrases found in the top 3: {len(PARAPHRASES) - len(missed)}/{len(PARAPHRASES)}; "
        f"held out: {len(HELD_OUT) - len(held)}/{len(HELD_OUT)} (missed: {missed + held})"
    )
    assert len(PARAPHRASES) - len(missed) >= 16
    assert len(HELD_OUT) - len(held) >= 16


async def test_resources_are_listed_by_need(sunshine: Sandbox) -> None:
    medicine = await one(sunshine, "maria", "building-1", "/资源 退烧药")
    assert medicine.startswith(
        "找到2项相符的资源：\n"
        "• 阳光大药房（药店）\n"
        "  可解决：药品、买药、退烧药、感冒药、慢性病用药；地点：社区南门东侧50米；"
        "开放时间：8:00-22:00；联系：021-6234 5678\n"
        "• 阳光社区卫生服务中心（服务）"
    )
    hotline = await one(sunshine, "gao", "dm", "/resource someone to talk to, I feel anxious")
    assert hotline == (
        "Resources for that need (1):\n"
        "• National psychological support hotline (hotline)\n"
        "  for: counselling, anxiety, emotional support; where: nationwide; open: 24 hours; "
        "contact: 12356"
    )
    assert await one(sunshine, "maria", "dm", "/资源 修自行车") == (
        "资源地图里没有找到相符的资源。只写 /资源 可查看全部资源，也可以私聊社区工作者求助。"
    )
    everything = await one(sunshine, "maria", "dm", "/资源")
    assert everything.startswith("资源地图（共7项）：\n• 阳光大药房（药店）")
    assert everything.endswith("按需求查找：/资源 <需求>，例如 /资源 买药、/资源 心理热线。")


async def test_staff_add_confirm_and_remove_a_resource(sunshine: Sandbox) -> None:
    added = await one(
        sunshine,
        "zhang",
        "prevention",
        "/资源 添加 爱心菜站 | 买菜 蔬菜 | 3号楼楼下 | 每天7:00-9:00 | 021-6234 9999",
    )
    assert added == "已加入资源地图，第1项：“爱心菜站”。"
    found = await one(sunshine, "maria", "building-3", "/资源 想买点青菜")
    assert found.startswith(
        "找到4项相符的资源：\n"
        "• #1 爱心菜站\n"
        "  可解决：买菜 蔬菜；地点：3号楼楼下；开放时间：每天7:00-9:00；联系：021-6234 9999\n"
        "  （张敏，2026年12月2日）\n"
        "• 社区生活物资保障点（物资）"
    )
    sunshine.clock.advance(days=3)
    assert await one(sunshine, "wang", "dm", "/资源 确认 #1") == (
        "已确认第1项仍然有效：“爱心菜站”，复核日期更新为今天。"
    )
    [kept] = await AddedResource.all()
    assert kept.checked_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert (
        await one(sunshine, "wang", "dm", "/资源 删除 1") == "已从资源地图删除第1项：“爱心菜站”。"
    )
    assert await AddedResource.all().count() == 0
    assert await one(sunshine, "wang", "dm", "/资源 删除 1") == (
        "资源地图里没有工作人员添加的第1项。"
    )


async def test_a_stale_entry_is_flagged_to_its_author_only(sunshine: Sandbox) -> None:
    await sunshine.send(
        "wang", "dm", "/问答 添加 核酸检测在哪里做？ | 社区卫生服务中心每天8点到12点采样。"
    )
    await sunshine.advance(days=20)
    await sunshine.send("sun", "dm", "/资源 添加 爱心药箱 | 常用药 | 居委会 | 9:00-17:00")
    await sunshine.advance(days=10)  # 30 days old: not yet older than 30 days
    assert await Entry.filter(flagged_at__not_isnull=True).count() == 0
    flagged = await sunshine.advance(days=1)
    mine = [a for a in flagged if "未复核" in getattr(a, "text", "")]
    assert told(mine) == {
        "wang": [
            "您添加的1个条目已超过30天未复核，请看看是否仍然正确：\n"
            "• 问答第1条：“核酸检测在哪里做？”\n"
            "仍然正确请写 /问答 确认 <编号>（资源：/资源 确认 <编号>）；已过时请写 /问答 删除 "
            "<编号>，再添加新的回答。"
        ]
    }
    assert len(mine) == 1  # nothing in any group, nothing to anyone else
    # Readers see that it may be out of date; it is not flagged again the next day.
    found = await one(sunshine, "maria", "building-1", "/问答 哪里测核酸")
    assert found.endswith("（王芳，2026年12月2日；已超过30天未复核，可能已过时）")
    later = await sunshine.advance(days=1)
    assert not [a for a in later if "未复核" in getattr(a, "text", "")]
    # Confirmed, it is fresh again.
    assert await one(sunshine, "wang", "dm", "/问答 确认 1") == (
        "已确认第1条仍然正确：“核酸检测在哪里做？”，复核日期更新为今天。"
    )
    assert (await one(sunshine, "maria", "building-1", "/问答 哪里测核酸")).endswith(
        "（王芳，2027年1月3日）"
    )


async def test_the_daily_look_comes_after_a_restart_over_its_time(tmp_path: Path) -> None:
    sandbox = Sandbox(EXAMPLE, db_url=f"sqlite://{tmp_path}/db.sqlite3", clock=ManualClock(QUIET))
    async with sandbox:
        await sandbox.send("wang", "dm", "/问答 添加 口罩去哪买？ | 社区服务站，9:00-17:00。")
    sandbox.clock.advance(days=31)  # stopped over the 09:00 looks of 31 days
    async with sandbox:
        flagged = await sandbox.advance()
    [text] = [t for t in told(flagged).get("wang", []) if "未复核" in t]
    assert text.splitlines()[1] == "• 问答第1条：“口罩去哪买？”"


async def test_only_staff_add_or_change_entries(sunshine: Sandbox) -> None:
    refused = (
        "只有工作人员（社会工作者、社区工作者、医务志愿者、心理咨询志愿者）能添加或修改问答库的"
        "条目。查找回答请写 /问答 <关键词>。"
    )
    assert await one(sunshine, "maria", "building-1", "/问答 添加 停车 | 免费") == refused
    assert await one(sunshine, "maria", "dm", "/faq add rumour | folk remedy") == refused
    assert await one(sunshine, "chen", "building-3", "/faq add a | b") == refused  # a leader
    assert await one(sunshine, "gao", "dm", "/faq add a | b") == (
        "Only staff (social worker, community worker, medical volunteer, counselling volunteer) "
        "may add to or change the answer library. To search it, write /faq <words>."
    )
    assert await one(sunshine, "maria", "building-1", "/资源 添加 小卖部 | 零食") == (
        "只有工作人员（社会工作者、社区工作者、医务志愿者、心理咨询志愿者）能添加或修改资源地图。"
        "查找资源请写 /资源 <需求>。"
    )
    assert await Entry.all().count() == 0
    assert await AddedResource.all().count() == 0
    # A counselling volunteer of the consultation groups adds from a private chat.
    assert (
        await one(sunshine, "xu", "dm", "/问答 添加 睡不着怎么办？ | 可拨打12356。")
    ).startswith("已加入问答库，第1条")
    assert await one(sunshine, "maria", "dm", "/问答 删除 1") == refused
    assert await Entry.all().count() == 1
    # Staff see how to add, others how to search.
    assert await one(sunshine, "maria", "dm", "/问答") == (
        "在问答库中查找回答：/问答 <关键词>，例如 /问答 发烧怎么办。"
    )
    assert (await one(sunshine, "wang", "dm", "/问答")).endswith(
        "添加回答：/问答 添加 <问题> | <回答>；确认仍然正确：/问答 确认 <编号>；删除：/问答 删除 <编号>。"
    )


async def test_a_wrong_command_says_how_to_write_it(sunshine: Sandbox) -> None:
    assert await one(sunshine, "wang", "dm", "/问答 添加 只有问题没有回答") == (
        "请用“|”把问题和回答分开：/问答 添加 <问题> | <回答>，例如 /问答 添加 发烧了怎么办？ | "
        "请先在家休息，并私聊楼长或医务志愿者。"
    )
    assert await one(sunshine, "sun", "dm", "/faq add | an answer alone", language="en") == (
        "Separate the question from the answer with “|”: /faq add <question> | <answer>, for "
        "example /faq add What if I have a fever? | Rest at home and write privately to your "
        "building leader or a medical volunteer."
    )
    assert await one(sunshine, "wang", "dm", "/问答 确认 第三条") == (
        "“第三条”不是条目编号。请这样写：/问答 确认 <编号>，例如 /问答 确认 3。"
    )
    assert await one(sunshine, "sun", "dm", "/faq remove", language="en") == (
        "The entry's number is missing. Write it as /faq remove <number>, for example /faq "
        "remove 3."
    )
    assert await one(sunshine, "wang", "dm", "/问答 删除 7") == "问答库里没有第7条。"
    assert (await one(sunshine, "wang", "dm", "/资源 添加 只有名称")).startswith(
        "请用“|”分开各项：/资源 添加 <名称> | <可解决的需求> | <地点> | <开放时间> | <电话>"
    )


async def test_an_entry_with_a_mobile_number_is_refused(sunshine: Sandbox) -> None:
    refused = (
        "条目里不能有手机号、身份证号或银行卡号：问答库和资源地图会在群里显示。请去掉后再添加"
        "（热线或座机电话可以）。"
    )
    typed = "/问答 添加 找谁代购？ | 打志愿者电话 139 8765 4321"
    assert await one(sunshine, "wang", "dm", typed) == refused
    # In a consultation group, its privacy rule deletes the message before it is read.
    in_group = sunshine.texts(await sunshine.send("wang", "focus-1", typed))
    assert not [text for text in in_group if "问答库" in text]
    assert await one(
        sunshine, "wang", "dm", "/资源 添加 菜站 | 买菜 | 3号楼 | 全天 | 13987654321"
    ) == (refused)
    assert await Entry.all().count() == await AddedResource.all().count() == 0


def test_a_resource_with_a_mobile_number_is_refused_in_the_file(tmp_path: Path) -> None:
    text = example_text().replace('contact: "12356"}', 'contact: "139 8765 4321"}', 1)
    assert "139 8765 4321" in text
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "139 8765 4321" in t)
    with pytest.raises(ConfigError) as info:
        load_community(write_community(tmp_path, text), vocabulary(plugin_manager()))
    [problem] = [str(p) for p in info.value.problems]
    assert f"community.yaml:{line}:" in problem
    assert "no mobile, ID or bank card number" in problem


async def test_an_authors_entries_are_exported_and_no_longer_name_them_once_erased(
    sunshine: Sandbox,
) -> None:
    await sunshine.send("sun", "dm", "/问答 添加 发烧怎么办？ | 多喝水，私聊楼长。")
    await sunshine.send("sun", "dm", "/资源 添加 爱心药箱 | 常用药")
    data = await export(sunshine.storage, sunshine.community, sunshine.bot.pm, "sun")
    assert data["plugins"]["knowledge"]["faq"][0]["question"] == "发烧怎么办？"
    assert data["plugins"]["knowledge"]["resources"][0]["name"] == "爱心药箱"
    await erase(sunshine.storage, sunshine.community, sunshine.bot.pm, "sun")
    assert [e.author for e in await Entry.all()] == [""]
    assert (await one(sunshine, "maria", "dm", "/问答 发烧")).endswith(
        "（工作人员，2026年12月2日）"
    )


async def test_every_change_to_the_library_and_the_map_is_audited(sunshine: Sandbox) -> None:
    await one(sunshine, "wang", "dm", "/问答 添加 发烧了怎么办？ | 先在家休息，私聊楼长。")
    await one(sunshine, "wang", "dm", "/问答 确认 1")
    await one(sunshine, "zhang", "dm", "/资源 添加 爱心菜站 | 买菜 | 3号楼楼下 | 7:00-9:00")
    await one(sunshine, "zhang", "dm", "/问答 删除 1")
    await one(sunshine, "zhang", "dm", "/资源 删除 1")
    await one(sunshine, "maria", "dm", "/问答 发烧")  # a search changes nothing
    entries = [(e.action, e.subject) for e in await sunshine.audit()]
    assert entries == [
        ("create", "faq:1"),
        ("update", "faq:1"),
        ("create", "resource:1"),
        ("delete", "faq:1"),
        ("delete", "resource:1"),
    ]
    assert [(e.action, e.subject) for e in await sunshine.audit(who="zhang")] == entries[2:]


def _with_synonyms(text: str) -> str:
    """The example, with one more synonym group of its own in the knowledge plugin's settings."""
    lines = text.splitlines(keepends=True)
    [at] = [n for n, line in enumerate(lines) if line.startswith("    synonyms:")]
    lines.insert(at + 1, "      lift: [电梯, 升降梯, 直梯, lift, elevator]\n")
    return "".join(lines)


async def test_a_community_adds_its_own_synonyms_in_the_file(tmp_path: Path) -> None:
    question = "/问答 添加 电梯坏了找谁修？ | 请私聊物业值班人员，报修电话在楼道公告栏。"
    asked = "/问答 直梯停运了怎么办"
    async with Sandbox(write_community(tmp_path, example_text()), clock=ManualClock(QUIET)) as s:
        await one(s, "wang", "dm", question)
        assert await one(s, "maria", "dm", asked) == (
            "问答库里还没有相关的回答。可以换个说法再试试，或私聊社区工作者、社工提问。"
        )
    own = tmp_path / "own"
    own.mkdir()
    async with Sandbox(
        write_community(own, _with_synonyms(example_text())), clock=ManualClock(QUIET)
    ) as s:
        await one(s, "wang", "dm", question)
        assert await one(s, "maria", "dm", asked) == (
            "问答库里找到1条相关回答：\n\n"
            "1. 问：电梯坏了找谁修？\n"
            "答：请私聊物业值班人员，报修电话在楼道公告栏。\n"
            "（王芳，2026年12月2日）"
        )
        english = await one(s, "sun", "dm", "/faq the elevator is broken", language="en")
        assert "电梯坏了找谁修？" in english


def test_a_synonym_group_must_hold_words(tmp_path: Path) -> None:
    text = re.sub(r"parking: \[.*\]", "parking: []", example_text())
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "parking: []" in t)
    with pytest.raises(ConfigError) as refused:
        load_community(write_community(tmp_path, text), vocabulary(plugin_manager()))
    [problem] = [str(p) for p in refused.value.problems]
    assert f"community.yaml:{line}:" in problem
    assert "a synonym group needs at least one word" in problem
