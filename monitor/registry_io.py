"""The national government-website database's export (全国政府网站基本数据库) to and from the registry.

The export lists each site's 网站名称, 网站标识码, 首页网址, 主办单位, 网站类型 (政府门户网站 / 部门网站)
and its status, as XLSX or CSV (GBK or UTF-8). ``import_official`` turns it into registry rows:

- region: the site code's first two digits (11 北京 … 65 新疆, 66 兵团), ``bm`` + 8 digits = ``bumen``;
- level: 部门网站 → ``department``; a portal's division ``XX0000`` → ``province``, ``XXYY00`` → ``city``,
  anything else → ``county``;
- parent: the government portal one division up found in the same file (a county's city, else its
  province; a department's own government, else the one above it); none for ``bumen``;
- id: readable and stable, from the row alone: the region for a provincial portal, ``bumen-`` + the
  host's first label for a State Council department (as in the shipped registry), otherwise
  ``{region}-{host labels}`` (``www.zhengzhou.gov.cn`` → ``henan-zhengzhou``,
  ``fgw.zhengzhou.gov.cn`` → ``henan-zhengzhou-fgw``, ``www.zhengzhou.gov.cn/fgw/`` →
  ``henan-zhengzhou-fgw``); rows that would share an id all get their site code appended.
  ``keep_ids`` (an existing registry) keeps the ids of the sites it already knows (same site code,
  else same homepage);
- name: the registry keeps the body's name: 网站名称 without 门户网站/网站, else 主办单位.

Every problem is one line naming ``FILE:LINE`` (CSV) or ``FILE:SHEET!ROW`` (XLSX). Nothing here
writes a file: the CLI writes only when there is no problem (or ``--skip-bad``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from monitor.registry import (COLUMNS, ID_RE, LEVELS, SITE_CODE_RE, Registry, canonical_host, check_url,
                              host_suffixes, parse_registry)

#: province-level division code (first two digits of a site code) -> the registry's region slug
PROVINCES = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu",
    "21": "liaoning", "22": "jilin", "23": "heilongjiang",
    "31": "shanghai", "32": "jiangsu", "33": "zhejiang", "34": "anhui", "35": "fujian", "36": "jiangxi",
    "37": "shandong",
    "41": "henan", "42": "hubei", "43": "hunan", "44": "guangdong", "45": "guangxi", "46": "hainan",
    "50": "chongqing", "51": "sichuan", "52": "guizhou", "53": "yunnan", "54": "xizang",
    "61": "shaanxi", "62": "gansu", "63": "qinghai", "64": "ningxia", "65": "xinjiang", "66": "bingtuan",
}
REGION_CODES = {slug: code for code, slug in PROVINCES.items()}

# -- the official layout ------------------------------------------------------------------------

#: the columns ``export`` writes, in order: the official ones, then the registry's own so that an
#: exported file imports back without losing anything
OFFICIAL_COLUMNS = ("网站名称", "网站标识码", "首页网址", "主办单位", "网站类型", "运行状态", "迁移后网址")
EXTRA_COLUMNS = ("id", "region", "level", "parent", "render")
PORTAL_TYPE, DEPARTMENT_TYPE = "政府门户网站", "部门网站"
STATUS_WORDS = {"active": "正常", "closed": "关停", "migrated": "迁移"}

#: header cell (normalised: NFKC, no spaces, no *, no bracketed note, lowercase) -> field
HEADERS = {
    "name": ("网站名称", "网站名", "站点名称", "名称", "site_name", "sitename"),
    "site_code": ("网站标识码", "标识码", "网站标识", "网站代码", "网站标识代码", "网站编码", "site_code",
                  "sitecode", "siteidcode"),
    "url": ("首页网址", "首页地址", "网站网址", "网站地址", "网址", "首页url", "网站首页", "网站域名", "域名",
            "url", "homepage"),
    "owner": ("主办单位", "主办单位名称", "网站主办单位", "主办机构", "owner"),
    "type": ("网站类型", "网站类别", "网站性质", "类型", "type", "site_type"),
    "status": ("运行状态", "网站状态", "网站运行状态", "状态", "运行情况", "开设状态", "status"),
    "migrated_to": ("迁移后网址", "迁移后地址", "整合后网址", "新网址", "新首页网址", "迁移网址", "迁移至",
                    "migrated_to"),
    "id": ("id",), "region": ("region",), "level": ("level",), "parent": ("parent",), "render": ("render",),
}
_HEADER_INDEX = {alias: fld for fld, aliases in HEADERS.items() for alias in aliases}

STATUSES = {
    "active": ("正常", "运行", "正常运行", "运行中", "在运行", "开通", "已开通", "在用", "启用", "在线", "active"),
    "closed": ("关停", "关闭", "已关停", "已关闭", "停止运行", "停运", "下线", "已下线", "注销", "已注销",
               "暂停", "临时关停", "closed"),
    "migrated": ("迁移", "已迁移", "整合", "已整合", "整合迁移", "迁移整合", "上移", "已上移", "并入", "已并入",
                 "migrated"),
}
_STATUS_INDEX = {word: status for status, words in STATUSES.items() for word in words}
TYPES = {"政府门户网站": "portal", "门户网站": "portal", "政府门户": "portal", "门户": "portal",
         "部门网站": "department", "部门": "department", "政府部门网站": "department"}

_NOTE_RE = re.compile(r"[(（\[【].*?[)）\]】]")
_SITE_SUFFIX_RE = re.compile(r"(?:门户网站|政府网站|官方网站|门户网|网站|门户|官网)$")
_BODY_RE = re.compile(r"(?:人民政府|政府|委员会|局|厅|部|署|院|办公室|办公厅|办|中心|会|行|所|社|馆|台|处|队)$")
_OFFICE_RE = re.compile(r"(?:办公厅|办公室)$")
_HOMEPAGE_FILES = {"", "index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "index.asp",
                   "index.aspx", "default.htm", "default.html", "default.aspx", "portal", "site"}
_LABEL_RE = re.compile(r"[^a-z0-9]+")
_FOOTER_RE = re.compile(r"^\s*(?:合计|总计|小计|共计|注|说明|备注|填表)")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


class UnreadableFile(ValueError):
    """The file cannot be read at all (one line naming it)."""


@dataclass
class ImportResult:
    rows: list[dict]                          # registry rows (COLUMNS), in file order
    locations: list[str] = field(default_factory=list)  # where each row came from
    problems: list[str] = field(default_factory=list)   # one per bad row
    notes: list[str] = field(default_factory=list)      # rows imported with a change worth saying
    skipped: int = 0                           # bad rows left out
    kept_ids: int = 0                          # ids reused from ``keep_ids``

    def registry(self, shown: str = "<import>", allow_hosts=None) -> Registry:
        """The rows as a validated :class:`Registry` (raises ``RegistryError``)."""
        return parse_registry(registry_csv(self.rows), shown, host_suffixes(allow_hosts))


# -- reading the file ---------------------------------------------------------------------------


def read_table(path: str | Path, sheet: str | None = None) -> list[tuple[str, list[str]]]:
    """Every row of a CSV or XLSX file as ``(location, cells)``; location is ``FILE:LINE`` or
    ``FILE:SHEET!ROW``. Raises :class:`UnreadableFile` when the file cannot be read."""
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{shown}: is a directory") from None
    except OSError as exc:
        raise UnreadableFile(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw, shown, sheet)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(f"{shown}: an old Excel .xls file; save it as .xlsx or CSV first")
    if sheet:
        raise UnreadableFile(f"{shown}: --sheet applies to XLSX files only")
    return _read_csv(raw, shown)


def decode_text(raw: bytes, shown: str) -> str:
    """UTF-8 (a BOM tolerated), UTF-16 with a BOM, else GBK (read as GB18030, its superset)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{shown}: broken UTF-16 text ({exc.reason})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnreadableFile(f"{shown}:{line}: neither UTF-8 nor GBK text") from None


