"""Forms: answers are checked field by field; the private dialog goes back, skips, cancels, resumes."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tortoise.backends.base.client import BaseDBAsyncClient

from sanshe.core.actions import DirectMessage
from sanshe.core.answers import Invalid, parse_answer
from sanshe.core.events import Message
from sanshe.core.forms import AGREE, BACK, CANCEL, SKIP
from sanshe.core.i18n import Catalogue, Translator
from sanshe.core.model import FormField
from sanshe.core.storage.writes import Writes
from sanshe.testing import ManualClock, Sandbox
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
        records = await s.records()
        assert len(records) == 1
        assert records[0].data == {"temp": 37.1, "phone": "13912345678", "note": None}
        assert records[0].group_id == "b1"
        assert await s.form_dialogs() == []  # the answers are in the record only
        assert len(await s.audit(subject=f"record:{records[0].id}", action="create")) == 1


async def test_a_record_is_stamped_by_the_bots_clock(tmp_path: Path) -> None:
    """Reports of a day (the handover of a shift, retention) count records by the bot's time."""
    clock = ManualClock(datetime(2026, 3, 1, 4, 0, tzinfo=UTC))
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY), clock=clock) as s:
        await s.send("wang", "b1", "/form checkin")
        clock.advance(hours=5)
        for answer in ("36.6", "13912345678", "/skip"):
            await s.send("wang", "dm", answer)
        [record] = await s.records()
        assert record.created_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_cancel_discards_everything(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        [text] = s.texts(await s.send("ann", "dm", "/cancel"))
        assert "was cancelled" in text
        assert await s.form_dialogs() == [] and await s.records() == []
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
        [record] = await s.records()
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


def test_example_forms_are_the_eight_of_the_guide_the_help_request_and_return_to_work() -> None:
    """The guide's eight forms, form 3's client part that a requester fills in, and the
    return-to-work registration form of the seeds' prevention tools."""
    from sanshe.core.config import load_community

    ids = [f.id for f in load_community(EXAMPLE).forms]
    assert ids == [
        "volunteer_registration",
        "confidentiality_agreement",
        "consultation_record",
        "help_request",
        "social_work_service_record",
        "case_followup",
        "medical_service_record",
        "psych_service_record",
        "daily_summary",
        "return_to_work",
    ]


# -- issue 8: redelivery, reloads, text from the network, odd numbers, long handles ------


def answer_event(s: Sandbox, who: str, text: str) -> Message:
    """A private message of ``who``, built once so that it can be delivered twice."""
    number = str(uuid.uuid4())
    return Message(
        network=s.bot.adapter.network,
        chat=f"dm:{who}",
        event_id=f"redelivered:{number}",
        sender=who,
        direct=True,
        text=text,
        message_id=number,
    )


async def crash_before_checkpoint(s: Sandbox, *events: Message) -> None:
    """Handle ``events`` as a bot that dies before their checkpoint is written."""
    for event in events:
        await s.bot.handle(event)


async def test_an_answer_redelivered_after_a_crash_changes_nothing(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        temp, phone = answer_event(s, "ann", "36.6"), answer_event(s, "ann", "13812345678")
        await crash_before_checkpoint(s, temp, phone)
        # The network delivers both again, as it does when their checkpoint is missing.
        [after_temp] = s.texts(await s.deliver(temp))
        [after_phone] = s.texts(await s.deliver(phone))
        assert "(2/3) Phone" in after_temp and "(3/3) Note" in after_phone
        [done] = s.texts(await s.send("ann", "dm", "all fine"))
        assert "is saved" in done
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}


async def test_a_form_command_delivered_again_after_answers_keeps_them(tmp_path: Path) -> None:
    """/form typed in a group is delivered again (its network missed the acknowledgement)
    after the private answers were taken: the answers given since must stay."""
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        start = Message(
            network=s.bot.adapter.network,
            chat="b1",
            event_id="redelivered:form-in-group",
            sender="ann",
            text="/form checkin",
            message_id="7",
        )
        await s.deliver(start)
        await s.send("ann", "dm", "36.6")
        assert await s.deliver(start) == []  # handled before: nothing of it is kept
        assert "(3/3) Note" in s.texts(await s.send("ann", "dm", "13812345678"))[0]
        await s.send("ann", "dm", "all fine")
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}
        # Delivered again once the whole form was filled: no second dialog, still one record.
        assert await s.deliver(start) == []
        assert await s.form_dialogs() == []
        assert len(await s.records(who="ann")) == 1


