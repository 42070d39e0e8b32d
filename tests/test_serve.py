"""``monitor serve``: Datasette over the store with bilingual metadata, canned queries and the evidence
view, tested with Datasette's own client (as its test suite does) and once as a real server."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

import findings_store as fs
from conftest import PROJECT
from monitor.browse import database_name, make_datasette, metadata
from monitor.browse.plugin import BANNER_CSP, PAGE_CSP
from monitor.cli import cli
from monitor.rules import RULES
from monitor.cli.serve import is_loopback
from monitor.judging import verdict_history
from monitor.regressions import default_consecutive, find_regressions
from monitor.store import Store
from monitor.store.schema_docs import HIDDEN, TABLES
from monitor.store.states import baselines_in_force

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "monitor.db"
    info = fs.build(path)
    return path, info, make_datasette(path)


def get(ds, path, **headers):
    """Datasette's test client, on its own event loop: pytest-twisted's asyncio reactor already runs
    one in this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, ds.client.get(path, headers=headers or None)).result()


def test_every_table_and_column_is_described_in_chinese_and_english(tmp_path):
    with Store(tmp_path / "fresh.db") as store:
        schema = {t: [c.name for c in store.db[t].columns] for t in store.db.table_names() + store.db.view_names()}
    missing = [t for t in schema if t not in TABLES and t not in HIDDEN]
    assert not missing, f"describe these tables in monitor/store/schema_docs.py: {missing}"
    for table, (text, columns) in TABLES.items():
        assert CJK.search(text) and LATIN.search(text), table
        undescribed = [c for c in schema.get(table, []) if c not in columns]
        assert not undescribed, f"{table}: describe {undescribed} in monitor/store/schema_docs.py"
        stale = [c for c in columns if c not in schema.get(table, [])]
        assert not stale, f"{table}: {stale} are described but not in the schema"
        for column, description in columns.items():
            assert CJK.search(description) and LATIN.search(description), f"{table}.{column}"
    meta = metadata("monitor")
    assert set(meta["databases"]["monitor"]["queries"]) >= {
        "latest_verdicts", "regressions", "qualified_share", "portal_history", "reposts_per_release"}


def test_datasette_serves_the_store_immutable_with_metadata(served):
    path, _, ds = served
    name = database_name(path)
    assert ds.databases[name].is_mutable is False
    response = get(ds, f"/{name}/fetches")
    assert response.status_code == 200
    assert "每次页面抓取" in response.text and "Every page fetch" in response.text
    # stored pages open from the fetches table too
    assert "/-/evidence/" in response.text
    refused = get(ds, f"/{name}.json?sql=delete+from+verdicts")
    assert refused.status_code == 400
    assert get(ds, f"/{name}/verdicts.json?_shape=array&_size=1").json()


def test_canned_regressions_query_is_monitor_regressions(served):
    path, info, ds = served
    name = database_name(path)
    rows = get(ds, f"/{name}/regressions.json?_shape=array").json()
    with Store(path) as store:
        found = find_regressions(verdict_history(store), baselines_in_force(store), fs.NOW,
                                 consecutive=default_consecutive(), portals={p["id"]: p for p in store.portals()})
    assert {(r["portal_id"], r["check"]) for r in rows} == {(r.portal_id, r.check) for r in found} == {
        (p, c) for p, c, recovered in fs.EXPECTED if not recovered}
    zz = next(r for r in rows if r["portal_id"] == "henan-zhengzhou")
    assert zz["baseline_value"] == "present" and zz["current_value"] == "missing"
    assert zz["first_failed_at"].startswith("2026-12-10") and zz["baseline_kind"] == "baseline"
    assert zz["evidence_page"] == info["fetch"][(2, "henan-zhengzhou")]
    html = get(ds, f"/{name}/regressions").text
    assert f'href="/-/evidence/{zz["evidence_page"]}"' in html
    only_hebei = get(ds, f"/{name}/regressions.json?_shape=array&region=hebei").json()
    assert [r["portal_id"] for r in only_hebei] == ["hebei-sheng"]


