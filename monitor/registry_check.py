"""``monitor registry check``: what a live homepage says about its registry row (pure).

The ``registrycheck`` spider fetches each row's homepage once (redirects followed by hand and
recorded) and reduces the page with :func:`page_facts`; :func:`assess` compares those facts with
the row and proposes changes, each either *confident* (``--apply`` writes it) or left for a person:

- an off-host redirect is a likely migration: ``status=migrated, migrated_to=<final URL>``,
  confident when the new home answers, is an allowed host, shows the same site (the registry's site
  code, or the registry's name when the row has no code) and the move is permanent (301/308 all
  the way) or proven by the site code;
- a name on the page (the ``SiteName`` meta, else the ``<title>`` part naming a body) that is not
  the registry's name is a likely rename: confident when it is the ``SiteName`` meta, the page shows
  the registry's site code, and the host did not change;
- a site code on the page where the registry has none: confident when the footer's 网站标识码 line
  agrees with the ``SiteIDCode`` meta or the error-report entry, nothing on the page disagrees, and
  its division fits the row's region; a code that differs from the registry's is never applied
  (a template copied from another site looks just like that).

:func:`apply_changes` rewrites only the changed cells of a registry CSV and keeps every other byte
(comments, blank lines, extra columns, quoting of untouched rows).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from monitor.registry import (COLUMNS, Portal, RegistryError, canonical_host, check_url, parse_registry,
                              records)

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
#: the columns ``monitor registry check`` prints
CHECK_COLUMNS = ("portal", "checked", "reachable", "status", "error", "final_url", "offhost", "code_seen",
                 "code", "name_seen", "name", "suggest", "action")

_TITLE_NOTE_RE = re.compile(r"[(（\[【][^)）\]】]{0,12}[)）\]】]")
_NAME_SUFFIX_RE = re.compile(r"(?:门户网站|政府网站|官方网站|门户网|网站|门户|官网|首页|主页)$")
_NAME_PREFIX_RE = re.compile(r"^(?:欢迎访问|欢迎来到|首页)")
_NAME_NOISE_RE = re.compile(r"[\s·•_|｜\-—－:：,，.。!！]+")
_META_REFRESH_RE = re.compile(r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;?\s*url\s*=\s*([^"'>\s]+)""",
                              re.I)
