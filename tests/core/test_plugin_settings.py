"""Plugin settings: each plugin's section under ``plugins:``, checked by the model it declares."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanshe.core.cli import main
from sanshe.core.config import ConfigError, load_community
from sanshe.core.contributions import vocabulary
from sanshe.core.plugins import available_plugins, plugin_manager
from sanshe.testing import Sandbox
from tests.conftest import example_text, install_plugin, write_community
from tests.core.test_config import BASE, english  # noqa: F401 - english: the fixture

ROUNDS = """
from pydantic import BaseModel, ConfigDict, Field

from sanshe.core.hookspecs import hookimpl


class RoundSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    remind_before: int = Field(default=30, gt=0)
    greeting: str = "hello"
    first_hour: int = Field(default=8, ge=0, le=23)
    last_hour: int = Field(default=20, lt=24)


STARTED_WITH = []


@hookimpl
def sanshe_settings():
    return RoundSettings


@hookimpl
def sanshe_startup(services):
    STARTED_WITH.append(services.settings(RoundSettings))


@hookimpl
def sanshe_message(context):
    if context.text == "shift?":
        settings = context.settings(RoundSettings)
        return context.reply(f"{settings.greeting} {settings.remind_before}")
"""

VAULT = """
from pydantic import BaseModel, ConfigDict

from sanshe.core.hookspecs import hookimpl


class VaultSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str


@hookimpl
def sanshe_settings():
    return VaultSettings
"""


ROSTER = """
from pydantic import BaseModel, ConfigDict

from sanshe.core.hookspecs import hookimpl
from sanshe.core.model import FormName, GroupName, KindName, RoleName


class Template(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: tuple[KindName, ...] = ()
    needs: dict[RoleName, int] = {}


class RosterSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    templates: tuple[Template, ...] = ()
    lead: RoleName | None = None
    groups: dict[str, GroupName] = {}
    form: FormName = "sign_up"


@hookimpl
def sanshe_settings():
    return RosterSettings
"""


@pytest.fixture
def roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin ``roster`` whose settings name roles, kinds, groups and a form."""
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path, "roster", "roster_plugin", ROSTER)))
    yield "roster"
    sys.modules.pop("roster_plugin", None)


def test_names_a_plugins_settings_give_are_checked_against_the_community(
    roster: str, tmp_path: Path
) -> None:
    """A role, kind, group or form a section names that the community lacks is refused at its
    line, as anywhere in the file; the model's default form, not written, is not checked."""
    good = with_plugins(
        "roster:\n"
        "  templates: [{kinds: [resident], needs: {social_worker: 1}}]\n"
        "  lead: social_worker\n"
        "  groups: {main: b1}\n"
    )
    load_community(write_community(tmp_path, good), vocabulary(plugin_manager()))
    wrong = with_plugins(
        "roster:\n"
        "  templates: [{kinds: [resdent], needs: {social_wroker: 1}}]\n"
        "  lead: nobody\n"
        "  groups: {main: b2}\n"
        "  form: nosuch\n"
    )
    roles = "Use one of: building_leader, client, community_worker"
    assert [p.split(" Use one of")[0] for p in problems_of(tmp_path, wrong)] == [
        "community.yaml:14:26: Unknown group kind “resdent”.",
        "community.yaml:14:44: Unknown role “social_wroker”.",
        "community.yaml:15:11: Unknown role “nobody”.",
        "community.yaml:16:20: There is no group “b2” in this community.",
        "community.yaml:17:11: There is no form “nosuch” in this community.",
    ]
    assert roles in problems_of(tmp_path, wrong)[1]


@pytest.fixture
def rounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin ``rounds`` whose settings model has defaults for every field."""
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path, "rounds", "rounds_plugin", ROUNDS)))
    yield "rounds"
    sys.modules.pop("rounds_plugin", None)


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin ``vault`` whose settings model has a required field."""
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path, "vault", "vault_plugin", VAULT)))
    yield "vault"
    sys.modules.pop("vault_plugin", None)


