"""What core and the built-in plugins may import: no network library (network specifics stay
in ``adapters/``) and not the test kit (``sanshe.testing``), so that the bot runs installed
without them."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

#: Modules (and their submodules) core and the plugins must not import.
FORBIDDEN = ("sanshe.testing", "sanshe.adapters", "nio", "telegram", "aiohttp", "httpx")


def _imported(path: Path) -> list[str]:
    """The modules ``path`` imports (a relative import by the name it has installed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def test_core_and_the_plugins_import_no_network_library_nor_the_test_kit() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for folder in ("core", "plugins")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for module in _imported(path)
        if any(module == f or module.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert wrong == []
