"""Messages per second through Sanshe's pipeline with every built-in plugin on, against the floor.

Pushes synthetic resident messages across 1,000 groups through the in-memory
adapter path (the console's path, without printing), every built-in plugin
with the example community's settings, rules and forms (privacy guard, crisis
detector, shift look-ups, nickname checks…; see ``example.py``) and the rules
engine, each event checkpointed in a fresh database, with at most 100 events
in flight (an adapter waiting for its events' checkpoints).  First it runs the
floor (``floor.py``) on the same texts and keywords, and prints SQLite's rate
as a ratio of it (target >= 0.5).  Then with 10 and with 1,000 keyword rules
besides the example's: message cost should not grow with the number of rules
(target >= 0.8).  With ``--db both`` (the default) it runs on a SQLite file,
then on PostgreSQL, and prints PostgreSQL's rate as a ratio of SQLite's
(target >= 0.8).  It prints; it does not assert.

    python bench/pipeline.py [--messages 100000] [--groups 1000] [--in-flight 100]
                             [--db both|sqlite|postgres|<database URL>] [--shifts | --spread]

``--spread`` runs a community of 10,000 resident groups (``--groups``) twice:
the messages spread over every group, one each, and over 10 groups; it prints
the first rate as a ratio of the second (target >= 0.9).

``--shifts`` runs the pipeline (10 rules) with the shifts plugin planning a roster in
every group against the plugin disabled, and prints that ratio instead (target >= 0.9).

``postgres`` is a throwaway database per run on the server of
``$SANSHE_BENCH_PG`` (default postgres://postgres@127.0.0.1:5432/postgres),
dropped afterwards.  A URL is used as given, a fresh database each run only if
it is ``sqlite://:memory:``.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import example  # noqa: E402
import floor  # noqa: E402

from sanshe.core.events import Message  # noqa: E402
from sanshe.testing import Sandbox  # noqa: E402

WORDS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"

# A key to seal personal data with, for a database without one (as on a first start).
os.environ.setdefault("SANSHE_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
PG_SERVER = os.environ.get("SANSHE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")

#: A database for one run: an async context giving its URL, empty at the start.
Database = Callable[[], AbstractAsyncContextManager[str]]


#: ``--shifts``: a roster in every group, someone on shift at every hour (three shifts a day).
SHIFTS_ON = """plugins:
  shifts:
    templates:
      - kinds: [resident]
        shifts:
          - {start: "00:00", end: "08:00", needs: {general_volunteer: 1}}
          - {start: "08:00", end: "16:00", needs: {general_volunteer: 1}}
          - {start: "16:00", end: "24:00", needs: {general_volunteer: 1}}
    plan_days: 1
"""
#: ``--shifts``: the same community without the shifts plugin.
SHIFTS_OFF = "plugins:\n  disable: [shifts]\n"


def keyword(i: int) -> str:
    """Rule ``i``'s keyword: two characters, its number and 号 (the messages never hold one)."""
    return WORDS[i % len(WORDS)] + WORDS[(i * 7 + 3) % len(WORDS)] + f"{i}号"


def rule_line(i: int) -> str:
    """Generated rule ``i``, one line of YAML."""
    return (
        f"  - {{id: r{i}, where: {{kinds: [resident]}}, when: {{keywords: [{keyword(i)}]}}, "
        "do: [{reply: 已收到}]}"
    )


def community_yaml(groups: int, rules: int, plugins: str = "") -> str:
    """A bare community (``--shifts``): resident groups, one social worker, generated rules."""
    lines = [
        "community: {id: bench, name: Bench, locale: zh_CN}",
        "groups:",
        *(f"  - {{id: g{i}, kind: resident, name: G{i}}}" for i in range(groups)),
        "people:",
        "  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}",
        "rules:",
    ]
    lines.extend(rule_line(i) for i in range(rules))
    return "\n".join(lines) + "\n" + plugins


