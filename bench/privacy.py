"""The privacy guard's detectors on chat messages: microseconds a message, by kind of message.

Every message in a watched group meets ``personal_data`` (the moderation plugin's
condition), with all four kinds asked; this times it on messages as groups see
them: short chat without digits (most of them), chat with times, dates and
rooms, messages holding a phone, ID or card number or an address, full-width
text, and long messages (a notice of 600 characters with numbers in it), plus
:func:`excerpt` on the same, against a baseline measured alongside: one pass of
a plain digit pattern over the text, the least a detector could cost (the ratio
moves less than the microseconds on a busy machine).  Prints; it does not assert.

    python bench/privacy.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.privacy import KINDS, excerpt, personal_data  # noqa: E402

NOTICE = (
    "各位居民：明天（12月3日）8:00-11:30在3号楼南侧广场进行第5轮核酸检测，请1-6号楼居民"
    "按楼栋顺序错峰下楼，保持1米间距，佩戴口罩。行动不便的居民请提前联系楼长，"
    "我们将安排上门采样。物资发放时间为14:00-17:00，每户限领1份。"
) * 4
MESSAGES: dict[str, list[str]] = {
    "chat, no digits": ["好的，收到", "谢谢社区的工作人员！", "请问今天还发菜吗？", "OK thanks"],
    "chat with numbers": ["明天8:00开始", "3号楼已完成", "体温36.8度", "12月3日 14:30 集合"],
    "personal data": [
        "我的电话13812345678",
        "身份证110101199003074573",
        "卡号 6222 0213 8123 4561",
        "我住5栋2单元302",
    ],
    "full-width": ["电话：１３８－１２３４－５６７８", "（＋８６）１３８１２３４５６７８"],
    "long notice (600 chars)": [NOTICE],
}


def per_message(detect: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Microseconds ``detect`` takes a message of ``texts``, over ``rounds`` passes."""
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            detect(text)
    return (time.perf_counter() - started) / (rounds * len(texts)) * 1e6


_DIGITS = re.compile(r"\d+")


def _baseline(text: str) -> object:
    """One pass of a plain digit pattern over ``text``."""
    return _DIGITS.findall(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20000)
    rounds = parser.parse_args().rounds
    print(
        f"privacy detectors, {rounds} rounds; µs a message: personal_data (all kinds), "
        "excerpt, one digit-pattern pass; personal_data / that pass"
    )
    for name, texts in MESSAGES.items():
        base = per_message(_baseline, texts, rounds)
        found = per_message(lambda text: personal_data(text, KINDS), texts, rounds)
        masked = per_message(excerpt, texts, rounds)
        print(f"  {name:<26} {found:7.2f} {masked:7.2f} {base:7.2f}   x{found / base:.1f}")


if __name__ == "__main__":
    main()
