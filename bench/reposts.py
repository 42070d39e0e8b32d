"""Benchmark the repost matcher: 100,000 portal entries against 20,000 State Council releases, and
the daily case: today's 5,000 new entries against releases indexed once.

    .venv/bin/python bench/reposts.py                 # full size, about 30 s with data generation
    .venv/bin/python bench/reposts.py --releases 2000 --entries 10000 --today 1000 --sample 200   # quick

The data comes from the labelled-set generator (tests/fixtures/reposts/make_labelled.py, seeded):
realistic release titles with companion families (图解, 解读…), regulations and entries with every
transformation, near-miss and ambiguous case, about 40% of them planted reposts. Each entry has a
label, so the pairs found are compared with the planted reposts, and precision and recall at this
scale are printed too.

Timed, wall and CPU: building the ``Matcher`` (normalisation and index) plus ``match_all`` over
every entry (split between two processes on a machine with two cores; ``--workers 1`` keeps one);
then, with that index, ``match_all`` over ``--today`` entries generated with the others but never
matched before (no cache holds their titles). Peak memory is the peak RSS of this process plus that
of its forked child (generated data included: an upper bound). Side by side, on a sample of
entries, the all-pairs baseline: ``rapidfuzz.process.extractOne`` of each normalised entry title
over all normalised release titles (``fuzz.ratio``, cutoff at the same threshold).
Targets (issue 10): full <= 10 s wall, <= 1 GB, pairs within 2% of the planted reposts; today's
entries < 1 s. The machine may be shared: the load average is printed beside the times. The last
line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
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

#: releases the generator makes per document it draws (companions and regulations come on top)
RELEASES_PER_DOCUMENT = 1.34


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


def _timed(matcher: Matcher, entries: list[Entry]) -> tuple[list, float, float]:
    t, c = time.perf_counter(), _cpu()
    found = matcher.match_all(entries, ambiguous=True)
    return found, time.perf_counter() - t, _cpu() - c


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--releases", type=int, default=20_000, help="releases in all (about)")
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--today", type=int, default=5_000, help="new entries matched against the built index")
    ap.add_argument("--reposts", type=float, default=0.36, help="share of entries drawn as reposts")
    ap.add_argument("--sample", type=int, default=500, help="entries for the all-pairs comparison")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=None,
                    help="processes match_all may use (default: the matcher's, 2 on two cores)")
    args = ap.parse_args(argv)
    if args.workers is not None:
        matcher_module.PARALLEL_WORKERS = args.workers

    t0 = time.perf_counter()
    gen = _generator()
    rel_rows, ent_rows, lab_rows = gen.generate(
        seed=args.seed, n_releases=round(args.releases / RELEASES_PER_DOCUMENT),
        n_entries=args.entries + args.today, reposts=args.reposts)
    releases = [Release(r["id"], r["title"], r["url"], parse_published(r["published"])) for r in rel_rows]
    entries = [Entry(e["id"], e["portal_id"], e["title"], e["url"], parse_published(e["published"]))
               for e in ent_rows]
    entries, today = entries[:args.entries], entries[args.entries:]  # shuffled: alike, not the same
    labels = {lab["entry_id"]: lab["release_id"] for lab in lab_rows}
    del rel_rows, ent_rows, lab_rows
    gc.collect()
    print(f"generated {len(releases)} releases, {len(entries)} + {len(today)} entries in "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)

    load = os.getloadavg()[0]
    t1, c1 = time.perf_counter(), _cpu()
    matcher = Matcher(releases)
    t_build = time.perf_counter() - t1
    found_all, _, _ = _timed(matcher, entries)
    t_total, cpu_total = time.perf_counter() - t1, _cpu() - c1
    pairs = {m.entry_id: m.release_id for m in found_all if not m.ambiguous}
    planted = sum(1 for e in entries if labels[e.id])
    precision, recall = _accuracy(pairs, {e.id: labels[e.id] for e in entries})
    print(f"full: index {t_build:.2f} s, index + match_all {t_total:.2f} s wall (CPU {cpu_total:.2f} s, "
          f"load {load:.1f}); {len(pairs)} pairs for {planted} planted reposts "
          f"({len(pairs) / planted - 1:+.2%}), {len(found_all) - len(pairs)} ambiguous; "
          f"precision {precision:.4f}, recall {recall:.4f}", file=sys.stderr)

    load_today = os.getloadavg()[0]
    found_today, t_today, cpu_today = _timed(matcher, today)
    pairs_today = {m.entry_id: m.release_id for m in found_today if not m.ambiguous}
    tp, tr = _accuracy(pairs_today, {e.id: labels[e.id] for e in today})
    planted_today = sum(1 for e in today if labels[e.id])
    print(f"today: {len(today)} new entries against the index in {t_today:.3f} s wall (CPU {cpu_today:.3f} s, "
          f"load {load_today:.1f}); {len(pairs_today)} pairs for {planted_today} planted; "
          f"precision {tp:.4f}, recall {tr:.4f}", file=sys.stderr)

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
    deviation = len(pairs) / planted - 1 if planted else 0.0
    result = {
        "releases": len(releases), "entries": len(entries), "planted": planted, "pairs": len(pairs),
        "pairs_vs_planted": round(deviation, 4), "ambiguous": len(found_all) - len(pairs),
        "build_s": round(t_build, 3), "total_s": round(t_total, 3), "cpu_s": round(cpu_total, 3),
        "entries_per_s": round(len(entries) / t_total), "precision": round(precision, 4),
        "recall": round(recall, 4), "load": round(load, 2),
        "today": {"entries": len(today), "s": round(t_today, 3), "cpu_s": round(cpu_today, 3),
                  "planted": planted_today, "pairs": len(pairs_today), "precision": round(tp, 4),
                  "recall": round(tr, 4), "load": round(load_today, 2)},
        "peak_rss_mb": round(peak_mb, 1), "peak_rss_self_mb": round(self_mb, 1),
        "peak_rss_children_mb": round(child_mb, 1),
        "sample": len(sample), "baseline_sample_s": round(t_base, 3), "matcher_sample_s": round(t_ours, 4),
        "baseline_projected_s": round(t_base / len(sample) * len(entries), 1),
        "speedup": round(speedup, 1), "baseline_precision": round(bp, 4), "baseline_recall": round(br, 4),
        "targets": {"total_s": 10, "peak_mb": 1024, "pairs_vs_planted": 0.02, "today_s": 1},
        "ok": t_total <= 10 and peak_mb <= 1024 and abs(deviation) <= 0.02 and t_today < 1,
        "workers": matcher_module.PARALLEL_WORKERS, "cpus": os.cpu_count(), "python": platform.python_version(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
