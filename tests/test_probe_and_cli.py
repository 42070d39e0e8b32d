"""The probe spider's rounds, invalid rounds and roll-up; the CLI's help, audits and evidence."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import SANDBOX_NOW, crawl_sandbox, run_scrapy
from monitor.cli import cli
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.store import Store
from monitor.store.visits import rollup_visits

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    commands = cli.list_commands(None)
    assert {"demo", "inspect", "baseline", "regressions", "evidence", "audits", "match", "reposts",
            "releases", "sandbox", "schedule", "merge", "crawls", "summary"} <= set(commands)
    for name in commands:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        command = cli.get_command(None, name)
        assert command.help and command.help.strip(), name
        if not hasattr(command, "commands"):  # groups' subcommands carry the examples
            assert "monitor" in result.output.split("Options:")[0], f"{name} --help has no example"


def test_probe_rounds_and_a_round_where_everything_fails_is_invalid(sandbox, tmp_path):
    db = tmp_path / "probe.db"
    proc = crawl_sandbox(sandbox, db, "-a", "region=henan", "-a", "rounds=3", spider="probe")
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the monitor's own network is down: the proxy does not answer at all
    down = run_scrapy("crawl", "probe", "-a", "region=henan", "-s", "DOWNLOAD_TIMEOUT=3",
                      http_proxy="http://127.0.0.1:9", MONITOR_REGISTRY=str(SANDBOX_REGISTRY_CSV),
                      MONITOR_DB=str(db), MONITOR_NOW=SANDBOX_NOW)
    assert down.returncode == 0, down.stderr[-2000:]
    assert "round marked invalid" in down.stderr
    conn = sqlite3.connect(db)
    rounds = conn.execute("select round_id, count(*), sum(ok), min(valid) from visits group by round_id").fetchall()
    conn.close()
    assert len(rounds) == 4
    valid = [r for r in rounds if r[3] == 1]
    invalid = [r for r in rounds if r[3] == 0]
    assert len(valid) == 3 and len(invalid) == 1 and invalid[0][2] == 0
    assert all(r[2] >= r[1] - 3 for r in valid)  # henan's down portals aside, the sandbox answered


def test_old_visits_rolled_up_per_day(tmp_path):
    store = Store(tmp_path / "m.db")
    rows = [{"id": f"v{i}", "round_id": "r", "portal_id": "p", "at": f"2026-10-0{1 + i % 2}T10:00:00+08:00",
             "ok": int(i % 3 != 0), "status": 200, "error": None, "latency_ms": 100.0, "valid": 1} for i in range(6)]
    rows.append({**rows[0], "id": "recent", "at": "2026-11-28T10:00:00+08:00"})
    store.db["visits"].insert_all(rows, pk="id")
    assert rollup_visits(store, 30, "2026-11-29T12:00:00+08:00") == 6
    assert [r["id"] for r in store.query("select id from visits")] == ["recent"]
    days = store.query("select day, visits, failed from visit_days order by day")
    assert days == [{"day": "2026-10-01", "visits": 3, "failed": 1}, {"day": "2026-10-02", "visits": 3, "failed": 1}]
    store.close()


def test_audits_import_reports_bad_rows_and_keeps_good_ones(tmp_path):
    db = tmp_path / "m.db"
    Store(db).close()
    path = tmp_path / "audits.csv"
    path.write_text("portal_id,audited_on,verdict\nhenan,2026-11-01,合格\nhebei,2026-13-01,合格\n"
                    "bumen-moe,2026-11-02,maybe\nshanxi,2026-11-03,fail\n", encoding="utf-8-sig")
    result = CliRunner().invoke(cli, ["audits", "import", str(path), "--db", str(db)])
    assert result.exit_code == 0
    assert f"{path}:3: audited_on '2026-13-01'" in result.output
    assert f"{path}:4: verdict 'maybe'" in result.output
    assert "imported 2 audit result(s), skipped 2" in result.output
    store = Store(db)
    assert store.query("select portal_id, verdict from audits order by portal_id") == [
        {"portal_id": "henan", "verdict": "pass"}, {"portal_id": "shanxi", "verdict": "fail"}]
    store.close()
    missing = CliRunner().invoke(cli, ["audits", "import", str(tmp_path / "nope.csv"), "--db", str(db)])
    assert missing.exit_code == 2 and "nope.csv: no such file" in missing.output


@pytest.fixture(scope="module")
def small_crawl(sandbox, tmp_path_factory):
    db = tmp_path_factory.mktemp("small") / "m.db"
    proc = crawl_sandbox(sandbox, db, "-a", "portal=henan-pingdingshan,hebei-zhangjiakou")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return db


def test_evidence_saves_the_stored_page(small_crawl, tmp_path):
    out = tmp_path / "home.html"
    result = CliRunner().invoke(cli, ["evidence", "henan-pingdingshan", "--db", str(small_crawl), "-o", str(out)])
    assert result.exit_code == 0, result.output
    meta = json.loads(result.output)
    assert meta["status"] == 200 and meta["charset"] == "gb18030"
    assert "平顶山".encode("gbk") in out.read_bytes()  # the portal's own GBK bytes, as served
    failed = CliRunner().invoke(cli, ["evidence", "hebei-zhangjiakou", "--db", str(small_crawl), "-o", str(out)])
    assert failed.exit_code == 2 and "the fetch failed: reset" in failed.output
    unknown = CliRunner().invoke(cli, ["evidence", "nope", "--db", str(small_crawl)])
    assert unknown.exit_code == 2 and "no crawl of portal 'nope'" in unknown.output


def test_regressions_bad_input_is_one_line(small_crawl, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["regressions", "--db", str(small_crawl), "--region", "shanxi"])
    assert result.exit_code == 2 and "unknown region shanxi" in result.output
    result = runner.invoke(cli, ["regressions", "--db", str(small_crawl), "--format", "xlsx"])
    assert result.exit_code == 2 and "needs -o" in result.output
    result = runner.invoke(cli, ["regressions", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such database" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_static_only_without_chromium(sandbox, tmp_path):
    db = tmp_path / "m.db"
    proc = crawl_sandbox(sandbox, db, "-a", "portal=henan-luohe", MONITOR_CHROMIUM=str(tmp_path / "no-chromium"))
    assert proc.returncode == 0
    assert proc.stderr.count("JS rendering is off: chromium not found") == 1
    store = Store(db)
    assert store.query("select count(*) n from fetches where rendered = 1")[0]["n"] == 0
    assert store.query("select outcome from portal_crawls")[0]["outcome"] == "fetched"
    store.close()
