"""A morning of health check-ins: 20,000 households across 100 resident groups, then the lists.

Each of 100 buildings has a resident group, a building leader and 200 households, each
a resident registered as the joining plugin keeps them (stored before the bot starts).
Between 07:00 and 10:00 on the bot's clock, ``--reporting`` of the households check in
(``/打卡 36.6``; one in ten in their resident group, where the message is deleted and the
answer is private; one in a hundred with a fever, which alerts the community worker),
through the in-memory adapter path with the built-in plugins, each event checkpointed,
at most 100 in flight.  Then the clock reaches 10:00 and the daily timer sends every
building's missing-report list to its leader and a reminder to each household missing.
Prints check-ins per second against a baseline run in the same process (as many
greetings posted in the resident groups, which the bot reads and does not answer: the ratio
says what a check-in costs beyond an ordinary message) and the time to compute and send all missing-report lists (target: the whole
morning under 60 s on SQLite).  With ``--db both`` (the default) it runs on a SQLite file,
then on PostgreSQL.  It prints; it does not assert.

    python bench/checkin_day.py [--households 20000] [--groups 100] [--reporting 0.9]
                                [--in-flight 100] [--db both|sqlite|postgres|<database URL>]

``postgres`` is a throwaway database per run on the server of ``$SANSHE_BENCH_PG``
(default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.actions import DirectMessage  # noqa: E402
from sanshe.core.events import Message  # noqa: E402
from sanshe.core.storage.models import PersonHandle, StoredPerson  # noqa: E402
from sanshe.plugins.checkins.models import Checkin  # noqa: E402
from sanshe.plugins.joining.models import Household  # noqa: E402
from sanshe.testing import ManualClock, Sandbox  # noqa: E402

# A key to seal personal data with, for a database without one (as on a first start).
os.environ.setdefault("SANSHE_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
PG_SERVER = os.environ.get("SANSHE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
#: 07:00 in Shanghai: the reporting window (06:00-10:00) is open, the list is due at 10:00.
MORNING = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
#: Rooms per floor.
ROOMS = 20
#: At most this many of the morning's messages go first, one by one and untimed.
WARM_UP = 100

#: A database for one run: an async context giving its URL, empty at the start.
Database = Callable[[], AbstractAsyncContextManager[str]]


def community_yaml(groups: int, per_group: int) -> str:
    """Buildings ``b0``… with a resident group ``g0``… and a building leader each."""
    floors = -(-per_group // ROOMS)
    rooms = ", ".join(f'"{f}01-{f}{ROOMS:02d}"' for f in range(1, floors + 1))
    lines = [
        "community: {id: bench, name: Bench, locale: zh_CN, timezone: Asia/Shanghai}",
        "buildings:",
        *(f'  - {{id: "b{i}", name: B{i}, rooms: [{rooms}]}}' for i in range(groups)),
        "groups:",
        *(f'  - {{id: g{i}, kind: resident, name: G{i}, building: "b{i}"}}' for i in range(groups)),
        "people:",
        "  - {id: zhang, name: Zhang, handles: {console: zhang}, roles: [community_worker]}",
        *(
            f"  - {{id: lead{i}, name: Lead{i}, handles: {{console: lead{i}}},"
            f" roles: [{{role: building_leader, groups: [g{i}]}}]}}"
            for i in range(groups)
        ),
        "plugins:",
        "  checkins:",
        "    symptoms: [{id: cough, name: {zh_CN: 咳嗽, en: cough}}]",
    ]
    return "\n".join(lines) + "\n"


def room(n: int) -> str:
    """The room of a building's ``n``-th household."""
    return f"{n // ROOMS + 1}{n % ROOMS + 1:02d}"


async def register(households: int, groups: int) -> None:
    """Store a resident (a person with a console handle) and their household for each."""
    per_group = households // groups
    people, handles, homes = [], [], []
    for n in range(households):
        group, index = n % groups, n // groups
        people.append(StoredPerson(id=f"r{n}", name=f"{index}户"))
        handles.append(PersonHandle(person_id=f"r{n}", network="console", handle=f"r{n}"))
        homes.append(
            Household(
                group_id=f"g{group}",
                building=f"b{group}",
                room=room(index % per_group),
                tenure="owner",
                person=f"r{n}",
                household=f"{index}户",
                joined_at=MORNING,
            )
        )
    for rows in (people, handles, homes):
        await type(rows[0]).bulk_create(rows, batch_size=1_000)