async def test_a_redelivered_last_answer_makes_no_second_record(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        await s.send("ann", "dm", "13812345678")
        last = answer_event(s, "ann", "all fine")
        await crash_before_checkpoint(s, last)
        [again] = s.texts(await s.deliver(last))
        assert "is saved" in again and "13812345678" not in again and "138****5678" in again
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}
        assert await s.form_dialogs() == []  # a finished dialog keeps nothing outside the record


async def test_a_back_redelivered_goes_back_once(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        await s.send("ann", "dm", "13812345678")
        back = answer_event(s, "ann", "/back")
        await crash_before_checkpoint(s, back)
        [again] = s.texts(await s.deliver(back))
        assert "(2/3) Phone" in again
        await s.send("ann", "dm", "13912345678")
        await s.send("ann", "dm", "/skip")
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13912345678", "note": None}


# -- issue 10: the dialog's writes are made with the event's checkpoint ------------------


async def test_two_answers_in_one_batch_land_on_their_questions(tmp_path: Path) -> None:
    """Typed quickly, both answers reach the chat's worker together: the second is decided
    once the first's writes are made."""
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        before = len(s.adapter.performed)
        temp, phone = answer_event(s, "ann", "36.6"), answer_event(s, "ann", "13812345678")
        await asyncio.gather(s.bot.submit(temp), s.bot.submit(phone))  # one batch
        [after_temp, after_phone] = s.texts(s.adapter.performed[before:])
        assert "(2/3) Phone" in after_temp and "(3/3) Note" in after_phone
        await s.send("ann", "dm", "all fine")
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}


async def test_a_failed_checkpoint_leaves_the_dialog_and_its_redelivery_moves_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = True
    make = Writes.write

    async def write_then_fail(self: Writes, connection: BaseDBAsyncClient) -> None:
        await make(self, connection)
        if failing:
            raise OSError("disk full")

    monkeypatch.setattr(Writes, "write", write_then_fail)
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        failing = False
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        failing = True
        phone = answer_event(s, "ann", "13812345678")
        with pytest.raises(OSError, match="disk full"):
            await s.deliver(phone)
        [session] = await s.form_dialogs()
        assert (session.step, session.answers) == (1, {"temp": 36.6})  # nothing half done
        failing = False
        [after_phone] = s.texts(await s.deliver(phone))
        assert "(3/3) Note" in after_phone
        failing = True
        last = answer_event(s, "ann", "all fine")
        with pytest.raises(OSError, match="disk full"):
            await s.deliver(last)
        assert await s.records() == [] and await s.audit(action="create") == []
        failing = False
        [done] = s.texts(await s.deliver(last))
        assert "is saved" in done
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}
        asked = [t for t in s.texts(s.adapter.performed) if "(3/3) Note" in t]
        assert len(asked) == 1 and await s.form_dialogs() == []


async def test_after_a_failed_checkpoint_the_chats_next_answer_waits_and_comes_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = 0
    make = Writes.write

    async def fail(self: Writes, connection: BaseDBAsyncClient) -> None:
        nonlocal failures
        await make(self, connection)
        if failures:
            failures -= 1
            raise OSError("disk full")

    monkeypatch.setattr(Writes, "write", fail)
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        failures = 2  # the first answer's checkpoint, and its retry alone
        temp, phone = answer_event(s, "ann", "36.6"), answer_event(s, "ann", "13812345678")
        outcomes = await asyncio.gather(
            s.bot.submit(temp), s.bot.submit(phone), return_exceptions=True
        )  # one batch: the phone number is not decided on the dialog the failure left
        assert [type(o).__name__ for o in outcomes] == ["OSError", "Held"]
        [session] = await s.form_dialogs()
        assert session.step == 0
        await s.deliver(temp)  # the network delivers both again, in order
        [after_phone] = s.texts(await s.deliver(phone))
        assert "(3/3) Note" in after_phone
        await s.send("ann", "dm", "all fine")
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "all fine"}


