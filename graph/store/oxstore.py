"""The embedded Oxigraph store that runs SPARQL queries (the query side of the store seam).

rdflib's own SPARQL evaluator is slow on large graphs and crashes with ``RecursionError`` on
property paths over long chains (``ckg:partOf+`` over ~10k links). Local queries therefore run in
a :class:`pyoxigraph.Store`: the :class:`~graph.store.dataset.Dataset`'s store (built from the files by
Oxigraph's own parsers), or one made from any rdflib graph (:func:`store_from_graph`; free for a
graph already on the ``"oxigraph"`` store). Results are
handed back as rdflib terms (:func:`from_ox`), so callers keep rdflib's API.

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("http://ex/a"), URIRef("http://ex/p"), Literal("x", lang="en")))
>>> local = store_from_graph(g)
>>> [str(s["o"]) for s in local.store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['"x"@en']
>>> from_ox(to_ox(Literal("31.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
rdflib.term.Literal('31.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ..terms import from_ox, to_ox

__all__ = ["LocalStore", "from_ox", "nt_term", "store_from_graph", "to_ox"]

def nt_term(term: Node) -> str:
    """The N-Triples form of an rdflib term (one line, escaped).

    >>> from rdflib import Literal
    >>> nt_term(Literal("a\\tb"))
    '"a\\\\tb"'
    """
    return str(to_ox(term))


@dataclass
class LocalStore:
    """An Oxigraph store to query, and which of its graphs is the data.

    Attributes
    ----------
    store : pyoxigraph.Store
        The store.
    default_graph : pyoxigraph term or None
        The graph queries see as their default graph (None: the store's default graph).
    files : list of str
        The files loaded, when known.
    answers : Path or None
        Where answers of slow queries on this (unchanging) store are kept and read back
        (:mod:`graph.sparql.answers`); None to keep none.
    """

    store: ox.Store
    default_graph: ox.NamedNode | ox.BlankNode | None = None
    files: list[str] = field(default_factory=list)
    answers: Path | None = None

    def __len__(self) -> int:
        graph = self.default_graph if self.default_graph is not None else ox.DefaultGraph()
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph))

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """Every triple of the data graph, as rdflib terms."""
        graph = self.default_graph if self.default_graph is not None else ox.DefaultGraph()
        for q in self.store.quads_for_pattern(None, None, None, graph):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def to_graph(self) -> Graph:
        """The data as an rdflib graph in memory (with the project's prefixes)."""
        from .load import make_graph

        g = make_graph()
        g.addN((s, p, o, g) for s, p, o in self.triples())
        return g


def store_from_graph(graph: Graph) -> LocalStore:
    """A :class:`LocalStore` over an rdflib graph.

    A graph on the ``"oxigraph"`` store (oxrdflib) is used as it is, with no copy; any other
    graph is copied into a new in-memory Oxigraph store.
    """
    inner = getattr(graph.store, "_inner", None)
    if isinstance(inner, ox.Store):
        ident = graph.identifier
        name = ox.NamedNode(str(ident)) if isinstance(ident, URIRef) else ox.BlankNode(str(ident))
        return LocalStore(inner, name)
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return LocalStore(store)
