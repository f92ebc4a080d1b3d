"""Command arguments: each reader, the errors a person reads, and that no input breaks the parser."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanshe.core.actions import Action, Restrict
from sanshe.core.arguments import (
    ArgumentError,
    Arguments,
    Duration,
    Group,
    Moment,
    Parsed,
    Person,
    Rest,
    Word,
)
from sanshe.core.commands import ChatCommand
from sanshe.core.context import Context
from sanshe.core.events import Message, parse_command
from sanshe.core.hookspecs import hookimpl
from sanshe.testing import NETWORK, ManualClock, Sandbox
from tests.conftest import example_text
from tests.sample_plugins import Mute

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Friday 1 May 2026, 10:00 in the community's zone (Asia/Shanghai).
NOW = datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)
_IDS = itertools.count(1)


@pytest.fixture
async def community() -> AsyncIterator[Sandbox]:
    """The example community, its clock at :data:`NOW`."""
    async with Sandbox(clock=ManualClock(NOW)) as sandbox:
        yield sandbox


def _message(
    sandbox: Sandbox, text: str, who: str, where: str, reply_to_sender: str | None
) -> Message:
    number = next(_IDS)
    return Message(
        network=NETWORK,
        chat=f"dm:{who}" if where == "dm" else where,
        direct=where == "dm",
        event_id=f"arguments:{number}",
        message_id=str(number),
        sender=who,
        text=text,
        time=sandbox.clock.time(),
        reply_to="7" if reply_to_sender else None,
        reply_to_sender=reply_to_sender,
    )


def read(
    sandbox: Sandbox,
    spec: Arguments,
    text: str,
    who: str = "wang",
    where: str = "building-1",
    reply_to_sender: str | None = None,
) -> Parsed:
    """``who`` types ``text`` (a command) in ``where``; what ``spec`` reads of it."""
    ctx = sandbox.bot.context(_message(sandbox, text, who, where, reply_to_sender))
    ctx.command = parse_command(text)
    assert ctx.command is not None
    ctx.running = ChatCommand(ctx.command.name, lambda c: None, help="", arguments=spec)
    return spec.read(ctx)


def wrong(sandbox: Sandbox, spec: Arguments, text: str, **options: str) -> ArgumentError:
    """The error ``spec`` raises for ``text``."""
    with pytest.raises(ArgumentError) as raised:
        read(sandbox, spec, text, **options)
    return raised.value


# -- groups ---------------------------------------------------------------------------

BIND = Arguments(group=Group())


async def test_a_group_by_id_any_case_or_by_its_one_word_name(community: Sandbox) -> None:
    assert read(community, BIND, "/bind building-2").group.id == "building-2"
    assert read(community, BIND, "/bind Building-2").group.id == "building-2"
    assert read(community, BIND, "/bind 2号楼居民群").group.id == "building-2"
    assert read(community, BIND, "/bind ＢＵＩＬＤＩＮＧ-2").group.id == "building-2"


async def test_an_unknown_group_is_named_with_the_groups_and_the_usage(community: Sandbox) -> None:
    error = wrong(community, BIND, "/bind building-9")
    assert error.key == "arguments.unknown_group"
    assert error.text.startswith("没有“building-9”这个群。现有的群：building-1、building-2、")
    assert error.text.endswith("。请这样写：/bind <群编号>。")
    english = wrong(community, BIND, "/bind building-9", who="gao").text
    assert english.startswith(
        "There is no group “building-9”. The groups: building-1, building-2, "
    )
    assert english.endswith(". Write it as /bind <group-id>.")
    assert "、" not in english


async def test_missing_and_extra_words_are_said_with_the_usage_under_the_name_typed(
    community: Sandbox,
) -> None:
    assert wrong(community, BIND, "/绑定").text == "缺少群编号。请这样写：/绑定 <群编号>。"
    assert wrong(community, BIND, "/bind", who="gao").text == (
        "Missing: group-id. Write it as /bind <group-id>."
    )
    extra = wrong(community, BIND, "/bind building-2 now")
    assert extra.text == "多写了“now”。请这样写：/bind <群编号>。"


# -- people ---------------------------------------------------------------------------

WHO = Arguments(who=Person(), note=Rest(optional=True))


async def test_a_person_by_handle_id_or_name(community: Sandbox) -> None:
    assert read(community, WHO, "/x @zhao").who.id == "zhao"
    assert read(community, WHO, "/x zhao").who.id == "zhao"
    assert read(community, WHO, "/x ZHAO").who.id == "zhao"
    assert read(community, WHO, "/x 赵网格 please call").who.id == "zhao"
    found = read(community, WHO, "/x gao   lin  is late")
    assert (found.who.id, found.note) == ("gao", "is late")


async def test_a_full_width_at_sign_names_a_person_by_handle(community: Sandbox) -> None:
    """Chinese input methods type ＠ (U+FF20): it reads as @."""
    assert read(community, WHO, "/x ＠zhao").who.id == "zhao"
    assert read(community, WHO, "/x ＠ｚｈａｏ").who.id == "zhao"
    error = wrong(community, WHO, "/x ＠nobody")
    assert error.key == "arguments.unknown_person"
    assert error.text.startswith("不认识“＠nobody”。")  # quoted as typed


async def test_a_reply_names_the_person_answered(community: Sandbox) -> None:
    known = read(community, WHO, "/x", reply_to_sender="zhao")
    assert (known.who.id, known.note) == ("zhao", None)
    stranger = read(community, WHO, "/x spreads rumours", reply_to_sender="maria")
    assert (stranger.who.id, stranger.who.known) == ("console:maria", False)
    assert stranger.note == "spreads rumours"
    named = read(community, WHO, "/x @wang", reply_to_sender="maria")
    assert named.who.id == "wang"  # a person named outright wins over the reply


async def test_an_unknown_person_is_told_how_to_name_one(community: Sandbox) -> None:
    error = wrong(community, WHO, "/x @nobody")
    assert error.key == "arguments.unknown_person"
    assert error.text.startswith("不认识“@nobody”。请用 @账号、社区配置文件中的编号或姓名指明成员")
    assert error.text.endswith("请这样写：/x <成员> [内容]。")
    assert "reply to one of their messages" in wrong(community, WHO, "/x nobody", who="gao").text


async def test_a_name_two_people_share_asks_for_the_id(tmp_path: object) -> None:
    text = example_text().replace(
        "  - id: gao\n",
        "  - id: gao2\n    name: Gao Lin\n    handles: {console: gao2}\n  - id: gao\n",
    )
    async with Sandbox.from_yaml(text, clock=ManualClock(NOW)) as sandbox:
        error = wrong(sandbox, WHO, "/x Gao Lin", who="gao")
        assert error.text.startswith("“Gao Lin” could be several people: gao2, gao. Use their id.")


# -- durations ------------------------------------------------------------------------

MUTE = Arguments(who=Person(), length=Duration())


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("30m", 30),
        ("2h", 120),
        ("3d", 3 * 24 * 60),
        ("1h30m", 90),
        ("1H30M", 90),
        ("90 min", 90),
        ("2 hours", 120),
        ("1d 2h 5m", 26 * 60 + 5),
        ("30分钟", 30),
        ("30分", 30),
        ("2小时", 120),
        ("1小时30分钟", 90),
        ("3天", 3 * 24 * 60),
        ("３０ｍ", 30),
        ("半小时", 30),
        ("两小时", 120),
        ("一小时", 60),
        ("三天", 3 * 24 * 60),
        ("十分钟", 10),
        ("十五分钟", 15),
        ("二十分钟", 20),
        ("一个半小时", 90),
        ("两个小时", 120),
        ("一小时三十分钟", 90),
        ("1个半小时", 90),
    ],
)
async def test_durations(community: Sandbox, typed: str, minutes: int) -> None:
    assert read(community, MUTE, f"/mute zhao {typed}").length == timedelta(minutes=minutes)


async def test_a_duration_by_reply_needs_no_person_word(community: Sandbox) -> None:
    found = read(community, MUTE, "/mute 2h", reply_to_sender="maria")
    assert (found.who.id, found.length) == ("console:maria", timedelta(hours=2))


@pytest.mark.parametrize(
    "typed", ["30", "0m", "-5m", "30m2h", "half an hour", "1.5h", "30s", "半", "两", "零分钟"]
)
async def test_what_is_not_a_duration(community: Sandbox, typed: str) -> None:
    error = wrong(community, MUTE, f"/mute zhao {typed}")
    assert error.key in ("arguments.bad_duration", "arguments.too_many")
    english = wrong(community, MUTE, "/mute zhao soon", who="gao").text
    assert english.startswith("“soon” is not a length of time. Write it like 30m, 2h, 3d or 1h30m.")


# -- dates and times ------------------------------------------------------------------

AT = Arguments(at=Moment())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:00", datetime(2026, 5, 1, 18, 0)),  # later today
        ("9:00", datetime(2026, 5, 2, 9, 0)),  # passed today: tomorrow
        ("10:00", datetime(2026, 5, 2, 10, 0)),  # now is not to come
        ("2026-12-01 18:00", datetime(2026, 12, 1, 18, 0)),
        ("2026/12/01 18:00", datetime(2026, 12, 1, 18, 0)),
        ("2026-12-01T18:00", datetime(2026, 12, 1, 18, 0)),
        ("2026年12月1日 18:00", datetime(2026, 12, 1, 18, 0)),
        ("2026-01-01 08:00", datetime(2026, 1, 1, 8, 0)),  # the past, as written
        ("today 9:00", datetime(2026, 5, 1, 9, 0)),
        ("tomorrow 9:00", datetime(2026, 5, 2, 9, 0)),
        ("明天 9:00", datetime(2026, 5, 2, 9, 0)),
        ("明天9点", datetime(2026, 5, 2, 9, 0)),
        ("明天9点半", datetime(2026, 5, 2, 9, 30)),
        ("后天 9点15分", datetime(2026, 5, 3, 9, 15)),
        ("今天 １８：３０", datetime(2026, 5, 1, 18, 30)),
        ("下午3点", datetime(2026, 5, 1, 15, 0)),
        ("下午3点半", datetime(2026, 5, 1, 15, 30)),
        ("晚上8点", datetime(2026, 5, 1, 20, 0)),
        ("上午9点", datetime(2026, 5, 2, 9, 0)),  # passed today: tomorrow
        ("上午11点", datetime(2026, 5, 1, 11, 0)),
        ("明天下午3点", datetime(2026, 5, 2, 15, 0)),
        ("明天 晚上8点30分", datetime(2026, 5, 2, 20, 30)),
        ("12月1日 18:00", datetime(2026, 12, 1, 18, 0)),  # this year
        ("12月1号 下午3点", datetime(2026, 12, 1, 15, 0)),
        ("1月5日 9:00", datetime(2027, 1, 5, 9, 0)),  # passed this year: next year
        ("5月1日 10:00", datetime(2027, 5, 1, 10, 0)),  # now is not to come
        ("5月1日 18:00", datetime(2026, 5, 1, 18, 0)),
    ],
)
async def test_moments_in_the_community_zone(
    community: Sandbox, typed: str, expected: datetime
) -> None:
    found = read(community, AT, f"/at {typed}").at
    assert found == expected.replace(tzinfo=SHANGHAI)
    assert found.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2026-02-30 10:00", "arguments.bad_moment"),  # no such day: not "add the time"
        ("2026-02-30", "arguments.bad_moment"),
        ("25:00", "arguments.bad_moment"),
        ("18:61", "arguments.bad_moment"),
        ("noon", "arguments.bad_moment"),
        ("2026-12-01 18", "arguments.moment_needs_time"),
        ("12月1日", "arguments.moment_needs_time"),
        ("2月30日 9:00", "arguments.bad_moment"),
        ("下午13点", "arguments.bad_moment"),
        ("上午15点", "arguments.bad_moment"),
        ("18:00 now", "arguments.too_many"),
    ],
)
async def test_what_is_not_a_moment(community: Sandbox, typed: str, key: str) -> None:
    assert wrong(community, AT, f"/at {typed}").key == key
    assert wrong(community, AT, "/at 明天").text == (
        "请在“明天”后面写上时间，例如 18:00。请这样写：/at <日期时间>。"
    )
    assert wrong(community, AT, "/at noon", who="gao").text.startswith(
        "“noon” is not a date and time. Write it like 2026-12-01 18:00, 18:00 or tomorrow 9:00."
    )


async def test_a_date_without_a_time_is_quoted_as_typed(community: Sandbox) -> None:
    """A date is no personal data: the answer shows it, while a phone number stays masked."""
    assert wrong(community, AT, "/when 2026-12-01", who="gao").text.startswith(
        "Add the time to “2026-12-01”, such as 18:00."
    )
    assert wrong(community, AT, "/when 2026/12/01").text.startswith("请在“2026/12/01”后面写上时间")
    phone = wrong(community, AT, "/when 13812345678").text
    assert "13812345678" not in phone and "***" in phone
    id_number = wrong(community, AT, "/when 110101199003071234 18:00").text
    assert "1101011990" not in id_number and "***" in id_number


async def test_a_year_far_away_is_refused_in_a_sentence() -> None:
    """9999-12-31 23:59 in New York lies past the last moment a datetime can hold in UTC."""
    text = example_text().replace("timezone: Asia/Shanghai", "timezone: America/New_York")
    async with Sandbox.from_yaml(text, clock=ManualClock(NOW)) as sandbox:
        for typed in ("9999-12-31 23:59", "0001-01-01 00:00", "2127-01-01 00:00"):
            error = wrong(sandbox, AT, f"/at {typed}")
            assert error.key == "arguments.moment_out_of_range", typed
            assert error.text.startswith("请写 1926 至 2126 年之间的日期。"), error.text
        english = wrong(sandbox, AT, "/at 9999-12-31 23:59", who="gao").text
        assert english.startswith("Give a date between the years 1926 and 2126."), english
        found = read(sandbox, AT, "/at 2126-12-31 23:59").at
        assert found.astimezone(UTC).year == 2127


async def test_a_moment_is_read_at_the_time_the_message_was_written(community: Sandbox) -> None:
    community.clock.set(datetime(2026, 5, 1, 20, 0, tzinfo=SHANGHAI))
    assert read(community, AT, "/at 18:00").at == datetime(2026, 5, 2, 18, 0, tzinfo=SHANGHAI)
    community.clock.set(datetime(2026, 5, 1, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai
    assert read(community, AT, "/at 今天 9:00").at.date().isoformat() == "2026-05-01"


# -- words and text -------------------------------------------------------------------

EXPORT = Arguments(
    kind=Word(choices=("csv", "xlsx"), optional=True, default="csv"), rest=Rest(optional=True)
)
NOTE = Arguments(text=Rest())


async def test_a_choice_in_any_case_is_given_as_written(community: Sandbox) -> None:
    assert read(community, EXPORT, "/export XLSX").kind == "xlsx"
    assert read(community, EXPORT, "/export").kind == "csv"
    error = wrong(community, EXPORT, "/export pdf", who="gao")
    assert error.text == "“pdf” is not one of: csv, xlsx. Write it as /export [word] [text]."
    assert wrong(community, EXPORT, "/export pdf").text.startswith(
        "“pdf”不是可选的一项。可选：csv、xlsx。"
    )


async def test_the_rest_is_kept_as_typed(community: Sandbox) -> None:
    assert (
        read(community, NOTE, "/note  two  spaces\nand a line ").text == "two  spaces\nand a line"
    )
    assert wrong(community, NOTE, "/note   ").text == "缺少内容。请这样写：/note <内容>。"


async def test_what_a_person_typed_comes_back_only_as_an_excerpt(community: Sandbox) -> None:
    error = wrong(community, BIND, "/bind 13812345678")
    assert "13812345678" not in error.text and "***" in error.text
    long = wrong(community, BIND, "/bind " + "x" * 100).text
    assert "x" * 17 not in long


# -- no input breaks it ---------------------------------------------------------------

EVERYTHING = Arguments(
    who=Person(optional=True),
    where=Group(optional=True),
    length=Duration(optional=True),
    at=Moment(optional=True),
    kind=Word(choices=lambda ctx: [g.id for g in ctx.community.groups], optional=True),
    rest=Rest(optional=True),
)
SPECS = [BIND, WHO, MUTE, AT, EXPORT, NOTE, EVERYTHING, Arguments()]
#: Words the readers know, mixed into arbitrary text so that hypothesis reaches deep.
PIECES = st.sampled_from(
    [
        "@zhao",
        "zhao",
        "Gao",
        "Lin",
        "赵网格",
        "building-1",
        "1号楼居民群",
        "30m",
        "1h",
        "分钟",
        "2小时",
        "min",
        "18:00",
        "明天",
        "9点",
        "半",
        "2026-12-01",
        "9999-12-31",
        "0000-01-01",
        "99999d",
        "T",
        "年",
        "csv",
        "@",
        "",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=8).map(" ".join)


async def test_no_text_raises_anything_but_an_argument_error(community: Sandbox) -> None:
    @settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        spec=st.sampled_from(SPECS),
        text=TEXT,
        who=st.sampled_from(["wang", "gao", "maria", "zhao"]),
        where=st.sampled_from(["building-1", "dm", "nowhere"]),
        reply=st.one_of(st.none(), st.sampled_from(["zhao", "maria", ""]), st.text(max_size=5)),
        moment=st.integers(min_value=-(10**12), max_value=10**12),
    )
    def reading(
        spec: Arguments, text: str, who: str, where: str, reply: str | None, moment: int
    ) -> None:
        community.clock.set(datetime(2026, 5, 1, tzinfo=UTC) + timedelta(seconds=moment % 10**10))
        try:
            read(community, spec, "/x " + text, who=who, where=where, reply_to_sender=reply)
        except ArgumentError as error:
            assert error.text and not re.search(
                r"\{(word|known|what|usage|problem|ids|choices)\}", error.text
            )

    reading()


# -- commands that read arguments, end to end -----------------------------------------


async def test_a_plugin_command_reads_the_person_answered_and_core_answers_its_errors() -> None:
    async with Sandbox(clock=ManualClock(NOW), plugins=[Mute()]) as sandbox:
        reply = _message(sandbox, "/hush 2小时", "wang", "building-1", reply_to_sender="maria")
        [restrict] = await sandbox.deliver(reply)
        assert restrict == Restrict(chat="building-1", user="maria", minutes=120)
        [named] = await sandbox.deliver(_message(sandbox, "/hush @zhao 30m", "wang", "b", None))
        assert isinstance(named, Restrict) and (named.user, named.minutes) == ("zhao", 30)
        [error] = sandbox.texts(await sandbox.send("wang", "building-1", "/hush zhao soon"))
        assert error == (
            "“soon”不是时长。请写成 30分钟、2小时、3天 或 1小时30分钟。"
            "请这样写：/hush <成员> <时长>。"
        )


async def test_bind_by_a_groups_name(community: Sandbox) -> None:
    [done] = community.texts(await community.send("wang", "lobby", "/bind 2号楼居民群"))
    assert done == "本聊天已绑定为2号楼居民群（building-2）。"
    [english] = community.texts(
        await community.send("wang", "hall", "/bind Building-3", language="en")
    )
    assert english == "This chat is now 3号楼居民群 (building-3)."


async def test_a_group_named_by_name_must_allow_the_command_as_by_id(community: Sandbox) -> None:
    """chen administers building-3 only: naming building-1 either way is refused there."""
    by_id = community.texts(await community.send("chen", "building-3", "/bind building-1"))
    by_name = community.texts(await community.send("chen", "building-3", "/bind 1号楼居民群"))
    assert by_name == by_id
    assert "您在1号楼居民群的身份是：无" in by_name[0]


async def test_bind_with_a_wrong_group_says_the_groups_and_the_usage(community: Sandbox) -> None:
    [text] = community.texts(await community.send("wang", "lobby", "/bind building-9"))
    assert text.startswith("没有“building-9”这个群。现有的群：building-1、")
    assert text.endswith(
        "请这样写：/bind <群编号>，例如 /bind building-1。/groupinfo 可查看本聊天绑定的群。"
    )
    [english] = community.texts(
        await community.send("wang", "lobby", "/bind building-2 b", language="en")
    )
    assert english.startswith(
        "I did not expect “b” there. Write it as /bind <group-id>, for example"
    )


async def test_form_with_a_wrong_form_or_group_says_what_is_wrong_and_the_usage(
    community: Sandbox,
) -> None:
    [unknown] = community.texts(await community.send("maria", "building-1", "/form nosuch"))
    assert unknown == (
        "没有“nosuch”这个表格。您可以填写的表格：volunteer_registration、confidentiality_agreement、help_request、return_to_work。"
        "请这样写：/form [表格编号] [群编号]。"
    )
    wrong_group = "/form volunteer_registration building-9"
    [group] = community.texts(await community.send("maria", "dm", wrong_group, language="en"))
    assert group.startswith("There is no group “building-9”. The groups: building-1, ")
    assert group.endswith("Write it as /form [form] [group-id].")
    extra = "/form volunteer_registration building-1 now"
    [too_many] = community.texts(await community.send("wang", "dm", extra))
    assert too_many == "多写了“now”。请这样写：/form [表格编号] [群编号]。"


async def test_an_unknown_person_who_wrote_can_be_named_by_handle() -> None:
    async with Sandbox(clock=ManualClock(NOW), plugins=[Mute()]) as sandbox:
        [unknown] = sandbox.texts(await sandbox.send("wang", "building-1", "/hush @spammer 30m"))
        assert "spammer" in unknown and "/hush" in unknown  # not known yet: explained
        await sandbox.send("spammer", "building-1", "加微信领免费口罩")
        [restrict] = await sandbox.send("wang", "building-1", "/hush @spammer 30m")
        assert restrict == Restrict(chat="building-1", user="spammer", minutes=30)


ASSIGNING = """\
community: {id: c, name: Test, locale: en}
groups:
  - {id: g1, kind: resident, name: G1}
  - {id: g2, kind: resident, name: G2}
