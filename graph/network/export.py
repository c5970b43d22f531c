"""Write the linkage network for Gephi, Cytoscape and networkx: GraphML, GEXF, JSON, CSV.

- ``graphml`` and ``gexf`` hold scalar attributes only: list and dict attributes (``classes``,
  ``provenance``) are stored as JSON text (keys sorted) and absent values (a synergy without a
  strength) are left out. :func:`decode_attributes` turns the JSON text back into lists.
  Edge keys are the GraphML edge ids; GEXF numbers its edges, and the key is the edge
  attribute ``edge_key`` (and ``networkx_key``, which ``networkx.read_gexf`` turns back into
  the key of a multigraph).
- ``json`` is networkx's node-link format (``edges="edges"``): ``networkx.node_link_graph(doc,
  edges="edges")`` reads it back with every attribute as it was.
- ``csv`` is one table: ``edges`` (``source``, ``target``, ``key`` and the edge attributes,
  Cytoscape's "import network from table") or ``nodes`` (``id`` and the node attributes).
  An attribute that clashes with those column names would be prefixed with ``edge_``.

Everything is written in sorted order, so the same network gives the same bytes.

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> net.add_node("a", label="A", classes=["ckg:Entity"])
>>> net.add_edge("a", "a", key="ckg:linkedTo", kind="property", strength=None)
'ckg:linkedTo'
>>> back = decode_attributes(read_export(export_network(net, "graphml"), "graphml"))
>>> back.nodes["a"]["classes"], list(back.edges(keys=True))
(['ckg:Entity'], [('a', 'a', 'ckg:linkedTo')])
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import networkx as nx

from ..errors import InputError

__all__ = [
    "EXPORT_FORMATS",
    "JSON_ATTRIBUTES",
    "decode_attributes",
    "export_network",
    "read_export",
    "scalar_network",
]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv")

#: Attributes of the projection that hold lists or dicts (JSON text in GraphML, GEXF and CSV).
JSON_ATTRIBUTES = ("classes", "provenance")


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return value


def _sorted_copy(net: nx.MultiDiGraph, transform: Any) -> nx.MultiDiGraph:
    out = nx.MultiDiGraph()
    out.graph.update({k: transform(v) for k, v in sorted(net.graph.items()) if v is not None})
    out.add_nodes_from(
        (n, {k: transform(v) for k, v in sorted(d.items()) if v is not None})
        for n, d in sorted(net.nodes(data=True), key=lambda nd: str(nd[0]))
    )
    out.add_edges_from(
        (u, v, k, {a: transform(x) for a, x in sorted(d.items()) if x is not None})
        for u, v, k, d in sorted(net.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    )
    return out


def scalar_network(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A sorted copy of ``net`` whose attributes are all scalars (lists and dicts → JSON text)."""
    return _sorted_copy(net, _scalar)


def export_network(net: nx.MultiDiGraph, fmt: str, *, table: str = "edges") -> str:
    """Serialise ``net`` as ``graphml``, ``gexf``, ``json`` or ``csv`` text.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    fmt : {"graphml", "gexf", "json", "csv"}
    table : {"edges", "nodes"}
        For ``csv`` only: which table.

    Returns
    -------
    str
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    if fmt == "json":
        doc = nx.node_link_data(_sorted_copy(net, lambda v: v), edges="edges")
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if fmt == "csv":
        return _csv(net, table)
    flat = scalar_network(net)
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buf, encoding="utf-8", prettyprint=True)
    else:
        # networkx.read_gexf drops the multigraph key when a file has no parallel edges: keep a
        # copy in ``edge_key`` (also a readable column in Gephi).
        for _, _, k, d in flat.edges(keys=True, data=True):
            d["edge_key"] = k
        nx.write_gexf(flat, buf, encoding="utf-8", prettyprint=True)
        # The date of writing would make the bytes differ from day to day.
        return re.sub(r' lastmodifieddate="[^"]*"', "", buf.getvalue().decode("utf-8"), count=1)
    return buf.getvalue().decode("utf-8")


def _csv(net: nx.MultiDiGraph, table: str) -> str:
    if table not in ("edges", "nodes"):
        raise InputError(f"unknown table {table!r} (edges or nodes)")
    flat = scalar_network(net)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if table == "nodes":
        names = sorted({a for _, d in flat.nodes(data=True) for a in d} - {"id"})
        first = [a for a in ("label", "curie", "class", "class_curie") if a in names]
        cols = first + [a for a in names if a not in first]
        w.writerow(["id", *cols])
        for n, d in flat.nodes(data=True):
            w.writerow([n, *[d.get(a, "") for a in cols]])
        return buf.getvalue()
    names = sorted({a for _, _, d in flat.edges(data=True) for a in d})
    first = [a for a in ("kind", "linkage", "label") if a in names]
    cols = first + [a for a in names if a not in first]
    header = [f"edge_{a}" if a in ("source", "target", "key") else a for a in cols]
    w.writerow(["source", "target", "key", *header])
    for u, v, k, d in flat.edges(keys=True, data=True):
        w.writerow([u, v, k, *[d.get(a, "") for a in cols]])
    return buf.getvalue()


def read_export(text: str, fmt: str) -> nx.MultiDiGraph:
    """Read an export of :func:`export_network` back into a ``MultiDiGraph`` (for checks).

    GraphML and GEXF come back with JSON text where the network had lists (see
    :func:`decode_attributes`); a CSV edge table gives edges only.
    """
    if fmt == "json":
        return nx.node_link_graph(json.loads(text), edges="edges", directed=True, multigraph=True)
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    if fmt == "gexf":
        g = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
        out = nx.MultiDiGraph()
        out.graph.update(g.graph)
        out.add_nodes_from(g.nodes(data=True))
        for u, v, d in g.edges(data=True):
            attrs = {a: x for a, x in d.items() if a not in ("id", "edge_key")}
            out.add_edge(u, v, key=d["edge_key"], **attrs)
        return out
    if fmt == "csv":
        out = nx.MultiDiGraph()
        for row in csv.DictReader(io.StringIO(text)):
            u, v, k = row.pop("source"), row.pop("target"), row.pop("key")
            out.add_edge(u, v, key=k, **{c[5:] if c in ("edge_source", "edge_target", "edge_key") else c: x
                                         for c, x in row.items() if x != ""})
        return out
    raise InputError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")


def decode_attributes(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Turn the JSON text of :data:`JSON_ATTRIBUTES` back into lists, in place; return ``net``."""
    for _, d in net.nodes(data=True):
        _decode(d)
    for _, _, d in net.edges(data=True):
        _decode(d)
    return net


def _decode(d: dict[str, Any]) -> None:
    for a in JSON_ATTRIBUTES:
        if isinstance(d.get(a), str):
            d[a] = json.loads(d[a])


def format_for_extension(path: str | None, default: str = "graphml") -> str:
    """The export format a file name asks for (``.graphml``/``.xml``, ``.gexf``, ``.json``, ``.csv``).

    >>> format_for_extension("net.gexf"), format_for_extension(None), format_for_extension("x.xml")
    ('gexf', 'graphml', 'graphml')
    """
    from pathlib import Path

    ext = Path(path).suffix.lower().lstrip(".") if path else ""
    return {"graphml": "graphml", "xml": "graphml", "gexf": "gexf", "json": "json", "csv": "csv"}.get(ext, default)
