"""The example community (config/community.yaml) grown for a bench: every built-in plugin on,
with the example's settings, rules and forms, and as many resident groups and rules as asked.

The generated resident groups are in Building 1, so the nickname check, the
check-ins and the crisis detector look at their messages as at the example's;
the example's own rules (privacy guard, rumours, flood, superstition…) come
before the generated ones.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

import sanshe.config

#: The example shipped with the sanshe that is imported.
EXAMPLE = Path(sanshe.config.__file__).parent / "community.yaml"
#: What a generated resident calls themselves: as the example's nickname pattern asks.
NICKNAME = "1-101自住"


def community_file(folder: Path, name: str, groups: int, rules: list[str]) -> Path:
    """Write the example community with ``groups`` resident groups ``g0``… and the rules
    ``rules`` (each one line of YAML, ``  - {id: …}``) after its own, into ``folder``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    added = "".join(
        f'  - {{id: g{i}, kind: resident, name: G{i}, building: "1"}}\n' for i in range(groups)
    )
    text = _before(text, "people:", added)
    text = _before(text, "forms:", "".join(f"{line}\n" for line in rules))
    shutil.copytree(EXAMPLE.parent / "forms", folder / "forms", dirs_exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _before(text: str, section: str, lines: str) -> str:
    """``text`` with ``lines`` at the end of the top-level section before ``section``."""
    at = text.index(f"\n{section}\n")
    return text[: at + 1] + lines + text[at + 1 :]


def plugins() -> list[str]:
    """The built-in plugins the example enables (all of them: it disables none)."""
    from sanshe.core.plugins import BUILTINS, plugin_name

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    disabled = set(data.get("plugins", {}).get("disable") or [])
    return [plugin_name(m) for m in BUILTINS if plugin_name(m) not in disabled]
