"""Copied service guides: the labelled pages (two county guides copied from a third, with its place
names), signatures equal to datasketch's, a seeded corpus, and place names."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from monitor.extract.guides import (NUM_PERM, SEED, Guide, GuidePair, find_copies, guide_text, jaccard,
                                    looks_like_guide, normalise, own_codes, shingles, signatures)
from monitor.extract.page import Page
from monitor.extract.places import load_gazetteer, related, within

HERE = Path(__file__).parent / "fixtures" / "guides"
LABELS = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))


def _guides() -> list[Guide]:
    gazetteer = load_gazetteer()
    out = []
    for name, label in LABELS["pages"].items():
        page = Page.from_bytes((HERE / "pages" / name).read_bytes(), url=label["url"])
        own = gazetteer.codes_in(LABELS["portals"][label["portal"]]["name"])
        out.append(Guide(url=label["url"], portal_id=label["portal"], text=guide_text(page), own=own))
    return out


def test_labelled_copies_found_and_nothing_else():
    pairs = find_copies(_guides())
    url = {name: label["url"] for name, label in LABELS["pages"].items()}
    expected = {(url[p["copy"]], url[p["source"]]): p["foreign_names"] for p in LABELS["pairs"]}
    assert {(p.copy_url, p.source_url): list(p.foreign_names) for p in pairs} == expected
    for pair in pairs:
        assert pair.similarity >= 0.8 and pair.mentions >= 2 and pair.copy_portal != pair.source_portal
        assert GuidePair.from_json(pair.to_json()) == pair


def test_guide_text_drops_the_portal_frame():
    text = _guides()[0].text
    assert text.startswith("中牟县食品经营许可办事指南")
    assert "网站标识码" not in text and "打印本页" not in text and "0" not in text


def test_signatures_are_datasketchs():
    sets = [shingles(normalise(t)) for t in ("食品经营许可办事指南一事项名称", "中牟县政务服务中心二楼", "")]
    ours = signatures(sets)
    for s, row in zip(sets, ours):
        m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=lambda x: x)
        m.update_batch([int(v) for v in s])
        assert np.array_equal(m.hashvalues, row)


def test_jaccard_and_shingles():
    a, b = shingles("一二三四五六七八"), shingles("一二三四五六七九")
    assert len(a) == 4 and jaccard(a, a) == 1.0 and jaccard(a, b) == pytest.approx(3 / 5)
    assert len(shingles("短")) == 1 and len(shingles("")) == 0


def _corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", HERE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seeded_corpus_floor():
    guides, planted = _corpus().make(3000, copies=40, decoys=40, seed=3)
    pairs = find_copies(guides)
    found = {(p.copy_url, p.source_url) for p in pairs}
    assert found == planted  # recall 1.0, no false pair


def test_places():
    g = load_gazetteer()
    names = [m.name for m in g.find("请到中牟县政务服务中心或郑州市市场监督管理局，楚雄州、河南")]
    assert names == ["中牟县政务服务中心", "郑州市市场监督管理局", "楚雄州", "河南"]
    assert g.codes_in("中牟县人民政府") == ("410122",)
    assert within("410122", "410100") and within("410122", "410000") and not within("410122", "410200")
    assert related("410000", "410122") and not related("410122", "410181")
    assert len(g.codes["鼓楼区"]) > 1  # one name, several places


def test_guide_pages_and_own_codes():
    for name in LABELS["pages"]:
        assert looks_like_guide(Page.from_bytes((HERE / "pages" / name).read_bytes()))
    assert not looks_like_guide(Page("<html><title>县政府召开常务会议</title><h1>新闻</h1></html>"))
    assert own_codes("中牟县人民政府") == ("410122",) and own_codes("中华人民共和国教育部") == ()
