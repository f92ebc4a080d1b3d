"""The pipeline bench runs on SQLite and PostgreSQL, tiny (a smoke test: it asserts no timing)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from .conftest import PG_ADMIN, ROOT


async def _databases_of(pid: int) -> list[str]:
    """The bench databases left on the server by the bench process ``pid``."""
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", f"sanshe\\_bench\\_{pid}\\_%"
        )
    finally:
        await connection.close()
    return [str(row["datname"]) for row in rows]


def test_the_pipeline_bench_prints_postgresql_as_a_ratio_of_sqlite() -> None:
    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--messages", "40", "--groups", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_BENCH_PG": PG_ADMIN},
    )
    out, err = bench.communicate(timeout=300)
    assert bench.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].endswith("at most 100 in flight")
    assert "  SQLite file:" in lines and "  PostgreSQL:" in lines
    assert lines[-1].startswith("  ratio pg/sqlite: ")
    assert lines[-1].endswith("(target >= 0.8)")
    assert asyncio.run(_databases_of(bench.pid)) == []  # its throwaway databases are dropped


def test_the_onduty_bench_and_the_pipeline_with_and_without_shifts_print_their_figures() -> None:
    onduty = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "onduty.py"), "--groups", "10", "--days", "2"]
        + ["--lookups", "1000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert onduty.returncode == 0, onduty.stderr
    title, lookup, message = onduty.stdout.splitlines()
    assert title.startswith("onduty: 10 consultation groups, 2 days of 3 shifts each (60 shifts")
    assert lookup.startswith("  on-shift lookup (shifts_on_duty): ") and lookup.endswith(
        " of 1000 found someone)"
    )
    assert message.startswith("  per message (on_shift + arrival): ") and message.endswith(" µs")
    pipeline = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--messages", "40", "--groups", "4"]
        + ["--db", "sqlite", "--shifts"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pipeline.returncode == 0, pipeline.stderr
    lines = pipeline.stdout.splitlines()
    assert (
        lines[1] == "  the shifts plugin with a roster in every group, against the plugin disabled"
    )
    assert lines[-3].startswith("    with shifts: ") and lines[-2].startswith(
        "    without shifts: "
    )
    assert lines[-1].startswith("    ratio with / without shifts: ")
    assert lines[-1].endswith("(target >= 0.9)")


def test_the_ban_propagation_bench_prints_the_limits_the_three_times_and_the_ratio() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ban_propagation.py"), "--rooms", "2"]
        + ["--timeout", "120"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bench.returncode == 0, bench.stderr
    lines = bench.stdout.splitlines()
    assert lines[0] == "ban propagation: one /ban, 2 rooms on Synapse (loopback), the bot at 50"
    limit = "    rc_message (bans, redactions, state events, messages): 0.2/s after a burst of 10"
    assert limit in lines
    labels = [
        "  throttled (a plain account):",
        "  exempted, one room at a time (baseline):",
        "  exempted, 16 rooms at once:",
    ]
    for n, label in enumerate(labels):
        heading, out, published = lines[-10 + 3 * n : -7 + 3 * n]
        assert heading == label
        assert out.startswith("    out of every room: ")
        assert out.endswith(" s   (target < 10 s)" if n else " s")
        assert published.startswith("    rule in the policy room: ")
    assert lines[-1].startswith("  ratio, one at a time / side by side: ")


def test_the_rules_scaling_bench_prints_each_rate_and_the_ratio() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rules_scaling.py"), "--messages", "200"]
        + ["--groups", "4", "--rules", "10,100,1000,5000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bench.returncode == 0, bench.stderr
    title, *rates, ratio = bench.stdout.splitlines()
    assert title.startswith("rules scaling: 200 messages across 4 groups, content rules")
    assert [line.split(" rules:")[0].strip() for line in rates] == ["10", "100", "1,000", "5,000"]
    assert all(line.endswith(" µs CPU a message") for line in rates)
    assert ratio.startswith("  ratio 5,000 rules / 10 rules: ") and ratio.endswith(
        "(target >= 0.8)"
    )


def test_the_crisis_alert_bench_prints_both_networks_times_and_the_detectors_figures() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crisis_alert.py"), "--crises", "2"]
        + ["--residents", "2", "--every", "0.5", "--groups", "10"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bench.returncode == 0, bench.stderr
    matrix, telegram, detector = (
        bench.stdout.splitlines()[start:end] for start, end in ((0, 7), (7, 12), (12, 18))
    )
    assert matrix[0].startswith("crisis alert on Matrix: ")
    assert matrix[2] == "  /onduty in focus-1: On shift now in Focus: Wang (social worker)."
    assert telegram[0].startswith("crisis alert on Telegram: the loopback Bot API server")
    for times in (matrix[3:5], telegram[1:3]):
        assert all(" median " in line and line.endswith(" ms   (n=2)") for line in times)
    assert [line.split()[0] for line in (matrix[3], matrix[4], telegram[1], telegram[2])] == [
        "quiet",
        "busy",
        "empty",
        "notice",
    ]
    assert matrix[5].startswith("    (busy: 2 other residents posted ")
    assert telegram[3].startswith("    (queued: a notice to 10 groups going out; ")
    for ratio in (matrix[6], telegram[4]):
        assert ratio.startswith("  ratio ") and ratio.endswith("(target: both under 5 s)")
    assert detector[0].startswith("crisis detector, shipped lexicon")
    names = [
        "tuning set",
        "development set",
        "held-out set",
        "held-out set, zh",
        "held-out set, en",
    ]
    assert [line.split(": recall ")[0].strip() for line in detector[1:]] == names
    assert all(" µs/message" in line for line in detector[1:])
    assert detector[3].endswith("(target: recall >= 0.97, precision >= 0.8)")


def test_the_checkin_day_bench_prints_both_backends_rates_the_lists_and_the_ratio() -> None:
    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "checkin_day.py"), "--households", "60"]
        + ["--groups", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_BENCH_PG": PG_ADMIN},
    )
    out, err = bench.communicate(timeout=300)
    assert bench.returncode == 0, err
    title, *runs = out.splitlines()
    assert title == (
        "checkin day: 60 households across 3 resident groups, 90% checking in, at most 100 in flight"
    )
    assert [runs[0], runs[6]] == ["  SQLite file:", "  PostgreSQL:"]
    for run in (runs[1:6], runs[7:12]):
        greetings, checkins, ratio, lists, morning = run
        assert greetings.startswith("    greetings in groups (baseline): ")
        assert checkins.startswith("    check-ins: ") and checkins.endswith("(54 kept)")
        assert ratio.startswith("    ratio check-ins / greetings: ")
        # 6 households missing (one list and one reminder each), across 3 buildings
        assert lists.startswith("    missing-report lists (3 buildings, 9 private messages): ")
        assert morning.startswith("    the whole morning: ")
        assert morning.endswith(" s  (target < 60 s on SQLite)")
    assert asyncio.run(_databases_of(bench.pid)) == []  # its throwaway databases are dropped


def test_the_floor_bench_prints_its_rate_and_its_µs_a_message() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "floor.py"), "--messages", "300"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bench.returncode == 0, bench.stderr
    title, figures = bench.stdout.splitlines()
    assert title.startswith("floor: 300 messages through one queue, 10 keywords in one automaton")
    assert "secure_delete=ON" in title
    assert " messages/s " in figures and figures.endswith(" µs CPU a message")


def test_the_startup_bench_prints_the_first_reply_beside_the_interpreters_start() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "startup.py"), "--groups", "30", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bench.returncode == 0, bench.stderr
    title, bare, imported, *runs = bench.stdout.splitlines()
    assert title.startswith("startup: sanshe run on the console and a SQLite file")
    assert bare.startswith("  python -c pass: ") and imported.startswith("  python -c 'import")
    assert runs[0].startswith("  the example (") and runs[3].startswith("  30 groups more (")
    for first, again in (runs[1:3], runs[4:6]):
        assert first.startswith("    first reply, new database: ")
        assert again.startswith("    first reply, restart (median of 1): ")
    assert runs[2].endswith("(target < 1.0 s)") and runs[5].endswith("(target < 1.5 s)")


def test_the_console_bench_prints_both_rates_and_the_ratio() -> None:
    bench = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "console.py"), "--lines", "30"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bench.returncode == 0, bench.stderr
    title, floor, sanshe, ratio = bench.stdout.splitlines()
    assert title == "console: 30 lines piped to sanshe run (the example, a SQLite file)"
    assert floor.startswith("  a transaction a line (BEGIN, INSERT, COMMIT): ")
    assert sanshe.startswith("  sanshe run < lines: ") and sanshe.endswith(" lines/s")
    assert ratio.startswith("  ratio sanshe / a transaction a line: ")
    assert ratio.endswith("(target >= 0.5)")
