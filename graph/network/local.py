"""Entity-level network questions answered from a small region of the store.

``neighbours`` and ``path`` only need the entities near their ends. Instead of loading the
projection of a graph of millions of triples, they walk the store (:func:`~graph.network.subgraph.ball`),
cut the small rdflib graph around what they found (:func:`~graph.network.subgraph.extract`),
project it, and run the same analysis (:func:`~graph.network.paths.neighbours`,
:func:`~graph.network.paths.linkage_paths`) on it. The answers are the same as on the whole
projection:

- an ego network of radius ``d`` only contains entities within ``d`` linkages, and every linkage of
  those entities is in the region;
- a shortest path is found by a breadth-first search from both ends in the store; only the
  entities on shortest paths are cut out (:func:`_shortest_region`), with every linkage between
  two of them, so the path and its explanation are those of the whole projection.

Options that can lengthen the answer beyond the meeting point (``k > 1``, ``--via``,
``--avoid``, ``--max-hops``, ``--directed``, network filters) and the "no path" report (which
describes each side's whole neighbourhood) use the whole projection.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> ds = Dataset(use_cache=False)
>>> ego(ds, "COSME", depth=1)["entity"]["label"]
'Programme for the Competitiveness of Enterprises and SMEs'
>>> find_paths(ds, "COSME", "Horizon Europe")["found"]
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..errors import InputError
from .paths import linkage_paths, neighbours
from .projection import project, resolve_class
from .subgraph import _neighbours, extract_store

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["ego", "find_paths", "region_network"]


def _active(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) for k, v in filters.items() if v}


def region_network(ds: Dataset, iris: Iterable[str], **filters: Any) -> nx.MultiDiGraph:
    """The projection of the entities ``iris`` and every linkage between them, cut from the store."""
    return project(extract_store(ds, iris, induced=True), **filters)


def _in_net(ds: Dataset, net: nx.MultiDiGraph, iri: str) -> str:
    if iri not in net:
        raise InputError(f"{ds.label(iri)!r} <{iri}> is not in the linkage network "
                         "(not an entity, or left out by the filters)")
    return iri


def ego(ds: Dataset, name: str, *, depth: int = 1, types: Iterable[str] = (), **filters: Any) -> dict[str, Any]:
    """:func:`~graph.network.paths.neighbours` of the entity ``name``, from the store.

    ``types`` are class names (labels, plurals or CURIEs); ``filters`` are the projection's.
    """
    from .subgraph import ball

    iri = ds.resolve(name)
    net = region_network(ds, ball(ds, iri, depth), **_active(filters))
    return neighbours(net, _in_net(ds, net, iri), depth=depth,
                      types=sorted({resolve_class(net, t) for t in types}))


def _shortest_region(ds: Dataset, source: str, target: str) -> set[str] | None:
    """Every entity on a shortest linkage path between ``source`` and ``target``, walked in the store.

    A breadth-first search from each end (the smaller frontier first, a whole layer at a time)
    stops at the first layer where the two searches meet; the length is then the smallest
    ``d(source, v) + d(v, target)`` over the meeting entities, and walking the recorded parents
    back from the meeting entities that reach it gives every shortest path. None when one side
    runs out of entities to visit (no path).
    """
    import pyoxigraph as ox

    store, entities = ds.store, ds.index.entities
    dist: list[dict[str, int]] = [{source: 0}, {target: 0}]
    parents: list[dict[str, set[str]]] = [{source: set()}, {target: set()}]
    rings = [[source], [target]]
    while True:
        meet = dist[0].keys() & dist[1].keys()
        if meet:
            length = min(dist[0][v] + dist[1][v] for v in meet)
            region: set[str] = set()
            for side in (0, 1):
                stack = [v for v in meet if dist[0][v] + dist[1][v] == length]
                seen: set[str] = set()
                while stack:
                    v = stack.pop()
                    if v not in seen:
                        seen.add(v)
                        stack.extend(parents[side].get(v, ()))
                region |= seen
            return region
        i = 0 if len(rings[0]) <= len(rings[1]) else 1
        d, par = dist[i], parents[i]
        nxt: list[str] = []
        prefetch = getattr(store, "prefetch", None)  # a remote store batches its lookups
        if prefetch is not None:
            prefetch([ox.NamedNode(n) for n in rings[i]])
            prefetch([ox.NamedNode(n) for n in rings[i]], incoming=True)
        ring = sorted(rings[i])
        raw = {n: _neighbours(store, ox.NamedNode(n)) for n in ring}
        known = entities.among(set().union(*raw.values()))  # the entity check in one batch
        for n in ring:
            level = d[n] + 1
            for m in sorted(raw[n] & known):
                if m not in d:
                    d[m] = level
                    par[m] = {n}
                    nxt.append(m)
                elif d[m] == level:
                    par[m].add(n)
        if not nxt:
            return None
        rings[i] = nxt


def find_paths(ds: Dataset, source: str, target: str, *, k: int = 1, max_hops: int | None = None,
               via: Iterable[str] = (), avoid: Iterable[str] = (), directed: bool = False,
               **filters: Any) -> dict[str, Any]:
    """:func:`~graph.network.paths.linkage_paths` between two entity names, from the store.

    The plain question (one shortest path, no constraint, no filter) is answered from the
    region where balls around both ends meet; anything else from the whole projection.
    """
    src, dst = ds.resolve(source), ds.resolve(target)
    avoided = [ds.resolve(a) for a in avoid]
    active = _active(filters)
    plain = k == 1 and max_hops is None and not list(via) and not avoided and not directed and not active
    if plain and src != dst:
        region = _shortest_region(ds, src, dst)
        if region is not None:
            net = region_network(ds, region)
            result = linkage_paths(net, _in_net(ds, net, src), _in_net(ds, net, dst))
            if result["found"]:
                return result
    net = ds.network(**active)
    return linkage_paths(net, _in_net(ds, net, src), _in_net(ds, net, dst), k=k, max_hops=max_hops,
                         via=sorted({resolve_class(net, v) for v in via}),
                         avoid=[_in_net(ds, net, a) for a in avoided], directed=directed)
