"""Date-string parsing: every printed form, month-day years from ``now``, absurd dates."""

from datetime import date, datetime

import pytest

from monitor.clock import SHANGHAI
from monitor.extract.dates import iso, parse_date, parse_list_date, parse_loose, parse_month_day

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text, want", [
    ("发布时间：2024-09-10 09:24", "2024-09-10T09:24:00+08:00"),
    ("2023-08-19 10\u223608", "2023-08-19T10:08:00+08:00"),
    ("2026年05月09日", "2026-05-09"),
    ("2021年06月10日 17:35", "2021-06-10T17:35:00+08:00"),
    ("2024年5月9日10时08分", "2024-05-09T10:08:00+08:00"),
    ("2026-09-24-10:00:00", "2026-09-24T10:00:00+08:00"),
    ("日期：2021/09/06", "2021-09-06"),
    ("2024.09.30 09:24:36 GMT+08:00", "2024-09-30T09:24:36+08:00"),
    ("2024-10-14\u300010:17", "2024-10-14T10:17:00+08:00"),
    ("2024－10－14", "2024-10-14"),
    ("2024-01-29 访问量", "2024-01-29"),
])
def test_full_forms(text, want):
    assert iso(parse_date(text, NOW)) == want


@pytest.mark.parametrize("text", ["2026-13-45", "0000-00-00", "2024-02-30", "1899-01-01", "20200805",
                                  "000014348/2020-35428", "", "Copyright © 2001-2026"])
def test_absurd_or_absent(text):
    assert parse_date(text, NOW) is None


def test_future_rejected_beyond_a_day():
    assert parse_date("2026-11-30", NOW) == date(2026, 11, 30)  # within a day of now
    assert parse_date("2026-12-01", NOW) is None
    assert parse_date("2027-01-01 2025-01-01", NOW) == date(2025, 1, 1)


@pytest.mark.parametrize("text, want", [
    ("02-25", "2026-02-25"), ("11-28", "2026-11-28"), ("12-30", "2025-12-30"), ("[11-30]", "2026-11-30"),
    ("02月25日", "2026-02-25"), ("11-29 10:30", "2026-11-29T10:30:00+08:00"), ("02-29", "2024-02-29"),
])
def test_month_day_year_from_now(text, want):
    assert iso(parse_month_day(text, NOW)) == want


def test_month_day_rejects_absurd():
    assert parse_month_day("13-45", NOW) is None
    assert parse_list_date("2026-13-45", NOW) is None


def test_list_date_prefers_full_dates():
    assert parse_list_date("成文 2026-01-02 发布 2026-01-05", NOW) == date(2026, 1, 5)


def test_iso_is_shanghai():
    assert iso(datetime(2024, 1, 1, 16, 0, tzinfo=SHANGHAI)) == "2024-01-01T16:00:00+08:00"
    assert iso(None) is None


def test_loose_fallback():
    assert parse_loose("May 9, 2024", NOW) == date(2024, 5, 9)
    assert parse_loose("no date here", NOW) is None
    assert parse_loose("\x00\xff junk 99", NOW) is None
