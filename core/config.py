"""Loading a community's YAML, refusing mistakes with file, line, column and a plain sentence.

Lists under ``groups``, ``people``, ``rules`` and ``forms`` may name other
files (globs, relative to the including file) instead of giving items inline.
"""

from __future__ import annotations

import difflib
import glob
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import yamlmarks
from .i18n import Catalogue, Translator, environment_locale
from .model import (
    CONSULTATION_KINDS,
    FIELD_TYPES,
    Building,
    Community,
    CommunityInfo,
    CustomRole,
    Form,
    Group,
    GroupKind,
    Names,
    Person,
    Rule,
    all_kinds,
    all_roles,
)
from .rules import Condition, RuleAction, RuleBook
from .yamlmarks import Mark, MarkedDocument, Place, YamlProblem

INCLUDABLE = ("groups", "people", "rules", "forms")

#: The lists of a community file, each item checked on its own.
ITEMS: dict[str, type[Any]] = {
    "kinds": GroupKind,
    "roles": CustomRole,
    "buildings": Building,
    "groups": Group,
    "people": Person,
    "rules": Rule,
    "forms": Form,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a community file."""

    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


#: How a setting checked by a pattern is written, as catalogue keys (rules' schedules).
_WRITTEN = {"every": "config.form.every", "at": "config.form.at"}


class ConfigError(Exception):
    """A community file that cannot be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What rules may say, which plugins exist and the settings models of those registered."""

    conditions: Mapping[str, Condition]
    actions: Mapping[str, RuleAction]
    plugins: frozenset[str]
    catalogues: tuple[Path, ...] = ()
    settings: Mapping[str, type[BaseModel]] = dataclass_field(default_factory=dict)
    """Plugin name -> the model of its section under ``plugins:`` (``sanshe_settings``)."""
    roles: Mapping[str, str] = dataclass_field(default_factory=dict)
    """The roles plugins compute (``sanshe_computed_roles``) -> the catalogue key of each name."""


def config_translator(vocabulary: Vocabulary | None = None) -> Translator:
    """Texts for the person editing YAML, in the terminal's language."""
    catalogue = Catalogue()
    for folder in vocabulary.catalogues if vocabulary else ():
        catalogue.add_folder(folder)
    return Translator(catalogue, environment_locale())


class _Loader:
    """The problems found in one community file, in words, and where its valid items came from."""

    def __init__(self, doc: MarkedDocument, _: Translator) -> None:
        self.doc = doc
        self._ = _
        self.problems: list[Problem] = []
        self.origin: dict[str, list[int]] = {}
        """Per list, the index in the file of each valid item."""
        self.invalid: dict[str, set[str] | None] = {}
        """Per list, the ids of its invalid items (None: the whole list is invalid)."""

    def problem(
        self, path: tuple[str | int, ...], key: str, /, *, at_key: bool = False, **values: object
    ) -> None:
        self.problems.append(Problem(self.doc.mark(path, key=at_key), self._(key, **values)))

    def duplicates(self, base: tuple[str | int, ...], ids: list[Any]) -> None:
        """Report each id (text) of the list at ``base`` that an earlier item has."""
        first: dict[str, int] = {}
        for i, item_id in enumerate(ids):
            if not isinstance(item_id, str):
                continue
            if item_id in first:
                line = self.doc.mark(base + (first[item_id], "id")).line
                self.problem(base + (i, "id"), "config.duplicate_id", id=item_id, line=line)
            else:
                first[item_id] = i

    def validate(self, vocabulary: Vocabulary | None) -> Community | None:
        """The community made of the file's valid items; every invalid one is reported.

        With ``vocabulary``, each plugin's section is also checked by its model.
        """
        data = dict(self.doc.data)
        if vocabulary is not None and isinstance(data.get("plugins", {}), dict):
            data["plugins"] = self.plugin_sections(data.get("plugins") or {}, vocabulary)
        for section, model in ITEMS.items():
            items = data.get(section)
            if not isinstance(items, list):
                continue
            valid: list[Any] = []
            self.origin[section] = []
            self.invalid[section] = set()
            for i, item in enumerate(items):
                try:
                    valid.append(model.model_validate(item))
                except ValidationError as exc:
                    self._report(exc, (section, i))
                    item_id = item.get("id") if isinstance(item, dict) else None
                    if isinstance(item_id, str):
                        self.invalid[section].add(item_id)  # type: ignore[union-attr]
                else:
                    self.origin[section].append(i)
            data[section] = valid
        try:
            return Community.model_validate(data)
        except ValidationError as exc:
            self._report(exc, ())
            for error in exc.errors():
                top = error["loc"][0] if error["loc"] else None
                if top == "community":
                    data[top] = CommunityInfo.model_construct(id="", name="")
                elif isinstance(top, str):
                    data.pop(top, None)
                    self.invalid[top] = None
        try:
            return Community.model_validate(data)
        except ValidationError:
            return None

    def plugin_sections(self, plugins: dict[Any, Any], vocabulary: Vocabulary) -> dict[Any, Any]:
        """``plugins:`` with each running plugin's section made an instance of its model.

        A disabled plugin's section stays as written; a section no model takes is
        reported and left out; a model without a section gives its defaults.
        """
        disabled = _disabled(plugins)
        known = vocabulary.plugins | set(vocabulary.settings)
        checked = {k: plugins[k] for k in _LISTS if k in plugins}
        for name, section in plugins.items():
            if name in _LISTS:
                continue
            model = vocabulary.settings.get(name) if isinstance(name, str) else None
            if name in disabled:
                checked[name] = section
            elif model is not None:
                try:
                    checked[name] = model.model_validate({} if section is None else section)
                except ValidationError as exc:
                    self._report(exc, ("plugins", name), model)
            elif name in known:
                self.problem(("plugins", name), "config.takes_no_settings", at_key=True, name=name)
            else:
                self.problem(
                    ("plugins", name),
                    "config.unknown_plugin",
                    at_key=True,
                    name=str(name),
                    known=self._.join(sorted(known)),
                )
        for name, model in vocabulary.settings.items():
            if name in plugins or name in disabled:
                continue
            try:
                checked[name] = model.model_validate({})
            except ValidationError as exc:
                fields = [f"“{e['loc'][0]}”" for e in exc.errors() if e["loc"]]
                self.problem(
                    ("plugins",),
                    "config.settings_needed",
                    at_key="plugins" in self.doc.data,
                    name=name,
                    fields=self._.join(fields),
                )
        return checked

    def _report(
        self,
        exc: ValidationError,
        prefix: tuple[str | int, ...],
        model: type[BaseModel] | None = None,
    ) -> None:
        errors: list[ErrorDetails] = [{**e, "loc": prefix + e["loc"]} for e in exc.errors()]
        placed = [(e, _real_path(self.doc.data, e["loc"])[0]) for e in errors]
        paths = {path for _e, path in placed}
        reported: set[tuple[str | int, ...]] = set()
        for error, path in placed:
            # Of the errors of a value that may take several shapes, keep the deepest, once.
            if path in reported or any(
                len(other) > len(path) and other[: len(path)] == path for other in paths
            ):
                continue
            reported.add(path)
            self._pydantic(error, (prefix, model) if model else None)

    def _pydantic(
        self, error: ErrorDetails, plugin: tuple[tuple[str | int, ...], type[BaseModel]] | None
    ) -> None:
        path, value_found = _real_path(self.doc.data, error["loc"])
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
            parent = _schema_keys(error, plugin)
            close = difflib.get_close_matches(key, parent, n=1) if parent else []
            if close:
                hint = self._("config.did_you_mean", name=close[0])
            self.problem(path, "config.unknown_key", at_key=True, key=key, hint=hint)
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            self.problem(path, "config.not_int", field=field, value=shown)
        elif kind in ("float_type", "float_parsing", "finite_number"):
            self.problem(path, "config.not_number", field=field, value=shown)
        elif kind in ("bool_type", "bool_parsing"):
            self.problem(path, "config.not_bool", field=field, value=shown)
        elif kind == "string_type":
            self.problem(path, "config.not_text", field=field, value=shown)
        elif kind == "string_too_short":
            self.problem(path, "config.empty_text", field=field)
        elif kind in ("list_type", "tuple_type"):
            self.problem(path, "config.not_list", field=field)
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            self.problem(path, "config.not_mapping", field=field)
        elif kind == "string_pattern_mismatch":
            form = _WRITTEN.get(field)
            if form is not None:
                self.problem(
                    path, "config.not_written_as", field=field, value=shown, form=self._(form)
                )
            else:
                self.problem(path, "config.not_written_right", field=field, value=shown)
        elif kind in ("literal_error", "enum"):
            self.problem(
                path, "config.not_one_of", field=field, value=shown, choices=ctx.get("expected", "")
            )
        elif kind in ("greater_than", "greater_than_equal"):
            self.problem(path, "config.too_small", field=field, limit=ctx.get("gt", ctx.get("ge")))
        elif kind == "less_than":
            self.problem(path, "config.too_big", field=field, limit=ctx.get("lt"))
        elif kind == "less_than_equal":
            self.problem(path, "config.at_most", field=field, limit=ctx.get("le"))
        elif kind == "too_short":
            self.problem(path, "config.too_short", field=field, limit=ctx.get("min_length"))
        elif not value_found:
            return
        elif (said := _keyed(ctx.get("error"))) is not None:
            self.problem(path, "config.invalid", field=field, reason=self._(said[0], **said[1]))
        else:
            self.problem(path, "config.invalid", field=field, reason=error["msg"])


def _keyed(error: object) -> tuple[str, dict[str, object]] | None:
    """The catalogue key and values of a settings validator's ``ValueError(key, {values})``
    (as rules' ``parse`` raise them), or None for a ValueError of a sentence."""
    args = error.args if isinstance(error, ValueError) else ()
    if not args or not isinstance(args[0], str) or not _KEY.fullmatch(args[0]):
        return None
    values = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    return args[0], values


#: A catalogue key: ``<plugin>.<words>`` (dotted, no spaces).
_KEY = re.compile(r"[a-z_]+(\.[a-z_0-9]+)+")


def _named(
    value: Any, path: tuple[str | int, ...], annotation: Any = None, metadata: Iterable[Any] = ()
) -> Iterator[tuple[tuple[str | int, ...], str, str, bool]]:
    """Where a settings ``value`` (a model instance, or a part of one of type ``annotation``)
    names a role, kind, group or form: each ``(path, what, name, at_key)``."""
    for mark in metadata:
        if isinstance(mark, Names) and isinstance(value, str):
            yield path, mark.what, value, False
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            yield from _named(getattr(value, name), (*path, key), field.annotation, field.metadata)
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _named(value, path, args[0], args[1:])
    elif origin in (UnionType, Union):
        for arg in args:
            yield from _named(value, path, arg)
    elif isinstance(value, tuple | list | set | frozenset) and args:
        items = args[:1] * len(value) if len(args) == 1 or args[-1] is Ellipsis else args
        for i, (item, arg) in enumerate(zip(value, items, strict=False)):
            yield from _named(item, (*path, i), arg)
    elif isinstance(value, Mapping) and len(args) == 2:
        for key, item in value.items():
            for where, what, name, _at in _named(key, (*path, key), args[0]):
                yield where, what, name, True
            yield from _named(item, (*path, key), args[1])


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


def _schema_keys(
    error: ErrorDetails, plugin: tuple[tuple[str | int, ...], type[BaseModel]] | None
) -> list[str]:
    """Keys allowed beside an unknown key, for "did you mean" (``plugin``: a section's path, model)."""
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
        Rule,
        RuleScope,
        StorageSettings,
    )

    models: dict[tuple[str, ...], type[BaseModel]] = {
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
        ("storage",): StorageSettings,
    }
    if plugin is not None:
        models[tuple(str(p) for p in plugin[0])] = plugin[1]
    shape = tuple(
        p
        for p in error["loc"][:-1]
        if isinstance(p, str) and not p.startswith(("function", "literal"))
    )
    model = models.get(shape)
    return list(model.model_fields) if model else []


