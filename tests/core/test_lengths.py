"""``Length``: a length of time in a plugin's settings (``30m``, ``2h``, ``1d``, ``1h30m``), read
by ``duration``; anything else is refused at its line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sanshe.core.config import load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.plugins import plugin_manager
from tests.conftest import install_plugin, write_community
from tests.core.test_config import english  # noqa: F401 - the fixture
from tests.core.test_plugin_settings import problems_of, with_plugins

PAUSES = """
from pydantic import BaseModel, ConfigDict

from sanshe.core.arguments import duration
from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import Length


class PauseSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pause: Length = "30m"
    pauses: tuple[Length, ...] = ()

    def lengths(self):
        return [duration(self.pause), *(duration(p) for p in self.pauses)]


@hookimpl
def sanshe_settings():
    return PauseSettings
"""


@pytest.fixture
def pauses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin ``pauses`` whose settings are lengths of time."""
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path, "pauses", "pauses_plugin", PAUSES)))
    yield "pauses"
    sys.modules.pop("pauses_plugin", None)


def test_lengths_are_read_as_written(pauses: str, tmp_path: Path) -> None:
    text = with_plugins("pauses:\n  pause: 1h30m\n  pauses: [2h, 1d, 45m]\n")
    community = load_community(write_community(tmp_path, text), vocabulary(plugin_manager()))
    settings = community.plugins.of(sys.modules["pauses_plugin"].PauseSettings)
    assert settings.lengths() == [
        timedelta(hours=1, minutes=30),
        timedelta(hours=2),
        timedelta(days=1),
        timedelta(minutes=45),
    ]


@pytest.mark.parametrize("written", ["half an hour", "1.5h", "30m2h", "90 m", "2w"])
def test_a_length_written_otherwise_is_refused_at_its_line(
    pauses: str, tmp_path: Path, written: str
) -> None:
    text = with_plugins(f"pauses:\n  pauses: [2h, {written}]\n")
    assert problems_of(tmp_path, text) == [
        f"community.yaml:14:18: “{written}” is not how “pauses” is written: see what the "
        "plugin's documentation says it takes."
    ]
