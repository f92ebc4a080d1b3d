"""The PDF font and styles (core's ``pdf`` module) are loaded only when a PDF is made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE


def test_the_bot_starts_and_lists_its_commands_without_reportlab(tmp_path: Path) -> None:
    """reportlab is made unimportable: the example community (records and hours plugins among
    its plugins) still starts and answers /help, the PDF exports listed in it."""
    program = (
        "import sys; sys.modules['reportlab'] = None; from sanshe.core.cli import main; "
        f"sys.exit(main(['run', '--config', {str(EXAMPLE)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        input="li@dm: /help\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "SANSHE_LANG": "en", "SANSHE_DB_URL": f"sqlite://{tmp_path}/x.db"},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "dm li: " in result.stdout
    assert "/export" in result.stdout
