"""Scale-out: ``monitor schedule`` posts crawls to scrapyd nodes, ``monitor merge`` joins their stores."""

from __future__ import annotations

import sys
from collections import Counter

import click

from monitor.cli import UserError
from monitor.cli.common import FORMATS, emit, monitor_settings, name_value_pairs

SPIDERS = ("portal", "probe", "statecouncil")
DEFAULT_PROJECT = "portal_monitor"
SCHEDULE_COLUMNS = ("node", "spider", "regions", "portals", "jobid", "error")


def shard_regions(counts: dict[str, int], nodes: int) -> list[list[str]]:
    """Regions spread over ``nodes`` balanced by portal count: largest region first, each to the
    node with the fewest portals so far (ties: the earlier node). Returns one sorted list per node."""
    loads = [0] * nodes
    shards: list[list[str]] = [[] for _ in range(nodes)]
    for region, count in sorted(counts.items(), key=lambda rc: (-rc[1], rc[0])):
        i = min(range(nodes), key=lambda n: (loads[n], n))
        shards[i].append(region)
        loads[i] += count
    return [sorted(s) for s in shards]


def _region_counts(registry_path: str, regions: str) -> dict[str, int]:
    from monitor.registry import RegistryError, SelectionError, load_registry
    try:
        registry = load_registry(registry_path, list(monitor_settings().allow_hosts))
        portals = registry.select(regions, None)
    except RegistryError as exc:
        raise UserError("invalid registry: " + "; ".join(exc.problems)) from None
    except SelectionError as exc:
        raise UserError(str(exc)) from None
    return dict(Counter(p.region for p in portals if p.status != "closed"))


def _post(node: str, data: list[tuple[str, str]], timeout: float) -> tuple[str | None, str | None]:
    """POST schedule.json; (jobid, None) or (None, error)."""
    import requests
    url = node.rstrip("/") + "/schedule.json"
    try:
        resp = requests.post(url, data=data, timeout=timeout)
    except requests.ConnectionError as exc:
        reason = "connection refused" if "refused" in str(exc).lower() else f"cannot connect: {exc.__class__.__name__}"
        return None, reason
    except requests.Timeout:
        return None, f"no answer within {timeout:g} s"
    except requests.RequestException as exc:
        return None, f"request failed: {exc}"
    try:
        payload = resp.json()
    except ValueError:
        payload = {}
    if resp.status_code != 200 or payload.get("status") != "ok":
        message = payload.get("message") or resp.text.strip()[:200] or resp.reason
        return None, f"HTTP {resp.status_code}: {message}"
    return payload.get("jobid"), None


@click.command()
@click.option("--scrapyd", "nodes", multiple=True, required=True, metavar="URL",
              help="A scrapyd node (repeat for several), e.g. http://10.0.0.2:6800/.")
@click.option("--spider", type=click.Choice(SPIDERS), required=True)
@click.option("--regions", default="all", show_default=True, help="all, or a comma list (henan,hebei).")
@click.option("--project", default=DEFAULT_PROJECT, show_default=True, help="scrapyd project name.")
@click.option("--setting", "settings", multiple=True, metavar="NAME=VALUE",
              help="Scrapy setting for the jobs (repeatable), e.g. MONITOR_DB=/srv/monitor/node.db.")
@click.option("--arg", "args", multiple=True, metavar="NAME=VALUE",
              help="Extra spider argument (repeatable), e.g. rounds=3 for probe.")
