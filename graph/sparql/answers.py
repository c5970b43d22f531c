"""Answers of local queries kept in the dataset's cache entry: a question asked again is read back.

A built dataset never changes: its cache entry is named by the bytes of its inputs and the
versions of the code that built it (:func:`graph.store.cache.content_key`). The answer of a query
on it is therefore fixed by the query text, the row limit and the code that evaluates it, and can
be kept. :func:`graph.sparql.query.query` keeps the answer of every local query that took
:data:`MIN_SECONDS` or more in ``<entry>/answers/``, keyed by :func:`answer_key`, and reads it back
the next time the same text is asked of the same dataset. ``clusterkg build`` asks the library's
questions of a large graph once (:func:`graph.sparql.library.warm`), so that they answer at once
afterwards; QLever's pinned results and warm-up queries work the same way.

What is never kept: queries with ``SERVICE`` or ``FROM``/``FROM NAMED`` (what they read can
change), answers of an endpoint or of rdflib's evaluator, errors and timeouts, and answers over
:data:`MAX_BYTES`. At most :data:`MAX_FILES` answers and :data:`MAX_TOTAL_BYTES` are kept per
dataset; the least recently used go first. The files are JSON (a data format: nothing read back can run), private to the
user, written by rename; one that is not private or cannot be parsed is a miss.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "answers"
>>> key = answer_key("SELECT ?s WHERE { ?s ?p ?o }", None)
>>> payload = {"type": "SELECT", "vars": ["s"], "truncated": False, "rows": [(("u", "http://ex/a"),), (None,)]}
>>> keep(folder, key, payload)
True
>>> recall(folder, key) == payload
True
>>> recall(folder, answer_key("SELECT ?s WHERE { ?s ?p ?o }", 10)) is None
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..store.cache import is_private, read_private, trusted_entry, write_private

__all__ = ["MAX_BYTES", "MAX_FILES", "MAX_TOTAL_BYTES", "MIN_SECONDS", "WARM_MIN_TRIPLES", "answer_key", "keep",
           "recall", "start_warming", "warm"]

#: Answers that took less than this many seconds are not worth a file.
MIN_SECONDS = 0.2
#: Answers larger than this (as JSON) are not kept.
MAX_BYTES = 64 << 20
#: Answers kept per dataset at most (the least recently used are removed first).
MAX_FILES = 256
#: Bytes of answers kept per dataset at most (the least recently used are removed first): queries
#: sent to ``clusterkg serve`` by anyone cannot fill the disk.
MAX_TOTAL_BYTES = 512 << 20

#: ``clusterkg build`` asks the library's questions ahead of time from this many triples on (on a
#: smaller graph they answer in milliseconds anyway).
WARM_MIN_TRIPLES = 100_000

#: The file form of an answer (see :func:`_pack`).
FORMAT = 1

_CODE = ("query.py", "order.py", "results.py", "answers.py")
_version: str | None = None


def _code_version() -> str:
    """Hash of the code that evaluates and encodes answers, and of the engine's version."""
    global _version
    if _version is None:
        import pyoxigraph

        h = hashlib.sha256(f"oxigraph={pyoxigraph.__version__}".encode())
        for name in _CODE:
            try:
                h.update(Path(__file__).with_name(name).read_bytes())
            except OSError:  # no source files (a frozen install): the package version stands in
                from importlib.metadata import version

                h.update(f"{name}@{version('clusterkg')}".encode())
        _version = h.hexdigest()[:16]
    return _version


