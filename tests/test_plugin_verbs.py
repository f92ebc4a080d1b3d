"""Plugins add verbs to the ``sanshe`` command line (``sanshe_cli_commands``), run for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE, example_text, install_plugin, write_community

TALLY = """
from pathlib import Path

from sanshe.core.hookspecs import hookimpl
from sanshe.core.verbs import CliCommand


def add_arguments(parser, _):
    parser.add_argument("--form", required=True, help=_("tally.form"))


async def tally(invocation):
    form = invocation.community.form(invocation.args.form)
    if form is None:
        print(invocation._("tally.no_form", form=invocation.args.form), file=sys.stderr)
        return 2
    before = await invocation.storage.get_state("cli", "tallies") or "0"
    await invocation.storage.set_state("cli", "tallies", str(int(before) + 1))
    title = invocation._.pick(form.title)
    print(invocation._("tally.done", title=title, fields=len(form.fields), before=before))


ANSWER = "13800138000"


def broken(invocation):
    raise ValueError(f"answer {ANSWER} was refused")


def unreadable(invocation):
    open("/nonexistent/answers.csv")


@hookimpl
def sanshe_cli_commands():
    return [
        CliCommand("tally", help="tally.help", run=tally, add_arguments=add_arguments),
        CliCommand("explode", help="tally.explode", run=broken),
        CliCommand("unreadable", help="tally.explode", run=unreadable),
        CliCommand("quit", help="tally.explode", run=lambda invocation: 3),
    ]


@hookimpl
def sanshe_catalogues():
    return [Path(__file__).parent / "tally_locales"]
""".replace("from pathlib import Path\n", "import sys\nfrom pathlib import Path\n", 1)

CATALOGUES = {
    "en": {
        "tally.help": "count the questions of a form",
        "tally.form": "the form's id",
        "tally.done": "{title}: {fields} questions (tallied {before} times before)",
        "tally.no_form": "There is no form “{form}”.",
        "tally.explode": "fail on purpose",
    },
    "zh_CN": {
        "tally.help": "统计表单的题目数",
        "tally.form": "表单的编号",
        "tally.done": "{title}：共 {fields} 题（此前统计过 {before} 次）",
        "tally.no_form": "没有表单“{form}”。",
        "tally.explode": "故意出错",
    },
}


def install(tmp_path: Path, name: str, module: str, source: str) -> Path:
    site = install_plugin(tmp_path, name, module, source)
    folder = site / "tally_locales"
    folder.mkdir()
    for locale, texts in CATALOGUES.items():
        body = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in texts.items())
        (folder / f"{locale}.po").write_text(body, encoding="utf-8")
    return site


def sanshe(
    tmp_path: Path, *args: str, sites: list[Path], lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    """``sanshe <args>`` as a person types it, with the plugins in ``sites`` installed."""
    return subprocess.run(
        [sys.executable, "-m", "sanshe.core.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(str(s) for s in sites),
            "SANSHE_LANG": lang,
            "SANSHE_CONFIG": str(EXAMPLE),
            "SANSHE_DB_URL": f"sqlite://{tmp_path}/sanshe.sqlite3",
        },
    )


def test_a_plugins_verb_is_in_the_help_in_the_terminals_language(tmp_path: Path) -> None:
    site = install(tmp_path, "tally", "tally_plugin", TALLY)
    english = sanshe(tmp_path, "--help", sites=[site])
    assert english.returncode == 0, english.stderr
    assert "count the questions of a form" in english.stdout
    assert "check community files" in english.stdout  # the built-in verbs are still there
    chinese = sanshe(tmp_path, "--help", sites=[site], lang="zh_CN")
    assert "统计表单的题目数" in chinese.stdout
    options = sanshe(tmp_path, "tally", "--help", sites=[site])
    assert "--form FORM" in options.stdout and "the form's id" in options.stdout
    assert "--config" in options.stdout and "--db" in options.stdout
    assert sanshe(tmp_path, "--help", sites=[]).stdout.count("count the questions") == 0


def test_a_plugins_verb_runs_with_the_community_and_its_database(tmp_path: Path) -> None:
    site = install(tmp_path, "tally", "tally_plugin", TALLY)
    first = sanshe(tmp_path, "tally", "--form", "daily_summary", sites=[site])
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == "Daily work record summary: 21 questions (tallied 0 times before)\n"
    again = sanshe(tmp_path, "tally", "--form", "daily_summary", sites=[site], lang="zh_CN")
    assert again.stdout == "每日工作记录汇总表：共 21 题（此前统计过 1 次）\n"
    other = tmp_path / "other.sqlite3"
    elsewhere = sanshe(
        tmp_path, "tally", "--form", "case_followup", "--db", f"sqlite://{other}", sites=[site]
    )
    assert elsewhere.stdout.endswith("(tallied 0 times before)\n") and other.exists()
    missing = sanshe(tmp_path, "tally", "--form", "nothing", sites=[site])
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        2,
        "",
        "There is no form “nothing”.\n",
    )
    assert sanshe(tmp_path, "quit", sites=[site]).returncode == 3


def test_a_failing_verb_exits_1_with_one_line_and_the_traceback_with_v(tmp_path: Path) -> None:
    site = install(tmp_path, "tally", "tally_plugin", TALLY)
    failed = sanshe(tmp_path, "explode", sites=[site])
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr == (
        "sanshe explode: the plugin “tally” failed (ValueError); nothing more was done. "
        "Run sanshe -v explode … to see where.\n"
    )
    told = sanshe(tmp_path, "-v", "explode", sites=[site])
    assert told.returncode == 1
    assert "Traceback" in told.stderr and "in broken" in told.stderr
    assert "13800138000" not in failed.stderr + told.stderr  # what people typed stays out
    unreadable = sanshe(tmp_path, "unreadable", sites=[site])
    assert unreadable.returncode == 1
    assert "(FileNotFoundError: [Errno 2] No such file or directory" in unreadable.stderr


CLASHING = """
from sanshe.core.hookspecs import hookimpl
from sanshe.core.verbs import CliCommand


