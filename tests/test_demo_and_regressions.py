"""The whole story on the sandbox: audit → baseline → decay → regressions, and a stable fleet that
must never be flagged (issue 6 targets)."""

import csv
import json
from datetime import timedelta

import openpyxl
from click.testing import CliRunner

from conftest import SANDBOX_NOW, crawl_sandbox
from monitor.cli import cli
from monitor.clock import parse_now
from monitor.paths import DATA_DIR
import pytest

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

FLEET = json.loads((DATA_DIR / "sandbox" / "fleet.json").read_text(encoding="utf-8"))["portals"]
INJECTED = {(pid, check) for pid, spec in FLEET.items() for check in spec.get("regressions", [])}


def test_demo_finds_every_injected_regression_and_nothing_else(demo_run):
    db, out, output = demo_run
    for heading in ("1. Audit phase", "2. The audit baseline", "3. Decay phase", "4. Regressions"):
        assert heading in output
    assert "failures by class:" in output and "timeout" in output

    rows = json.loads((out / "regressions.json").read_text(encoding="utf-8"))
    found = {(r["portal_id"], r["check"]) for r in rows}
    assert len(INJECTED) >= 6
    assert found == INJECTED
    for r in rows:
        assert r["baseline_kind"] == "baseline" and r["evidence"]
        assert r["current_at"] > r["baseline_at"]
    by_key = {(r["portal_id"], r["check"]): r for r in rows}
    assert by_key[("henan-luoyang", "reachable")]["evidence"]["error"] == "reset"
    assert by_key[("henan-kaifeng", "homepage_fresh")]["evidence"]["newest"].startswith("2026-11")
    assert by_key[("henan-zhengzhou", "error_link")]["evidence"]["failed"] == "missing"

    raw = (out / "regressions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {r["name"] for r in table} >= {"郑州市人民政府", "开封市人民政府"}
    sheet = openpyxl.load_workbook(out / "regressions.xlsx").active
    assert sheet.max_row == len(rows) + 1

    # the demo ends with the spot-check report of the weeks after the audit, and prints its path
    report = out / "report.html"
    assert "5. The spot-check report" in output and f"report: {report.resolve()}" in output
    page = report.read_text(encoding="utf-8")
    assert f'data-figure="neglect">{len(INJECTED)}<' in page and "<script" not in page


def test_stable_fleet_five_crawls_and_a_flapping_portal_yield_no_regressions(sandbox, tmp_path):
    db = tmp_path / "stable.db"
    portals = "portal=henan-sheng,henan-nanyang,hebei-sheng,hebei-shijiazhuang,bumen-mee,bumen-forestry"
    start = parse_now(SANDBOX_NOW)
    sandbox.reset()
    for day in range(5):
        now = start + timedelta(days=day)
        sandbox.set_phase("audit", now)
        probe = crawl_sandbox(sandbox, db, "-a", portals, "-a", "rounds=20", spider="probe",
                              now=(now - timedelta(hours=1)).isoformat())
        assert probe.returncode == 0, probe.stderr[-2000:]
        crawl = crawl_sandbox(sandbox, db, "-a", portals, now=now.isoformat())
        assert crawl.returncode == 0, crawl.stderr[-2000:]
        if day == 0:
            assert CliRunner().invoke(cli, ["baseline", "--db", str(db)]).exit_code == 0
    runner = CliRunner(env={"MONITOR_NOW": (start + timedelta(days=4, hours=1)).isoformat()})
    for against in ("baseline", "previous"):
        result = runner.invoke(cli, ["regressions", "--db", str(db), "--format", "json", "--against", against])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []
    # the flapping portal did fail some visits, and the rule saw them
    verdicts = runner.invoke(cli, ["crawls", "--db", str(db), "--spider", "portal", "--format", "json"])
    assert len(json.loads(verdicts.output)) == 5
    import sqlite3
    conn = sqlite3.connect(db)
    failed = conn.execute("select count(*) from visits where portal_id = 'henan-nanyang' and ok = 0").fetchone()[0]
    levels = {r[0] for r in conn.execute("select level from verdicts where portal_id = 'henan-nanyang' "
                                         "and rule = 'reachable'")}
    conn.close()
    assert failed >= 1
    assert "fail" not in levels
