"""Date extraction: our accuracy and speed against htmldate, side by side in one run.

    .venv/bin/python bench/dates.py [--repeat 5]

Pages: three labelled sets, each reported on its own. ``real``: the real corpus the extractor was
tuned beside (tests/fixtures/real/, copied from the shared corpus); ``own``: the generated set in
tests/fixtures/dates/; ``independent``: real pages of 34 other portals gathered and labelled by
someone who never saw the extractor (tests/fixtures/real_independent/, held out: never tuned on).
The independent labels also carry ``document_date`` (成文日期/发文日期/落款), scored separately.
Accuracy is day-level. Article dates: a page counts right when the date
(or its absence) matches the label; htmldate gets the same bytes and the same URL. Entry dates (ours
only, htmldate has no lists): an entry is right when title and day match; missed and extra entries
count as wrong (extras are not counted on pages whose labels list only the first items).

Speed is pages/second over all pages, each round timing every contender on the same bytes:
ours = ``Page.from_bytes`` + ``extract_published`` (decode, one parse, the cascade), also without
``Page.tree``'s link resolution (``ours_links_relative``); htmldate fast
and extensive (``find_date(html, extensive_search=…, original_date=True)``); the ceiling is a bare
``lxml.html.document_fromstring`` of the bytes. The best of ``--repeat`` rounds is kept. The last
line printed is one JSON object with all figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from datetime import date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from monitor.extract.article import extract_published  # noqa: E402
from monitor.extract.dates import day_of  # noqa: E402
from monitor.extract.listing import extract_entries  # noqa: E402
from monitor.clock import SHANGHAI  # noqa: E402
from monitor.extract.page import Page  # noqa: E402

REAL = PROJECT / "tests" / "fixtures" / "real"
OURS = PROJECT / "tests" / "fixtures" / "dates"
INDEPENDENT = PROJECT / "tests" / "fixtures" / "real_independent"
#: the fixed clock of the real pages (none is later than this)
REAL_NOW = "2026-11-29T12:00:00+08:00"


def load_labelled(roots: tuple[Path, ...] = (REAL, OURS)) -> list[dict]:
    """Every labelled page of ``roots``: ``{name, set, body, url, now, kind, published,
    document_date, entries, partial}``."""
    pages = []
    for root in roots:
        labels_file = root / "labels.json"
        if not labels_file.exists():
            continue
        for name, label in json.loads(labels_file.read_text(encoding="utf-8")).items():
            pages.append({
                "name": f"{root.name}/{name}",
                "set": {REAL: "real", OURS: "own", INDEPENDENT: "independent"}.get(root, root.name),
                "document_date": label.get("document_date"),
                "has_document_date": "document_date" in label,
                "body": (root / "pages" / name).read_bytes(),
                "url": label.get("url") or "",
                "now": datetime.fromisoformat(label.get("now") or REAL_NOW),
                "kind": label["kind"],
                "published": label.get("published"),
                "entries": label.get("entries"),
                # the real homepage label lists only the first 8 items of its first block
                "partial": label["kind"] == "homepage" and root == REAL,
            })
    return pages


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return day_of(value).isoformat()
    return str(value)[:10]


def page_of(item: dict) -> Page:
    return Page.from_bytes(item["body"], item["url"], item["now"].astimezone(SHANGHAI))


def score_articles(pages: list[dict], find) -> tuple[int, int, list[str]]:
    """(right, total, wrong names) of article dates; ``find(item) -> date | str | None``."""
    right, wrong = 0, []
    articles = [p for p in pages if p["kind"] == "article"]
    for item in articles:
        got = _day(find(item))
        if got == item["published"]:
            right += 1
        else:
            wrong.append(f"{item['name']}: got {got}, want {item['published']}")
    return right, len(articles), wrong


def _norm(title: str) -> str:
    return " ".join((title or "").split())


def score_entries(pages: list[dict]) -> tuple[int, int, list[str]]:
    """(right, total, problems) of list entries, over pages labelled with entries."""
    right = total = 0
    problems = []
    for item in pages:
        if item["entries"] is None:
            continue
        got = [(_norm(e.title), _day(e.published)) for e in extract_entries(page_of(item))]
        remaining = list(got)
        for want in item["entries"]:
            key = (_norm(want["title"]), want["published"])
            total += 1
            if key in remaining:
                remaining.remove(key)
                right += 1
            else:
                problems.append(f"{item['name']}: missed {key}")
        if not item["partial"]:
            total += len(remaining)
            problems.extend(f"{item['name']}: extra {key}" for key in remaining)
    return right, total, problems


def ours(item: dict):
    page = page_of(item)
    page.tree  # noqa: B018 - always pay for the one shared parse, as the crawler does
    return extract_published(page).posted


def ours_document_date(item: dict):
    return extract_published(page_of(item)).document_date


def score_document_dates(pages: list[dict]) -> tuple[int, int, list[str]]:
    """(right, total, wrong) of document dates over article pages labelled with the field."""
    right, wrong = 0, []
    labelled = [p for p in pages if p["kind"] == "article" and p["has_document_date"]]
    for item in labelled:
        got = _day(ours_document_date(item))
        if got == item["document_date"]:
            right += 1
        else:
            wrong.append(f"{item['name']}: got document date {got}, want {item['document_date']}")
    return right, len(labelled), wrong


def ours_links_relative(item: dict):
    """Ours on a Page whose tree was parsed before its URL was set: the same cascade without
    ``Page.tree``'s ``make_links_absolute`` (which date extraction does not need)."""
    page = Page.from_bytes(item["body"], "", item["now"].astimezone(SHANGHAI))
    page.tree  # noqa: B018
    page.url = item["url"]
    return extract_published(page).posted