@hookimpl
def sanshe_cli_commands():
    return [
        CliCommand("migrate", help="x.migrate", run=lambda invocation: print("not the real one")),
        CliCommand("tally", help="x.tally", run=lambda invocation: print("the other tally")),
    ]
"""


def test_a_verb_that_clashes_is_refused_with_a_sentence_naming_both(tmp_path: Path) -> None:
    sites = [install(tmp_path, "tally", "tally_plugin", TALLY)]
    sites.append(install_plugin(tmp_path, "clash", "clash_plugin", CLASHING))
    builtin = (
        "Plugin “clash” adds the command sanshe migrate, which is Sanshe's own, "
        "so the plugin's is not offered; it needs another name."
    )
    both = (
        "Two plugins add the command sanshe tally: “tally” and “clash”, so neither is offered. "
        "Disable one of them under “plugins: disable:”."
    )
    refused = sanshe(tmp_path, "tally", "--form", "daily_summary", sites=sites)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert sorted(refused.stderr.splitlines()) == sorted([builtin, both])
    listed = sanshe(tmp_path, "--help", sites=sites)
    assert listed.returncode == 0 and "tally" not in listed.stdout
    assert sorted(listed.stderr.splitlines()) == sorted([builtin, both])
    migrated = sanshe(tmp_path, "migrate", sites=sites)
    assert migrated.returncode == 0 and "not the real one" not in migrated.stdout
    checked = sanshe(tmp_path, "check-config", str(EXAMPLE), sites=sites)
    assert checked.returncode == 1
    assert sorted(checked.stdout.splitlines()[:2]) == sorted([builtin, both])
    text = example_text().replace("  disable: []", "  disable: [clash]")
    alone = write_community(tmp_path, text)
    done = sanshe(tmp_path, "tally", "--config", str(alone), "--form", "case_followup", sites=sites)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith("Case management follow-up: ")


def test_a_disabled_plugin_offers_no_verb(tmp_path: Path) -> None:
    site = install(tmp_path, "tally", "tally_plugin", TALLY)
    text = example_text().replace("  disable: []", "  disable: [tally]")
    config = write_community(tmp_path, text)
    result = sanshe(tmp_path, "tally", "--config", str(config), "--form", "x", sites=[site])
    assert result.returncode == 2 and "invalid choice: 'tally'" in result.stderr