def morning(households: int, groups: int, reporting: float, checkin: bool) -> list[Message]:
    """The morning's messages from each household reporting, in a random order: a check-in
    (``checkin``; one in ten in the resident group, the others privately), or a greeting in
    the resident group, which the bot reads and does not answer (the baseline)."""
    rng = random.Random(7)
    senders = rng.sample(range(households), int(households * reporting))
    out = []
    for k, n in enumerate(senders):
        in_group = k % 10 == 0 or not checkin
        fever = k % 100 == 1
        text = f"/打卡 {'38.2' if fever else '36.6'}" if checkin else "早上好，今天天气不错"
        out.append(
            Message(
                network="console",
                chat=f"g{n % groups}" if in_group else f"dm:r{n}",
                event_id=f"{'c' if checkin else 'p'}{k}",
                sender=f"r{n}",
                direct=not in_group,
                text=text,
                message_id=str(k),
            )
        )
    return out


async def _admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(PG_SERVER)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def databases(db: str, folder: Path) -> Database:
    """Fresh databases of the kind ``db`` names, one per run."""
    runs = iter(range(1_000_000))

    @asynccontextmanager
    async def sqlite_file() -> AsyncIterator[str]:
        yield f"sqlite://{folder}/run-{next(runs)}.sqlite3"

    @asynccontextmanager
    async def postgres() -> AsyncIterator[str]:
        name = f"sanshe_bench_{os.getpid()}_{next(runs)}"
        await _admin(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_SERVER.rsplit('/', 1)[0]}/{name}"
        finally:
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @asynccontextmanager
    async def given() -> AsyncIterator[str]:
        yield db

    return {"sqlite": sqlite_file, "postgres": postgres}.get(db, given)


async def run(
    args: argparse.Namespace, folder: Path, database: Database, checkin: bool
) -> tuple[float, float, int, int]:
    """Messages per second of the morning on a fresh database; with ``checkin``, also the time
    the missing-report lists took, how many lists and reminders went, and check-ins kept."""
    config = folder / "community.yaml"
    config.write_text(community_yaml(args.groups, args.households // args.groups), "utf-8")
    events = morning(args.households, args.groups, args.reporting, checkin)
    async with database() as url:
        sandbox = Sandbox(config, db_url=url, timeout=600, clock=ManualClock(MORNING))
        await sandbox.start()
        try:
            await register(args.households, args.groups)
            await sandbox.restart()  # the people and the households are read at start
            submit = sandbox.bot.submit
            warm_up = min(WARM_UP, len(events) // 10)
            for event in events[:warm_up]:  # what plugins load at the first message: untimed
                await submit(event)
            queue = iter(events[warm_up:])

            async def feed() -> None:  # one adapter connection: the next event once one is done
                for event in queue:
                    await submit(event)

            start = time.perf_counter()
            await asyncio.gather(*(feed() for _ in range(args.in_flight)))
            rate = (len(events) - warm_up) / (time.perf_counter() - start)
            if not checkin:
                return rate, 0.0, 0, 0
            kept = await Checkin.all().count()
            start = time.perf_counter()
            sent = await sandbox.advance(hours=3)  # 10:00: the lists and the reminders
            listing = time.perf_counter() - start
            told = sum(1 for a in sent if isinstance(a, DirectMessage))
            return rate, listing, told, kept
        finally:
            await sandbox.stop()


async def measure(args: argparse.Namespace, db: str, folder: Path) -> None:
    """The baseline's and the check-ins' rates, the lists' time, on databases of kind ``db``."""
    database = databases(db, folder)
    base, _l, _t, _k = await run(args, folder, database, checkin=False)
    rate, listing, told, kept = await run(args, folder, database, checkin=True)
    shown = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}.get(db, db)
    reported = int(args.households * args.reporting)
    print(f"  {shown}:")
    print(f"    greetings in groups (baseline): {base:8.0f} messages/s")
    print(f"    check-ins:                      {rate:8.0f} check-ins/s   ({kept} kept)")
    print(f"    ratio check-ins / greetings: {rate / base:.2f}")
    print(
        f"    missing-report lists ({args.groups} buildings, {told} private messages): "
        f"{listing:.2f} s"
    )
    print(f"    the whole morning: {reported / rate + listing:.1f} s  (target < 60 s on SQLite)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--reporting", type=float, default=0.9, help="the share checking in")
    parser.add_argument(
        "--in-flight", type=int, default=100, help="events submitted and not yet checkpointed"
    )
    parser.add_argument(
        "--db",
        default="both",
        help="both (default: sqlite, then postgres), sqlite (a file), postgres, or a database URL",
    )
    args = parser.parse_args()
    print(
        f"checkin day: {args.households} households across {args.groups} resident groups, "
        f"{args.reporting:.0%} checking in, at most {args.in_flight} in flight"
    )
    # Stopped (SIGTERM, Ctrl-C), the run ends as if done: its PostgreSQL database is dropped.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    with tempfile.TemporaryDirectory() as tmp:
        for db in kinds:
            await measure(args, db, Path(tmp))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        sys.exit("checkin day: stopped before the end")
