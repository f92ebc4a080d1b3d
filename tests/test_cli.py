"""The `sanshe` command: check-config, migrate, and what a fresh install contains."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sanshe.core.plugins import BUILTINS, plugin_name
from tests.adapters.test_console import run_with_plugin, sanshe
from tests.conftest import EXAMPLE, ROOT

BROKEN = """\
community:
  id: c
  name: Broken
  timezone: Nowhere/City
groups:
  - {id: b1, kind: residential, name: B1, capacity: many}
  - {id: b1, kind: resident, name: B1 again}
people:
  - id: wang
    handles: {console: wang}
    roles: [{role: social_wroker}, {role: building_leader, groups: [b9]}]
rules:
  - id: r
    when: {keywords: [x], moon_phase: full}
    do: [explode]
forms:
  - id: f
    title: F
    fields: [{id: a, type: colour, label: A, pattern: '(['}]
"""


def test_check_config_ok(tmp_path: Path) -> None:
    result = sanshe("check-config", str(EXAMPLE), env={"SANSHE_LANG": "en"})
    assert result.returncode == 0
    assert result.stdout.strip() == f"OK: {EXAMPLE}"
    assert result.stderr == ""  # no warning of texts missing for the plugins' own verbs


def test_check_config_lists_every_mistake_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(BROKEN, encoding="utf-8")
    result = sanshe("check-config", "c.yaml", cwd=tmp_path, env={"SANSHE_LANG": "en"})
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    # One item of the wrong type hides none of the other mistakes (issue 8, item 24):
    assert [line.split(": ")[0] for line in lines] == [
        "c.yaml:4:13",
        "c.yaml:6:53",
        "c.yaml:7:10",
        "c.yaml:11:13",
        "c.yaml:11:69",
        "c.yaml:14:27",
        "c.yaml:15:10",
        "c.yaml:19:28",
        "c.yaml:19:55",
        "c.yaml",
    ]
    assert lines[1] == "c.yaml:6:53: “capacity” must be a whole number, not “many”."
    assert lines[-1] == "c.yaml: 9 problems found; nothing was loaded."
    # Once the types are right, the group b1 is checked for its meaning too:
    fixed = BROKEN.replace("capacity: many", "capacity: 80")
    (tmp_path / "c.yaml").write_text(fixed, encoding="utf-8")
    result = sanshe("check-config", "c.yaml", cwd=tmp_path, env={"SANSHE_LANG": "en"})
    assert result.returncode == 1
    problems = [
        line for line in result.stdout.splitlines() if re.match(r"^c\.yaml:\d+:\d+: ", line)
    ]
    kinds = [
        ("c.yaml:4:13:", "Unknown time zone “Nowhere/City”"),
        ("c.yaml:6:20:", "Unknown group kind “residential”"),
        ("c.yaml:7:10:", "The id “b1” is already used at line 6"),
        ("c.yaml:11:13:", "Unknown role “social_wroker”"),
        ("c.yaml:11:69:", "There is no group “b9”"),
        ("c.yaml:14:27:", "Unknown rule condition “moon_phase”"),
        ("c.yaml:15:10:", "Unknown rule action “explode”"),
        ("c.yaml:19:28:", "Unknown field type “colour”"),
        ("c.yaml:19:55:", "This regular expression is not valid: unterminated character set"),
    ]
    assert len(problems) == len(kinds), problems
    for (place, words), problem in zip(kinds, problems, strict=True):
        assert problem.startswith(place) and words in problem, (place, words, problem)
    assert result.stdout.strip().splitlines()[-1] == "c.yaml: 9 problems found; nothing was loaded."


def test_check_config_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "community: {id: c, name: x}\ngroups: [{id: g, kind: nope, name: G}]\n", encoding="utf-8"
    )
    result = sanshe("check-config", "c.yaml", cwd=tmp_path, env={"SANSHE_LANG": "zh_CN"})
    assert result.returncode == 1
    assert result.stdout.startswith("c.yaml:2:24: 未知的群类型“nope”")


def test_a_missing_file_is_a_clear_failure(tmp_path: Path) -> None:
    result = sanshe("check-config", "nope.yaml", cwd=tmp_path, env={"SANSHE_LANG": "en"})
    assert result.returncode == 1
    assert result.stdout.startswith("nope.yaml:1:1: This file does not exist.")


def test_migrate_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    db = f"sqlite://{tmp_path}/m.sqlite3"
    first = sanshe("migrate", "--config", str(EXAMPLE), "--db", db, env={"SANSHE_LANG": "en"})
    core = ROOT / "core" / "storage" / "migrations"
    shipped = [("sanshe", core)] + [  # then the built-in plugins' tables, in their order
        (name, ROOT / "plugins" / name / "migrations")
        for name in (plugin_name(module) for module in BUILTINS)
    ]
    assert first.returncode == 0
    assert first.stdout.splitlines() == [
        f"applied {app}.{m.stem}"
        for app, folder in shipped
        for m in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
    ]
    assert first.stdout.startswith("applied sanshe.0001_initial\n")
    second = sanshe("migrate", "--config", str(EXAMPLE), "--db", db, env={"SANSHE_LANG": "en"})
    assert second.stdout.strip() == "The database is up to date."


def test_wheel_installs_everything_under_the_sanshe_namespace(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("sanshe-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"sanshe"}, top
    for expected in (
        "sanshe/core/bot.py",
        "sanshe/adapters/console/__init__.py",
        "sanshe/plugins/basics/__init__.py",
        "sanshe/plugins/basics/locales/zh_CN.po",
        "sanshe/core/locales/en.po",
        "sanshe/testing/__init__.py",
        "sanshe/config/community.yaml",
        "sanshe/config/forms/1_volunteer_registration.yaml",
        "sanshe/core/storage/migrations/0001_initial.py",
    ):
        assert expected in names, expected
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "sanshe = sanshe.core.cli:main" in entry_points
    assert "console = sanshe.adapters.console:ConsoleAdapter" in entry_points
    # Installed from the wheel, the shipped example is the wheel's, found from any folder:
    site, empty = tmp_path / "site", tmp_path / "empty"
    zipfile.ZipFile(wheel).extractall(site)
    empty.mkdir()
    found = subprocess.run(
        [sys.executable, "-c", "from sanshe.core.cli import shipped_example as e; print(e())"],
        capture_output=True,
        text=True,
        cwd=empty,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert found.stdout.strip() == str(site / "sanshe" / "config" / "community.yaml"), found


def test_core_and_plugins_import_no_network_library() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(nio|telegram|aiohttp|httpx)\b", re.MULTILINE)
    for folder in ("core", "plugins", "testing"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), path


def test_installed_command_finds_the_shipped_example_from_an_empty_folder(tmp_path: Path) -> None:
    """The editable install of the README's set-up: the `sanshe` script, run outside the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("SANSHE_CONFIG", "SANSHE_DB_URL")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sanshe"), "run", "--db", f"sqlite://{tmp_path}/x.db"],
        input="maria@building-1: /start\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("reply building-1: 欢迎来到阳光社区")


