"""Accuracy gate for the repost matcher on the labelled set in tests/fixtures/reposts/.

The set is made by make_labelled.py (seeded; see its docstring for every transformation, companion
family, near-miss and ambiguous case). It is the set the matcher is developed against; the held-out
set in tests/fixtures/reposts_independent/ (test_match_independent.py) gates it too. The floors are
the measured figures rounded down: a change may not lower them. Targets from issue 10: precision
>= 0.99, recall >= 0.97. An entry labelled ambiguous counts as a negative: matching it to one of its
candidates is a false positive (reporting it as ambiguous is right).
"""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from monitor.match import Entry, Matcher, Release, parse_published

HERE = Path(__file__).parent / "fixtures" / "reposts"
PRECISION_FLOOR = 0.998  # measured 1.0000 (3001 right, 0 wrong)
RECALL_FLOOR = 0.99  # measured 0.9914 (26 of 3027 reposts missed: 21 miswritten characters)
NEAR_MISS_FLOOR = 0.99  # every kind of negative, left unmatched at least this often
AMBIGUOUS_FLOOR = 0.95  # entries labelled ambiguous, reported as ambiguous (measured 31 of 31)


def _rows(name):
    with (HERE / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def outcome():
    releases = [Release(r["id"], r["title"], r["url"], parse_published(r["published"]))
                for r in _rows("releases.jsonl")]
    entries = [Entry(e["id"], e["portal_id"], e["title"], e["url"], parse_published(e["published"]))
               for e in _rows("entries.jsonl")]
    labels = {lab["entry_id"]: lab for lab in _rows("labels.jsonl")}
    everything = Matcher(releases).match_all(entries, ambiguous=True)
    found = {m.entry_id: m.release_id for m in everything if not m.ambiguous}
    unsure = {m.entry_id: set(m.candidates) for m in everything if m.ambiguous}
    return labels, found, unsure


def test_the_set_is_large_and_varied(outcome):
    labels, _, _ = outcome
    cases = Counter(lab["case"] for lab in labels.values())
    positives = sum(1 for lab in labels.values() if lab["release_id"])
    assert len(_rows("releases.jsonl")) >= 500 and len(labels) >= 4000
    assert positives >= 2500 and len(labels) - positives >= 1500
    assert len(cases) >= 30 and min(cases.values()) >= 5
    # companion families, light edits and hard negatives in proportions like the held-out set's
    assert cases["companion"] + cases["family_document"] >= 0.15 * positives
    assert min(cases[c] for c in ("modifier_drop", "modifier_add", "trailing_space", "local_regulation",
                                  "companion_missing", "ambiguous")) >= 15


def test_precision_and_recall_floors(outcome):
    labels, found, _ = outcome
    right = sum(1 for eid, rid in found.items() if labels[eid]["release_id"] == rid)
    positives = sum(1 for lab in labels.values() if lab["release_id"])
    precision, recall = right / len(found), right / positives
    assert precision >= PRECISION_FLOOR, f"precision {precision:.4f}"
    assert recall >= RECALL_FLOOR, f"recall {recall:.4f}"


def test_every_kind_of_near_miss_stays_unmatched(outcome):
    labels, found, _ = outcome
    total, kept = Counter(), Counter()
    for eid, lab in labels.items():
        if lab["release_id"] is None:
            total[lab["case"]] += 1
            kept[lab["case"]] += eid not in found
    low = {case: round(kept[case] / n, 3) for case, n in total.items() if kept[case] / n < NEAR_MISS_FLOOR}
    assert not low


def test_ambiguous_entries_are_reported_with_their_candidates(outcome):
    labels, found, unsure = outcome
    wanted = {eid: set(lab["candidates"]) for eid, lab in labels.items() if lab["case"] == "ambiguous"}
    right = sum(1 for eid, cands in wanted.items() if unsure.get(eid) == cands)
    assert right >= AMBIGUOUS_FLOOR * len(wanted)
    assert not set(wanted) & set(found)


def test_release_ids_are_the_url_ids():
    from monitor.match import release_id_for_url

    assert all(r["id"] == release_id_for_url(r["url"]) for r in _rows("releases.jsonl"))


def test_fixtures_are_what_the_seeded_generator_makes():
    spec = importlib.util.spec_from_file_location("make_labelled", HERE / "make_labelled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    releases, entries, labels = module.generate()
    assert releases == _rows("releases.jsonl")
    assert entries == _rows("entries.jsonl")
    assert labels == _rows("labels.jsonl")
