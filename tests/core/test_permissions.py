"""Named permissions: record.read:<form>, record.export:<form>, audit.read, and commands'.

Each is decided by ``permissions.allowed`` (``context.allowed(permission)``): the plugins' votes through
``sanshe_permission``, else the YAML (a form's ``view:`` and ``export:``, the
community's admins).  A test plugin's ``/can <permission> [group]`` answers
"yes" or "no" as a records feature would decide, in the chat where it is typed
or, with a group, about that group.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sanshe.core.commands import ChatCommand
from sanshe.core.config import ConfigError, load_community
from sanshe.core.context import Context
from sanshe.core.contributions import vocabulary
from sanshe.core.hookspecs import hookimpl
from sanshe.core.permissions import AUDIT_READ, record_export, record_read
from sanshe.core.plugins import plugin_manager
from sanshe.testing import Sandbox
from tests.conftest import EXAMPLE, write_community


async def _can(ctx: Context) -> object:
    assert ctx.command is not None
    permission, *group = ctx.command.args.split()
    place = ctx.about(ctx.community.group(group[0])) if group else ctx
    return ctx.reply("yes" if await place.allowed(permission) else "no")


class Asker:
    """``/can <permission> [group]``: whether the sender has the permission (there)."""

    @hookimpl
    def sanshe_commands(self) -> list[ChatCommand]:
        return [ChatCommand("can", _can, help="can.help", listed=False)]


async def can(sandbox: Sandbox, who: str, where: str, permission: str, group: str = "") -> str:
    [answer] = sandbox.texts(await sandbox.send(who, where, f"/can {permission} {group}".strip()))
    return answer


async def test_a_forms_view_decides_who_reads_and_export_who_exports() -> None:
    read, export = record_read("medical_service_record"), record_export("medical_service_record")
    async with Sandbox(EXAMPLE, plugins=[Asker()]) as sandbox:
        # view: [social_worker, medical_volunteer]; export: [social_worker]
        assert await can(sandbox, "wang", "dm", read) == "yes"
        assert await can(sandbox, "wang", "dm", export) == "yes"
        # sun is a medical volunteer in focus-1 and key-1 only
        assert await can(sandbox, "sun", "focus-1", read) == "yes"
        assert await can(sandbox, "sun", "focus-1", export) == "no"
        assert await can(sandbox, "sun", "dm", read) == "no"
        assert await can(sandbox, "sun", "dm", read, "key-1") == "yes"
        assert await can(sandbox, "sun", "dm", read, "building-1") == "no"
        # xu is a counselling volunteer: not a reader of the medical records
        assert await can(sandbox, "xu", "focus-1", read) == "no"
        assert await can(sandbox, "xu", "focus-1", record_read("psych_service_record")) == "yes"
        # a client of the focus group reads nobody's records
        assert await can(sandbox, "someone", "focus-1", read) == "no"
        assert await can(sandbox, "wang", "dm", record_read("no_such_form")) == "no"


FORMS = """\
community: {id: c, name: Test}
groups:
  - {id: b1, kind: resident, name: Building 1}
people:
  - {id: wang, handles: {console: wang}, roles: [social_worker]}
  - {id: zhang, handles: {console: zhang}, roles: [community_worker]}
  - {id: zhou, handles: {console: zhou}, roles: [{role: community_worker, groups: [b1]}]}
  - {id: he, handles: {console: he}, roles: [general_volunteer]}
forms:
  - id: plain
    title: Plain
    fields: [{id: a, label: A}]
  - id: narrow
    title: Narrow
    view: [social_worker, general_volunteer]
    fields: [{id: a, label: A}]
  - id: locked
    title: Locked
    view: [social_worker]
    export: []
    fields: [{id: a, label: A}]
