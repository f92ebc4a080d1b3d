"""Messages per second through Sanshe's pipeline, with 10 and with 1,000 keyword rules.

Pushes synthetic resident messages across 1,000 groups through the in-memory
adapter path (the console's path, without printing), the built-in plugins
and the rules engine, each event checkpointed in an in-memory SQLite
database.  Prints both rates and their ratio: message cost should not grow
with the number of rules (target >= 0.8).  It prints; it does not assert.

    python bench/pipeline.py [--messages 100000] [--groups 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sanshe.core.events import Message  # noqa: E402
from sanshe.testing import Sandbox  # noqa: E402

WORDS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def community_yaml(groups: int, rules: int) -> str:
    lines = [
        "community: {id: bench, name: Bench, locale: zh_CN}",
        "groups:",
        *(f"  - {{id: g{i}, kind: resident, name: G{i}}}" for i in range(groups)),
        "people:",
        "  - {id: wang, name: Wang, handles: {console: wang}, roles: [social_worker]}",
        "rules:",
    ]
    for i in range(rules):
        word = WORDS[i % len(WORDS)] + WORDS[(i * 7 + 3) % len(WORDS)] + f"{i}号"
        lines.append(
            f"  - {{id: r{i}, where: {{kinds: [resident]}}, when: {{keywords: [{word}]}}, do: [{{reply: 已收到}}]}}"
        )
    return "\n".join(lines) + "\n"


def messages(count: int, groups: int, seed: int = 7) -> list[Message]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        text = "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        if n % 100 == 0:
            text += "呼吸" + "5号"  # a near miss for the automaton
        out.append(
            Message(
                network="console",
                chat=f"g{n % groups}",
                event_id=f"m{n}",
                sender=f"r{n % 5000}",
                text=text,
                message_id=str(n),
            )
        )
    return out


async def run(rules: int, events: list[Message], groups: int, folder: Path) -> float:
    config = folder / f"community-{rules}.yaml"
    config.write_text(community_yaml(groups, rules), encoding="utf-8")
    async with Sandbox(config, timeout=600) as sandbox:
        submit = sandbox.bot.submit
        start = time.perf_counter()
        await asyncio.gather(*(submit(event) for event in events))
        elapsed = time.perf_counter() - start
    return len(events) / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=1_000)
    args = parser.parse_args()
    events = messages(args.messages, args.groups)
    with tempfile.TemporaryDirectory() as tmp:
        await run(10, events[: min(2_000, len(events))], args.groups, Path(tmp))  # warm-up
        few = await run(10, events, args.groups, Path(tmp))
        many = await run(1_000, events, args.groups, Path(tmp))
    print(
        f"pipeline: {args.messages} messages across {args.groups} groups, basics + forms + moderation plugins"
    )
    print(f"  10 keyword rules:    {few:10.0f} messages/s")
    print(f"  1,000 keyword rules: {many:10.0f} messages/s")
    print(f"  ratio 1,000 rules / 10 rules: {many / few:.2f}  (target >= 0.8)")


if __name__ == "__main__":
    asyncio.run(main())
