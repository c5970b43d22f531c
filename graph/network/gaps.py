"""Synergy gaps: pairs of entities that are not linked but share neighbours (link prediction).

Two entities that are linked to the same programmes, themes or bodies but not to each other are
candidates for a synergy. Scores, on the undirected simple graph:

``common-neighbours``  the number of shared neighbours;
``adamic-adar``        the sum of ``1 / log(degree)`` over shared neighbours, so a shared
                       specialised neighbour counts more than a shared hub (the default);
``jaccard``            shared neighbours / all neighbours of either.

Each suggestion carries its evidence: every shared neighbour and the linkages (with their
sources) that join each side to it. By default places, programming periods and concepts
(themes, industrial ecosystems, value chains) are not proposed as ends of a synergy; they still
count as shared neighbours. Pass ``types`` to choose the ends yourself.

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> for a in ("p1", "p2"):
...     for t in ("digital", "green"):
...         _ = net.add_edge(a, t, key="ckg:hasTheme", linkage="has theme", label="has theme")
>>> result = gaps(net, types=(), method="common-neighbours", default_exclusions=False)
>>> [(s["a"]["iri"], s["b"]["iri"], s["score"]) for s in result["suggestions"]]
[('digital', 'green', 2.0), ('p1', 'p2', 2.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from ..errors import InputError
from ..textsafe import escape_controls
from .paths import explain_step
from .projection import in_class, node_summary, simple_graph

__all__ = ["DEFAULT_EXCLUDED", "GAP_METHODS", "format_gaps", "gaps"]

GAP_METHODS = ("adamic-adar", "jaccard", "common-neighbours")

#: Classes not proposed as ends of a synergy unless asked for.
DEFAULT_EXCLUDED = ("ckg:Place", "ckg:ProgrammingPeriod", "ckg:Theme", "ckg:IndustrialEcosystem",
                    "ckg:StrategicValueChain")


def gaps(
    net: nx.MultiDiGraph,
    *,
    types: Iterable[str] = (),
    top: int | None = 20,
    method: str = "adamic-adar",
    default_exclusions: bool = True,
) -> dict[str, Any]:
    """Suggest synergies: unlinked pairs ranked by their shared neighbours.

    Parameters
    ----------
    net : networkx.MultiDiGraph
        The projection.
    types : iterable of str
        Class CURIEs: both ends of a suggestion must belong to one of them.
    top : int, optional
        How many suggestions (``None``: all).
    method : {"adamic-adar", "jaccard", "common-neighbours"}
    default_exclusions : bool
        Without ``types``, leave out :data:`DEFAULT_EXCLUDED` as ends.

    Returns
    -------
    dict
        ``method``, ``types``, ``excluded``, ``candidates`` (pairs scored) and ``suggestions``:
        each with ``rank``, ``a``, ``b`` (summaries), ``score``, ``shared`` (count) and
        ``evidence`` (per shared neighbour: ``via`` and the linkages ``a_side``/``b_side``).
        Sorted by score, then shared count, then labels.
    """
    if method not in GAP_METHODS:
        raise InputError(f"unknown method {method!r} (one of {', '.join(GAP_METHODS)})")
    if top is not None and top < 1:
        raise InputError("--top must be at least 1")
    types = sorted(set(types))
    excluded = [] if types or not default_exclusions else list(DEFAULT_EXCLUDED)
    simple = simple_graph(net)

    def candidate(v: Any) -> bool:
        if types:
            return in_class(net, v, types)
        return not (excluded and in_class(net, v, excluded))

    ok = {v for v in simple if candidate(v)}
    shared: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for w in simple:
        nbrs = sorted((x for x in simple[w] if x in ok), key=str)
        for a, b in combinations(nbrs, 2):
            if not simple.has_edge(a, b):
                shared[(a, b)].append(w)
    scored = []
    for (a, b), ws in shared.items():
        if method == "common-neighbours":
            score = float(len(ws))
        elif method == "adamic-adar":
            score = sum(1.0 / math.log(simple.degree(w)) for w in ws)
        else:
            union = set(simple[a]) | set(simple[b])
            score = len(ws) / len(union)
        scored.append((round(score, 10), a, b, ws))
    labels = {v: node_summary(net, v) for pair in shared for v in pair}
    scored.sort(key=lambda x: (-x[0], -len(x[3]), labels[x[1]]["label"].casefold(),
                               labels[x[2]]["label"].casefold(), str(x[1]), str(x[2])))
    chosen = scored if top is None else scored[:top]
    suggestions = []
    for rank, (score, a, b, ws) in enumerate(chosen, 1):
        evidence = []
        for w in sorted(ws, key=lambda w: (node_summary(net, w)["label"].casefold(), str(w))):
            evidence.append({"via": node_summary(net, w),
                             "a_side": explain_step(net, a, w), "b_side": explain_step(net, b, w)})
        suggestions.append({"rank": rank, "a": labels[a], "b": labels[b], "score": score,
                            "shared": len(ws), "evidence": evidence})
    return {"method": method, "types": types, "excluded": excluded, "candidates": len(scored),
            "suggestions": suggestions}


def gaps_csv(result: dict[str, Any]) -> str:
    """:func:`gaps`' suggestions as CSV: rank, both ends, score, shared neighbours and their labels."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "a", "a_label", "b", "b_label", "score", "shared", "via"])
    for s in result["suggestions"]:
        w.writerow([s["rank"], s["a"]["iri"], s["a"]["label"], s["b"]["iri"], s["b"]["label"], s["score"],
                    s["shared"], "; ".join(e["via"]["label"] for e in s["evidence"])])
    return buf.getvalue()


def format_gaps(result: dict[str, Any]) -> str:
    """Render :func:`gaps`' result as text: each suggestion with its evidence (control characters
    escaped)."""
    scope = (f"between {', '.join(result['types'])}" if result["types"]
             else f"(ends exclude {', '.join(result['excluded'])})" if result["excluded"] else "")
    lines = [f"synergy gaps by {result['method']} {scope}: {result['candidates']} unlinked pair(s) "
             f"share neighbours".replace("  ", " ")]
    if not result["suggestions"]:
        lines.append("no unlinked pair shares a neighbour.")
    for s in result["suggestions"]:
        lines.append("")
        lines.append(f"{s['rank']:>3}. {s['a']['label']} ({s['a']['class']}) — {s['b']['label']} "
                     f"({s['b']['class']})  score {s['score']:.3f}, {s['shared']} shared")
        for ev in s["evidence"]:
            lines.append(f"     via {ev['via']['label']} ({ev['via']['class']}):")
            lines.extend(f"       {x['text']}" for x in ev["a_side"] + ev["b_side"])
    return escape_controls("\n".join(lines) + "\n")
