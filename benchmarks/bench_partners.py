"""Benchmark: ``clusterkg partners`` on the full H2020 import, beside the pandas script a peer would write.

Usage::

    python benchmarks/bench_partners.py --data nuts.nt --data he.nt --data h2020.nt [--realdata DIR] [--runs 5]

The ``--data`` files are the full import of the README ("Import real actors": NUTS 2021, the Horizon
Europe sample, every H2020 participation; 2.1 million triples). Three seeds: a hub (the research
organisation with the most H2020 projects, PIC 999997930, 1,372 projects), a small SME (PIC
916306621: a private company with three Innovation-in-SMEs projects) and a curated partnership
(E-BOOST, a Eurocluster whose member organisations have no imported record).

For each seed it reports:

1. ``clusterkg partners SEED --top 10`` as a user runs it: a fresh process (Python start-up,
   imports and the opening of the cached dataset included), median wall time of ``--runs`` runs,
   and its peak resident memory;
2. the library call alone (:func:`graph.actors.partners.partner_search`, median, dataset open);
3. the baseline: a pandas script over the CSV tables (``eunets_h2020.csv.gz``,
   ``eunets_programme_parts.csv.gz`` and the shipped programme-part reference) that computes the
   same score for every candidate within two steps, with no bound: its wall time in a fresh
   process (reading the tables included) and the time of the computation alone; and whether its
   top 10 is the same as clusterkg's (organisation and score).

The first open of the dataset (building the cache entry) is timed once, separately. Nothing is
written outside a temporary folder and the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = [("hub: research organisation, 1,372 projects", "999997930"),
         ("small SME: 3 Innovation-in-SMEs projects", "916306621"),
         ("curated partnership (Eurocluster E-BOOST)", "E-BOOST")]


def realdata(arg: str | None) -> Path:
    return Path(arg or os.environ.get("CLUSTERKG_REALDATA") or REPO.parent / "shared" / "realdata")


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run ``argv`` in a fresh process: wall seconds, peak RSS in MB (from wait4), standard output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"{argv[:4]}... failed: {err.read()[-500:]}")
        return wall, round(usage.ru_maxrss / 1024), out.read()


BASELINE = textwrap.dedent('''
    import json, sys, time
    import pandas as pd
    t0 = time.perf_counter()
    seed, participations, programme_parts, reference = sys.argv[1:5]
    df = pd.read_csv(participations, usecols=["rcn", "pic", "type"], dtype=str, keep_default_na=False,
                     na_values=["NA"]).drop_duplicates(["rcn", "pic"])
    pp = pd.read_csv(programme_parts, dtype=str)
    ref = pd.read_csv(reference, dtype=str, keep_default_na=False)
    t1 = time.perf_counter()
    # programme parts of each project, with the parts above them
    kind = dict(zip(ref.part, ref["class"])); parent = dict(zip(ref.part, ref.parent))
    key = {k: p for k, p in zip(ref.key, ref.part) if kind.get(p) == "ProgrammePart"}
    def up(p):
        out = []
        while p and kind.get(p) == "ProgrammePart":
            out.append(p); p = parent.get(p)
        return out
    pp = pp.assign(part=pp.programme_part.map(key)).dropna(subset=["part"])
    pp = pp.assign(part=pp.part.map(up)).explode("part").drop_duplicates(["rcn", "part"])
    parts = df.merge(pp[["rcn", "part"]], on="rcn").groupby("pic").part.agg(set)
    types = df.dropna(subset=["type"]).groupby("pic").type.first()
    mine = set(df.rcn[df.pic == seed])
    out = []
    if mine:
        partners = df[df.rcn.isin(mine) & (df.pic != seed)].groupby("pic").rcn.nunique()
        bridges = df[df.pic.isin(partners.index)][["pic", "rcn"]].rename(columns={"pic": "bridge"})
        second = bridges.merge(df[["pic", "rcn"]], on="rcn")
        second = second[(second.pic != second.bridge) & (second.pic != seed) & ~second.pic.isin(partners.index)]
        common = second.groupby("pic").bridge.nunique()
        seed_parts = parts.get(seed, set()); seed_type = types.get(seed)
        for pic in list(partners.index) + list(common.index):
            n = int(partners.get(pic, 0)); k = int(common.get(pic, 0))
            theirs = parts.get(pic, set())
            jac = len(seed_parts & theirs) / len(seed_parts | theirs) if seed_parts | theirs else 0.0
            t = types.get(pic)
            comp = 1.0 if seed_type and isinstance(t, str) and t != seed_type else 0.0
            net = 1.0 if n else 0.5 * k / (k + 1)
            score = round(0.30 * jac + 0.25 * n / (n + 1) + 0.15 * comp + 0.20 * net, 6)
            out.append((-score, "https://w3id.org/clusterkg/id/org-pic-" + pic))
    out.sort()
    t2 = time.perf_counter()
    print(json.dumps({"read": t1 - t0, "compute": t2 - t1, "candidates": len(out),
                      "top": [[iri, -s] for s, iri in out[:10]]}))
''')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", action="append", required=True, help="an N-Triples file of the import (repeat)")
    ap.add_argument("--realdata", help="folder of eunets_h2020.csv.gz and eunets_programme_parts.csv.gz")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    src = realdata(args.realdata)
    tables = [src / "eunets_h2020.csv.gz", src / "eunets_programme_parts.csv.gz",
              REPO / "mappings" / "reference" / "programme-parts.csv"]
    for f in [*map(Path, args.data), *tables]:
        if not f.is_file():
            print(f"missing {f}", file=sys.stderr)
            return 2
    env = {"PYTHONPATH": str(REPO)}
    data = [a for f in args.data for a in ("--data", f)]
    clusterkg = [sys.executable, "-c", "from cli import main; main()", *data]
    t0 = time.perf_counter()
    run([*clusterkg, "stats"], env)
    first = time.perf_counter() - t0
    # the fresh processes first, while this one is small: a child's peak memory counts what it forked from
    rows = []
    for what, seed in SEEDS:
        walls, peaks = [], []
        for _ in range(args.runs):
            wall, peak, out = run([*clusterkg, "partners", seed, "--top", str(args.top), "--format", "json"], env)
            walls.append(wall)
            peaks.append(peak)
        result = json.loads(out)
        base_walls, base = [], {}
        for _ in range(max(1, args.runs // 2)):
            wall, _, got = run([sys.executable, "-c", BASELINE, seed, *map(str, tables)])
            base_walls.append(wall)
            base = json.loads(got)
        ours = [[r["iri"], r["score"]] for r in result["results"]]
        same = "n/a (no candidate)" if not ours and not base["top"] else (
            "yes" if ours == base["top"] else "no")
        c = result["method"]["candidates"]
        rows.append({
            "seed": what, "query": seed, "cli_s": statistics.median(walls), "cli_mb": max(peaks),
            "candidates": result["candidates"], "scored": c["scored"],
            "walked": f"{c['partners_walked']}/{c['partners']}", "exact": result["method"]["exact"],
            "base_s": statistics.median(base_walls), "base_compute_s": base["compute"],
            "base_candidates": base["candidates"], "same_top": same})
    import graph
    from graph.actors.partners import partner_search

    ds = graph.open_dataset(args.data)
    print(f"graph: {len(ds):,} triples; first command on it: {first:.1f} s (builds the cache entry when it is "
          "not there yet)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python "
          f"{sys.version.split()[0]}; {args.runs} runs each, median\n")
    for r in rows:
        inproc = []
        for _ in range(args.runs):
            t = time.perf_counter()
            partner_search(ds, r["query"], top=args.top)
            inproc.append(time.perf_counter() - t)
        r["lib_s"] = statistics.median(inproc)
    head = (f"{'seed':<44} {'CLI s':>6} {'MB':>5} {'lib s':>6} {'cands':>7} {'scored':>6} {'walked':>10} "
            f"{'pandas s':>8} {'compute':>8} {'cands':>7}  same top {args.top}")
    print(head)
    for r in rows:
        print(f"{r['seed']:<44} {r['cli_s']:>6.2f} {r['cli_mb']:>5} {r['lib_s']:>6.2f} {r['candidates']:>7,} "
              f"{r['scored']:>6,} {r['walked']:>10} {r['base_s']:>8.2f} {r['base_compute_s']:>8.2f} "
              f"{r['base_candidates']:>7,}  {r['same_top']}")
    print("\nCLI s: clusterkg partners as a user runs it (fresh process); lib s: partner_search alone; cands: "
          "candidates kept; scored: scored in full; walked: partners walked for the second step / partners; "
          "pandas s: the baseline script (reading the CSV tables included), compute: its computation alone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