def messages(count: int, groups: int, seed: int = 7, per_resident: int = 4) -> list[Message]:
    """``count`` messages, group after group, each resident of a group writing ``per_resident``
    of its messages in a row (fewer than the example's flood rule counts; the first one the
    group sees of them), named as the example asks."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        text = "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        if n % 100 == 0:
            text += "呼吸" + "5号"  # a near miss for the automaton
        out.append(
            Message(
                network="console",
                chat=f"g{n % groups}",
                event_id=f"m{n}",
                sender=f"g{n % groups}r{n // groups // per_resident}",
                sender_name=example.NICKNAME,
                text=text,
                message_id=str(n),
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
    config: Path, events: list[Message], database: Database, in_flight: int
) -> tuple[float, float]:
    """Messages per second through a fresh sandbox of ``config``, ``in_flight`` submitted at most
    at once, and this process's CPU seconds per message (not the database server's)."""
    async with database() as url, Sandbox(config, db_url=url, timeout=600) as sandbox:
        submit = sandbox.bot.submit
        queue = iter(events)

        async def feed() -> None:  # one adapter connection: the next event once one is done
            for event in queue:
                await submit(event)

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(feed() for _ in range(in_flight)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(events) / elapsed, cpu / len(events)


def everything(folder: Path, groups: int, rules: int) -> Path:
    """The example community, every plugin on, with ``groups`` resident groups and ``rules``
    generated keyword rules besides its own."""
    name = f"everything-{groups}-{rules}.yaml"
    if (folder / name).exists():
        return folder / name
    return example.community_file(folder, name, groups, [rule_line(i) for i in range(rules)])


async def floor_of(events: list[Message], rules: int, folder: Path) -> floor.Floor:
    """The floor on the texts of ``events`` with the keywords of ``rules`` generated rules."""
    texts = [event.text for event in events]
    keywords = [keyword(i) for i in range(rules)]
    await floor.measure(texts[: min(2_000, len(texts))], keywords, folder)  # warm-up
    return await floor.measure(texts, keywords, folder)


async def measure(
    db: str, events: list[Message], groups: int, in_flight: int, folder: Path
) -> tuple[float, float]:
    """The rates with 10 and with 1,000 rules on databases of the kind ``db``, printed."""
    database = databases(db, folder)
    warm_up = events[: min(2_000, len(events))]
    few_rules, many_rules = everything(folder, groups, 10), everything(folder, groups, 1_000)
    await run(few_rules, warm_up, database, in_flight)
    few, few_cpu = await run(few_rules, events, database, in_flight)
    many, many_cpu = await run(many_rules, events, database, in_flight)
    shown = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}.get(db, db)
    print(f"  {shown}:")
    print(
        f"    10 keyword rules:    {few:10.0f} messages/s   {few_cpu * 1e6:6.1f} µs CPU a message"
    )
    print(
        f"    1,000 keyword rules: {many:10.0f} messages/s   {many_cpu * 1e6:6.1f} µs CPU a message"
    )
    print(f"    ratio 1,000 rules / 10 rules: {many / few:.2f}  (target >= 0.8)")
    return few, many


def _together(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The rate and CPU a message of runs of as many messages each, taken together."""
    rate = len(runs) / sum(1 / rate for rate, _cpu in runs)
    return rate, sum(cpu for _rate, cpu in runs) / len(runs)


async def measure_spread(db: str, count: int, groups: int, in_flight: int, folder: Path) -> None:
    """The rate with ``count`` messages spread over every one of ``groups`` groups against the
    same messages over 10 of them, each run twice, alternating, printed."""
    database = databases(db, folder)
    config = everything(folder, groups, 10)
    # Each message from a resident new to its group in both runs (as many first sightings).
    spread, few = messages(count, groups, per_resident=1), messages(count, 10, per_resident=1)
    await run(config, few[: min(2_000, count)], database, in_flight)
    runs: dict[str, list[tuple[float, float]]] = {"spread": [], "few": []}
    for _round in range(2):  # alternating, so that a machine busy meanwhile slows both alike
        runs["spread"].append(await run(config, spread, database, in_flight))
        runs["few"].append(await run(config, few, database, in_flight))
    (wide, wide_cpu), (narrow, narrow_cpu) = (_together(kept) for kept in runs.values())
    shown = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}.get(db, db)
    per_group = count / groups
    print(f"  {shown}:")
    print(
        f"    {groups:,} chats ({per_group:g} a chat): {wide:10.0f} messages/s   "
        f"{wide_cpu * 1e6:6.1f} µs CPU a message"
    )
    print(
        f"    10 chats:{' ' * (len(f'{groups:,} chats ({per_group:g} a chat)') - 8)} "
        f"{narrow:10.0f} messages/s   {narrow_cpu * 1e6:6.1f} µs CPU a message"
    )
    print(f"    ratio {groups:,} chats / 10 chats: {wide / narrow:.2f}  (target >= 0.9)")


