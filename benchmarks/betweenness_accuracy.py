"""How close sampled betweenness comes to the exact one: SYNTHETIC graphs of about 10k entities.

For each graph (``benchmarks/synthetic.py``, one per ``--graph-seeds`` seed) the exact betweenness
is computed (igraph, every entity a source), then the estimate of each sampling design over
``--seeds`` sample seeds. Printed side by side per design: the top-10 and top-20 agreement with the
exact ranking (minimum and mean over all runs), Spearman's rank correlation on the exact top 100,
the relative error of the top-10 scores (root mean square) and the CPU seconds per estimate.

The designs: the previous default (a simple random sample of 1,000 sources, drawn as
``networkx.betweenness_centrality(k=1000, seed=...)`` draws them, with networkx's scaling), the
same at 600, and the current default (:func:`graph.network.centrality.sample_sources`: a
systematic sample of the entities grouped by their best-linked neighbour) at 600 and 1,000.

Usage::

    python benchmarks/betweenness_accuracy.py                      # 3 graphs × 20 sample seeds
    python benchmarks/betweenness_accuracy.py --entities 20000 --seeds 5
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import synthetic
from scipy.stats import spearmanr

from graph.network import centrality as cmod
from graph.network.projection import project
from graph.network.topology import Topology
from graph.store.load import load_graph


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (independent of other jobs' load)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def simple_random(topo: Topology, k: int, seed: int) -> list[float]:
    """The previous default: networkx's sample of ``k`` sources and its scaling (a source's own
    score from the other ``k - 1``)."""
    g = topo.igraph()
    n = len(topo.node_list)
    sources = random.Random(seed).sample(range(n), k)
    raw = g.betweenness(directed=False, sources=sources)
    chosen = set(sources)
    src, other = 2.0 / ((k - 1) * (n - 2)), 2.0 / (k * (n - 2))
    return [x * (src if i in chosen else other) for i, x in enumerate(raw)]


def systematic(topo: Topology, k: int, seed: int) -> list[float]:
    """The current default (with ``k`` sources)."""
    scores, _ = cmod.betweenness(topo, sample=k, seed=seed, backend="igraph")
    return [scores[v] for v in topo.node_list]


def ranking(scores: list[float], n: int) -> set[int]:
    return set(sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:n])


def evaluate(exact: list[float], est: list[float]) -> dict[str, float]:
    top100 = sorted(ranking(exact, 100), key=lambda i: -exact[i])
    top10 = sorted(ranking(exact, 10))
    rho = spearmanr([exact[i] for i in top100], [est[i] for i in top100]).statistic
    rel = [(est[i] - exact[i]) / exact[i] for i in top10]
    return {"top10": len(ranking(est, 10) & ranking(exact, 10)), "top20": len(ranking(est, 20) & ranking(exact, 20)),
            "rho": float(rho), "rmse": statistics.fmean(x * x for x in rel) ** 0.5}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=10000)
    ap.add_argument("--graph-seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--seeds", type=int, default=20, help="sample seeds per graph and design")
    args = ap.parse_args()
    designs: list[tuple[str, Callable[[Topology, int, int], list[float]], int]] = [
        ("simple random, k=1000 (previous default)", simple_random, 1000),
        (f"simple random, k={cmod.DEFAULT_SAMPLE}", simple_random, cmod.DEFAULT_SAMPLE),
        (f"systematic by hub, k={cmod.DEFAULT_SAMPLE} (default)", systematic, cmod.DEFAULT_SAMPLE),
        ("systematic by hub, k=1000", systematic, 1000),
    ]
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in designs}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in designs}
    with tempfile.TemporaryDirectory() as tmp:
        for gseed in args.graph_seeds:
            path = synthetic.write(args.entities, seed=gseed, out=Path(tmp) / f"synthetic-{gseed}.nt")
            topo = Topology.from_network(project(load_graph([path], default_data=False).graph))
            n = len(topo.node_list)
            raw = topo.igraph().betweenness(directed=False)
            exact = [x * 2.0 / ((n - 1) * (n - 2)) for x in raw]
            print(f"graph seed {gseed}: {n} entities, {topo.number_of_edges()} linked pairs", file=sys.stderr)
            for name, fn, k in designs:
                for seed in range(args.seeds):
                    c = cpu_seconds()
                    est = fn(topo, k, seed)
                    cpu[name].append(cpu_seconds() - c)
                    results[name].append(evaluate(exact, est))
    runs = len(args.graph_seeds) * args.seeds
    print(f"{args.entities} entities, {len(args.graph_seeds)} graphs × {args.seeds} sample seeds = "
          f"{runs} runs per design")
    print(f"{'design':<44} {'top-10 min/mean':>16} {'top-20 min/mean':>16} {'Spearman top-100 min/mean':>26} "
          f"{'top-10 rel. RMSE':>17} {'CPU s/run':>10}")
    for name, _, _ in designs:
        r: list[dict[str, Any]] = results[name]
        t10, t20, rho = [x["top10"] for x in r], [x["top20"] for x in r], [x["rho"] for x in r]
        rmse = statistics.fmean(x["rmse"] ** 2 for x in r) ** 0.5
        print(f"{name:<44} {min(t10):>7} / {statistics.fmean(t10):>5.2f} {min(t20):>7} / {statistics.fmean(t20):>5.2f} "
              f"{min(rho):>14.3f} / {statistics.fmean(rho):>6.3f} {rmse:>17.3f} {statistics.fmean(cpu[name]):>10.2f}")


if __name__ == "__main__":
    main()
