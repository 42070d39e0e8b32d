"""Whether a ``render=auto`` homepage is worth a browser.

A page is rendered only when its static HTML lacks an element (the error-report entry or the policy
column) *and* shows that scripts build content the HTML does not hold. Pages showing both elements
statically never need a browser, and a page that simply lacks an element, with no script-built
content in sight, is judged as served (a missing entry is a finding, not a reason to render).

Pass ``error_link`` after the same-host footer scripts and iframes were checked
(:func:`monitor.extract.errorlink.footer_resources`): those are cheaper than a browser.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from monitor.extract.errorlink import ErrorLink, footer_resources
from monitor.extract.policy import PolicyColumn

#: visible text below this, with scripts on the page, means the page is a shell
SHELL_TEXT_CHARS = 200

#: a static menu with at least this many links means the navigation is in the HTML
NAV_MIN_LINKS = 5
_NAV_NAMES = re.compile(r"nav|menu|daohang", re.I)
_SPA_CODE = re.compile(r"new\s+Vue\s*\(|\bcreateApp\s*\(|ReactDOM\s*\.|\bReact\.createElement|angular\.module",
                       re.I)
_SPA_IDS = frozenset({"app", "root", "__nuxt", "__next", "vue-app", "main-app"})
_DOM_BUILD = re.compile(
    r"\.innerHTML\s*[+]?=|insertAdjacentHTML|appendChild\s*\(|\.(?:html|append|prepend|after|before)\s*\("
    r"|document\.write(?:ln)?\s*\(|createElement\s*\(", re.I)
_LOAD_CALL = re.compile(r"\.load\s*\(\s*['\"]([^'\"]+)['\"]", re.I)
_FETCH_CALL = re.compile(r"(?:\$\.(?:get|ajax|getJSON)|fetch|axios\.get)\s*\(\s*(?:\{\s*url\s*:\s*)?['\"]([^'\"]+)['\"]",
                         re.I)
_WRITE_VARIABLE = re.compile(r"document\.write(?:ln)?\s*\(\s*(?![\s'\"`]|unescape\s*\(\s*['\"])", re.I)
_ERROR_WORDS = re.compile(r"jiucuo|sitecode|site_code|找错|exposure|jcinfo", re.I)
_POLICY_WORDS = re.compile(r"国务院|pushinfo|gwyxx|gwyyw|gwywj|gwyw\b|guowuyuan", re.I)
_FOOTER_NAMES = re.compile(r"foot|bottom|copyright|dibu|jiucuo|(?:^|[\s_-])db(?:$|[\s_-])", re.I)
_HEADER_NAMES = re.compile(r"gwy|guowuyuan|pushinfo|policy|^(?:nav|menu|header|head|top)$", re.I)
_FOOTER_SCRIPT = re.compile(r"foot|bottom|dibu|copyright|jiucuo|(?:^|[/_-])db[^/]*\.js", re.I)
_HEADER_SCRIPT = re.compile(r"head|(?:^|[/_-])(?:nav|menu|top)[^/]*\.js|gwy|pushinfo", re.I)
_ABSOLUTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_CONTAINER_TAGS = frozenset({"div", "ul", "nav", "section", "footer", "header", "td", "p", "table"})
_SKIP_TEXT = ("script", "style", "noscript", "template")

_X_SCRIPTS = etree.XPath("//script")
_X_MARKED = etree.XPath("//body//*[@id or @class]")
_X_SPA_ATTR = etree.XPath("//*[@ng-app or @data-v-app or @data-reactroot]")
_X_BODY = etree.XPath("//body")


def needs_render(page, error_link: ErrorLink | None, policy: PolicyColumn | None) -> bool:
    """True when the static page lacks an element but shows signs of script-built content."""
    return bool(render_signals(page, error_link, policy))


def render_signals(page, error_link: ErrorLink | None, policy: PolicyColumn | None) -> list[str]:
    """The reasons for rendering (empty when the static HTML must be judged as it is)."""
    lacks_error = error_link is None or not error_link.found
    lacks_policy = policy is None or not policy.found
    if not (lacks_error or lacks_policy):
        return []
    try:
        tree = page.tree
    except Exception:  # noqa: BLE001 - nothing parseable, nothing to render for
        return []
    if tree is None:
        return []
    try:
        return _signals(page, tree, lacks_error, lacks_policy)
    except (ValueError, TypeError, etree.LxmlError):
        return []


def _signals(page, tree, lacks_error: bool, lacks_policy: bool) -> list[str]:
    scripts = _X_SCRIPTS(tree)
    if not scripts:
        return []
    bodies = [s.text or "" for s in scripts if not s.get("src") and _is_js(s)]
    inline = "\n".join(bodies)
    found: list[str] = []
    wanted = []
    if lacks_error:
        wanted.append((_ERROR_WORDS, _FOOTER_NAMES, "error_link"))
    if lacks_policy:
        wanted.append((_POLICY_WORDS, _HEADER_NAMES, "policy"))

    if _SPA_CODE.search(inline) or _X_SPA_ATTR(tree) or _empty_spa_root(tree):
        found.append("spa_root")
    if _visible_chars(tree) < SHELL_TEXT_CHARS:
        found.append("shell_page")
    for words, names, what in wanted:
        for call in (_LOAD_CALL, _FETCH_CALL):
            for match in call.finditer(inline):
                if names.search(match.group(1)) or words.search(match.group(1)):
                    found.append(f"loaded_fragment:{what}")
        if any(_DOM_BUILD.search(js) and words.search(_strip_js_comments(js)) for js in bodies):
            found.append(f"script_builds:{what}")
        if _DOM_BUILD.search(inline) and _empty_container(tree, names):
            found.append(f"empty_container:{what}")
    host = _host(getattr(page, "url", "") or "")
    if host:
        own = [urlsplit(u).path for u in footer_resources(page, host, limit=50, kinds=("script",))]
    else:  # no page URL: relative sources are the page's own
        own = [s.get("src") for s in scripts if s.get("src") and not _ABSOLUTE.match(s.get("src"))]
    if lacks_error:
        if _WRITE_VARIABLE.search(inline):
            found.append("document_write_variable")
        if any(_FOOTER_SCRIPT.search(u) for u in own):
            found.append("footer_script")
    if lacks_policy and any(_HEADER_SCRIPT.search(u) for u in own) and not _static_nav(tree):
        found.append("header_script")
    return sorted(set(found))


def _is_js(script) -> bool:
    kind = (script.get("type") or "").lower()
    return not kind or "javascript" in kind or "ecmascript" in kind or kind == "module"


def _static_nav(tree) -> bool:
    """Navigation markup with real links: a header script then only animates it."""
    for el in _X_MARKED(tree):
        marks = " ".join(filter(None, (el.get("id"), el.get("class"))))
        if (el.tag == "nav" or _NAV_NAMES.search(marks)) and len(el.xpath(".//a[@href]")) >= NAV_MIN_LINKS:
            return True
    return any(len(el.xpath(".//a[@href]")) >= NAV_MIN_LINKS for el in tree.iter("nav"))


def _empty_spa_root(tree) -> bool:
    for ident in _SPA_IDS:
        for el in tree.xpath("//*[@id=$i]", i=ident):
            if not (el.text_content() or "").strip():
                return True
    return False


def _empty_container(tree, names) -> bool:
    """An element named like the missing part (``<div id="footer"></div>``) holding nothing."""
    for el in _X_MARKED(tree):
        if el.tag not in _CONTAINER_TAGS:
            continue
        if not any(names.search(mark) for mark in (el.get("id") or "", *(el.get("class") or "").split())):
            continue
        if len(el) == 0 and not (el.text or "").strip():
            return True
    return False


def _visible_chars(tree) -> int:
    body = _X_BODY(tree)
    root = body[0] if body else tree
    total = 0
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag not in _SKIP_TEXT:
            total += len((el.text or "").strip())
        if el is not root:
            total += len((el.tail or "").strip())
    return total


_JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*$", re.S | re.M)


def _strip_js_comments(js: str) -> str:
    return _JS_COMMENT.sub("", js)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
