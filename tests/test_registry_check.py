"""``monitor registry check``: a live homepage pass over the sandbox (migrated, renamed, code-less
and redirecting portals), ``--apply`` writing only the confident changes and keeping every other byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import PROJECT, SANDBOX_NOW, scrapy_env
from monitor.extract.page import Page
from monitor.registry import Portal, load_registry
from monitor.registry_check import Change, apply_changes, assess, names_agree, page_facts, page_redirect
from monitor.sandbox.drift import write_check_registry

SUFFIXES = [".gov.cn"]


def monitor(*args, proxy, timeout=120):
    """``monitor …`` in a subprocess (the check starts a crawl, which needs its own process anyway)."""
    env = scrapy_env(http_proxy=proxy, MONITOR_NOW=SANDBOX_NOW)
    return subprocess.run([sys.executable, "-c", "from monitor.cli import main; main()", *args],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def checked(sandbox, tmp_path_factory):
    """One check of the whole sandbox registry plus the drift rows (JSON records), and its registry."""
    tmp = tmp_path_factory.mktemp("check")
    registry = tmp / "portals.csv"
    write_check_registry(registry)
    proc = monitor("registry", "check", "--registry", str(registry), "--timeout", "3", "--format", "json",
                   proxy=sandbox.url)
    assert proc.returncode == 0, proc.stderr
    return {r["portal"]: r for r in json.loads(proc.stdout)}, proc.stderr, registry


@pytest.mark.slow
def test_a_permanent_off_host_redirect_with_the_same_site_code_is_a_confident_migration(checked):
    rows, text, _ = checked
    row = rows["henan-zhoukou"]
    assert (row["reachable"], row["offhost"], row["final_url"], row["code"], row["action"]) == (
        "yes", "yes", "http://www.zkszf.gov.cn/", "match", "apply")
    assert "status=migrated; migrated_to=http://www.zkszf.gov.cn/" in row["suggest"]


@pytest.mark.slow
def test_a_new_site_name_on_the_same_host_with_the_same_code_is_a_confident_rename(checked):
    row = checked[0]["henan-yanshi"]
    assert (row["name"], row["name_seen"], row["code"], row["action"]) == (
        "differs", "洛阳市偃师区人民政府", "match", "apply")
    assert row["suggest"] == "name=洛阳市偃师区人民政府"


@pytest.mark.slow
def test_a_corroborated_code_fills_an_empty_one(checked):
    row = checked[0]["henan-huaxian"]
    assert (row["code"], row["code_seen"], row["suggest"], row["action"]) == (
        "new", "4105260001", "site_code=4105260001", "apply")


@pytest.mark.slow
def test_a_temporary_redirect_to_an_unproven_page_is_left_for_review(checked):
    rows, text, _ = checked
    row = rows["hebei-chengde"]
    assert (row["offhost"], row["final_url"], row["action"]) == ("yes", "http://cd.hebei.gov.cn/", "review")
    assert "hebei-chengde: status active → migrated  (temporary redirect to another host, same name)" in text


@pytest.mark.slow
def test_healthy_failing_closed_and_migrated_rows(checked):
    rows = checked[0]
    assert (rows["henan-zhengzhou"]["action"], rows["henan-zhengzhou"]["code"], rows["henan-zhengzhou"]["name"]) == (
        "ok", "match", "match")
    assert rows["hebei-hengshui"]["reachable"] == "no" and rows["hebei-hengshui"]["error"] == "refused"
    assert rows["hebei-xingtai"]["error"] == "blocked"
    assert rows["hebei-xingtai-qiaodong"]["action"] == "skipped"
    kfx = rows["henan-kaifengxian"]     # migrated: its new home is what is checked, and it answers
    assert (kfx["checked"], kfx["reachable"], kfx["action"]) == ("http://www.kfxf.gov.cn/", "yes", "ok")
    # the site codes the bundled fleet shows on purpose where they differ from the registry (copied templates)
    assert all(r["action"] in ("ok", "review", "skipped") for pid, r in rows.items()
               if pid not in ("henan-zhoukou", "henan-yanshi", "henan-huaxian"))


@pytest.mark.slow
def test_apply_writes_only_the_confident_changes_and_keeps_every_other_byte(sandbox, tmp_path):
    registry = tmp_path / "portals.csv"
    write_check_registry(registry)
    original = registry.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    # a comment, a blank line and an extra column an office keeps: all must survive
    edited = ("# 河南省政府网站清单, 2026-11\n" + lines[0].replace("render", "render,note") +
              "".join(ln.replace("\n", ",\n") for ln in lines[1:4]) + "\n" +
              "".join(ln.replace("\n", ',"备注, 有逗号"\n') for ln in lines[4:]))
    registry.write_bytes(b"\xef\xbb\xbf" + edited.encode("utf-8"))
    proc = monitor("registry", "check", "--registry", str(registry), "--region", "henan,hebei", "--level",
                   "city,county", "--timeout", "3", "--apply", proxy=sandbox.url)
    assert proc.returncode == 0, proc.stderr
    assert "applied to" in proc.stdout and "to review (not applied):" in proc.stdout
    after = registry.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    before_lines, after_lines = edited.splitlines(), after.decode("utf-8-sig").splitlines()
    assert len(before_lines) == len(after_lines)
    changed = {b: a for b, a in zip(before_lines, after_lines) if a != b}
    assert sorted(a.split(",")[0] for a in changed.values()) == ["henan-huaxian", "henan-yanshi", "henan-zhoukou"]
    reg = load_registry(registry)
    by_id = reg.by_id()
    assert (by_id["henan-zhoukou"].status, by_id["henan-zhoukou"].migrated_to) == ("migrated", "http://www.zkszf.gov.cn/")
    assert by_id["henan-yanshi"].name == "洛阳市偃师区人民政府"
    assert by_id["henan-huaxian"].site_code == "4105260001"
    assert by_id["hebei-chengde"].status == "active"          # only listed
    assert after.decode("utf-8-sig").startswith("# 河南省政府网站清单, 2026-11\n")
    assert '"备注, 有逗号"' in after_lines[-1]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_bad_selection_fails_before_any_request(tmp_path):
    registry = tmp_path / "portals.csv"
    write_check_registry(registry)
    proc = monitor("registry", "check", "--registry", str(registry), "--parent", "henan-nowhere",
                   proxy="http://127.0.0.1:9")
    assert proc.returncode == 2 and "unknown parent henan-nowhere" in proc.stderr and "Traceback" not in proc.stderr


# -- the pure parts, offline ----------------------------------------------------------------------

def _portal(**kw):
    base = dict(id="p", name="郑州市人民政府", region="henan", level="city", url="http://www.zhengzhou.gov.cn/",
                site_code="4101000004", status="active", migrated_to=None, render="auto")
    base.update(kw)
    return Portal(**base)


def _page(html, url="http://www.zhengzhou.gov.cn/"):
    return Page(html=html, url=url)


def test_page_facts_reads_names_and_every_code_source():
    html = ('<html><head><title>首页 - 郑州市人民政府门户网站</title><meta name="SiteName" content="郑州市人民政府">'
            '<meta name="SiteIDCode" content="4101000004"></head><body><div class="footer">网站标识码：4101000004'
            '<script id="_jiucuo_" sitecode="4101000004" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'
            '</div></body></html>')
    facts = page_facts(_page(html))
    assert facts["site_name"] == "郑州市人民政府" and facts["title"] == "首页 - 郑州市人民政府门户网站"
    assert facts["codes"] == {"meta": "4101000004", "entry": "4101000004", "footer": "4101000004"}
    assert page_facts(_page("")) == {"title": None, "site_name": None, "name_seen": None, "codes": {}}


def test_names_agree_ignores_decoration():
    assert names_agree("郑州市人民政府", "郑州市人民政府门户网站")
    assert names_agree("承德市人民政府", "承德市人民政府（新版）")
    assert names_agree("郑州市人民政府", "欢迎访问 郑州市人民政府 | 首页")
    assert names_agree("偃师市人民政府", "洛阳市偃师区人民政府") is False
    assert names_agree("郑州市人民政府", None) is None


def test_page_redirects_meta_refresh_and_tiny_script_pages():
    assert page_redirect('<meta http-equiv="refresh" content="0; url=http://www.new.gov.cn/">', 60) == \
        "http://www.new.gov.cn/"
    assert page_redirect("<script>window.location.href='http://www.new.gov.cn/';</script>", 60) == \
        "http://www.new.gov.cn/"
    assert page_redirect("<script>window.location.href='/x';</script>" + "x" * 5000, 5100) is None


def test_a_code_mismatch_is_never_applied_and_a_lone_code_is_left_for_review():
    fetched = {"status": 200, "final_url": "http://www.zhengzhou.gov.cn/", "facts": {
        "site_name": "郑州市人民政府", "name_seen": "郑州市人民政府", "codes": {"meta": "4101000099"}}}
    row = assess(_portal(), fetched, SUFFIXES)
    assert (row.code, row.changes, row.action) == ("mismatch", [], "review")
    row = assess(_portal(site_code=None), fetched, SUFFIXES)
    assert [(c.field, c.new, c.confident) for c in row.changes] == [("site_code", "4101000099", False)]
    fetched["facts"]["codes"] = {"meta": "1301000001", "footer": "1301000001"}   # another province's code
    row = assess(_portal(site_code=None), fetched, SUFFIXES)
    assert row.changes[0].confident is False and "not in region henan" in row.changes[0].why


def test_off_host_redirect_to_a_host_that_is_not_allowed_is_not_followed_nor_applied():
    fetched = {"status": 302, "error": "redirect", "final_url": "http://www.example.com/",
               "unfollowed": "host www.example.com is not a .gov.cn host",
               "redirects": [{"url": "http://www.zhengzhou.gov.cn/", "status": 302, "to": "http://www.example.com/"}]}
    row = assess(_portal(), fetched, SUFFIXES)
    assert row.reachable is False and row.offhost and row.changes == []
    assert any("not fetched" in n for n in row.notes)


def test_apply_changes_rewrites_only_the_rows_it_changes():
    text = ("# comment, kept\r\nid,name,region,level,url,site_code,status,migrated_to,render\r\n"
            'a,"甲, 乙",henan,city,http://www.a.gov.cn/,,active,,\r\n'
            "\r\n"
            "b,丙,henan,city,http://www.b.gov.cn/,,active,,\r\n")
    new, applied = apply_changes(text, [Change("b", "status", "active", "migrated", True, ""),
                                        Change("b", "migrated_to", "", "http://www.c.gov.cn/", True, ""),
                                        Change("zz", "name", "", "x", True, "")])
    assert new == text.replace("b,丙,henan,city,http://www.b.gov.cn/,,active,,",
                               "b,丙,henan,city,http://www.b.gov.cn/,,migrated,http://www.c.gov.cn/,")
    assert [c.field for c in applied] == ["status", "migrated_to"]