CHANGED_FORM = FORM_COMMUNITY.replace(
    "      - {id: temp, type: temperature, label: Temperature}\n",
    "      - {id: name, type: text, label: Name}\n"
    "      - {id: temp, type: temperature, label: Temperature}\n",
)


async def test_a_form_changed_by_a_reload_restarts_with_an_apology(tmp_path: Path) -> None:
    path = write_community(tmp_path, FORM_COMMUNITY)
    async with Sandbox(path) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        path.write_text(CHANGED_FORM, encoding="utf-8")
        assert await s.bot.reload() == []
        [restarted] = s.texts(await s.send("ann", "dm", "13812345678"))
        assert "changed while you were filling it" in restarted
        assert "(1/4) Name" in restarted
        for text in ("Ann Li", "36.9", "13812345678"):
            await s.send("ann", "dm", text)
        [done] = s.texts(await s.send("ann", "dm", "/skip"))
        assert "138****5678" in done
        [record] = await s.records()
        assert record.data == {"name": "Ann Li", "temp": 36.9, "phone": "13812345678", "note": None}


async def test_an_unchanged_form_survives_a_reload(tmp_path: Path) -> None:
    path = write_community(tmp_path, FORM_COMMUNITY)
    async with Sandbox(path) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        path.write_text(FORM_COMMUNITY.replace("title: Staff form", "title: Staff"), "utf-8")
        assert await s.bot.reload() == []
        [next_question] = s.texts(await s.send("ann", "dm", "13812345678"))
        assert "(3/3) Note" in next_question


async def test_slash_alone_in_a_form_says_what_can_be_done(tmp_path: Path) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY)) as s:
        await s.send("ann", "dm", "/form checkin")
        [text] = s.texts(await s.send("ann", "dm", "/"))
        assert "you can use /back, /skip and /cancel; /help lists" in text
        assert "(1/3) Temperature" in text


async def test_network_text_is_made_storable_on_every_backend(tmp_path: Path, db_url: str) -> None:
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY), db_url=db_url) as s:
        [unknown] = s.texts(await s.send("ann", "dm", "/form a\x00b"))
        assert "There is no form “ab”" in unknown
        await s.send("ann", "dm", "/form checkin")
        [refused] = s.texts(await s.send("ann", "dm", "nan"))
        assert "temperature in °C" in refused and "(1/3) Temperature" in refused
        assert "(2/3) Phone" in s.texts(await s.send("ann", "dm", "36.6"))[0]
        assert "(3/3) Note" in s.texts(await s.send("ann", "dm", "138\x0012345678"))[0]
        [done] = s.texts(await s.send("ann", "dm", "a\x00b \ud800 c\x07"))
        assert "is saved" in done
        [record] = await s.records()
        assert record.data == {"temp": 36.6, "phone": "13812345678", "note": "ab \ufffd c"}


async def test_a_long_matrix_handle_fills_a_form(tmp_path: Path, db_url: str) -> None:
    handle = "@" + "x" * 240 + ":example.org"
    assert len(handle) == 253
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY), db_url=db_url) as s:
        assert "(1/3) Temperature" in s.texts(await s.send(handle, "dm", "/form checkin"))[0]
        for text in ("36.6", "13812345678"):
            await s.send(handle, "dm", text)
        [done] = s.texts(await s.send(handle, "dm", "/skip"))
        assert "is saved" in done
        [record] = await s.records()
        assert record.person == f"console:{handle}"
        assert len(await s.audit(who=handle)) == 1


def every_kind() -> list[FormField]:
    choices = {"a": "alpha", "b": "beta"}
    return [
        field(kind, choices=choices if "choice" in kind else {})
        for kind in (
            "text",
            "long_text",
            "integer",
            "age",
            "number",
            "temperature",
            "phone",
            "id_number",
            "date",
            "yes_no",
            "choice",
            "multi_choice",
        )
    ]


ODD_ANSWERS = ["²", "①", "9" * 5000, "nan", "NaN", "inf", "-inf", "1e309", "٣", "1_000", "0x1F"]


