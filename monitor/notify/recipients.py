"""Who gets which regressions: Apprise URLs and the region/portal patterns they are tagged with.

The recipients file (``MONITOR_NOTIFY_FILE``) is Apprise's own configuration format, read by
Apprise: YAML with a ``tag:`` per URL, or Apprise's TEXT format (``henan,hebei=mailto://…``).
A tag is a region slug or a portal id, shell globs allowed (``henan``, ``henan-zheng*``,
``bumen-*``; ``*`` or ``all`` for every portal; globs need the YAML form, Apprise's TEXT grammar
has no ``*``). Two tags are instructions rather than patterns: ``digest-daily`` and
``digest-weekly`` (one message a day or a week instead of one per region and run; ``digest-off``
overrides ``MONITOR_NOTIFY_DIGEST``)::

    version: 1
    urls:
      - mailto://smtp.henan.example:25?from=monitor@henan.example&to=wzjg@henan.example:
          tag: henan
      - dingtalk://TOKEN:
          tag: henan-zhengzhou, henan-kaifeng
      - json://10.0.0.5:8080/hooks/portal-monitor:
          tag: "*, digest-daily"

Apprise reports a bad entry by its number ("entry #3") and a bad TEXT line by its line, and only
in its log; ``load_recipients`` turns that into one ``FILE:LINE: problem`` per problem, so this
module reads the YAML node tree (PyYAML, Apprise's own parser) for the entries' line numbers.
A URL without a tag is refused rather than sent everything, and a tag that matches no known
region or portal is refused (a typo would silently send nothing).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import apprise
import yaml
from apprise.config.base import ConfigBase

from monitor.ids import stable_id

EVERYTHING = ("*", "all")
DIGEST_TAGS = {"digest-daily": "daily", "digest-weekly": "weekly", "digest-off": "off"}
_LINE_RE = re.compile(r"\bon line (\d+)")
_ENTRY_RE = re.compile(r"\bentry #(\d+)")
_TEXT_LINE_RE = re.compile(r"^\s*(?:(?P<tags>[^=\s][^=]*?)\s*=\s*)?(?P<url>[a-z0-9]{1,32}://\S.*?)\s*$", re.I)


class RecipientsError(ValueError):
    """Problems with the recipients file or a ``--to`` URL: one ``FILE:LINE: problem`` a line."""


@dataclass
class Recipient:
    """One Apprise URL and the portals it wants."""

    key: str  # a hash of the URL: what the store records (URLs hold tokens and passwords)
    label: str  # Apprise's masked URL, for people
    patterns: tuple[str, ...]
    digest: str | None  # daily, weekly, off; None: MONITOR_NOTIFY_DIGEST
    service: Any = field(repr=False, compare=False)

    def wants(self, portal_id: str, region: str) -> bool:
        return any(p in EVERYTHING or fnmatchcase(portal_id, p) or fnmatchcase(region or "", p)
                   for p in self.patterns)


def recipient_of(service, tags: Iterable[str] = ()) -> Recipient:
    """A ``Recipient`` for a loaded Apprise service and its tags."""
    full = urlsplit(service.url(privacy=False))
    masked = urlsplit(service.url(privacy=True))
    tags = [str(t).strip().lower() for t in tags if str(t).strip()]
    digests = [DIGEST_TAGS[t] for t in tags if t in DIGEST_TAGS]
    return Recipient(
        key=stable_id("recipient", f"{full.scheme}://{full.netloc}{full.path}".rstrip("/")),
        label=f"{masked.scheme}://{masked.netloc}{masked.path}".rstrip("/"),
        patterns=tuple(sorted({t for t in tags if t not in DIGEST_TAGS})),
        digest=digests[-1] if digests else None, service=service)


@contextlib.contextmanager
def apprise_log(level: int = logging.DEBUG):
    """Collect what Apprise logs (its only way of saying why a URL or a send failed), instead of
    letting it reach the terminal or the crawl log unexplained."""
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("apprise")
    handler = _Collect(level)
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    try:
        yield records
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


def apprise_reasons(records: list[logging.LogRecord], level: int = logging.WARNING) -> list[str]:
    return [r.getMessage() for r in records if r.levelno >= level]


def recipients_from_urls(urls: Iterable[str], option: str = "--to") -> list[Recipient]:
    """``--to URL`` recipients: each gets every selected portal."""
    out, problems = [], []
    for url in urls:
        with apprise_log() as records:
            service = apprise.Apprise.instantiate(url)
        if service is None:
            why = "; ".join(apprise_reasons(records)) or "not an Apprise URL"
            problems.append(f"{option} {_mask(url)}: {why}")
            continue
        out.append(recipient_of(service, EVERYTHING[:1]))
    if problems:
        raise RecipientsError("\n".join(problems))
    return _merge(out)


def load_recipients(path: str | Path, regions: Iterable[str] = (), portal_ids: Iterable[str] = ()) -> list[Recipient]:
    """The recipients of an Apprise configuration file; ``RecipientsError`` lists every problem as
    ``FILE:LINE: …``. ``regions``/``portal_ids`` (when known) are what tags must match."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RecipientsError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise RecipientsError(f"{name}: is a directory, not an Apprise configuration file") from None
    except OSError as exc:
        raise RecipientsError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RecipientsError(f"{name}: not UTF-8 text") from None
    fmt = ConfigBase.detect_config_format(text)
    if fmt is None:
        raise RecipientsError(f"{name}:1: not an Apprise configuration (YAML with urls:, or TEXT lines "
                              f"of tags=URL)")
    problems: list[str] = []
    if fmt == "yaml":
        entries = _yaml_entries(name, text, problems)
    else:
        entries = _text_entries(text)
    if problems:
        raise RecipientsError("\n".join(problems))
    with apprise_log() as records:
        services, includes = ConfigBase.config_parse(text, config_format=fmt)
    problems += _located(name, records, entries)
    if includes:
        problems.append(f"{name}:{_line_of(text, 'include')}: include is not supported: list every "
                        f"URL in this file")
    regions, portal_ids = set(regions), set(portal_ids)
    for line, tags in entries:
        patterns = [t for t in tags if t not in DIGEST_TAGS]
        if not patterns:
            problems.append(f"{name}:{line}: URL without a tag: tag it with the regions or portals it "
                            f"gets (a region slug, a portal id, a glob, or * for every portal)")
        for tag in patterns:
            if tag in EVERYTHING or not (regions or portal_ids):
                continue
            if not any(fnmatchcase(x, tag) for x in regions | portal_ids):
                problems.append(f"{name}:{line}: tag {tag!r} matches no region or portal "
                                f"(regions: {', '.join(sorted(regions))})")
    if not services and not problems:
        problems.append(f"{name}:1: no recipient URL in the file")
    if problems:
        raise RecipientsError("\n".join(dict.fromkeys(problems)))
    return _merge([recipient_of(s, s.tags) for s in services])


