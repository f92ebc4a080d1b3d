"""YAML loading that remembers where every value stands (file, line, column)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

#: libyaml's parser when PyYAML was built with it (much faster on big files).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Mark:
    """A place in a file; line and column count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class YamlProblem(Exception):
    """A file that is not valid YAML, or a mapping with a key given twice."""

    def __init__(self, mark: Mark, reason: str, detail: str = "") -> None:
        super().__init__(f"{mark}: {reason} {detail}".strip())
        self.mark = mark
        self.reason = reason
        self.detail = detail


class MarkedDocument:
    """Plain data loaded from YAML, with the :class:`Mark` of each value by its path."""

    def __init__(self, data: Any, marks: dict[Path_, Mark], key_marks: dict[Path_, Mark]) -> None:
        self.data = data
        self._marks = marks
        self._key_marks = key_marks

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of the value at ``path`` (of its key with ``key=True``), or of its nearest parent."""
        path = tuple(path)
        if key and path in self._key_marks:
            return self._key_marks[path]
        while path not in self._marks and path:
            path = path[:-1]
        return self._marks[path]

    def drop(self, path: Path_) -> None:
        """Forget the marks strictly under ``path`` (before grafting included files there)."""
        n = len(path)
        for marks in (self._marks, self._key_marks):
            for key in [k for k in marks if len(k) > n and k[:n] == path]:
                del marks[key]

    def graft(self, path: Path_, other: MarkedDocument) -> None:
        """Make ``other``'s marks answer for the values under ``path`` (an included file)."""
        for sub, mark in other._marks.items():
            self._marks[path + sub] = mark
        for sub, mark in other._key_marks.items():
            self._key_marks[path + sub] = mark


def load(path: Path, shown_as: str | None = None) -> MarkedDocument:
    """Load one YAML file; raise :class:`YamlProblem` for syntax errors and duplicate keys."""
    name = shown_as or str(path)
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = Mark(name, where.line + 1, where.column + 1) if where else Mark(name, 1, 1)
        raise YamlProblem(mark, "yaml", str(exc.problem or exc.context or "")) from exc
    finally:
        loader.dispose()
    marks: dict[Path_, Mark] = {(): Mark(name, 1, 1)}
    key_marks: dict[Path_, Mark] = {}
    if node is None:
        return MarkedDocument(None, marks, key_marks)
    constructor = yaml.SafeLoader("")
    data = _build(node, (), name, constructor, marks, key_marks)
    return MarkedDocument(data, marks, key_marks)


def _mark(node: yaml.Node, name: str) -> Mark:
    return Mark(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _build(
    node: yaml.Node,
    path: Path_,
    name: str,
    constructor: yaml.SafeLoader,
    marks: dict[Path_, Mark],
    key_marks: dict[Path_, Mark],
) -> Any:
    marks[path] = _mark(node, name)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlProblem(_mark(key_node, name), "key_type", str(key))
            if key in result:
                raise YamlProblem(_mark(key_node, name), "duplicate_key", str(key))
            key_marks[path + (key,)] = _mark(key_node, name)
            result[key] = _build(value_node, path + (key,), name, constructor, marks, key_marks)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, path + (i,), name, constructor, marks, key_marks)
            for i, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
