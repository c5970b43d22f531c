"""How the network analysis scales: SYNTHETIC graphs of about 10k and 100k entities.

Prints, side by side for each size: time to load the RDF, to project it onto networkx, to find
an explained path, and betweenness by each route (networkx exact where feasible, networkx
sampled, igraph exact, igraph sampled, and what ``clusterkg centrality --measure betweenness``
does by default), with the ratios between them; then how well the default sample agrees with the
exact top 10 (and top 20) at 10k over several seeds; then the whole CLI command, end to end.

The graphs come from ``benchmarks/synthetic.py`` and are written to a temporary folder.

Usage::

    python benchmarks/network_scale.py                  # 10k and 100k
    python benchmarks/network_scale.py --sizes 10000 --nx-exact   # networkx exact too (minutes)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
import synthetic

from graph.network import centrality as cmod
from graph.network.paths import linkage_paths
from graph.network.projection import project, simple_graph
from graph.store.load import load_graph


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def top(scores: dict[Any, float], n: int) -> set[Any]:
    return set(sorted(scores, key=lambda v: (-scores[v], str(v)))[:n])


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (independent of other jobs' load)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def fmt_s(x: float | None) -> str:
    if x is None:
        return "skipped"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def run_size(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"n": n}
    path = synthetic.write(n, seed=args.seed, out=tmp / f"synthetic-{n}.nt")
    row["file"] = str(path)
    row["load"], loaded = timed(lambda: load_graph([path], default_data=False))
    row["triples"] = len(loaded.graph)
    row["project"], net = timed(partial(project, loaded.graph))
    del loaded
    gc.collect()
    gc.freeze()
    row["entities"], row["linkages"] = net.number_of_nodes(), net.number_of_edges()
    row["simple"], simple = timed(lambda: simple_graph(net))
    row["pairs"] = simple.number_of_edges()

    rng = random.Random(args.seed)
    giant = max(nx.connected_components(simple), key=len)
    nodes = sorted(giant)
    pairs = [tuple(rng.sample(nodes, 2)) for _ in range(20)]
    t, results = timed(lambda: [linkage_paths(net, a, b) for a, b in pairs])
    row["path"] = t / len(pairs)
    row["path_hops"] = statistics.median(r["paths"][0]["hops"] for r in results)
    t, _ = timed(lambda: [linkage_paths(net, a, b, view=simple) for a, b in pairs])
    row["path_view"] = t / len(pairs)
    t, _ = timed(lambda: [linkage_paths(net, a, b, k=3) for a, b in pairs[:5]])
    row["path_k3"] = t / 5

    k_small = 100
    row["nx_sampled_k"] = k_small
    row["nx_sampled"], nx_s = timed(lambda: nx.betweenness_centrality(simple, k=k_small, seed=args.seed))
    row["ig_sampled_same_k"], ig_s = timed(
        lambda: cmod.betweenness(simple, sample=k_small, seed=args.seed, backend="igraph")[0])
    row["same_k_max_diff"] = max(abs(nx_s[v] - ig_s[v]) for v in simple)
    row["nx_exact"] = None
    if args.nx_exact and n <= 20000:
        row["nx_exact"], _ = timed(lambda: nx.betweenness_centrality(simple))
    row["ig_exact"] = None
    exact = None
    if n <= args.exact_up_to:
        row["ig_exact"], exact = timed(
            lambda: cmod.betweenness(simple, sample=simple.number_of_nodes(), backend="igraph")[0])
    cpu0 = cpu_seconds()
    row["default"], result = timed(lambda: cmod.centrality(net, "betweenness", top=10, seed=args.seed))
    row["default_cpu"] = cpu_seconds() - cpu0
    row["default_method"] = result["method"]["betweenness"]
    row["default_no_fast"], _ = timed(
        lambda: cmod.centrality(net, "betweenness", top=10, seed=args.seed, backend="networkx")
    ) if n <= args.nx_default_up_to else (None, None)
    if exact is not None:
        agreements10, agreements20 = [], []
        for seed in range(args.seeds):
            est, _ = cmod.betweenness(simple, seed=seed, backend="igraph")
            agreements10.append(len(top(est, 10) & top(exact, 10)))
            agreements20.append(len(top(est, 20) & top(exact, 20)))
        row["top10"] = agreements10
        row["top20"] = agreements20
    return row


def cli_end_to_end(path: str, cache: Path) -> tuple[float, float]:
    """Seconds for ``clusterkg centrality`` on ``path``: first run (parse, fill the cache), second."""
    env = {**os.environ, "CLUSTERKG_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-c", "import cli; cli.main()", "--no-default-data", "--data", path,
           "centrality", "--measure", "betweenness", "--top", "10", "--format", "json"]
    times = []
    for _ in range(2):
        t, proc = timed(lambda: subprocess.run(cmd, env=env, capture_output=True, text=True,
                                               cwd=Path(__file__).resolve().parent.parent))
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        json.loads(proc.stdout)
        times.append(t)
    return times[0], times[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=10, help="seeds for the top-10 agreement")
    ap.add_argument("--nx-exact", action="store_true", help="also run networkx exact betweenness (slow)")
    ap.add_argument("--exact-up-to", type=int, default=20000, help="igraph exact up to this size")
    ap.add_argument("--nx-default-up-to", type=int, default=20000,
                    help="time the default command without igraph up to this size")
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI runs")
    args = ap.parse_args(argv)

    print(f"SYNTHETIC networks (benchmarks/synthetic.py, seed {args.seed}); {os.cpu_count()} CPU(s); "
          f"load average {os.getloadavg()[0]:.2f} at start; networkx {nx.__version__}; "
          f"igraph {'yes' if cmod.fast_available() else 'no'}")
    with tempfile.TemporaryDirectory(prefix="clusterkg-bench-") as d:
        tmp = Path(d)
        rows = []
        for n in args.sizes:
            print(f"... {n} entities", file=sys.stderr, flush=True)
            rows.append(run_size(n, args, tmp))
        if not args.no_cli:
            for r in rows:
                print(f"... CLI at {r['n']}", file=sys.stderr, flush=True)
                r["cli_first"], r["cli_cached"] = cli_end_to_end(r["file"], tmp / f"cache-{r['n']}")

    def line(label: str, key: str | Callable[[dict[str, Any]], str]) -> None:
        cells = [key(r) if callable(key) else fmt_s(r.get(key)) for r in rows]
        print(f"{label:<52}" + "".join(f"{c:>18}" for c in cells))

    print()
    line("entities (synthetic)", lambda r: f"{r['entities']:,}")
    line("triples", lambda r: f"{r['triples']:,}")
    line("linkages (edges) / linked pairs", lambda r: f"{r['linkages']:,} / {r['pairs']:,}")
    line("load RDF (oxigraph parser → rdflib memory)", "load")
    line("project → MultiDiGraph", "project")
    line("simple undirected view", "simple")
    line("explained shortest path (mean of 20 pairs)", "path")
    line("  the same, reusing the simple view", "path_view")
    line("  median hops", lambda r: f"{r['path_hops']:g}")
    line("3 shortest paths (mean of 5)", "path_k3")
    line("betweenness, networkx exact", "nx_exact")
    line("betweenness, igraph exact", "ig_exact")
    line("betweenness, networkx sampled k=100", "nx_sampled")
    line("betweenness, igraph sampled k=100 (same sources)", "ig_sampled_same_k")
    line("  ratio networkx / igraph at k=100",
         lambda r: f"{r['nx_sampled'] / r['ig_sampled_same_k']:.0f}x")
    line("  max |difference| of the scores", lambda r: f"{r['same_k_max_diff']:.1e}")
    line("centrality() default (what the CLI runs)", "default")
    line("  CPU seconds (all processes)", "default_cpu")
    line("  method", lambda r: (f"{r['default_method']['mode']} k={r['default_method']['k']}"
                                f" j={r['default_method'].get('jobs', 1)}"))
    line("centrality() default without igraph", "default_no_fast")
    line("  ratio without / with igraph", lambda r: (f"{r['default_no_fast'] / r['default']:.0f}x"
                                                     if r.get("default_no_fast") else "skipped"))
    line("top-10 agreement, default sample vs exact",
         lambda r: (f"min {min(r['top10'])} med {statistics.median(r['top10']):g}" if "top10" in r
                    else "no exact"))
    line("top-20 agreement, default sample vs exact",
         lambda r: (f"min {min(r['top20'])} med {statistics.median(r['top20']):g}" if "top20" in r
                    else "no exact"))
    if not args.no_cli:
        line("CLI centrality, first run (parse + cache)", "cli_first")
        line("CLI centrality, cached graph", "cli_cached")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    for r in rows:
        if "top10" in r:
            print(f"\ntop-10 agreement at {r['n']} over seeds 0..{args.seeds - 1}: {r['top10']}; "
                  f"top-20: {r['top20']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
