"""End to end with real scrapyd nodes: deploy the egg, schedule crawls of the sandbox, merge the stores.

Each scrapyd runs in its own temp directory (its own scrapyd.conf, port, eggs/logs/dbs) from a
Python that sees the virtualenv's packages but not the editable checkout, so the jobs import
``monitor``, ``spiders`` and the data files from the deployed egg only. scrapyd passes its own
environment to jobs: ``http_proxy`` (the sandbox) and ``MONITOR_DB`` (each node's store) are set there.

One node crawling everything (statecouncil, probe, portal at the audit phase; baseline; the same at
the decay phase) must give the same verdicts and regressions as two nodes splitting the regions with
``monitor schedule`` and a central store built with ``monitor merge``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from monitor.cli import cli
from monitor.clock import SHANGHAI
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

sandbox = pytest.importorskip("monitor.sandbox")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROJECT = "portal_monitor"
AUDIT_NOW = datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)
DECAY_NOW = AUDIT_NOW + timedelta(days=21)
JOB_WAIT = 120  # seconds, per job
COMMON = ["MONITOR_RENDER=off", "DOWNLOAD_TIMEOUT=4", "MONITOR_GOVCN_BASE=http://www.gov.cn",
          f"MONITOR_REGISTRY={SANDBOX_REGISTRY_CSV}", "LOG_LEVEL=INFO"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def egg(tmp_path_factory) -> Path:
    """The project egg, built by scrapyd-deploy from the checkout's setup.py."""
    out = tmp_path_factory.mktemp("egg") / "portal_monitor.egg"
    proc = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and out.is_file(), proc.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def isolated_python(tmp_path_factory) -> Path:
    """A venv whose site-packages are this venv's, without the editable install of the project."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True, timeout=30).stdout.strip())
    # a plain path line: the directory is added to sys.path, its own .pth files (the editable
    # finder among them) are not processed
    (site / "main-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import scrapyd, scrapy\ntry:\n import monitor\nexcept ImportError: print('ok')"],
                           cwd=venv, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == "ok", probe.stdout + probe.stderr
    return python


@pytest.fixture(scope="module")
def fleet_proxy():
    sb = sandbox.Sandbox(registry_csv=SANDBOX_REGISTRY_CSV, now=AUDIT_NOW, phase="audit")
    proxy = sb.start()
    yield sb, proxy
    sb.stop()


class Node:
    def __init__(self, proc: subprocess.Popen, url: str, workdir: Path):
        self.proc, self.url, self.workdir = proc, url, workdir

    def log(self, spider: str, job: str) -> str:
        path = self.workdir / "logs" / PROJECT / spider / f"{job}.log"
        return path.read_text(errors="replace") if path.exists() else f"(no log at {path})"

    def wait(self, spider: str, job: str) -> None:
        deadline = time.monotonic() + JOB_WAIT
        while time.monotonic() < deadline:
            jobs = requests.get(self.url + "listjobs.json", params={"project": PROJECT}, timeout=10).json()
            if any(j["id"] == job for j in jobs.get("finished", [])):
                return
            assert self.proc.poll() is None, "scrapyd died"
            time.sleep(0.5)
        pytest.fail(f"job {job} ({spider}) not finished within {JOB_WAIT} s:\n{self.log(spider, job)[-3000:]}")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, isolated_python, egg, fleet_proxy):
    """Two scrapyd nodes, each with its own store (MONITOR_DB in the service's environment)."""
    _, proxy = fleet_proxy
    started: list[Node] = []

    def start(name: str) -> Node:
        work = tmp_path_factory.mktemp(name)
        port = _free_port()
        (work / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            f"eggs_dir = {work / 'eggs'}\nlogs_dir = {work / 'logs'}\ndbs_dir = {work / 'dbs'}\n"
            "items_dir =\njobs_to_keep = 20\n"
            f"bind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\nmax_proc = 4\n")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MONITOR_", "SCRAPY_")) and k.lower() not in ("https_proxy", "no_proxy", "all_proxy")}
        env.update({"http_proxy": proxy, "MONITOR_DB": str(work / f"{name}.db"),
                    "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1", "MONITOR_AUTOTHROTTLE": "0"})
        with open(work / "scrapyd.out", "wb") as out:
            proc = subprocess.Popen([str(isolated_python), "-m", "scrapyd"], cwd=work, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        node = Node(proc, f"http://127.0.0.1:{port}/", work)
        started.append(node)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(node.url + "daemonstatus.json", timeout=2).json().get("status") == "ok":
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (work / "scrapyd.out").read_text()[-2000:]
            time.sleep(0.2)
        deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "node", "--egg", str(egg), "-v", "1"], cwd=ROOT,
                                env={**os.environ, "SCRAPYD_URL": node.url}, capture_output=True, text=True, timeout=60)
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
        return node

    try:
        yield start("node1"), start("node2")
    finally:
        for node in started:
            try:
                os.killpg(node.proc.pid, signal.SIGTERM)  # scrapyd and the jobs it spawned
                node.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(node.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                node.proc.wait(timeout=5)


def _schedule(node_list, spider: str, *settings: str, args=()) -> list[dict]:
    cmd = ["schedule", "--spider", spider, "--format", "json", "--registry", str(SANDBOX_REGISTRY_CSV)]
    for node in node_list:
        cmd += ["--scrapyd", node.url]
    for s in [*COMMON, *settings]:
        cmd += ["--setting", s]
    for a in args:
        cmd += ["--arg", a]
    result = CliRunner().invoke(cli, cmd)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[result.output.index("["):])
    by_url = {n.url: n for n in node_list}
    for row in rows:  # bounded wait for every job before anything else runs
        by_url[row["node"]].wait(spider, row["jobid"])
    return rows


