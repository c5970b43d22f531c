"""Reuse the loaded (and optionally inferred) graph between commands.

Read commands (``stats``, ``show``, ``query``, ...) call :func:`open_graph`. The first call
parses the inputs and stores the result in a cache file keyed by a hash of every input file's
name and bytes, the inference regime and the library versions; later calls with the same inputs
load that file instead of parsing. Any change to any input gives a new key, so the cache never
serves stale data. The cache lives in ``$CLUSTERKG_CACHE_DIR``, else
``$XDG_CACHE_HOME/clusterkg``, else ``~/.cache/clusterkg``; if it cannot be written the graph is
simply loaded each time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from .load import LoadedGraph, input_files, load_graph, make_graph

__all__ = ["cache_dir", "cache_key", "clear_cache", "open_graph"]

_FORMAT = 2


def _encode(term: Node) -> tuple:
    # Terms are stored as plain tuples: unpickling an rdflib Literal would normalise its lexical
    # form ("P36M"^^xsd:duration would come back as "P3Y").
    if isinstance(term, Literal):
        return (2, str(term), term.language, str(term.datatype) if term.datatype else None)
    return (1 if isinstance(term, BNode) else 0, str(term))


def _decode(t: tuple) -> Node:
    if t[0] == 2:
        return Literal(t[1], lang=t[2], datatype=URIRef(t[3]) if t[3] else None, normalize=False)
    return BNode(t[1]) if t[0] == 1 else URIRef(t[1])


def cache_dir() -> Path:
    """The folder cache files go to."""
    if os.environ.get("CLUSTERKG_CACHE_DIR"):
        return Path(os.environ["CLUSTERKG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clusterkg"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("clusterkg")
    except Exception:
        return "dev"


def cache_key(paths: Iterable[str | Path] = (), *, default_data: bool = True,
              infer: str | None = None) -> str:
    """The hash that identifies one set of inputs (file names and bytes) and options."""
    h = hashlib.sha256()
    h.update(f"fmt={_FORMAT};v={_version()};rdflib={rdflib.__version__};infer={infer}".encode())
    for _name, f in input_files(paths, default_data=default_data):
        h.update(str(f.resolve()).encode())
        h.update(b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:32]


def open_graph(
    paths: Iterable[str | Path] = (),
    *,
    default_data: bool = True,
    infer: str | None = None,
    store: str | Store = "default",
    use_cache: bool = True,
) -> LoadedGraph:
    """Load ontology, data and ``paths`` (optionally inferred), through the cache.

    Parameters
    ----------
    paths : iterable of str or Path
        Extra files or folders.
    default_data : bool
        Include the built-in curated data.
    infer : {None, "rdfs", "owlrl"}
        Materialise inferences (see :func:`graph.store.infer.materialise`).
    store : str or rdflib.store.Store
        The store the result lives in (see :func:`graph.store.load.make_graph`).
    use_cache : bool
        Read and write the cache.

    Examples
    --------
    >>> loaded = open_graph(use_cache=False)
    >>> len(loaded.graph) > 1000
    True
    """
    paths = list(paths)
    key = cache_key(paths, default_data=default_data, infer=infer) if use_cache else ""
    target = cache_dir() / f"{key}.pickle"
    if use_cache and target.is_file():
        try:
            with target.open("rb") as fh:
                doc = pickle.load(fh)
            graph = make_graph(store)
            graph.addN((_decode(s), _decode(p), _decode(o), graph) for s, p, o in doc["triples"])
            return LoadedGraph(graph, doc["files"], doc["origin"])
        except Exception:
            target.unlink(missing_ok=True)  # a damaged cache file is rebuilt
    loaded = load_graph(paths, default_data=default_data, store=store)
    if infer:
        from .infer import materialise

        materialise(loaded.graph, infer)  # type: ignore[arg-type]
    if use_cache:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                triples = [(_encode(s), _encode(p), _encode(o)) for s, p, o in loaded.graph]
                pickle.dump({"triples": triples, "files": loaded.files,
                             "origin": loaded.origin}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass
    return loaded


def clear_cache() -> int:
    """Delete every cache file; return how many were deleted."""
    n = 0
    d = cache_dir()
    if d.is_dir():
        for f in d.glob("*.pickle"):
            f.unlink(missing_ok=True)
            n += 1
    return n
