"""Brokers: centrality of every entity in the linkage network, ranked.

All measures run on the undirected simple graph (:func:`graph.network.projection.simple_graph`):
``degree`` (share of the other entities linked directly), ``betweenness`` (share of shortest
paths through the entity, hop counts), ``closeness`` (Wasserman-Faust, hop counts),
``eigenvector`` and ``pagerank`` (with the combined linkage weights).

Betweenness and closeness cost one breadth-first search per entity. They run in igraph's C core
when python-igraph is installed (``pip install clusterkg[fast]``) and in plain networkx
otherwise; both give the same numbers (the tests check this). Above :data:`EXACT_LIMIT` entities
betweenness is estimated from a sample of source entities drawn exactly as networkx's
``betweenness_centrality(k=..., seed=...)`` draws them, so a seed gives the same estimate on
either route. Every result records the method used.

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> for leaf in "bcd":
...     _ = net.add_edge(leaf, "hub", key="ckg:partOf")
>>> result = centrality(net, "betweenness")
>>> [(r["iri"], r["score"]) for r in result["rows"]]
[('hub', 1.0), ('b', 0.0), ('c', 0.0), ('d', 0.0)]
>>> result["method"]["betweenness"]["mode"]
'exact'
"""

from __future__ import annotations

import gc
import heapq
import os
import random
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from ..errors import InputError
from ..textsafe import escape_controls
from .projection import in_class, node_summary, simple_graph
from .topology import Topology

__all__ = [
    "DEFAULT_SAMPLE",
    "EXACT_LIMIT",
    "MEASURES",
    "PARALLEL_WORK",
    "betweenness",
    "centrality",
    "closeness",
    "fast_available",
    "format_centrality",
    "sample_sources",
]

MEASURES = ("degree", "betweenness", "closeness", "eigenvector", "pagerank")

#: Largest network (entities) whose betweenness is computed exactly when no ``sample`` is given,
#: per route: an exact run costs one BFS per entity.
EXACT_LIMIT = {"igraph": 5000, "networkx": 1000}

#: Sources sampled for betweenness above :data:`EXACT_LIMIT`.
DEFAULT_SAMPLE = 1000


def fast_available() -> bool:
    """Whether python-igraph (the ``fast`` extra) can be imported."""
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def _backend(backend: str) -> str:
    if backend not in ("auto", "igraph", "networkx"):
        raise InputError(f"unknown backend {backend!r} (auto, igraph or networkx)")
    if backend == "auto":
        return "igraph" if fast_available() else "networkx"
    if backend == "igraph" and not fast_available():
        raise InputError("the igraph backend needs python-igraph: pip install 'clusterkg[fast]'")
    return backend


def _as_simple(net: nx.Graph | Topology) -> nx.Graph:
    if isinstance(net, Topology):
        return net.simple_graph()
    if net.is_multigraph() or net.is_directed():
        return simple_graph(net)
    return net


def _node_order(net: nx.Graph | Topology) -> list[Any]:
    """The node order of the simple graph: as given for a simple graph, else sorted (as
    :func:`graph.network.projection.simple_graph` inserts them)."""
    if isinstance(net, Topology):
        return net.node_list
    if net.is_multigraph() or net.is_directed():
        return sorted(net.nodes, key=str)
    return list(net.nodes)


def _to_igraph(net: nx.Graph | Topology) -> tuple[Any, list[Any]]:
    """An undirected simple igraph graph straight from ``net`` (multi or simple), its node order."""
    import igraph as ig

    if isinstance(net, Topology):
        return net.igraph(), net.node_list
    nodes = _node_order(net)
    index = {n: i for i, n in enumerate(nodes)}
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        edges = [(index[u], index[v]) for u, v in net.edges() if u != v]
    finally:
        if was_enabled:
            gc.enable()
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    g.simplify(multiple=True, loops=True)
    return g, nodes


