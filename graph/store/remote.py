"""The store interface over a remote SPARQL 1.1 endpoint: the Dataset's read side, served elsewhere.

A team that outgrows one laptop loads the graph once into a server (``clusterkg push``) and points
every command at it (``clusterkg --endpoint URL ...``). :class:`RemoteStore` answers the few calls
the Dataset makes of a pyoxigraph ``Store`` — ``quads_for_pattern``, ``query`` and ``len`` — with
SPARQL queries over HTTP, so ``stats``, ``show``, ``neighbours``, ``path`` and the rest run
unchanged. Lookups are batched (:meth:`RemoteStore.prefetch`) and remembered for the life of the
command, so showing an entity takes a handful of requests. Global analyses (centrality,
communities, gaps, export, maps of everything) need every linkage: :meth:`RemoteStore.snapshot`
reads the graph once per command into memory.

Only ``http(s)`` URLs are contacted, with the headers the user gave (authentication).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ..errors import EndpointError
from ..namespaces import PREFIXES

__all__ = ["RemoteStore"]

_Term = ox.NamedNode | ox.BlankNode | ox.Literal
_DG = ox.DefaultGraph()
_BATCH = 200


def _term(binding: Mapping[str, str]) -> _Term:
    kind = binding["type"]
    if kind == "uri":
        return ox.NamedNode(binding["value"])
    if kind == "bnode":
        return ox.BlankNode(binding["value"])
    if "xml:lang" in binding:
        return ox.Literal(binding["value"], language=binding["xml:lang"])
    dt = binding.get("datatype")
    return ox.Literal(binding["value"], datatype=ox.NamedNode(dt)) if dt else ox.Literal(binding["value"])


class _Solutions:
    """SELECT results in the shape of ``pyoxigraph.QuerySolutions`` (variables, indexable rows)."""

    def __init__(self, names: Sequence[str], rows: list[tuple[_Term | None, ...]]) -> None:
        self.variables = [ox.Variable(n) for n in names]
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[_Term | None, ...]]:
        return iter(self._rows)


class RemoteStore:
    """A read-only, store-like view of a SPARQL 1.1 query endpoint.

    Parameters
    ----------
    endpoint : str
        The query endpoint URL (``http://localhost:7878/query``).
    headers : mapping, optional
        Extra HTTP headers (``Authorization``).
    timeout : float
        Seconds per request.
    """

    def __init__(self, endpoint: str, headers: Mapping[str, str] | None = None, timeout: float = 60.0) -> None:
        self.endpoint = endpoint
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._out: dict[tuple[Any, Any], list[ox.Quad]] = {}
        self._in: dict[tuple[Any, Any], list[ox.Quad]] = {}
        self._snapshot: ox.Store | None = None
        self._len: int | None = None

    # -- HTTP --------------------------------------------------------------------------------

    def _select(self, text: str) -> tuple[list[str], list[tuple[_Term | None, ...]]]:
        from ..sparql.remote import _request

        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        body = urllib.parse.urlencode({"query": prefixes + text}).encode()
        hdrs = {"Accept": "application/sparql-results+json",
                "Content-Type": "application/x-www-form-urlencoded", **self.headers}
        _, _, data = _request(self.endpoint, data=body, method="POST", headers=hdrs, timeout=self.timeout)
        try:
            doc = json.loads(data)
            names = list(doc["head"].get("vars", []))
            if "boolean" in doc:
                return ["boolean"], [(ox.Literal(str(doc["boolean"]).lower()),)]
            rows = [tuple(_term(b[n]) if n in b else None for n in names) for b in doc["results"]["bindings"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise EndpointError(f"{self.endpoint}: the answer is not SPARQL results JSON: {exc}") from None
        return names, rows

    # -- the Store interface the Dataset uses ----------------------------------------------------

    def query(self, text: str, *, prefixes: Mapping[str, str] | None = None, **_: Any) -> _Solutions:
        """A SELECT on the endpoint (the project's prefixes predeclared)."""
        names, rows = self._select(text)
        return _Solutions(names, rows)

    def __len__(self) -> int:
        if self._len is None:
            _, rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            first = rows[0][0] if rows else None
            self._len = int(first.value) if isinstance(first, ox.Literal) else 0
        return self._len

    def prefetch(self, nodes: Iterable[Any], predicates: Sequence[Any] | None = None, *,
                 incoming: bool = False) -> None:
        """Fetch the triples of many ``nodes`` (as subjects, or as objects with ``incoming``),
        restricted to ``predicates`` if given, in a few batched requests."""
        memo = self._in if incoming else self._out
        todo = sorted({n for n in nodes if isinstance(n, ox.NamedNode) and (n, None) not in memo
                       and (predicates is None or any((n, p) not in memo for p in predicates))}, key=str)
        for i in range(0, len(todo), _BATCH):
            chunk = todo[i:i + _BATCH]
            values = " ".join(str(n) for n in chunk)
            preds = f"VALUES ?p {{ {' '.join(str(p) for p in predicates)} }} " if predicates else ""
            pattern = "?o ?p ?n" if incoming else "?n ?p ?o"
            _, rows = self._select(f"SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {values} }} {preds}{pattern} }}")
            found: dict[tuple[Any, Any], list[ox.Quad]] = {}
            for n, p, o in rows:
                assert n is not None and p is not None and o is not None
                quad = ox.Quad(o, p, n, _DG) if incoming else ox.Quad(n, p, o, _DG)  # type: ignore[arg-type]
                found.setdefault((n, None), []).append(quad)
                found.setdefault((n, p), []).append(quad)
            for n in chunk:
                if predicates is None:
                    memo[(n, None)] = found.get((n, None), [])
                for p in predicates or ():
                    memo[(n, p)] = found.get((n, p), [])

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None, obj: Any = None,
                          graph: Any = None) -> list[ox.Quad]:
        """The triples matching a pattern (one of subject or object bound), as default-graph quads."""
        if subject is not None and obj is None:
            if (subject, predicate) not in self._out and (subject, None) not in self._out:
                self.prefetch([subject], [predicate] if predicate is not None else None)
            got = self._out.get((subject, predicate)) if predicate is not None else None
            if got is None:
                got = [q for q in self._out[(subject, None)] if predicate is None or q.predicate == predicate]
            return list(got)
        if obj is not None and subject is None:
            if (obj, predicate) not in self._in and (obj, None) not in self._in:
                self.prefetch([obj], [predicate] if predicate is not None else None, incoming=True)
            got = self._in.get((obj, predicate)) if predicate is not None else None
            if got is None:
                got = [q for q in self._in[(obj, None)] if predicate is None or q.predicate == predicate]
            return list(got)
        return list(self.snapshot().quads_for_pattern(subject, predicate, obj, _DG))

    def snapshot(self) -> ox.Store:
        """Every triple of the endpoint, read once into an in-memory store (global analyses)."""
        if self._snapshot is None:
            from ..sparql.remote import _request

            body = urllib.parse.urlencode({"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}).encode()
            hdrs = {"Accept": "application/n-triples", "Content-Type": "application/x-www-form-urlencoded",
                    **self.headers}
            _, ctype, data = _request(self.endpoint, data=body, method="POST", headers=hdrs, timeout=self.timeout)
            fmt = ox.RdfFormat.from_media_type(ctype.split(";")[0].strip()) or ox.RdfFormat.N_TRIPLES
            store = ox.Store()
            try:
                store.load(data, format=fmt)
            except SyntaxError as exc:
                raise EndpointError(f"{self.endpoint}: the graph is not valid {fmt.name}: {exc}") from None
            self._snapshot = store
        return self._snapshot
