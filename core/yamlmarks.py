"""YAML loading that remembers where every value stands (file, line, column).

Only plain data is read: text, numbers, true/false, null, dates, lists and
mappings.  Python tags and other tags are refused by name, and so are files
that are not UTF-8, characters YAML does not allow, aliases that refer to
themselves, merge keys (``<<``) given something else than mappings, nesting
deeper than :data:`MAX_DEPTH` and aliases that expand to far more values than
the file holds.  The file is read once, from libyaml's events when PyYAML was
built with it; an alias shares the value of its anchor instead of copying it.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import events

Path_ = tuple[str | int, ...]

#: libyaml's parser when PyYAML was built with it (much faster on big files).
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 100
"""Lists and mappings nested deeper than this are refused."""

ALIAS_ALLOWANCE = 100_000
"""Values aliases may add beyond one per character of the file (an alias bomb is refused)."""

_YAML_TAG = "tag:yaml.org,2002:"
_NOT_YAML_CHARACTER = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_MERGE = object()
"""A ``<<`` key: the value after it is merged into the mapping."""
_NO_KEY = object()


@dataclass(frozen=True, slots=True)
class Mark:
    """A place in a file; line and column count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class YamlProblem(Exception):
    """A file that cannot be read as plain YAML data; ``reason`` names the mistake."""

    def __init__(self, mark: Mark, reason: str, **values: str) -> None:
        super().__init__(f"{mark}: {reason} {values}")
        self.mark = mark
        self.reason = reason
        self.values = values


class Place:
    """Where a value stands; for a list or a mapping, also where each of its items (and keys) stand.

    A place keeps the parser's mark of the value (libyaml makes one for each
    value anyway): its line and column are read from it only when asked for, to
    say where a mistake is.
    """

    __slots__ = ("at", "file", "items", "keys")

    def __init__(
        self,
        file: str,
        at: Any,
        items: dict[Any, Any] | list[Any] | None = None,
        keys: dict[Any, Any] | None = None,
    ) -> None:
        self.file = file
        self.at = at
        """The parser's mark of the value: ``line`` and ``column`` from 0."""
        self.items = items
        """Per item: its :class:`Place`, or the parser's mark for a plain value in this file."""
        self.keys = keys
        """Per key of a mapping: the parser's mark of the key."""

    @property
    def line(self) -> int:
        """The value's line, from 1."""
        return int(self.at.line) + 1

    @property
    def column(self) -> int:
        """The value's column, from 1."""
        return int(self.at.column) + 1

    def child(self, step: str | int) -> Place | None:
        """The place of item ``step``, if there is one."""
        items = self.items
        if isinstance(items, dict):
            found = items.get(step)
        elif isinstance(items, list) and isinstance(step, int) and 0 <= step < len(items):
            found = items[step]
        else:
            return None
        if found is None or isinstance(found, Place):
            return found
        return Place(self.file, found)


#: The mark of a file's start (line and column from 0, as the parser's).
START = yaml.Mark("", 0, 0, 0, "", 0)