#: Above this many source × entity steps, sampled betweenness is split over the CPU cores.
PARALLEL_WORK = 20_000_000


def _jobs(work: int) -> int:
    env = os.environ.get("CLUSTERKG_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if work < PARALLEL_WORK:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _igraph_chunk(task: tuple[Any, list[int]]) -> list[float]:
    g, sources = task
    return list(g.betweenness(directed=False, sources=sources))


def _igraph_worker(g: Any, sources: list[int], conn: Any) -> None:
    """Child process: betweenness from ``sources``, sent back through ``conn``."""
    try:
        conn.send(_igraph_chunk((g, sources)))
    finally:
        conn.close()


def _igraph_sampled(g: Any, sources: list[int], jobs: int) -> list[float]:
    """igraph's betweenness from ``sources``, split over ``jobs`` processes (igraph holds the GIL,
    so threads would not help). Each child gets its share when it starts, so all run at once; a
    share whose child fails is computed here. Deterministic for a given ``jobs``."""
    if jobs <= 1 or len(sources) < 2 * jobs:
        return _igraph_chunk((g, sources))
    import multiprocessing
    import threading

    chunks = [sources[i::jobs] for i in range(jobs)]
    # fork is cheap and safe in a single-threaded process; otherwise start clean interpreters
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() \
        else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    children = []
    for chunk in chunks[1:]:
        reader, writer = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_igraph_worker, args=(g, chunk, writer), daemon=True)
        proc.start()
        writer.close()
        children.append((proc, reader, chunk))
    parts = [_igraph_chunk((g, chunks[0]))]
    for proc, reader, chunk in children:
        try:
            parts.append(reader.recv())
        except (EOFError, OSError):
            parts.append(_igraph_chunk((g, chunk)))
        finally:
            reader.close()
            proc.join()
    return [sum(values) for values in zip(*parts, strict=True)]


def sample_sources(net: nx.Graph | Topology, k: int, seed: int) -> list[Any]:
    """The ``k`` source entities networkx's sampled betweenness draws for ``seed`` (on the
    simple graph of ``net``).

    >>> sample_sources(nx.path_graph(5), 2, seed=1) == random.Random(1).sample(range(5), 2)
    True
    """
    return random.Random(seed).sample(_node_order(net), k)


def betweenness(
    net: nx.Graph | Topology,
    *,
    sample: int | None = None,
    seed: int = 0,
    backend: str = "auto",
) -> tuple[dict[Any, float], dict[str, Any]]:
    """Normalised betweenness of every entity, exact or estimated from ``sample`` sources.

    Parameters
    ----------
    net : networkx.Graph or MultiDiGraph
        The projection or its simple graph.
    sample : int, optional
        Number of sampled sources; ``None`` = exact up to :data:`EXACT_LIMIT` entities, else
        :data:`DEFAULT_SAMPLE`. A sample as large as the network is exact.
    seed : int
        Seed of the sample (the same sources as ``networkx.betweenness_centrality(k, seed)``).
    backend : {"auto", "igraph", "networkx"}

    Returns
    -------
    scores : dict
        Node → score in [0, 1] (networkx's normalisation, endpoints excluded).
    method : dict
        ``mode`` ("exact" or "sampled"), ``k``, ``seed``, ``backend`` (and ``jobs``, the number
        of processes, for a sampled igraph run; see :data:`PARALLEL_WORK`).

    Examples
    --------
    >>> scores, method = betweenness(nx.path_graph(4), backend="networkx")
    >>> scores == nx.betweenness_centrality(nx.path_graph(4)), method["mode"]
    (True, 'exact')
    """
    route = _backend(backend)
    n = net.number_of_nodes()
    if sample is not None and sample < 2:
        raise InputError("--sample must be at least 2")
    k: int | None = sample
    if sample is None:
        k = None if n <= EXACT_LIMIT[route] else DEFAULT_SAMPLE
    if k is not None and k >= n:
        k = None
    method: dict[str, Any] = {"mode": "exact" if k is None else "sampled", "k": k,
                              "seed": seed if k is not None else None, "backend": route}
    if n < 3:
        return dict.fromkeys(net, 0.0), method
    if route == "networkx":
        return nx.betweenness_centrality(_as_simple(net), k=k, seed=seed, normalized=True), method
    g, nodes = _to_igraph(net)
    scale_all = 2.0 / ((n - 1) * (n - 2))  # igraph counts unordered pairs; networkx ordered ones
    if k is None:
        raw = g.betweenness(directed=False)
        return {v: raw[i] * scale_all for i, v in enumerate(nodes)}, method
    sources = sample_sources(net, k, seed)
    index = {v: i for i, v in enumerate(nodes)}
    jobs = _jobs(n * k)
    raw = _igraph_sampled(g, [index[s] for s in sources], jobs)
    method["jobs"] = jobs
    big_n = n - 1  # networkx's rescaling for sampled sources without endpoints
    src_scale = 2.0 / ((k - 1) * (big_n - 1))
    other_scale = 2.0 / (k * (big_n - 1))
    chosen = set(sources)
    return {v: raw[i] * (src_scale if v in chosen else other_scale) for i, v in enumerate(nodes)}, method


