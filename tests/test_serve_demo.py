"""The demo's store as a person sees it: ``monitor serve`` on the demo store, driven in headless
Chromium (Debian's, through Playwright). The regressions query shows exactly the sandbox's injected
regressions; a stored page opens from a finding under its banner, with no script run and no request
leaving 127.0.0.1. ``monitor notify --dry-run`` on the same store announces the same regressions."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from conftest import PROJECT, SANDBOX_NOW
from monitor.cli import cli
from monitor.cli.demo import DECAY_AFTER_DAYS
from monitor.clock import parse_now
from monitor.paths import DATA_DIR

pytestmark = pytest.mark.slow

FLEET = json.loads((DATA_DIR / "sandbox" / "fleet.json").read_text(encoding="utf-8"))["portals"]
INJECTED = {(pid, check) for pid, spec in FLEET.items() for check in spec.get("regressions", [])}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AFTER_DECAY = (parse_now(SANDBOX_NOW) + timedelta(days=DECAY_AFTER_DAYS + 1)).isoformat()


@pytest.fixture(scope="module")
def demo_store(demo_run):
    db, _, output = demo_run
    last = output.strip().splitlines()[-1]
    assert last.endswith(f"monitor serve --db {db}")
    return db


@pytest.fixture(scope="module")
def server(demo_store):
    proc = subprocess.Popen([sys.executable, "-c", "from monitor.cli import main; main()", "serve",
                             "--db", str(demo_store), "--port", "0"],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[0]
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def _browse(base: str, shots: Path) -> dict:
    """Everything the browser does, in one thread of its own (Playwright's sync API refuses to run
    where pytest-twisted's asyncio loop is running)."""
    from playwright.sync_api import sync_playwright

    seen, outside, console = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def guard(route):  # record every request; anything not for 127.0.0.1 is a failure, never sent
            url = route.request.url
            seen.append(url)
            if urlsplit(url).hostname != "127.0.0.1":
                outside.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda m: console.append(m.text))
        out: dict = {"seen": seen, "outside": outside, "console": console}

        page.goto(f"{base}demo/regressions")
        rows = page.locator("table.rows-and-columns tbody tr")
        out["regressions"] = [(r.locator("td.col-portal_id").inner_text().strip(),
                               r.locator("td.col-check").inner_text().strip()) for r in rows.all()]
        page.screenshot(path=str(shots / "regressions.png"), full_page=True)

        row = rows.filter(has=page.locator("td.col-portal_id", has_text="henan-zhengzhou")).first
        row.locator("td.col-evidence_page a").click()
        page.wait_for_load_state("load")
        out["evidence_url"] = page.url
        out["banner"] = page.locator("#evidence-banner").inner_text()
        frame = page.frame_locator("#stored-page")
        out["frame_text"] = frame.locator("body").inner_text(timeout=15000)
        page.screenshot(path=str(shots / "evidence.png"))

        # pages whose error-report entry is written by script: in the stored copy nothing is written
        for pid in ("henan-luohe", "henan-pingdingshan"):
            data = page.request.get(f"{base}demo/latest_verdicts.json?_shape=array").json()
            fetch_id = next(r["evidence_page"] for r in data if r["portal_id"] == pid)
            page.goto(f"{base}-/evidence/{fetch_id}")
            frame = page.frame_locator("#stored-page")
            frame.locator("body").wait_for(timeout=15000)
            out[pid] = {"footTools children": frame.locator("#footTools > *").count(),
                        "jiucuo elements": frame.locator("#_jiucuo_").count()}
        out["frame_urls"] = [f.url for f in page.frames]
        browser.close()
    return out


def test_serve_demo_store_in_chromium(server, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(_browse, server, tmp_path).result(timeout=300)
    assert set(seen["regressions"]) == INJECTED and len(seen["regressions"]) == len(INJECTED)
    assert "/-/evidence/" in seen["evidence_url"]
    banner = seen["banner"]
    assert "Stored copy, not the live page" in banner and "存档页面" in banner
    assert "henan-zhengzhou" in banner and "http://www.zhengzhou.gov.cn" in banner
    assert str(parse_now(SANDBOX_NOW).year) in banner  # the fetch time
    assert "郑州" in seen["frame_text"]  # the stored page rendered inside the frame
    assert seen["henan-luohe"]["footTools children"] == 0  # its js_only entry was never built
    assert seen["henan-pingdingshan"]["jiucuo elements"] == 0  # nor the document.write one
    assert any("sandboxed" in m and "allow-scripts" in m for m in seen["console"]), seen["console"]
    assert seen["outside"] == [], seen["outside"]
    assert seen["seen"] and all(urlsplit(u).hostname == "127.0.0.1" for u in seen["seen"])
    assert (tmp_path / "evidence.png").stat().st_size > 10_000
    print(f"screenshots: {tmp_path / 'regressions.png'} {tmp_path / 'evidence.png'}")


def test_notify_dry_run_on_the_demo_announces_the_injected_regressions(demo_store):
    runner = CliRunner(env={"MONITOR_NOW": AFTER_DECAY})
    result = runner.invoke(cli, ["notify", "--db", str(demo_store), "--to", "json://127.0.0.1:9/all", "--dry-run"])
    assert result.exit_code == 0, result.output
    announced = set()
    for line in result.output.splitlines():
        if line.startswith("- **"):
            pid = line.split("`")[1]
            check = line.rsplit("(", 1)[1].rstrip(")")
            announced.add((pid, check))
    assert announced == INJECTED
    regressions = runner.invoke(cli, ["regressions", "--db", str(demo_store), "--format", "json"])
    assert {(r["portal_id"], r["check"]) for r in json.loads(regressions.output)} == INJECTED
