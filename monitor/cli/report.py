"""``monitor report``: the quarterly spot-check notice, generated from the store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from monitor.cli import UserError
from monitor.cli.common import clock, db_option, monitor_settings, open_store


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def read_sample(path: str) -> frozenset[str]:
    """The portal ids of a sample CSV (``monitor sample``'s output, or any CSV with ``portal_id``)."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "portal_id" not in [f.strip() for f in reader.fieldnames]:
        raise UserError(f"{path}:1: header must have a portal_id column")
    ids = frozenset((row.get("portal_id") or "").strip() for row in reader) - {""}
    if not ids:
        raise UserError(f"{path}: no portal ids")
    return ids


def _period(period: str | None, since, until, store):
    from monitor.report.periods import PeriodError, parse_period, quarter_of, span
    if period and (since or until):
        raise UserError("give --period or --since/--until, not both")
    try:
        if period:
            return parse_period(period)
        if since or until:
            if not (since and until):
                raise UserError("--since and --until go together")
            return span(since.date(), until.date())
    except PeriodError as exc:
        raise UserError(str(exc)) from None
    return quarter_of(clock(store))


def _check(wanted: tuple[str, ...], valid: set[str], what: str) -> None:
    unknown = sorted(set(wanted) - valid)
    if unknown:
        raise UserError(f"unknown {what} {', '.join(unknown)}; valid: {', '.join(sorted(valid)) or '(none stored)'}")


@click.command()
@click.option("--period", help="A quarter, e.g. 2026Q4 (default: the quarter of the newest crawl).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Instead of --period: first day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="With --since: last day (included).")
@click.option("--region", help="Only these regions (comma list of slugs, e.g. henan,hebei).")
@click.option("--level", help="Only these levels (comma list: province, city, county, township, department).")
@click.option("--sample", "sample_path", type=click.Path(dir_okay=False),
              help="Only the portals of a sample CSV (monitor sample's output).")
@click.option("--line", type=click.FloatRange(0, 1), help="Name regions under this share "
              "(default MONITOR_REPORT_LINE, 0.6).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "xlsx"]), default="html", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The report file.")
@click.option("--evidence-dir", type=click.Path(file_okay=False),
              help="Also save each failing site's stored homepage here and link it from the report.")
@db_option
def report(period, since, until, region, level, sample_path, line, fmt, output, evidence_dir, db_path):
    """Write the spot-check notice for a period: headline figures, tables per region and level,
    indicators, post-audit neglect, rectification, disagreements with imported results, the annex of
    failing sites and the methodology, as one self-contained HTML file, Markdown or XLSX.

    A portal's verdict in the period is its newest known verdict there; shares leave unknowns out
    and say 未知 (unknown) when nothing is known, never 0.

    \b
    Examples:
      monitor report --period 2026Q4 -o 2026Q4.html
      monitor report --since 2026-11-01 --until 2026-11-30 --region henan --format xlsx -o henan.xlsx
      monitor report --period 2026Q4 --sample sample.csv --format md -o sample.md
    """
    from monitor.judging import judge_missing
    from monitor.report import write_report
    from monitor.report.build import ReportOptions, build_report
    from monitor.store.report import registry_rows

    settings = monitor_settings()
    sample = read_sample(sample_path) if sample_path else None
    store = open_store(db_path)
    try:
        portals = registry_rows(store)
        if not portals:
            raise UserError(f"no portals in {db_path} (run a crawl first, or pass --db)")
        regions, levels = _list(region), _list(level)
        _check(regions, {p["region"] for p in portals}, "region")
        _check(levels, {p["level"] for p in portals}, "level")
        if sample is not None:
            _check(tuple(sample), {p["id"] for p in portals}, "portal in the sample:")
        chosen = _period(period, since, until, store)
        judge_missing(store, settings)
        options = ReportOptions(chosen, regions, levels, sample, Path(sample_path).name if sample_path else "",
                                line, Path(evidence_dir) if evidence_dir else None, Path(output))
        built = build_report(store, options, settings, now=clock(store))
    finally:
        store.close()
    try:
        write_report(built, fmt, output)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"wrote the {chosen.label} report ({fmt}, {len(built.annex)} failing sites) to {output}")

