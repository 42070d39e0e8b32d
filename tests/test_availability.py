"""Availability verdicts from the evidence at hand, on the sandbox: a portal up at the audit's few
visits and refused at every visit since (probe rounds and crawl homepage fetches alike) fails within
two days and is listed as a regression from an ``unknown`` baseline; its healthy neighbour is not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from conftest import SANDBOX_NOW, crawl_sandbox
from monitor.cli import cli
from monitor.clock import parse_now
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

PORTALS = "portal=henan-luoyang,henan-puyang,henan-zhengzhou"  # luoyang resets, puyang 5xx in decay


def test_down_since_the_audit_fails_in_two_days_and_regresses_from_unknown(sandbox, tmp_path):
    db = tmp_path / "m.db"
    start = parse_now(SANDBOX_NOW)
    sandbox.reset()
    sandbox.set_phase("audit", start)
    assert crawl_sandbox(sandbox, db, "-a", PORTALS, "-a", "rounds=3", spider="probe",
                         now=(start - timedelta(hours=2)).isoformat()).returncode == 0
    assert crawl_sandbox(sandbox, db, "-a", PORTALS, now=start.isoformat()).returncode == 0
    assert CliRunner().invoke(cli, ["baseline", "--db", str(db)]).exit_code == 0
    for day in (1, 2):
        now = start + timedelta(days=day)
        sandbox.set_phase("decay", now)
        if day == 1:
            probe = crawl_sandbox(sandbox, db, "-a", PORTALS, "-a", "rounds=3", "-a", "interval=0",
                                  spider="probe", now=(now - timedelta(hours=5)).isoformat())
            assert probe.returncode == 0
        crawl = crawl_sandbox(sandbox, db, "-a", PORTALS, now=now.isoformat())
        assert crawl.returncode == 0, crawl.stderr[-2000:]

    with Store(db) as store:
        rows = store.query("select v.portal_id, v.level, v.evidence, c.now from verdicts v "
                           "join crawls c on c.id = v.crawl_id where v.rule = 'reachable' order by c.started")
    first = {r["portal_id"]: r for r in rows[:3]}
    last = {r["portal_id"]: r for r in rows[-3:]}
    baseline = json.loads(first["henan-luoyang"]["evidence"])
    assert first["henan-luoyang"]["level"] == "unknown" and baseline["none_failed"] is True
    assert baseline["visits"] == 4 and baseline["sources"] == {"crawl": 1, "probe": 3}
    down = json.loads(last["henan-luoyang"]["evidence"])
    assert last["henan-luoyang"]["level"] == "fail", down
    assert down["failed"] == 5 and down["decided_by"] == "lower_bound"  # 3 probes + 2 crawl fetches
    assert last["henan-zhengzhou"]["level"] in ("unknown", "ok")

    runner = CliRunner(env={"MONITOR_NOW": (start + timedelta(days=2, hours=1)).isoformat()})
    result = runner.invoke(cli, ["regressions", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = {(r["portal_id"], r["check"]): r for r in json.loads(result.output)}
    assert ("henan-luoyang", "reachable") in found and ("henan-puyang", "reachable") in found
    assert found[("henan-luoyang", "reachable")]["baseline_level"] == "unknown"
    assert not any(pid == "henan-zhengzhou" and check == "reachable" for pid, check in found)
