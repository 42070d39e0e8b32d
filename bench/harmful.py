"""Benchmark the harmful-term search: Aho-Corasick (ahocorasick-rs) against a regex alternation.

    .venv/bin/python bench/harmful.py [--mb 1] [--repeat 5]

1 MB of page text (seeded: notice prose, a police report with counter words, an injected block of
gambling and porn terms every ~50 KB) searched for every term of data/harmful_terms.csv: the
automaton ``monitor.extract.harmful`` uses (all overlapping hits, one pass whatever the list's
length), and side by side a compiled alternation of the same terms (longest first,
``re.finditer``). The alternation's hits must be among the automaton's; the time of ``find_terms``
(counter words and snippets included) is printed too. ``--extra-terms N`` adds N random
three-character words to both, to show how each grows with the list. The last line of output is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ahocorasick_rs  # noqa: E402

from _timing import best  # noqa: E402  (bench/, the script's own folder)
from monitor.extract.harmful import find_terms, load_terms  # noqa: E402

PROSE = ["关于做好2024年度城乡居民基本医疗保险参保缴费工作的通知。", "各县（市、区）人民政府，市直各有关单位：",
         "为进一步优化营商环境，提升政务服务效能，经研究决定，现将有关事项通知如下。",
         "县公安局严厉打击网络赌博违法犯罪活动，查处“六合彩”案件一起。", "请各单位高度重视，认真组织实施。",
         "Government Online Service Platform 2024", "发布时间：2024-10-18 09:30 来源：市人民政府办公室"]
INJECTED = "澳门新葡京 真人荷官 百家乐 bet365 注册送彩金 午夜福利 国产自拍 代开发票"


def build(size: int, seed: int = 11) -> str:
    rng = random.Random(seed)
    parts, length, next_spam = [], 0, 50_000
    while length < size:
        piece = rng.choice(PROSE)
        if length >= next_spam:
            piece, next_spam = INJECTED, next_spam + 50_000
        parts.append(piece)
        length += len(piece)
    return "".join(parts)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--extra-terms", type=int, default=0)
    args = parser.parse_args()
    text = build(int(args.mb * 1_000_000)).lower()
    rng = random.Random(3)
    words = [t.term for t in load_terms()] + ["".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(3))
                                              for _ in range(args.extra_terms)]
    automaton = ahocorasick_rs.AhoCorasick(words)
    alternation = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))

    def ac():
        return [(start, words[i]) for i, start, _ in automaton.find_matches_as_indexes(text, overlapping=True)]

    def regex():
        return [(m.start(), m.group()) for m in alternation.finditer(text)]

    ac_hits, re_hits = ac(), regex()
    # the alternation reports non-overlapping leftmost-longest hits, the automaton every hit
    covered = {(s, t) for s, t in re_hits} <= set(ac_hits)
    ac_time, re_time = best(ac, args.repeat), best(regex, args.repeat)
    full = best(lambda: find_terms(text), args.repeat)
    result = {"bench": "harmful", "chars": len(text), "terms": len(words), "ac_hits": len(ac_hits),
              "regex_hits": len(re_hits), "regex_hits_in_ac": covered, "ac_ms": round(ac_time * 1000, 1),
              "regex_ms": round(re_time * 1000, 1), "regex_over_ac": round(re_time / ac_time, 2),
              "find_terms_ms": round(full * 1000, 1), "python": platform.python_version()}
    print(f"{len(text):,} chars, {len(words)} terms: Aho-Corasick {ac_time * 1000:.1f} ms, "
          f"regex alternation {re_time * 1000:.1f} ms ({re_time / ac_time:.1f} x)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
