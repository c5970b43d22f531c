"""Small rdflib graphs cut from the store around some entities, and balls of entities.

Entity-level views (``show``, ``neighbours``, ``path``, ``render --focus``) need a few hundred
triples, not the millions in the store. :func:`extract` gathers them with indexed quad lookups:

1. the *full* nodes (the entities asked for, the synergies that touch them and their figures):
   every triple in and out, and the blank nodes they point to;
2. every node those triples mention: its types, labels, acronym, status, period and provenance;
3. every passage cited: its triples, and its document's label;
4. the ontology (class and property labels, hierarchies).

:func:`ball` walks the linkages in the store to find the entities within some hops.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> ds = Dataset(use_cache=False)
>>> g = extract(ds, {"https://w3id.org/clusterkg/id/cosme"})
>>> 0 < len(g) < len(ds)
True
>>> near = ball(ds, "https://w3id.org/clusterkg/id/cosme", 1)
>>> "https://w3id.org/clusterkg/id/cosme" in near and len(near) > 1
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, Graph
from rdflib.namespace import PROV

from ..namespaces import CKG
from ..terms import from_ox

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["ball", "extract", "extract_quads", "extract_store"]

_DG = ox.DefaultGraph()
_N = ox.NamedNode
_SUMMARY = [_N(str(p)) for p in (RDF.type, RDFS.label, SKOS.prefLabel, CKG.acronym, PROV.wasDerivedFrom,
                                 CKG.status, CKG.inPeriod, SKOS.definition)]
_SUMMARY_SET = frozenset(_SUMMARY)
_SYN_SOURCE, _SYN_TARGET = _N(str(CKG.synergySource)), _N(str(CKG.synergyTarget))
_HAS_FIGURE, _DERIVED = _N(str(CKG.hasFigure)), _N(str(PROV.wasDerivedFrom))
_IN_DOC = _N(str(CKG.inDocument))
_TYPE = _N(str(RDF.type))
_SKIP_WALK = frozenset(str(p) for p in (RDF.type, PROV.wasDerivedFrom, CKG.hasFigure, OWL.sameAs,
                                        CKG.synergySource, CKG.synergyTarget))


def _node(iri: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(iri[2:]) if iri.startswith("_:") else ox.NamedNode(iri)


def _key(term: Any) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else term.value


def extract_quads(ds: Dataset, iris: Iterable[str], *, induced: bool = False) -> set[ox.Quad]:
    """The quads of the region around ``iris`` (without the ontology); see the module doc.

    With ``induced`` only the linkages *between* the ``iris`` are kept (their outgoing triples,
    and the synergies whose two ends are both among them): what a network view of exactly these
    entities needs, without the thousands of incoming links of a hub.
    """
    store = ds.store
    quads: set[ox.Quad] = set()
    wanted = set(iris)
    full: list[Any] = [_node(i) for i in sorted(wanted)]
    extra: list[Any] = []
    other_end = {_SYN_SOURCE: _SYN_TARGET, _SYN_TARGET: _SYN_SOURCE}
    prefetch = getattr(store, "prefetch", None)  # a remote store batches its lookups
    if prefetch is not None:
        prefetch(full)
        prefetch(full, incoming=True)
    for n in full:
        for end, other in other_end.items():
            for q in store.quads_for_pattern(None, end, n, _DG):
                if induced and not any(q2.object.value in wanted  # type: ignore[union-attr]
                                       for q2 in store.quads_for_pattern(q.subject, other, None, _DG)):
                    continue
                extra.append(q.subject)
        for q in store.quads_for_pattern(n, _HAS_FIGURE, None, _DG):
            extra.append(q.object)
    seen: set[Any] = set()
    todo = full + extra
    if prefetch is not None:
        prefetch(extra)
        prefetch({q.subject for n in extra for end in other_end for q in store.quads_for_pattern(n, end, None, _DG)})
    while todo:  # whole nodes, with the blank nodes they point to
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in store.quads_for_pattern(n, None, None, _DG):
            quads.add(q)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    if not induced:
        for n in full:
            quads.update(store.quads_for_pattern(None, None, n, _DG))
    mentioned = {t for q in quads for t in (q.subject, q.object, q.predicate)
                 if isinstance(t, (ox.NamedNode, ox.BlankNode))} - seen
    if prefetch is not None:  # a remote store: only the summary triples are fetched
        prefetch(mentioned, _SUMMARY)
        for n in mentioned:
            for p in _SUMMARY:
                quads.update(store.quads_for_pattern(n, p, None, _DG))
    else:  # one indexed scan per node is cheaper than one per summary property
        for n in mentioned:
            quads.update(q for q in store.quads_for_pattern(n, None, None, _DG) if q.predicate in _SUMMARY_SET)
    passages = {q.object for q in quads if q.predicate == _DERIVED and isinstance(q.object, ox.NamedNode)}
    if prefetch is not None:
        prefetch(passages)
    for passage in passages:
        quads.update(store.quads_for_pattern(passage, None, None, _DG))
    docs = {q.object for q in quads if q.predicate == _IN_DOC and isinstance(q.object, ox.NamedNode)}
    if prefetch is not None:
        prefetch(docs, _SUMMARY[:2])
    for d in docs:
        for pred in _SUMMARY[:2]:
            quads.update(store.quads_for_pattern(d, pred, None, _DG))
    return quads


def extract_store(ds: Dataset, iris: Iterable[str], *, induced: bool = False) -> ox.Store:
    """The region around ``iris`` plus the ontology, in a small in-memory Oxigraph store."""
    region = ox.Store()
    region.extend(extract_quads(ds, iris, induced=induced))
    region.extend(ds.schema_quads())
    return region


def extract(ds: Dataset, iris: Iterable[str]) -> Graph:
    """The region around ``iris`` plus the ontology, as an rdflib graph (for small regions)."""
    g = Graph()
    for prefix, ns in ds.schema().namespaces():
        g.bind(prefix, ns, override=True, replace=True)
    g.addN((s, p, o, g) for s, p, o in ds.schema())
    quads = sorted(extract_quads(ds, iris), key=str)
    g.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), g) for q in quads)
    return g


def _neighbours(store: ox.Store, node: ox.NamedNode, is_entity: Any = None) -> set[str]:
    """The nodes linked to ``node`` (plain linkages and synergies, both ways), kept by ``is_entity``
    (all of them when it is None: the caller then checks them in one batch)."""
    out: set[str] = set()
    for q in store.quads_for_pattern(node, None, None, _DG):
        if isinstance(q.object, ox.NamedNode) and q.predicate.value not in _SKIP_WALK:
            out.add(q.object.value)
    for q in store.quads_for_pattern(None, None, node, _DG):
        p = q.predicate.value
        if p in (_SYN_SOURCE.value, _SYN_TARGET.value):
            other = _SYN_TARGET if p == _SYN_SOURCE.value else _SYN_SOURCE
            for q2 in store.quads_for_pattern(q.subject, other, None, _DG):
                if isinstance(q2.object, ox.NamedNode):
                    out.add(q2.object.value)
        elif isinstance(q.subject, ox.NamedNode) and p not in _SKIP_WALK:
            out.add(q.subject.value)
    return out if is_entity is None else {n for n in out if is_entity(n)}


def ball(ds: Dataset, iri: str, depth: int, *, limit: int | None = None) -> set[str]:
    """The entities within ``depth`` linkages of ``iri`` (plain linkages and synergies, both ways).

    ``limit`` stops the walk once that many entities are found (the last ring may be partial).
    """
    store = ds.store
    entities = ds.index.entities
    found = {iri}
    ring = {iri}
    prefetch = getattr(store, "prefetch", None)  # a remote store batches its lookups
    for _ in range(depth):
        nxt: set[str] = set()
        if prefetch is not None:
            prefetch([ox.NamedNode(n) for n in ring])
            prefetch([ox.NamedNode(n) for n in ring], incoming=True)
        todo, full = sorted(ring), False
        for i in range(0, len(todo), 256):  # the entity check of 256 nodes' neighbours in one batch
            raw = {n: _neighbours(store, ox.NamedNode(n)) - found for n in todo[i:i + 256]}
            known = entities.among(set().union(*raw.values()))
            for n in todo[i:i + 256]:
                nxt |= raw[n] & known
                if limit is not None and len(found) + len(nxt) >= limit:
                    full = True
                    break
            if full:
                break
        found |= nxt
        ring = nxt
        if not ring or (limit is not None and len(found) >= limit):
            break
    return found
