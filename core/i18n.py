"""Message catalogues: every text a person reads comes from here.

Catalogues are gettext ``.po`` files read with babel, one per locale, named
``<locale>.po`` in a ``locales`` folder (core's own, and one per plugin that
ships text).  Message ids are stable keys such as ``"help.title"``; the text
is a :meth:`str.format` template.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.pofile import read_po

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


_READ: dict[tuple[Path, str, int, int], tuple[tuple[str, str], ...]] = {}


def _messages(path: Path, locale: str) -> tuple[tuple[str, str], ...]:
    """The (key, text) pairs of the ``.po`` file at ``path``, parsed once while it is unchanged
    (a process reads each several times: the file's check, the bot, each test's sandbox)."""
    stat = path.stat()
    seen = (path, locale, stat.st_mtime_ns, stat.st_size)
    if seen not in _READ:
        with path.open("rb") as fh:
            _READ[seen] = tuple(
                (str(m.id), str(m.string)) for m in read_po(fh, locale=locale) if m.id and m.string
            )
    return _READ[seen]


class Catalogue:
    """Translations for all shipped locales, merged from several ``locales`` folders."""

    def __init__(self, folders: Iterable[Path] = (CORE_LOCALES,)) -> None:
        self._texts: dict[str, dict[str, str]] = {loc: {} for loc in LOCALES}
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

    def gettext(self, locale: str, key: str, /, **values: object) -> str:
        """The text of ``key`` in ``locale`` (falling back to English), filled with ``values``."""
        template = self._texts.get(locale, {}).get(key) or self._texts[FALLBACK].get(key)
        if template is None:
            template = key
            if key not in self._untexted:
                self._untexted.add(key)
                owner = self._owners.get(key.split(".", 1)[0])
                whose = f" (plugin {owner!r})" if owner else ""
                log.warning("no text for %r%s in any catalogue: people see the key", key, whose)
        return template.format_map(_Missing(values)) if values else template


class _Missing(dict[str, object]):
    """Leaves an unknown ``{placeholder}`` visible instead of raising."""

    def __init__(self, values: Mapping[str, object]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """A catalogue bound to one locale: ``_("key", name=...)``."""

    __slots__ = ("catalogue", "locale")

    def __init__(self, catalogue: Catalogue, locale: str) -> None:
        self.catalogue = catalogue
        self.locale = locale if locale in LOCALES else FALLBACK

    def __call__(self, key: str, /, **values: object) -> str:
        return self.catalogue.gettext(self.locale, key, **values)

    def join(self, items: Iterable[str]) -> str:
        """``items`` as one list in this language (``a, b`` in English, ``甲、乙`` in Chinese)."""
        return self("list.sep").join(items)

    def pick(self, text: Mapping[str, str] | str) -> str:
        """Choose from a YAML text given per locale (``{zh_CN: …, en: …}``) or as one string."""
        if isinstance(text, str):
            return text
        return text.get(self.locale) or text.get(FALLBACK) or next(iter(text.values()), "")
