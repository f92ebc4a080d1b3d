"""Who is on shift, checked against hand-written tables of (instant, group) -> names: the
``shifts_on_duty`` hook, ``/onduty`` and the computed role ``on_shift``, at shift boundaries
(start included, end excluded), across midnight, in a community eight hours ahead of UTC and
in one whose clocks go forward an hour in the night (Berlin, 29 March 2026)."""

from __future__ import annotations

from datetime import UTC, datetime

from sanshe.testing import ManualClock, Sandbox

PEOPLE = """\
people:
  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}
  - {id: sun, name: Sun, handles: {console: sun}, roles: [{role: medical_volunteer, groups: [focus-1, key-1]}]}
  - {id: xu, name: Xu, handles: {console: xu}, roles: [{role: psych_volunteer, groups: [focus-1]}]}
  - {id: he, name: He, handles: {console: he}, roles: [{role: general_volunteer, groups: [focus-1, key-1]}]}
"""
SHANGHAI = (
    """\
community: {id: c, name: Test, locale: en, timezone: Asia/Shanghai}
groups:
  - {id: focus-1, kind: focus_service, name: Focus}
  - {id: key-1, kind: key_accompaniment, name: Key}
"""
    + PEOPLE
    + """\
rules:
  - id: off-shift-silence
    where: {groups: [focus-1]}
    when: {sender_role: [medical_volunteer, psych_volunteer], not_sender_role: [on_shift]}
    do: [{reply: Volunteers speak here on their shift only.}]
plugins:
  shifts:
    templates:
      - groups: [focus-1]
        shifts:
          - {start: "08:00", end: "12:00", needs: {medical_volunteer: 1, general_volunteer: 1}}
          - {start: "12:00", end: "18:00", needs: {psych_volunteer: 1}}
          - {start: "22:00", end: "02:00", needs: {medical_volunteer: 1}}
      - groups: [key-1]
        shifts:
          - {start: "00:00", end: "24:00", needs: {social_worker: 1, general_volunteer: 1}}
    plan_days: 2
"""
)
# 1 December 2026, 06:00 in Shanghai (22:00 UTC on 30 November).  Shifts, numbered by start:
# 1 key-1 1 Dec 00:00-24:00 (under way), 2 focus-1 08:00-12:00, 3 12:00-18:00, 4 22:00-02:00,
# 5 key-1 2 Dec 00:00-24:00, 6 focus-1 2 Dec 08:00-12:00 ...
SHANGHAI_START = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
SHANGHAI_CLAIMS = [("wang", 1), ("he", 1), ("sun", 2), ("he", 2), ("xu", 3), ("sun", 4), ("he", 5)]
#: Written by hand from the claims above: (instant in UTC, group) -> who is on shift then.
SHANGHAI_TABLE = [
    ("2026-11-30 23:59", "focus-1", set()),  # 07:59 local
    ("2026-11-30 23:59", "key-1", {"Wang", "He"}),
    ("2026-12-01 00:00", "focus-1", {"Sun", "He"}),  # 08:00: start included
    ("2026-12-01 03:59", "focus-1", {"Sun", "He"}),
    ("2026-12-01 04:00", "focus-1", {"Xu"}),  # 12:00: the end excluded, the next begins
    ("2026-12-01 09:59", "focus-1", {"Xu"}),
    ("2026-12-01 10:00", "focus-1", set()),  # 18:00
    ("2026-12-01 14:00", "focus-1", {"Sun"}),  # 22:00
    ("2026-12-01 15:59", "key-1", {"Wang", "He"}),  # 23:59 local
    ("2026-12-01 16:00", "focus-1", {"Sun"}),  # midnight: the night shift goes on
    ("2026-12-01 16:00", "key-1", {"He"}),  # the next day's shift: He alone
    ("2026-12-01 17:59", "focus-1", {"Sun"}),  # 01:59
    ("2026-12-01 18:00", "focus-1", set()),  # 02:00
]

