"""Who is on shift: the shifts plugin's lookup, for 1,000 consultation groups with 30 days of shifts.

Plans the roster the plugin would plan (three shifts a day in each group, each
with four claimers, volunteers holding the roles) straight into memory, then
looks up who is on shift in a random group at a random instant of those 30
days with the roster's own ``on_duty``, what the ``shifts_on_duty`` hook
answers, and what a message in a group costs the plugin when its sender has
claimed shifts: ``on_shift`` (the computed role, ``sanshe_roles_now``) and
``awaiting`` (which shifts the message is their arrival for, ``sanshe_message``),
as the plugin's hooks call them (a sender who has claimed none costs one dict
lookup).  Prints microseconds per lookup and per message; it does not assert.

    python bench/onduty.py [--groups 1000] [--days 30] [--lookups 200000]

How the whole pipeline fares with the plugin: ``python bench/pipeline.py --shifts``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.model import Community  # noqa: E402
from sanshe.plugins.shifts.roster import Claim, RolesNow, Roster, Shift, planned  # noqa: E402
from sanshe.plugins.shifts.settings import ShiftSettings  # noqa: E402

NEEDS = {"social_worker": 1, "medical_volunteer": 1, "psych_volunteer": 1, "general_volunteer": 1}
HOURS = [("08:00", "12:00"), ("12:00", "18:00"), ("18:00", "24:00")]
FIRST = date(2026, 12, 1)


def community(groups: int) -> Community:
    """A community of ``groups`` focus service groups, in Shanghai's time zone, with four
    volunteers a group, each holding every role shifts need there."""
    return Community.model_validate(
        {
            "community": {"id": "bench", "name": "Bench", "timezone": "Asia/Shanghai"},
            "groups": [
                {"id": f"g{i}", "kind": "focus_service", "name": f"G{i}"} for i in range(groups)
            ],
            "people": [
                {"id": f"v{i}", "roles": [{"role": role} for role in NEEDS]}
                for i in range(groups * 4)
            ],
        }
    )


def roster(served: Community, days: int, seed: int = 11) -> Roster:
    """The roster of ``days`` days in the groups of ``served``, every place claimed."""
    settings = ShiftSettings.model_validate(
        {"templates": [{"shifts": [{"start": s, "end": e, "needs": NEEDS} for s, e in HOURS]}]}
    )
    rng = random.Random(seed)
    groups = len(served.groups)
    kept = Roster()
    for number, given in enumerate(planned(served, settings, FIRST, days), start=1):
        shift = Shift(number, given.group, given.start, given.end, dict(given.needs))
        kept.add(shift)
        for role in NEEDS:
            kept.claim(shift, Claim(f"v{rng.randrange(groups * 4)}", role, 1))
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--groups", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()
    served = community(args.groups)
    started = time.perf_counter()
    kept = roster(served, args.days)
    built = time.perf_counter() - started
    roles = RolesNow(served, served.person)
    print(
        f"onduty: {args.groups} consultation groups, {args.days} days of 3 shifts each "
        f"({len(kept.shifts)} shifts, 4 claimers each), planned in memory in {built:.1f} s"
    )
    rng = random.Random(5)
    start = datetime.combine(FIRST, datetime.min.time(), UTC) - timedelta(hours=8)
    span = args.days * 86_400
    asks = [
        (served.groups[rng.randrange(args.groups)], start + timedelta(seconds=rng.randrange(span)))
        for _ in range(args.lookups)
    ]
    senders = [f"v{rng.randrange(args.groups * 4)}" for _ in range(args.lookups)]
    early = timedelta(minutes=30)

    started = time.perf_counter()
    found = sum(1 for group, at in asks if kept.on_duty(group, at, roles))
    lookup = (time.perf_counter() - started) / len(asks)

    started = time.perf_counter()
    for (group, at), sender in zip(asks, senders, strict=True):
        # sanshe_roles_now: is the sender on shift here now?
        kept.on_shift(sender, group, at, roles)
        # sanshe_message: which shifts of theirs under way (or about to be) did they appear for?
        kept.awaiting(sender, group.id, at, early)
    message = (time.perf_counter() - started) / len(asks)

    print(
        f"  on-shift lookup (shifts_on_duty):  {lookup * 1e6:6.2f} µs   ({found} of {len(asks)} found someone)"
    )
    print(f"  per message (on_shift + arrival):  {message * 1e6:6.2f} µs")


if __name__ == "__main__":
    main()