def closeness(net: nx.Graph | Topology, *, backend: str = "auto") -> tuple[dict[Any, float], dict[str, Any]]:
    """Closeness (Wasserman-Faust, as ``networkx.closeness_centrality``) of every entity.

    >>> scores, _ = closeness(nx.path_graph(3), backend="networkx")
    >>> scores == nx.closeness_centrality(nx.path_graph(3))
    True
    """
    route = _backend(backend)
    method = {"mode": "exact", "backend": route}
    n = net.number_of_nodes()
    if route == "networkx" or n < 2:
        return nx.closeness_centrality(_as_simple(net)), method
    g, nodes = _to_igraph(net)
    comp_size = [0] * n
    for comp in g.connected_components():
        for i in comp:
            comp_size[i] = len(comp)
    raw = g.closeness(normalized=True)  # (r-1)/sum(d) over the r reachable entities
    out = {}
    for i, v in enumerate(nodes):
        r = comp_size[i]
        c = raw[i]
        out[v] = 0.0 if r <= 1 or c != c else c * (r - 1) / (n - 1)  # c != c: NaN
    return out, method


def _measure(net: nx.Graph | Topology, get_simple: Any, measure: str, sample: int | None, seed: int,
             backend: str) -> tuple[dict[Any, float], dict[str, Any]]:
    if measure == "betweenness":
        return betweenness(net, sample=sample, seed=seed, backend=backend)
    if measure == "closeness":
        return closeness(net, backend=backend)
    if measure == "degree" and isinstance(net, Topology):
        n = net.number_of_nodes()
        return ({v: d / (n - 1) for v, d in zip(net.node_list, net.degrees(), strict=True)} if n > 1
                else dict.fromkeys(net.node_list, 0.0)), {"mode": "exact", "backend": "arrays"}
    simple = get_simple()
    if measure == "degree":
        return nx.degree_centrality(simple) if len(simple) > 1 else dict.fromkeys(simple, 0.0), \
            {"mode": "exact", "backend": "networkx"}
    if measure == "eigenvector":
        if simple.number_of_edges() == 0:
            return dict.fromkeys(simple, 0.0), {"mode": "exact", "backend": "networkx"}
        try:
            scores = nx.eigenvector_centrality(simple, max_iter=5000, tol=1e-9, weight="weight")
        except nx.PowerIterationFailedConvergence:
            raise InputError("eigenvector centrality did not converge on this network") from None
        return scores, {"mode": "power iteration", "weighted": True, "backend": "networkx"}
    if measure == "pagerank":
        if len(simple) == 0:
            return {}, {"mode": "exact", "backend": "networkx"}
        return nx.pagerank(simple, alpha=0.85, weight="weight"), \
            {"mode": "power iteration", "alpha": 0.85, "weighted": True, "backend": "networkx"}
    raise InputError(f"unknown measure {measure!r} (one of {', '.join(MEASURES)} or all)")


