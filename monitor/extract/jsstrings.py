"""String literals of a JavaScript source, decoded the way a browser would see them.

Footers are often written by script (``document.write('<a href=…jiucuo…')``, ``innerHTML``); the
error-report detector reads the strings instead of running the script. Hand-written because no
well-kept Python library tokenizes JavaScript without a full JS engine; this scanner only needs
string literals, comments and regex literals (to skip them), and ``'a' + 'b'`` concatenation.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["js_literals", "js_string_runs", "unescape_js"]

_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "", "f": "", "v": "", "0": "", "\n": "", "\r\n": ""}
_JOIN_SEP = re.compile(r"^\s*\+\s*(?:[\w$.\[\]()]{1,80}\s*\+\s*)?$")
_REGEX_PREV = set("(,=:[!&|?{};+-*%<>~^")


def unescape_js(body: str) -> str:
    def repl(match):
        seq = match.group(1)
        if seq.startswith("u{"):
            return _chr(int(seq[2:-1], 16))
        if seq[0] in "ux" and len(seq) > 1:
            return _chr(int(seq[1:], 16))
        return _JS_SIMPLE.get(seq, seq)
    return _JS_ESCAPE.sub(repl, body)


def _chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return ""


def js_literals(js: str) -> list[tuple[int, int, str]]:
    """``(start, end, raw body)`` of each string literal, skipping comments and regex literals."""
    out = []
    i, n = 0, len(js)
    prev = ""
    while i < n:
        ch = js[i]
        if ch in "'\"`":
            j = i + 1
            while j < n and js[j] != ch:
                if js[j] == "\\":
                    j += 1
                elif js[j] == "\n" and ch != "`":
                    break
                j += 1
            out.append((i, min(j + 1, n), js[i + 1:j]))
            i, prev = j + 1, ch
        elif js.startswith("//", i) or js.startswith("<!--", i):
            j = js.find("\n", i)
            i = n if j < 0 else j
        elif js.startswith("/*", i):
            j = js.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif ch == "/" and (prev == "" or prev in _REGEX_PREV):
            j = i + 1
            in_class = False
            while j < n and js[j] != "\n":
                c = js[j]
                if c == "\\":
                    j += 1
                elif c == "[":
                    in_class = True
                elif c == "]":
                    in_class = False
                elif c == "/" and not in_class:
                    break
                j += 1
            i, prev = j + 1, "/"
        else:
            if not ch.isspace():
                prev = ch
            i += 1
    return out


def js_string_runs(js: str) -> list[str]:
    """String literals decoded, with ``'a' + 'b'`` (and ``'a' + x + 'b'``) concatenations joined,
    and ``unescape("%3C…")`` percent-encoding undone."""
    runs: list[str] = []
    current: list[str] = []
    last_end = None
    for start, end, body in js_literals(js[:2_000_000]):
        if last_end is not None and not _JOIN_SEP.match(js[last_end:start]):
            runs.append("".join(current))
            current = []
        current.append(unescape_js(body))
        last_end = end
    if current:
        runs.append("".join(current))
    out = []
    for text in runs:
        if "%3c" in text.lower() or "%3e" in text.lower():
            text = unquote(text)
        out.append(text)
    return out