def test_the_sqlite_database_is_for_its_owner_only(tmp_path: Path) -> None:
    """Data folder 0700; the database and its WAL journal files 0600, whatever the umask."""
    folder = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "sanshe.core.cli", "run", "--config", str(EXAMPLE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SANSHE_DB_URL": f"sqlite://{folder}/sanshe.sqlite3"},
        umask=0o022,
    )
    assert process.stdin and process.stdout
    try:
        process.stdin.write("maria@building-1: /start\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith("reply building-1: 欢迎来到阳光社区")
        while_open = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {"sanshe.sqlite3", "sanshe.sqlite3-wal", "sanshe.sqlite3-shm"} <= set(while_open)
    assert while_open == dict.fromkeys(while_open, 0o600), while_open
    assert {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()} == dict.fromkeys(
        (p.name for p in folder.iterdir()), 0o600
    )


def test_a_database_left_readable_by_others_is_closed_to_them(tmp_path: Path) -> None:
    """A database (and its journal) that an older version created 0644 is made 0600, and said so."""
    folder = tmp_path / "old"
    folder.mkdir(mode=0o755)
    for name in ("sanshe.sqlite3", "sanshe.sqlite3-wal"):
        (folder / name).touch(mode=0o644)
        (folder / name).chmod(0o644)
    result = sanshe(
        "run", "--config", str(EXAMPLE), "--db", f"sqlite://{folder}/sanshe.sqlite3", stdin=""
    )
    assert result.returncode == 0, result.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in folder.iterdir()}
    assert modes == dict.fromkeys(modes, 0o600), modes
    assert "readable by others" in result.stderr


COLLECTOR = """
    import gc

    from sanshe.core.hookspecs import hookimpl

    PAUSED = []


    @hookimpl
    def sanshe_startup(services):
        PAUSED.append(not gc.isenabled())


    @hookimpl
    def sanshe_message(context):
        if context.event.text == "collector?":
            paused = "paused" if PAUSED == [True] else "on"
            now = "on" if gc.isenabled() else "paused"
            return context.reply(f"collector at start: {paused}; now: {now}")
        return None
"""


