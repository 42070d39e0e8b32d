"""What the benchmarks share: the best of repeated timings (a noisy, shared machine's minimum is
the figure that least depends on what else ran)."""

from __future__ import annotations

import time


def best(fn, repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)
