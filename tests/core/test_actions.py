"""Actions are values: they survive the outbox as they were made."""

from __future__ import annotations

import pytest

from sanshe.core.actions import SendFile, from_record, to_record


def test_an_empty_file_can_be_sent() -> None:
    sent = SendFile(name="export.csv", content=b"", user="wang")
    assert sent.read() == b"" and from_record(to_record(sent)) == sent
    with pytest.raises(ValueError, match="either content or a path"):
        SendFile(name="export.csv", user="wang")
