"""Property-based fuzzing (hypothesis) of everything that reads untrusted input: the extractors
behind ``monitor inspect`` on arbitrary bytes, truncated real markup and any declared charset; the
registry loader; the date parsers; the repost matcher; the exports; the settings parser.

The properties: no exception escapes, the result has its documented shape, and each input is
handled within the profile's deadline. The suite runs the ``ci`` profile (bounded); a longer run:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py -q

A failure found once is pinned below with ``@example`` so it stays fixed.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, example, given, settings, strategies as st

from monitor.clock import SHANGHAI
from monitor.config import MonitorSettings, SettingsError
from monitor.exports import FORMULA_PREFIXES, format_table, write_csv, write_json, write_xlsx
from monitor.extract.dates import find_dates, parse_date, parse_list_date, parse_month_day
from monitor.extract.inspect import inspect_page
from monitor.extract.jsstrings import js_string_runs
from monitor.extract.page import Page
from monitor.match import Entry, Matcher, Release, normalize_title
from monitor.registry import RegistryError, load_registry

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)
FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAGES = sorted((FIXTURES / "real" / "pages").glob("*.html")) + sorted(
    (FIXTURES / "dates" / "pages").glob("*.html"))[:20]
KEYS = {"published", "document_date", "entries", "column", "site", "policy_column", "error_link", "privacy",
        "privacy_counts", "boards", "messages", "harmful"}
CHARSETS = ["utf-8", "gbk", "gb2312", "gb18030", "utf-16", "big5", "latin-1", "shift_jis",
            "x-no-such-charset", "", "utf-8\x00", "gbk;charset=utf-8"]
HEADER = "id,name,region,level,url,site_code,status,migrated_to,render\n"

# Chinese-heavy text: portal titles and dates are the common case
cjk = st.text(alphabet=st.sampled_from(list("国务院办公厅关于印发通知意见年月日发布时间：-/.0123456789 《》【】（）…"))
              | st.characters(), max_size=120)


def _inspect(page: Page) -> dict:
    result = inspect_page(page)
    assert set(result) == KEYS
    json.dumps(result, ensure_ascii=False)  # what the CLI prints
    return result


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=20_000))
@example(b"\xff\xfe<\x00h\x00t\x00m\x00l\x00")  # a UTF-16 BOM, then half a character
@example(b"<html><meta charset=gbk><body>\x81</body>")
def test_inspect_arbitrary_bytes(data):
    _inspect(Page.from_bytes(data, "http://www.example.gov.cn/a/b.html", NOW))


@given(st.sampled_from(CHARSETS), cjk, st.sampled_from(["meta", "header", "both"]))
def test_inspect_any_declared_charset(charset, text, where):
    markup = f'<html><head><meta charset="{charset}"><title>{text}</title></head><body><ul><li>' \
             f'<a href="/t.html">{text}</a><span>2026-11-01</span></li></ul>发布时间：{text}</body></html>'
    try:
        body = markup.encode(charset or "utf-8", errors="replace")
    except (LookupError, ValueError):
        body = markup.encode("utf-8")
    http_charset = charset if where in ("header", "both") else None
    page = Page.from_bytes(body, "http://www.example.gov.cn/", NOW) if http_charset is None else \
        Page(html=body.decode("utf-8", "replace"), url="http://www.example.gov.cn/", now=NOW, encoding=charset)
    _inspect(page)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_PAGES), st.floats(min_value=0, max_value=1), st.binary(max_size=40))
def test_inspect_truncated_real_markup(path, cut, junk):
    data = path.read_bytes()
    _inspect(Page.from_bytes(data[: int(len(data) * cut)] + junk, "http://www.example.gov.cn/", NOW))


@given(st.text(max_size=300))
@example("<a href='javascript:alert(1)'>")
def test_js_strings_never_raise(js):
    assert isinstance(js_string_runs(js), list)


@given(cjk)
@example("2026-13-45")
@example("0000年00月00日 25:61")
@example("２０２６年１１月０１日")
def test_date_parsers(text):
    for value in (parse_date(text, NOW), parse_list_date(text, NOW), parse_month_day(text, NOW)):
        assert value is None or isinstance(value, (date, datetime))
    assert all(isinstance(v, (date, datetime)) for _, v in find_dates(text, NOW))


rows = st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
                         | st.sampled_from(["henan", "province", "active", "http://www.a.gov.cn/", ""]),
                         min_size=0, max_size=12), max_size=8)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows, st.booleans(), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
def test_registry_loader_reports_or_loads(tmp_path, body, header, encoding):
    out = io.StringIO()
    csv.writer(out).writerows(body)
    text = (HEADER if header else "") + out.getvalue()
    path = tmp_path / "portals.csv"
    try:
        path.write_bytes(text.encode(encoding, errors="replace"))
    except UnicodeError:
        return
    try:
        registry = load_registry(path)
    except RegistryError as exc:
        assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)
    else:
        assert all(p.id for p in registry.portals)


@settings(deadline=None, max_examples=30)
@given(st.lists(cjk, min_size=1, max_size=15), st.lists(cjk, max_size=30))
@example(["国务院关于印发X的通知"], ["图解：国务院关于印发X的通知", "", "…"])
def test_matcher_never_raises(release_titles, entry_titles):
    releases = [Release(f"r{i}", t, f"https://www.gov.cn/zhengce/content/202611/content_{i}.htm",
                        datetime(2026, 11, 1, 10, tzinfo=SHANGHAI)) for i, t in enumerate(release_titles)]
    entries = [Entry(f"e{i}", "p", t, None, date(2026, 11, 2)) for i, t in enumerate(entry_titles)]
    matches = Matcher(releases).match_all(entries)
    ids = {r.id for r in releases}
    assert all(m.release_id in ids for m in matches)
    for t in entry_titles:
        assert isinstance(normalize_title(t), str)


cells = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.booleans(),
                  st.text(max_size=60), st.sampled_from(["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-2", "\tx"]))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(st.lists(st.fixed_dictionaries({"a": cells, "b": cells, "名称": cells}), max_size=6))
def test_exports_never_raise_and_neutralise_formulas(tmp_path, records):
    columns = ("a", "b", "名称")
    write_json(records, io.StringIO())
    assert isinstance(format_table(records, columns), str)
    path = tmp_path / "x.csv"
    write_csv(records, path, columns, bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    for row in list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1:]:
        assert not any(cell.startswith(FORMULA_PREFIXES) and cell not in ("-", "") and not _number(cell)
                       for cell in row), row
    write_xlsx(records, tmp_path / "x.xlsx", columns, "sheet")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert not any(isinstance(v, str) and v.startswith("=") for v in row), row


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


@given(st.dictionaries(st.sampled_from(["MONITOR_MAX_PAGES_PER_PORTAL", "MONITOR_REACHABLE_FAIL_SHARE",
                                        "MONITOR_RENDER", "MONITOR_NOW", "MONITOR_COLUMN_MAX_AGE_DAYS",
                                        "MONITOR_ALLOW_HOSTS", "MONITOR_PROGRESS", "MONITOR_GOVCN_BASE"]),
                       st.text(max_size=30)))
def test_settings_parse_or_name_the_bad_one(values):
    try:
        MonitorSettings.load(values, environ={})
    except SettingsError as exc:
        assert str(exc).startswith("MONITOR_")
