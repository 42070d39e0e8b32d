"""``monitor sample``: the spot-check list for review, drawn from the running portals."""

from __future__ import annotations

import random

import click

from monitor.cli import UserError
from monitor.cli.common import db_option, open_store

#: the sample's columns: reviewers fill in the last four and return it to ``monitor audits import``
SAMPLE_COLUMNS = ("portal_id", "name", "region", "level", "url", "audited_on", "verdict", "reviewer", "note")


@click.command()
@click.option("--share", required=True, type=click.FloatRange(0, 1, min_open=True),
              help="Share of the running portals to draw, e.g. 0.16.")
@click.option("--stratify", default="region", show_default=True,
              help="Strata, each represented: region, or region,level.")
@click.option("--seed", type=int, help="Random seed (default: a new one, printed so the draw can be repeated).")
@click.option("--region", help="Only these regions (comma list).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The sample CSV.")
@db_option
def sample(share, stratify, seed, region, output, db_path):
    """Draw the spot-check list: a share of the running portals, every region (or region and
    level) represented, as a CSV that reviewers fill in (audited_on, verdict 合格/不合格, reviewer,
    note) and return with `monitor audits import`; `monitor report --sample FILE` reports on it.

    \b
    Example:
      monitor sample --share 0.16 --stratify region,level --seed 7 -o sample.csv
    """
    from monitor.exports import write_csv
    from monitor.report.sampling import STRATA, draw
    from monitor.store.report import registry_rows

    keys = tuple(k.strip() for k in stratify.split(",") if k.strip())
    bad = [k for k in keys if k not in STRATA]
    if bad or not keys:
        raise UserError(f"--stratify {stratify!r}: use region, level or region,level")
    store = open_store(db_path)
    portals = registry_rows(store)
    store.close()
    if region:
        wanted = {r.strip() for r in region.split(",") if r.strip()}
        unknown = wanted - {p["region"] for p in portals}
        if unknown:
            raise UserError(f"unknown region {', '.join(sorted(unknown))}; valid: "
                            f"{', '.join(sorted({p['region'] for p in portals}))}")
        portals = [p for p in portals if p["region"] in wanted]
    running = [p for p in portals if p["status"] == "active"]
    if not running:
        raise UserError(f"no running portals in {db_path} (run a crawl first, or pass --db)")
    seed = random.SystemRandom().randrange(1, 10**6) if seed is None else seed
    drawn = draw(running, share, keys, seed)
    rows = [{"portal_id": p["id"], "name": p["name"], "region": p["region"], "level": p["level"],
             "url": p["url"]} for p in drawn]
    try:
        write_csv(rows, output, SAMPLE_COLUMNS)
    except OSError as exc:
        raise UserError(f"{output}: cannot write: {exc.strerror or exc}") from None
    strata = len({tuple(p[k] for k in keys) for p in running})
    click.echo(f"drew {len(rows)} of {len(running)} running portals in {strata} strata "
               f"({' × '.join(keys)}), seed {seed}, to {output}")