def _phase(sb, node_list, now: datetime, *settings: str) -> list[dict]:
    """statecouncil (first node), probe and portal (sharded), as the README's schedule runs them."""
    sb.reset()
    at = f"MONITOR_NOW={now.isoformat()}"
    _schedule(node_list[:1], "statecouncil", at, *settings)
    _schedule(node_list, "probe", at, *settings, args=["rounds=2"])
    return _schedule(node_list, "portal", at, *settings)


def _cli(*args: str, now: datetime | None = None) -> str:
    env = {"MONITOR_NOW": now.isoformat()} if now else {}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _verdicts(db: Path) -> dict:
    """(crawl clock, portal, rule) -> (passed, level), for every finished portal crawl."""
    with Store(db) as store:
        rows = store.query("select c.now, v.portal_id, v.rule, v.passed, v.level from verdicts v "
                           "join crawls c on c.id = v.crawl_id where c.status = 'finished'")
    return {(r["now"], r["portal_id"], r["rule"]): (r["passed"], r["level"]) for r in rows}


def _regressions(db: Path) -> list[dict]:
    out = json.loads(_cli("regressions", "--db", str(db), "--format", "json", now=DECAY_NOW + timedelta(days=1)))
    for row in out:  # the only expected difference: which crawl (one node's, or a shard's) it was
        row["evidence"].pop("crawl_id", None)
    return sorted(out, key=lambda r: (r["portal_id"], r["check"]))


def test_one_node_and_two_merged_nodes_agree(nodes, fleet_proxy, tmp_path):
    sb, _ = fleet_proxy
    node1, node2 = nodes
    single = tmp_path / "single.db"
    merged = tmp_path / "merged.db"
    node_dbs = [str(node1.workdir / "node1.db"), str(node2.workdir / "node2.db")]
    registry = sandbox.load_fleet(SANDBOX_REGISTRY_CSV).portals

    # --- one node crawls everything (its store chosen per job with a setting) -----------------
    sb.set_phase("audit", AUDIT_NOW)
    rows = _phase(sb, [node1], AUDIT_NOW, f"MONITOR_DB={single}")
    assert rows[0]["regions"] == "bumen,hebei,henan"
    with Store(single) as store:
        crawls = {c["spider"]: c for c in store.crawls()}
        assert set(crawls) == {"statecouncil", "probe", "portal"}
        assert all(c["status"] == "finished" for c in crawls.values()), crawls
        portal_crawl = crawls["portal"]["id"]
        stored = {r["portal_id"]: r for r in store.query(
            "select * from portal_crawls where crawl_id = ?", [portal_crawl])}
        assert set(stored) == set(registry)
        assert store.query("select count(*) n from fetches where crawl_id = ?", [portal_crawl])[0]["n"] > len(registry)
        assert store.query("select count(*) n from releases")[0]["n"] > 0
        assert store.query("select count(*) n from verdicts where crawl_id = ?", [portal_crawl])[0]["n"] > 0
    _cli("baseline", "--db", str(single), "--note", "audit")

    # --- two nodes split the regions; the central store is merged ------------------------------
    rows = _phase(sb, [node1, node2], AUDIT_NOW)
    shards = [set(r["regions"].split(",")) for r in rows]  # each node half the regions, balanced
    assert all(shards) and shards[0] | shards[1] == {"bumen", "hebei", "henan"} and not shards[0] & shards[1]
    _cli("merge", *node_dbs, "-o", str(merged))
    _cli("baseline", "--db", str(merged), "--note", "audit")

    # --- three weeks later, the decay phase, both ways -------------------------------------------
    sb.set_phase("decay", DECAY_NOW)
    _phase(sb, [node1], DECAY_NOW, f"MONITOR_DB={single}")
    sb.set_phase("decay", DECAY_NOW)
    _phase(sb, [node1, node2], DECAY_NOW)
    _cli("merge", *node_dbs, "-o", str(merged))

    with Store(merged) as store:
        assert store.query("select count(*) n from crawls where spider = 'portal'")[0]["n"] == 4
        per_portal = store.query("select portal_id, count(*) n from portal_crawls group by portal_id")
        assert {r["portal_id"] for r in per_portal} == set(registry)
        assert {r["n"] for r in per_portal} == {2}  # one audit and one decay crawl each, no duplicates
        dup = store.query("select id, count(*) n from entries group by id having n > 1")
        assert dup == []

    one, two = _verdicts(single), _verdicts(merged)
    assert one and set(one) == set(two)
    differ = {k: (one[k], two[k]) for k in one if one[k] != two[k]}
    assert not differ, differ
    regs_one, regs_two = _regressions(single), _regressions(merged)
    assert regs_one, "the decay phase must show regressions"
    assert len(regs_one) == len(regs_two)
    differ = [(a["portal_id"], a["check"], k, a[k], b[k]) for a, b in zip(regs_one, regs_two) for k in a
              if a[k] != b[k]]
    assert not differ, differ