_JS_REDIRECT_RE = re.compile(
    r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*(?:=|\.replace\s*\(|\.assign\s*\()\s*["']([^"']+)["']""",
    re.I)
#: a page this small whose script sets location is a redirect, not a homepage
SMALL_PAGE = 2048


# -- what a page says ---------------------------------------------------------------------------


def page_facts(page) -> dict:
    """Title, names and site codes of a homepage (:class:`monitor.extract.page.Page`); never raises."""
    from monitor.extract.errorlink import find_error_link, site_id_code
    from monitor.extract.site import CODE_TEXT_XPATH, LABELLED_CODE_RE, TITLE_XPATH, extract_site, valid_site_code
    facts = {"title": None, "site_name": None, "name_seen": None, "codes": {}}
    try:
        tree = page.tree
        if tree is None:
            return facts
        title = re.sub(r"\s+", " ", TITLE_XPATH(tree)).strip()
        facts["title"] = title or None
        for meta in tree.iter("meta"):
            if (meta.get("name") or "").strip().lower() == "sitename" and (meta.get("content") or "").strip():
                facts["site_name"] = re.sub(r"\s+", " ", meta.get("content")).strip()
                break
        info = extract_site(page)
        facts["name_seen"] = info.name or (title or None)
        codes = {}
        meta_code = site_id_code(page)
        if meta_code:
            codes["meta"] = meta_code
        link = find_error_link(page)
        found, entry_code = link.found, link.site_code
        if found and entry_code:
            codes["entry"] = entry_code
        for text in CODE_TEXT_XPATH(tree):
            m = LABELLED_CODE_RE.search(text)
            if m is None:
                parent = text.getparent()
                following = "".join(parent.xpath("following::text()[position() <= 2]")) if parent is not None else ""
                m = LABELLED_CODE_RE.search(text + following)
            if m and valid_site_code(m.group(1)):
                codes["footer"] = valid_site_code(m.group(1)).lower()
                break
        facts["codes"] = codes
    except (ValueError, TypeError, RecursionError):
        pass
    return facts


def page_redirect(body_text: str, size: int) -> str | None:
    """The target of a meta refresh, or of a script redirect in a tiny page (old homes often say
    goodbye this way instead of with a 301)."""
    m = _META_REFRESH_RE.search(body_text[:8192])
    if m:
        return m.group(1).strip()
    if size <= SMALL_PAGE:
        m = _JS_REDIRECT_RE.search(body_text)
        if m:
            return m.group(1).strip()
    return None


def normalize_name(name: str | None) -> str:
    """A name for comparison: NFKC, no bracketed notes (（新版）), no 门户网站/首页/欢迎访问, no spaces
    or separators."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _TITLE_NOTE_RE.sub("", unicodedata.normalize("NFKC", text))
    text = _NAME_NOISE_RE.sub("", text)
    text = _NAME_PREFIX_RE.sub("", text)
    for _ in range(2):
        text = _NAME_SUFFIX_RE.sub("", text)
    return text


def names_agree(registry_name: str, seen: str | None) -> bool | None:
    """None when the page names nothing; True when one name contains the other after normalising."""
    a, b = normalize_name(registry_name), normalize_name(seen)
    if not b:
        return None
    return a == b or (len(a) >= 2 and len(b) >= 2 and (a in b or b in a))


def seen_code(codes: dict) -> tuple[str | None, bool]:
    """(the code the page shows, whether its sources agree)."""
    values = {v.lower() for v in codes.values() if v}
    if not values:
        return None, True
    if len(values) > 1:
        return None, False
    return values.pop(), True


# -- one row ------------------------------------------------------------------------------------


@dataclass
class Change:
    """One proposed registry edit."""

    portal_id: str
    field: str
    old: str
    new: str
    confident: bool
    why: str

    def as_text(self) -> str:
        return f"{self.portal_id}: {self.field} {self.old or '(empty)'} → {self.new}  ({self.why})"


@dataclass
class CheckRow:
    portal: str
    checked: str                      # the URL fetched: url, or migrated_to for a migrated row
    reachable: bool | None            # None: not checked (closed)
    status: int | None = None
    error: str | None = None
    final_url: str | None = None
    offhost: bool = False
    code_seen: str | None = None
    code: str = ""                    # match, mismatch, new, conflict, none, ""
    name_seen: str | None = None
    name: str = ""                    # match, differs, unknown, ""
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.reachable is None:
            return "skipped"
        if any(c.confident for c in self.changes):
            return "apply" if all(c.confident for c in self.changes) else "apply+review"
        if self.changes or self.notes:
            return "review"
        return "ok"

    def as_row(self) -> dict:
        return {
            "portal": self.portal, "checked": self.checked,
            "reachable": "" if self.reachable is None else ("yes" if self.reachable else "no"),
            "status": self.status, "error": self.error or "", "final_url": self.final_url or "",
            "offhost": "yes" if self.offhost else "", "code_seen": self.code_seen or "", "code": self.code,
            "name_seen": self.name_seen or "", "name": self.name,
            "suggest": "; ".join(f"{c.field}={c.new}" for c in self.changes) + (
                ("; " if self.changes and self.notes else "") + "; ".join(self.notes)),
            "action": self.action,
        }


def _region_fits(code: str, portal: Portal) -> bool:
    from monitor.registry_io import region_of
    return region_of(code) == portal.region


def assess(portal: Portal, fetched: dict, host_suffixes: list[str],
           hosts: dict[str, str] | None = None) -> CheckRow:
    """Compare one registry row with what its homepage fetch found (the spider's item).
    ``hosts``: canonical host -> portal id of the registry, to tell whether a new home has a row."""
    checked = fetched.get("checked") or (portal.migrated_to if portal.status == "migrated" else portal.url)
    if fetched.get("skipped"):
        return CheckRow(portal.id, checked, None, notes=[f"not checked ({fetched['skipped']})"])
    hops = fetched.get("redirects") or []
    final = fetched.get("final_url") or checked
    row = CheckRow(portal.id, checked, reachable=fetched.get("error") is None and
                   200 <= (fetched.get("status") or 0) < 300,
                   status=fetched.get("status"), error=fetched.get("error"), final_url=final)
    row.offhost = canonical_host(final) != canonical_host(checked)
    facts = fetched.get("facts") or {}
    code, agree = seen_code(facts.get("codes") or {})
    row.code_seen = code if agree else "/".join(sorted(set((facts.get("codes") or {}).values())))
    registry_code = (portal.site_code or "").lower()
    if not agree:
        row.code = "conflict"
    elif code is None:
        row.code = "none" if row.reachable else ""
    elif not registry_code:
        row.code = "new"
    else:
        row.code = "match" if code == registry_code else "mismatch"
    seen_name = facts.get("site_name") or facts.get("name_seen")
    row.name_seen = seen_name
    agrees = names_agree(portal.name, seen_name) if row.reachable else None
    if agrees is None and row.reachable and facts.get("title") and facts.get("title") != seen_name:
        agrees = names_agree(portal.name, facts.get("title"))
    row.name = "" if agrees is None and not row.reachable else (
        "unknown" if agrees is None else ("match" if agrees else "differs"))
    if not row.reachable:
        row.notes.append(f"homepage not reachable ({row.error or row.status})")
        if row.offhost and fetched.get("unfollowed"):
            row.notes.append(f"redirects to {final}, which was not fetched ({fetched['unfollowed']})")
        return row
    identity = (row.code == "match") or (not registry_code and agrees is True)
    if row.offhost:
        permanent = bool(hops) and all(h.get("status") in PERMANENT for h in hops)
        allowed = check_url(final, host_suffixes) is None
        confident = allowed and identity and (permanent or row.code == "match")
        why = [f"{'permanent' if permanent else 'temporary' if hops else 'page'} redirect to another host"]
        why.append("same site code" if row.code == "match" else "same name" if agrees else
                   "site not confirmed (no matching code or name)")
        if not allowed:
            why.append("new host not allowed")
        if portal.status == "migrated":
            row.changes.append(Change(portal.id, "migrated_to", portal.migrated_to or "", final, confident,
                                      ", ".join(why)))
        else:
            row.changes.append(Change(portal.id, "status", portal.status, "migrated", confident, ", ".join(why)))
            row.changes.append(Change(portal.id, "migrated_to", portal.migrated_to or "", final, confident,
                                      ", ".join(why)))
        owner = (hosts or {}).get(canonical_host(final))
        row.notes.append(f"the new home is row {owner}" if owner else "the new home needs its own row to be crawled")
        return row
    if portal.status == "migrated":
        # the new home is a different body's site or a different row's business: only whether it answers
        row.code = row.name = ""
        return row
    if agrees is False and seen_name:
        from monitor.registry_io import registry_name
        new_name = registry_name(seen_name, "")
        confident = bool(facts.get("site_name")) and seen_name == facts.get("site_name") and row.code == "match"
        why = ("SiteName meta, same site code, same host" if confident else
               "from the " + ("SiteName meta" if facts.get("site_name") else "<title>")
               + ("; site code not confirmed" if row.code != "match" else ""))
        row.changes.append(Change(portal.id, "name", portal.name, new_name, confident, why))
    if row.code == "new" and code:
        codes = facts.get("codes") or {}
        corroborated = codes.get("footer") == code and (codes.get("meta") == code or codes.get("entry") == code)
        fits = _region_fits(code, portal)
        confident = corroborated and fits
        why = ("footer 网站标识码 and " + ("SiteIDCode meta" if codes.get("meta") == code else "error-report entry")
               + " agree" if corroborated else f"only from the {', '.join(sorted(codes))}")
        if not fits:
            why += f"; its division is not in region {portal.region}"
        row.changes.append(Change(portal.id, "site_code", "", code, confident, why))
    elif row.code == "mismatch":
        row.notes.append(f"site code on the page {code} ≠ registry {registry_code} (a copied template, or a new "
                         f"code: check by hand)")
    elif row.code == "conflict":
        row.notes.append(f"the page shows several site codes ({row.code_seen})")
    return row


# -- writing the confident changes --------------------------------------------------------------


def apply_changes(text: str, changes: list[Change], shown: str = "<registry>") -> tuple[str, list[Change]]:
    """``text`` (a registry CSV) with ``changes`` written into their rows; every other byte kept.
    Returns the new text and the changes applied (those whose row and column exist)."""
    by_id: dict[str, list[Change]] = {}
    for change in changes:
        by_id.setdefault(change.portal_id, []).append(change)
    lines = io.StringIO(text, newline="").readlines()   # the lines the csv reader counts
    header: list[str] | None = None
    edits: list[tuple[int, int, str]] = []
    applied: list[Change] = []
    for start, end, cells in records(text, shown):
        if header is None:
            header = [h.strip().lower() for h in cells]
            continue
        if "id" not in header or len(cells) != len(header):
            continue
        pid = cells[header.index("id")].strip()
        if pid not in by_id:
            continue
        new = list(cells)
        done = []
        for change in by_id[pid]:
            if change.field in header:
                new[header.index(change.field)] = change.new
                done.append(change)
        if not done:
            continue
        ending = _line_ending(lines[end - 1])
        buf = io.StringIO()
        csv.writer(buf, lineterminator=ending).writerow(new)
        edits.append((start, end, buf.getvalue()))
        applied.extend(done)
    for start, end, replacement in reversed(edits):
        lines[start - 1:end] = [replacement]
    return "".join(lines), applied


def _line_ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return "\n"


def apply_and_validate(text: str, changes: list[Change], shown: str, host_suffixes: list[str]) -> tuple[str, list[Change]]:
    """:func:`apply_changes`, then the whole result through the loader: a change that would make
    the registry invalid raises :class:`RegistryError` and nothing is written."""
    new_text, applied = apply_changes(text, changes, shown)
    parse_registry(new_text, shown, host_suffixes)
    return new_text, applied


__all__ = ["CHECK_COLUMNS", "COLUMNS", "Change", "CheckRow", "RegistryError", "apply_and_validate", "apply_changes",
           "assess", "names_agree", "normalize_name", "page_facts", "page_redirect"]
