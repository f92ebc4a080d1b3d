"""The crisis detector: what it reads as a crisis, of which kind, and what only looks like one."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from sanshe.plugins.crisis.detector import Detector, Hit, LexiconSettings
from sanshe.plugins.crisis.evaluation import evaluate

DETECTOR = Detector.shipped()
LEARNED = Detector.shipped(learned=True)
SETS = Path(__file__).parent.parent / "crisis"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我不想活了", "suicide"),
        ("I want to end it all", "suicide"),
        ("他没有呼吸了", "medical"),
        ("I'm going to kill myself tonight", "suicide"),
        ("我把安眠药都攒起来了", "plan_or_means"),
        ("I keep cutting my arms again", "self_harm"),
        ("没有我你们会更好", "farewell_or_burden"),
        ("我要杀了他", "violence"),
        ("他又打我了，我好怕", "violence"),
        ("my mum collapsed and is not breathing", "medical"),
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
        "有事打我电话 +86 138-1234-5678 谢谢",  # 打我 (hits me) inside "call me"
    ],
)
def test_what_only_looks_like_a_crisis_is_not_one(text):
    assert DETECTOR.detect(text) is None
    assert LEARNED.detect(text) is None


def test_moderators_add_cues_and_idioms_in_yaml():
    extra = LexiconSettings.model_validate(
        {
            "add": {"zh": {"suicide": {"phrases": ["不想撑了"], "regexes": ["熬.{0,2}不过今晚"]}}},
            "ignore": {"zh": {"idioms": ["跳楼价"]}},
        }
    )
    detector = Detector.shipped(extra)
    assert detector.detect("我真的不想撑了") == Hit("suicide", "zh.suicide.moderators")
    assert detector.detect("我怕是熬不 过今晚") == Hit("suicide", "zh.suicide.moderators")
    assert DETECTOR.detect("清仓跳楼价，全场五折") is not None
    assert detector.detect("清仓跳楼价，全场五折") is None


@pytest.mark.parametrize(
    ("text", "kind", "idiom"),
    [
        (
            "我已经把话都说完了，以后就不麻烦大家了",
            "farewell_or_burden",
            {"zh": {"idioms": ["把话都说完了"]}},
        ),
        (
            "I've made my peace with everything, tonight I finally get to rest for good",
            "suicide",
            {"en": {"idioms": ["made my peace"]}},
        ),
    ],
)
def test_the_learned_layer_reads_what_no_cue_says_and_a_moderators_idiom_vetoes_it(
    text, kind, idiom
):
    assert DETECTOR.detect(text) is None
    language = next(iter(idiom))
    assert LEARNED.detect(text) == Hit(kind, f"{language}.{kind}.learned")
    extra = LexiconSettings.model_validate({"ignore": idiom})
    assert Detector.shipped(extra, learned=True).detect(text) is None


ORDINARY_CHAT = [
    "女",
    "满意",
    "A组",
    "/记录 nope",
    "hi",
    "hello",
    "好的",
    "我好累啊",
    "I want to go home",
    "不想上班",
]


@pytest.mark.parametrize("text", ORDINARY_CHAT)
def test_ordinary_chat_is_not_a_crisis_to_the_lexicon(text):
    assert DETECTOR.detect(text) is None


@pytest.mark.parametrize(
    "text", ["女", "满意", "A组", "45", "/checkin 36.8", "hi", "好的", "我好累啊"]
)
def test_the_learned_layer_reads_no_form_answer_command_number_or_short_chat(text):
    assert LEARNED.detect(text) is None


def test_the_lexicon_flags_at_most_one_in_a_hundred_ordinary_messages():
    """Reported for the learned layer, not asserted: it flags 10 of 300 (see the README)."""
    figures = evaluate(SETS / "ordinary-check.jsonl", DETECTOR)
    print(figures.line("ordinary check, lexicon"))
    print(evaluate(SETS / "ordinary-check.jsonl", LEARNED).line("ordinary check, learned"))
    assert figures.messages >= 200
    assert figures.false_positives <= figures.messages / 100


def test_a_regex_python_cannot_read_is_refused_with_a_sentence():
    with pytest.raises(ValidationError) as refused:
        LexiconSettings.model_validate({"add": {"en": {"violence": {"regexes": ["kill (him"]}}}})
    assert (
        "'kill (him' is not a regular expression: missing ), unterminated subpattern at position 5"
        in str(refused.value)
    )


def test_an_unknown_kind_or_language_is_refused():
    with pytest.raises(ValidationError):
        LexiconSettings.model_validate({"add": {"en": {"sadness": {"phrases": ["sad"]}}}})
    with pytest.raises(ValidationError):
        LexiconSettings.model_validate({"add": {"fr": {"suicide": {"phrases": ["mourir"]}}}})


@pytest.mark.parametrize("detector", [DETECTOR, LEARNED], ids=["lexicon", "learned"])
def test_the_tuning_half_is_read_as_tuned(detector):
    figures = evaluate(SETS / "tuning.jsonl", detector)
    print(figures.line("tuning"))
    assert figures.messages == 136
    assert figures.recall >= 0.97
    assert figures.precision >= 0.8


@pytest.mark.parametrize("detector", [DETECTOR, LEARNED], ids=["lexicon", "learned"])
def test_the_development_set_is_read_as_tuned(detector):
    figures = evaluate(SETS / "dev.jsonl", detector)
    print(figures.line("dev"))
    assert figures.messages >= 200
    assert figures.recall >= 0.97
    assert figures.precision >= 0.8


@pytest.mark.parametrize("detector", [DETECTOR, LEARNED], ids=["lexicon", "learned"])
def test_the_held_out_half_is_measured_and_printed(detector):
    """Reported, not asserted: no floor was set before it was first run."""
    for language in (None, "zh", "en"):
        figures = evaluate(SETS / "heldout.jsonl", detector, language)
        print(figures.line(f"held out ({language or 'all'})"))
        assert figures.messages > 0
        assert figures.true_positives + figures.false_negatives > 0
