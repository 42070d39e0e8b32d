"""Exports of record lists: CSV for Excel, XLSX, JSON, and a plain table for people.

Crawled text is untrusted: in CSV and XLSX a cell starting with = + - @ (or a tab or CR) is
prefixed with a single quote so a spreadsheet shows it instead of running it (OWASP "CSV
injection"); the table strips control characters so a page title cannot drive the terminal.
Rows are mappings, or objects with ``as_row()`` (``Regression``), or dataclasses.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, IO

from monitor.clock import SHANGHAI

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: control characters (C0 but tab/newline, DEL, C1, ANSI escapes start with ESC) dropped from cells
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_XLSX_MAX_CELL = 32767
_XLSX_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Any) -> Any:
    """Prefix a string that a spreadsheet would read as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _row(row: Any) -> Mapping:
    if isinstance(row, Mapping):
        return row
    if hasattr(row, "as_row"):
        return row.as_row()
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    raise TypeError(f"cannot export a row of type {type(row).__name__}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _text(value: Any) -> str:
    """A cell as text: '' for None, ISO for dates, compact JSON for dicts and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple, set)):
        return json.dumps(value, ensure_ascii=False, default=_jsonable, separators=(",", ":"))
    return str(value)


def _rows(rows: Iterable[Any], columns: Sequence[str]) -> Iterable[list[Any]]:
    for row in rows:
        mapping = _row(row)
        yield [mapping.get(column) for column in columns]


# -- CSV ----------------------------------------------------------------------------------------


def write_csv(rows: Iterable[Any], path_or_stream: str | Path | IO, columns: Sequence[str],
              bom: bool = True) -> int:
    """Write CSV, UTF-8 with a BOM (Excel then opens Chinese intact), formulas neutralised.

    ``path_or_stream``: a path, a text stream or a binary stream. Returns the number of rows.
    """
    if isinstance(path_or_stream, (str, Path)):
        with open(path_or_stream, "w", encoding="utf-8", newline="") as handle:
            return _write_csv(rows, handle, columns, bom)
    if isinstance(path_or_stream, io.TextIOBase) or not _is_binary(path_or_stream):
        return _write_csv(rows, path_or_stream, columns, bom)
    wrapper = io.TextIOWrapper(path_or_stream, encoding="utf-8", newline="")
    try:
        return _write_csv(rows, wrapper, columns, bom)
    finally:
        wrapper.flush()
        wrapper.detach()


def _is_binary(stream) -> bool:
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return True
    return "b" in getattr(stream, "mode", "")


def _write_csv(rows, handle, columns, bom) -> int:
    if bom:
        handle.write("\ufeff")
    writer = csv.writer(handle)
    writer.writerow([neutralise(_clean(str(c))) for c in columns])
    count = 0
    for values in _rows(rows, columns):
        writer.writerow([neutralise(_clean(_text(v))) for v in values])
        count += 1
    return count


def _clean(text: str) -> str:
    return _CONTROL_RE.sub("", text)


# -- XLSX ---------------------------------------------------------------------------------------


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):  # Excel has no time zones: Shanghai wall-clock time
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return value
    text = _clean(_text(value))
    if len(text) > _XLSX_MAX_CELL - 1:
        text = text[: _XLSX_MAX_CELL - 2] + "…"
    return neutralise(text)


def xlsx_value(value: Any) -> Any:
    """A value as an XLSX cell takes it: numbers and dates as they are (Shanghai wall-clock time),
    anything else as text without control characters, formula prefixes neutralised."""
    return _xlsx_value(value)


def write_xlsx(rows: Iterable[Any], path: str | Path | IO, columns: Sequence[str],
               sheet_title: str = "report") -> int:
    """Write one worksheet (header row bold and frozen), formulas neutralised. Returns row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (_XLSX_BAD_TITLE.sub("_", sheet_title or "report").strip("'") or "report")[:31]
    sheet.append([_xlsx_value(str(c)) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [display_width(str(c)) for c in columns]
    count = 0
    for values in _rows(rows, columns):
        converted = [_xlsx_value(v) for v in values]
        sheet.append(converted)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
        for i, v in enumerate(converted):
            widths[i] = max(widths[i], display_width(_text(v)[:80]))
        count += 1
    from openpyxl.utils import get_column_letter
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60) + 2
    sheet.freeze_panes = "A2"
    workbook.save(path)
    return count


# -- JSON ---------------------------------------------------------------------------------------


def write_json(rows: Iterable[Any], path_or_stream: str | Path | IO,
               columns: Sequence[str] | None = None) -> int:
    """Write a JSON array of objects (UTF-8, Chinese unescaped; dates as ISO strings)."""
    records = []
    for row in rows:
        mapping = _row(row)
        records.append({c: mapping.get(c) for c in columns} if columns else dict(mapping))
    text = json.dumps(records, ensure_ascii=False, indent=2, default=_jsonable) + "\n"
    if isinstance(path_or_stream, (str, Path)):
        Path(path_or_stream).write_text(text, encoding="utf-8")
    elif _is_binary(path_or_stream) and not isinstance(path_or_stream, io.TextIOBase):
        path_or_stream.write(text.encode("utf-8"))
    else:
        path_or_stream.write(text)
    return len(records)


# -- table for people ---------------------------------------------------------------------------


def char_width(char: str) -> int:
    """Terminal columns of one character: 2 for wide/fullwidth (CJK), 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` columns (ending in …), then pad it to exactly ``width``."""
    if display_width(text) > width:
        out, used = [], 0
        for char in text:
            w = char_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def format_table(rows: Iterable[Any], columns: Sequence[str], max_width: int = 48) -> str:
    """A plain-text table, columns aligned by display width (CJK counts 2), cells cut at
    ``max_width`` columns; control characters and line breaks in cells become spaces."""
    def cell(value):
        return re.sub(r"\s+", " ", _CONTROL_RE.sub(" ", _text(value))).strip()

    body = [[cell(v) for v in values] for values in _rows(rows, columns)]
    header = [cell(c) for c in columns]
    widths = [min(max_width, max([display_width(h)] + [display_width(r[i]) for r in body]))
              for i, h in enumerate(header)]
    lines = ["  ".join(_fit(h, w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_fit(v, w) for v, w in zip(r, widths)).rstrip() for r in body]
    return "\n".join(lines) + "\n"
