"""``monitor match`` through click's CliRunner."""

import json

from click.testing import CliRunner

from monitor.cli import cli

RELEASES = [
    {"id": "r1", "title": "国务院关于加快推进数字经济高质量发展的意见",
     "url": "https://www.gov.cn/zhengce/content/202603/content_7012345.htm", "published": "2026-03-01T10:00:00"},
    {"id": "r2", "title": "国务院办公厅关于印发2026年政务公开工作要点的通知", "url": None, "published": "2026-03-05"},
]
ENTRIES = [
    {"id": "e1", "portal_id": "henan", "title": "【转载】国务院关于加快推进数字经济高质量发展的意见（全文）",
     "url": None, "published": "2026-03-01T15:30"},
    {"id": "e2", "portal_id": "henan", "title": "郑州市召开2026年安全生产工作会议", "url": None, "published": "2026-03-02"},
    {"id": "e3", "portal_id": "hebei", "title": "查看详情",
     "url": "http://gov.cn/zhengce/content/202603/content_7012345.htm", "published": "2026-03-02"},
    {"id": "e4", "portal_id": "hebei", "title": "国务院办公厅关于印发2026年政务公开工作要点的通知",
     "url": None, "published": "2026-03-05T20:00+08:00"},
]


def _write(path, rows, extra=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(tmp_path, *args, releases=RELEASES, entries=ENTRIES, extra_r=(), extra_e=()):
    r = _write(tmp_path / "releases.jsonl", releases, extra_r)
    e = _write(tmp_path / "entries.jsonl", entries, extra_e)
    return CliRunner().invoke(cli, ["match", "--releases", r, "--entries", e, *args])


def test_json_by_default(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"entry_id": "e1", "release_id": "r1", "score": 1.0, "lag_hours": 5.5, "ambiguous": False},
        {"entry_id": "e3", "release_id": "r1", "score": 1.0, "lag_hours": None, "ambiguous": False},
        {"entry_id": "e4", "release_id": "r2", "score": 1.0, "lag_hours": None,  # release has no time
         "ambiguous": False},
    ]
    assert result.stderr == ""


def test_csv_and_table(tmp_path):
    csv_out = run(tmp_path, "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "entry_id,release_id,score,lag_hours,ambiguous,candidates"
    assert csv_out[1] == "e1,r1,1.0,5.5,false," and csv_out[2] == "e3,r1,1.0,,false,"
    table = run(tmp_path, "--format", "table").stdout
    assert "entry_id" in table and "3 matched" in table and "ambiguous" not in table


DOC = "国务院关于加快推进数字经济高质量发展的意见"
FAMILY = [
    {"id": "doc", "title": DOC, "url": None, "published": "2026-03-01T10:00:00"},
    {"id": "tujie", "title": f"图解：{DOC}", "url": None, "published": "2026-03-01T11:00:00"},
    {"id": "yitu", "title": f"一图读懂《{DOC}》", "url": None, "published": "2026-03-01T12:00:00"},
]
FAMILY_ENTRIES = [
    {"id": "e1", "portal_id": "henan", "title": f"【转载】{DOC}", "url": None, "published": "2026-03-01T15:00"},
    {"id": "e2", "portal_id": "henan", "title": f"【图解】{DOC}", "url": None, "published": "2026-03-01T16:00"},
    {"id": "e3", "portal_id": "hebei", "title": f"一图看懂{DOC}", "url": None, "published": "2026-03-02"},
    {"id": "e4", "portal_id": "hebei", "title": "郑州市召开2026年安全生产工作会议", "url": None, "published": "2026-03-02"},
]


def test_an_ambiguous_entry_is_listed_once_with_its_candidates(tmp_path):
    """一图看懂X names a graphic, but gov.cn published two (图解 and 一图读懂): nothing tells which."""
    result = run(tmp_path, releases=FAMILY, entries=FAMILY_ENTRIES)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["entry_id"], r["release_id"], r["ambiguous"]) for r in rows] == [
        ("e1", "doc", False), ("e2", "tujie", False), ("e3", None, True)]
    assert sorted(rows[2]["candidates"]) == ["tujie", "yitu"] and rows[2]["lag_hours"] is None
    assert "candidates" not in rows[0]
    csv_out = run(tmp_path, "--format", "csv", releases=FAMILY, entries=FAMILY_ENTRIES).stdout.splitlines()
    assert csv_out[3].startswith("e3,,1.0,,true,") and set(csv_out[3].rsplit(",", 1)[1].split()) == {"tujie", "yitu"}
    table = run(tmp_path, "--format", "table", releases=FAMILY, entries=FAMILY_ENTRIES).stdout
    assert "ambiguous: " in table and "2 matched, 1 ambiguous" in table


def test_bad_lines_are_named_and_skipped(tmp_path):
    result = run(tmp_path, extra_r=["{not json", '{"title": "no id"}'],
                 extra_e=['{"id": "e9", "title": "x", "published": "2026-13-01"}', "[1, 2]"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3
    warnings = result.stderr.splitlines()
    assert len(warnings) == 4
    assert warnings[0].startswith("monitor: warning: ") and "releases.jsonl:3: skipped: invalid JSON" in warnings[0]
    assert "releases.jsonl:4: skipped: missing 'id'" in warnings[1]
    assert "entries.jsonl:5: skipped: 'published'" in warnings[2]
    assert "entries.jsonl:6: skipped: not a JSON object" in warnings[3]


def test_missing_file_is_one_line_and_non_zero(tmp_path):
    e = _write(tmp_path / "entries.jsonl", ENTRIES)
    result = CliRunner().invoke(cli, ["match", "--releases", str(tmp_path / "nope.jsonl"), "--entries", e])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "nope.jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_bom_and_blank_lines_and_empty_output(tmp_path):
    r = tmp_path / "r.jsonl"
    r.write_text("\ufeff" + json.dumps(RELEASES[0], ensure_ascii=False) + "\n\n", encoding="utf-8")
    e = _write(tmp_path / "e.jsonl", ENTRIES[1:2])
    result = CliRunner().invoke(cli, ["match", "--releases", str(r), "--entries", e])
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["match", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--format" in result.output
