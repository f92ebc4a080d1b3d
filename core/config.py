"""Loading a community's YAML, refusing mistakes with file, line, column and a plain sentence.

Lists under ``groups``, ``people``, ``rules`` and ``forms`` may name other
files (globs, relative to the including file) instead of giving items inline.
"""

from __future__ import annotations

import difflib
import glob
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from . import yamlmarks
from .i18n import Catalogue, Translator, environment_locale
from .model import FIELD_TYPES, Community, all_kinds, all_roles
from .rules import Condition, RuleAction, RuleBook
from .yamlmarks import Mark, MarkedDocument, YamlProblem

INCLUDABLE = ("groups", "people", "rules", "forms")


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a community file."""

    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class ConfigError(Exception):
    """A community file that cannot be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What rules may say and which plugins exist: from the plugins that are installed."""

    conditions: Mapping[str, Condition]
    actions: Mapping[str, RuleAction]
    plugins: frozenset[str]
    catalogues: tuple[Path, ...] = ()


def config_translator(vocabulary: Vocabulary | None = None) -> Translator:
    """Texts for the person editing YAML, in the terminal's language."""
    catalogue = Catalogue()
    for folder in vocabulary.catalogues if vocabulary else ():
        catalogue.add_folder(folder)
    return Translator(catalogue, environment_locale())


class _Loader:
    def __init__(self, path: Path, _: Translator) -> None:
        self.path = path
        self._ = _
        self.problems: list[Problem] = []
        self.doc: MarkedDocument | None = None

    def problem(
        self, path: tuple[str | int, ...], key: str, /, *, at_key: bool = False, **values: object
    ) -> None:
        assert self.doc is not None
        self.problems.append(Problem(self.doc.mark(path, key=at_key), self._(key, **values)))

    def read(self, path: Path) -> MarkedDocument | None:
        try:
            return yamlmarks.load(path, shown_as=_shown(path))
        except YamlProblem as exc:
            self.problems.append(
                Problem(exc.mark, self._(f"config.{exc.reason}", detail=exc.detail, key=exc.detail))
            )
        except OSError as exc:
            self.problems.append(
                Problem(Mark(_shown(path), 1, 1), self._("config.unreadable", error=exc.strerror))
            )
        return None

    def include(self) -> None:
        assert self.doc is not None
        data = self.doc.data
        for section in INCLUDABLE:
            items = data.get(section)
            if not isinstance(items, list) or not any(isinstance(i, str) for i in items):
                continue
            expanded: list[Any] = []
            parts: list[_Sub] = []
            for i, item in enumerate(items):
                if not isinstance(item, str):
                    parts.append(_Sub(self.doc, (section, i)))
                    expanded.append(item)
                    continue
                files = sorted(Path(f) for f in glob.glob(os.path.join(self.path.parent, item)))
                if not files:
                    self.problem((section, i), "config.include_missing", pattern=item)
                for file in files:
                    sub = self.read(file)
                    if sub is None or sub.data is None:
                        continue
                    entries = sub.data if isinstance(sub.data, list) else [sub.data]
                    for j, entry in enumerate(entries):
                        parts.append(_Sub(sub, (j,) if isinstance(sub.data, list) else ()))
                        expanded.append(entry)
            data[section] = expanded
            self.doc.drop((section,))
            for index, part in enumerate(parts):
                self.doc.graft((section, index), part)

    def validate(self) -> Community | None:
        assert self.doc is not None
        try:
            return Community.model_validate(self.doc.data)
        except ValidationError as exc:
            errors = [(e, _real_path(self.doc.data, e["loc"])[0]) for e in exc.errors()]
            paths = {path for _e, path in errors}
            for error, path in errors:
                # Of the errors of a value that may take several shapes, keep the deepest.
                if not any(
                    len(other) > len(path) and other[: len(path)] == path for other in paths
                ):
                    self._pydantic(error)
        return None

    def _pydantic(self, error: Any) -> None:
        path, value_found = _real_path(self.doc.data, error["loc"])  # type: ignore[union-attr]
        kind = error["type"]
        field = str(next((p for p in reversed(path) if isinstance(p, str)), ""))
        value = error.get("input")
        shown = _short(value)
        ctx = error.get("ctx") or {}
        if kind == "missing":
            self.problem(path, "config.missing", field=str(error["loc"][-1]))
        elif kind == "extra_forbidden":
            key = str(path[-1])
            hint = ""
            parent = _schema_keys(error)
            close = difflib.get_close_matches(key, parent, n=1) if parent else []
            if close:
                hint = self._("config.did_you_mean", name=close[0])
            self.problem(path, "config.unknown_key", at_key=True, key=key, hint=hint)
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            self.problem(path, "config.not_int", field=field, value=shown)
        elif kind in ("float_type", "float_parsing"):
            self.problem(path, "config.not_number", field=field, value=shown)
        elif kind in ("bool_type", "bool_parsing"):
            self.problem(path, "config.not_bool", field=field, value=shown)
        elif kind == "string_type":
            self.problem(path, "config.not_text", field=field, value=shown)
        elif kind in ("list_type", "tuple_type"):
            self.problem(path, "config.not_list", field=field)
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            self.problem(path, "config.not_mapping", field=field)
        elif kind in ("literal_error", "enum"):
            self.problem(
                path, "config.not_one_of", field=field, value=shown, choices=ctx.get("expected", "")
            )
        elif kind in ("greater_than", "greater_than_equal"):
            self.problem(path, "config.too_small", field=field, limit=ctx.get("gt", ctx.get("ge")))
        elif kind == "too_short":
            self.problem(path, "config.too_short", field=field, limit=ctx.get("min_length"))
        elif not value_found:
            return
        else:
            self.problem(path, "config.invalid", field=field, reason=error["msg"])


