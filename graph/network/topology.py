"""The topology of a projection: entities and linked pairs as compact arrays, for global measures.

Global measures (betweenness, closeness, degree, PageRank) need only who is linked to whom, the
weight of each linked pair and, for the rows shown, the name and class of an entity. A
:class:`Topology` holds exactly that: the entities in sorted order, their labels, CURIEs and
classes, and the undirected simple graph (one pair per linked pair of entities, its combined
weight, as :func:`graph.network.projection.simple_graph` merges them) as two integer arrays.

It is built straight from the projection's steps (no networkx graph, no edge attributes) and cached
next to the store as a small JSON file (a data format: nothing in it can run), so that a
million-triple dataset's ``centrality`` reads a few megabytes instead of the whole node-link
projection. :meth:`Topology.from_network` gives the same topology from a networkx projection
(the tests check that both routes agree).

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> net.add_node("b", label="B", curie="ex:b", classes=["ckg:Entity"])
>>> net.add_edge("a", "b", key="ckg:partOf")
'ckg:partOf'
>>> net.add_edge("b", "a", key="ckr:s1", kind="synergy", strength=0.5)
'ckr:s1'
>>> topo = Topology.from_network(net)
>>> topo.node_list, list(topo.pairs()), topo.weights.tolist()
(['a', 'b'], [(0, 1)], [1.5])
>>> topo.nodes["b"]["label"], "a" in topo, topo.number_of_edges()
('B', True, 1)
"""

from __future__ import annotations

import base64
import json
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

__all__ = ["Topology", "edge_weight", "merge_pairs"]

#: Bumped when the JSON layout changes (part of the cache file's name through the projection version).
FORMAT = 2


def edge_weight(d: Mapping[str, Any]) -> float:
    """The weight of one linkage: a synergy's ``strength`` when it is positive, else 1."""
    s = d.get("strength")
    return float(s) if s is not None and s > 0 else 1.0


