"""The projection of a whole dataset, built from a quad scan of its store and cached as JSON.

The projection (:func:`graph.network.projection.project`) reads the triples straight from the
Oxigraph store (no rdflib graph of the whole data is built). The result is written next to the
store as networkx node-link JSON (a data format: nothing in it can run), keyed by the filters and
by the code and library versions that made it, and read back by later commands.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> net = Dataset(use_cache=False).network(include_classes=["country"])
>>> {d["class"] for _, d in net.nodes(data=True)}
{'country'}
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..store.cache import read_private, write_private
from .projection import project, project_topology
from .topology import Topology

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["cached_projection", "cached_topology", "projection_version"]


def projection_version() -> str:
    """Hash of the projection code and the networkx version (part of every projection's key)."""
    h = hashlib.sha256()
    for name in ("projection.py", "topology.py"):
        h.update(Path(__file__).with_name(name).read_bytes())
    h.update(f"nx={nx.__version__}".encode())
    return h.hexdigest()[:12]


def _read(path: Path) -> nx.MultiDiGraph | None:
    def parse(text: str) -> nx.MultiDiGraph | None:
        net = nx.node_link_graph(json.loads(text), directed=True, multigraph=True, edges="edges")
        return net if isinstance(net, nx.MultiDiGraph) else None

    return read_private(path, parse)


def _write(path: Path, net: nx.MultiDiGraph | Topology) -> None:
    if isinstance(net, Topology):
        text = net.to_json()
    else:
        text = json.dumps(nx.node_link_data(net, edges="edges"), ensure_ascii=False, separators=(",", ":"))
    write_private(path, text)


def _read_topology(path: Path) -> Topology | None:
    return read_private(path, Topology.from_json)


def _cached(path: Path | None, read: Callable[[Path], Any], make: Callable[[], Any]) -> Any:
    """``read(path)`` when it gives something, else ``make()``, written to ``path`` (when there is one)."""
    if path is not None:
        value = read(path)
        if value is not None:
            return value
    value = make()
    if path is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            _write(path, value)
    return value


def cached_projection(ds: Dataset, fkey: str, filters: Mapping[str, Any]) -> nx.MultiDiGraph:
    """The projection of ``ds`` with ``filters``, from its cache entry when it is there."""
    entry = ds.entry
    path = entry / f"net-{projection_version()}-{fkey}.json" if entry is not None else None
    return _cached(path, _read, lambda: project(ds.store, **filters))


def cached_topology(ds: Dataset, fkey: str, filters: Mapping[str, Any]) -> Topology:
    """The :class:`~graph.network.topology.Topology` of ``ds`` with ``filters``: from its cache
    entry, else from the cached projection, else from a light projection of the store."""
    entry = ds.entry
    if entry is None:
        return project_topology(ds.store, **filters)

    def make() -> Topology:
        net = _read(entry / f"net-{projection_version()}-{fkey}.json")
        return Topology.from_network(net) if net is not None else project_topology(ds.store, **filters)

    return _cached(entry / f"topo-{projection_version()}-{fkey}.json", _read_topology, make)
