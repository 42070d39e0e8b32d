"""Where the shipped data lives (registry, column-type table, sandbox fleet), from a checkout or a package.

In a checkout (and an editable install) the data is the top-level ``data/`` directory. A built
package (wheel, or the egg scrapyd runs from a zip file) carries a copy as ``monitor/_data``
(``setup.py``); from a zipped egg it is extracted once into a cache directory keyed by its content,
so the rest of the code keeps reading plain files. ``MONITOR_DATA_DIR`` overrides both.

The default store is ``data/monitor.db`` in a checkout; an installed package must not write inside
itself, so there it is ``$XDG_DATA_HOME/portal-monitor/monitor.db`` (a scrapyd service should set
``MONITOR_DB`` anyway).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGED_DATA = "_data"
#: files of ``data/`` that are never packaged (local stores, demo output)
EXCLUDED = ("monitor.db*", "demo.db*", "demo-out", "*.db-wal", "*.db-shm", "*.db")


def _extract(root) -> Path:
    """Copy a resource tree (a zip inside an egg) to a cache directory named by its content hash."""
    files: list[tuple[str, bytes]] = []

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            else:
                files.append((rel, child.read_bytes()))

    walk(root, "")
    digest = hashlib.sha1()
    for rel, data in files:
        digest.update(rel.encode() + b"\0" + hashlib.sha1(data).digest())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path(tempfile.gettempdir()))
    target = cache / f"portal-monitor-data-{os.getuid()}-{digest.hexdigest()[:16]}"
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=cache))
    for rel, data in files:
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (staging / ".complete").write_text("ok\n")
    try:
        os.rename(staging, target)
    except OSError:  # another process won the race (or a stale partial copy): use the complete one
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            return _extract(root)
    return target


def find_data_dir() -> tuple[Path, bool]:
    """The data directory and whether it is a checkout's ``data/`` (writable, the default store's home)."""
    override = os.environ.get("MONITOR_DATA_DIR")
    if override:
        return Path(override), False
    checkout = PROJECT_DIR / "data"
    if (checkout / "portals.csv").is_file():
        return checkout, True
    try:
        packaged = resources.files("monitor") / PACKAGED_DATA
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - monitor is always importable here
        return checkout, True
    if isinstance(packaged, Path):
        return packaged, False
    if packaged.is_dir():
        return _extract(packaged), False
    return checkout, True


DATA_DIR, IN_CHECKOUT = find_data_dir()
REGISTRY_CSV = DATA_DIR / "portals.csv"
SANDBOX_REGISTRY_CSV = DATA_DIR / "sandbox" / "portals.csv"
COLUMN_TYPES_CSV = DATA_DIR / "column_types.csv"
DEFAULT_DB = (DATA_DIR / "monitor.db" if IN_CHECKOUT else
              Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "portal-monitor" / "monitor.db")
