"""The registry of monitored portals: a CSV validated as a whole before any crawl starts.

Every problem is reported as ``FILE:LINE: message`` and all of them at once, so an office fixing a
registry of thousands of rows sees every bad row in one pass.

The hierarchy: an optional ``parent`` column holds the id of the portal one level up (a county's
city, a city's province, a department's government). Files without it stay valid. Selection
(``Registry.select``) takes regions, portal ids, levels and parents; ``parent=X`` means X and every
portal below it, at any depth.

Lines whose first field starts with ``#`` are comments: the loader skips them and
``monitor registry check --apply`` keeps them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED_COLUMNS = ("id", "name", "region", "level", "url", "site_code", "status", "migrated_to", "render")
OPTIONAL_COLUMNS = ("parent",)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
LEVELS = ("province", "city", "county", "township", "department")
#: how far down a level sits; a portal's parent must sit higher (departments sit anywhere)
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}
STATUSES = ("active", "closed", "migrated")
RENDERS = ("static", "js", "auto")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REGION_RE = re.compile(r"^[a-z]+$")
SITE_CODE_RE = re.compile(r"^(\d{10}|bm\d{8})$")
# the common case of a URL, checked without urlsplit (a third of the loading time of a large file)
_SIMPLE_URL_RE = re.compile(r"^https?://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?:/[^\s\\#?]*)?(?:\?[^\s\\#]*)?$")
#: longest list of valid names an error message prints before "… and N more"
LISTED = 40


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
    parent: str | None = None

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


def listing(values, limit: int = LISTED) -> str:
    """``a, b, c`` — or the first ``limit`` and ``… and N more`` (a registry may hold 15,000 ids)."""
    values = list(values)
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f", … and {len(values) - limit} more"


def descendants(children: dict[str, list[str]], roots) -> set[str]:
    """``roots`` and every id below them in a parent → children map (any depth)."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        stack.extend(children.get(pid, ()))
    return found


@dataclass
class Registry:
    path: str
    portals: list[Portal]
    _children: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def by_id(self) -> dict[str, Portal]:
        return {p.id: p for p in self.portals}

    @property
    def regions(self) -> list[str]:
        return sorted({p.region for p in self.portals})

    @property
    def levels(self) -> list[str]:
        present = {p.level for p in self.portals}
        return [lv for lv in LEVELS if lv in present]

    @property
    def children(self) -> dict[str, list[str]]:
        """parent id -> ids of the portals directly below it, in registry order."""
        if self._children is None:
            kids: dict[str, list[str]] = {}
            for p in self.portals:
                if p.parent:
                    kids.setdefault(p.parent, []).append(p.id)
            self._children = kids
        return self._children

    def ancestors(self, portal_id: str) -> list[str]:
        """The parent, its parent, … up to a portal without one (nearest first)."""
        known = self.by_id()
        out: list[str] = []
        current = known.get(portal_id)
        while current is not None and current.parent and current.parent not in out:
            out.append(current.parent)
            current = known.get(current.parent)
        return out

    def select(self, region: str | None = None, portal: str | None = None, level: str | None = None,
               parent: str | None = None) -> list[Portal]:
        """Portals named by ``-a region=a,b|all``, ``-a portal=ID,ID``, ``-a level=city,county`` and
        ``-a parent=ID,ID``, in registry order.

        ``portal`` picks portals (instead of ``region``); ``level`` and ``parent`` narrow whichever
        was given. ``parent=X`` is X itself and every portal below it at any depth (a city's office
        asking for its city gets the city portal and its counties; add ``level=county`` to leave
        the city out). Comma lists are unions within one argument and arguments intersect. Unknown
        names raise :class:`SelectionError` listing the valid ones, and so does a selection that
        matches no portal.
        """
        if portal:
            wanted = _split(portal)
            known = self.by_id()
            unknown = [w for w in wanted if w not in known]
            if unknown:
                raise SelectionError(f"unknown portal {', '.join(unknown)} in {self.path}; "
                                     f"valid: {listing(sorted(known))}")
            chosen = [known[w] for w in dict.fromkeys(wanted)]
        else:
            wanted = _split(region or "all")
            if "all" in wanted:
                chosen = list(self.portals)
            else:
                regions = self.regions
                unknown = [w for w in wanted if w not in regions]
                if unknown:
                    raise SelectionError(f"unknown region {', '.join(unknown)} in {self.path}; "
                                         f"valid: all, {', '.join(regions)}")
                wanted_set = set(wanted)
                chosen = [p for p in self.portals if p.region in wanted_set]
        if level:
            levels = _split(level)
            unknown = [lv for lv in levels if lv not in LEVELS]
            if unknown:
                raise SelectionError(f"unknown level {', '.join(unknown)}; valid: {', '.join(LEVELS)}")
            level_set = set(levels)
            chosen = [p for p in chosen if p.level in level_set]
        if parent:
            roots = _split(parent)
            known = self.by_id()
            unknown = [r for r in roots if r not in known]
            if unknown:
                parents = sorted(self.children)
                valid = f"portals with portals below them: {listing(parents)}" if parents else \
                    "none (the registry has no parent column, or it is empty)"
                raise SelectionError(f"unknown parent {', '.join(unknown)} in {self.path}; valid: {valid}")
            inside = descendants(self.children, roots)
            chosen = [p for p in chosen if p.id in inside]
        if not chosen:
            asked = ", ".join(f"{k}={v}" for k, v in (("region", region), ("portal", portal), ("level", level),
                                                      ("parent", parent)) if v)
            raise SelectionError(f"no portal in {self.path} matches {asked}")
        return chosen