def with_plugins(section: str) -> str:
    """The small community with ``section`` (YAML lines) under ``plugins:``, from line 13."""
    return BASE + "plugins:\n" + textwrap.indent(textwrap.dedent(section), "  ")


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write_community(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_community(path, vocabulary(plugin_manager()))
    return [str(p).removeprefix(f"{tmp_path}/") for p in info.value.problems]


def example_with(section: str) -> str:
    """The example community with ``section`` (one YAML line) under ``plugins:``."""
    text = example_text()
    assert "  disable: []\n" in text
    return text.replace("  disable: []\n", f"  disable: []\n  {section}\n", 1)


async def test_a_plugin_reads_its_section(rounds: str, tmp_path: Path) -> None:
    config = write_community(tmp_path, example_with("rounds: {remind_before: 45, greeting: 早}"))
    async with Sandbox(config) as community:
        said = community.texts(await community.send("maria", "building-1", "shift?"))
    assert said == ["早 45"]


async def test_a_plugin_without_a_section_gets_the_defaults_of_its_model(
    rounds: str, tmp_path: Path
) -> None:
    async with Sandbox(write_community(tmp_path, example_text())) as community:
        said = community.texts(await community.send("maria", "building-1", "shift?"))
    assert said == ["hello 30"]


async def test_services_give_the_settings_at_start_up(rounds: str, tmp_path: Path) -> None:
    config = write_community(tmp_path, example_with("rounds: {remind_before: 5}"))
    async with Sandbox(config):
        started = sys.modules["rounds_plugin"].STARTED_WITH
        assert [s.remind_before for s in started] == [5]


def test_a_wrong_value_is_refused_at_its_place(rounds: str, tmp_path: Path) -> None:
    text = with_plugins("rounds:\n  remind_before: soon\n")
    assert problems_of(tmp_path, text) == [
        "community.yaml:14:20: “remind_before” must be a whole number, not “soon”."
    ]


@pytest.mark.parametrize(
    ("setting", "locale", "sentence"),
    [
        ("first_hour: 24", "en", "“first_hour” must be at most 23."),
        ("first_hour: 24", "zh_CN", "“first_hour”不能大于 23。"),
        ("last_hour: 24", "en", "“last_hour” must be less than 24."),
        ("last_hour: 24", "zh_CN", "“last_hour”必须小于 24。"),
    ],
)
def test_a_value_above_a_plugins_limit_is_refused_in_words(
    rounds: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    locale: str,
    sentence: str,
) -> None:
    monkeypatch.setenv("SANSHE_LANG", locale)
    text = with_plugins(f"rounds:\n  {setting}\n")
    assert problems_of(tmp_path, text) == [f"community.yaml:14:{len(setting) + 3}: {sentence}"]


def test_an_unknown_setting_of_a_plugin_is_refused_at_its_key(rounds: str, tmp_path: Path) -> None:
    text = with_plugins("rounds:\n  remind_befor: 10\n")
    assert problems_of(tmp_path, text) == [
        "community.yaml:14:5: Unknown setting “remind_befor”. Did you mean “remind_before”?"
    ]


def test_a_section_naming_no_installed_plugin_is_refused_with_the_known_names(
    rounds: str, tmp_path: Path
) -> None:
    text = with_plugins("shfits:\n  remind_before: 10\n")
    installed = ", ".join(sorted(available_plugins()))  # rounds among them
    assert problems_of(tmp_path, text) == [
        f"community.yaml:13:3: No plugin is called “shfits”. Installed: {installed}."
    ]


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("en", "The plugin “basics” takes no settings: remove its section here."),
        ("zh_CN", "插件“basics”没有设置项，请删去这里的“basics”。"),
    ],
)
def test_a_section_for_a_plugin_that_takes_no_settings_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str, sentence: str
) -> None:
    monkeypatch.setenv("SANSHE_LANG", locale)
    text = with_plugins("basics:\n  greeting: hi\n")
    assert problems_of(tmp_path, text) == [f"community.yaml:13:3: {sentence}"]


def test_a_disabled_plugins_section_is_kept_unvalidated(rounds: str, tmp_path: Path) -> None:
    text = with_plugins("disable: [rounds]\nrounds:\n  remind_before: soon\n")
    pm = plugin_manager(["rounds"])
    community = load_community(write_community(tmp_path, text), vocabulary(pm))
    assert community.plugins.sections["rounds"] == {"remind_before": "soon"}


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("en", "The plugin “vault” needs settings: give “token” under “plugins: vault:”."),
        ("zh_CN", "插件“vault”需要设置：请在“plugins: vault:”下填写“token”。"),
    ],
)
def test_a_plugin_whose_model_requires_settings_asks_for_them(
    vault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str, sentence: str
) -> None:
    monkeypatch.setenv("SANSHE_LANG", locale)
    assert problems_of(tmp_path, with_plugins("disable: []\n")) == [
        f"community.yaml:12:1: {sentence}"
    ]
    given = write_community(tmp_path, with_plugins("vault: {token: s3cret}\n"))
    community = load_community(given, vocabulary(plugin_manager()))
    assert community.plugins.sections["vault"].token == "s3cret"


async def test_a_reload_reads_the_settings_again_and_a_wrong_one_keeps_them(
    rounds: str, tmp_path: Path
) -> None:
    config = write_community(tmp_path, example_with("rounds: {remind_before: 45}"))
    async with Sandbox(config) as community:
        config.write_text(example_with("rounds: {remind_before: 50}"), encoding="utf-8")
        assert await community.bot.reload() == []
        said = community.texts(await community.send("maria", "building-1", "shift?"))
        assert said == ["hello 50"]
        wrong = example_with("rounds: {remind_before: -1}")
        config.write_text(wrong, encoding="utf-8")
        line = wrong.splitlines().index("  rounds: {remind_before: -1}") + 1
        assert await community.bot.reload() == [
            f"{config}:{line}:27: “remind_before” must be greater than 0."
        ]
        said = community.texts(await community.send("maria", "building-1", "shift?"))
        assert said == ["hello 50"]


def test_check_config_reports_a_wrong_setting(
    rounds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_community(tmp_path, with_plugins("rounds: {remind_before: soon}\n"))
    assert main(["check-config", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:13:27: “remind_before” must be a whole number, not “soon”.",
        f"{path}: 1 problem found; nothing was loaded.",
    ]