class MarkedDocument:
    """Plain data loaded from YAML, with the :class:`Mark` of each value by its path."""

    def __init__(self, data: Any, place: Place) -> None:
        self.data = data
        self.place = place

    def at(self, path: Path_) -> Place:
        """The place of the value at ``path``, or of its nearest parent."""
        place = self.place
        for step in path:
            found = place.child(step)
            if found is None:
                break
            place = found
        return place

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of the value at ``path`` (of its key with ``key=True``), or of its nearest parent."""
        place = self.place
        for i, step in enumerate(path):
            if key and i == len(path) - 1 and place.keys is not None and step in place.keys:
                at = place.keys[step]
                return Mark(place.file, at.line + 1, at.column + 1)
            found = place.child(step)
            if found is None:
                break
            place = found
        return Mark(place.file, place.line, place.column)


def load(path: Path, shown_as: str | None = None) -> MarkedDocument:
    """Load one YAML file; raise :class:`YamlProblem` for its first mistake, ``OSError`` if unreadable."""
    name = shown_as or str(path)
    return parse(_decoded(path.read_bytes(), name), name)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big file is read and checked.

    The many lists, mappings and models built hold no cycles, and the
    collector's passes over them took longer than the reading itself.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _decoded(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        raise YamlProblem(
            _mark_after(before, name), "not_utf8", byte=f"0x{raw[exc.start]:02X}"
        ) from None
    return text


def _mark_after(before: str, name: str) -> Mark:
    return Mark(name, before.count("\n") + 1, len(before) - before.rfind("\n"))


def parse(text: str, name: str) -> MarkedDocument:
    """Read YAML ``text`` (shown as file ``name``) into plain data and the places of its values."""
    bad = _NOT_YAML_CHARACTER.search(text)
    if bad is not None:
        raise YamlProblem(
            _mark_after(text[: bad.start()], name),
            "control_character",
            code=f"U+{ord(bad.group()):04X}",
        )
    parser = _Parser(text)
    try:
        with collector_paused():
            return _Builder(name, ALIAS_ALLOWANCE + len(text)).document(parser)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = Mark(name, where.line + 1, where.column + 1) if where else Mark(name, 1, 1)
        raise YamlProblem(mark, "yaml", detail=str(exc.problem or exc.context or "")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Mark(name, 1, 1), "yaml", detail=str(exc)) from None
    finally:
        parser.dispose()


class _Open:
    """A list or mapping being read."""

    __slots__ = (
        "anchor",
        "data",
        "is_list",
        "items",
        "key",
        "key_at",
        "keys",
        "merges",
        "place",
        "size",
    )

    def __init__(self, data: Any, place: Place, anchor: str | None) -> None:
        self.data = data
        self.place = place
        self.items: Any = place.items
        self.keys = place.keys
        self.is_list = isinstance(data, list)
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_at: Any = START
        self.merges: list[tuple[dict[Any, Any], Place]] = []


class _Builder:
    def __init__(self, name: str, budget: int) -> None:
        self.name = name
        self.budget = budget
        self.anchors: dict[str, tuple[Any, Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.resolver = yaml.resolver.Resolver()
        self.may_resolve = frozenset(self.resolver.yaml_implicit_resolvers)
        constructor = yaml.constructor.SafeConstructor()
        self.constructors = {
            "bool": constructor.construct_yaml_bool,
            "int": constructor.construct_yaml_int,
            "float": constructor.construct_yaml_float,
            "timestamp": constructor.construct_yaml_timestamp,
        }

    def problem(self, event: Any, reason: str, **values: str) -> YamlProblem:
        return self.problem_at(event.start_mark, reason, **values)

    def problem_at(self, at: Any, reason: str, **values: str) -> YamlProblem:
        return YamlProblem(Mark(self.name, at.line + 1, at.column + 1), reason, **values)

    def document(self, parser: Any) -> MarkedDocument:
        parser.get_event()  # stream start
        start = parser.get_event()
        if isinstance(start, events.StreamEndEvent):
            return MarkedDocument(None, Place(self.name, START))
        data, place = self.value(parser)
        parser.get_event()  # document end
        after = parser.get_event()
        if not isinstance(after, events.StreamEndEvent):
            raise self.problem(after, "one_document")
        if not isinstance(place, Place):
            place = Place(self.name, place)
        return MarkedDocument(data, place)

    def value(self, parser: Any) -> tuple[Any, Any]:
        """Read the next whole value: its data and its place (the parser's mark for plain values).

        The plain text of a list item or a mapping's value, most of a file,
        is taken without a call; anything else goes through :meth:`scalar` and
        :meth:`add`.
        """
        stack: list[_Open] = []
        get_event = parser.get_event
        may_resolve = self.may_resolve
        budget = self.budget
        scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
        mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
        parent: _Open | None = None
        while True:
            event = get_event()
            kind = type(event)
            at = event.start_mark
            if kind is scalar_event:
                data = event.value
                if (
                    parent is not None
                    and event.tag is None
                    and event.anchor is None
                    and (not event.implicit[0] or (data and data[0] not in may_resolve))
                    and (parent.is_list or (parent.key is not _NO_KEY and parent.key is not _MERGE))
                ):
                    if parent.is_list:
                        parent.data.append(data)
                        parent.items.append(at)
                    else:
                        key = parent.key
                        parent.data[key] = data
                        parent.items[key] = at
                        parent.keys[key] = parent.key_at  # type: ignore[index]
                        parent.key = _NO_KEY
                    parent.size += 1
                    if parent.size > budget:
                        raise self.problem_at(at, "too_many_aliases", limit=f"{budget:,}")
                    continue
                data = self.scalar(event, at_key=parent is not None and parent.key is _NO_KEY)
                place: Any = at
                size = 1
                if event.anchor is not None:
                    self.anchors[event.anchor] = (data, at, 1)
            elif kind is alias_event:
                anchor = event.anchor
                if anchor in self.open_anchors:
                    raise self.problem(event, "self_alias", anchor=anchor)
                if anchor not in self.anchors:
                    raise self.problem(event, "undefined_alias", anchor=anchor)
                data, anchored, size = self.anchors[anchor]
                place = (
                    Place(self.name, at, anchored.items, anchored.keys)
                    if isinstance(anchored, Place)
                    else at
                )
            elif kind is mapping_start or kind is sequence_start:
                mapping = kind is mapping_start
                self.container_tag(event, "map" if mapping else "seq")
                if len(stack) >= MAX_DEPTH:
                    raise self.problem(event, "too_deep", limit=str(MAX_DEPTH))
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                if mapping:
                    parent = _Open({}, Place(self.name, at, {}, {}), event.anchor)
                else:
                    parent = _Open([], Place(self.name, at, []), event.anchor)
                stack.append(parent)
                continue
            else:  # the end of a list or mapping
                done = stack.pop()
                parent = stack[-1] if stack else None
                if done.merges:
                    self.merge(done)
                data, place, size = done.data, done.place, done.size
                at = place.at
                if done.anchor is not None:
                    self.open_anchors.discard(done.anchor)
                    self.anchors[done.anchor] = (data, place, size)
            if parent is None:
                return data, place
            self.add(parent, data, place, size, at)

    def add(self, parent: _Open, data: Any, place: Any, size: int, at: Any) -> None:
        """Put a value read (starting ``at``) into the list or mapping around it."""
        if parent.is_list:
            parent.data.append(data)
            parent.items.append(place)
        elif parent.key is _NO_KEY:
            if data is not _MERGE:
                if isinstance(place, Place) or not isinstance(data, str | int | float):
                    raise self.problem_at(at, "key_type", key=_shown(data))
                if data in parent.data:
                    raise self.problem_at(at, "duplicate_key", key=str(data))
            parent.key = data
            parent.key_at = at
            return
        elif parent.key is _MERGE:
            parent.key = _NO_KEY
            self.merge_source(parent, data, place, size, at)
            return
        else:
            key = parent.key
            parent.data[key] = data
            parent.items[key] = place
            parent.keys[key] = parent.key_at  # type: ignore[index]
            parent.key = _NO_KEY
        parent.size += size
        if parent.size > self.budget:
            raise self.problem_at(at, "too_many_aliases", limit=f"{self.budget:,}")

    def merge_source(self, parent: _Open, data: Any, place: Any, size: int, at: Any) -> None:
        """Note what a ``<<`` key brings: a mapping, or a list of mappings (earlier ones win)."""
        if isinstance(data, dict):
            parent.merges.append((data, place))
        elif isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
            parent.merges.extend(zip(data, place.items, strict=True))
        else:
            raise self.problem_at(at, "merge_shape")
        parent.size += size
        if parent.size > self.budget:
            raise self.problem_at(at, "too_many_aliases", limit=f"{self.budget:,}")

    def merge(self, done: _Open) -> None:
        """Give a mapping the keys its ``<<`` sources bring that it does not set itself."""
        data: dict[Any, Any] = {}
        items: dict[Any, Any] = {}
        keys: dict[Any, Any] = {}
        for source, place in reversed(done.merges):
            data.update(source)
            for key in source:
                found = place.child(key)
                items[key] = found
                keys[key] = place.keys.get(key, place.at)
        data.update(done.data)
        items.update(done.items)
        keys.update(done.keys)  # type: ignore[arg-type]
        done.data = data
        done.place.items = items
        done.place.keys = keys

    def container_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag != _YAML_TAG + kind:
            raise self.tag_problem(event, tag)

    def tag_problem(self, event: Any, tag: str) -> YamlProblem:
        shown = "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
        if tag.startswith(_YAML_TAG + "python/"):
            return self.problem(event, "python_tag", tag=shown)
        return self.problem(event, "tag_refused", tag=shown)

    def scalar(self, event: Any, *, at_key: bool) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0] or (value and value[0] not in self.may_resolve):
                return value
            tag = self.resolver.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == "tag:yaml.org,2002:str":
            return value
        kind = tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else ""
        if kind == "merge":
            return _MERGE if at_key else value
        if kind == "value":
            return value
        if kind == "null":
            return None
        if kind == "bool" and tag is not event.tag and value.lower() not in ("true", "false"):
            return value  # YAML 1.2: yes/no/on/off are words (`on: join_request` is a key)
        construct = self.constructors.get(kind)
        if construct is None:
            raise self.tag_problem(event, tag)
        try:
            return construct(yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
        except (ValueError, KeyError, OverflowError, TypeError, yaml.YAMLError) as exc:
            raise self.problem(event, "bad_value", value=_shown(value), detail=str(exc)) from None


def _shown(value: Any) -> str:
    text = "{…}" if isinstance(value, dict) else "[…]" if isinstance(value, list) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"