class _Sub(MarkedDocument):
    """The marks of part of an included document, seen from its root."""

    def __init__(self, source: MarkedDocument, prefix: tuple[str | int, ...]) -> None:
        marks = {
            k[len(prefix) :]: v for k, v in source._marks.items() if k[: len(prefix)] == prefix
        }
        key_marks = {
            k[len(prefix) :]: v for k, v in source._key_marks.items() if k[: len(prefix)] == prefix
        }
        super().__init__(None, marks, key_marks)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _real_path(data: Any, loc: Iterable[Any]) -> tuple[tuple[str | int, ...], bool]:
    """The part of a pydantic error location that exists in the data (union tags dropped)."""
    path: list[str | int] = []
    node = data
    found = True
    for item in loc:
        if isinstance(node, dict) and item in node:
            node = node[item]
            path.append(item)
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            node = node[item]
            path.append(item)
        elif isinstance(item, str) and not isinstance(node, dict | list):
            found = False
    return tuple(path), found


def _schema_keys(error: Any) -> list[str]:
    """Keys allowed beside an unknown key, for "did you mean"."""
    from .model import (
        Community,
        CommunityInfo,
        CustomRole,
        Form,
        FormField,
        Grant,
        Group,
        GroupKind,
        Person,
        PluginSettings,
        Rule,
        RuleScope,
        StorageSettings,
    )

    models = {
        (): Community,
        ("community",): CommunityInfo,
        ("kinds",): GroupKind,
        ("roles",): CustomRole,
        ("groups",): Group,
        ("people",): Person,
        ("people", "roles"): Grant,
        ("rules",): Rule,
        ("rules", "where"): RuleScope,
        ("forms",): Form,
        ("forms", "fields"): FormField,
        ("plugins",): PluginSettings,
        ("storage",): StorageSettings,
    }
    shape = tuple(
        p
        for p in error["loc"][:-1]
        if isinstance(p, str) and not p.startswith(("function", "literal"))
    )
    model = models.get(shape)
    return list(model.model_fields) if model else []


