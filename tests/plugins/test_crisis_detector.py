"""The crisis detector: what it reads as a crisis, of which kind, and what only looks like one."""

import pytest

from sanshe.plugins.crisis.detector import Detector, Hit

DETECTOR = Detector.shipped()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我不想活了", "suicide"),
        ("I want to end it all", "suicide"),
        ("他没有呼吸了", "medical"),
        ("我 想 自 殺", "suicide"),
    ],
)
def test_a_crisis_is_read_with_its_kind(text, kind):
    hit = DETECTOR.detect(text)
    assert isinstance(hit, Hit)
    assert hit.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "我想死你了",
        "笑死我了",
        "热死了",
        "this heat is killing me",
        "dying to see you",
        "我没有想过自杀",
    ],
)
def test_what_only_looks_like_a_crisis_is_not_one(text):
    assert DETECTOR.detect(text) is None