"""


async def test_view_defaults_to_social_and_community_workers_and_export_to_view() -> None:
    async with Sandbox.from_yaml(FORMS, plugins=[Asker()]) as sandbox:
        for who, expected in [("wang", "yes"), ("zhang", "yes"), ("he", "no"), ("maria", "no")]:
            assert await can(sandbox, who, "dm", record_read("plain")) == expected, who
            assert await can(sandbox, who, "dm", record_export("plain")) == expected, who
        assert await can(sandbox, "he", "dm", record_read("narrow")) == "yes"
        assert await can(sandbox, "he", "dm", record_export("narrow")) == "yes"
        assert await can(sandbox, "zhang", "dm", record_read("narrow")) == "no"
        assert await can(sandbox, "wang", "dm", record_read("locked")) == "yes"
        assert await can(sandbox, "wang", "dm", record_export("locked")) == "no"
        # a community worker of one building reads the records of that building only
        assert await can(sandbox, "zhou", "b1", record_read("plain")) == "yes"
        assert await can(sandbox, "zhou", "dm", record_read("plain")) == "no"


async def test_the_audit_log_is_for_the_communitys_admins() -> None:
    """By default community-wide community workers; ``community.admins`` names other roles."""
    async with Sandbox.from_yaml(FORMS, plugins=[Asker()]) as sandbox:
        assert await can(sandbox, "zhang", "dm", AUDIT_READ) == "yes"
        assert await can(sandbox, "zhang", "b1", AUDIT_READ) == "yes"
        # community-wide roles only: a community worker of one building is not an admin
        assert await can(sandbox, "zhou", "b1", AUDIT_READ) == "no"
        assert await can(sandbox, "wang", "dm", AUDIT_READ) == "no"
        assert await can(sandbox, "maria", "b1", AUDIT_READ) == "no"
    chosen = FORMS.replace(
        "community: {id: c, name: Test}", "community: {id: c, name: Test, admins: [social_worker]}"
    )
    async with Sandbox.from_yaml(chosen, plugins=[Asker()]) as sandbox:
        assert await can(sandbox, "wang", "dm", AUDIT_READ) == "yes"
        assert await can(sandbox, "zhang", "dm", AUDIT_READ) == "no"


async def test_commands_are_permissions_too_and_unknown_names_are_denied() -> None:
    async with Sandbox(EXAMPLE, plugins=[Asker()]) as sandbox:
        assert await can(sandbox, "wang", "dm", "command:reload") == "yes"
        assert await can(sandbox, "maria", "building-1", "command:reload") == "no"
        assert await can(sandbox, "maria", "building-1", "command:help") == "yes"
        assert await can(sandbox, "wang", "dm", "command:no-such-command") == "no"
        assert await can(sandbox, "wang", "dm", "shifts.manage") == "no"


class Policy:
    """Exports nothing to anyone; lets wang read the audit log; falls over on the daily summary."""

    @hookimpl
    def sanshe_permission(self, context: Context, permission: str) -> bool | None:
        if permission == record_read("daily_summary"):
            raise RuntimeError("policy store unreachable")
        if permission.startswith("record.export:"):
            return False
        if permission == AUDIT_READ and context.person.id == "wang":
            return True
        return None


async def test_a_plugin_vetoes_or_grants_and_one_that_raises_denies() -> None:
    async with Sandbox(EXAMPLE, plugins=[Asker(), Policy()]) as sandbox:
        assert await can(sandbox, "wang", "dm", record_export("medical_service_record")) == "no"
        assert await can(sandbox, "wang", "dm", record_read("medical_service_record")) == "yes"
        assert await can(sandbox, "wang", "dm", AUDIT_READ) == "yes"
        assert await can(sandbox, "zhang", "dm", AUDIT_READ) == "yes"
        assert await can(sandbox, "wang", "dm", record_read("daily_summary")) == "no"


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write_community(tmp_path, textwrap.dedent(text))
    with pytest.raises(ConfigError) as info:
        load_community(path, vocabulary(plugin_manager()))
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("setting", "place", "message"),
    [
        ("view: [social_worker, socail_worker]", "12:27", "Unknown role “socail_worker”"),
        ("export: [social_worker, auditor]", "12:29", "Unknown role “auditor”"),
        ("export: social_worker", "12:13", "“export” must be a list"),
        ("view: anyone", "12:11", "“view” must be a list"),
        ("export: {social_worker: true}", "12:13", "“export” must be a list"),
        ("exports: [social_worker]", "12:5", "Unknown setting “exports”"),
    ],
)
def test_a_wrong_view_or_export_is_refused_with_place_and_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, place: str, message: str
) -> None:
    monkeypatch.setenv("SANSHE_LANG", "en")
    text = FORMS.replace(
        "  - id: plain\n    title: Plain\n", f"  - id: plain\n    title: Plain\n    {setting}\n"
    )
    [problem] = problems_of(tmp_path, text)
    assert f"community.yaml:{place}: " in problem and message in problem, problem