def _htmldate(extensive: bool):
    from htmldate import find_date

    def run(item: dict):
        try:
            return find_date(item["body"], url=item["url"] or None, extensive_search=extensive,
                             original_date=True,
                             max_date=item["now"].strftime("%Y-%m-%d"))
        except Exception:  # htmldate raises on some junk; score it as no date
            return None
    return run


def _lxml(item: dict):
    import lxml.html

    try:
        lxml.html.document_fromstring(item["body"])
    except Exception:
        pass


def speed(pages: list[dict], contenders: dict, repeat: int) -> dict[str, float]:
    """Pages/second per contender, the best of ``repeat`` interleaved rounds."""
    best = {name: 0.0 for name in contenders}
    for _ in range(repeat):
        for name, run in contenders.items():
            start = time.perf_counter()
            for item in pages:
                run(item)
            elapsed = time.perf_counter() - start
            best[name] = max(best[name], len(pages) / elapsed)
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list the wrong pages")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    pages = load_labelled()
    independent = load_labelled((INDEPENDENT,))
    fast, extensive = _htmldate(False), _htmldate(True)
    results = {"pages": len(pages), "articles": sum(p["kind"] == "article" for p in pages),
               "independent_articles": len(independent)}
    for name, find in (("ours", ours), ("htmldate_fast", fast), ("htmldate_extensive", extensive)):
        right, total, wrong = score_articles(pages, find)
        results[f"{name}_article_accuracy"] = round(right / total, 4)
        print(f"{name:20s} article accuracy {right}/{total} = {right / total:.3f}  (real + own)")
        for set_name, subset in (("real", [p for p in pages if p["set"] == "real"]),
                                 ("own", [p for p in pages if p["set"] == "own"]),
                                 ("independent", independent)):
            r, t, w = score_articles(subset, find)
            results[f"{name}_{set_name}_article_accuracy"] = round(r / t, 4)
            print(f"{'':20s}   {set_name:12s} {r}/{t} = {r / t:.3f}")
            wrong += w if set_name == "independent" else []
        if args.verbose:
            for line in wrong:
                print("   ", line)
    for set_name, subset in (("own", [p for p in pages if p["set"] == "own"]), ("independent", independent)):
        right, total, wrong = score_document_dates(subset)
        results[f"ours_{set_name}_document_date_accuracy"] = round(right / total, 4)
        print(f"{'ours':20s} document dates   {right}/{total} = {right / total:.3f}  ({set_name})")
        if args.verbose:
            for line in wrong:
                print("   ", line)
    right, total, problems = score_entries(pages)
    results["ours_entry_accuracy"] = round(right / total, 4)
    print(f"{'ours':20s} entry accuracy   {right}/{total} = {right / total:.3f}")
    if args.verbose:
        for line in problems:
            print("   ", line)
    rates = speed(pages, {"ours": ours, "ours_links_relative": ours_links_relative,
                          "htmldate_fast": fast, "htmldate_extensive": extensive,
                          "lxml_parse": _lxml}, args.repeat)
    for name, rate in rates.items():
        results[f"{name}_pages_per_s"] = round(rate, 1)
        print(f"{name:20s} {rate:8.1f} pages/s")
    results["ours_vs_lxml"] = round(rates["ours"] / rates["lxml_parse"], 3)
    results["ours_vs_htmldate_fast"] = round(rates["ours"] / rates["htmldate_fast"], 3)
    results["ours_links_relative_vs_lxml"] = round(rates["ours_links_relative"] / rates["lxml_parse"], 3)
    results["ours_links_relative_vs_htmldate_fast"] = round(
        rates["ours_links_relative"] / rates["htmldate_fast"], 3)
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
