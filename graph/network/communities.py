"""Groups of entities that are more linked to each other than to the rest (community detection).

Runs on the undirected simple graph with combined linkage weights
(:func:`graph.network.projection.simple_graph`), whose nodes and edges are in sorted order, so that a seed
always gives the same groups. Groups are numbered by size (largest first), then by their first
member's label.

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> for u, v in [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"),
...              ("b1", "b3"), ("a3", "b1")]:
...     _ = net.add_edge(u, v, key="ckg:linkedTo", linkage="linked to")
>>> result = communities(net, seed=1)
>>> [[m["iri"] for m in g["members"]] for g in result["groups"]]
[['a1', 'a2', 'a3'], ['b1', 'b2', 'b3']]
>>> result["groups"][0]["linkages"]
[{'linkage': 'linked to', 'count': 3}]
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from ..errors import InputError
from ..textsafe import escape_controls
from .projection import node_summary, simple_graph

__all__ = ["METHODS", "communities", "format_communities"]

METHODS = ("louvain", "label-propagation")


def communities(
    net: nx.MultiDiGraph,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Detect groups of closely linked entities.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    method : {"louvain", "label-propagation"}
        Louvain modularity optimisation (``resolution`` applies) or asynchronous label
        propagation.
    resolution : float
        Louvain resolution: above 1 favours smaller groups, below 1 larger ones.
    seed : int
        Random seed; the same seed gives the same groups.

    Returns
    -------
    dict
        ``method``, ``resolution``, ``seed``, ``modularity``, ``network`` and ``groups``: each
        with ``id``, ``size``, ``members`` (summaries sorted by label), ``classes`` (class →
        count), ``linkages`` (the linkage types inside the group, most frequent first),
        ``internal`` and ``external`` (linkages inside and leaving the group).
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    if resolution <= 0:
        raise InputError("--resolution must be positive")
    simple = simple_graph(net)
    if simple.number_of_nodes() == 0:
        parts: list[set[Any]] = []
    elif method == "louvain":
        parts = nx.community.louvain_communities(simple, weight="weight", resolution=resolution, seed=seed)
    else:
        parts = list(nx.community.asyn_lpa_communities(simple, weight="weight", seed=seed))
    modularity = (nx.community.modularity(simple, parts, weight="weight", resolution=resolution)
                  if simple.number_of_edges() else 0.0)
    group_of = {}
    summaries = {v: node_summary(net, v) for v in simple}
    ordered = []
    for part in parts:
        members = sorted((summaries[v] for v in part), key=lambda s: (s["label"].casefold(), s["iri"]))
        ordered.append(members)
    ordered.sort(key=lambda ms: (-len(ms), ms[0]["label"].casefold(), ms[0]["iri"]))
    for i, members in enumerate(ordered, 1):
        for m in members:
            group_of[m["iri"]] = i
    inside: dict[int, Counter[str]] = {i: Counter() for i in range(1, len(ordered) + 1)}
    internal: Counter[int] = Counter()
    external: Counter[int] = Counter()
    for u, v, key, d in net.edges(keys=True, data=True):
        gu, gv = group_of[str(u)], group_of[str(v)]
        if gu == gv:
            inside[gu][str(d.get("linkage") or key)] += 1
            internal[gu] += 1
        else:
            external[gu] += 1
            external[gv] += 1
    groups = []
    for i, members in enumerate(ordered, 1):
        groups.append({
            "id": i,
            "size": len(members),
            "members": members,
            "classes": dict(sorted(Counter(m["class"] for m in members).items(),
                                   key=lambda kv: (-kv[1], kv[0]))),
            "linkages": [{"linkage": lk, "count": c}
                         for lk, c in sorted(inside[i].items(), key=lambda kv: (-kv[1], kv[0]))],
            "internal": internal[i],
            "external": external[i],
        })
    return {
        "method": method,
        "resolution": resolution if method == "louvain" else None,
        "seed": seed,
        "modularity": round(modularity, 10),
        "network": {"entities": simple.number_of_nodes(), "linkages": net.number_of_edges()},
        "groups": groups,
    }


def communities_csv(result: dict[str, Any]) -> str:
    """:func:`communities`' result as CSV: one row per member (group, size, iri, label, class).

    >>> print(communities_csv({"groups": [{"id": 1, "size": 1,
    ...                                    "members": [{"iri": "x", "label": "X", "class": "c"}]}]}), end="")
    group,size,iri,label,class
    1,1,x,X,c
    """
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["group", "size", "iri", "label", "class"])
    for grp in result["groups"]:
        for m in grp["members"]:
            w.writerow([grp["id"], grp["size"], m["iri"], m["label"], m["class"]])
    return buf.getvalue()


def format_communities(result: dict[str, Any], *, members: int = 12) -> str:
    """Render :func:`communities`' result as text (``members`` names per group at most; control
    characters escaped)."""
    res = f", resolution {result['resolution']:g}" if result["resolution"] is not None else ""
    lines = [f"{len(result['groups'])} groups ({result['method']}{res}, seed {result['seed']}; "
             f"modularity {result['modularity']:.3f})"]
    singles = [g for g in result["groups"] if g["size"] == 1]
    for g in result["groups"]:
        if g["size"] == 1:
            continue
        bound = ", ".join(f"{x['linkage']} ×{x['count']}" for x in g["linkages"][:5]) or "no linkage inside"
        lines.append("")
        lines.append(f"group {g['id']}: {g['size']} entities; bound by {bound}; "
                     f"{g['external']} linkage(s) to other groups")
        names = [f"{m['label']} ({m['class']})" for m in g["members"]]
        shown = names[:members]
        lines.extend(f"  {n}" for n in shown)
        if len(names) > len(shown):
            lines.append(f"  ... and {len(names) - len(shown)} more")
    if singles:
        lines.append("")
        lines.append(f"{len(singles)} entit{'y' if len(singles) == 1 else 'ies'} on their own: " +
                     "; ".join(g["members"][0]["label"] for g in singles))
    return escape_controls("\n".join(lines) + "\n")
