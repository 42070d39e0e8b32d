"""A real crawl of the sandbox fleet, checked against the fleet's ground truth (data/sandbox/fleet.json)."""

import json
from urllib.parse import urlsplit

import pytest

from conftest import crawl_sandbox
from monitor.paths import DATA_DIR, SANDBOX_REGISTRY_CSV
from monitor.registry import load_registry
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

FLEET = json.loads((DATA_DIR / "sandbox" / "fleet.json").read_text(encoding="utf-8"))["portals"]
REGISTRY = load_registry(SANDBOX_REGISTRY_CSV)


@pytest.fixture(scope="module")
def crawled(sandbox, tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "m.db"
    sandbox.reset()
    proc = crawl_sandbox(sandbox, db)
    assert proc.returncode == 0, proc.stderr[-2000:]
    store = Store(db)
    crawl = store.latest_finished_crawl("portal")
    assert crawl is not None, proc.stderr[-2000:]
    yield store, crawl["id"], sandbox.requests
    store.close()


def rows(store, sql, *args):
    return store.query(sql, args)


def test_every_portal_recorded_with_its_outcome(crawled):
    store, crawl_id, _ = crawled
    outcomes = {r["portal_id"]: r for r in rows(store, "select * from portal_crawls where crawl_id = ?", crawl_id)}
    assert set(outcomes) == {p.id for p in REGISTRY.portals}
    for portal in REGISTRY.portals:
        got = outcomes[portal.id]
        if portal.status == "closed":
            assert got["outcome"] == "closed"
            assert not rows(store, "select 1 from fetches where portal_id = ?", portal.id)
        elif portal.status == "migrated":
            assert got["outcome"] == "migrated"
        else:
            expect = FLEET[portal.id]["expect"]["audit"]
            if expect["error_class"]:
                assert got["outcome"] == "failed", portal.id
            else:
                assert got["outcome"] == "fetched", (portal.id, got["homepage_error"])


def test_failures_classified(crawled):
    store, crawl_id, _ = crawled
    homepage = {r["portal_id"]: r for r in rows(
        store, "select * from fetches where crawl_id = ? and kind = 'homepage' and rendered = 0", crawl_id)}
    aliases = {"redirect_offhost": "offhost_redirect"}
    checked = 0
    for pid, spec in FLEET.items():
        expect = (spec.get("expect") or {}).get("audit")
        if not expect or not expect.get("error_class"):
            continue
        want = aliases.get(expect["error_class"], expect["error_class"])
        assert homepage[pid]["error"] == want, (pid, homepage[pid])
        checked += 1
    assert checked >= 7  # blocked (412, 521), timeout, reset, refused, too_large, off-host redirect


def test_migrated_portals(crawled):
    store, crawl_id, _ = crawled
    got = {r["portal_id"]: r["migrated_ok"] for r in rows(
        store, "select * from portal_crawls where crawl_id = ? and outcome = 'migrated'", crawl_id)}
    assert got == {"henan-kaifengxian": 1, "hebei-gaochengshi": got["hebei-gaochengshi"]}
    assert len(got) == 2


def test_never_leaves_a_portals_host(crawled):
    _, _, requests = crawled
    registered = {urlsplit(p.url).hostname for p in REGISTRY.portals}
    render_hosts = {"www.gov.cn", "zfwzgl.www.gov.cn", "pucha.kaipuyun.cn", "121.43.68.40"}
    hosts = {urlsplit(url).hostname for _, url, _ in requests}
    assert hosts, "the crawl went through the sandbox proxy"
    # other hosts: what a browser render may load (gov.cn lists, the error-report service), and
    # homepage links asked for their status (HEAD; GET only where HEAD is refused), never read
    elsewhere = [(method, url) for method, url, _ in requests
                 if urlsplit(url).hostname not in registered | render_hosts]
    assert all(method in ("HEAD", "GET") for method, _ in elsewhere)
    assert all(method == "HEAD" for method, url in elsewhere if not url.endswith("robots.txt")), elsewhere
    assert not any(url.endswith("robots.txt") for _, url in elsewhere)  # a liveness check reads no robots.txt
    assert "cd.hebei.gov.cn" not in hosts  # an off-host redirect is recorded, not followed


def test_columns_discovered_and_fetched(crawled):
    store, crawl_id, _ = crawled
    for pid in ("henan-sheng", "henan-zhengzhou", "hebei-tangshan"):
        cols = rows(store, "select * from columns where crawl_id = ? and portal_id = ?", crawl_id, pid)
        names = {c["name"] for c in cols}
        expected = {c["name"] for c in FLEET[pid]["columns"]}
        assert len(expected & names) >= len(expected) - 1, (pid, names, expected)
        assert all(c["fetched"] for c in cols)
        assert any(c["type"] == "news" and c["newest"] for c in cols)


def test_gbk_portal_text_stored_right(crawled):
    store, crawl_id, _ = crawled
    gbk = [pid for pid, spec in FLEET.items() if spec.get("encoding") == "gbk"]
    assert gbk
    for pid in gbk:
        fetch = rows(store, "select * from fetches where crawl_id = ? and portal_id = ? and kind = 'homepage'",
                     crawl_id, pid)[0]
        assert fetch["charset"] in ("gb18030", "gbk", "gb2312")
        titles = [r["title"] for r in rows(store, "select title from entries where portal_id = ?", pid)]
        assert titles and all("\ufffd" not in t for t in titles)
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles)
        body = store.body(fetch["body_hash"])
        assert body.decode("gbk")  # the stored bytes are the page's own GBK bytes


