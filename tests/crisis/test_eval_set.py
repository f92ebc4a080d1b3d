"""The crisis evaluation set's shape: two halves, a development set and two halves of ordinary
chat, balanced and disjoint."""

import json
import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
HALVES = ("tuning.jsonl", "heldout.jsonl")
DEV = "dev.jsonl"
SETS = (*HALVES, DEV)
ORDINARY = ("ordinary-train.jsonl", "ordinary-check.jsonl")
KINDS = {"suicide", "self_harm", "plan_or_means", "farewell_or_burden", "violence", "medical"}
FIELDS = {"text": str, "crisis": bool, "kind": str, "lang": str, "indirect": bool}
HAN = re.compile(r"[\u4e00-\u9fff]")


def problems(lines: list[str]) -> list[str]:
    """What is wrong with each line of one half (an empty list when every line is well formed)."""
    found = []
    for number, line in enumerate(lines, 1):
        try:
            message = json.loads(line)
        except json.JSONDecodeError as error:
            found.append(f"line {number}: not JSON ({error})")
            continue
        if not isinstance(message, dict) or set(message) != set(FIELDS):
            found.append(f"line {number}: fields must be exactly {sorted(FIELDS)}")
            continue
        wrong = [f for f, kind in FIELDS.items() if type(message[f]) is not kind]
        if wrong:
            found.append(f"line {number}: wrong type for {wrong}")
            continue
        if not message["text"].strip():
            found.append(f"line {number}: empty text")
        if message["kind"] not in KINDS | {"none"} or message["crisis"] != (
            message["kind"] != "none"
        ):
            found.append(f"line {number}: kind {message['kind']!r} with crisis={message['crisis']}")
        if message["indirect"] and not message["crisis"]:
            found.append(f"line {number}: only a crisis message is indirect")
        if message["lang"] not in ("zh", "en"):
            found.append(f"line {number}: lang {message['lang']!r}")
        elif bool(HAN.search(message["text"])) != (message["lang"] == "zh"):
            found.append(f"line {number}: lang {message['lang']} does not fit the text")
    return found


def messages(half: str) -> list[dict[str, object]]:
    """The messages of one half."""
    return [json.loads(line) for line in (HERE / half).read_text(encoding="utf-8").splitlines()]


def key(message: dict[str, object]) -> str:
    """A message's text as compared for duplicates: case and spacing ignored."""
    return " ".join(str(message["text"]).casefold().split())


@pytest.mark.parametrize("half", SETS + ORDINARY)
def test_every_line_of_a_half_is_a_labelled_message(half: str) -> None:
    assert problems((HERE / half).read_text(encoding="utf-8").splitlines()) == []


@pytest.mark.parametrize("half", SETS)
def test_a_half_has_enough_of_each_label(half: str) -> None:
    labelled = messages(half)
    crisis = [m for m in labelled if m["crisis"]]
    assert len(labelled) >= (200 if half == DEV else 100)
    assert 0.4 <= len(crisis) / len(labelled) <= 0.6
    assert {m["lang"] for m in labelled} == {"zh", "en"}
    assert {m["lang"] for m in crisis} == {"zh", "en"}
    assert {m["kind"] for m in crisis} == KINDS
    assert any(m["indirect"] for m in crisis)


@pytest.mark.parametrize("half", ORDINARY)
def test_an_ordinary_half_is_ordinary_chat_in_both_languages(half: str) -> None:
    labelled = messages(half)
    assert len(labelled) >= 200
    assert not any(m["crisis"] for m in labelled)
    assert {m["lang"] for m in labelled} == {"zh", "en"}


@pytest.mark.parametrize("half", SETS + ORDINARY)
def test_a_half_has_no_duplicates(half: str) -> None:
    texts = [key(m) for m in messages(half)]
    assert sorted(t for t in set(texts) if texts.count(t) > 1) == []


def test_no_message_is_in_both_halves() -> None:
    tuning, heldout = ({key(m) for m in messages(half)} for half in HALVES)
    assert sorted(tuning & heldout) == []


def test_no_development_message_is_in_tuning_or_held_out() -> None:
    """Only a count is compared for the held-out half: its messages are never printed."""
    tuning, heldout = ({key(m) for m in messages(half)} for half in HALVES)
    dev = {key(m) for m in messages(DEV)}
    assert sorted(dev & tuning) == []
    shared_with_heldout = len(dev & heldout)
    assert shared_with_heldout == 0


def test_no_ordinary_message_is_in_the_other_half_or_another_set() -> None:
    """Only a count is compared for the held-out half: its messages are never printed."""
    train, check = ({key(m) for m in messages(half)} for half in ORDINARY)
    assert sorted(train & check) == []
    others = {key(m) for half in ("tuning.jsonl", DEV) for m in messages(half)}
    assert sorted((train | check) & others) == []
    shared_with_heldout = len((train | check) & {key(m) for m in messages("heldout.jsonl")})
    assert shared_with_heldout == 0


def test_a_malformed_line_is_found() -> None:
    good = '{"text": "热死了", "crisis": false, "kind": "none", "lang": "zh", "indirect": false}'
    assert problems([good]) == []
    malformed = [
        '{"text": "热死了", "crisis": false, "kind": "none", "lang": "zh"',
        '{"text": "热死了", "crisis": "no", "kind": "none", "lang": "zh", "indirect": false}',
        '{"text": "热死了", "crisis": false, "kind": "none", "lang": "zh"}',
        '{"text": "热死了", "crisis": true, "kind": "none", "lang": "zh", "indirect": false}',
        '{"text": "热死了", "crisis": false, "kind": "none", "lang": "en", "indirect": false}',
        '{"text": "help", "crisis": true, "kind": "fire", "lang": "en", "indirect": false}',
    ]
    found = problems([good, *malformed])
    assert [p.split(":")[0] for p in found] == [f"line {n}" for n in range(2, 8)]