def _merge(recipients: list[Recipient]) -> list[Recipient]:
    """The same URL listed twice is one recipient wanting the union of its patterns."""
    by_key: dict[str, Recipient] = {}
    for r in recipients:
        seen = by_key.get(r.key)
        if seen is None:
            by_key[r.key] = r
        else:
            seen.patterns = tuple(dict.fromkeys(seen.patterns + r.patterns))
            seen.digest = r.digest or seen.digest
    return list(by_key.values())


def _split_tags(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _split_tags(v)]
    return [t.lower() for t in re.split(r"[\s,]+", str(value or "")) if t]


def _yaml_entries(name: str, text: str, problems: list[str]) -> list[tuple[int, list[str]]]:
    """(line, tags) of each item of the YAML ``urls:`` list, in order (Apprise numbers them #1…)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(f"{name}:{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}")
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.append(f"{name}:1: the YAML must be a mapping with a urls: list")
        return []
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    global_tags = _node_tags(top.get("tag")) + _node_tags(top.get("tags"))
    urls = top.get("urls")
    if not isinstance(urls, yaml.SequenceNode):
        line = urls.start_mark.line + 1 if urls is not None else 1
        problems.append(f"{name}:{line}: urls: must be a list of Apprise URLs")
        return []
    return [(item.start_mark.line + 1, global_tags + _item_tags(item)) for item in urls.value]


def _node_tags(node) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return _split_tags(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [t for n in node.value for t in _node_tags(n)]
    return []


def _item_tags(node) -> list[str]:
    """Every ``tag``/``tags`` value inside one ``urls:`` item."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in ("tag", "tags"):
                found += _node_tags(value)
            else:
                found += _item_tags(value)
    elif isinstance(node, yaml.SequenceNode):
        for inner in node.value:
            found += _item_tags(inner)
    return found


def _text_entries(text: str) -> list[tuple[int, list[str]]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = _TEXT_LINE_RE.match(line)
        if m and not line.lstrip().startswith(("#", ";")):
            out.append((number, _split_tags(m.group("tags"))))
    return out


def _located(name: str, records: list[logging.LogRecord], entries: list[tuple[int, list[str]]]) -> list[str]:
    """Apprise's complaints as ``FILE:LINE: …``: a message naming a line or an entry closes the
    reasons logged before it (a plugin says what is wrong, then the parser says where)."""
    problems, reasons = [], []
    for record in records:
        message = record.getMessage()
        line = None
        if m := _LINE_RE.search(message):
            line = int(m.group(1))
        elif (m := _ENTRY_RE.search(message)) and 0 < int(m.group(1)) <= len(entries):
            line = entries[int(m.group(1)) - 1][0]
        if line is None:
            if record.levelno >= logging.WARNING and message not in reasons:
                reasons.append(message)
            continue
        if record.levelno < logging.WARNING and "Unparseable" not in message:
            continue
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        problems.append(f"{name}:{line}: {message}{detail}")
        reasons = []
    problems += [f"{name}:1: {reason}" for reason in reasons]
    return problems


def _line_of(text: str, word: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(word):
            return number
    return 1


def _mask(url: str) -> str:
    """A URL Apprise refused, as it may be printed: no password, and no token where a host would be
    (``dingtalk://TOKEN``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not (host == "localhost" or "." in host or ":" in host):
        host = host[:2] + "…" if host else ""
    if parts.port:
        host += f":{parts.port}"
    login = "…@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{login}{host}{'/…' if parts.path.strip('/') else ''}"
