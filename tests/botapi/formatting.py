"""Telegram's text formatting: ``parse_mode`` parsing into plain text plus MessageEntity dicts.

Modelled on TDLib's ``parse_html``, ``parse_markdown_v2`` and ``parse_markdown`` (the code the
real Bot API server runs): entity offsets and lengths count UTF-16 code units, and malformed
input raises :class:`EntityParseError` with TDLib's wording, which the server reports as
``Bad Request: can't parse entities: ...``.
"""

import re
from dataclasses import dataclass, field
from typing import Any

MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"

_HTML_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
)
_HTML_ATTRIBUTE = re.compile(
    r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?"
)
_HTML_END_TAG = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_HTML_CHARACTER_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text does not follow the syntax of its ``parse_mode``."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


@dataclass
class _Builder:
    """Accumulates output text and entities while a parser walks its input."""

    parts: list[str] = field(default_factory=list)
    position: int = 0
    entities: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.position += utf16_len(text)

    def add(self, order: int, type_: str, offset: int, **extra: Any) -> None:
        """Add an entity from ``offset`` to the current position unless it would be empty."""
        if self.position > offset:
            entity = {"type": type_, "offset": offset, "length": self.position - offset}
            self.entities.append((order, entity | extra))

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ordered = sorted(self.entities, key=lambda e: (e[1]["offset"], -e[1]["length"], e[0]))
        return "".join(self.parts), [entity for _, entity in ordered]


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities ``text`` stands for under ``parse_mode``.

    ``parse_mode`` is case-insensitive as in the Bot API; ``None`` or ``""`` means plain text.
    Raises :class:`EntityParseError` for malformed input and :class:`KeyError` for an unknown
    parse mode.
    """
    parsers = {"html": _parse_html, "markdownv2": _parse_markdown_v2, "markdown": _parse_markdown}
    if not parse_mode:
        return text, []
    return parsers[parse_mode.lower()](text)


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    # Open tags: (tag name, entity type, start offset, attributes, order).
    stack: list[tuple[str, str, int, dict[str, str], int]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "&":
            match = _HTML_CHARACTER_REFERENCE.match(source, i)
            if match is None:
                out.append("&")
                i += 1
                continue
            decimal, hexadecimal, name = match.groups()
            if name:
                out.append(_NAMED_REFERENCES[name])
            else:
                code = int(decimal) if decimal else int(hexadecimal, 16)
                out.append(chr(code) if 0 < code < 0x110000 else "\ufffd")
            i = match.end()
            continue
        if char != "<":
            out.append(char)
            i += 1
            continue
        offset = _byte_offset(source, i)
        if source.startswith("</", i):
            match = _HTML_END_TAG.match(source, i)
            if match is None:
                raise EntityParseError(f"Can't find end tag at byte offset {offset}")
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            name = match.group(1).lower()
            tag, type_, start, attributes, order = stack.pop()
            if name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            _close_html_entity(out, stack, tag, type_, start, attributes, order)
            i = match.end()
            continue
        match = _HTML_START_TAG.match(source, i)
        if match is None:
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        name = match.group(1).lower()
        if name not in _HTML_TAG_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attributes = {
            attr.group(1).lower(): next((v for v in attr.groups()[1:] if v is not None), "")
            for attr in _HTML_ATTRIBUTE.finditer(match.group(2))
        }
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        stack.append((name, _HTML_TAG_TYPES[name], out.position, attributes, len(out.entities)))
        i = match.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_entity(
    out: _Builder,
    stack: list[tuple[str, str, int, dict[str, str], int]],
    tag: str,
    type_: str,
    start: int,
    attributes: dict[str, str],
    order: int,
) -> None:
    """Emit the entity of a closed HTML tag, folding ``<pre><code class=...>`` into one."""
    language = attributes.get("class", "")
    if tag == "code" and stack and stack[-1][0] == "pre" and language.startswith("language-"):
        stack[-1][3]["language"] = language.removeprefix("language-")
        return
    if type_ == "text_link":
        if attributes.get("href"):
            out.add(order, type_, start, url=attributes["href"])
    elif type_ == "custom_emoji":
        out.add(order, type_, start, custom_emoji_id=attributes.get("emoji-id", ""))
    elif type_ == "pre" and attributes.get("language"):
        out.add(order, type_, start, language=attributes["language"])
    elif type_ == "blockquote" and "expandable" in attributes:
        out.add(order, "expandable_blockquote", start)
    else:
        out.add(order, type_, start)


_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _read_link_target(source: str, i: int) -> tuple[str, int]:
    """Read ``(url)`` starting at ``source[i] == "("``; return the url and the index after it."""
    url: list[str] = []
    i += 1
    while i < len(source) and source[i] != ")":
        if source[i] == "\\" and i + 1 < len(source) and 0 < ord(source[i + 1]) <= 126:
            i += 1
        url.append(source[i])
        i += 1
    return "".join(url), i + 1


def _parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    # Open entities: (type, start offset, byte offset of the opening mark, order, language).
    stack: list[tuple[str, int, int, int, str]] = []
    quote_start: int | None = None
    quote_order = 0
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        nxt = source[i + 1] if i + 1 < n else ""
        if char == "\\" and nxt and 0 < ord(nxt) <= 126:
            out.append(nxt)
            i += 2
            continue
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if char == ">" and not in_code and (i == 0 or source[i - 1] == "\n"):
            if quote_start is None:
                quote_start, quote_order = out.position, len(out.entities)
            i += 1
            continue
        if char == "\n" and quote_start is not None and nxt != ">":
            out.add(quote_order, "blockquote", quote_start)
            quote_start = None
        reserved = "`" if in_code else MARKDOWN_V2_RESERVED
        if char not in reserved:
            out.append(char)
            i += 1
            continue
        top = stack[-1][0] if stack else ""
        closes = {
            "bold": char == "*",
            "italic": char == "_" and nxt != "_",
            "underline": char == "_" and nxt == "_",
            "strikethrough": char == "~",
            "spoiler": char == "|" and nxt == "|",
            "code": char == "`",
            "pre": source.startswith("```", i),
            "text_link": char == "]",
            "custom_emoji": char == "]",
        }.get(top, False)
        if closes:
            type_, start, _, order, language = stack.pop()
            i += {"underline": 2, "spoiler": 2, "pre": 3}.get(type_, 1)
            if type_ in ("text_link", "custom_emoji"):
                url = ""
                if i < n and source[i] == "(":
                    url, i = _read_link_target(source, i)
                if type_ == "custom_emoji":
                    if not url.startswith("tg://emoji?id="):
                        raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
                    out.add(order, type_, start, custom_emoji_id=url.removeprefix("tg://emoji?id="))
                elif url:
                    out.add(order, type_, start, url=url)
            elif type_ == "pre" and language:
                out.add(order, type_, start, language=language)
            else:
                out.add(order, type_, start)
            continue
        begin = _byte_offset(source, i)
        language = ""
        if char == "_" and nxt == "_":
            type_, i = "underline", i + 2
        elif char in "_*~[":
            type_, i = (
                {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}[char],
                i + 1,
            )
        elif char == "|" and nxt == "|":
            type_, i = "spoiler", i + 2
        elif char == "!" and nxt == "[":
            type_, i = "custom_emoji", i + 2
        elif source.startswith("```", i):
            type_, i = "pre", i + 3
            line_end = source.find("\n", i)
            if line_end != -1 and re.fullmatch(r"[^\s`]*", source[i:line_end]):
                language, i = source[i:line_end], line_end + 1
        elif char == "`":
            type_, i = "code", i + 1
        else:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        stack.append((type_, out.position, begin, len(out.entities), language))
    if stack:
        type_, _, begin, _, _ = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_V2_NAMES[type_]} entity at byte offset {begin}"
        )
    if quote_start is not None:
        out.add(quote_order, "blockquote", quote_start)
    return out.result()


def _parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            i += 1
            continue
        begin = _byte_offset(source, i)
        is_pre = source.startswith("```", i)
        end_mark = "```" if is_pre else {"[": "]"}.get(char, char)
        i += len(end_mark) if is_pre else 1
        language = ""
        if is_pre:
            line_end = source.find("\n", i)
            closing = source.find("```", i)
            if 0 <= line_end < closing and re.fullmatch(r"[^\s`]*", source[i:line_end]):
                language, i = source[i:line_end], line_end + 1
        end = source.find(end_mark, i)
        if end == -1:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        start = out.position
        out.append(source[i:end])
        i = end + len(end_mark)
        order = len(out.entities)
        if char == "[":
            if i < n and source[i] == "(":
                url, i = _read_link_target(source, i)
                if url:
                    out.add(order, "text_link", start, url=url)
        elif is_pre:
            out.add(order, "pre", start, **({"language": language} if language else {}))
        else:
            out.add(order, {"_": "italic", "*": "bold", "`": "code"}[char], start)
    return out.result()


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, clipping entities to the remaining text."""
    stripped = text.strip()
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            clipped.append(entity | {"offset": start, "length": end - start})
    return stripped, clipped