@pytest.mark.parametrize("text", ODD_ANSWERS)
@pytest.mark.parametrize(
    "form_field", [f for f in every_kind() if "text" not in f.type], ids=lambda f: f.type
)
def test_odd_numbers_get_the_fields_hint(form_field: FormField, text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_answer(form_field, text, _)
    assert HINTS[form_field.type] in str(refused.value)


HINTS = {
    "integer": "whole number",
    "age": "whole number",
    "number": "write a number",
    "temperature": "temperature in °C",
    "phone": "not a phone number",
    "id_number": "18 characters",
    "date": "date like 2020-03-01",
    "yes_no": "yes or no",
    "choice": "from 1 to 2",
    "multi_choice": "from 1 to 2",
}


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("phone", "１３８１２３４５６７８", "13812345678"),
        ("integer", "３５", 35),
        ("temperature", "３６．８", 36.8),
        ("choice", "２", "b"),
    ],
)
def test_full_width_digits_are_digits(kind: str, text: str, value: object) -> None:
    assert parse_answer(field(kind, choices={"a": "alpha", "b": "beta"}), text, _) == value


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=60) | st.from_regex(r"[-+]?[0-9²①٣.,eE_naif]{1,40}"))
def test_every_field_type_answers_or_refuses(text: str) -> None:
    for form_field in every_kind():
        try:
            value = parse_answer(form_field, text, _)
        except Invalid as exc:
            assert str(exc)
        else:
            json.dumps(value, allow_nan=False)


async def test_a_form_shortened_by_a_reload_restarts_too(tmp_path: Path) -> None:
    path = write_community(tmp_path, FORM_COMMUNITY)
    async with Sandbox(path) as s:
        await s.send("ann", "dm", "/form checkin")
        await s.send("ann", "dm", "36.6")
        await s.send("ann", "dm", "13812345678")
        shorter = FORM_COMMUNITY.replace(
            "      - {id: phone, type: phone, label: Phone, sensitive: true}\n", ""
        )
        path.write_text(shorter, encoding="utf-8")
        assert await s.bot.reload() == []
        [restarted] = s.texts(await s.send("ann", "dm", "fine"))
        assert "changed while you were filling it" in restarted and "(1/2) Temperature" in restarted


async def test_handles_longer_than_the_column_fill_forms_apart(tmp_path: Path, db_url: str) -> None:
    first, second = "u" * 400 + "1", "u" * 400 + "2"  # one start, two people
    async with Sandbox(write_community(tmp_path, FORM_COMMUNITY), db_url=db_url) as s:
        for handle in (first, second):
            assert "(1/3) Temperature" in s.texts(await s.send(handle, "dm", "/form checkin"))[0]
        for handle, temp in ((first, "36.1"), (second, "36.2")):
            assert "(2/3) Phone" in s.texts(await s.send(handle, "dm", temp))[0]
        for handle in (first, second):
            await s.send(handle, "dm", "13812345678")
            assert "is saved" in s.texts(await s.send(handle, "dm", "/skip"))[0]
        records = await s.records()
        assert [r.data["temp"] for r in records] == [36.1, 36.2]
        assert len({r.person for r in records}) == 2
        assert all(r.person.startswith("console:uuu") for r in records)


@pytest.mark.parametrize(
    "key",
    [
        "form.controls",
        "form.controls_optional",
        "form.unknown_control",
        "form.agreement_hint",
        "form.invalid.agreement",
    ],
)
def test_a_form_s_controls_are_named_to_a_chinese_user_as_help_names_commands(key: str) -> None:
    """/help lists a command by its name and its Chinese aliases: a form's prompts name each
    control they mention likewise, /back and /返回, and only words the dialog takes."""
    text = Translator(Catalogue(), "zh_CN")(key)
    named = set(re.findall(r"/(\w+)", text))
    controls = (CANCEL, BACK, SKIP, AGREE)
    assert named, text
    assert named <= {"help", "帮助", *(word for words in controls for word in words)}, text
    for english, chinese, *_others in controls:
        assert (english in named) == (chinese in named), (text, english, chinese)
