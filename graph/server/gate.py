"""Let the server fork its query children safely while other threads read the store.

Every SPARQL query runs in a forked child (:func:`graph.sparql.query.run_bounded`) that is
killed at its deadline. A fork copies only the calling thread: if another thread held a lock
inside Oxigraph (RocksDB's block cache, SQLite) at that instant, the child could wait on it
forever. The :class:`ForkGate` closes that window: threads that touch the store hold it
*shared* (:meth:`ForkGate.reading`), and a fork made anywhere in the process waits, through
:func:`os.register_at_fork`, until no other thread is inside, and new readers wait while it
forks (a fork takes a few milliseconds).

Examples
--------
>>> gate = ForkGate()
>>> with gate.reading():
...     gate.readers
1
>>> gate.readers
0
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["GATE", "ForkGate"]


class ForkGate:
    """A readers/fork lock: many readers, or one fork, never both."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._forks_waiting = 0
        self._forking = False
        self._local = threading.local()

    @property
    def readers(self) -> int:
        """Threads inside :meth:`reading` now."""
        return self._readers

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the gate shared while reading the store (re-entrant within a thread)."""
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            with self._cond:
                while self._forking or self._forks_waiting:
                    self._cond.wait()
                self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
            if depth == 0:
                with self._cond:
                    self._readers -= 1
                    self._cond.notify_all()

    def before_fork(self) -> None:
        """Wait until no other thread reads (a thread that reads itself is not waited for)."""
        mine = 1 if getattr(self._local, "depth", 0) else 0
        with self._cond:
            self._forks_waiting += 1
            while self._forking or self._readers > mine:
                self._cond.wait()
            self._forks_waiting -= 1
            self._forking = True

    def after_fork_parent(self) -> None:
        """Let readers in again."""
        with self._cond:
            self._forking = False
            self._cond.notify_all()

    def after_fork_child(self) -> None:
        """The child starts with a fresh, open gate (the other threads do not exist there)."""
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._forks_waiting = 0
        self._forking = False
        self._local = threading.local()


#: The process-wide gate (registered with :func:`os.register_at_fork` once, on import).
GATE = ForkGate()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=GATE.before_fork, after_in_parent=GATE.after_fork_parent,
                        after_in_child=GATE.after_fork_child)