def test_start_up_pauses_the_garbage_collector_and_a_started_bot_collects(tmp_path: Path) -> None:
    """Start-up builds what the bot keeps: the collector waits until it is built and frozen."""
    result = run_with_plugin(
        tmp_path, ["li@building-1: collector?"], plugin=("gc", "collector_plugin", COLLECTOR)
    )
    assert result.stdout.startswith("reply building-1: collector at start: paused; now: on")


def test_the_tables_of_core_and_every_plugin_are_built_without_reading_their_source() -> None:
    """tortoise-orm parsed each model's module for ``#:`` comments at every start."""
    program = """if True:
        import inspect, json
        from tortoise.models import Model
        read, source = [], inspect.getsource
        inspect.getsource = lambda thing: read.append(thing.__name__) or source(thing)
        from sanshe.core.plugins import plugin_manager
        import sanshe.core.cli
        plugins = plugin_manager()
        built = [m.__name__ for m in Model.__subclasses__()]
        print(json.dumps({"broken": sorted(plugins.broken), "read": read, "built": built}))
    """
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(done.stdout)
    assert found["broken"] == [] and found["read"] == []
    assert {"HandledEvent", "AuditEntry", "Checkin", "Errand", "Volunteer"} <= set(found["built"])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("command", "url", "sentence"),
    [
        ("run", "mysql://x", "Sanshe cannot use the database URL “mysql://x”: write sqlite://"),
        ("run", "garbage", "Sanshe cannot use the database URL “garbage”: write sqlite://"),
        ("migrate", "garbage", "Sanshe cannot use the database URL “garbage”: write sqlite://"),
        (
            "run",
            "postgres://u:s3cret@127.0.0.1:{port}/x",
            "Cannot open the database postgres://u:***@127.0.0.1:",
        ),
        (
            "migrate",
            "postgres://u:s3cret@127.0.0.1:{port}/x",
            "Cannot open the database postgres://u:***@127.0.0.1:",
        ),
    ],
)
def test_a_wrong_or_unreachable_database_is_one_sentence(
    command: str, url: str, sentence: str
) -> None:
    url = url.format(port=_closed_port())
    result = sanshe(
        command,
        "--config",
        str(EXAMPLE),
        "--db",
        url,
        stdin="maria@building-1: /start\n",
        env={"SANSHE_LANG": "en"},
    )
    assert (result.returncode, result.stdout) == (1, ""), result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(sentence), result.stderr
    line = lines[0]
    assert "s3cret" not in line


@pytest.mark.parametrize(
    ("module", "extra", "args"),
    [
        ("asyncpg", "postgres", ["run", "--db", "postgres://postgres@127.0.0.1:5432/postgres"]),
        ("telegram", "telegram", ["run", "--network", "telegram"]),
        ("nio", "matrix", ["run", "--network", "matrix"]),
    ],
)
def test_a_missing_extra_names_the_pip_command(
    tmp_path: Path, module: str, extra: str, args: list[str]
) -> None:
    """The module is made unimportable, as in an install without the extra."""
    program = (
        f"import sys; sys.modules[{module!r}] = None; from sanshe.core.cli import main; "
        f"sys.exit(main({args + ['--config', str(EXAMPLE)]!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "SANSHE_LANG": "en", "SANSHE_DB_URL": f"sqlite://{tmp_path}/x.db"},
    )
    assert result.returncode == 1, result
    # This is a checkout with an editable install: the command installs into this very venv.
    assert result.stderr.splitlines() == [
        f"This needs the optional package “{module}”, which is not installed: "
        f"run {sys.executable} -m pip install -e '{ROOT}[{extra}]'."
    ], result.stderr


def test_make_sets_up_only_when_the_project_changed(tmp_path: Path) -> None:
    """`make demo` and `make test` reinstall only when pyproject.toml is newer than the last set-up."""
    for name in ("Makefile", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)

    def planned(*args: str) -> list[str]:
        done = subprocess.run(
            ["make", "-n", *args], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        return [line for line in done.stdout.splitlines() if "pip install" in line]

    assert len(planned("setup")) == 1, "a new .venv is set up"
    subprocess.run(
        ["make", "-t", "setup", "setup-test"], cwd=tmp_path, check=True, capture_output=True
    )
    assert planned("setup") == [] and planned("setup-test") == [], "nothing changed: no pip"
    assert len(planned("-W", "pyproject.toml", "setup")) == 1, "pyproject.toml changed: pip again"
    assert len(planned("-W", "pyproject.toml", "setup-test")) == 1
