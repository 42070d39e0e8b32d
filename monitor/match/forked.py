"""``Matcher.match_all`` in two processes: this one and a forked copy, each matching half the entries.

Matching an entry depends on the entry alone, so the halves give exactly the matches one process
would, put back in input order. Entries are split by title (CRC-32), so that a title repeated in
the input is normalised and scored in one process only. Forking is used only where it is safe: a
single-threaded, non-daemon process on a platform that has ``fork``.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import zlib

__all__ = ["can_fork", "match_forked"]

#: the matcher, entries and positions the forked process works on (set while match_forked runs)
_WORK: tuple | None = None


def can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


def _default_signals() -> None:
    """The forked worker must die on SIGTERM: a parent running an event loop (Twisted, asyncio)
    has replaced the handlers, and a worker that inherits them outlives ``Pool.terminate``."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def _rows() -> list[tuple]:
    """In the forked process: (position, entry_id, release_id, score, lag_hours) of its matches."""
    matcher, entries, positions = _WORK
    return [(pos, m.entry_id, m.release_id, m.score, m.lag_hours)
            for pos, m in zip(positions, matcher._match_many(entries[p] for p in positions))
            if m is not None]


def match_forked(matcher, entries: list) -> list:
    """``matcher.match_all(entries)``, half of the entries matched in a forked process."""
    from .matcher import Match

    global _WORK
    mine, theirs = [], []
    for pos, entry in enumerate(entries):
        (theirs if zlib.crc32((entry.title or "").encode("utf-8")) & 1 else mine).append(pos)
    _WORK = (matcher, entries, theirs)
    try:
        with multiprocessing.get_context("fork").Pool(1, initializer=_default_signals) as pool:
            pending = pool.apply_async(_rows)
            found: list = [None] * len(entries)
            for pos, m in zip(mine, matcher._match_many(entries[p] for p in mine)):
                found[pos] = m
            for pos, *row in pending.get():
                found[pos] = Match(*row)
            pool.close()  # let the worker exit on its own rather than be terminated
            pool.join()
    finally:
        _WORK = None
    return [m for m in found if m is not None]
