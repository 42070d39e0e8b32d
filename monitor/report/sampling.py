"""The review sample: a share of the running portals, drawn the way the office draws its spot-check
list — within strata (region by default, optionally region and level), every stratum represented.

Allocation: the sample size is ``round(share × running portals)``; each stratum gets its
proportional share rounded down, at least one portal, and the portals left over go to the strata
with the largest remainders (ties: the larger stratum, then its key). Within a stratum the portals
are drawn with ``random.Random(seed)`` from the ids in sorted order, so a seed gives the same sample
on any machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence

STRATA = ("region", "level")


def allocate(sizes: Mapping[tuple, int], share: float) -> dict[tuple, int]:
    """How many portals to draw from each stratum (``sizes``: stratum -> running portals)."""
    total = sum(sizes.values())
    target = round(share * total)
    exact = {k: share * n for k, n in sizes.items()}
    counts = {k: min(n, max(1, math.floor(exact[k]))) for k, n in sizes.items() if n}
    left = target - sum(counts.values())
    order = sorted(counts, key=lambda k: (-(exact[k] - math.floor(exact[k])), -sizes[k], k))
    for k in order:
        if left <= 0:
            break
        if counts[k] < sizes[k]:
            counts[k] += 1
            left -= 1
    return counts


def draw(portals: Iterable[Mapping], share: float, stratify: Sequence[str] = ("region",),
         seed: int = 0) -> list[Mapping]:
    """The sample of running portals (``status`` active), sorted by stratum and id."""
    strata: dict[tuple, list[Mapping]] = {}
    for p in portals:
        if p.get("status", "active") != "active":
            continue
        strata.setdefault(tuple(p.get(k) or "" for k in stratify), []).append(p)
    counts = allocate({k: len(v) for k, v in strata.items()}, share)
    rng = random.Random(seed)
    out = []
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda p: p["id"])
        out.extend(sorted(rng.sample(members, counts.get(key, 0)), key=lambda p: p["id"]))
    return out
