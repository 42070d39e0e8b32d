"""The HTML report as a reader sees it: rendered by Debian's chromium (through Playwright), offline.

No console error, no script, no request leaves the file, the headline figures shown are those
computed from the store (here: again, independently, with plain SQL), it fits a phone's width and
prints on A4; a full-page screenshot is saved under the test output (``REPORT_SCREENSHOT_DIR`` or
pytest's temporary directory; ``scripts/report-screenshot.sh`` uses it for docs/report.png).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from monitor.clock import parse_now
from monitor.config import MonitorSettings
from monitor.report import write_report
from monitor.report.build import ReportOptions, build_report
from monitor.report.periods import parse_period
from monitor.store import Store
from report_store import HOSTILE, build

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def headline_from_sql(store: Store, since: str, until: str) -> dict[str, str]:
    """The notice's first figures straight from the tables: each running portal's newest known
    overall verdict among the period's finished portal crawls."""
    rows = store.query(
        "select v.portal_id, v.passed, c.now from verdicts v join crawls c on c.id = v.crawl_id "
        "join portals p on p.id = v.portal_id where v.rule = 'overall' and c.status = 'finished' "
        "and c.spider = 'portal' and p.status = 'active' and v.passed is not null")
    newest: dict[str, tuple] = {}
    for r in rows:
        day = parse_now(r["now"]).date().isoformat()
        if since <= day < until and (r["portal_id"] not in newest or r["now"] > newest[r["portal_id"]][0]):
            newest[r["portal_id"]] = (r["now"], r["passed"])
    passed = sum(p for _, p in newest.values())
    return {"checked": str(len(newest)), "qualified": f"{passed / len(newest) * 100:.1f}%"}


def look(page_file: Path, keys: list[str], out: Path) -> dict:
    """Open the report in chromium and read what a person would check. Runs in its own thread:
    the suite's asyncio reactor owns the main thread's event loop, which Playwright's sync API
    will not share."""
    from playwright.sync_api import sync_playwright
    seen: dict = {"problems": [], "requests": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: seen["problems"].append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: seen["problems"].append(f"page error: {e}"))
            page.on("dialog", lambda d: (seen["problems"].append(f"dialog: {d.message}"), d.dismiss()))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            seen["figures"] = {key: page.locator(f'[data-figure="{key}"]').inner_text() for key in keys}
            seen["period"] = page.locator("[data-field=period]").inner_text()
            seen["scripts"] = page.locator("script").count()
            seen["images"] = page.locator("main img").count()
            seen["charts"] = page.locator("svg.pygal-chart").count()
            seen["texts"] = {k: page.get_by_text(v).count() for k, v in HOSTILE.items()}
            seen["hrefs"] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "report.png"), full_page=True)
            # a phone: the page itself never scrolls sideways (wide tables scroll in their own box)
            page.set_viewport_size({"width": 390, "height": 844})
            seen["phone"] = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            page.screenshot(path=str(out / "report-phone.png"))
            seen["pdf"] = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    return seen


def test_report_in_chromium(tmp_path):
    pytest.importorskip("playwright.sync_api")
    db = tmp_path / "m.db"
    store = build(db)
    try:
        report = build_report(store, ReportOptions(parse_period("2026Q4")), MonitorSettings())
        expected = headline_from_sql(store, "2026-10-01", "2027-01-01")
    finally:
        store.close()
    page_file = tmp_path / "report.html"
    write_report(report, "html", page_file)
    out = Path(os.environ.get("REPORT_SCREENSHOT_DIR") or tmp_path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(look, page_file, [f.key for f in report.headline], out).result(timeout=300)

    assert seen["problems"] == []
    assert seen["requests"] == [page_file.as_uri()]  # nothing fetched besides the file itself
    shown = seen["figures"]
    assert {k: shown[k] for k in ("checked", "qualified")} == expected == {"checked": "7", "qualified": "71.4%"}
    assert shown == {f.key: f.text for f in report.headline}
    assert seen["period"] == "2026年第四季度"
    # crawled and registered text is text: no script ran, no element or link came from it
    assert seen["scripts"] == 0 and seen["images"] == 0 and seen["charts"] == 2
    assert seen["texts"]["script"] >= 1 and seen["texts"]["img"] >= 1 and seen["texts"]["js"] >= 1
    assert seen["hrefs"] and all(h.startswith(("http://", "https://")) for h in seen["hrefs"]), seen["hrefs"]
    assert (out / "report.png").stat().st_size > 10_000
    assert seen["phone"][0] <= seen["phone"][1] + 1, seen["phone"]
    assert seen["pdf"].startswith(b"%PDF") and seen["pdf"].count(b"/Type /Page") >= 3
