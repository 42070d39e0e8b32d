"""Benchmark the repost matcher: 100,000 portal entries against 20,000 State Council releases.

    .venv/bin/python bench/reposts.py                 # full size, about a minute with data generation
    .venv/bin/python bench/reposts.py --releases 2000 --entries 10000 --sample 200   # quick

The data comes from the labelled-set generator (tests/fixtures/reposts/make_labelled.py, seeded):
realistic release titles and entries with every transformation and near-miss, so precision and
recall at this scale are printed too. Timed: building the ``Matcher`` (normalisation and index)
plus ``match_all`` over every entry (which splits the entries between two processes on a machine
with two cores, ``--workers 1`` to keep one; wall time and the CPU time of both are printed).
Side by side, on a sample of entries, the
all-pairs baseline: ``rapidfuzz.process.extractOne`` of each normalised entry title over all
normalised release titles (``fuzz.ratio``, cutoff at the same threshold), against our matcher on the
same sample. Peak memory is the process's peak RSS plus its child's (generated data included: an
upper bound).
Targets: <= 10 s and <= 1 GB. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import platform
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from monitor.match import DEFAULT_THRESHOLD, Entry, Matcher, Release, normalize_title, parse_published  # noqa: E402
from monitor.match import matcher as matcher_module  # noqa: E402


def _generator():
    path = ROOT / "tests" / "fixtures" / "reposts" / "make_labelled.py"
    spec = importlib.util.spec_from_file_location("make_labelled", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished child processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _accuracy(found: dict[str, str], labels: dict[str, str | None]) -> tuple[float, float]:
    right = sum(1 for eid, rid in found.items() if labels[eid] == rid)
    positives = sum(1 for rid in labels.values() if rid)
    return (right / len(found) if found else 1.0), (right / positives if positives else 1.0)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--releases", type=int, default=20_000)
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=500, help="entries for the all-pairs comparison")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=None,
                    help="processes match_all may use (default: the matcher's, 2 on two cores)")
    args = ap.parse_args(argv)
    if args.workers is not None:
        matcher_module.PARALLEL_WORKERS = args.workers

    t0 = time.perf_counter()
    gen = _generator()
    rel_rows, ent_rows, lab_rows = gen.generate(seed=args.seed, n_releases=args.releases,
                                                n_entries=args.entries)
    releases = [Release(r["id"], r["title"], r["url"], parse_published(r["published"])) for r in rel_rows]
    entries = [Entry(e["id"], e["portal_id"], e["title"], e["url"], parse_published(e["published"]))
               for e in ent_rows]
    labels = {lab["entry_id"]: lab["release_id"] for lab in lab_rows}
    del rel_rows, ent_rows, lab_rows
    gc.collect()
    print(f"generated {len(releases)} releases, {len(entries)} entries in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)

    t1, c1 = time.perf_counter(), _cpu()
    matcher = Matcher(releases)
    t_build = time.perf_counter() - t1
    matches = matcher.match_all(entries)
    t_total, cpu_total = time.perf_counter() - t1, _cpu() - c1
    found = {m.entry_id: m.release_id for m in matches}
    precision, recall = _accuracy(found, labels)
    print(f"matcher: index {t_build:.2f} s, index + match_all {t_total:.2f} s (CPU {cpu_total:.2f} s), {len(matches)} matched, "
          f"precision {precision:.4f}, recall {recall:.4f}", file=sys.stderr)

    # side by side on a sample: all pairs vs the index
    sample = random.Random(args.seed).sample(entries, min(args.sample, len(entries)))
    norms = [normalize_title(r.title) for r in releases]
    cutoff = DEFAULT_THRESHOLD * 100
    t2 = time.perf_counter()
    base_found = {}
    for e in sample:
        best = process.extractOne(normalize_title(e.title), norms, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is not None:
            base_found[e.id] = releases[best[2]].id
    t_base = time.perf_counter() - t2
    t3 = time.perf_counter()
    ours_found = {m.entry_id: m.release_id for m in matcher.match_all(sample)}
    t_ours = time.perf_counter() - t3
    sample_labels = {e.id: labels[e.id] for e in sample}
    bp, br = _accuracy(base_found, sample_labels)
    op, orr = _accuracy(ours_found, sample_labels)
    speedup = t_base / t_ours if t_ours else float("inf")
    print(f"sample of {len(sample)}: all-pairs extractOne {t_base:.2f} s (precision {bp:.3f}, recall {br:.3f}), "
          f"matcher {t_ours:.3f} s (precision {op:.3f}, recall {orr:.3f}): {speedup:.0f}x", file=sys.stderr)

    # KiB on Linux; the forked matching process, if any, counts on top (both at their peaks)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak_mb = self_mb + child_mb
    result = {
        "releases": len(releases), "entries": len(entries), "matched": len(matches),
        "build_s": round(t_build, 3), "total_s": round(t_total, 3), "cpu_s": round(cpu_total, 3),
        "entries_per_s": round(len(entries) / t_total), "precision": round(precision, 4),
        "recall": round(recall, 4), "peak_rss_mb": round(peak_mb, 1),
        "peak_rss_self_mb": round(self_mb, 1), "peak_rss_children_mb": round(child_mb, 1),
        "sample": len(sample), "baseline_sample_s": round(t_base, 3), "matcher_sample_s": round(t_ours, 4),
        "baseline_projected_s": round(t_base / len(sample) * len(entries), 1),
        "speedup": round(speedup, 1), "baseline_precision": round(bp, 4), "baseline_recall": round(br, 4),
        "target_s": 10, "target_mb": 1024, "ok": t_total <= 10 and peak_mb <= 1024,
        "workers": matcher_module.PARALLEL_WORKERS, "python": platform.python_version(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
