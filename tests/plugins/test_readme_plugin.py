"""The README's example plugin works as the README says: written out from it into an empty folder,
its own tests pass, its migration is what tortoise writes, ``sanshe migrate`` creates its table, and
its table takes part in a person's export and erasure."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

from sanshe.core.actions import DirectMessage, Reply
from sanshe.core.config import ConfigError
from sanshe.core.personal_data import erase, export
from sanshe.core.storage import Storage
from sanshe.testing import ManualClock, Sandbox
from tests.conftest import EXAMPLE, ROOT, example_text, write_community
from tests.test_plugin_tables import columns, install_sample_tables, migrate

#: The files of the plugin project the README's "Writing a plugin" shows.
PROJECT = {
    "pyproject.toml",
    "my_plugin/__init__.py",
    "my_plugin/hooks.py",
    "my_plugin/models.py",
    "my_plugin/migrations/__init__.py",
    "my_plugin/migrations/0001_initial.py",
    "my_plugin/tortoise_config.py",
    "my_plugin/locales/en.po",
    "my_plugin/locales/zh_CN.po",
    "tests/test_supplies.py",
}


@pytest.fixture
def my_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The README's plugin, written from the README and imported (not installed)."""
    readme_project(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("my_plugin")
    for name in [m for m in sys.modules if m == "my_plugin" or m.startswith("my_plugin.")]:
        del sys.modules[name]


async def ask_for_food(community: Sandbox) -> None:
    """maria asks for supplies in building-1's group and presses the first button (food)."""
    asked = await community.send("maria", "building-1", "/物资")
    await community.press("maria", "dm", community.buttons(asked)[0])


async def test_supplies_goes_private(my_plugin: ModuleType) -> None:
    async with Sandbox(EXAMPLE, plugins=[my_plugin]) as community:
        actions = await community.send("maria", "building-1", "/物资")
        assert [type(a) for a in actions] == [Reply, DirectMessage]
        assert community.texts(actions) == ["谢谢，我已私聊您。", "您需要什么物资？几个人用？"]
        [help_text] = community.texts(await community.send("maria", "building-1", "/help"))
        assert "/supplies /物资 — 申请物资" in help_text
        [refused] = community.texts(await community.send("wang", "building-1", "/supplies"))
        assert refused.startswith("抱歉，/supplies 仅限以下身份使用：服务对象、居民。")


async def test_summary_at_in_the_community_file_moves_the_summary(
    my_plugin: ModuleType, tmp_path: Path
) -> None:
    text = example_text().replace(
        "  disable: []\n", '  disable: []\n  my_plugin: {summary_at: "07:30"}\n'
    )
    clock = ManualClock(datetime(2026, 12, 1, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    async with Sandbox(
        write_community(tmp_path, text), plugins=[my_plugin], clock=clock
    ) as community:
        await ask_for_food(community)
        assert await community.advance(hours=1, minutes=29) == []
        summary = await community.advance(minutes=1)
        assert [a.user for a in summary if isinstance(a, DirectMessage)] == ["li", "zhang"]


async def test_a_wrong_summary_at_is_refused_at_its_place(
    my_plugin: ModuleType, tmp_path: Path
) -> None:
    text = example_text().replace(
        "  disable: []\n", "  disable: []\n  my_plugin: {summary_at: 7pm}\n"
    )
    config = write_community(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        await Sandbox(config, plugins=[my_plugin]).start()
    line = text.splitlines().index("  my_plugin: {summary_at: 7pm}") + 1
    [problem] = info.value.problems
    assert str(problem).startswith(f"{config}:{line}:27: ") and "summary_at" in str(problem)


async def test_a_persons_requests_are_exported_and_erased_with_them(my_plugin: ModuleType) -> None:
    async with Sandbox(EXAMPLE, plugins=[my_plugin]) as community:
        await ask_for_food(community)
        bot = community.bot
        data = await export(community.storage, bot.community, bot.pm, "console:maria")
        [request] = await my_plugin.SupplyRequest.all()
        assert data["plugins"]["my_plugin"] == {"requests": [{"case": request.id, "kind": "food"}]}
        await erase(community.storage, bot.community, bot.pm, "console:maria")
        assert not await my_plugin.SupplyRequest.exists()
        data = await export(community.storage, bot.community, bot.pm, "console:maria")
        assert "plugins" not in data


def test_the_readme_migration_is_what_tortoise_makemigrations_writes(tmp_path: Path) -> None:
    """The README's command, run in the project written from it, writes the README's migration
    (once ``ruff check --fix`` and ``ruff format`` have tidied it)."""
    readme_project(tmp_path)
    shown = tmp_path / "my_plugin" / "migrations" / "0001_initial.py"
    expected = shown.read_text(encoding="utf-8").split("\n", 1)[1]
    shown.unlink()
    tortoise = Path(sys.executable).parent / "tortoise"
    command = [str(tortoise), "-c", "my_plugin.tortoise_config.TORTOISE_ORM"]
    made = subprocess.run(
        [*command, "makemigrations", "my_plugin"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    ruff = [str(Path(sys.executable).parent / "ruff")]
    for tidy in (["check", "--isolated", "--select", "I", "--fix", "-q"], ["format", *RUFF_FORMAT]):
        subprocess.run([*ruff, *tidy, str(shown)], check=True, timeout=60)
    assert shown.read_text(encoding="utf-8") == expected


async def test_sanshe_migrate_with_the_readme_plugin_installed_creates_its_table(
    my_plugin: ModuleType, db_url: str, tmp_path: Path
) -> None:
    env = install_sample_tables(tmp_path, name="my_plugin", module="my_plugin")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    assert migrate(db_url, env)[-1] == "applied my_plugin.0001_initial"
    storage = Storage(db_url, {"my_plugin": my_plugin.sanshe_tables()})
    assert await storage.open() == []  # nothing left to apply
    try:
        wanted = {"id", "person", "kind", "reported"}
        assert await columns(db_url, "my_plugin_request") == wanted
    finally:
        await storage.close()


#: How the project's code is checked: the rules of Sanshe's own pyproject, from the project folder.
RUFF_RULES = ["--isolated", "--select", "E,F,W,I,UP,B,ANN001,ANN201", "--ignore", "E501"]
RUFF_FORMAT = ["--isolated", "--line-length", "100"]


def readme_project(folder: Path) -> set[str]:
    """Write every code block of "Writing a plugin" whose first line is ``# <path>``, to that path."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Writing a plugin\n", 1)[1].split("\n## ", 1)[0]
    written = set()
    for block in re.findall(r"^```[a-z]*\n(.*?)^```$", section, flags=re.S | re.M):
        if found := re.fullmatch(r"# ([\w/.-]+\.\w+)", block.split("\n", 1)[0]):
            path = folder / found[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block, encoding="utf-8")
            written.add(found[1])
    return written


def test_the_readme_plugin_installed_passes_its_test_in_a_fresh_project(tmp_path: Path) -> None:
    """Installed as a wheel (not editable), found by its entry point, tested from its own folder."""
    project, site = tmp_path / "my-plugin", tmp_path / "site"
    assert readme_project(project) == PROJECT
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation"]
    pip += ["--no-index", "--no-deps", "--target", str(site), str(project)]
    installed = subprocess.run(pip, capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    # -P: the project folder is not on sys.path, so the test imports the installed copy.
    result = subprocess.run(
        [sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and " 4 passed" in result.stdout, result.stdout + result.stderr
    ruff = [str(Path(sys.executable).parent / "ruff")]
    for check in (
        ["check", *RUFF_RULES, "--line-length", "100"],
        ["format", "--check", *RUFF_FORMAT],
    ):
        checked = subprocess.run([*ruff, *check, "."], cwd=project, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
