"""The return-to-work registration form of the example, and a form a community adds in its YAML:
each filled in by the private dialog, listed by /records and exported like the guide's forms."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from sanshe.core.actions import Action, SendFile
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import example_text, write_community

#: 13:00 in Shanghai, Thursday 3 December 2026.
NOON = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
#: Li Na's answers: name, gender (1: female), phone, address, employer, coming back from, travel,
#: date of return, date of work (skipped), health (1: well), contact, observation, notes.
ANSWERS = (
    "李娜",
    "1",
    "13812345678",
    "1号楼302",
    "阳光科技有限公司",
    "湖北省武汉市",
    "G1234次列车",
    "2026-12-01",
    "/skip",
    "1",
    "否",
    "是",
    "/skip",
)
#: A community adding a form of its own: masks handed out, filled in by building leaders.
CUSTOM = """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai, admins: [community_worker]}
groups: [{id: b1, kind: resident, name: B1, building: "1"}]
people:
  - {id: cora, name: Cora Lin, handles: {console: cora}, roles: [community_worker]}
  - {id: ben, name: Ben Hu, handles: {console: ben}, roles: [{role: building_leader, groups: [b1]}]}
  - {id: ann, name: Ann Lee, handles: {console: ann}}
forms:
  - id: masks
    title: {en: Masks handed out, zh_CN: 口罩发放登记}
    fill: [building_leader]
    view: [community_worker]
    fields:
      - {id: household, type: text, label: Household}
      - {id: count, type: integer, min: 1, max: 50, label: Masks, column: Masks handed out}
      - {id: phone, type: phone, sensitive: true, label: Phone}
"""


def sent_file(actions: list[Action]) -> SendFile:
    [found] = [a for a in actions if isinstance(a, SendFile)]
    return found


async def fill(s: Sandbox, who: str, command: str, answers: tuple[str, ...]) -> list[str]:
    """``who`` starts a form with ``command`` and answers; the last texts the dialog wrote."""
    said = s.texts(await s.send(who, "dm", command))
    for answer in answers:
        said = s.texts(await s.send(who, "dm", answer))
    return said


async def test_a_returning_worker_registers_and_community_workers_list_and_export_it(
    tmp_path: Path,
) -> None:
    async with Sandbox(write_community(tmp_path, example_text()), clock=ManualClock(NOON)) as s:
        [listed] = s.texts(await s.send("maria", "dm", "/form"))
        assert "/form return_to_work — 返城复工人员信息登记表" in listed
        said = await fill(s, "maria", "/form return_to_work", ANSWERS)
        assert said == [
            "谢谢！“返城复工人员信息登记表”已保存：\n姓名: 李娜\n性别: 女\n联系电话: 138****5678\n"
            "现住址（楼栋、房号）: （已记录）\n工作单位: 阳光科技有限公司\n"
            "返城前所在地（省、市、县）: 湖北省武汉市\n交通方式及车次、航班号: G1234次列车\n"
            "返城日期: 2026-12-01\n复工日期: （未填）\n目前健康状况: （已记录）\n"
            "14天内是否接触过确诊或疑似病例: （已记录）\n是否需要居家医学观察: 是\n备注: （未填）"
        ]
        assert s.texts(await s.send("zhang", "dm", "/records return_to_work")) == [
            "“返城复工人员信息登记表”最近的记录，从新到旧（1条）：\n"
            "#1 2026-12-03 13:00：姓名：李娜；性别：女；联系电话：138****5678；"
            "现住址（楼栋、房号）：（已记录）\n发送 /record <编号> 查看一条记录的全部内容。"
        ]
        assert s.texts(await s.send("wang", "dm", "/records return_to_work")) == [
            "抱歉，“返城复工人员信息登记表”的记录只有社区工作者、网格员可以查看，您不在其中。"
        ]
        book = load_workbook(
            io.BytesIO(
                sent_file(await s.send("zhang", "dm", "/导出 返城复工人员信息登记表")).content
                or b""
            )
        )
        rows = list(book.active.values)
        assert rows[0][0] == "返城复工人员信息登记表"
        assert rows[1] == (
            "姓名",
            "性别",
            "联系电话",
            "现住址",
            "工作单位",
            "返城出发地",
            "交通方式",
            "返城日期",
            "复工日期",
            "目前健康状况",
            "14天内接触史",
            "是否居家医学观察",
            "备注",
            "记录编号",
            "记录时间",
        )
        assert rows[2] == (
            "李娜",
            "女",
            "13812345678",
            "1号楼302",
            "阳光科技有限公司",
            "湖北省武汉市",
            "G1234次列车",
            "2026-12-01",
            None,
            "健康，无不适",
            "否",
            "是",
            None,
            1,
            "2026-12-03 13:00",
        )


async def test_a_form_the_community_adds_in_its_yaml_is_filled_listed_and_exported(
    tmp_path: Path,
) -> None:
    async with Sandbox(write_community(tmp_path, CUSTOM), clock=ManualClock(NOON)) as s:
        assert s.texts(await s.send("ann", "dm", "/form masks")) == [
            "“Masks handed out” is filled by the team; you cannot fill it."
        ]
        said = await fill(s, "ben", "/form masks b1", ("Wang, room 302", "60", "5", "13900001111"))
        assert said == [
            "Thank you. “Masks handed out” is saved:\nHousehold: Wang, room 302\nMasks: 5\n"
            "Phone: 139****1111"
        ]
        assert s.texts(await s.send("cora", "dm", "/records masks")) == [
            "The latest records of “Masks handed out”, newest first (1):\n"
            "#1 2026-12-03 13:00: Household: Wang, room 302; Masks: 5; Phone: 139****1111\n"
            "Send /record <number> to read one in full."
        ]
        content = sent_file(await s.send("cora", "dm", "/export masks csv")).content or b""
        assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [
            ["Household", "Masks handed out", "Phone", "Record no.", "Recorded at"],
            ["Wang, room 302", "5", "13900001111", "1", "2026-12-03 13:00"],
        ]