class _Semantics:
    """Checks across the file: references, duplicates, regexes, time zones.

    They run on the valid items only, and say nothing of a name that an invalid
    item (already reported) would have defined.
    """

    def __init__(
        self, loader: _Loader, community: Community, vocabulary: Vocabulary | None
    ) -> None:
        self.loader = loader
        self.community = community
        self.vocabulary = vocabulary

    def at(self, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """The path in the file of a path into the community (whose lists hold valid items only)."""
        origin = self.loader.origin.get(str(path[0])) if path else None
        if origin is None or len(path) < 2 or not isinstance(path[1], int):
            return path
        return (path[0], origin[path[1]], *path[2:])

    def problem(
        self, path: tuple[str | int, ...], key: str, /, *, at_key: bool = False, **values: object
    ) -> None:
        self.loader.problem(self.at(path), key, at_key=at_key, **values)

    def unsure(self, section: str, item_id: str) -> bool:
        """Whether ``item_id`` may be an item of ``section`` that was refused."""
        invalid = self.loader.invalid.get(section, set())
        return invalid is None or item_id in invalid

    def run(self) -> None:
        c = self.community
        p = self.problem
        roles = all_roles(c)
        kinds = all_kinds(c)
        group_ids = {g.id for g in c.groups}
        try:
            ZoneInfo(c.community.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            p(("community", "timezone"), "config.bad_timezone", value=c.community.timezone)
        for section in ITEMS:
            items = self.loader.doc.data.get(section)
            if isinstance(items, list):  # invalid items' ids too: a duplicate is a mistake anyway
                ids = [item.get("id") if isinstance(item, dict) else None for item in items]
                self.loader.duplicates((section,), ids)
        for j, role in enumerate(c.community.admins):
            if role not in roles:
                self.unknown_role(("community", "admins", j), role, roles)
        if c.community.moderation_log and c.community.moderation_log not in group_ids:
            self.unknown_group(
                ("community", "moderation_log"), c.community.moderation_log, group_ids
            )
        for i, building in enumerate(c.buildings):
            for j, item in enumerate(building.rooms):
                first, dash, last = item.partition("-")
                if dash and first.strip().isdecimal() and last.strip().isdecimal():
                    if int(first) > int(last):
                        p(("buildings", i, "rooms", j), "config.rooms_backwards", rooms=item)
                    elif int(last) - int(first) >= MOST_ROOMS:
                        p(("buildings", i, "rooms", j), "config.rooms_too_many", most=MOST_ROOMS)
        buildings = {b.id for b in c.buildings}
        for role, granted in c.grants.items():
            if role not in roles:
                self.unknown_role(("grants", role), role, roles, at_key=True)
            for j, given in enumerate(granted):
                if given in c.computed_roles:
                    p(("grants", role, j), "config.grants_computed", role=given)
                elif given not in roles:
                    self.unknown_role(("grants", role, j), given, roles)
        for i, kind in enumerate(c.kinds):
            if kind.member_role and kind.member_role not in roles:
                self.unknown_role(("kinds", i, "member_role"), kind.member_role, roles)
        chats: dict[tuple[str, str], str] = {}
        for i, group in enumerate(c.groups):
            if group.kind not in kinds:
                self.unknown_kind(("groups", i, "kind"), group.kind, kinds)
            for j, role in enumerate(group.administered_by):
                if role not in roles:
                    self.unknown_role(("groups", i, "administered_by", j), role, roles)
            if buildings and group.building is not None and group.building not in buildings:
                p(
                    ("groups", i, "building"),
                    "config.unknown_building",
                    building=group.building,
                    known=self.loader._.join(sorted(buildings)),
                )
            if group.escalates_to is not None:
                target = c.group(group.escalates_to)
                if target is None:
                    self.unknown_group(("groups", i, "escalates_to"), group.escalates_to, group_ids)
                elif target.kind in kinds and target.kind not in CONSULTATION_KINDS:
                    # an unknown kind is refused at its own line, and once
                    p(
                        ("groups", i, "escalates_to"),
                        "config.escalates_to_consultation",
                        group=target.id,
                    )
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
            for j, kind_id in enumerate(rule.where.kinds):
                if kind_id not in kinds:
                    self.unknown_kind(("rules", i, "where", "kinds", j), kind_id, kinds)
            for j, group_id in enumerate(rule.where.groups):
                if group_id not in group_ids:
                    self.unknown_group(("rules", i, "where", "groups", j), group_id, group_ids)
        for i, form in enumerate(c.forms):
            if form.fill != "anyone":
                for j, role in enumerate(form.fill):
                    if role not in roles:
                        self.unknown_role(("forms", i, "fill", j), role, roles)
            for setting in ("view", "export"):
                for j, role in enumerate(getattr(form, setting) or ()):
                    if role not in roles:
                        self.unknown_role(("forms", i, setting, j), role, roles)
            self.loader.duplicates(self.at(("forms", i, "fields")), [f.id for f in form.fields])
            for j, field in enumerate(form.fields):
                where = ("forms", i, "fields", j)
                if field.type not in FIELD_TYPES:
                    p(
                        where + ("type",),
                        "config.unknown_field_type",
                        type=field.type,
                        known=self.loader._.join(FIELD_TYPES),
                    )
                if field.type in ("choice", "multi_choice") and not field.choices:
                    p(where, "config.choices_needed", type=field.type)
                if field.type == "agreement" and not form.intro:
                    p(where + ("type",), "config.agreement_needs_intro")
                if field.min is not None and field.max is not None and field.min > field.max:
                    p(where + ("min",), "config.min_above_max", min=field.min, max=field.max)
                if field.pattern:
                    self.regex(where + ("pattern",), field.pattern)
        if self.vocabulary is not None:
            for key, names in (("disable", c.plugins.disable), ("dry_run", c.plugins.dry_run)):
                for j, name in enumerate(names):
                    if name not in self.vocabulary.plugins:
                        p(
                            ("plugins", key, j),
                            "config.unknown_plugin",
                            name=name,
                            known=self.loader._.join(sorted(self.vocabulary.plugins)),
                        )
            self.plugin_names(roles, kinds, group_ids)
            book = RuleBook(c, self.vocabulary.conditions, self.vocabulary.actions)
            for problem in book.problems:
                values = dict(problem.values)
                if "reason" in values:
                    values["reason"] = self.loader._(
                        str(values["reason"]), **dict(problem.reason_values)
                    )
                p(problem.path, problem.key, at_key=problem.at_key, **values)

    def plugin_names(self, roles: set[str], kinds: set[str], group_ids: set[str]) -> None:
        """Refuse what the plugins' sections name (:class:`~.model.Names`) that the community
        does not have; only names the file writes (a default may name what is not used)."""
        form_ids = {f.id for f in self.community.forms}
        for plugin, section in self.community.plugins.sections.items():
            if not isinstance(section, BaseModel):
                continue
            for path, what, name, at_key in _named(section, ("plugins", plugin)):
                if _real_path(self.loader.doc.data, path)[0] != path:
                    continue  # a default, not written in the file
                if what == "role" and name not in roles:
                    self.unknown_role(path, name, roles, at_key=at_key)
                elif what == "kind" and name not in kinds:
                    self.unknown_kind(path, name, kinds, at_key=at_key)
                elif what == "group" and name not in group_ids:
                    self.unknown_group(path, name, group_ids)
                elif what == "form" and name not in form_ids and not self.unsure("forms", name):
                    known = self.loader._.join(sorted(form_ids))
                    hint = self.loader._("config.known_forms", known=known) if known else ""
                    self.problem(path, "config.unknown_form", form=name, hint=hint)

    def unknown_role(
        self, path: tuple[str | int, ...], role: str, roles: set[str], *, at_key: bool = False
    ) -> None:
        if not self.unsure("roles", role):
            known = self.loader._.join(sorted(roles))
            self.problem(path, "config.unknown_role", at_key=at_key, role=role, known=known)

    def unknown_kind(
        self, path: tuple[str | int, ...], kind: str, kinds: set[str], *, at_key: bool = False
    ) -> None:
        if not self.unsure("kinds", kind):
            known = self.loader._.join(sorted(kinds))
            self.problem(path, "config.unknown_kind", at_key=at_key, kind=kind, known=known)

    def unknown_group(
        self, path: tuple[str | int, ...], group_id: str, group_ids: set[str]
    ) -> None:
        if self.unsure("groups", group_id):
            return
        close = difflib.get_close_matches(group_id, list(group_ids), n=1)
        hint = self.loader._("config.did_you_mean", name=close[0]) if close else ""
        self.problem(path, "config.unknown_group", group=group_id, hint=hint)

    def regex(self, path: tuple[str | int, ...], pattern: str) -> None:
        try:
            re.compile(pattern)
        except re.error as exc:
            self.problem(path, "config.bad_regex", error=exc.msg, position=exc.pos)


class CommunityFile:
    """A community file and the files it includes, read once; :meth:`check` makes it a community.

    Reading never raises: what cannot be read is kept as problems, reported by
    :meth:`check`.  In between, :attr:`disabled_plugins` tells which plugins to
    leave out, so that the file is checked against the others' vocabulary.
    """

    def __init__(self, path: Path, doc: MarkedDocument | None, problems: list[_Pending]) -> None:
        self.path = path
        self.doc = doc
        self._problems = problems

    @classmethod
    def read(cls, path: Path | str) -> CommunityFile:
        """Read ``path`` and the files it includes."""
        path = Path(path)
        problems: list[_Pending] = []
        if not path.exists():
            return cls(path, None, [(Mark(_shown(path), 1, 1), "config.not_found", {})])
        with yamlmarks.collector_paused():
            doc = _read(path, problems)
            if doc is not None and not isinstance(doc.data, dict):
                problems.append((doc.mark(()), "config.not_mapping_top", {}))
                doc = None
            if doc is not None:
                _include(path, doc, problems)
        return cls(path, doc, problems)

    @classmethod
    def from_text(cls, text: str, name: str, base: Path | str = ".") -> CommunityFile:
        """Read community YAML ``text``, named ``name`` in problems (``name:line:col``).

        The files it includes are found relative to the folder ``base``.
        """
        path = Path(base) / name
        problems: list[_Pending] = []
        doc: MarkedDocument | None = None
        with yamlmarks.collector_paused():
            try:
                doc = yamlmarks.parse(text, name)
            except YamlProblem as exc:
                problems.append((exc.mark, f"config.{exc.reason}", dict(exc.values)))
            if doc is not None and not isinstance(doc.data, dict):
                problems.append((doc.mark(()), "config.not_mapping_top", {}))
                doc = None
            if doc is not None:
                _include(path, doc, problems)
        return cls(path, doc, problems)

    @property
    def disabled_plugins(self) -> tuple[str, ...]:
        """The plugins the file disables (the names it gives as text)."""
        return _disabled(self.doc.data.get("plugins")) if self.doc is not None else ()

    def check(self, vocabulary: Vocabulary | None = None, _: Translator | None = None) -> Community:
        """The community the file describes; raise :class:`ConfigError` listing every mistake.

        Without ``vocabulary`` rules are checked for shape only, not for the
        condition and action kinds that plugins provide.
        """
        _ = _ or config_translator(vocabulary)
        found = [Problem(mark, _(key, **values)) for mark, key, values in self._problems]
        if self.doc is None:
            raise ConfigError(found)
        loader = _Loader(self.doc, _)
        loader.problems.extend(found)
        with yamlmarks.collector_paused():
            community = loader.validate(vocabulary)
            if community is not None:
                community.computed_roles.update(vocabulary.roles if vocabulary else {})
                _Semantics(loader, community, vocabulary).run()
        if loader.problems or community is None:
            raise ConfigError(
                sorted(loader.problems, key=lambda p: (p.mark.file, p.mark.line, p.mark.column))
            )
        return community

    def warnings(self, community: Community, _: Translator | None = None) -> list[Problem]:
        """What the checked ``community`` allows though nobody would want it; it runs all the same.

        ``sanshe check-config`` prints them apart from problems and still succeeds.
        """
        if self.doc is None:
            return []
        _ = _ or config_translator()
        found: list[Problem] = []
        if not community.admins():  # a dead letter is still kept, logged and listed
            roles = community.community.admins
            mark = self.doc.mark(("community", "admins") if "admins" in _fields(self.doc) else ())
            text = _("config.no_admin_holder", roles=_.join(roles)) if roles else ""
            found.append(Problem(mark, text or _("config.no_admin_roles")))
        return found


#: The most rooms one range of a building's ``rooms:`` may give.
MOST_ROOMS = 10_000
#: The keys of ``plugins:`` that list plugins rather than give one's settings.
_LISTS = ("disable", "dry_run")


def _disabled(plugins: Any) -> tuple[str, ...]:
    """The plugins a ``plugins:`` section disables (the names it gives as text)."""
    disabled = plugins.get("disable") if isinstance(plugins, dict) else None
    return tuple(d for d in disabled if isinstance(d, str)) if isinstance(disabled, list) else ()


def _fields(doc: MarkedDocument) -> tuple[str, ...]:
    """The settings the file gives under ``community:``."""
    data = doc.data.get("community") if isinstance(doc.data, dict) else None
    return tuple(k for k in data if isinstance(k, str)) if isinstance(data, dict) else ()


_Pending = tuple[Mark, str, dict[str, object]]
"""A problem found while reading: where, its catalogue key and the key's values."""


def _read(path: Path, problems: list[_Pending]) -> MarkedDocument | None:
    try:
        return yamlmarks.load(path, shown_as=_shown(path))
    except YamlProblem as exc:
        problems.append((exc.mark, f"config.{exc.reason}", dict(exc.values)))
    except OSError as exc:
        problems.append((Mark(_shown(path), 1, 1), "config.unreadable", {"error": exc.strerror}))
    return None


def _include(path: Path, doc: MarkedDocument, problems: list[_Pending]) -> None:
    """Replace the file names in the includable lists by the items of those files."""
    data = doc.data
    for section in INCLUDABLE:
        items = data.get(section)
        if not isinstance(items, list) or not any(isinstance(i, str) for i in items):
            continue
        expanded: list[Any] = []
        places: list[Place] = []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                expanded.append(item)
                places.append(doc.at((section, i)))
                continue
            files = sorted(Path(f) for f in glob.glob(os.path.join(path.parent, item)))
            if not files:
                problems.append(
                    (doc.mark((section, i)), "config.include_missing", {"pattern": item})
                )
            for file in files:
                sub = _read(file, problems)
                if sub is None or sub.data is None:
                    continue
                entries = sub.data if isinstance(sub.data, list) else [sub.data]
                for j, entry in enumerate(entries):
                    expanded.append(entry)
                    places.append(sub.at((j,) if isinstance(sub.data, list) else ()))
        data[section] = expanded
        section_place = doc.at((section,))
        if isinstance(doc.place.items, dict):
            doc.place.items[section] = Place(section_place.file, section_place.at, places)


def load_community(
    path: Path | str, vocabulary: Vocabulary | None = None, _: Translator | None = None
) -> Community:
    """Read and check a community file; raise :class:`ConfigError` listing every mistake.

    Without ``vocabulary`` rules are checked for shape only, not for the
    condition and action kinds that plugins provide.
    """
    return CommunityFile.read(path).check(vocabulary, _)