async def measure_shifts(
    db: str, events: list[Message], groups: int, in_flight: int, folder: Path
) -> None:
    """The rates with the shifts plugin (a roster in every group, planned at start-up; none of
    the residents writing has claimed a shift) and without it, each run twice, printed."""
    database = databases(db, folder)
    warm_up = events[: min(2_000, len(events))]
    configs = {}
    for plugins in (SHIFTS_ON, SHIFTS_OFF):
        configs[plugins] = folder / f"shifts-{len(configs)}.yaml"
        configs[plugins].write_text(community_yaml(groups, 10, plugins), encoding="utf-8")
    await run(configs[SHIFTS_ON], warm_up, database, in_flight)
    runs: dict[str, list[tuple[float, float]]] = {SHIFTS_ON: [], SHIFTS_OFF: []}
    for _round in range(2):  # alternating, so that a machine busy meanwhile slows both alike
        for plugins, kept in runs.items():
            kept.append(await run(configs[plugins], events, database, in_flight))
    (on, on_cpu), (off, off_cpu) = (_together(kept) for kept in runs.values())
    shown = {"sqlite": "SQLite file", "postgres": "PostgreSQL"}.get(db, db)
    print(f"  {shown}:")
    print(f"    with shifts:         {on:10.0f} messages/s   {on_cpu * 1e6:6.1f} µs CPU a message")
    print(
        f"    without shifts:      {off:10.0f} messages/s   {off_cpu * 1e6:6.1f} µs CPU a message"
    )
    print(f"    ratio with / without shifts: {on / off:.2f}  (target >= 0.9)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, help="default 100,000 (--spread: 10,000)")
    parser.add_argument("--groups", type=int, help="default 1,000 (--spread: 10,000)")
    parser.add_argument(
        "--in-flight", type=int, default=100, help="events submitted and not yet checkpointed"
    )
    parser.add_argument(
        "--db",
        default="both",
        help="both (default: sqlite, then postgres), sqlite (a file), postgres, or a database URL",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--shifts",
        action="store_true",
        help="with the shifts plugin (a roster in every group) against without it, 10 rules",
    )
    mode.add_argument(
        "--spread",
        action="store_true",
        help="one message in each of 10,000 groups against the same messages in 10 groups",
    )
    args = parser.parse_args()
    count = args.messages or (10_000 if args.spread else 100_000)
    groups = args.groups or (10_000 if args.spread else 1_000)
    what = (
        "basics + forms + moderation plugins"
        if args.shifts
        else f"every built-in plugin ({len(example.plugins())}) with the example's settings"
    )
    print(
        f"pipeline: {count} messages across {groups} groups, {what}, at most {args.in_flight} in flight"
    )
    if args.shifts:
        print("  the shifts plugin with a roster in every group, against the plugin disabled")
    # Stopped (SIGTERM, Ctrl-C), the run ends as if done: its PostgreSQL database is dropped.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.shifts or args.spread:
            for db in kinds:
                if args.shifts:
                    events = messages(count, groups)
                    await measure_shifts(db, events, groups, args.in_flight, folder)
                else:
                    await measure_spread(db, count, groups, args.in_flight, folder)
            return
        events = messages(count, groups)
        least = await floor_of(events, 10, folder)
        print(f"  floor (bench/floor.py, the same texts, 10 keywords): {least.shown()}")
        for db in kinds:
            rates[db] = await measure(db, events, groups, args.in_flight, folder)
            if db == "sqlite":
                ratio = rates[db][0] / least.rate
                print(f"    ratio 10 rules / the floor: {ratio:.2f}  (target >= 0.5)")
    # The messages of both runs over their time, PostgreSQL's over SQLite's.
    if args.db == "both":
        sqlite, postgres = (2 / (1 / few + 1 / many) for few, many in rates.values())
        print(f"  ratio pg/sqlite: {postgres / sqlite:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        sys.exit("pipeline: stopped before the end")
