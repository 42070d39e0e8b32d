"""Audit baselines, official audit results, regressions and the evidence behind them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import click

from monitor.cli import UserError
from monitor.cli.common import clock, db_option, emit, monitor_settings, open_store
from monitor.regressions import REGRESSION_COLUMNS, default_consecutive, find_regressions, find_unrectified
from monitor.store.states import (baselines_in_force, latest_portal_crawl_per_portal, mark_baselines,
                                  newest_crawl_of_portal, stored_fetches)

VERDICT_WORDS = {"合格": "pass", "pass": "pass", "passed": "pass", "不合格": "fail", "fail": "fail",
                 "failed": "fail"}


def _portal_filter(store, region: str | None, portal: str | None, level: str | None = None,
                   parent: str | None = None) -> dict[str, dict]:
    portals = {p["id"]: p for p in store.portals()}
    if level or parent:
        from monitor.cli.status import registry_for_parents
        from monitor.hierarchy import FilterError, narrow, portal_info
        try:
            keep = narrow(portal_info(portals.values(), registry_for_parents()), level, parent)
        except FilterError as exc:
            raise UserError(str(exc)) from None
        portals = {k: v for k, v in portals.items() if k in keep}
    if portal:
        wanted = [p.strip() for p in portal.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in portals]
        if unknown:
            raise UserError(f"unknown portal {', '.join(unknown)}; valid: {', '.join(sorted(portals)) or '(none stored)'}")
        return {p: portals[p] for p in wanted}
    if region and region != "all":
        wanted = {r.strip() for r in region.split(",")}
        regions = {p["region"] for p in portals.values()}
        unknown = wanted - regions
        if unknown:
            raise UserError(f"unknown region {', '.join(sorted(unknown))}; valid: all, {', '.join(sorted(regions))}")
        return {k: v for k, v in portals.items() if v["region"] in wanted}
    return portals


@click.command()
@click.option("--crawl", "crawl", default="latest", show_default=True,
              help="Crawl id to mark, or 'latest' (each portal's latest finished portal crawl).")
@click.option("--region", help="Only portals of these regions (comma list).")
@click.option("--portal", help="Only these portals (comma list of ids).")
@click.option("--note", help="Why this baseline (e.g. 2026年第四季度抽查).")
@db_option
def baseline(crawl, region, portal, note, db_path):
    """Mark each portal's latest finished crawl as its audit baseline.

    The newest mark is the one in force; regressions compare against it.

    \b
    Example:
      monitor baseline --region henan --note "2026 Q4 spot check"
    """
    store = open_store(db_path)
    wanted = _portal_filter(store, region, portal)
    if crawl != "latest":
        row = store.crawl(crawl)
        if row is None or row["spider"] != "portal":
            raise UserError(f"no portal crawl {crawl!r} in {db_path}")
        if row["status"] != "finished":
            raise UserError(f"crawl {crawl} is {row['status']}, not finished: it cannot be a baseline")
    per_portal = latest_portal_crawl_per_portal(store, None if crawl == "latest" else crawl)
    marked = 0
    by_crawl: dict[str, list[str]] = {}
    for pid, cid in per_portal.items():
        if pid in wanted and wanted[pid]["status"] != "closed":
            by_crawl.setdefault(cid, []).append(pid)
    for cid, pids in by_crawl.items():
        marked += mark_baselines(store, cid, pids, note)
    store.close()
    if not marked:
        raise UserError(f"no finished portal crawl to mark in {db_path} (run scrapy crawl portal first)")
    click.echo(f"marked {marked} portal(s) at {len(by_crawl)} crawl(s) as audit baseline")


@click.command()
@click.option("--region", help="Only portals of these regions (comma list).")
@click.option("--portal", help="Only these portals (comma list of ids).")
@click.option("--level", help="Only these levels (comma list: province, city, county, township, department).")
@click.option("--parent", help="Only these portals and everything below them (comma list of ids).")
@click.option("--by", type=click.Choice(["region", "level", "parent"]),
              help="One line per region, level or parent: regressions per check.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only failures that began on or after DATE.")
@click.option("--against", type=click.Choice(["baseline", "previous"]), default="baseline", show_default=True)
@click.option("--rectify-by", type=click.DateTime(["%Y-%m-%d"]),
              help="Instead: sites that failed at the baseline and still fail after DATE (整改后仍未达标).")
@click.option("--include-recovered", is_flag=True, help="Also list failures that have come back.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of printing.")
@db_option
def regressions(region, portal, level, parent, by, since, against, rectify_by, include_recovered, fmt, output,
                db_path):
    """List every check that passed at the audit baseline and fails now.

    A portal with no baseline is compared with its first finished crawl, and the row says so
    (baseline_kind). A check counts once it failed in N consecutive crawls
    (MONITOR_REGRESSION_CONSECUTIVE_REACHABLE, default 2; ..._CONTENT, default 1).

    \b
    Examples:
      monitor regressions --region henan
      monitor regressions --region henan --level city,county --by parent
      monitor regressions --format xlsx -o regressions.xlsx
      monitor regressions --rectify-by 2026-12-31
    """
    store = open_store(db_path)
    from monitor.judging import judge_missing, verdict_history
    settings = monitor_settings()
    judge_missing(store, settings)
    portals = _portal_filter(store, region, portal, level, parent)
    history = verdict_history(store, list(portals), failing_only=True)
    baselines = {pid: cid for pid, cid in baselines_in_force(store).items() if pid in portals}
    now = clock(store)
    consecutive = default_consecutive(settings)
    if rectify_by:
        found = find_unrectified(history, baselines, rectify_by.date(), now=now, consecutive=consecutive,
                                 portals=portals)
    else:
        found = find_regressions(history, baselines, now, against=against, consecutive=consecutive,
                                 include_recovered=include_recovered, since=since.date() if since else None,
                                 portals=portals)
    store.close()
    from monitor.cli.status import registry_for_parents
    from monitor.hierarchy import portal_info, rollup
    info = portal_info(portals.values(), registry_for_parents())
    rows = []
    for r in found:
        row = r.as_row()
        row["level"] = info.get(r.portal_id, {}).get("level", "")
        row["parent"] = info.get(r.portal_id, {}).get("parent", "")
        rows.append(row)
    columns = REGRESSION_COLUMNS[:3] + ("level", "parent") + REGRESSION_COLUMNS[3:]
    if by:
        from monitor.regressions import DEFAULT_CHECKS
        checks = {check: (lambda r, c=check: r["check"] == c) for check in DEFAULT_CHECKS}
        rows = rollup(rows, by, {"regressions": lambda r: True, **checks})
        columns = (by, "portals", "regressions") + tuple(DEFAULT_CHECKS)
    elif fmt in ("csv", "xlsx", "table"):
        for row in rows:
            row["evidence"] = _evidence_text(row["evidence"])
    emit(rows, columns, fmt, output, sheet="regressions")


def _evidence_text(evidence: dict) -> str:
    keep = ("url", "error", "newest", "reason", "site_code", "registry_site_code", "stale_columns",
            "failed", "visits", "share")
    parts = [f"{k}={json.dumps(evidence[k], ensure_ascii=False, default=str)}" for k in keep if k in evidence]
    return "; ".join(parts) or json.dumps(evidence, ensure_ascii=False, default=str)[:300]


@click.command()
@click.argument("portal_id")
@click.option("--crawl", help="Crawl id (default: the newest crawl of the portal).")
@click.option("--url", help="The stored page of this URL (default: the homepage).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Save the stored bytes to FILE.")
@db_option
def evidence(portal_id, crawl, url, output, db_path):
    """Show or save the stored page behind a finding (the live page will have changed).

    \b
    Examples:
      monitor evidence henan
      monitor evidence henan --url http://www.henan.gov.cn/col/col101/ -o page.html
    """
    store = open_store(db_path)
    if crawl is None:
        crawl = newest_crawl_of_portal(store, portal_id)
        if crawl is None:
            raise UserError(f"no crawl of portal {portal_id!r} in {db_path}")
    fetches = stored_fetches(store, crawl, portal_id, url)
    if not fetches:
        raise UserError(f"no stored fetch of {url or 'the homepage'} for portal {portal_id!r} in crawl {crawl}")
    fetch = fetches[0]
    body = store.body(fetch["body_hash"]) if fetch["body_hash"] else None
    store.close()
    meta = {k: fetch[k] for k in ("url", "final_url", "kind", "status", "error", "fetched_at", "latency_ms",
                                  "size", "charset", "body_hash", "rendered")}
    meta["final_url"] = meta["final_url"] or meta["url"]  # stored empty when there was no redirect
    meta["crawl_id"] = crawl
    if output:
        if body is None:
            raise UserError(f"no body stored for {fetch['url']} (the fetch failed: {fetch['error']})")
        try:
            Path(output).write_bytes(body)
        except OSError as exc:
            raise UserError(f"{output}: cannot write: {exc.strerror}") from None
        meta["saved_to"] = output
    click.echo(json.dumps(meta, ensure_ascii=False, indent=2))


@click.group()
def audits():
    """Official spot-check results."""


@audits.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
def audits_import(file, db_path):
    """Load official spot-check or review results from CSV: portal_id, audited_on, verdict.

    verdict is 合格/不合格 or pass/fail; optional columns reviewer and note are kept and shown in
    `monitor report` beside the monitor's verdict. A returned `monitor sample` file can be imported
    as it is: rows whose verdict is still empty are counted as not reviewed, not as errors. Bad rows
    are reported by line; good ones are kept.

    \b
    Examples:
      monitor audits import 2026Q4-spotcheck.csv
      monitor audits import sample-reviewed.csv
    """
    try:
        text = Path(file).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{file}: no such file") from None
    except UnicodeDecodeError:
        raise UserError(f"{file}: not UTF-8 text") from None
    store = open_store(db_path, readonly=False)
    known = {p["id"] for p in store.portals()}
    reader = csv.DictReader(io.StringIO(text))
    need = {"portal_id", "audited_on", "verdict"}
    if not reader.fieldnames or not need <= {f.strip() for f in reader.fieldnames}:
        raise UserError(f"{file}:1: header must have portal_id, audited_on, verdict")
    rows, bad, unreviewed = [], 0, 0
    for row in reader:
        line = reader.line_num
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("verdict") and row.get("portal_id"):
            unreviewed += 1
            continue
        problem = None
        verdict = VERDICT_WORDS.get(row["verdict"].lower())
        try:
            day = date.fromisoformat(row["audited_on"])
        except ValueError:
            problem = f"audited_on {row['audited_on']!r} is not YYYY-MM-DD"
        if verdict is None:
            problem = f"verdict {row['verdict']!r} is not 合格/不合格/pass/fail"
        if known and row["portal_id"] not in known:
            problem = f"unknown portal {row['portal_id']!r}"
        if problem:
            click.echo(f"{file}:{line}: {problem}", err=True)
            bad += 1
            continue
        rows.append({"portal_id": row["portal_id"], "audited_on": day.isoformat(), "verdict": verdict,
                     "source": Path(file).name, "reviewer": row.get("reviewer") or None,
                     "note": row.get("note") or None})
    from monitor.store.states import save_audits
    save_audits(store, rows)
    store.close()
    click.echo(f"imported {len(rows)} audit result(s), skipped {bad}"
               + (f", {unreviewed} not reviewed yet (empty verdict)" if unreviewed else ""))
    if bad and not rows:
        raise SystemExit(2)
