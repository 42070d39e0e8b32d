"""Benchmark the copied-guide detector: 100,000 synthetic service guides with planted copies.

    .venv/bin/python bench/guides.py                       # full size
    .venv/bin/python bench/guides.py --guides 10000        # quick

The corpus comes from tests/fixtures/guides/make_corpus.py (seeded): every county with a unique name
gets guides of up to 40 services from per-service templates filled with its own offices, numbers
and optional sentences, so each service's guides form one large cluster of honest near-duplicates;
``--copies`` of them are replaced by another county's guide with only the heading renamed, and
``--decoys`` name a neighbour county once (跨区域通办). Timed: ``find_copies`` over all guides
(shingling, MinHash signatures, the datasketch LSH index, place names, exact Jaccard on candidates).
Side by side on a sample: datasketch's own per-shingle ``MinHash.update_batch`` (sha1 of each
shingle, the library's default) against our batched signatures, as guides per second.
Target: < 60 s for 100,000 guides. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasketch import MinHash  # noqa: E402

from monitor.extract.guides import NUM_PERM, SEED, SHINGLE, find_copies, shingles, signatures  # noqa: E402


def _corpus():
    path = ROOT / "tests" / "fixtures" / "guides" / "make_corpus.py"
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--decoys", type=int, default=500)
    parser.add_argument("--sample", type=int, default=1000, help="guides signed both ways side by side")
    args = parser.parse_args()

    started = time.perf_counter()
    guides, planted = _corpus().make(args.guides, copies=args.copies, decoys=args.decoys)
    generated = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    pairs = find_copies(guides)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    found = {(p.copy_url, p.source_url) for p in pairs}
    right = len(found & planted)

    sample = guides[: args.sample]
    started = time.perf_counter()
    for guide in sample:
        text = guide.text
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([text[i:i + SHINGLE].encode("utf-8") for i in range(max(1, len(text) - SHINGLE + 1))])
    library = time.perf_counter() - started
    started = time.perf_counter()
    signatures([shingles(g.text) for g in sample])
    ours = time.perf_counter() - started

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "bench": "guides", "guides": len(guides), "planted_copies": len(planted), "decoys": args.decoys,
        "pairs": len(pairs), "recall": round(right / len(planted), 4) if planted else 1.0,
        "false_pairs": len(found - planted), "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
        "target_seconds": 60, "generate_seconds": round(generated, 2),
        "mean_chars": round(sum(len(g.text) for g in guides) / len(guides)),
        "sign_sample": len(sample),
        "datasketch_update_batch_guides_per_s": round(len(sample) / library),
        "batched_guides_per_s": round(len(sample) / ours),
        "speedup_vs_update_batch": round(library / ours, 1),
        "peak_rss_mb": round(peak_mb), "python": platform.python_version(),
    }
    print(f"{len(guides)} guides in {elapsed:.1f} s: {right}/{len(planted)} planted copies found, "
          f"{len(found - planted)} false pairs")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
