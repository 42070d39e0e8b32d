"""Mapping a function over items in two processes: this one and a forked copy, half the items each.

The function must give for each item what it would give alone (matching an entry depends on the
entry alone), so the halves are put back in input order and the result is what one process would
give. Items are split by a caller's key (CRC-32 of it), so that repeated keys (a title seen on many
portals) land in one process, where the function's caches pay off. Forking is used only where it
is safe: a single-threaded, non-daemon process on a platform that has ``fork``. This module knows
nothing of matching.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["can_fork", "map_forked"]

T = TypeVar("T")
R = TypeVar("R")

#: the function, items and positions the forked process works on (set while map_forked runs)
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
    """In the forked process: (position, packed result) of its items whose result is not None."""
    fn, items, positions, pack = _WORK
    return [(pos, pack(r)) for pos, r in zip(positions, fn(items[p] for p in positions)) if r is not None]


def _same(value):
    return value


def map_forked(fn: Callable[[Iterable[T]], Iterator[R | None]], items: list[T],
               key: Callable[[T], str], pack: Callable[[R], tuple] = _same,
               unpack: Callable[[tuple], R] = _same) -> list[R | None]:
    """``list(fn(items))``, half of the items done in a forked process. The forked process sends
    its results back as ``pack(result)`` (a tuple pickles faster than most objects), and this one
    makes them ``unpack(packed)`` again."""
    global _WORK
    mine, theirs = [], []
    for pos, item in enumerate(items):
        (theirs if zlib.crc32(key(item).encode("utf-8")) & 1 else mine).append(pos)
    _WORK = (fn, items, theirs, pack)
    try:
        with multiprocessing.get_context("fork").Pool(1, initializer=_default_signals) as pool:
            pending = pool.apply_async(_rows)
            found: list = [None] * len(items)
            for pos, r in zip(mine, fn(items[p] for p in mine)):
                found[pos] = r
            for pos, r in pending.get():
                found[pos] = unpack(r)
            pool.close()  # let the worker exit on its own rather than be terminated
            pool.join()
    finally:
        _WORK = None
    return found