def merge_pairs(nodes: Sequence[str], edges: Iterator[tuple[str, str, Mapping[str, Any]]]
                ) -> tuple[array, array, array]:
    """Merge directed multi-edges into undirected pairs of node positions, sorted, with summed weights.

    ``nodes`` must be sorted (by ``str``); self-loops are dropped. Returns the flat ``(u, v, ...)``
    positions (``u < v``), the weights (each the sum of its linkages' weights in the order given)
    and the number of linkages per pair.

    >>> merge_pairs(["a", "b", "c"], iter([("c", "a", {}), ("a", "c", {"strength": 2}), ("b", "b", {})]))
    (array('i', [0, 2]), array('d', [3.0]), array('i', [2]))
    """
    import numpy as np

    index = {n: i for i, n in enumerate(nodes)}
    us: list[int] = []
    vs: list[int] = []
    ws: list[float] = []
    for u, v, d in edges:
        if u != v:
            us.append(index[u])
            vs.append(index[v])
            ws.append(edge_weight(d))
    a, b = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
    key = np.minimum(a, b) * max(len(nodes), 1) + np.maximum(a, b)
    pairs, which = np.unique(key, return_inverse=True)
    weights = np.bincount(which, weights=np.array(ws, dtype=np.float64), minlength=len(pairs))
    counts = np.bincount(which, minlength=len(pairs))
    flat = np.column_stack([pairs // max(len(nodes), 1), pairs % max(len(nodes), 1)]).ravel()
    return array("i", flat.astype(np.intc).tobytes()), array("d", weights.tobytes()), \
        array("i", counts.astype(np.intc).tobytes())


class _NodeView(Mapping[str, dict[str, Any]]):
    """``topology.nodes[iri]``: the attributes results name an entity by (as networkx's node view)."""

    def __init__(self, topo: Topology) -> None:
        self._t = topo

    def __getitem__(self, node: str) -> dict[str, Any]:
        t = self._t
        i = t.index[node]
        return {"label": t.labels[i], "curie": t.curies[i], "class": t.class_labels[i],
                "classes": list(t.class_sets[t.class_of[i]])}

    def __iter__(self) -> Iterator[str]:
        return iter(self._t.node_list)

    def __len__(self) -> int:
        return len(self._t.node_list)


class Topology:
    """Entities (sorted) and their linked pairs as arrays; see the module doc.

    Attributes
    ----------
    node_list : list of str
        Entity IRIs, sorted: node ``i`` of :attr:`edges`.
    labels, curies, class_labels : list of str
        Per entity.
    class_of : list of int
        Per entity, its position in :attr:`class_sets` (the sorted class CURIEs, subclasses included).
    edges : array of int
        Flat ``u0, v0, u1, v1, ...`` (``u < v``), one pair per linked pair, sorted.
    weights : array of float
        Per pair, the summed weight (a plain linkage 1, a synergy its strength).
    graph : dict
        The projection's vocabularies and filters (``classes``, ``linkage_types``, ...), as
        ``networkx`` graph attributes, so class names resolve the same way.
    """

    def __init__(self, node_list: list[str], labels: list[str], curies: list[str], class_labels: list[str],
                 class_of: list[int], class_sets: list[list[str]], edges: array, weights: array,
                 graph: dict[str, Any]) -> None:
        self.node_list = node_list
        self.labels = labels
        self.curies = curies
        self.class_labels = class_labels
        self.class_of = class_of
        self.class_sets = class_sets
        self.edges = edges
        self.weights = weights
        self.graph = graph
        self.index = {n: i for i, n in enumerate(node_list)}
        self.nodes = _NodeView(self)

    # -- the parts of networkx's graph interface the measures use ---------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __len__(self) -> int:
        return len(self.node_list)

    def __iter__(self) -> Iterator[str]:
        return iter(self.node_list)

    def number_of_nodes(self) -> int:
        return len(self.node_list)

    def number_of_edges(self) -> int:
        return len(self.weights)

    def pairs(self) -> Iterator[tuple[int, int]]:
        """The linked pairs as ``(u, v)`` node positions."""
        e = self.edges
        return zip(e[0::2], e[1::2], strict=True)

    def degrees(self) -> list[int]:
        """The number of entities each entity is linked to."""
        deg = [0] * len(self.node_list)
        for u in self.edges:
            deg[u] += 1
        return deg

    def igraph(self) -> Any:
        """An undirected simple ``igraph.Graph`` with the nodes in :attr:`node_list` order and a
        ``weight`` edge attribute."""
        import igraph as ig

        g = ig.Graph(n=len(self.node_list), edges=list(self.pairs()), directed=False)
        g.es["weight"] = list(self.weights)
        return g

    def simple_graph(self) -> nx.Graph:
        """The undirected simple networkx graph (nodes sorted, edges with ``weight``), as
        :func:`graph.network.projection.simple_graph` gives (without the node attributes)."""
        nodes = self.node_list
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from((nodes[u], nodes[v], {"weight": w})
                         for (u, v), w in zip(self.pairs(), self.weights, strict=True))
        return g

    # -- building and the cache format -----------------------------------------------------------

    @classmethod
    def from_network(cls, net: nx.Graph) -> Topology:
        """The topology of a networkx projection (multi or simple, directed or not)."""
        node_list = sorted(net.nodes, key=str)
        labels, curies, class_labels, class_of = [], [], [], []
        set_index: dict[tuple[str, ...], int] = {}
        for n in node_list:
            d = net.nodes[n]
            labels.append(str(d.get("label", n)))
            curies.append(str(d.get("curie", n)))
            class_labels.append(str(d.get("class", "")))
            key = tuple(d.get("classes", ()))
            class_of.append(set_index.setdefault(key, len(set_index)))
        edge_iter = ((u, v, d) for u, v, d in net.edges(data=True))
        flat, weights, _ = merge_pairs(node_list, edge_iter)
        sets = [list(k) for k in set_index]
        return cls(node_list, labels, curies, class_labels, class_of, sets, flat, weights, dict(net.graph))

    def to_json(self) -> str:
        """The topology as one JSON document (the cache format).

        The pair and weight arrays are written as base64 of their little-endian bytes: read back
        three times faster than JSON lists of a million numbers, and still only data.
        """
        return json.dumps({
            "format": FORMAT, "graph": self.graph, "nodes": self.node_list, "labels": self.labels,
            "curies": self.curies, "class_labels": self.class_labels, "class_of": self.class_of,
            "class_sets": self.class_sets, "edges": _pack(self.edges), "weights": _pack(self.weights),
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Topology:
        """Read :meth:`to_json`'s output; ``ValueError`` when it is not a topology of this format."""
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ValueError("not a clusterkg topology of this format")
        n = len(doc["nodes"])
        edges, weights = _unpack("i", doc["edges"]), _unpack("d", doc["weights"])
        if not all(len(doc[k]) == n for k in ("labels", "curies", "class_labels", "class_of")) \
                or len(edges) != 2 * len(weights) or (len(edges) and (max(edges) >= n or min(edges) < 0)):
            raise ValueError("inconsistent topology")
        return cls(doc["nodes"], doc["labels"], doc["curies"], doc["class_labels"], doc["class_of"],
                   doc["class_sets"], edges, weights, doc["graph"])


def _pack(values: array) -> str:
    """Base64 of the array's bytes, little-endian."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unpack(typecode: str, text: str) -> array:
    """The array :func:`_pack` wrote (``ValueError`` when the bytes do not fit the type)."""
    values = array(typecode)
    values.frombytes(base64.b64decode(text, validate=True))  # ValueError on a bad length or character
    if sys.byteorder == "big":
        values.byteswap()
    return values
