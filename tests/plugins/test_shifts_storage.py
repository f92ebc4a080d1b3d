"""The shifts plugin's tables, on SQLite and PostgreSQL: the roster and its claims survive a
restart, a reload with other templates plans again, a person's claims are exported and erased."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sanshe.core.personal_data import erase, export
from sanshe.core.storage.models import stored_person
from sanshe.plugins.shifts import sanshe_person_export
from sanshe.plugins.shifts.models import StoredClaim, StoredShift, SwapOffer
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import write_community
from tests.plugins.test_shifts import COMMUNITY, SHIFT_1, SHIFT_3, START, first, say

#: A person id longer than the person columns (a stranger's ``network:handle`` may be too).
LONG = "v" * 320


async def test_claims_and_arrivals_survive_a_restart(db_url: str, tmp_path: Path) -> None:
    config = write_community(tmp_path, COMMUNITY)
    community = Sandbox(config, db_url=db_url, clock=ManualClock(START))
    await community.start()
    try:
        await community.send("sun", "dm", "/claim 1")
        await community.send("he", "dm", "/claim 1")
        await community.send("he", "dm", "/swap 1 @gao")
        await community.advance(hours=2)  # 08:00
        await community.send("sun", "focus-1", "Good morning.")
        await community.restart()
        assert await StoredShift.filter(group="focus-1").count() == 9  # 3 a day, 1 to 3 December
        assert await say(community, "wang", "focus-1", "/onduty") == (
            "On shift now in Focus: Sun (medical volunteer), He (general volunteer (group secretary))."
        )
        assert (
            await say(community, "sun", "dm", "/arrive") == "You are noted as arrived since 08:00."
        )
        assert await say(community, "gao", "dm", "/accept 1") == (
            f"{first(SHIFT_1)} has begun: it can no longer be released or swapped."
        )
        await community.restart()  # the daily planning's timer is kept, not set twice
        await community.advance(hours=16)  # 00:00 on 2 December: plans 4 December
        assert await StoredShift.filter(group="focus-1").count() == 12
    finally:
        await community.stop()


async def test_other_templates_plan_the_roster_again_and_claimed_shifts_stay(
    tmp_path: Path,
) -> None:
    config = write_community(tmp_path, COMMUNITY)
    db_url = f"sqlite://{tmp_path}/db.sqlite3"
    async with Sandbox(config, db_url=db_url, clock=ManualClock(START)) as community:
        await community.send("xu", "dm", "/claim 4")  # 22:00-02:00, claimed: it stays
        await community.send("sun", "dm", "/claim 3")
        changed = COMMUNITY.replace(
            '          - {start: "22:00", end: "02:00", needs: {psych_volunteer: 1}}\n', ""
        ).replace(
            "needs: {medical_volunteer: 1, general_volunteer: 1}", "needs: {medical_volunteer: 2}"
        )
        config.write_text(changed, encoding="utf-8")
        await community.restart()
        listed = await say(community, "wang", "focus-1", "/shifts")
        assert listed.splitlines()[2:4] == [
            "3  12:00–18:00  medical volunteer: Sun, 1 free",
            "4  22:00–02:00  counselling volunteer: Xu",
        ]
        tomorrow = await say(community, "wang", "focus-1", "/shifts tomorrow")
        assert [line.split("  ")[1] for line in tomorrow.splitlines()[1:-1]] == [
            "08:00–12:00",
            "12:00–18:00",
        ]


async def test_a_persons_claims_and_swaps_are_exported_and_erased(
    db_url: str, tmp_path: Path
) -> None:
    config = write_community(tmp_path, COMMUNITY)
    async with Sandbox(config, db_url=db_url, clock=ManualClock(START)) as community:
        await community.send("sun", "dm", "/claim 1")
        await community.send("lin", "dm", "/claim 3")
        await community.send("sun", "dm", "/swap 1 @lin")
        await community.advance(hours=2, minutes=5)
        await community.send("sun", "focus-1", "Here.")
        storage, pm = community.storage, community.bot.pm
        exported = await export(storage, community.community, pm, "sun")
        assert exported["plugins"]["shifts"] == {
            "claims": [
                {
                    "shift": 1,
                    "group": "focus-1",
                    "start": "2026-12-01T00:00:00+00:00",
                    "end": "2026-12-01T04:00:00+00:00",
                    "role": "medical_volunteer",
                    "claimed_at": "2026-11-30T22:00:00+00:00",
                    "arrived_at": "2026-12-01T00:05:00+00:00",
                }
            ],
            "swaps": [
                {
                    "shift": 1,
                    "offered": True,
                    "role": "medical_volunteer",
                    "made_at": "2026-11-30T22:00:00+00:00",
                }
            ],
        }
        assert (await export(storage, community.community, pm, "lin"))["plugins"]["shifts"][
            "swaps"
        ] == [
            {
                "shift": 1,
                "offered": False,
                "role": "medical_volunteer",
                "made_at": "2026-11-30T22:00:00+00:00",
            }
        ]
        assert "shifts" not in (await export(storage, community.community, pm, "xu")).get(
            "plugins", {}
        )
        await erase(storage, community.community, pm, "sun")
        assert await StoredClaim.filter(person="sun").count() == 0
        assert await SwapOffer.all().count() == 0
        assert await StoredClaim.filter(person="lin").count() == 1


async def test_a_person_with_a_long_id_claims_swaps_and_is_found_after_a_restart(
    db_url: str, tmp_path: Path
) -> None:
    long_one = (
        f"  - {{id: {LONG}, name: Long, handles: {{console: long}}, "
        "roles: [{role: medical_volunteer, groups: [focus-1]}]}\n"
    )
    config = write_community(tmp_path, COMMUNITY.replace("people:\n", "people:\n" + long_one))
    community = Sandbox(config, db_url=db_url, clock=ManualClock(START))
    await community.start()
    try:
        assert (await say(community, "long", "dm", "/claim 1")).startswith(
            f"You have claimed {SHIFT_1}, as medical volunteer."
        )
        stranger = "u" * 300  # console:uuu…, 308 characters
        assert await say(community, stranger, "dm", "/accept 1") == (
            f"Nobody has offered you {SHIFT_1}."
        )
        await community.send("sun", "dm", "/claim 3")
        await community.send("sun", "dm", "/swap 3 @long")
        assert community.texts(await community.send("long", "dm", "/accept 3")) == [
            f"{first(SHIFT_3)} is yours now, as medical volunteer.",
            f"Long took over your {SHIFT_3}.",
        ]
        await community.send("long", "dm", "/swap 1 @lin")
        await community.restart()
        assert community.texts(await community.send("lin", "dm", "/accept 1")) == [
            f"{first(SHIFT_1)} is yours now, as medical volunteer.",
            f"Lin took over your {SHIFT_1}.",
        ]
        await community.send("long", "dm", "/swap 3 @lin")
        await community.advance(hours=6)  # 12:00: shift 3
        assert await say(community, "wang", "focus-1", "/onduty") == (
            "On shift now in Focus: Long (medical volunteer)."
        )
        assert await StoredClaim.filter(person=stored_person(LONG)).count() == 1
        person = community.community.person(LONG)
        assert person is not None
        mine = await sanshe_person_export(person)  # core's export cannot name so long an id
        assert mine is not None
        assert [(c["shift"], c["role"]) for c in mine["claims"]] == [(3, "medical_volunteer")]
        assert [(s["shift"], s["offered"]) for s in mine["swaps"]] == [(3, True)]
    finally:
        await community.stop()


async def _reloaded(community: Sandbox) -> None:
    """Reload the community file and wait until every plugin followed the change."""
    assert await community.bot.reload() == []
    assert community.bot.change_told is not None  # told in the background: every plugin's turn
    await community.bot.change_told
    await community.bot.services.act("shifts", lambda ctx: None)  # after its planning


async def test_a_planning_not_kept_is_tried_again_at_the_next_change(
    db_url: str, tmp_path: Path
) -> None:
    config = write_community(tmp_path, COMMUNITY)
    async with Sandbox(config, db_url=db_url, clock=ManualClock(START)) as community:
        evening = '          - {start: "18:00", end: "22:00", needs: {general_volunteer: 1}}\n'
        night = '          - {start: "22:00", end: "02:00", needs: {psych_volunteer: 1}}\n'
        config.write_text(COMMUNITY.replace(night, evening + night), encoding="utf-8")
        last = await StoredShift.all().order_by("-id").first()
        assert last is not None
        taken = await StoredShift.create(  # the next shift's number: its planning is not kept
            id=last.id + 1,
            group="key-1",
            starts_at=START - timedelta(hours=3),
            ends_at=START - timedelta(hours=2),
        )
        await _reloaded(community)  # its planning is not kept: the next number is taken
        assert "18:00–22:00" not in await say(community, "wang", "focus-1", "/shifts")
        await taken.delete()
        await _reloaded(community)  # the same file: the roster is planned from it again
        assert "18:00–22:00  general volunteer (group secretary): 1 free" in (
            await say(community, "wang", "focus-1", "/shifts")
        )