people:
  - {id: sw, name: Sam, handles: {console: sam}, roles: [{role: social_worker, groups: [g2]}]}
  - {id: ann, name: Ann Lee, handles: {console: ann}}
"""


class Assign:
    """``/assign <person> <group>``: the group is checked wherever the person's words end."""

    spec = Arguments(who=Person(), group=Group())

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [
            ChatCommand(
                "assign",
                self.assign,
                help="arguments.name.group",
                roles=frozenset({"social_worker"}),
                arguments=self.spec,
            )
        ]

    def assign(self, ctx: Context) -> Action:
        found = self.spec.read(ctx)
        return ctx.reply(f"{found.who.id} to {found.group.id}")


async def test_the_group_checked_is_the_group_read_however_many_words_come_before() -> None:
    async with Sandbox.from_yaml(ASSIGNING, plugins=[Assign()]) as sandbox:
        assert sandbox.texts(await sandbox.send("sam", "dm", "/assign ann g2")) == ["ann to g2"]
        by_name = await sandbox.send("sam", "dm", "/assign Ann Lee g2")
        assert sandbox.texts(by_name) == ["ann to g2"]
        [refused] = sandbox.texts(await sandbox.send("sam", "dm", "/assign Ann Lee g1"))
        assert "G1" in refused and "ann to" not in refused


class Undeclared:
    """Reads a group without declaring it: core could not check the roles held there."""

    spec = Arguments(group=Group())

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("shut", self.close, help="arguments.name.group")]

    def close(self, ctx: Context) -> Action:
        return ctx.reply(f"closing {self.spec.read(ctx).group.id}")


async def test_a_group_read_without_being_declared_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Sandbox.from_yaml(ASSIGNING, plugins=[Undeclared()]) as sandbox:
        [answer] = sandbox.texts(await sandbox.send("sam", "g1", "/shut g2"))
        assert "closing" not in answer
    assert "declare them as the command's arguments=" in caplog.text