def _pairs(net: nx.Graph | Topology, built: list[nx.Graph]) -> int:
    """The number of linked pairs (edges of the simple graph)."""
    if isinstance(net, Topology):
        return net.number_of_edges()
    if built:
        return int(built[0].number_of_edges())
    if not (net.is_multigraph() or net.is_directed()):
        return int(net.number_of_edges())
    return len({(u, v) if str(u) <= str(v) else (v, u) for u, v in net.edges() if u != v})


def _round(x: float) -> float:
    return float(f"{x:.10g}")


def _ranks(scores: dict[Any, float]) -> dict[Any, int]:
    """Competition ranks (1, 2, 2, 4) on rounded scores."""
    ordered = sorted(scores.values(), reverse=True)
    first: dict[float, int] = {}
    for i, s in enumerate(ordered, 1):
        first.setdefault(s, i)
    return {v: first[s] for v, s in scores.items()}


def centrality(
    net: nx.Graph | Topology,
    measure: str = "betweenness",
    *,
    types: Iterable[str] = (),
    top: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    backend: str = "auto",
) -> dict[str, Any]:
    """Rank entities by ``measure`` (or by every measure with ``"all"``).

    Parameters
    ----------
    net : networkx.MultiDiGraph or networkx.Graph
        The projection (or its simple graph).
    measure : {"degree", "betweenness", "closeness", "eigenvector", "pagerank", "all"}
    types : iterable of str
        Class CURIEs: list only entities of these classes (scores are computed on the whole
        network; ranks are positions within the list).
    top : int, optional
        Keep the first ``top`` rows.
    sample, seed, backend
        See :func:`betweenness`.

    Returns
    -------
    dict
        ``measure``, ``measures``, ``network`` (entities, linkages), ``method`` (per measure),
        ``note`` (says when a score is an estimate), ``types``, ``rows``. A row has ``rank``,
        ``iri``, ``curie``, ``label``, ``class`` and ``score``; with ``"all"`` it has ``scores``
        and ``ranks`` per measure and ``mean_rank`` instead, rows sorted by mean rank.
        Ties share a rank; rows are sorted by score, then label, then IRI.
    """
    measures: Sequence[str] = MEASURES if measure == "all" else (measure,)
    if measure != "all" and measure not in MEASURES:
        raise InputError(f"unknown measure {measure!r} (one of {', '.join(MEASURES)} or all)")
    if top is not None and top < 1:
        raise InputError("--top must be at least 1")
    built: list[nx.Graph] = []

    def get_simple() -> nx.Graph:
        if not built:
            built.append(_as_simple(net))
        return built[0]

    types = sorted(set(types))
    listed = [v for v in _node_order(net) if not types or in_class(net, v, types)]
    scores: dict[str, dict[Any, float]] = {}
    methods: dict[str, Any] = {}
    for m in measures:
        raw, meth = _measure(net, get_simple, m, sample, seed, backend)
        scores[m] = {v: _round(raw.get(v, 0.0)) for v in listed}
        methods[m] = meth
    ranks = {m: _ranks(scores[m]) for m in measures}

    def label(v: Any) -> str:
        return str(net.nodes[v].get("label", v)) if v in net else str(v)

    def order_key(v: Any) -> tuple[Any, ...]:
        if measure == "all":
            return (mean_rank[v], label(v).casefold(), str(v))
        return (-scores[measure][v], label(v).casefold(), str(v))

    mean_rank = ({v: round(sum(ranks[m][v] for m in measures) / len(measures), 4) for v in listed}
                 if measure == "all" else {})
    # only the rows shown get built (a large network has 100k entities)
    chosen = heapq.nsmallest(top, listed, key=order_key) if top is not None else sorted(listed, key=order_key)
    rows: list[dict[str, Any]] = []
    for i, v in enumerate(chosen, 1):
        if measure == "all":
            rows.append({**node_summary(net, v), "scores": {m: scores[m][v] for m in measures},
                         "ranks": {m: ranks[m][v] for m in measures}, "mean_rank": mean_rank[v], "rank": i})
        else:
            rows.append({"rank": ranks[measure][v], **node_summary(net, v), "score": scores[measure][v]})
    notes = []
    b = methods.get("betweenness")
    if b and b["mode"] == "sampled":
        notes.append(f"approximate: betweenness estimated from {b['k']} sampled source entities "
                     f"(seed {b['seed']}, {b['backend']})")
    elif b:
        notes.append(f"exact betweenness ({b['backend']})")
    return {
        "measure": measure,
        "measures": list(measures),
        "network": {"entities": net.number_of_nodes(), "linkages": _pairs(net, built)},
        "method": methods,
        "note": "; ".join(notes),
        "types": types,
        "rows": rows,
    }