@click.option("--registry", "registry_path", metavar="CSV",
              help="Registry used to balance the shards (default: MONITOR_REGISTRY of --setting, "
                   "else $MONITOR_REGISTRY, else the shipped registry).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for each node.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def schedule(nodes, spider, regions, project, settings, args, registry_path, timeout, fmt):
    """Post crawl jobs to scrapyd nodes, sharding regions across them by portal count.

    One job per node with -a region=a,b,c; regions go largest first to the node with the fewest
    portals so far. statecouncil is one job on the first node. Every node's job id or failure is
    reported; any failure makes the exit status 1.

    \b
    Examples:
      monitor schedule --scrapyd http://127.0.0.1:6800/ --spider probe
      monitor schedule --scrapyd http://n1:6800/ --scrapyd http://n2:6800/ --spider portal \\
          --setting MONITOR_DB=/srv/monitor/node.db
    """
    setting_pairs = name_value_pairs(settings, "--setting")
    arg_pairs = name_value_pairs(args, "--arg")
    reserved = {"project", "spider", "setting", "jobid", "_version", "region", "portal"}
    bad = [k for k, _ in arg_pairs if k in reserved]
    if bad:
        raise UserError(f"--arg {bad[0]}: reserved (use --regions, --project or --setting)")
    base = [("project", project), ("spider", spider)]
    base += [("setting", f"{k}={v}") for k, v in setting_pairs] + arg_pairs
    plan: list[tuple[str, list[str], int]] = []
    if spider == "statecouncil":
        plan.append((nodes[0], [], 0))
    else:
        registry = (registry_path or dict(setting_pairs).get("MONITOR_REGISTRY")
                    or monitor_settings().registry)
        counts = _region_counts(registry, regions)
        for node, shard in zip(nodes, shard_regions(counts, len(nodes))):
            plan.append((node, shard, sum(counts[r] for r in shard)))
    rows, failed = [], 0
    for node, shard, portals in plan:
        row = {"node": node, "spider": spider, "regions": ",".join(shard), "portals": portals,
               "jobid": None, "error": None}
        if spider != "statecouncil" and not shard:
            row["error"] = "idle (fewer regions than nodes)"
        else:
            data = base + ([("region", ",".join(shard))] if shard else [])
            row["jobid"], row["error"] = _post(node, data, timeout)
            failed += row["error"] is not None
        rows.append(row)
    emit(rows, SCHEDULE_COLUMNS, fmt, None)
    if failed:
        click.echo(f"monitor: error: {failed} of {len(plan)} node(s) did not accept the job", err=True)
        sys.exit(1)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Merged store (created, or added to when it exists).")
@click.option("--rejudge/--no-rejudge", default=True, show_default=True,
              help="Re-match reposts and re-judge the merged-in portal crawls on the merged data.")
def merge(inputs, output, rejudge):
    """Combine node databases into one store, without duplicates or id clashes.

    Each input is first migrated to the current schema. Crawls, visits and baselines keep their
    UUIDs; bodies dedupe by content hash; entries keep the earliest first_seen and the latest
    last_seen; portals take the newest synced row. A node judged its crawls with only its own
    data (releases are fetched on one node, probe visits on each), so the merged-in portal crawls
    are re-matched against all releases and re-judged (--no-rejudge keeps the nodes' verdicts).

    \b
    Example:
      monitor merge node1.db node2.db -o merged.db && monitor regressions --db merged.db
    """
    from monitor.store import Store, StoreError
    from monitor.store.merge import merge_stores
    try:
        result = merge_stores(list(inputs), output)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    rejudged = 0
    if rejudge:
        rejudged = _rejudge(Store(output), result.new_crawls)
    changed = ", ".join(f"{t} {n}" for t, n in result.changed.items() if n)
    click.echo(f"merged {len(inputs)} store(s) into {output}: {len(result.new_crawls)} new crawl(s); "
               f"rows {changed or 'none'}; re-judged {rejudged} portal crawl(s)")
    if result.unknown_tables:
        click.echo(f"note: tables without a merge policy, merged by primary key: "
                   f"{', '.join(result.unknown_tables)}", err=True)


def _rejudge(store, crawl_ids: list[str]) -> int:
    from monitor.judging import judge_crawl
    from monitor.reposts import match_window, window_since
    from monitor.store.reposts import has_releases as any_releases
    from monitor.store.states import crawl_now, portal_ids_of_crawl
    settings = monitor_settings()
    threshold = settings.repost_threshold
    days = settings.repost_window_days
    n = 0
    try:
        has_releases = any_releases(store)
        for cid in crawl_ids:
            crawl = store.crawl(cid)
            if crawl is None or crawl["spider"] != "portal" or crawl["status"] != "finished":
                continue
            now = crawl_now(crawl)
            if has_releases:
                portal_ids = portal_ids_of_crawl(store, cid)
                match_window(store, since=window_since(now, days), now=now, threshold=threshold,
                             portal_ids=portal_ids)
            judge_crawl(store, cid, settings)
            n += 1
    finally:
        store.close()
    return n
