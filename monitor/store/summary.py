"""Read-side summaries of a crawl for people (the demo, ``monitor status``)."""

from __future__ import annotations

import json


def crawl_portal_rows(store, crawl_id: str) -> list[dict]:
    rows = store.query(
        "select pc.*, p.name, p.region, p.status as registry_status "
        "from portal_crawls pc left join portals p on p.id = pc.portal_id where pc.crawl_id = ? "
        "order by p.region, pc.portal_id", [crawl_id])
    # the crawl's fetches counted once, grouped (a count per portal row would read the fetches
    # view once per portal)
    counts = {r["portal_id"]: r for r in store.query(
        "select portal_id, count(*) fetches, sum(error is not null) failed from fetches where crawl_id = ? "
        "group by portal_id", [crawl_id])}
    out = []
    for r in rows:
        r.update(counts.get(r["portal_id"], {"fetches": 0, "failed": 0}))
        link = json.loads(r["error_link"]) if r["error_link"] else {}
        policy = json.loads(r["policy_column"]) if r["policy_column"] else {}
        out.append({
            "portal": r["portal_id"], "name": r["name"], "region": r["region"], "outcome": r["outcome"],
            "error": r["homepage_error"] or "", "pages": r["fetches"], "failed": r["failed"],
            "columns": f"{r['columns_fetched']}/{r['columns_discovered']}",
            "newest": (r["homepage_newest"] or "")[:16],
            "jiucuo": (link.get("site_code") or "yes") if link.get("found") else "no",
            "policy": (policy.get("position") or "yes") if policy.get("found") else "no",
            "rendered": "yes" if r["rendered"] else "",
        })
    return out


def failure_classes(store, crawl_id: str) -> dict[str, int]:
    rows = store.query("select error, count(*) n from fetches where crawl_id = ? and error is not null "
                       "group by error order by n desc", [crawl_id])
    return {r["error"]: r["n"] for r in rows}
