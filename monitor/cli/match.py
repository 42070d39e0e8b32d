"""``monitor match``: the repost matcher on exported data (JSONL in, matches out)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from monitor.cli import UserError
from monitor.match import DEFAULT_THRESHOLD, Entry, Matcher, Release, parse_published

T = TypeVar("T")
FIELDS = ("entry_id", "release_id", "score", "lag_hours", "ambiguous", "candidates")


def _text(row: dict, key: str, required: bool) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"missing {key!r}")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"{key!r} must be a string")
    return str(value)


def _published(row: dict):
    value = _text(row, "published", False)
    try:
        return parse_published(value)
    except ValueError:
        raise ValueError(f"'published' is not an ISO date or date-time: {value!r}") from None


def _release(row: dict) -> Release:
    return Release(_text(row, "id", True), _text(row, "title", False) or "", _text(row, "url", False),
                   _published(row))


def _entry(row: dict) -> Entry:
    return Entry(_text(row, "id", True), _text(row, "portal_id", False), _text(row, "title", False) or "",
                 _text(row, "url", False), _published(row))


def read_jsonl(path: Path, build: Callable[[dict], T], warn: Callable[[str], None]) -> Iterator[T]:
    """Rows of a JSONL file (UTF-8, a BOM tolerated); a bad line is reported as ``FILE:LINE: why``
    through ``warn`` and skipped. A missing or unreadable file is a ``UserError``."""
    try:
        fh = path.open("r", encoding="utf-8-sig", newline=None)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"invalid JSON ({exc.msg}, column {exc.colno})") from None
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                    yield build(row)
                except ValueError as exc:  # JSONDecodeError is a ValueError
                    warn(f"{path}:{number}: skipped: {exc}")
        except UnicodeDecodeError:
            raise UserError(f"{path}: not UTF-8 text") from None


def _record(m) -> dict:
    """One output record: every match has the keys of FIELDS but ``candidates``, which only an
    ambiguous one has (its ``release_id`` and ``lag_hours`` are null)."""
    row = {"entry_id": m.entry_id, "release_id": m.release_id, "score": m.score,
           "lag_hours": None if m.lag_hours is None else round(m.lag_hours, 2), "ambiguous": m.ambiguous}
    if m.ambiguous:
        row["candidates"] = list(m.candidates)
    return row


def _cell(row: dict, key: str) -> str | float | None:
    value = row.get(key)
    if key == "candidates":
        return " ".join(value or ())
    if key == "ambiguous":
        return "true" if value else "false"
    return value


def _render(matches: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(matches, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows([_cell(m, k) for k in FIELDS] for m in matches)
        return buf.getvalue().rstrip("\n")
    columns = ("entry_id", "release_id", "score", "lag_hours")
    rows = [[str(m[k]) if m[k] is not None else "-" for k in columns] for m in matches]
    for row, m in zip(rows, matches):
        if m["ambiguous"]:  # no release: the candidates in its place
            row[1] = "ambiguous: " + ", ".join(m["candidates"])
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(columns)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(columns, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    unsure = sum(1 for m in matches if m["ambiguous"])
    lines.append(f"{len(matches) - unsure} matched" + (f", {unsure} ambiguous" if unsure else ""))
    return "\n".join(line.rstrip() for line in lines)


@click.command("match")
@click.option("--releases", "releases_path", required=True, type=click.Path(path_type=Path),
              help="JSONL of releases: {id, title, url, published}.")
@click.option("--entries", "entries_path", required=True, type=click.Path(path_type=Path),
              help="JSONL of portal entries: {id, portal_id, title, url, published}.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="json",
              show_default=True, help="Output format.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=DEFAULT_THRESHOLD,
              show_default=True, help="Minimum title similarity, 0 to 1.")
def match(releases_path: Path, entries_path: Path, fmt: str, threshold: float) -> None:
    """Match portal entries to the State Council releases they repost.

    Prints one record per matched entry: entry_id, release_id, score (0-1), lag_hours (the
    entry's published minus the release's; null when either has a date but no time) and
    ambiguous. Unmatched entries are left out; an entry matches at most one release. An entry that
    fits several releases equally (一图看懂X when gov.cn published both 图解：X and 一图读懂X) is
    listed once with ambiguous true, release_id null and the releases under candidates. Companions
    (图解：X, X政策解读, X（视频）) are releases of their own: an entry matches the document or the
    companion its title names. `published` is an ISO date or date-time (naive times are Beijing
    time). Bad lines are reported as FILE:LINE on stderr and skipped.

    \b
    Example:
      monitor match --releases releases.jsonl --entries entries.jsonl --format table
    """
    warn = lambda message: click.echo(f"monitor: warning: {message}", err=True)  # noqa: E731
    matcher = Matcher(read_jsonl(releases_path, _release, warn), threshold=threshold)
    entries = list(read_jsonl(entries_path, _entry, warn))
    found = [_record(m) for m in matcher.match_all(entries, ambiguous=True)]
    click.echo(_render(found, fmt))
