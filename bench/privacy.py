"""Benchmark the personal-data scan: 1 MB of page text, against a bare digit-run regex.

    .venv/bin/python bench/privacy.py [--mb 1] [--repeat 7]

The text is built (seeded) from what government pages carry: Chinese prose of notices, dates,
office phone numbers, 12345 hotlines, document numbers (豫政办〔2024〕12号), 17–20 digit order and
serial numbers, ID-like numbers failing the check digit, and a planted leak every ~20 KB (an ID
number, a mobile, a bank card), so the scan's candidate checks run as often as on real pages.
Timed: ``scan_text`` over the whole text, best of ``--repeat``; side by side, the floor any scan
pays: ``re.findall(r"\\d{15,19}", text)`` on the same text. Target: < 50 ms for 1 MB.
The last line of output is one JSON object.
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

from stdnum import luhn  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from _timing import best  # noqa: E402  (bench/, the script's own folder)
from monitor.extract.privacy import _CANDIDATE_RE, scan_text  # noqa: E402

PROSE = ["关于做好2024年度城乡居民基本医疗保险参保缴费工作的通知", "各县（市、区）人民政府，市直各有关单位：",
         "为进一步优化营商环境，提升政务服务效能，经研究决定，现将有关事项通知如下。", "一、充分认识重要意义。",
         "请各单位高度重视，认真组织实施，确保各项工作落到实处。", "特此通知。", "发布时间：2024-10-18 09:30",
         "来源：市人民政府办公室", "联系电话：0371-67891234，传真：0371-67891235。", "服务热线：12345。",
         "文号：豫政办〔2024〕12号", "订单号：202410180930123456", "项目编号：ZFCG-2024-00123",
         "浏览次数：1024", "网站标识码：4101000001", "豫ICP备05001234号", "统一社会信用代码：91410100MA44ABCD1X"]


def build(size: int, seed: int = 7) -> tuple[str, int]:
    rng = random.Random(seed)
    parts, length, planted, next_leak = [], 0, 0, 20_000
    while length < size:
        piece = rng.choice(PROSE)
        if rng.random() < 0.05:
            piece = f"证书编号{rng.randint(10 ** 17, 10 ** 18 - 1)}，批次{rng.randint(10 ** 14, 10 ** 15 - 1)}。"
        if length >= next_leak:
            base = f"410105{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            card = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(12))
            piece = (f"申请人身份证号{base + ric.calc_check_digit(base + '0')}，手机{rng.choice(['138', '186'])}"
                     f"{rng.randint(0, 10 ** 8 - 1):08d}，卡号{card + luhn.calc_check_digit(card)}。")
            planted += 3
            next_leak += 20_000
        parts.append(piece)
        length += len(piece)
    return "".join(parts)[:size], planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    text, planted = build(int(args.mb * 1_000_000))
    report = scan_text(text, limit=10_000)
    found = sum(report.counts.values())
    ours = best(lambda: scan_text(text), args.repeat)
    floor_re = re.compile(r"\d{15,19}")
    floor = best(lambda: floor_re.findall(text), args.repeat)
    candidates = sum(1 for _ in _CANDIDATE_RE.finditer(text))
    result = {"bench": "privacy", "chars": len(text), "candidates": candidates, "planted": planted, "found": found,
              "counts": report.counts, "ms": round(ours * 1000, 1), "target_ms": 50 * args.mb,
              "findall_ms": round(floor * 1000, 1), "ratio_vs_findall": round(ours / floor, 2),
              "repeat": args.repeat, "python": platform.python_version()}
    print(f"{len(text):,} chars in {ours * 1000:.1f} ms ({ours / floor:.2f} x a bare digit-run findall); "
          f"{found}/{planted} planted numbers found")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
