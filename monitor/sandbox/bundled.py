"""The bundled sandbox fleet: ``data/sandbox/portals.csv`` and ``fleet.json`` made a ``Fleet``, with
the drift hosts that ``monitor registry check`` is tested on (``monitor/sandbox/drift.py``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.sandbox.drift import add_drift
from monitor.sandbox.fleet import (DEFAULT_COLUMNS, DEFAULT_SCENARIO, FLEET_JSON, REGISTRY_FIELDS, Fleet, Portal,
                                   default_place, make_columns)


def read_registry(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def load_fleet(registry_csv=None, fleet_json=None) -> Fleet:
    """Join the registry with ``fleet.json`` (defaults: the shipped sandbox files)."""
    rows = read_registry(registry_csv or SANDBOX_REGISTRY_CSV)
    spec = json.loads(Path(fleet_json or FLEET_JSON).read_text(encoding="utf-8"))
    scenario = {**DEFAULT_SCENARIO, **spec.get("scenario", {})}
    behaviours = spec.get("portals", {})
    portals = {}
    for row in rows:
        b = dict(behaviours.get(row["id"], {}))
        p = Portal(**{k: (row.get(k) or "").strip() for k in REGISTRY_FIELDS})
        p.status = p.status or "active"
        for key in ("template", "encoding", "bom", "dates", "place", "error_link", "policy", "fault",
                    "flap", "decay", "migration", "served", "traps", "expect", "regressions", "notes",
                    "plants"):
            if key in b and b[key] is not None:
                setattr(p, key, b[key])
        p.place = p.place or default_place(p)
        if p.error_link is None and "error_link" not in b and p.site_code:
            p.error_link = {"variant": "script", "site_code": p.site_code}
        p.columns = make_columns(p.id, p.template, b.get("columns") or DEFAULT_COLUMNS)
        if p.policy and not p.column("gwy") and p.policy.get("reposts", "none") != "none":
            p.columns.append(make_columns(p.id, p.template, [("gwy", p.policy.get("title", "国务院信息"),
                                                             "gwy")])[0])
            p.columns[-1].index = len(p.columns) - 1
        portals[p.id] = p
    fleet = Fleet(portals, scenario, spec.get("extra_hosts", {}))
    add_drift(fleet)   # hosts for ``monitor registry check``, in no registry of the fleet
    return fleet