BERLIN = (
    """\
community: {id: c, name: Test, locale: en, timezone: Europe/Berlin}
groups:
  - {id: focus-1, kind: focus_service, name: Focus}
  - {id: key-1, kind: expert_supervision, name: Supervision}
"""
    + PEOPLE
    + """\
plugins:
  shifts:
    templates:
      - shifts:
          - {start: "08:00", end: "12:00", needs: {medical_volunteer: 1}}
          - {start: "22:00", end: "06:00", needs: {psych_volunteer: 1}}
    plan_days: 2
"""
)
# 28 March 2026, 06:00 in Berlin (05:00 UTC, an hour ahead); at 02:00 on the 29th the clocks
# go forward to 03:00 (two hours ahead).  1 is 28 March 08:00-12:00, 2 its 22:00-06:00 (seven
# hours long), 3 29 March 08:00-12:00, 4 its 22:00-06:00.
BERLIN_START = datetime(2026, 3, 28, 5, 0, tzinfo=UTC)
BERLIN_CLAIMS = [("sun", 1), ("xu", 2), ("sun", 3)]
BERLIN_TABLE = [
    ("2026-03-28 06:59", "focus-1", set()),  # 07:59 (UTC+1)
    ("2026-03-28 07:00", "focus-1", {"Sun"}),  # 08:00
    ("2026-03-28 10:59", "focus-1", {"Sun"}),
    ("2026-03-28 11:00", "focus-1", set()),  # 12:00
    ("2026-03-28 20:59", "focus-1", set()),  # 21:59
    ("2026-03-28 21:00", "focus-1", {"Xu"}),  # 22:00
    ("2026-03-29 00:59", "focus-1", {"Xu"}),  # 01:59, then 03:00 (UTC+2)
    ("2026-03-29 03:59", "focus-1", {"Xu"}),  # 05:59
    ("2026-03-29 04:00", "focus-1", set()),  # 06:00 summer time: seven hours after 22:00
    ("2026-03-29 05:59", "focus-1", set()),  # 07:59
    ("2026-03-29 06:00", "focus-1", {"Sun"}),  # 08:00 summer time
    ("2026-03-29 09:59", "focus-1", {"Sun"}),
    ("2026-03-29 10:00", "focus-1", set()),  # 12:00
]


Row = tuple[str, str, set[str]]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _names(answer: str, group: str) -> set[str]:
    """The names ``/onduty`` gives: ``On shift now in Focus: Sun (medical volunteer), …``."""
    if answer == f"Nobody is on shift in {group} now.":
        return set()
    prefix = f"On shift now in {group}: "
    assert answer.startswith(prefix) and answer.endswith("."), answer
    return {person.split(" (", 1)[0] for person in answer[len(prefix) : -1].split(", ")}


async def _check(
    yaml: str, start: datetime, claims: list[tuple[str, int]], table: list[Row]
) -> list[str]:
    """Claim, then walk the clock through ``table``: what the hook and /onduty get wrong."""
    wrong = []
    async with Sandbox.from_yaml(yaml, clock=ManualClock(start)) as community:
        for who, number in claims:
            [claimed] = community.texts(await community.send(who, "dm", f"/claim {number}"))
            assert claimed.startswith(f"You have claimed shift {number} "), claimed
        names = {p.id: p.name for p in community.community.people}
        for moment, group_id, expected in table:
            at = _utc(moment)
            group = community.community.group(group_id)
            duty = await community.bot.services.call("shifts_on_duty", group=group, at=at)
            if {names[p] for p in duty} != expected:
                wrong.append(f"hook at {moment} in {group_id}: {sorted(duty)}, want {expected}")
            await community.advance(at - community.clock.now())
            [answer] = community.texts(await community.send("wang", group_id, "/onduty"))
            if _names(answer, group.name) != expected:
                wrong.append(f"/onduty at {moment} in {group_id}: {answer}, want {expected}")
    return wrong


async def test_who_is_on_shift_eight_hours_ahead_of_utc_and_across_midnight() -> None:
    assert await _check(SHANGHAI, SHANGHAI_START, SHANGHAI_CLAIMS, SHANGHAI_TABLE) == []


async def test_who_is_on_shift_when_the_clocks_go_forward_in_the_night() -> None:
    assert await _check(BERLIN, BERLIN_START, BERLIN_CLAIMS, BERLIN_TABLE) == []


async def test_on_shift_is_a_role_held_in_the_group_while_the_shift_lasts() -> None:
    async with Sandbox.from_yaml(SHANGHAI, clock=ManualClock(SHANGHAI_START)) as community:
        await community.send("sun", "dm", "/claim 2")
        await community.send("he", "dm", "/claim 2")
        early = community.texts(await community.send("sun", "focus-1", "Good morning"))
        assert early == ["Volunteers speak here on their shift only."]
        await community.advance(hours=2)  # 08:00
        assert community.texts(await community.send("sun", "focus-1", "Good morning")) == []
        [whoami] = community.texts(await community.send("he", "focus-1", "/whoami"))
        assert whoami.endswith("In this group: general volunteer (group secretary), on shift.")
        [elsewhere] = community.texts(await community.send("he", "key-1", "/whoami"))
        assert elsewhere.endswith("In this group: general volunteer (group secretary).")
        await community.advance(hours=4)  # 12:00: Xu's shift, not Sun's
        late = community.texts(await community.send("sun", "focus-1", "Still here"))
        assert late == ["Volunteers speak here on their shift only."]
