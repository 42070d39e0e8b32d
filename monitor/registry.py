"""The registry of monitored portals: a CSV validated as a whole before any crawl starts.

Every problem is reported as ``FILE:LINE: message`` and all of them at once, so an office fixing a
registry of thousands of rows sees every bad row in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED_COLUMNS = ("id", "name", "region", "level", "url", "site_code", "status", "migrated_to", "render")
LEVELS = ("province", "city", "county", "township", "department")
STATUSES = ("active", "closed", "migrated")
RENDERS = ("static", "js", "auto")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REGION_RE = re.compile(r"^[a-z]+$")
SITE_CODE_RE = re.compile(r"^(\d{10}|bm\d{8})$")


class RegistryError(Exception):
    """The registry could not be used; ``problems`` holds every ``FILE:LINE: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Portal:
    id: str
    name: str
    region: str
    level: str
    url: str
    site_code: str | None
    status: str
    migrated_to: str | None
    render: str
    line: int = 0

    @property
    def host(self) -> str:
        return canonical_host(self.url)

    @property
    def active(self) -> bool:
        return self.status == "active"


def canonical_host(url_or_host: str) -> str:
    """A portal's host for comparisons: lowercase, no port, ``www.`` dropped (same host either way)."""
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host.split(":")[0]
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_host(url: str, host: str) -> bool:
    return canonical_host(url) == canonical_host(host)


@dataclass
class Registry:
    path: str
    portals: list[Portal]

    def by_id(self) -> dict[str, Portal]:
        return {p.id: p for p in self.portals}

    @property
    def regions(self) -> list[str]:
        return sorted({p.region for p in self.portals})

    def select(self, region: str | None = None, portal: str | None = None) -> list[Portal]:
        """Portals named by ``-a region=a,b|all`` or ``-a portal=ID,ID``; unknown names raise
        :class:`SelectionError` listing the valid ones."""
        if portal:
            wanted = _split(portal)
            known = self.by_id()
            unknown = [w for w in wanted if w not in known]
            if unknown:
                raise SelectionError(
                    f"unknown portal {', '.join(unknown)} in {self.path}; valid: {', '.join(sorted(known))}")
            return [known[w] for w in wanted]
        wanted = _split(region or "all")
        if "all" in wanted:
            return list(self.portals)
        unknown = [w for w in wanted if w not in self.regions]
        if unknown:
            raise SelectionError(
                f"unknown region {', '.join(unknown)} in {self.path}; valid: all, {', '.join(self.regions)}")
        return [p for p in self.portals if p.region in wanted]


class SelectionError(ValueError):
    pass


def _split(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def load_registry(path: str | Path, allow_hosts: str | list[str] | None = None) -> Registry:
    """Load and validate a registry CSV. ``allow_hosts``: extra host suffixes accepted besides
    ``.gov.cn`` (the ``MONITOR_ALLOW_HOSTS`` setting), e.g. for a test fleet."""
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RegistryError([f"{shown}: registry file not found"]) from None
    except OSError as exc:
        raise RegistryError([f"{shown}: cannot read registry: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryError([f"{shown}:{line}: not UTF-8 text (save the registry as UTF-8)"]) from None
    suffixes = [".gov.cn"] + [s.strip().lower() for s in (
        allow_hosts.split(",") if isinstance(allow_hosts, str) else (allow_hosts or [])) if s.strip()]
    return parse_registry(text, shown, suffixes)


def parse_registry(text: str, shown: str, host_suffixes: list[str]) -> Registry:
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RegistryError([f"{shown}:1: empty registry (expected a header row)"]) from None
    except csv.Error as exc:
        raise RegistryError([f"{shown}:1: malformed CSV: {exc}"]) from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RegistryError([f"{shown}:1: missing column(s) {', '.join(missing)} "
                             f"(need {', '.join(REQUIRED_COLUMNS)})"])
    portals: list[Portal] = []
    seen: dict[str, int] = {}
    while True:
        start = reader.line_num + 1  # a quoted field may span lines: report where the record began
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"{shown}:{start}: malformed CSV: {exc}")
            break
        line = start
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            spans = (f" (the record runs to line {reader.line_num}: an unclosed quote?)"
                     if reader.line_num > start else "")
            problems.append(f"{shown}:{line}: expected {len(header)} fields, found {len(row)}{spans}")
            continue
        rec = {k: v.strip() for k, v in zip(header, row)}
        errs = _validate(rec, host_suffixes)
        pid = rec["id"]
        if pid in seen:
            errs.append(f"duplicate id {pid!r} (first on line {seen[pid]})")
        else:
            seen[pid] = line
        problems.extend(f"{shown}:{line}: {e}" for e in errs)
        if not errs:
            portals.append(Portal(
                id=pid, name=rec["name"], region=rec["region"], level=rec["level"], url=rec["url"],
                site_code=rec["site_code"] or None, status=rec["status"],
                migrated_to=rec["migrated_to"] or None, render=rec["render"] or "auto", line=line))
    if problems:
        raise RegistryError(problems)
    if not portals:
        raise RegistryError([f"{shown}:2: the registry lists no portals"])
    return Registry(path=shown, portals=portals)


def _validate(rec: dict[str, str], host_suffixes: list[str]) -> list[str]:
    errs = []
    if not ID_RE.match(rec["id"]):
        errs.append(f"bad id {rec['id']!r} (lowercase letters, digits and hyphens)")
    if not rec["name"]:
        errs.append("empty name")
    if not REGION_RE.match(rec["region"]):
        errs.append(f"bad region {rec['region']!r} (the province's pinyin, e.g. henan, shaanxi, bumen)")
    if rec["level"] not in LEVELS:
        errs.append(f"unknown level {rec['level']!r} (one of {', '.join(LEVELS)})")
    if rec["status"] not in STATUSES:
        errs.append(f"unknown status {rec['status']!r} (one of {', '.join(STATUSES)})")
    if rec["render"] and rec["render"] not in RENDERS:
        errs.append(f"unknown render {rec['render']!r} (one of {', '.join(RENDERS)}, or empty)")
    if rec["site_code"] and not SITE_CODE_RE.match(rec["site_code"]):
        errs.append(f"bad site_code {rec['site_code']!r} (10 digits, or bm + 8 digits)")
    url_err = _check_url(rec["url"], host_suffixes)
    if url_err:
        errs.append(f"url {rec['url']!r}: {url_err}")
    if rec["status"] == "migrated":
        if not rec["migrated_to"]:
            errs.append("status migrated but migrated_to is empty")
        else:
            err = _check_url(rec["migrated_to"], host_suffixes)
            if err:
                errs.append(f"migrated_to {rec['migrated_to']!r}: {err}")
    return errs


def _check_url(url: str, host_suffixes: list[str]) -> str | None:
    if not url:
        return "empty"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not host:
        return "no host"
    if not any(host == s.lstrip(".") or host.endswith("." + s.lstrip(".")) for s in host_suffixes):
        return f"host {host} is not a .gov.cn host (MONITOR_ALLOW_HOSTS may allow others)"
    return None
