"""Message catalogues: every text a person reads comes from here.

Catalogues are gettext ``.po`` files read with babel, one per locale, named
``<locale>.po`` in a ``locales`` folder (core's own, and one per plugin that
ships text).  Message ids are stable keys such as ``"help.title"``; the text
is a :meth:`str.format` template.

A text that counts something ("1 record", "2 records") is a plural entry: its
``msgid_plural`` repeats the key and it has one ``msgstr[n]`` per plural form
of the locale, in gettext's order (English: ``[0]`` for one, ``[1]`` for any
other number; Chinese: a single ``[0]``)::

    msgid "records.exported"
    msgid_plural "records.exported"
    msgstr[0] "“{title}”: {count} record."
    msgstr[1] "“{title}”: {count} records."

Code asks for it with the count, ``_.plural("records.exported", n, title=t)``:
babel's plural rule of the locale picks the form, and the count fills
``{count}`` unless a value of that name is given (``_.plural("k", days,
days=days)`` for a text that counts ``{days}``).  Where a key and its values
are handed on to be said later (``ctx.moderated(...)``, a problem's values),
the value named ``count`` picks the form: ``_("records.exported", count=n)``
is the same text.  A plural entry asked for without a count gives its last,
general form.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.plural import PluralRule

#: Locales every catalogue ships; the first one is the fallback.
LOCALES: tuple[str, ...] = ("en", "zh_CN")
FALLBACK = "en"

log = logging.getLogger(__name__)

CORE_LOCALES = Path(__file__).parent / "locales"


def normalize_locale(value: str | None) -> str | None:
    """Map a network or environment language tag (``zh-Hans``, ``en_US.UTF-8``) to a locale we ship."""
    if not value:
        return None
    tag = value.split(".")[0].replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def environment_locale() -> str:
    """The locale of the person at the terminal (``SANSHE_LANG``, then ``LANG``)."""
    for var in ("SANSHE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalize_locale(os.environ.get(var))
        if found:
            return found
    return FALLBACK


#: A catalogue entry: one text, or a plural entry's forms (gettext's ``msgstr[n]`` order).
Text = str | tuple[str, ...]
#: What a plural entry counts: a whole number, or a Decimal as it is shown (``Decimal("1.5")``).
Count = int | Decimal


#: CLDR's plural categories in the order gettext numbers a plural entry's forms.
_CATEGORIES = ("zero", "one", "two", "few", "many", "other")

#: Each shipped locale's plural rule (babel's, from CLDR): the category a count falls in.
PLURAL_RULES: dict[str, PluralRule] = {loc: Locale.parse(loc).plural_form for loc in LOCALES}

#: Each shipped locale's plural categories, one per ``msgstr[n]`` of a plural entry:
#: ``("one", "other")`` in English, ``("other",)`` in Chinese.
PLURAL_FORMS: dict[str, tuple[str, ...]] = {
    loc: tuple(c for c in _CATEGORIES if c in rule.tags or c == "other")
    for loc, rule in PLURAL_RULES.items()
}

_READ: dict[tuple[Path, str, int, int], tuple[tuple[str, Text], ...]] = {}


def _text(string: object) -> Text | None:
    """A babel message's text, or its plural forms; None while any is empty (untranslated)."""
    if isinstance(string, tuple | list):
        forms = tuple(str(form) for form in string)
        return forms if forms and all(forms) else None
    return str(string) if string else None


def _messages(path: Path, locale: str) -> tuple[tuple[str, Text], ...]:
    """The (key, text) pairs of the ``.po`` file at ``path``, parsed once while it is unchanged
    (a process reads each several times: the file's check, the bot, each test's sandbox)."""
    stat = path.stat()
    seen = (path, locale, stat.st_mtime_ns, stat.st_size)
    if seen not in _READ:
        with path.open("rb") as fh:
            pairs = []
            for m in read_po(fh, locale=locale):
                key = m.id[0] if isinstance(m.id, tuple | list) else m.id
                text = _text(m.string)
                if key and text is not None:
                    pairs.append((str(key), text))
            _READ[seen] = tuple(pairs)
    return _READ[seen]


