"""Brokers: centrality of every entity in the linkage network, ranked.

All measures run on the undirected simple graph (:func:`graph.network.projection.simple_graph`):
``degree`` (share of the other entities linked directly), ``betweenness`` (share of shortest
paths through the entity, hop counts), ``closeness`` (Wasserman-Faust, hop counts),
``eigenvector`` and ``pagerank`` (with the combined linkage weights).

Betweenness and closeness cost one breadth-first search per entity. They run in igraph's C core
when python-igraph is installed (``pip install clusterkg[fast]``) and in plain networkx
otherwise; both give the same numbers (the tests check this). Above :data:`EXACT_LIMIT` entities
betweenness is estimated from the searches of a sample of source entities
(:func:`sample_sources`): a systematic sample of the entities grouped by their best-linked
neighbour, so that every group of entities hanging on the same hub is represented in proportion.
Every entity has the same chance ``k / n`` to be a source, so the estimate is unbiased, and it
is about twice as precise as a simple random sample of the same size on networks shaped like
clusterkg's (``docs/analysis.md``). A seed gives the same sources, hence the same estimate, on
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

import bisect
import gc
import heapq
import os
import random
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from ..errors import InputError
from ..textsafe import escape_controls
from .limits import DEFAULT_SAMPLE, EXACT_LIMIT
from .projection import in_class, node_summary, simple_graph
from .topology import Topology

__all__ = [
    "DEFAULT_SAMPLE",
    "EXACT_LIMIT",
    "MEASURES",
    "PARALLEL_WORK",
    "SAMPLE_DESIGN",
    "betweenness",
    "centrality",
    "closeness",
    "fast_available",
    "format_centrality",
    "sample_sources",
    "systematic_positions",
]

MEASURES = ("degree", "betweenness", "closeness", "eigenvector", "pagerank")


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


#: How sampled betweenness draws its sources (recorded in every sampled result).
SAMPLE_DESIGN = "systematic by best-linked neighbour"

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


def _positions(net: nx.Graph | Topology, simple: nx.Graph | None = None) -> tuple[int, Any, Any]:
    """The simple graph of ``net`` (``simple`` when it is already built) as ``(n, u, v)``: its
    linked pairs as two numpy arrays of node positions in :func:`_node_order`, one entry per pair."""
    import numpy as np

    if isinstance(net, Topology):
        pairs = np.frombuffer(net.edges, dtype=np.intc).reshape(-1, 2) if len(net.edges) else \
            np.zeros((0, 2), dtype=np.intc)
        return len(net.node_list), pairs[:, 0], pairs[:, 1]
    if simple is None:
        simple = _as_simple(net)
    nodes = _node_order(net)
    index = {n: i for i, n in enumerate(nodes)}
    flat = np.fromiter((index[x] for e in simple.edges() if e[0] != e[1] for x in e), dtype=np.intp)
    return len(nodes), flat[0::2], flat[1::2]


def _hub_order(n: int, u: Any, v: Any, rng: random.Random) -> Any:
    """Node positions grouped by their best-linked neighbour (the neighbour of highest degree,
    the first in node order on a tie; isolated entities form their own group), then by their own
    degree, in random order within ties."""
    import numpy as np

    deg = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    src = np.concatenate([u, v])
    nbr = np.concatenate([v, u])
    hub = np.full(n, -1, dtype=np.intp)
    if len(src):
        # per source, its neighbours by degree (highest first), then position (lowest first)
        by = np.lexsort((nbr, -deg[nbr], src))
        first = np.ones(len(by), dtype=bool)
        first[1:] = src[by][1:] != src[by][:-1]
        hub[src[by][first]] = nbr[by][first]
    tie = np.array([rng.random() for _ in range(n)])
    return np.lexsort((tie, deg, hub))


def systematic_positions(n: int, k: int, start: float) -> list[int]:
    """Positions ``floor(start + i * n / k)`` for ``i < k``: a systematic sample of ``k`` of ``n``
    places (``0 <= start < n / k``; a uniform ``start`` gives every place the chance ``k / n``).

    >>> systematic_positions(10, 3, 0.5)
    [0, 3, 7]
    """
    step = n / k
    return [min(n - 1, int(start + i * step)) for i in range(k)]


def sample_sources(net: nx.Graph | Topology, k: int, seed: int, *, simple: nx.Graph | None = None) -> list[Any]:
    """The ``k`` source entities sampled betweenness uses for ``seed`` (``k`` below the number
    of entities).

    The entities are ordered by their best-linked neighbour (the neighbour of highest degree),
    then by their own degree, randomly within ties, and every ``n / k``-th is taken from a random
    start (systematic sampling). Each entity has the same chance ``k / n`` to be chosen, and the
    groups of entities that hang on the same hub (whose searches pass through it alike) are
    represented in proportion: this stratification is what makes the estimate more precise than
    a simple random sample.

    Two hubs with four entities each: whatever the seed, a sample of two takes one from each side.

    >>> g = nx.Graph([("a", "b")] + [("a", f"a{i}") for i in range(4)] + [("b", f"b{i}") for i in range(4)])
    >>> [sorted(s[0] for s in sample_sources(g, 2, seed)) for seed in range(4)]
    [['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b']]
    """
    n, u, v = _positions(net, simple)
    rng = random.Random(seed)
    order = _hub_order(n, u, v, rng)
    nodes = _node_order(net)
    return [nodes[int(order[p])] for p in systematic_positions(n, k, rng.random() * n / k)]


def _igraph_rcm(n: int, u: Any, v: Any) -> tuple[Any, Any]:
    """An undirected simple igraph graph of the pairs with its vertices in reverse Cuthill-McKee
    order (neighbours stored near each other: the searches run about a quarter faster on a large
    network), and ``where``: the igraph vertex of each node position."""
    import igraph as ig
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    ones = np.ones(len(u), dtype=np.int8)
    adj = coo_matrix((ones, (u, v)), shape=(n, n)).tocsr()
    order = reverse_cuthill_mckee((adj + adj.T).tocsr(), symmetric_mode=True)
    where = np.empty(n, dtype=np.intp)
    where[order] = np.arange(n)
    edges = list(zip(where[u].tolist(), where[v].tolist(), strict=True))  # pairs of ints: igraph reads them fast
    return ig.Graph(n=n, edges=edges, directed=False), where


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
        Seed of the sample (:func:`sample_sources`).
    backend : {"auto", "igraph", "networkx"}

    Returns
    -------
    scores : dict
        Node → score in [0, 1] (networkx's normalisation, endpoints excluded). A sampled score
        is ``n / k`` times the sum over the ``k`` sources ``s`` of the dependency of ``s`` on the
        entity (the share of the shortest paths from ``s`` through it), over ``(n-1)(n-2)``:
        an unbiased estimate, since every entity is a source with chance ``k / n``.
    method : dict
        ``mode`` ("exact" or "sampled"), ``k``, ``seed``, ``design`` (how the sources were
        drawn), ``backend`` (and ``jobs``, the number of processes, for a sampled igraph run;
        see :data:`PARALLEL_WORK`).

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
    if k is not None:
        method["design"] = SAMPLE_DESIGN
    if n < 3:
        return dict.fromkeys(net, 0.0), method
    if k is None:
        if route == "networkx":
            return nx.betweenness_centrality(_as_simple(net), normalized=True), method
        g, nodes = _to_igraph(net)
        scale_all = 2.0 / ((n - 1) * (n - 2))  # igraph counts unordered pairs; networkx ordered ones
        raw = g.betweenness(directed=False)
        return {v: raw[i] * scale_all for i, v in enumerate(nodes)}, method
    simple = _as_simple(net) if route == "networkx" else None
    scores, jobs = _from_sources(net, sample_sources(net, k, seed, simple=simple), route, simple)
    if jobs:
        method["jobs"] = jobs
    return scores, method


def _from_sources(net: nx.Graph | Topology, sources: list[Any], route: str,
                  simple: nx.Graph | None = None) -> tuple[dict[Any, float], int]:
    """The estimate of :func:`betweenness` from ``sources`` (and the number of processes used)."""
    n, k = net.number_of_nodes(), len(sources)
    # igraph and networkx count each pair of a source and a target once: half the dependency sum
    scale = 2.0 * n / (k * (n - 1) * (n - 2))
    nodes = _node_order(net)
    if route == "networkx":
        if simple is None:
            simple = _as_simple(net)
        raw_nx = nx.betweenness_centrality_subset(simple, sources, list(simple), normalized=False)
        return {v: raw_nx[v] * scale for v in nodes}, 0
    n_, u, v_ = _positions(net)
    g, where = _igraph_rcm(n_, u, v_)
    index = {node: i for i, node in enumerate(nodes)}
    jobs = _jobs(n * k)
    at = where.tolist()
    raw = _igraph_sampled(g, sorted(at[index[s]] for s in sources), jobs)
    return {node: raw[at[i]] * scale for i, node in enumerate(nodes)}, jobs


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


def _rank_of(score: float, ascending: list[float]) -> int:
    """The competition rank of ``score`` among the sorted ``ascending`` scores (as :func:`_ranks`)."""
    return len(ascending) - bisect.bisect_right(ascending, score) + 1


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
    # every rank for "all" (the mean rank orders the rows); else only the shown rows' ranks
    ranks = {m: _ranks(scores[m]) for m in measures} if measure == "all" else {}

    def label(v: Any) -> str:
        return str(net.nodes[v].get("label", v)) if v in net else str(v)

    def order_key(v: Any) -> tuple[Any, ...]:
        if measure == "all":
            return (mean_rank[v], label(v).casefold(), str(v))
        return (-scores[measure][v], label(v).casefold(), str(v))

    mean_rank = ({v: round(sum(ranks[m][v] for m in measures) / len(measures), 4) for v in listed}
                 if measure == "all" else {})
    # only the rows shown get built (a large network has 100k entities)
    if top is None:
        chosen = sorted(listed, key=order_key)
    else:
        if measure != "all" and len(listed) > top:
            # labels only for the entities that can be shown: those scoring at least the top-th score
            ms = scores[measure]
            cut = heapq.nlargest(top, (ms[v] for v in listed))[-1]
            listed = [v for v in listed if ms[v] >= cut]
        chosen = heapq.nsmallest(top, listed, key=order_key)
    rows: list[dict[str, Any]] = []
    ascending = sorted(scores[measure].values()) if measure != "all" else []
    for i, v in enumerate(chosen, 1):
        if measure == "all":
            rows.append({**node_summary(net, v), "scores": {m: scores[m][v] for m in measures},
                         "ranks": {m: ranks[m][v] for m in measures}, "mean_rank": mean_rank[v], "rank": i})
        else:
            rows.append({"rank": _rank_of(scores[measure][v], ascending), **node_summary(net, v),
                         "score": scores[measure][v]})
    notes = []
    b = methods.get("betweenness")
    if b and b["mode"] == "sampled":
        notes.append(f"approximate: betweenness estimated from {b['k']} sampled source entities "
                     f"(seed {b['seed']}, {b['backend']}; {b['design']} sample)")
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