def format_centrality(result: dict[str, Any], fmt: str = "table") -> str:
    """Render :func:`centrality`'s result as ``table`` or ``csv`` text (JSON is the dict itself).

    The table escapes control characters (it is for people) and never cuts a name without an
    ellipsis; CSV keeps the data as it is.
    """
    import csv
    import io

    measures = result["measures"]
    many = result["measure"] == "all"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if many:
            w.writerow(["rank", "iri", "label", "class", "mean_rank",
                        *[f"{m}_score" for m in measures], *[f"{m}_rank" for m in measures]])
            for r in result["rows"]:
                w.writerow([r["rank"], r["iri"], r["label"], r["class"], r["mean_rank"],
                            *[r["scores"][m] for m in measures], *[r["ranks"][m] for m in measures]])
        else:
            w.writerow(["rank", "iri", "label", "class", f"{result['measure']}_score"])
            for r in result["rows"]:
                w.writerow([r["rank"], r["iri"], r["label"], r["class"], r["score"]])
        return buf.getvalue()
    net = result["network"]
    head = f"{result['measure']} centrality: {net['entities']} entities, {net['linkages']} linked pairs"
    if result["types"]:
        head += f"; listing {', '.join(result['types'])}"
    lines = [head]
    if result["note"]:
        lines.append(f"method: {result['note']}")
    names = [escape_controls(r["label"]) for r in result["rows"]]
    width = max([len(n) for n in names] + [6])
    width = min(width, 60)
    cwidth = max([len(r["class"]) for r in result["rows"]] + [5])  # class names are short: never cut

    def fit(text: str) -> str:
        text = escape_controls(text)
        return text if len(text) <= width else text[:width - 1] + "…"

    if many:
        short = {"degree": "deg", "betweenness": "betw", "closeness": "close",
                 "eigenvector": "eigen", "pagerank": "prank"}
        lines.append(f"{'rank':>4}  {'entity':<{width}}  {'class':<{cwidth}}" +
                     "".join(f"  {short[m]:>12}" for m in measures))
        for r in result["rows"]:
            cells = "".join(f"  {r['scores'][m]:>8.4f} #{r['ranks'][m]:<3}" for m in measures)
            lines.append(f"{r['rank']:>4}  {fit(r['label']):<{width}}  {r['class']:<{cwidth}}{cells}")
    else:
        lines.append(f"{'rank':>4}  {'entity':<{width}}  {'class':<{cwidth}}  {'score':>10}")
        for r in result["rows"]:
            lines.append(f"{r['rank']:>4}  {fit(r['label']):<{width}}  {r['class']:<{cwidth}}  "
                         f"{r['score']:>10.6f}")
    return escape_controls("\n".join(lines) + "\n")
