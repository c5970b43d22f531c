"""Speed and memory of the Dataset at scale, side by side with the rdflib path and the Oxigraph floor.

Every measurement runs the real command in a fresh process (wall time, start-up included, and
peak resident memory from GNU ``time``), on a SYNTHETIC graph
made by ``benchmarks/synthetic.py`` (nothing of it enters ``data/``) or on any N-Triples file::

    python benchmarks/bench_dataset.py                 # 170,000 entities: about 1M triples
    python benchmarks/bench_dataset.py --entities 20000
    python benchmarks/bench_dataset.py --file /tmp/h2020.nt --focus "SOME ENTITY"

Rows:

- ``floor: oxigraph bulk load``  pyoxigraph bulk-loads the file into an on-disk store (nothing else);
- ``baseline: rdflib parse``      what the tool did before the Dataset: rdflib parses the file into
  memory (the old cache then pickled this graph, and every read command unpickled it);
- ``build (dataset + outputs)``   ``clusterkg --data F build``: load, index, stats, validation,
  graph.ttl / graph.nt / store; validation is reported on its own row by ``bench_validate.py``;
- ``first open (dataset)``        ``clusterkg --data F stats`` on an empty cache;
- then every read command on the built dataset.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, int]:
    """(wall seconds, peak MB of this one process, exit code), via GNU time when it is there."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    marker = "@@peak-kb="
    cmd = [gnu_time, "-f", f"{marker}%M", *args] if gnu_time else args
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), 0.0, -1
    wall = time.perf_counter() - start
    peak = 0.0
    for line in proc.stderr.splitlines():
        if line.startswith(marker):
            peak = int(line[len(marker):]) / 1024
    return wall, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=170_000)
    ap.add_argument("--file", type=Path, default=None, help="an N-Triples file instead of a synthetic one")
    ap.add_argument("--focus", default="SYNTHETIC ClusterPartnership 337")
    ap.add_argument("--other", default="SYNTHETIC Cluster 5")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--skip-baseline", action="store_true")
    opts = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ckg-bench-"))
    try:
        data = opts.file
        if data is None:
            data = work / "synthetic.nt"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), str(opts.entities),
                            "--out", str(data)], check=True, capture_output=True)
        env = {**os.environ, "CLUSTERKG_CACHE_DIR": str(work / "cache")}
        ckg = [sys.executable, "-m", "cli", "--data", str(data)]
        triples = sum(1 for _ in data.open("rb"))
        rows: list[tuple[str, float, float, int]] = []

        def measure(name: str, args: list[str]) -> None:
            wall, mb, code = run(args, env, opts.timeout)
            rows.append((name, wall, mb, code))
            print(f"  {name:<48} {wall:8.2f} s {mb:8.0f} MB  exit {code}", file=sys.stderr)

        py = [sys.executable, "-c"]
        measure("floor: oxigraph bulk load (on disk)",
                [*py, f"import pyoxigraph as ox; s = ox.Store({str(work / 'floor')!r}); "
                      f"s.bulk_load(path={str(data)!r}, format=ox.RdfFormat.N_TRIPLES)"])
        if not opts.skip_baseline:
            measure("baseline: rdflib parse (in memory)",
                    [*py, f"import rdflib; g = rdflib.Graph(); g.parse({str(data)!r}, format='nt'); print(len(g))"])
        measure("first open (dataset build, stats)", [*ckg, "stats"])
        measure("build (outputs, validation)", [*ckg, "build", "--out", str(work / "out")])
        measure("stats", [*ckg, "stats"])
        measure("show (curated entity)", [*ckg, "show", "COSME"])
        measure(f"show {opts.focus!r}", [*ckg, "show", opts.focus])
        measure("neighbours COSME", [*ckg, "neighbours", "COSME"])
        measure(f"neighbours {opts.focus!r}", [*ckg, "neighbours", opts.focus])
        measure("path COSME 'Horizon Europe'", [*ckg, "path", "COSME", "Horizon Europe"])
        measure(f"path {opts.focus!r} {opts.other!r}", [*ckg, "path", opts.focus, opts.other])
        for q in sorted((ROOT / "queries").glob("*.rq")):
            measure(f"queries run {q.stem}", [*ckg, "queries", "run", q.stem, "--format", "csv"])
        measure("centrality betweenness --top 10 (first after build)",
                [*ckg, "centrality", "--measure", "betweenness", "--top", "10"])
        measure("centrality betweenness --top 10 (second)",
                [*ckg, "centrality", "--measure", "betweenness", "--top", "10"])
        measure(f"render --focus {opts.focus!r} --depth 2",
                [*ckg, "render", "--focus", opts.focus, "--depth", "2", "--out", str(work / "m.html")])

        print(f"\n{triples:,} triples ({data.name}); wall time of the whole command, start-up included\n")
        print(f"| {'step':<52} | {'wall s':>8} | {'peak MB':>8} | exit |")
        print(f"|{'-' * 54}|{'-' * 10}|{'-' * 10}|------|")
        for name, wall, mb, code in rows:
            print(f"| {name:<52} | {wall:8.2f} | {mb:8.0f} | {code:>4} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
