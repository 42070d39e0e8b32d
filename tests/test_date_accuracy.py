"""The accuracy gate: day-level article and entry dates over every labelled page.

Floors are pinned at the scores measured when the gate was set up (targets: >= 0.98 each).
A change that lowers either score fails here; raise a floor when a change improves it.
Scoring (shared with bench/dates.py): an article is right when its date or its absence matches
the label; an entry is right when title and day match, missed and extra entries count as wrong.
"""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_dates", ROOT / "bench" / "dates.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ARTICLE_FLOOR = 1.0
ENTRY_FLOOR = 1.0
OWN_LABELS = ROOT / "tests" / "fixtures" / "dates" / "labels.json"


@pytest.fixture(scope="module")
def pages():
    return bench.load_labelled()


def test_labelled_set_is_complete(pages):
    labels = json.loads(OWN_LABELS.read_text(encoding="utf-8"))
    assert len(labels) >= 60
    assert all(label["now"] for label in labels.values())  # results never depend on the clock
    encodings = {label["encoding"] for label in labels.values()}
    assert {"gbk", "utf-16", "utf-8-sig"} <= encodings
    kinds = {label["kind"] for label in labels.values()}
    assert {"article", "list", "homepage"} <= kinds
    assert any(label["published"] is None for label in labels.values() if label["kind"] == "article")
    for name in labels:
        assert (OWN_LABELS.parent / "pages" / name).is_file(), name


def test_article_accuracy_floor(pages):
    if not bench.REAL.exists():
        pytest.skip(f"real corpus not found at {bench.REAL}")
    right, total, wrong = bench.score_articles(pages, bench.ours)
    assert total >= 28 + 40
    assert right / total >= ARTICLE_FLOOR, "\n".join(wrong)


def test_entry_accuracy_floor(pages):
    if not bench.REAL.exists():
        pytest.skip(f"real corpus not found at {bench.REAL}")
    right, total, problems = bench.score_entries(pages)
    assert total >= 60
    assert right / total >= ENTRY_FLOOR, "\n".join(problems)


def test_own_set_alone(pages):
    """The committed fixtures alone, so the gate still bites where the shared corpus is absent."""
    own = [p for p in pages if p["name"].startswith("dates/")]
    right, total, wrong = bench.score_articles(own, bench.ours)
    assert right / total >= ARTICLE_FLOOR, "\n".join(wrong)
    right, total, problems = bench.score_entries(own)
    assert right / total >= ENTRY_FLOOR, "\n".join(problems)
