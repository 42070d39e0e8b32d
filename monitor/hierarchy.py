"""Level and parent for what is read back from the store: filters and roll-ups (pure).

The store's ``portals`` table holds each portal's region and level as of its last crawl. The parent
comes from the store too once its ``portals`` table has a ``parent`` column, else from the registry
(``MONITOR_REGISTRY``), when the registry's row has the stored URL: a portal the registry no longer
lists, or lists elsewhere, has no parent. Selection follows
:meth:`monitor.registry.Registry.select`: ``parent=X`` is X and everything below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from monitor.registry import LEVELS, descendants, listing

#: what ``--by`` groups on
GROUPINGS = ("region", "level", "parent")
NO_PARENT = "(none)"


def portal_info(store_portals: Iterable[Mapping], registry=None) -> dict[str, dict]:
    """portal id -> {name, region, level, parent, status}: the store's rows, ``parent`` from the
    store when it has the column, else from ``registry`` (a :class:`monitor.registry.Registry`)."""
    known = registry.by_id() if registry is not None else {}
    out = {}
    for row in store_portals:
        pid = row["id"]
        if "parent" in row:
            parent = row.get("parent")
        else:   # only from a registry row that is the same portal (another registry may reuse the id)
            same = known.get(pid)
            parent = same.parent if same is not None and same.url == row.get("url", same.url) else None
        out[pid] = {"name": row.get("name") or "", "region": row.get("region") or "",
                    "level": row.get("level") or "", "parent": parent or "", "status": row.get("status") or ""}
    for pid, p in known.items():   # a registry portal the store has not seen yet
        out.setdefault(pid, {"name": p.name, "region": p.region, "level": p.level, "parent": p.parent or "",
                             "status": p.status})
    return out


class FilterError(ValueError):
    pass


def narrow(info: Mapping[str, dict], level: str | None = None, parent: str | None = None) -> set[str]:
    """The ids of ``info`` matching ``level`` (comma list) and ``parent`` (comma list; each one and
    everything below it). Unknown values raise :class:`FilterError` listing the valid ones."""
    ids = set(info)
    if level:
        levels = [v.strip().lower() for v in level.split(",") if v.strip()]
        unknown = [v for v in levels if v not in LEVELS]
        if unknown:
            raise FilterError(f"unknown level {', '.join(unknown)}; valid: {', '.join(LEVELS)}")
        ids = {pid for pid in ids if info[pid]["level"] in levels}
    if parent:
        roots = [v.strip().lower() for v in parent.split(",") if v.strip()]
        children: dict[str, list[str]] = defaultdict(list)
        for pid, row in info.items():
            if row["parent"]:
                children[row["parent"]].append(pid)
        unknown = [r for r in roots if r not in info]
        if unknown:
            valid = listing(sorted(children)) or "none (no portal has a parent: see MONITOR_REGISTRY)"
            raise FilterError(f"unknown parent {', '.join(unknown)}; valid: {valid}")
        ids &= descendants(children, roots)
    return ids


def group_of(row: Mapping, by: str) -> str:
    return (row.get(by) or "") or (NO_PARENT if by == "parent" else "")


def rollup(rows: Iterable[Mapping], by: str, counters: Mapping[str, callable], sums: Iterable[str] = ()) -> list[dict]:
    """One record per group of ``rows`` (``by``: region, level or parent): ``portals`` (distinct
    ``portal`` values), each counter (a predicate over a row, counted) and each summed column.
    Levels sort top-down, the rest alphabetically."""
    sums = tuple(sums)
    groups: dict[str, dict] = {}
    seen: dict[str, set] = defaultdict(set)
    for row in rows:
        key = group_of(row, by)
        g = groups.setdefault(key, {by: key, "portals": 0, **{c: 0 for c in counters}, **{s: 0 for s in sums}})
        portal = row.get("portal") or row.get("portal_id")
        if portal not in seen[key]:
            seen[key].add(portal)
            g["portals"] += 1
        for name, predicate in counters.items():
            g[name] += 1 if predicate(row) else 0
        for name in sums:
            g[name] += row.get(name) or 0
    order = {lv: i for i, lv in enumerate(LEVELS)}
    key = (lambda k: (order.get(k, 99), k)) if by == "level" else (lambda k: (k == NO_PARENT, k))
    return [groups[k] for k in sorted(groups, key=key)]
