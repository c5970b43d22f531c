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

import gc
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph

from ..entities.lookup import EntityIndex, label_of
from ..errors import InputError
from .centrality import MEASURES, betweenness, centrality, format_centrality
from .communities import communities, format_communities
from .export import EXPORT_FORMATS, decode_attributes, export_network, read_export
from .gaps import GAP_METHODS, format_gaps, gaps
from .paths import format_neighbours, format_paths, linkage_paths, neighbours
from .projection import project, resolve_class, simple_graph

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
    "network_cache_key",
    "open_network",
    "read_export",
    "resolve_classes",
    "resolve_entity",
    "simple_graph",
]


def network(graph: Graph, **filters: Any) -> nx.MultiDiGraph:
    """The projection of ``graph``; ``filters`` are :func:`graph.network.projection.project`'s options."""
    return project(graph, **filters)


_NET_FORMAT = 1


def network_cache_key(paths: Iterable[str | Path] = (), *, default_data: bool = True,
                      infer: str | None = None, **filters: Any) -> str:
    """The hash that identifies a projection: the inputs (as :func:`graph.store.cache.cache_key`), the
    filters, the projection code and the networkx version."""
    from ..store.cache import cache_key

    h = hashlib.sha256()
    h.update(cache_key(paths, default_data=default_data, infer=infer).encode())
    norm = {k: (sorted(v) if not isinstance(v, (bool, str)) else v) for k, v in sorted(filters.items())}
    h.update(json.dumps(norm, sort_keys=True).encode())
    h.update(Path(__file__).with_name("projection.py").read_bytes())
    h.update(f"nx={nx.__version__};fmt={_NET_FORMAT}".encode())
    return h.hexdigest()[:32]


def open_network(paths: Iterable[str | Path] = (), *, default_data: bool = True, infer: str | None = None,
                 use_cache: bool = True, **filters: Any) -> nx.MultiDiGraph:
    """The projection of the graph :func:`graph.open_graph` loads, through a cache of its own.

    The first call loads the RDF graph, projects it and stores the projection next to the graph
    cache (``net-<key>.pickle``, keyed by :func:`network_cache_key`); later calls with the same
    inputs and filters read it back without touching the RDF (a large network loads in well
    under a second instead of parsing and projecting again).

    Examples
    --------
    >>> net = open_network(use_cache=False, include_classes=["country"])
    >>> {d["class"] for _, d in net.nodes(data=True)}
    {'country'}
    """
    from ..store.cache import cache_dir, open_graph

    paths = list(paths)
    target = None
    if use_cache:
        key = network_cache_key(paths, default_data=default_data, infer=infer, **filters)
        target = cache_dir() / f"net-{key}.pickle"
        if target.is_file():
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                with target.open("rb") as fh:
                    net = pickle.load(fh)
                if isinstance(net, nx.MultiDiGraph):
                    return net
            except Exception:
                pass
            finally:
                if was_enabled:
                    gc.enable()
            target.unlink(missing_ok=True)  # damaged: rebuilt below
    loaded = open_graph(paths, default_data=default_data, infer=infer, use_cache=use_cache)
    net = project(loaded.graph, **filters)
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-net-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(net, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass
    return net


def resolve_entity(graph: Graph, net: nx.MultiDiGraph, name: str, index: EntityIndex | None = None) -> str:
    """The node key of the entity ``name`` (label, acronym, CURIE or IRI).

    Raises
    ------
    EntityNotFound, AmbiguousEntity
        The name picks no entity, or several (with candidates).
    InputError
        The name picks something that is not in the network (not an entity, or filtered out).
    """
    iri = (index or EntityIndex(graph)).resolve(name)
    if str(iri) not in net:
        raise InputError(f"{label_of(graph, iri)!r} <{iri}> is not in the linkage network "
                         "(not an entity, or left out by the filters)")
    return str(iri)


def resolve_classes(net: nx.MultiDiGraph, names: Iterable[str]) -> list[str]:
    """Class CURIEs for the class ``names`` (labels, plurals, CURIEs or IRIs), sorted."""
    return sorted({resolve_class(net, n) for n in names})