def test_other_canned_queries(served):
    path, _, ds = served
    name = database_name(path)
    latest = get(ds, f"/{name}/latest_verdicts.json?_shape=array").json()
    assert {r["portal_id"]: r["overall_verdict"] for r in latest} == {
        "bumen-moe": "合格", "hebei-sheng": "不合格", "henan-kaifeng": "合格", "henan-zhengzhou": "合格"}
    assert all(r["judged_at"].startswith("2026-12-11") for r in latest)
    share = {r["region"]: r for r in get(ds, f"/{name}/qualified_share.json?_shape=array").json()}
    assert share["henan"]["qualified_pct"] == 100.0 and share["hebei"]["qualified_pct"] == 0.0
    history = get(ds, f"/{name}/portal_history.json?_shape=array&portal=henan-kaifeng").json()
    assert len(history) == 3 * len(RULES) and sum(r["baseline"] == "baseline" for r in history) == len(RULES)
    assert get(ds, f"/{name}/reposts_per_release.json?_shape=array").json() == []
    assert get(ds, f"/{name}/undelivered_notifications.json?_shape=array").json() == []


def test_evidence_view_banner_and_sandboxed_page(served):
    path, info, ds = served
    fetch_id = info["fetch"][(2, "henan-zhengzhou")]
    banner = get(ds, f"/-/evidence/{fetch_id}")
    assert banner.status_code == 200
    assert banner.headers["content-security-policy"] == BANNER_CSP and "frame-src 'self'" in BANNER_CSP
    text = banner.text
    # the page did not change since an earlier crawl: the copy stored then, with that crawl's clock
    with Store(path) as store:
        stored = store.query("select f.crawl_id, c.now from fetch_rows f join crawls c on c.id = f.crawl_id "
                             "where f.id = ?", [fetch_id])[0]
    assert stored["crawl_id"] in info["crawls"][:3]
    assert "Stored copy, not the live page" in text and stored["now"] in text
    assert '<code id="fetched-url">http://www.zhengzhou.gov.cn/</code>' in text
    assert f'<iframe id="stored-page" sandbox src="/-/evidence/{fetch_id}/page"' in text
    assert f"monitor evidence henan-zhengzhou --crawl {stored['crawl_id']} --url http://www.zhengzhou.gov.cn/" in text
    page = get(ds, f"/-/evidence/{fetch_id}/page", **{"sec-fetch-dest": "iframe"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == PAGE_CSP
    assert PAGE_CSP.startswith("sandbox;") and "default-src 'none'" in PAGE_CSP
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "郑州市人民政府门户网站" in page.content.decode("utf-8")  # stored as GBK, served as UTF-8
    direct = get(ds, f"/-/evidence/{fetch_id}/page", **{"sec-fetch-dest": "document"})
    assert direct.status_code == 302 and direct.headers["location"] == f"/-/evidence/{fetch_id}"
    assert get(ds, "/-/evidence/0123456789abcdef0123abcd").status_code == 404


def test_banner_escapes_crawled_urls(tmp_path):
    path = tmp_path / "x.db"
    fs.build(path)
    evil = 'http://www.example.gov.cn/"><script>alert(1)</script>'
    with Store(path) as store:
        store.db.conn.execute("update fetch_rows set url = ?", [evil])
        store.db.conn.commit()
    ds = make_datasette(path)
    with Store(path) as store:
        fetch_id = store.query("select id from fetches limit 1")[0]["id"]
    text = get(ds, f"/-/evidence/{fetch_id}").text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_serve_refuses_other_hosts_and_serves_loopback(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")
    refused = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "none.db")])
    assert refused.exit_code == 2 and "--allow-remote" in refused.stderr and "Traceback" not in refused.output
    missing = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "none.db" in missing.stderr
    path = tmp_path / "monitor.db"
    info = fs.build(path)
    proc = subprocess.Popen([sys.executable, "-c", "from monitor.cli import main; main()", "serve", "--db", str(path), "--port", "0"],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[0]
        assert url.startswith("http://127.0.0.1:")
        fetch_id = info["fetch"][(2, "henan-zhengzhou")]
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an http_proxy
        with direct.open(f"{url}-/evidence/{fetch_id}", timeout=30) as response:
            assert response.headers["Content-Security-Policy"] == BANNER_CSP
            assert "Stored copy" in response.read().decode("utf-8")
        with direct.open(f"{url}monitor/regressions.json?_shape=array", timeout=30) as response:
            assert len(json.loads(response.read())) == 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