def answer_key(text: str, limit: int | None) -> str:
    """The name of the answer of ``text`` with at most ``limit`` rows (None: all)."""
    h = hashlib.sha256(f"{_code_version()}\0{limit}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def _pack(payload: dict[str, Any]) -> dict[str, Any]:
    """The file form of a payload: each distinct term written once, the rows as positions in that
    table (a many-row answer repeats its labels and types; this is 3-4 times smaller and faster to
    read back than the rows written out)."""
    kind = payload["type"]
    if kind == "ASK":
        return {"format": FORMAT, "type": kind, "boolean": bool(payload["boolean"])}
    lines = payload["rows"] if kind == "SELECT" else payload["triples"]
    table: dict[Any, int] = {}
    cells = [table.setdefault(t, len(table)) for line in lines for t in line]
    packed = {"format": FORMAT, "type": kind, "truncated": bool(payload["truncated"]),
              "width": len(payload["vars"]) if kind == "SELECT" else 3, "count": len(lines),
              "terms": list(table), "cells": cells}
    if kind == "SELECT":
        packed["vars"] = list(payload["vars"])
    return packed


def _parse(text: str) -> dict[str, Any]:
    """A payload from its file form; ``ValueError`` (or ``KeyError``, ``TypeError``) when damaged."""
    data = json.loads(text)
    if data["format"] != FORMAT:
        raise ValueError("an answer of another format")
    kind = data["type"]
    if kind == "ASK":
        return {"type": "ASK", "boolean": bool(data["boolean"])}
    if kind not in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        raise ValueError(f"unknown answer type {kind!r}")
    terms = [None if t is None else tuple(t) for t in data["terms"]]
    width, count, cells = int(data["width"]), int(data["count"]), data["cells"]
    if len(cells) != width * count or (cells and not (min(cells) >= 0 and max(cells) < len(terms))):
        raise ValueError("inconsistent answer")
    it = iter(list(map(terms.__getitem__, cells)))
    lines = list(zip(*[it] * width, strict=True)) if width else [()] * count
    if kind == "SELECT":
        if len(data["vars"]) != width:
            raise ValueError("inconsistent answer")
        return {"type": kind, "vars": [str(v) for v in data["vars"]], "truncated": bool(data["truncated"]),
                "rows": lines}
    return {"type": kind, "truncated": bool(data["truncated"]), "triples": lines}


def recall(folder: Path | None, key: str) -> dict[str, Any] | None:
    """The answer kept under ``key`` (as :func:`graph.sparql.query.query` passes it on), else None."""
    if folder is None or not (folder.is_dir() and is_private(folder)):
        return None
    path = folder / f"{key}.json"
    payload = read_private(path, _parse)
    if payload is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest
    return payload


def keep(folder: Path | None, key: str, payload: dict[str, Any]) -> bool:
    """Keep ``payload`` under ``key`` in ``folder`` (made private if missing); True when written.

    A folder that cannot be written only means nothing is kept.
    """
    if folder is None:
        return False
    text = json.dumps(_pack(payload), ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_BYTES:
        return False
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if not is_private(folder):
            return False
        write_private(folder / f"{key}.json", text)
        _trim(folder)
    except OSError:
        return False
    return True


def _trim(folder: Path) -> None:
    """Remove the least recently used answers past :data:`MAX_FILES` or :data:`MAX_TOTAL_BYTES`."""
    dated = []
    for f in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            st = f.stat()
            dated.append((st.st_mtime_ns, f.name, st.st_size, f))
    dated.sort(reverse=True)  # most recently used first
    total = 0
    for i, (_, _, size, f) in enumerate(dated):
        total += size
        if i >= MAX_FILES or (total > MAX_TOTAL_BYTES and i > 0):
            with contextlib.suppress(OSError):
                f.unlink()


def warm(entry: Path, names: list[str] | None = None) -> list[str]:
    """Ask the library's questions (or ``names``) of the dataset in cache entry ``entry``, and keep
    every answer, however fast it came (they are the questions asked again and again).

    A question that fails or times out is skipped (it fails the same way when it is asked).
    Returns the names of the questions whose answer is kept. An entry that is not this user's
    private, complete cache entry is not read.
    """
    import pyoxigraph as ox

    from ..errors import ClusterKGError
    from ..store.oxstore import LocalStore
    from .library import get_query, list_queries
    from .query import DEFAULT_TIMEOUT, payload_of, query

    if not trusted_entry(entry):
        return []
    local = LocalStore(ox.Store.read_only(str(entry / "store")))  # no answers folder: always asked
    kept = []
    for q in [get_query(n) for n in names] if names else list_queries():
        try:
            result = query(q.text, local, timeout=DEFAULT_TIMEOUT)
        except ClusterKGError:
            continue
        if keep(entry / "answers", answer_key(q.text, None), payload_of(result)):
            kept.append(q.name)
    return kept


def start_warming(entry: Path) -> subprocess.Popen[bytes]:
    """Run :func:`warm` on ``entry`` in a new process (the caller waits for it or kills it).

    The process reads the store read-only, as every read command does, and uses the interpreter
    and the copy of this package that are running now.
    """
    package_root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "graph.sparql.answers", str(entry)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    warm(Path(sys.argv[1]), sys.argv[2:] or None)
