"""Accuracy gate for the homepage elements: every labelled page must come out right (100%).

Real pages: tests/fixtures/real/ (copied byte for byte from the shared corpus; provenance and
labels in its README.md and labels.json: ``error_link`` and ``site_code`` on all pages,
``policy_column`` on homepages). Our own set: tests/fixtures/homepages/labels.json, with presence
and absence of every variant, footer scripts/iframes under ``resources/``. ``needs_render`` is
labelled for the page's own HTML (before footer resources are merged in).

    .venv/bin/pytest tests/test_elements_accuracy.py -q
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.extract.errorlink import (ErrorLink, find_error_link, find_error_link_in_script,
                                       footer_resources)
from monitor.clock import SHANGHAI
from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column
from monitor.extract.render import needs_render
from monitor.rules.error_link import ErrorLinkPresent
from monitor.rules.state import PortalState

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)
REAL = Path(__file__).parent / "fixtures" / "real"
OWN = Path(__file__).parent / "fixtures" / "homepages"

REAL_LABELS = json.loads((REAL / "labels.json").read_text("utf-8"))
OWN_LABELS = json.loads((OWN / "labels.json").read_text("utf-8"))


def _page(path: Path, url: str | None) -> Page:
    return Page.from_bytes(path.read_bytes(), url=url or "", now=NOW)


def test_own_set_is_large_enough():
    assert len(OWN_LABELS) >= 30
    variants = {label["variant"] for label in OWN_LABELS.values() if label["error_link"]}
    assert {"script", "span_placeholder", "div", "static_link", "jcinfo_link", "document_write",
            "image_link", "onclick_link", "placeholder", "script_string"} <= variants
    assert any(not label["error_link"] for label in OWN_LABELS.values())
    assert {label["policy_position"] for label in OWN_LABELS.values()} >= {"nav", "first_screen", "below", None}
    assert {True, False} == {label["needs_render"] for label in OWN_LABELS.values()}
    assert {"utf-8", "gbk"} <= {label["encoding"] for label in OWN_LABELS.values()}


@pytest.mark.parametrize("name", sorted(REAL_LABELS))
def test_real_page(name):
    label = REAL_LABELS[name]
    page = _page(REAL / "pages" / name, label["url"])
    result = find_error_link(page)
    assert (result.found, result.site_code) == (label["error_link"], label["site_code"])
    if label["kind"] == "homepage":
        assert find_policy_column(page).found is label["policy_column"]


@pytest.mark.parametrize("name", sorted(OWN_LABELS))
def test_own_page(name):
    label = OWN_LABELS[name]
    page = _page(OWN / name, label["url"])
    error_link = find_error_link(page)
    assert (error_link.found, error_link.site_code, error_link.variant) == (
        label["error_link"], label["site_code"], label["variant"])
    policy = find_policy_column(page)
    assert (policy.found, policy.position, policy.items, policy.title) == (
        label["policy_column"], label["policy_position"], label["policy_items"], label["policy_title"])
    assert needs_render(page, error_link, policy) is label["needs_render"]
    if "registry_site_code" in label:
        verdict = ErrorLinkPresent().judge(PortalState("p", homepage_ok=True, error_link=error_link,
                                                       registry_site_code=label["registry_site_code"]), NOW)
        check = verdict.evidence.get("site_code_check") or (
            "mismatch" if verdict.evidence.get("failed") == "site_code_mismatch" else None)
        assert _check_name(check) == label["site_code_check"]


def _check_name(check: str | None) -> str:
    """The rule's evidence in the labels' words: match, mismatch, or unknown (a code missing)."""
    return {"match": "match", "mismatch": "mismatch"}.get(check or "", "unknown")


RESOURCES = [(name, url) for name, label in sorted(OWN_LABELS.items()) for url in label.get("resources", {})]


@pytest.mark.parametrize(("name", "url"), RESOURCES)
def test_own_page_footer_resource(name, url):
    """The crawler's path: the resource is offered by footer_resources and holds the entry (or not)."""
    label = OWN_LABELS[name]
    resource = label["resources"][url]
    page = _page(OWN / name, label["url"])
    assert url in footer_resources(page, urlsplit(label["url"]).hostname)
    body = (OWN / resource["file"]).read_bytes()
    if resource["file"].endswith(".js"):
        result = find_error_link_in_script(body.decode(resource["encoding"]), url)
    else:
        result = find_error_link(Page.from_bytes(body, url=url, now=NOW))
    assert result.found is resource["error_link"]
    assert result.variant == resource["variant"]
    if resource["error_link"]:
        assert result.site_code == resource["site_code"]
        merged = ErrorLink(found=True)
        assert needs_render(page, merged, find_policy_column(page)) is False
