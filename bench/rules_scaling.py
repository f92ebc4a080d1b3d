"""Messages per second through Sanshe's pipeline with 10, 100, 1,000 and 5,000 content rules.

The rules are generated as moderators write them: seven in ten match keywords (one to
four words each), three in ten a regular expression with a word of its own in it
(``速转.{0,8}第17号通知``); every third exempts staff (``not_sender_role``), every fifth
applies only to links outside a whitelist (``links_outside``); each deletes and posts a
clarification.  The same synthetic resident messages go through each community: one in
a hundred fires one of the ten rules every community has, one in fifty comes near a
keyword and a pattern without matching either, one in twenty carries a link.  So the
work a message makes beyond the rules engine is the same in every run, and the rates show
what the number of rules costs.  The rules come after the example community's own, every
built-in plugin on with its settings (see ``example.py``).  Each run is a fresh sandbox on a SQLite file (or
``--db``), at most 100 events in flight, as in ``bench/pipeline.py``; each rate comes
with the CPU this process spent per message.  Printed: the rates and the 5,000/10 ratio
(target >= 0.8).  It prints; it does not assert.

    python bench/rules_scaling.py [--messages 20000] [--groups 100] [--in-flight 100]
                                  [--rules 10,100,1000,5000] [--db sqlite|<database URL>]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import example  # noqa: E402

from sanshe.core.events import Message  # noqa: E402
from sanshe.testing import Sandbox  # noqa: E402

# Common characters for the messages; the rules' words also carry a number and 号, which
# the messages never do unless they are meant to match (or nearly).
CHARACTERS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
LETTERS = "".join(c for c in CHARACTERS if c != "号")
#: Words that begin each rule's regular expression, as rumours are worded.
LEADS = ("速转", "扩散", "紧急通知", "内部消息", "刚刚", "据说")
WHITELIST = "[gov.cn, who.int, news.cn]"
STAFF = "[community_worker, grid_worker]"

# A key to seal personal data with, for a database without one (as on a first start).
os.environ.setdefault("SANSHE_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())


def word(i: int, part: int = 0) -> str:
    """Rule ``i``'s ``part``-th keyword: two characters, the rule's number and 号."""
    n = i * 4 + part
    return LETTERS[n % len(LETTERS)] + LETTERS[(n * 7 + 3) % len(LETTERS)] + f"{i}号"


def rule_line(i: int) -> str:
    """Rule ``i`` of a generated community, on one line of YAML."""
    when: list[str] = []
    if i % 10 < 7:
        when.append("keywords: [" + ", ".join(word(i, p) for p in range(1 + i % 4)) + "]")
    else:
        lead = LEADS[i % len(LEADS)]
        when.append(f"regex: '{lead}.{{0,8}}第{i}号(?:通知|消息)'")
    if i % 3 == 0:
        when.append(f"not_sender_role: {STAFF}")
    if i % 5 == 4:
        when.append(f"links_outside: {WHITELIST}")
    return (
        f"  - {{id: r{i}, where: {{kinds: [resident]}}, when: {{{', '.join(when)}}}, "
        f"do: [delete, {{clarify: 第{i}条规则：请以官方发布为准。}}]}}"
    )


def matching(i: int) -> str:
    """A text that fires rule ``i`` (one of the first ten, which every community has)."""
    if i % 10 < 7:
        text = word(i)
    else:
        text = f"{LEADS[i % len(LEADS)]}：第{i}号通知"
    return text + (" 详见 rumour.top/x" if i % 5 == 4 else "")


def messages(count: int, groups: int, seed: int = 7) -> list[Message]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        text = "".join(rng.choice(LETTERS) for _ in range(rng.randint(8, 40)))
        if n % 100 == 0:
            text += matching(n // 100 % 10)
        elif n % 50 == 1:
            text += f"{LEADS[n % len(LEADS)]}第号通知{word(n % 10)[:2]}号"  # near misses
        elif n % 20 == 2:
            text += " 看 https://www.nhc.gov.cn/x"
        out.append(
            Message(
                network="console",
                chat=f"g{n % groups}",
                event_id=f"m{n}",
                sender=f"r{n % 5000}",
                sender_name=example.NICKNAME,
                text=text,
                message_id=str(n),
            )
        )
    return out


async def run(
    rules: int, events: list[Message], groups: int, folder: Path, db: str, in_flight: int
) -> tuple[float, float]:
    """Messages per second through a fresh sandbox with ``rules`` rules, and CPU s a message."""
    config = example.community_file(
        folder, f"community-{rules}.yaml", groups, [rule_line(i) for i in range(rules)]
    )
    url = f"sqlite://{folder}/run-{rules}-{time.monotonic_ns()}.sqlite3" if db == "sqlite" else db
    async with Sandbox(config, db_url=url, timeout=600) as sandbox:
        submit = sandbox.bot.submit
        queue = iter(events)

        async def feed() -> None:  # one adapter connection: the next event once one is done
            for event in queue:
                await submit(event)

        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(feed() for _ in range(in_flight)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(events) / elapsed, cpu / len(events)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--rules", default="10,100,1000,5000", help="rule counts, lowest first")
    parser.add_argument("--db", default="sqlite", help="sqlite (a file a run) or a database URL")
    args = parser.parse_args()
    counts = [int(c) for c in args.rules.split(",")]
    events = messages(args.messages, args.groups)
    print(
        f"rules scaling: {args.messages} messages across {args.groups} groups, content rules "
        f"(7 in 10 keywords, 3 in 10 regex) after the example's, every built-in plugin on, "
        f"at most {args.in_flight} in flight"
    )
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        await run(counts[0], events[: min(2_000, len(events))], args.groups, folder, args.db, 100)
        for count in counts:
            rate, cpu = await run(count, events, args.groups, folder, args.db, args.in_flight)
            rates[count] = rate
            print(
                f"  {count:>5,} rules: {rate:10.0f} messages/s   {cpu * 1e6:7.1f} µs CPU a message"
            )
    most, fewest = counts[-1], counts[0]
    print(
        f"  ratio {most:,} rules / {fewest:,} rules: {rates[most] / rates[fewest]:.2f}"
        "  (target >= 0.8)"
    )


if __name__ == "__main__":
    asyncio.run(main())