class _Semantics:
    """Checks across the file: references, duplicates, regexes, time zones."""

    def __init__(
        self, loader: _Loader, community: Community, vocabulary: Vocabulary | None
    ) -> None:
        self.loader = loader
        self.community = community
        self.vocabulary = vocabulary

    def run(self) -> None:
        c = self.community
        p = self.loader.problem
        roles = all_roles(c)
        kinds = all_kinds(c)
        group_ids = {g.id for g in c.groups}
        try:
            ZoneInfo(c.community.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            p(("community", "timezone"), "config.bad_timezone", value=c.community.timezone)
        for section, items in (
            ("kinds", c.kinds),
            ("roles", c.roles),
            ("groups", c.groups),
            ("people", c.people),
            ("rules", c.rules),
            ("forms", c.forms),
        ):
            self.duplicates(section, [item.id for item in items])
        for i, kind in enumerate(c.kinds):
            if kind.member_role and kind.member_role not in roles:
                self.unknown_role(("kinds", i, "member_role"), kind.member_role, roles)
        chats: dict[tuple[str, str], str] = {}
        for i, group in enumerate(c.groups):
            if group.kind not in kinds:
                p(
                    ("groups", i, "kind"),
                    "config.unknown_kind",
                    kind=group.kind,
                    known=", ".join(sorted(kinds)),
                )
            for j, role in enumerate(group.administered_by):
                if role not in roles:
                    self.unknown_role(("groups", i, "administered_by", j), role, roles)
            if group.nickname:
                self.regex(("groups", i, "nickname"), group.nickname)
            for network, chat in group.chats.items():
                other = chats.setdefault((network, chat), group.id)
                if other != group.id:
                    p(
                        ("groups", i, "chats", network),
                        "config.chat_taken",
                        network=network,
                        other=other,
                    )
        handles: dict[tuple[str, str], str] = {}
        for i, person in enumerate(c.people):
            for j, grant in enumerate(person.roles):
                if grant.role not in roles:
                    self.unknown_role(("people", i, "roles", j), grant.role, roles)
                for k, group_id in enumerate(grant.groups or ()):
                    if group_id not in group_ids:
                        self.unknown_group(
                            ("people", i, "roles", j, "groups", k), group_id, group_ids
                        )
            for network, handle in person.handles.items():
                other = handles.setdefault((network, handle), person.id)
                if other != person.id:
                    p(
                        ("people", i, "handles", network),
                        "config.handle_taken",
                        network=network,
                        handle=handle,
                        other=other,
                    )
        for i, rule in enumerate(c.rules):
            for j, kind in enumerate(rule.where.kinds):
                if kind not in kinds:
                    p(
                        ("rules", i, "where", "kinds", j),
                        "config.unknown_kind",
                        kind=kind,
                        known=", ".join(sorted(kinds)),
                    )
            for j, group_id in enumerate(rule.where.groups):
                if group_id not in group_ids:
                    self.unknown_group(("rules", i, "where", "groups", j), group_id, group_ids)
        for i, form in enumerate(c.forms):
            if form.fill != "anyone":
                for j, role in enumerate(form.fill):
                    if role not in roles:
                        self.unknown_role(("forms", i, "fill", j), role, roles)
            for j, role in enumerate(form.view):
                if role not in roles:
                    self.unknown_role(("forms", i, "view", j), role, roles)
            self.duplicates(("forms", i, "fields"), [f.id for f in form.fields])
            for j, field in enumerate(form.fields):
                where = ("forms", i, "fields", j)
                if field.type not in FIELD_TYPES:
                    p(
                        where + ("type",),
                        "config.unknown_field_type",
                        type=field.type,
                        known=", ".join(FIELD_TYPES),
                    )
                if field.type in ("choice", "multi_choice") and not field.choices:
                    p(where, "config.choices_needed", type=field.type)
                if field.pattern:
                    self.regex(where + ("pattern",), field.pattern)
        if self.vocabulary is not None:
            for j, name in enumerate(c.plugins.disable):
                if name not in self.vocabulary.plugins:
                    p(
                        ("plugins", "disable", j),
                        "config.unknown_plugin",
                        name=name,
                        known=", ".join(sorted(self.vocabulary.plugins)),
                    )
            book = RuleBook(c, self.vocabulary.conditions, self.vocabulary.actions)
            for problem in book.problems:
                values = dict(problem.values)
                if "reason" in values:
                    values["reason"] = self.loader._(str(values["reason"]))
                p(problem.path, problem.key, at_key=problem.at_key, **values)

    def duplicates(self, section: str | tuple[str | int, ...], ids: list[str]) -> None:
        base = (section,) if isinstance(section, str) else section
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if item_id in first:
                line = self.loader.doc.mark(base + (first[item_id], "id")).line  # type: ignore[union-attr]
                self.loader.problem(base + (i, "id"), "config.duplicate_id", id=item_id, line=line)
            else:
                first[item_id] = i

    def unknown_role(self, path: tuple[str | int, ...], role: str, roles: set[str]) -> None:
        self.loader.problem(path, "config.unknown_role", role=role, known=", ".join(sorted(roles)))

    def unknown_group(
        self, path: tuple[str | int, ...], group_id: str, group_ids: set[str]
    ) -> None:
        close = difflib.get_close_matches(group_id, list(group_ids), n=1)
        hint = self.loader._("config.did_you_mean", name=close[0]) if close else ""
        self.loader.problem(path, "config.unknown_group", group=group_id, hint=hint)

    def regex(self, path: tuple[str | int, ...], pattern: str) -> None:
        try:
            re.compile(pattern)
        except re.error as exc:
            self.loader.problem(path, "config.bad_regex", error=exc.msg, position=exc.pos)


def load_community(
    path: Path | str, vocabulary: Vocabulary | None = None, _: Translator | None = None
) -> Community:
    """Read and check a community file; raise :class:`ConfigError` listing every mistake.

    Without ``vocabulary`` rules are checked for shape only, not for the
    condition and action kinds that plugins provide.
    """
    path = Path(path)
    loader = _Loader(path, _ or config_translator(vocabulary))
    if not path.exists():
        raise ConfigError([Problem(Mark(_shown(path), 1, 1), loader._("config.not_found"))])
    loader.doc = loader.read(path)
    if loader.doc is None:
        raise ConfigError(loader.problems)
    if not isinstance(loader.doc.data, dict):
        loader.problem((), "config.not_mapping_top")
        raise ConfigError(loader.problems)
    loader.include()
    community = loader.validate() if not loader.problems else None
    if community is None:
        raise ConfigError(loader.problems)
    _Semantics(loader, community, vocabulary).run()
    if loader.problems:
        raise ConfigError(
            sorted(loader.problems, key=lambda p: (p.mark.file, p.mark.line, p.mark.column))
        )
    return community


def read_plugin_settings(path: Path | str) -> tuple[str, ...]:
    """The plugins a community file disables, read before the file is fully checked."""
    try:
        doc = yamlmarks.load(Path(path))
    except (YamlProblem, OSError):
        return ()
    data = doc.data if isinstance(doc.data, dict) else {}
    plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
    disabled = plugins.get("disable") if isinstance(plugins, dict) else None
    return tuple(str(d) for d in disabled) if isinstance(disabled, list) else ()
