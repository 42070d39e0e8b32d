"""``monitor releases import``: CSV / JSON / JSONL, bad rows reported by line, good rows kept."""

from __future__ import annotations

import json

from click.testing import CliRunner

from monitor.cli import cli
from monitor.store import Store

CSV = (
    "\ufefftitle,url,published,category,source\n"
    "国务院关于A的通知,https://www.gov.cn/zhengce/content/202611/content_7000001.htm,2026-11-20 10:00,最新政策,\n"
    ",https://www.gov.cn/zhengce/content/202611/content_7000002.htm,2026-11-20\n"
    "国务院关于C的意见,ftp://example.org/c,2026-11-20\n"
    "国务院关于D的决定,https://www.gov.cn/zhengce/content/202611/content_7000004.htm,not a date\n"
    "\n"
    "\"国务院关于E的通知,含逗号\",https://www.gov.cn/zhengce/content/202611/content_7000005.htm,2026-11-21,,新华社\n"
    "国务院关于F的通知,https://www.gov.cn/zhengce/content/202611/content_7000006.htm,2026-11-22,x,y,extra\n"
)


def _run(args, env=None):
    return CliRunner().invoke(cli, args, env=env or {})


def test_csv_bad_rows_by_line(tmp_path):
    src = tmp_path / "rel.csv"
    src.write_text(CSV, encoding="utf-8")
    db = tmp_path / "m.db"
    result = _run(["releases", "import", str(src), "--db", str(db)])
    assert result.exit_code == 1, result.output
    errors = result.stderr.splitlines()
    assert errors == [
        f"{src}:3: title is empty",
        f"{src}:4: url 'ftp://example.org/c' is not an http(s) URL",
        f"{src}:5: published 'not a date' is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)",
        f"{src}:8: more fields than the header has",
    ]
    assert result.stdout.strip() == "2 imported, 4 skipped"
    with Store(db) as store:
        rows = {r["id"]: r for r in store.query("select * from releases")}
    assert rows["govcn-7000001"]["published"] == "2026-11-20T10:00:00+08:00"
    assert rows["govcn-7000001"]["category"] == "最新政策"
    assert rows["govcn-7000005"]["title"] == "国务院关于E的通知,含逗号"
    assert rows["govcn-7000005"]["published"] == "2026-11-21" and rows["govcn-7000005"]["source"] == "新华社"


def test_csv_missing_header(tmp_path):
    src = tmp_path / "rel.csv"
    src.write_text("name,link\nx,y\n", encoding="utf-8")
    result = _run(["releases", "import", str(src), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{src}:1: header lacks column(s) title, url, published (need title,url,published)"


def test_json_array_lines(tmp_path):
    src = tmp_path / "rel.json"
    src.write_text(
        '[\n'
        '  {"title": "国务院关于A的通知", "url": "https://www.gov.cn/zhengce/content/202611/content_7000001.htm",\n'
        '   "published": "2026-11-20T10:00:00+08:00"},\n'
        '  {"title": "B", "url": "https://www.gov.cn/b/content_7000002.htm"},\n'
        '  "just a string",\n'
        '  {"title": "C", "url": "https://www.gov.cn/c/content_7000003.htm", "published": "2026-11-21"}\n'
        ']\n', encoding="utf-8")
    result = _run(["releases", "import", str(src), "--db", str(tmp_path / "m.db")])
    assert result.stderr.splitlines() == [f"{src}:4: published is empty", f"{src}:5: not an object"]
    assert result.stdout.strip() == "2 imported, 2 skipped"


def test_jsonl_and_env_db(tmp_path):
    src = tmp_path / "rel.jsonl"
    lines = [json.dumps({"title": "国务院关于A的通知", "url": "https://www.gov.cn/a/content_7000001.htm",
                         "published": "2026-11-20"}, ensure_ascii=False),
             "{broken", "",
             json.dumps({"title": "B", "url": "https://www.gov.cn/b/content_7000002.htm",
                         "published": "2026年11月21日 09:30"}, ensure_ascii=False)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "env.db"
    result = _run(["releases", "import", str(src)], env={"MONITOR_DB": str(db)})
    assert result.stderr.splitlines() == [f"{src}:2: not JSON: Expecting property name enclosed in double quotes"]
    assert result.stdout.strip() == "2 imported, 1 skipped"
    with Store(db) as store:
        assert store.query("select published from releases where id = 'govcn-7000002'")[0]["published"] \
            == "2026-11-21T09:30:00+08:00"
    listed = _run(["releases", "list", "--format", "json"], env={"MONITOR_DB": str(db)})
    assert [r["id"] for r in json.loads(listed.stdout)] == ["govcn-7000001", "govcn-7000002"]


def test_reimport_keeps_exact_time_and_missing_file(tmp_path):
    db = tmp_path / "m.db"
    first = tmp_path / "a.csv"
    first.write_text("title,url,published\nA,https://www.gov.cn/a/content_7000001.htm,2026-11-20 10:00\n",
                     encoding="utf-8")
    again = tmp_path / "b.csv"
    again.write_text("title,url,published\nA2,https://www.gov.cn/a/content_7000001.htm,2026-11-20\n",
                     encoding="utf-8")
    assert _run(["releases", "import", str(first), "--db", str(db)]).exit_code == 0
    assert _run(["releases", "import", str(again), "--db", str(db)]).exit_code == 0
    with Store(db) as store:
        row = store.query("select * from releases")[0]
    assert row["title"] == "A2" and row["published"] == "2026-11-20T10:00:00+08:00"
    missing = _run(["releases", "import", str(tmp_path / "nope.csv"), "--db", str(db)])
    assert missing.exit_code == 2 and "nope.csv" in missing.stderr
