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

Every read command (stats, show, neighbours, path, each library question) has a target: under
1 s wall, start-up included (issue 9); the ``target`` column marks the rows over it, and the last
line lists them. ``--repeat N`` keeps the fastest of N runs of each read command (the machine may
be shared); ``cpu s`` is user + system time of the command and its query process.
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


#: Wall seconds a read command should take at most, start-up included (issue 9).
READ_TARGET = 1.0


def run(args: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak MB of this one process, exit code), via GNU time when it is
    there (CPU and peak are 0 without it)."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    marker = "@@peak-kb="
    cmd = [gnu_time, "-f", f"{marker}%M %U %S", *args] if gnu_time else args
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), 0.0, 0.0, -1
    wall = time.perf_counter() - start
    peak = cpu = 0.0
    for line in proc.stderr.splitlines():
        if line.startswith(marker):
            kb, user, system = line[len(marker):].split()
            peak, cpu = int(kb) / 1024, float(user) + float(system)
    return wall, cpu, peak, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entities", type=int, default=170_000)
    ap.add_argument("--file", type=Path, default=None, help="an N-Triples file instead of a synthetic one")
    ap.add_argument("--focus", default="SYNTHETIC ClusterPartnership 337")
    ap.add_argument("--other", default="SYNTHETIC Cluster 5")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each read command; the fastest is kept")
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
        rows: list[tuple[str, float, float, float, int, float | None]] = []

        def measure(name: str, args: list[str], target: float | None = None) -> None:
            runs = [run(args, env, opts.timeout) for _ in range(max(1, opts.repeat) if target else 1)]
            wall, cpu, mb, code = min(runs)
            rows.append((name, wall, cpu, mb, code, target))
            print(f"  {name:<48} {wall:8.2f} s {cpu:8.2f} cpu {mb:8.0f} MB  exit {code}", file=sys.stderr)

        def read(name: str, args: list[str]) -> None:
            measure(name, args, READ_TARGET)

        py = [sys.executable, "-c"]
        measure("floor: oxigraph bulk load (on disk)",
                [*py, f"import pyoxigraph as ox; s = ox.Store({str(work / 'floor')!r}); "
                      f"s.bulk_load(path={str(data)!r}, format=ox.RdfFormat.N_TRIPLES)"])
        if not opts.skip_baseline:
            measure("baseline: rdflib parse (in memory)",
                    [*py, f"import rdflib; g = rdflib.Graph(); g.parse({str(data)!r}, format='nt'); print(len(g))"])
        measure("first open (dataset build, stats)", [*ckg, "stats"])
        measure("build (outputs, validation)", [*ckg, "build", "--out", str(work / "out")])
        read("stats", [*ckg, "stats"])
        read("show (curated entity)", [*ckg, "show", "COSME"])
        read(f"show {opts.focus!r}", [*ckg, "show", opts.focus])
        read("neighbours COSME", [*ckg, "neighbours", "COSME"])
        read(f"neighbours {opts.focus!r}", [*ckg, "neighbours", opts.focus])
        read("path COSME 'Horizon Europe'", [*ckg, "path", "COSME", "Horizon Europe"])
        read(f"path {opts.focus!r} {opts.other!r}", [*ckg, "path", opts.focus, opts.other])
        for q in sorted((ROOT / "queries").glob("*.rq")):
            read(f"queries run {q.stem}", [*ckg, "queries", "run", q.stem, "--format", "csv"])
        measure("centrality betweenness --top 10 (first after build)",
                [*ckg, "centrality", "--measure", "betweenness", "--top", "10"])
        measure("centrality betweenness --top 10 (second)",
                [*ckg, "centrality", "--measure", "betweenness", "--top", "10"])
        measure(f"render --focus {opts.focus!r} --depth 2",
                [*ckg, "render", "--focus", opts.focus, "--depth", "2", "--out", str(work / "m.html")])

        print(f"\n{triples:,} triples ({data.name}); wall time of the whole command, start-up included"
              + (f", fastest of {opts.repeat} runs for read commands" if opts.repeat > 1 else "") + "\n")
        print(f"| {'step':<52} | {'wall s':>8} | {'cpu s':>8} | {'peak MB':>8} | exit | {'target':<12} |")
        print(f"|{'-' * 54}|{'-' * 10}|{'-' * 10}|{'-' * 10}|------|{'-' * 14}|")
        over, failed = [], []
        for name, wall, cpu, mb, code, target in rows:
            mark = ""
            if target is not None:
                mark = f"< {target:g} s" if wall < target else "**OVER**"
                (over if wall >= target else []).append(name)
                if code != 0:
                    mark = "**FAILED**"
                    failed.append(name)
            print(f"| {name:<52} | {wall:8.2f} | {cpu:8.2f} | {mb:8.0f} | {code:>4} | {mark:<12} |")
        reads = sum(1 for r in rows if r[5] is not None)
        print(f"\n{reads - len(over)} of {reads} read commands under {READ_TARGET:g} s"
              + (f"; over: {', '.join(over)}" if over else "") + (f"; failed: {', '.join(failed)}" if failed else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
