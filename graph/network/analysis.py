"""Network analysis of the linkage graph, as Python functions that return plain data.

The ``clusterkg path``, ``centrality``, ``communities``, ``neighbours``, ``gaps`` and ``export``
commands call these and only format the results. The steps:

1. :func:`network` projects the RDF graph onto a ``networkx.MultiDiGraph`` of entities
   (:func:`graph.network.projection.project`, with its class, linkage, period and status filters);
2. :func:`resolve_entity` and :func:`resolve_classes` turn a user's names into node keys and
   class CURIEs (unknown names raise errors that carry the closest candidates);
3. the analyses: :func:`~graph.network.paths.linkage_paths`, :func:`~graph.network.paths.neighbours`,
   :func:`~graph.network.centrality.centrality`, :func:`~graph.network.communities.communities`,
   :func:`~graph.network.gaps.gaps`, :func:`~graph.network.export.export_network`.

Examples
--------
>>> from graph.store.load import load_graph
>>> g = load_graph().graph
>>> net = network(g)
>>> cosme = resolve_entity(g, net, "COSME")
>>> net.nodes[cosme]["label"]
'Programme for the Competitiveness of Enterprises and SMEs'
>>> result = centrality(net, "degree", types=resolve_classes(net, ["programme"]), top=3)
>>> len(result["rows"]), all("ckg:Programme" in net.nodes[r["iri"]]["classes"] for r in result["rows"])
(3, True)
>>> resolve_entity(g, net, "Nowhere")
Traceback (most recent call last):
...
graph.errors.EntityNotFound: no entity named 'Nowhere'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
from rdflib import Graph

from ..entities.lookup import EntityIndex
from ..errors import InputError
from .centrality import MEASURES, betweenness, centrality, format_centrality
from .communities import communities, format_communities
from .export import EXPORT_FORMATS, decode_attributes, export_network, read_export
from .gaps import GAP_METHODS, format_gaps, gaps
from .paths import format_neighbours, format_paths, linkage_paths, neighbours
from .projection import project, resolve_class, simple_graph
from .topology import Topology

__all__ = [
    "EXPORT_FORMATS",
    "GAP_METHODS",
    "MEASURES",
    "betweenness",
    "centrality",
    "communities",
    "decode_attributes",
    "export_network",
    "format_centrality",
    "format_communities",
    "format_gaps",
    "format_neighbours",
    "format_paths",
    "gaps",
    "linkage_paths",
    "neighbours",
    "network",
    "read_export",
    "resolve_classes",
    "resolve_entity",
    "simple_graph",
]


def network(graph: Graph, **filters: Any) -> nx.MultiDiGraph:
    """The projection of ``graph``; ``filters`` are :func:`graph.network.projection.project`'s options."""
    return project(graph, **filters)


def resolve_entity(index: Any, net: nx.MultiDiGraph, name: str) -> str:
    """The node key of the entity ``name`` (label, acronym, CURIE or IRI).

    ``index`` is an :class:`~graph.entities.lookup.EntityIndex` (``Dataset.index``), or an
    rdflib graph to index.

    Raises
    ------
    EntityNotFound, AmbiguousEntity
        The name picks no entity, or several (with candidates).
    InputError
        The name picks something that is not in the network (not an entity, or filtered out).
    """
    if isinstance(index, Graph):
        index = EntityIndex(index)
    iri = index.resolve(name)
    if str(iri) not in net:
        raise InputError(f"{index.label(iri)!r} <{iri}> is not in the linkage network "
                         "(not an entity, or left out by the filters)")
    return str(iri)


def resolve_classes(net: nx.MultiDiGraph | Topology, names: Iterable[str]) -> list[str]:
    """Class CURIEs for the class ``names`` (labels, plurals, CURIEs or IRIs), sorted."""
    return sorted({resolve_class(net, n) for n in names})
