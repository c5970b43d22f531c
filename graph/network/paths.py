"""Linkage paths between two entities and ego networks, every step explained with its source.

Functions take the projection (:func:`graph.network.projection.project`) and node keys (IRI strings);
:func:`graph.network.analysis.resolve_entity` turns a user's name into a node key.

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> net.add_node("ckr:cep", label="Cluster Excellence Programme", **{"class": "initiative"})
>>> net.add_node("ckr:cosme", label="COSME", **{"class": "programme"})
>>> net.add_edge("ckr:cep", "ckr:cosme", key="ckg:fundedBy", kind="property", label="funded by",
...              linkage="funded by", inverse_label="funds", source_text='seed: "EU cluster initiatives"')
'ckg:fundedBy'
>>> result = linkage_paths(net, "ckr:cosme", "ckr:cep")
>>> print(format_paths(result), end="")
COSME —funds→ Cluster Excellence Programme  [seed: "EU cluster initiatives"]
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..errors import InputError
from ..textsafe import escape_controls
from .projection import directed_graph, in_class, node_summary, simple_graph

__all__ = [
    "MAX_CANDIDATES",
    "connections",
    "explain_step",
    "format_neighbours",
    "format_paths",
    "linkage_paths",
    "neighbours",
]

#: How many candidate paths ``--via`` examines before it gives up.
MAX_CANDIDATES = 20000


def _is_bidirectional(d: dict[str, Any]) -> bool:
    return d.get("kind") == "synergy" and "bidirectional" in str(d.get("direction", ""))


def _linkage(net: nx.MultiDiGraph, u: Any, v: Any, a: Any, b: Any, key: Any,
             d: dict[str, Any]) -> dict[str, Any]:
    """One linkage read in the direction u → v (stored as a → b)."""
    reverse = a != u
    kind = d.get("kind", "property")
    word = d.get("linkage") or d.get("label") or str(key)
    if kind == "synergy":
        if _is_bidirectional(d):
            arrow = f"←{word}→"
        elif reverse:
            arrow = f"←{word}—"
        else:
            arrow = f"—{word}→"
        details = [x for x in ("synergy", d.get("status"), d.get("period")) if x]
        if isinstance(d.get("strength"), (int, float)):
            details.append(f"strength {d['strength']:g}")
    else:
        inverse = d.get("inverse_label") or ""
        if not reverse:
            arrow = f"—{word}→"
        elif inverse:
            arrow = f"—{inverse}→"
        else:
            arrow = f"←{word}—"
        details = []
    src = node_summary(net, u)["label"]
    dst = node_summary(net, v)["label"]
    text = f"{src} {arrow} {dst}"
    if details:
        text += f"  ({', '.join(details)})"
    source = d.get("source_text") or ""
    text += f"  [{source or 'no source'}]"
    return {
        "key": str(key),
        "kind": kind,
        "stored_from": str(a),
        "stored_to": str(b),
        "reversed": reverse,
        "linkage": word,
        "arrow": arrow,
        "predicate": d.get("predicate", str(key)),
        "synergy_type": d.get("synergy_type", ""),
        "direction": d.get("direction", ""),
        "status": d.get("status", ""),
        "period": d.get("period", ""),
        "strength": d.get("strength"),
        "source": source,
        "provenance": list(d.get("provenance", [])),
        "text": text,
    }


def explain_step(net: nx.MultiDiGraph, u: Any, v: Any, *, directed: bool = False) -> list[dict[str, Any]]:
    """Every linkage that joins ``u`` to ``v``, read from ``u`` to ``v``, in words.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    u, v : str
        Node keys.
    directed : bool
        Only linkages that run from ``u`` to ``v`` (a bidirectional synergy runs both ways).

    Returns
    -------
    list of dict
        ``key``, ``kind``, ``linkage``, ``arrow``, ``reversed``, ``synergy_type``,
        ``direction``, ``status``, ``period``, ``strength``, ``source``, ``provenance`` and
        ``text``; linkages stored in the direction of travel first, then by key.
    """
    out = []
    for a, b in ((u, v),) if u == v else ((u, v), (v, u)):
        if not net.has_edge(a, b):
            continue
        for key, d in net[a][b].items():
            if directed and a != u and not _is_bidirectional(d):
                continue
            out.append(_linkage(net, u, v, a, b, key, d))
    return sorted(out, key=lambda x: (x["reversed"], x["kind"] != "property", x["key"]))


def connections(net: nx.MultiDiGraph, node: Any, limit: int = 10, *, avoid: Iterable[Any] = ()) -> dict[str, Any]:
    """What ``node`` is linked to: its direct linkages in words and the size of its component.

    Entities in ``avoid`` are left out of both (a path could not use them either).
    """
    avoid_set = set(avoid)
    steps = []
    for other in sorted(set(net.successors(node)) | set(net.predecessors(node)), key=str):
        if other == node or other in avoid_set:
            continue
        steps.extend(explain_step(net, node, other))
    und = _undirected_view(net)
    if avoid_set:
        und = und.subgraph([n for n in und if n not in avoid_set])
    comp = nx.node_connected_component(und, node)
    return {
        "entity": node_summary(net, node),
        "linkages": len(steps),
        "component_size": len(comp),
        "neighbours": steps[:limit],
        "truncated": len(steps) > limit,
    }


def _undirected_view(net: nx.MultiDiGraph) -> nx.Graph:
    return net.to_undirected(as_view=True)


def linkage_paths(
    net: nx.MultiDiGraph,
    source: Any,
    target: Any,
    *,
    k: int = 1,
    max_hops: int | None = None,
    via: Iterable[str] = (),
    avoid: Iterable[Any] = (),
    directed: bool = False,
    view: nx.Graph | None = None,
) -> dict[str, Any]:
    """The shortest linkage path (or the ``k`` shortest simple paths) from ``source`` to ``target``.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    source, target : str
        Node keys (IRIs).
    k : int
        How many paths, shortest first (Yen's algorithm on hop counts).
    max_hops : int, optional
        Ignore paths longer than this.
    via : iterable of str
        Class CURIEs: keep only paths that pass through an entity of one of these classes.
    avoid : iterable of str
        Node keys the paths must not pass through.
    directed : bool
        Follow linkages only in their stated direction (bidirectional synergies both ways).
    view : networkx.Graph, optional
        ``simple_graph(net)`` (or ``directed_graph(net)`` with ``directed``) built earlier, to
        reuse it across many calls.

    Returns
    -------
    dict
        ``source``, ``target`` (entity summaries), the options, ``found`` (bool), ``paths``
        (each ``{"hops": n, "nodes": [...], "steps": [{"from", "to", "linkages": [...]}]}``),
        ``reason`` (why nothing was found, else ``""``) and, when nothing was found,
        ``connections`` (what each side is linked to, see :func:`connections`).

    Raises
    ------
    InputError
        ``k`` or ``max_hops`` below 1, the same entity twice, or an endpoint that is avoided.
    """
    if k < 1:
        raise InputError("--k must be at least 1")
    if max_hops is not None and max_hops < 1:
        raise InputError("--max-hops must be at least 1")
    if source == target:
        raise InputError("source and target are the same entity")
    avoid_set = set(avoid)
    via = sorted(set(via))
    for end in (source, target):
        if end in avoid_set:
            raise InputError(f"{node_summary(net, end)['label']!r} is both an end of the path and avoided")
    if view is None:
        view = directed_graph(net) if directed else simple_graph(net)
    if avoid_set:
        view = view.subgraph([n for n in view if n not in avoid_set])
    paths: list[list[Any]] = []
    examined = 0
    shortest_len: int | None = None
    gave_up = False
    try:
        for p in nx.shortest_simple_paths(view, source, target):
            examined += 1
            hops = len(p) - 1
            if shortest_len is None:
                shortest_len = hops
            if max_hops is not None and hops > max_hops:
                break
            if via and not any(in_class(net, n, via) for n in p[1:-1]):
                if examined >= MAX_CANDIDATES:
                    gave_up = True
                    break
                continue
            paths.append(p)
            if len(paths) >= k:
                break
    except nx.NetworkXNoPath:
        pass
    result: dict[str, Any] = {
        "source": node_summary(net, source),
        "target": node_summary(net, target),
        "directed": directed,
        "k": k,
        "max_hops": max_hops,
        "via": via,
        "avoid": [node_summary(net, a) for a in sorted(avoid_set, key=str) if a in net],
        "found": bool(paths),
        "paths": [_explain_path(net, p, directed) for p in paths],
        "reason": "",
    }
    if not paths:
        s, t = result["source"]["label"], result["target"]["label"]
        how = "directed " if directed else ""
        if shortest_len is None:
            reason = f"no {how}linkage path between {s} and {t}"
            if avoid_set:
                reason += " that avoids the entities given"
        elif max_hops is not None and shortest_len > max_hops:
            reason = f"no {how}path of at most {max_hops} hop(s); the shortest has {shortest_len}"
        elif gave_up:
            reason = (f"no {how}path through a {', '.join(via)} among the {MAX_CANDIDATES} shortest "
                      f"paths examined")
        else:
            reason = f"no {how}path through a {', '.join(via)}" + (
                f" within {max_hops} hop(s)" if max_hops is not None else "")
        result["reason"] = reason
        result["connections"] = [connections(net, source, avoid=avoid_set), connections(net, target, avoid=avoid_set)]
    return result


def _explain_path(net: nx.MultiDiGraph, path: list[Any], directed: bool) -> dict[str, Any]:
    steps = []
    for u, v in itertools.pairwise(path):
        steps.append({"from": node_summary(net, u), "to": node_summary(net, v),
                      "linkages": explain_step(net, u, v, directed=directed)})
    return {"hops": len(path) - 1, "nodes": [node_summary(net, n) for n in path], "steps": steps}


def format_paths(result: dict[str, Any]) -> str:
    """Render :func:`linkage_paths`' result as text: one line per hop, sources in brackets (control
    characters escaped)."""
    lines: list[str] = []
    if not result["found"]:
        lines.append(f"{result['reason']}.")
        for side in result.get("connections", []):
            ent = side["entity"]
            if side["linkages"] == 0:
                lines.append(f"{ent['label']} ({ent['class']}) has no linkage at all.")
                continue
            avoiding = " (not counting the avoided entities)" if result.get("avoid") else ""
            lines.append(f"{ent['label']} ({ent['class']}) is linked to {side['component_size'] - 1} "
                         f"entit{'y' if side['component_size'] == 2 else 'ies'} in all{avoiding}; directly:")
            lines.extend(f"  {step['text']}" for step in side["neighbours"])
            if side["truncated"]:
                lines.append(f"  ... ({side['linkages']} direct linkages in all)")
        return escape_controls("\n".join(lines) + "\n")
    many = len(result["paths"]) > 1
    for i, p in enumerate(result["paths"], 1):
        if many:
            if i > 1:
                lines.append("")
            lines.append(f"path {i}: {p['hops']} hop(s)")
        for step in p["steps"]:
            first, *others = step["linkages"]
            lines.append(("  " if many else "") + first["text"])
            lines.extend(("  " if many else "") + f"    also: {o['text']}" for o in others)
    return escape_controls("\n".join(lines) + "\n")


def neighbours(
    net: nx.MultiDiGraph,
    entity: Any,
    *,
    depth: int = 1,
    types: Iterable[str] = (),
) -> dict[str, Any]:
    """The ego network of ``entity``: entities within ``depth`` linkages, grouped by linkage type.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    entity : str
        Node key.
    depth : int
        How many linkages away (1 = direct neighbours).
    types : iterable of str
        Class CURIEs: walk only through entities of these classes (the centre always counts).

    Returns
    -------
    dict
        ``entity`` (summary), ``depth``, ``types``, ``nodes`` (summaries with ``distance``,
        sorted by distance then label) and ``groups``: one per linkage type (``linkage``,
        ``kind``, ``count``, ``linkages``: each with ``from``, ``to``, ``text``, ``source``),
        sorted by linkage type.

    Examples
    --------
    >>> net = nx.MultiDiGraph()
    >>> net.add_edge("a", "b", key="ckg:partOf", linkage="part of", kind="property")
    'ckg:partOf'
    >>> net.add_edge("c", "b", key="ckg:partOf", linkage="part of", kind="property")
    'ckg:partOf'
    >>> ego = neighbours(net, "b")
    >>> [n["iri"] for n in ego["nodes"]], [(g["linkage"], g["count"]) for g in ego["groups"]]
    (['b', 'a', 'c'], [('part of', 2)])
    """
    if depth < 1:
        raise InputError("--depth must be at least 1")
    types = sorted(set(types))

    def allowed(n: Any) -> bool:
        return n == entity or not types or in_class(net, n, types)

    dist = {entity: 0}
    frontier = [entity]
    for level in range(1, depth + 1):
        nxt = []
        for n in frontier:
            for m in sorted(set(net.successors(n)) | set(net.predecessors(n)), key=str):
                if m not in dist and allowed(m):
                    dist[m] = level
                    nxt.append(m)
        frontier = nxt
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, key, d in net.subgraph(dist).edges(keys=True, data=True):
        # read each linkage from the entity nearer to the centre
        a, b = (v, u) if dist[v] < dist[u] else (u, v)
        item = _linkage(net, a, b, u, v, key, d)
        item.update({"from": node_summary(net, a), "to": node_summary(net, b),
                     "distance": max(dist[u], dist[v])})
        groups[(item["linkage"], item["kind"])].append(item)
    nodes: list[dict[str, Any]] = [{**node_summary(net, n), "distance": dist[n]} for n in dist]
    nodes.sort(key=lambda x: (x["distance"], x["label"].casefold(), x["iri"]))
    return {
        "entity": node_summary(net, entity),
        "depth": depth,
        "types": types,
        "nodes": nodes,
        "groups": [
            {"linkage": lk, "kind": kind, "count": len(items),
             "linkages": sorted(items, key=lambda x: (x["distance"], x["from"]["label"].casefold(),
                                                      x["to"]["label"].casefold(), x["key"]))}
            for (lk, kind), items in sorted(groups.items())
        ],
    }


def format_neighbours(result: dict[str, Any]) -> str:
    """Render :func:`neighbours`' result as text (control characters escaped)."""
    e = result["entity"]
    n = len(result["nodes"]) - 1
    scope = f" of class {', '.join(result['types'])}" if result["types"] else ""
    lines = [f"{e['label']} ({e['class']}): {n} entit{'y' if n == 1 else 'ies'}{scope} within "
             f"{result['depth']} linkage(s)"]
    for g in result["groups"]:
        lines.append(f"{g['linkage']}{' (synergy)' if g['kind'] == 'synergy' else ''}: {g['count']}")
        lines.extend(f"  {item['text']}" for item in g["linkages"])
    return escape_controls("\n".join(lines) + "\n")
