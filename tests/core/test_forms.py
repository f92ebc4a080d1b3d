"""Forms: answers are checked field by field; the private dialog goes back, skips, cancels, resumes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanshe.core.actions import DirectMessage
from sanshe.core.forms import Invalid, parse_answer
from sanshe.core.i18n import Catalogue, Translator
from sanshe.core.model import FormField
from sanshe.core.storage.models import AuditEntry, FormSession, Record
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, write_community

_ = Translator(Catalogue(), "en")


def field(kind: str, **extra: object) -> FormField:
    return FormField(id="f", type=kind, label="F", **extra)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("phone", "138 1234 5678", "13812345678"),
        ("phone", "+86 13812345678", "13812345678"),
        ("phone", "010-12345678", "01012345678"),
        ("phone", "+44 20 7946 0958", "+442079460958"),
        ("id_number", "110101199003074573", "110101199003074573"),
        ("id_number", "11010519491231002x", "11010519491231002X"),
        ("temperature", "36.8", 36.8),
        ("temperature", "37,2度", 37.2),
        ("age", "45岁", 45),
        ("date", "2020年3月1日", "2020-03-01"),
        ("date", "2020/03/01", "2020-03-01"),
        ("yes_no", "是", True),
        ("yes_no", "No", False),
    ],
)
def test_good_answers(kind: str, text: str, value: object) -> None:
    assert parse_answer(field(kind), text, _) == value


@pytest.mark.parametrize(
    ("kind", "text", "reason"),
    [
        ("phone", "12345", "not a phone number"),
        ("phone", "23812345678", "not a phone number"),
        ("id_number", "110101199003074578", "wrong check digit"),
        ("id_number", "1101011990", "18 characters"),
        ("temperature", "hot", "temperature in °C"),
        ("temperature", "45", "between 34 and 43"),
        ("age", "200", "between 0 and 130"),
        ("date", "2020-02-30", "date like 2020-03-01"),
        ("yes_no", "perhaps", "yes or no"),
        ("integer", "4.5", "whole number"),
    ],
)
def test_wrong_answers_say_why(kind: str, text: str, reason: str) -> None:
    with pytest.raises(Invalid) as info:
        parse_answer(field(kind), text, _)
    assert reason in str(info.value)


def test_choices_by_number_key_or_label() -> None:
    f = field(
        "multi_choice", choices={"medical": {"zh_CN": "医务", "en": "medical"}, "other": "other"}
    )
    assert parse_answer(f, "2, 1、1", _) == ["other", "medical"]
    assert parse_answer(f, "医务", _) == ["medical"]
    with pytest.raises(Invalid, match="from 1 to 2"):
        parse_answer(f, "3", _)


FORM_COMMUNITY = """\
community: {id: c, name: Test, locale: en}
groups: [{id: b1, kind: resident, name: B1}]
forms:
  - id: checkin
    title: Daily check-in
    fields:
      - {id: temp, type: temperature, label: Temperature}
      - {id: phone, type: phone, label: Phone, sensitive: true}
      - {id: note, type: text, label: Note, required: false}
  - id: staff_only
    title: Staff form
    fill: [social_worker]
    fields: [{id: a, type: text, label: A}]
"""


async def test_dialog_back_skip_and_one_record(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        started = await s.send("ann", "b1", "/form checkin")
        assert s.texts(started)[0] == "I have written to you privately; please answer there."
        assert isinstance(started[1], DirectMessage) and "(1/3) Temperature" in started[1].text
        assert "(2/3) Phone" in s.texts(await s.send("ann", "dm", "36.6"))[0]
        [wrong] = s.texts(await s.send("ann", "dm", "12345"))
        assert wrong.startswith("That answer was not accepted: this is not a phone number")
        assert "(1/3) Temperature" in s.texts(await s.send("ann", "dm", "/back"))[0]
        await s.send("ann", "dm", "37.1")
        [skip_required] = s.texts(await s.send("ann", "dm", "/skip"))
        assert "cannot be skipped" in skip_required
        await s.send("ann", "dm", "13912345678")
        [done] = s.texts(await s.send("ann", "dm", "/skip"))
        assert "Daily check-in” is saved" in done
        assert "139****5678" in done and "13912345678" not in done
        records = await Record.all()
        assert len(records) == 1
        assert records[0].data == {"temp": 37.1, "phone": "13912345678", "note": None}
        assert records[0].group_id == "b1"
        assert await FormSession.all().count() == 0
        assert (
            await AuditEntry.filter(subject=f"record:{records[0].id}", action="create").count() == 1
        )


async def test_cancel_discards_everything(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        [text] = s.texts(await s.send("ann", "dm", "/cancel"))
        assert "was cancelled" in text
        assert await FormSession.all().count() == 0 and await Record.all().count() == 0
        [after] = s.texts(await s.send("ann", "dm", "/cancel"))
        assert "not filling a form" in after


async def test_dialog_resumes_after_restart(tmp_path: Path) -> None:
    s = Sandbox(write_community(tmp_path, FORM_COMMUNITY), db_url=f"sqlite://{tmp_path}/f.sqlite3")
    await s.start()
    try:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        await s.restart()
        await s.send("ann", "dm", "13812345678")
        [done] = s.texts(await s.send("ann", "dm", "fine"))
        assert "is saved" in done
        [record] = await Record.all()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "fine"}
    finally:
        await s.stop()


async def test_who_may_fill(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        [text] = s.texts(await s.send("ann", "dm", "/form staff_only"))
        assert "you cannot fill it" in text
        [listing] = s.texts(await s.send("ann", "dm", "/form"))
        assert "/form checkin" in listing and "staff_only" not in listing
        [unknown] = s.texts(await s.send("ann", "dm", "/form nosuch"))
        assert "There is no form “nosuch”" in unknown


async def test_other_commands_work_during_a_dialog(community: Sandbox) -> None:
    await community.send("maria", "dm", "/form volunteer_registration")
    [help_text] = community.texts(await community.send("maria", "dm", "/help"))
    assert "/form" in help_text
    [next_question] = community.texts(await community.send("maria", "dm", "李娜"))
    assert "（2/16）性别" in next_question


def test_example_forms_are_the_eight_of_the_guide() -> None:
    from sanshe.core.config import load_community

    ids = [f.id for f in load_community(EXAMPLE).forms]
    assert ids == [
        "volunteer_registration",
        "confidentiality_agreement",
        "consultation_record",
        "social_work_service_record",
        "case_followup",
        "medical_service_record",
        "psych_service_record",
        "daily_summary",
    ]