class Catalogue:
    """Translations for all shipped locales, merged from several ``locales`` folders."""

    def __init__(self, folders: Iterable[Path] = (CORE_LOCALES,)) -> None:
        self._texts: dict[str, dict[str, Text]] = {loc: {} for loc in LOCALES}
        self._owners: dict[str, str] = {}
        self._untexted: set[str] = set()
        for folder in folders:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path, owner: str = "") -> tuple[str, ...]:
        """Read ``<locale>.po`` files from ``folder`` (of plugin ``owner``); return the locales read.

        Later folders win on equal keys.
        """
        read = []
        for locale in LOCALES:
            path = folder / f"{locale}.po"
            if not path.is_file():
                continue
            read.append(locale)
            for key, text in _messages(path, locale):
                self._texts[locale][key] = text
                if owner:
                    self.own(key, owner)
        return tuple(read)

    def own(self, key: str, owner: str) -> None:
        """Note that keys beginning like ``key`` (up to its first dot) are plugin ``owner``'s."""
        self._owners.setdefault(key.split(".", 1)[0], owner)

    def keys(self, locale: str) -> set[str]:
        """The message ids a locale has text for."""
        return set(self._texts.get(locale, {}))

    def entry(self, locale: str, key: str) -> Text | None:
        """The text of ``key`` in ``locale`` as written: one text, or a plural entry's forms."""
        return self._texts.get(locale, {}).get(key)

    def gettext(self, locale: str, key: str, /, **values: object) -> str:
        """The text of ``key`` in ``locale`` (falling back to English), filled with ``values``.

        A plural entry takes the form for the value named ``count``; without one, its last,
        general form.
        """
        count = values.get("count")
        if isinstance(count, int | Decimal) and not isinstance(count, bool):
            return self.ngettext(locale, key, count, **values)
        locale, text = self._found(locale, key)
        return _filled(text if isinstance(text, str) else text[-1], values)

    def ngettext(self, locale: str, key: str, count: Count, /, **values: object) -> str:
        """The form of ``key`` for ``count`` in ``locale`` (falling back to English), filled with
        ``values`` and, unless they name it, ``count``."""
        locale, text = self._found(locale, key)
        if not isinstance(text, str):
            form = PLURAL_FORMS[locale].index(PLURAL_RULES[locale](count))
            text = text[min(form, len(text) - 1)]
        return _filled(text, {"count": count, **values})

    def _found(self, locale: str, key: str) -> tuple[str, Text]:
        """The locale whose text ``key`` has (``locale``, else English) and that text; the key
        itself, logged once, when no catalogue has it."""
        for where in (locale, FALLBACK):
            text = self._texts.get(where, {}).get(key)
            if text:
                return where, text
        if key not in self._untexted:
            self._untexted.add(key)
            owner = self._owners.get(key.split(".", 1)[0])
            whose = f" (plugin {owner!r})" if owner else ""
            log.warning("no text for %r%s in any catalogue: people see the key", key, whose)
        return FALLBACK, key


def _filled(template: str, values: Mapping[str, object]) -> str:
    """``template`` with its placeholders filled from ``values`` (none: as written)."""
    return template.format_map(_Missing(values)) if values else template


class _Missing(dict[str, object]):
    """Leaves an unknown ``{placeholder}`` visible instead of raising."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """A catalogue bound to one locale: ``_("key", name=...)``, ``_.plural("key", count, ...)``."""

    __slots__ = ("catalogue", "locale")

    def __init__(self, catalogue: Catalogue, locale: str) -> None:
        self.catalogue = catalogue
        self.locale = locale if locale in LOCALES else FALLBACK

    def __call__(self, key: str, /, **values: object) -> str:
        return self.catalogue.gettext(self.locale, key, **values)

    def plural(self, key: str, count: Count, /, **values: object) -> str:
        """The text of ``key`` in the form for ``count`` ("1 record", "2 records"; a Decimal for
        "1.5 hours"), filled with ``values`` and, unless they name it, ``{count}``."""
        return self.catalogue.ngettext(self.locale, key, count, **values)

    def join(self, items: Iterable[str]) -> str:
        """``items`` as one list in this language (``a, b`` in English, ``甲、乙`` in Chinese)."""
        return self("list.sep").join(items)

    def pick(self, text: Mapping[str, str] | str) -> str:
        """Choose from a YAML text given per locale (``{zh_CN: …, en: …}``) or as one string."""
        if isinstance(text, str):
            return text
        return text.get(self.locale) or text.get(FALLBACK) or next(iter(text.values()), "")