class SelectionError(ValueError):
    pass


def _split(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def host_suffixes(allow_hosts: str | list[str] | None) -> list[str]:
    """``.gov.cn`` plus the ``MONITOR_ALLOW_HOSTS`` suffixes (comma list or list)."""
    return [".gov.cn"] + [s.strip().lower() for s in (
        allow_hosts.split(",") if isinstance(allow_hosts, str) else (allow_hosts or [])) if s.strip()]


def read_text(path: str | Path) -> str:
    """A registry file's text (UTF-8, a BOM tolerated), or :class:`RegistryError` naming it."""
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise RegistryError([f"{shown}: registry file not found"]) from None
    except IsADirectoryError:
        raise RegistryError([f"{shown}: is a directory, not a registry file"]) from None
    except OSError as exc:
        raise RegistryError([f"{shown}: cannot read registry: {exc.strerror or exc}"]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryError([f"{shown}:{line}: not UTF-8 text (save the registry as UTF-8)"]) from None


def load_registry(path: str | Path, allow_hosts: str | list[str] | None = None) -> Registry:
    """Load and validate a registry CSV. ``allow_hosts``: extra host suffixes accepted besides
    ``.gov.cn`` (the ``MONITOR_ALLOW_HOSTS`` setting), e.g. for a test fleet."""
    return parse_registry(read_text(path), str(path), host_suffixes(allow_hosts))


def records(text: str, shown: str):
    """The CSV records of a registry text: ``(first line, last line, cells)`` per record, comment
    lines (first field starting with ``#``) and blank lines left out. ``csv.Error`` is raised as a
    :class:`RegistryError` naming the line where the broken record began."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        start = reader.line_num + 1  # a quoted field may span lines: report where the record began
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RegistryError([f"{shown}:{start}: malformed CSV: {exc}"]) from None
        if not row or (row[0].lstrip().startswith("#")) or not any(cell.strip() for cell in row):
            continue
        yield start, reader.line_num, row


def parse_registry(text: str, shown: str, host_suffixes: list[str]) -> Registry:
    problems: list[str] = []
    rows = records(text, shown)
    try:
        first = next(rows, None)
    except RegistryError:
        raise RegistryError([f"{shown}:1: malformed CSV header"]) from None
    if first is None:
        raise RegistryError([f"{shown}:1: empty registry (expected a header row)"])
    header_line, _, header = first
    header = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RegistryError([f"{shown}:{header_line}: missing column(s) {', '.join(missing)} "
                             f"(need {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)})"])
    index = {name: header.index(name) for name in COLUMNS if name in header}
    has_parent = "parent" in index
    width = len(header)
    portals: list[Portal] = []
    seen: dict[str, int] = {}
    checked_urls: dict[str, str | None] = {}
    try:
        for line, last, row in rows:
            if len(row) != width:
                spans = f" (the record runs to line {last}: an unclosed quote?)" if last > line else ""
                problems.append(f"{shown}:{line}: expected {width} fields, found {len(row)}{spans}")
                continue
            rec = {name: row[i].strip() for name, i in index.items()}
            if not has_parent:
                rec["parent"] = ""
            errs = _validate(rec, host_suffixes, checked_urls)
            pid = rec["id"]
            if pid in seen:
                errs.append(f"duplicate id {pid!r} (first on line {seen[pid]})")
            else:
                seen[pid] = line
            if errs:
                problems.extend(f"{shown}:{line}: {e}" for e in errs)
                continue
            portals.append(Portal(pid, rec["name"], rec["region"], rec["level"], rec["url"],
                                  rec["site_code"] or None, rec["status"], rec["migrated_to"] or None,
                                  rec["render"] or "auto", line, rec["parent"] or None))
    except RegistryError as exc:
        problems.extend(exc.problems)
    if has_parent:
        problems.extend(_check_parents(portals, seen, shown))
    if problems:
        prefix = len(shown) + 1
        problems.sort(key=lambda text: int(text[prefix:].split(":", 1)[0] or 0))  # parent checks ran last
        raise RegistryError(problems)
    if not portals:
        raise RegistryError([f"{shown}:{header_line + 1}: the registry lists no portals"])
    return Registry(path=shown, portals=portals)


def _validate(rec: dict[str, str], host_suffixes: list[str], checked: dict[str, str | None]) -> list[str]:
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
    url_err = check_url(rec["url"], host_suffixes, checked)
    if url_err:
        errs.append(f"url {rec['url']!r}: {url_err}")
    if rec["status"] == "migrated":
        if not rec["migrated_to"]:
            errs.append("status migrated but migrated_to is empty")
        else:
            err = check_url(rec["migrated_to"], host_suffixes, checked)
            if err:
                errs.append(f"migrated_to {rec['migrated_to']!r}: {err}")
    if rec["parent"]:
        if not ID_RE.match(rec["parent"]):
            errs.append(f"bad parent {rec['parent']!r} (a portal id: lowercase letters, digits and hyphens)")
        elif rec["parent"] == rec["id"]:
            errs.append("parent is the portal itself")
    return errs


def _check_parents(portals: list[Portal], lines: dict[str, int], shown: str) -> list[str]:
    """Every parent names a portal of the file, sits above its child, and no chain loops."""
    problems = []
    known = {p.id: p for p in portals}
    for p in portals:
        if not p.parent:
            continue
        up = known.get(p.parent)
        if up is None:
            where = f" (its row on line {lines[p.parent]} is invalid)" if p.parent in lines else ""
            problems.append(f"{shown}:{p.line}: unknown parent {p.parent!r}{where}")
            continue
        if p.level != "department":
            if up.level == "department":
                problems.append(f"{shown}:{p.line}: parent {up.id!r} is a department; a {p.level} "
                                f"portal sits under a government (province, city, county)")
            elif LEVEL_RANK[up.level] >= LEVEL_RANK[p.level]:
                problems.append(f"{shown}:{p.line}: parent {up.id!r} is a {up.level}, not above this {p.level}")
        if up.region != p.region and up.region != "bumen":
            problems.append(f"{shown}:{p.line}: parent {up.id!r} is in region {up.region}, not {p.region}")
    # loops: walk each chain once (a chain can only loop through departments, levels forbid the rest)
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for p in portals:
        path = []
        current = p
        while current is not None and state.get(current.id) is None:
            state[current.id] = 1
            path.append(current.id)
            current = known.get(current.parent) if current.parent else None
        if current is not None and state.get(current.id) == 1:
            loop = path[path.index(current.id):] + [current.id]
            problems.append(f"{shown}:{current.line}: parent chain loops: {' → '.join(loop)}")
        for pid in path:
            state[pid] = 2
    return problems


def check_url(url: str, host_suffixes: list[str], cache: dict[str, str | None] | None = None) -> str | None:
    """Why ``url`` cannot be a portal's homepage, or None when it can."""
    if cache is not None and url in cache:
        return cache[url]
    result = _check_url(url, host_suffixes)
    if cache is not None:
        cache[url] = result
    return result


def _check_url(url: str, host_suffixes: list[str]) -> str | None:
    if not url:
        return "empty"
    m = _SIMPLE_URL_RE.match(url)
    if m is not None:
        host = m.group(1)
    else:
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
        if any(c.isspace() for c in url):
            return "contains whitespace"
    if not any(host == s.lstrip(".") or host.endswith("." + s.lstrip(".")) for s in host_suffixes):
        return f"host {host} is not a .gov.cn host (MONITOR_ALLOW_HOSTS may allow others)"
    return None