def _read_csv(raw: bytes, shown: str) -> list[tuple[str, list[str]]]:
    text = decode_text(raw, shown)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return out
        except csv.Error as exc:
            raise UnreadableFile(f"{shown}:{start}: malformed CSV: {exc}") from None
        out.append((f"{shown}:{start}", row))


def _read_xlsx(raw: bytes, shown: str, sheet: str | None) -> list[tuple[str, list[str]]]:
    import zipfile

    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"{shown}: not a readable XLSX workbook ({exc.__class__.__name__})") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise UnreadableFile(f"{shown}: no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
            candidates = [sheet]
        else:
            candidates = list(book.sheetnames)
        for name in candidates:
            rows = [(f"{shown}:{name}!{i}", [_cell(v) for v in values])
                    for i, values in enumerate(book[name].iter_rows(values_only=True), start=1)]
            if sheet is not None or find_header(rows) is not None:
                return rows
        # no sheet has a header row: report against the first one
        return [(f"{shown}:{candidates[0]}!{i}", [_cell(v) for v in values])
                for i, values in enumerate(book[candidates[0]].iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _cell(value) -> str:
    """An XLSX cell as text: a site code typed as a number stays digits (4101000004, not 4.1e9)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _norm_header(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell or "")
    text = _NOTE_RE.sub("", text)
    return re.sub(r"[\s*:：]+", "", text).lower()


def find_header(rows: list[tuple[str, list[str]]], look: int = 10) -> tuple[int, dict[str, int]] | None:
    """The first of the first ``look`` rows naming at least the site code and the homepage columns
    (a title row above the header is common): ``(row index, field -> column)``."""
    for i, (_, cells) in enumerate(rows[:look]):
        columns: dict[str, int] = {}
        for j, cell in enumerate(cells):
            fld = _HEADER_INDEX.get(_norm_header(cell))
            if fld and fld not in columns:
                columns[fld] = j
        if "url" in columns and ("site_code" in columns or "id" in columns) and len(columns) >= 3:
            return i, columns
    return None


# -- one row ------------------------------------------------------------------------------------


def normalize_code(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).lower()


def division(code: str) -> str | None:
    """The 6-digit division of a local site code (None for ``bm`` codes)."""
    return code[:6] if code[:2].isdigit() else None


def region_of(code: str) -> str | None:
    return "bumen" if code.startswith("bm") else PROVINCES.get(code[:2])


def level_of(code: str, kind: str) -> str:
    """``department`` for 部门网站 and ``bm`` codes; otherwise the division's level."""
    if kind == "department" or code.startswith("bm"):
        return "department"
    div = code[:6]
    if div[2:] == "0000":
        return "province"
    if div[4:] == "00":
        return "city"
    return "county"


def normalize_url(value: str) -> str:
    """NFKC (full-width ``：／``), trimmed, ``http://`` added when the scheme is missing, scheme and
    host lowercase, an empty path made ``/``."""
    url = unicodedata.normalize("NFKC", value or "").strip().strip("'\"<>").strip()
    if not url:
        return ""
    if not _SCHEME_RE.match(url):
        url = "http://" + url.lstrip("/")
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
    except ValueError:
        return url
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def site_key(url: str) -> str:
    """Two homepages are the same site when host (``www.`` or not) and path (``index.html`` or not,
    trailing slash or not) agree."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1].lower()
    if last in _HOMEPAGE_FILES:
        path = path[: len(path) - len(last)].rstrip("/")
    return canonical_host(url) + path.lower() + (f"?{parts.query}" if parts.query else "")


def registry_name(site_name: str, owner: str) -> str:
    """The body's name: 网站名称 without 门户网站/网站 when what is left names a body, else the 主办单位
    (without 办公厅/办公室 when it is a government's general office running the portal)."""
    site = _SITE_SUFFIX_RE.sub("", (site_name or "").strip()).strip()
    owner = (owner or "").strip()
    if site and _BODY_RE.search(site):
        return site
    if owner:
        bare = _OFFICE_RE.sub("", owner)
        return bare if bare != owner and bare.endswith("政府") else owner
    return site or (site_name or "").strip()


def readable_id(region: str, level: str, url: str, code: str, province_portal: bool) -> str:
    """The id a row gets from itself (see the module docstring)."""
    if province_portal:
        return region
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    for suffix in (".gov.cn", ".cn", ".com", ".net", ".org"):
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    labels = [lb for lb in host.split(".") if lb and lb not in ("www", "gov", region)]
    if region == "bumen":
        labels = labels[-1:]  # bumen-moe, as the shipped registry names departments
    labels.reverse()   # fgw.zhengzhou -> zhengzhou-fgw
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0].lower() not in _HOMEPAGE_FILES and "." not in segments[0]:
        labels.append(segments[0])
    label = _LABEL_RE.sub("-", "-".join(labels).lower()).strip("-")
    if not label:
        label = code[:6] if code[:2].isdigit() else code
    return f"{region}-{label}"


# -- the whole file -----------------------------------------------------------------------------


def import_official(path: str | Path, sheet: str | None = None, allow_hosts=None,
                    keep_ids: Registry | None = None) -> ImportResult:
    """Read an official export into registry rows; problems and notes name their source row."""
    table = read_table(path, sheet)
    found = find_header(table)
    if found is None:
        where = table[0][0].rsplit("!", 1)[0] + "!1" if table and "!" in table[0][0] else f"{path}:1"
        raise UnreadableFile(f"{where}: no header row with 网站标识码 and 首页网址 in the first 10 rows "
                           f"(expected {', '.join(OFFICIAL_COLUMNS[:5])})")
    header_at, columns = found
    header_loc = table[header_at][0]
    if "name" not in columns and "owner" not in columns:
        raise UnreadableFile(f"{header_loc}: no 网站名称 or 主办单位 column")
    if "type" not in columns and "level" not in columns:
        raise UnreadableFile(f"{header_loc}: no 网站类型 column (政府门户网站 / 部门网站)")
    suffixes = host_suffixes(allow_hosts)
    result = ImportResult(rows=[])
    staged: list[tuple[str, dict]] = []
    by_code: dict[str, str] = {}
    by_site: dict[str, str] = {}
    checked: dict[str, str | None] = {}
    for loc, cells in table[header_at + 1:]:
        if not any(c.strip() for c in cells):
            continue
        rec = {fld: (cells[j].strip() if j < len(cells) else "") for fld, j in columns.items()}
        if not any(rec.get(f) for f in ("name", "owner", "site_code", "url")) or (
                not rec.get("site_code") and not rec.get("url")
                and _FOOTER_RE.match(rec.get("name") or rec.get("owner") or "")):
            continue   # a totals line or a note under the table
        errs, row = _convert(rec, suffixes, checked)
        if row is not None:
            code, key = row["site_code"], site_key(row["url"])
            if code and code in by_code:
                errs.append(f"duplicate 网站标识码 {code} (first at {_short(by_code[code])})")
            if key in by_site:
                errs.append(f"duplicate 首页网址 {row['url']} (the same site as {_short(by_site[key])})")
        if errs:
            result.problems.extend(f"{loc}: {e}" for e in errs)
            result.skipped += 1
            continue
        if row.pop("_note", None):
            result.notes.append(f"{loc}: {row.pop('_note_text')}")
        if row["site_code"]:
            by_code[row["site_code"]] = loc
        by_site[site_key(row["url"])] = loc
        staged.append((loc, row))
    _assign_parents(staged)
    result.kept_ids = _assign_ids(staged, keep_ids)
    _check_ids(staged, result)
    _validate_rows(result, suffixes)
    order = {loc: i for i, (loc, _) in enumerate(table)}
    result.problems.sort(key=lambda text: order.get(text.split(": ", 1)[0], -1))
    return result


def _validate_rows(result: ImportResult, suffixes) -> None:
    """The rows through the registry's own loader, so what is written always loads; what it finds
    (e.g. a parent given in the file at the wrong level) is reported against the source row."""
    from monitor.registry import RegistryError
    for _ in range(5):   # dropping a row can orphan a child: check again
        try:
            parse_registry(registry_csv(result.rows), "<import>", suffixes)
            return
        except RegistryError as exc:
            bad: dict[int, list[str]] = {}
            for problem in exc.problems:
                m = re.match(r"<import>:(\d+): (.*)", problem)
                index = int(m.group(1)) - 2 if m else -1
                if 0 <= index < len(result.rows):
                    bad.setdefault(index, []).append(m.group(2))
            if not bad:   # nothing left to drop (e.g. no rows at all): the caller sees no rows
                return
            for index in sorted(bad):
                result.problems.extend(f"{result.locations[index]}: {e}" for e in bad[index])
                result.skipped += 1
            result.rows = [r for i, r in enumerate(result.rows) if i not in bad]
            result.locations = [loc for i, loc in enumerate(result.locations) if i not in bad]


def _short(loc: str) -> str:
    """``line 12`` / ``row 12`` for a location in the same file."""
    tail = loc.rsplit(":", 1)[-1]
    return f"row {tail.rsplit('!', 1)[-1]}" if "!" in tail else f"line {tail}"


def _convert(rec: dict[str, str], suffixes, checked) -> tuple[list[str], dict | None]:
    errs: list[str] = []
    code = normalize_code(rec.get("site_code", ""))
    region = level = None
    if code:
        if not SITE_CODE_RE.match(code):
            errs.append(f"bad 网站标识码 {rec.get('site_code')!r} (10 digits, or bm + 8 digits)")
        else:
            region = region_of(code)
            if region is None:
                errs.append(f"网站标识码 {code}: no province has division code {code[:2]} "
                            f"(11 北京 … 65 新疆, 66 兵团)")
    kind_text = unicodedata.normalize("NFKC", rec.get("type", "")).strip()
    kind = TYPES.get(re.sub(r"\s+", "", kind_text))
    if "type" in rec and kind is None and not (not kind_text and rec.get("level")):
        errs.append(f"unknown 网站类型 {kind_text!r} (政府门户网站 or 部门网站)")
    if region is not None and kind is not None:
        level = level_of(code, kind)
    # the registry's own columns (a file written by ``monitor registry export``) are honoured and
    # must agree with what the site code says
    given_region, given_level = rec.get("region", "").lower(), rec.get("level", "").lower()
    if given_level and given_level not in LEVELS:
        errs.append(f"unknown level {given_level!r} (one of {', '.join(LEVELS)})")
    if region and given_region and given_region != region:
        errs.append(f"region {given_region} disagrees with 网站标识码 {code} ({region})")
    if level and given_level and given_level != level and given_level in LEVELS:
        errs.append(f"level {given_level} disagrees with 网站标识码 {code} and 网站类型 ({level})")
    if not code:
        if given_region and given_level:
            region, level = given_region, given_level
        else:
            errs.append("no 网站标识码 (region and level come from its division code)")
    if level is None and kind is None and given_level in LEVELS and region:
        level = given_level
    name = registry_name(rec.get("name", ""), rec.get("owner", ""))
    if not name:
        errs.append("no 网站名称 or 主办单位")
    raw_url = rec.get("url", "")
    url = normalize_url(raw_url)
    if not url:
        errs.append("no 首页网址")
    else:
        problem = check_url(url, suffixes, checked)
        if problem:
            errs.append(f"bad 首页网址 {raw_url!r}: {problem}")
    status_text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", rec.get("status", "")))
    status = _STATUS_INDEX.get(status_text.lower()) if status_text else "active"
    if status is None:
        errs.append(f"unknown 运行状态 {status_text!r} (正常/运行, 关停/关闭, 迁移/整合)")
    migrated_to = normalize_url(rec.get("migrated_to", "")) if status == "migrated" else ""
    note = None
    if status == "migrated":
        if not migrated_to:
            status, note = "closed", f"运行状态 {status_text} without a 迁移后网址: imported as closed"
        else:
            problem = check_url(migrated_to, suffixes, checked)
            if problem:
                errs.append(f"bad 迁移后网址 {rec.get('migrated_to')!r}: {problem}")
    render = rec.get("render", "").lower()
    if render and render not in ("static", "js", "auto"):
        errs.append(f"unknown render {render!r} (static, js, auto, or empty)")
    given_id = rec.get("id", "").lower()
    if given_id and not ID_RE.match(given_id):
        errs.append(f"bad id {rec.get('id')!r} (lowercase letters, digits and hyphens)")
    if errs:
        return errs, None
    row = {"id": given_id, "name": name, "region": region, "level": level, "url": url, "site_code": code,
           "status": status, "migrated_to": migrated_to, "render": "" if render == "auto" else render,
           "parent": rec.get("parent", "").lower(), "_portal": kind == "portal" or (
               kind is None and level in ("province", "city", "county", "township"))}
    if note:
        row["_note"], row["_note_text"] = True, note
    return [], row


def _assign_parents(staged: list[tuple[str, dict]]) -> None:
    """Parent = the government portal of the nearest enclosing division present in the file (a
    parent given in the file itself is kept when it names a row of the file)."""
    portals: dict[str, dict] = {}
    for _, row in staged:
        div = division(row["site_code"]) if row["site_code"] else None
        if div and row["_portal"] and div not in portals:
            portals[div] = row
    for _, row in staged:
        row["_parent_row"] = None
        if row["parent"]:
            continue
        div = division(row["site_code"]) if row["site_code"] else None
        if not div:
            continue
        chain = []
        if row["level"] == "department":
            chain.append(div)
        if div[4:] != "00":
            chain.append(div[:4] + "00")
        if div[2:] != "0000":
            chain.append(div[:2] + "0000")
        for up in chain:
            parent = portals.get(up)
            if parent is not None and parent is not row:
                row["_parent_row"] = parent
                break


def _assign_ids(staged: list[tuple[str, dict]], keep: Registry | None) -> int:
    kept = 0
    known_code = {p.site_code: p.id for p in keep.portals if p.site_code} if keep else {}
    known_site = {site_key(p.url): p.id for p in keep.portals} if keep else {}
    for _, row in staged:
        if row["id"]:
            continue
        old = known_code.get(row["site_code"]) or known_site.get(site_key(row["url"]))
        if old:
            row["id"], row["_kept"] = old, True
            kept += 1
        else:
            row["id"] = readable_id(row["region"], row["level"], row["url"], row["site_code"],
                                    row["_portal"] and row["level"] == "province")
    # rows that would share a generated id all get their site code: the same ids whatever the order
    groups: dict[str, list[dict]] = {}
    for _, row in staged:
        groups.setdefault(row["id"], []).append(row)
    for pid, rows in groups.items():
        if len(rows) < 2:
            continue
        for row in rows:
            if not row.get("_kept") and row["site_code"]:
                row["id"] = f"{pid}-{row['site_code']}"
    for _, row in staged:
        if row["_parent_row"] is not None:
            row["parent"] = row["_parent_row"]["id"]
    for _, row in staged:
        for key in [k for k in row if k.startswith("_")]:
            del row[key]
    return kept


def _check_ids(staged: list[tuple[str, dict]], result: ImportResult) -> None:
    """Ids still shared (given in the file, or kept from two rows of the old registry) and parents
    given in the file that name no row: reported against the later row, which is left out."""
    seen: dict[str, str] = {}
    ids = {row["id"] for _, row in staged}
    keep, locations = [], []
    for loc, row in staged:
        errs = []
        if row["id"] in seen:
            errs.append(f"id {row['id']!r} is taken by {_short(seen[row['id']])}")
        if row["parent"] and row["parent"] not in ids:
            errs.append(f"parent {row['parent']!r} names no row of the file")
        if errs:
            result.problems.extend(f"{loc}: {e}" for e in errs)
            result.skipped += 1
            continue
        seen[row["id"]] = loc
        keep.append(row)
        locations.append(loc)
    result.rows, result.locations = keep, locations


# -- writing ------------------------------------------------------------------------------------


def registry_csv(rows: list[dict]) -> str:
    """Registry rows as the registry's CSV text (every column, ``parent`` included)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c) or "" for c in COLUMNS])
    return buf.getvalue()


def official_rows(registry: Registry) -> list[dict]:
    """The registry in the export's layout (the official columns, then the registry's own)."""
    out = []
    for p in registry.portals:
        out.append({
            "网站名称": p.name, "网站标识码": p.site_code or "", "首页网址": p.url, "主办单位": p.name,
            "网站类型": DEPARTMENT_TYPE if p.level == "department" else PORTAL_TYPE,
            "运行状态": STATUS_WORDS[p.status], "迁移后网址": p.migrated_to or "",
            "id": p.id, "region": p.region, "level": p.level, "parent": p.parent or "",
            "render": "" if p.render == "auto" else p.render,
        })
    return out


def write_official(registry: Registry, output, fmt: str = "csv") -> int:
    """Write ``official_rows`` as CSV (UTF-8 with a BOM when to a file, as Excel wants) or XLSX."""
    rows = official_rows(registry)
    columns = OFFICIAL_COLUMNS + EXTRA_COLUMNS
    if fmt == "xlsx":
        from openpyxl import Workbook
        book = Workbook(write_only=True)
        sheet = book.create_sheet("网站")
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row[c] for c in columns])
        book.save(output)
        return len(rows)
    if isinstance(output, (str, Path)):
        with open(output, "w", encoding="utf-8-sig", newline="") as fh:
            _write_csv(fh, rows, columns)
    else:
        _write_csv(output, rows, columns)
    return len(rows)


def _write_csv(fh, rows, columns) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
