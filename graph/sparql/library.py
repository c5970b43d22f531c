"""The library of competency questions in ``queries/``: list, show, run, check, regenerate.

Each question is ``queries/NAME.rq``; its header comment says what it asks::

    # title: Which synergies are envisaged but not yet active?
    # description: One paragraph: what the question means, what the query counts and what it
    #   leaves out. Continuation lines start with "#" and more spaces.
    # shape: one row per synergy: synergy, source, target, type, period, passage

Its expected answer is ``queries/expected/NAME.srj`` (SPARQL 1.1 Results JSON), written by
``python -m graph.sparql.library --regenerate [NAME ...]`` after the answers have been checked by eye.

Examples
--------
>>> names = [q.name for q in list_queries()]
>>> len(names) >= 20
True
>>> q = get_query(names[0])
>>> bool(q.title and q.description and q.shape)
True
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..errors import InputError
from ..resources import queries_dir as _builtin_queries_dir

__all__ = ["StoredQuery", "expected_path", "get_query", "list_queries", "queries_dir", "regenerate"]

_FIELD = re.compile(r"^#\s*(title|description|shape):\s*(.*)$")


def queries_dir() -> Path:
    """The folder of ``.rq`` files (``$CLUSTERKG_QUERIES`` overrides)."""
    import os

    if os.environ.get("CLUSTERKG_QUERIES"):
        return Path(os.environ["CLUSTERKG_QUERIES"])
    return _builtin_queries_dir()


@dataclass(frozen=True)
class StoredQuery:
    """One competency question."""

    name: str
    path: Path
    title: str
    description: str
    shape: str
    text: str


def _parse(path: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            current = None
            continue
        m = _FIELD.match(line)
        if m:
            current = m.group(1)
            fields[current] = m.group(2).strip()
        elif current and line[1:].strip():
            fields[current] += " " + line[1:].strip()
        else:
            current = None
    return StoredQuery(path.stem, path, fields.get("title", ""), fields.get("description", ""),
                       fields.get("shape", ""), text)


def list_queries() -> list[StoredQuery]:
    """Every ``queries/*.rq``, sorted by name."""
    d = queries_dir()
    return [_parse(p) for p in sorted(d.glob("*.rq"))] if d.is_dir() else []


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def get_query(name: str) -> StoredQuery:
    """The query called ``name`` (with or without ``.rq``); close names are suggested.

    ``name`` is a name in the library, never a path: a file elsewhere is run with
    ``clusterkg query FILE``.

    >>> get_query("../tests/hygiene/x")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: '../tests/hygiene/x' is not a query name: library names have no folder \
(run a file with `clusterkg query FILE`)
    """
    name = name.removesuffix(".rq")
    if not _NAME.match(name) or ".." in name:
        raise InputError(f"{name!r} is not a query name: library names have no folder "
                         "(run a file with `clusterkg query FILE`)")
    folder = queries_dir()
    path = folder / f"{name}.rq"
    if path.is_file() and path.resolve().parent == folder.resolve():
        return _parse(path)
    known = [q.name for q in list_queries()]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.75)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `clusterkg queries` lists them"
    raise InputError(f"no stored query named {name!r}{hint}")


def expected_path(name: str) -> Path:
    """Where the expected answer of ``name`` lives."""
    return queries_dir() / "expected" / f"{name}.srj"


def regenerate(names: list[str] | None = None, *, out: TextIO | None = None) -> list[Path]:
    """Run the queries on the built-in graph and write their expected answers.

    Prints one line per query (name, rows) so that empty answers stand out.
    """
    from ..store.serialize import write_atomic
    from .query import query

    stream = out or sys.stdout
    written = []
    for q in [get_query(n) for n in names] if names else list_queries():
        result = query(q.text)
        path = expected_path(q.name)
        write_atomic(path, result.serialize_as("json"))
        size = len(result.rows) if result.type == "SELECT" else result.askAnswer
        print(f"{q.name:45s} {size}", file=stream)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m graph.sparql.library --regenerate [NAME ...]``."""
    parser = argparse.ArgumentParser(prog="python -m graph.sparql.library",
                                     description="Regenerate queries/expected/*.srj from the built-in graph.")
    parser.add_argument("--regenerate", action="store_true", help="write the expected answers")
    parser.add_argument("names", nargs="*", help="only these queries")
    args = parser.parse_args(argv)
    if not args.regenerate:
        for q in list_queries():
            print(f"{q.name:45s} {q.title}")
        return 0
    regenerate(args.names or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