def test_homepage_elements_match_the_fleet(crawled):
    store, crawl_id, _ = crawled
    got = {r["portal_id"]: r for r in rows(store, "select * from portal_crawls where crawl_id = ?", crawl_id)}
    for pid, spec in FLEET.items():
        expect = (spec.get("expect") or {}).get("audit")
        if not expect or expect.get("error_class") or "error_link" not in expect:
            continue
        link = json.loads(got[pid]["error_link"] or "{}")
        assert bool(link.get("found")) == expect["error_link"]["found"], (pid, link, expect["error_link"])
        if expect["error_link"]["found"]:
            assert link.get("site_code") == expect["error_link"]["site_code"], pid
        policy = json.loads(got[pid]["policy_column"] or "{}")
        assert bool(policy.get("found")) == expect["policy_column"]["found"], (pid, policy)
        if policy.get("found"):
            assert policy["position"] == expect["policy_column"]["position"], (pid, policy)


def test_js_only_entry_found_by_a_real_browser_render(crawled):
    store, crawl_id, _ = crawled
    js_only = [pid for pid, spec in FLEET.items()
               if (spec.get("expect") or {}).get("audit", {}) and
               (spec["expect"]["audit"].get("error_link") or {}).get("via") == "render"]
    assert js_only
    for pid in js_only:
        rendered = rows(store, "select * from fetches where crawl_id = ? and portal_id = ? and rendered = 1",
                        crawl_id, pid)
        assert rendered and rendered[0]["error"] is None
        link = json.loads(rows(store, "select error_link from portal_crawls where crawl_id = ? and portal_id = ?",
                               crawl_id, pid)[0]["error_link"])
        assert link["found"] and link.get("rendered")


def test_static_portals_are_not_rendered(crawled):
    store, crawl_id, _ = crawled
    rendered = {r["portal_id"] for r in rows(store, "select distinct portal_id from fetches where crawl_id = ? "
                                                    "and rendered = 1", crawl_id)}
    statics = {p.id for p in REGISTRY.portals if p.render == "static"}
    assert not rendered & statics
    assert len(rendered) <= 3  # rendering only where the static HTML lacks an element


def test_verdicts_stored_for_every_active_portal(crawled):
    store, crawl_id, _ = crawled
    verdicts = rows(store, "select portal_id, rule, level from verdicts where crawl_id = ?", crawl_id)
    portals = {v["portal_id"] for v in verdicts}
    assert portals == {p.id for p in REGISTRY.portals if p.status != "closed"}
    assert {v["rule"] for v in verdicts} >= {"reachable", "homepage_fresh", "columns_fresh", "policy_column",
                                             "error_link", "reposts_24h", "overall"}


def test_pages_below_the_lists_are_read(crawled):
    """Issue 12's follow-ups on the planted portals: boards read as boards with their next pages,
    guides, attachments of new articles, link checks; list entries only from lists."""
    store, crawl_id, _ = crawled
    kinds = {}
    for r in rows(store, "select portal_id, kind, url from fetches where crawl_id = ?", crawl_id):
        kinds.setdefault(r["portal_id"], {}).setdefault(r["kind"], []).append(r["url"])
    for pid, board in (("hebei-xinji", "/hdjl/ldxx/"), ("henan-xinzheng", "/hdjl/ly/"), ("henan-xinmi", "/hdjl/zxts/")):
        pages = [u for u in kinds[pid].get("board", ()) if board in u]
        assert len(pages) == 2, (pid, pages)   # 40 messages, 20 a page
        assert not any(board in u for u in kinds[pid].get("column", ()))   # never followed as a column
    for pid in ("henan-xinzheng", "henan-xingyang", "henan-xinmi"):
        assert [u.rsplit("/", 1)[1] for u in kinds[pid]["guide"]] == ["gtgsh.shtml"]
    assert [u.rsplit(".", 1)[1] for u in kinds["henan-xingyang"]["attachment"]] == ["csv"]
    assert all(k.get("article") for k in kinds.values() if "column" in k)   # new entries' articles, every portal
    articles = {u for k in kinds.values() for u in k.get("article", ())}
    listed_on = {r["column_url"] for r in rows(store, "select distinct column_url from entries")}
    assert articles and not listed_on & articles
    checks = {r["portal_id"]: json.loads(r["link_checks"]) for r in rows(
        store, "select portal_id, link_checks from portal_crawls where crawl_id = ? and outcome = 'fetched'", crawl_id)}
    # stored as a count of live links and every other check whole
    assert all(c["alive"] + len(c["other"]) >= 1 for c in checks.values())
    dead = {pid: [c["url"] for c in cs["other"] if c.get("status") in (404, 410) or c.get("error")]
            for pid, cs in checks.items()}
    assert not any(dead.values()), dead   # at the audit every checked link of every homepage answers
