"""Names and lists in the reader's language: custom roles by their YAML name, no "、" in English."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sanshe.core.answers import show_value
from sanshe.core.i18n import Catalogue, Translator
from sanshe.core.model import FormField
from sanshe.testing import Sandbox
from tests.conftest import example_text

#: A rule with no description: /rules says it in plain words, naming its roles.
RULE = """  - id: secretary-words
    where: {groups: [prevention]}
    when:
      keywords: [rumour, 谣言]
      sender_role: [party_secretary, community_worker]
    do:
      - tell_admins
"""


@pytest.fixture
async def community() -> AsyncIterator[Sandbox]:
    """The example community with :data:`RULE`."""
    text = example_text().replace("\nrules:\n", "\nrules:\n" + RULE, 1)
    async with Sandbox.from_yaml(text) as sandbox:
        yield sandbox


async def test_a_rule_names_a_custom_role_in_the_readers_language(community: Sandbox) -> None:
    [chinese] = community.texts(await community.send("zhang", "prevention", "/rules"))
    [line] = [line for line in chinese.split("\n") if "谣言" in line]
    assert "rumour、谣言" in line
    assert "社区工作者、社区党委书记" in line
    [english] = community.texts(await community.send("gao", "prevention", "/rules"))
    [line] = [line for line in english.split("\n") if "rumour" in line]
    assert "community worker, community party secretary" in line
    assert "rumour, 谣言" in line
    assert "role." not in english and "、" not in english


async def test_whoami_names_a_custom_role_and_lists_groups_in_the_readers_language(
    community: Sandbox,
) -> None:
    [chinese] = community.texts(await community.send("li", "dm", "/whoami"))
    assert "• 社区党委书记——全社区" in chinese
    [english] = community.texts(await community.send("li", "dm", "/whoami", language="en"))
    assert "• community party secretary — " in english
    [scoped] = community.texts(await community.send("zhao", "dm", "/whoami", language="en"))
    assert "• grid worker — building-1, building-2" in scoped
    assert "、" not in english + scoped


async def test_groupinfo_lists_admins_with_the_readers_separator(community: Sandbox) -> None:
    [chinese] = community.texts(await community.send("zhang", "prevention", "/groupinfo"))
    assert "管理员：李书记、张敏" in chinese
    [english] = community.texts(await community.send("gao", "prevention", "/groupinfo"))
    assert "Admins: 李书记, 张敏" in english


async def test_a_refusal_lists_who_may_in_the_readers_language(community: Sandbox) -> None:
    [english] = community.texts(await community.send("maria", "building-1", "/bind", language="en"))
    assert "community worker, group admin, social worker" in english
    assert "、" not in english


def test_a_multiple_choice_answer_reads_back_with_the_readers_separator() -> None:
    field = FormField(
        id="help",
        type="multi_choice",
        label="?",
        choices={
            "medical": {"zh_CN": "医务", "en": "medical"},
            "food": {"zh_CN": "买菜", "en": "food"},
        },
    )
    catalogue = Catalogue()
    assert show_value(field, ["medical", "food"], Translator(catalogue, "en")) == "medical, food"
    assert show_value(field, ["medical", "food"], Translator(catalogue, "zh_CN")) == "医务、买菜"
