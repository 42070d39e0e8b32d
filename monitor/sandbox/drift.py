"""Registry drift: sandbox portals whose live site no longer matches what a registry says of them,
for ``monitor registry check``.

Every fleet loaded from the bundled files also serves these hosts; no shipped registry lists them,
so the demo and the crawls of ``data/sandbox/portals.csv`` never see them. :func:`write_check_registry`
writes the sandbox registry plus the stale rows a real office would still hold:

- ``henan-zhoukou`` (周口市人民政府) is registered at www.zhoukou.gov.cn, which now answers
  301 → www.zkszf.gov.cn, the same portal (same name, same site code 4116000002) at its new home:
  a migration the check can apply;
- ``henan-yanshi`` is registered as 偃师市人民政府; the county-level city became 洛阳市偃师区 in 2021
  and its site (same host, same site code 4103810001) now says 洛阳市偃师区人民政府 in its SiteName
  meta, title and footer: a rename the check can apply;
- ``henan-huaxian`` (滑县人民政府) is registered without a site code; its page shows 4105260001 in the
  footer, the SiteIDCode meta and the error-report entry: a code the check can fill in.

``hebei-chengde`` of the bundled fleet (302 to cd.hebei.gov.cn, a page titled 承德市人民政府（新版）
with no site code) stays a suggestion for review: a temporary redirect to a page that does not
prove it is the same site.
"""

from __future__ import annotations

import csv

from monitor.sandbox.fleet import DEFAULT_COLUMNS, REGISTRY_FIELDS, Portal, default_place, make_columns

#: (registry row as an office still holds it, the portals the sandbox serves for it)
_DRIFT = (
    ({"id": "henan-zhoukou", "name": "周口市人民政府", "region": "henan", "level": "city",
      "url": "http://www.zhoukou.gov.cn/", "site_code": "4116000002", "status": "active"},
     ({"url": "http://www.zhoukou.gov.cn/", "migrated_to": "http://www.zkszf.gov.cn/", "migration": {"redirect": 301}},
      {"url": "http://www.zkszf.gov.cn/"})),
    ({"id": "henan-yanshi", "name": "偃师市人民政府", "region": "henan", "level": "county",
      "url": "http://www.yanshi.gov.cn/", "site_code": "4103810001", "status": "active"},
     ({"name": "洛阳市偃师区人民政府", "template": "trs"},)),
    ({"id": "henan-huaxian", "name": "滑县人民政府", "region": "henan", "level": "county",
      "url": "http://www.hnhx.gov.cn/", "site_code": "", "status": "active"},
     ({"site_code": "4105260001", "template": "hanweb"},)),
)


def drift_rows() -> list[dict]:
    """The stale registry rows (every registry column)."""
    return [{f: row.get(f, "") for f in REGISTRY_FIELDS} for row, _ in _DRIFT]


def drift_portals() -> list[Portal]:
    """What the sandbox serves for the drift rows (the live truth)."""
    out = []
    for row, served in _DRIFT:
        for spec in served:
            values = {f: row.get(f, "") for f in REGISTRY_FIELDS}
            values.update({k: v for k, v in spec.items() if k in REGISTRY_FIELDS})
            p = Portal(**values)
            for key in ("template", "migration"):
                if key in spec:
                    setattr(p, key, spec[key])
            p.place = default_place(p)
            if p.site_code:
                p.error_link = {"variant": "script", "site_code": p.site_code}
            p.columns = make_columns(p.id, p.template, DEFAULT_COLUMNS)
            out.append(p)
    return out


def add_drift(fleet) -> None:
    """Serve the drift portals' hosts too (a host the fleet already serves is left alone)."""
    for p in drift_portals():
        fleet.by_host.setdefault(p.host, p)


def write_check_registry(path, registry_csv=None) -> None:
    """The sandbox registry (default: the bundled one) followed by the stale drift rows."""
    from monitor.paths import SANDBOX_REGISTRY_CSV
    with open(registry_csv or SANDBOX_REGISTRY_CSV, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(REGISTRY_FIELDS)
        for row in rows + drift_rows():
            writer.writerow([row.get(f) or "" for f in REGISTRY_FIELDS])
