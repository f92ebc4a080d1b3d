"""The README's minimal plugin works as the README says."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from sanshe.core.actions import DirectMessage, Reply
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, ROOT

#: The files of the plugin project the README's "Writing a plugin" shows.
PROJECT = {
    "pyproject.toml",
    "my_plugin/__init__.py",
    "my_plugin/hooks.py",
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
    sys.modules.pop("my_plugin", None)


async def test_supplies_goes_private(my_plugin: ModuleType) -> None:
    async with Sandbox(EXAMPLE, plugins=[my_plugin]) as community:
        actions = await community.send("maria", "building-1", "/物资")
        assert [type(a) for a in actions] == [Reply, DirectMessage]
        assert community.texts(actions) == ["谢谢，我已私聊您。", "您需要什么物资？几个人用？"]
        [help_text] = community.texts(await community.send("maria", "building-1", "/help"))
        assert "/supplies /物资 — 申请物资" in help_text
        [refused] = community.texts(await community.send("wang", "building-1", "/supplies"))
        assert refused.startswith("抱歉，/supplies 仅限以下身份使用：服务对象、居民。")


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
    assert result.returncode == 0 and " 3 passed" in result.stdout, result.stdout + result.stderr
