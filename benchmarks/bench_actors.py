"""Timings of the regional profiles on the full Horizon 2020 import (issue 13, "Speed").

Usage::

    python benchmarks/bench_actors.py [--realdata DIR] [--work DIR] [--regions DE DE21 ...]

Imports the real files once into ``--work`` (NUTS 2021, the Horizon Europe excerpt, every H2020
participation, the ERDF list of Baden-Württemberg; skipped when the N-Triples are there), then times,
each in a fresh process so that nothing is shared: building the dataset's actor tables (once per
dataset), and ``clusterkg region CODE --format json`` for each region (process start included), plus
two baselines for the country total by year: a SPARQL aggregate on the dataset's Oxigraph store, and
pandas over the source CSV (what an analyst would write by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SPARQL_BY_YEAR = """
SELECT ?year (COUNT(?p) AS ?n) (SUM(?c) AS ?ec) WHERE {
  ?org ckg:locatedIn country:DEU . ?p ckg:participant ?org ; ckg:inProject ?proj .
  OPTIONAL { ?p ckg:ecContribution ?c } OPTIONAL { ?proj ckg:startDate ?d }
  BIND(YEAR(?d) AS ?year)
} GROUP BY ?year ORDER BY ?year"""


def run(args: list[str], **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--realdata",
                    default=os.environ.get("CLUSTERKG_REALDATA", str(ROOT.parent / "shared" / "realdata")))
    ap.add_argument("--work", default="/tmp/clusterkg-bench-actors")
    ap.add_argument("--regions", nargs="*", default=["DE21", "DE1", "NO", "DE"])
    a = ap.parse_args()
    real, work = Path(a.realdata), Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    ck = [sys.executable, "-m", "cli"]
    steps = [("nuts", ["nuts-2021", str(real / "NUTS2021.xlsx")]),
             ("he", ["cordis-horizon-europe", str(real / "mda_he_organization_df_100.csv"),
                     str(real / "mda_he_project_df_100.csv")]),
             ("h2020", ["cordis-h2020-participations", str(real / "eunets_h2020.csv.gz"),
                        str(real / "eunets_programme_parts.csv.gz")]),
             ("erdf", ["erdf-operations-de", str(real / "osdata_ERDF_BaWue_2014-2020.csv")])]
    data: list[str] = []
    for name, args in steps:
        out = work / f"{name}.nt"
        if not out.is_file():
            subprocess.run([*ck, *data, "import", *args, "--out", str(out), "--run-date", "2026-01-01"], check=True,
                           cwd=ROOT)
        data += ["--data", str(out)]
    env = {**os.environ, "CLUSTERKG_CACHE_DIR": str(work / "cache")}
    rows = []
    rows.append(("open the dataset (built into the cache on first use)", run([*ck, *data, "stats"], cwd=ROOT, env=env)))
    code = ("import sys, graph; from graph.actors.tables import actor_tables, build_tables; "
            "ds = graph.Dataset(sys.argv[1:]); build_tables(ds)")
    rows.append(("build the actor tables (SPARQL over the store; once per dataset)",
                 run([sys.executable, "-c", code, *data[1::2]], cwd=ROOT, env=env)))
    run([*ck, *data, "region", "DE", "--format", "json"], cwd=ROOT, env=env)  # writes the tables to the entry
    for r in a.regions:
        rows.append((f"clusterkg region {r} --format json (fresh process)",
                     run([*ck, *data, "region", r, "--format", "json"], cwd=ROOT, env=env)))
    inproc = ("import sys, time, graph; from graph.actors.region import region_profile; "
              "ds = graph.Dataset(sys.argv[2:]); region_profile(ds, 'DE', gaps=False); t = time.perf_counter(); "
              "region_profile(ds, sys.argv[1]); print(time.perf_counter() - t)")
    for r in a.regions:
        out = subprocess.run([sys.executable, "-c", inproc, r, *data[1::2]], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
        rows.append((f"region_profile({r!r}) in a warm process (what a page costs)", float(out.strip())))
    q = work / "by-year.rq"
    q.write_text(SPARQL_BY_YEAR, encoding="utf-8")
    rows.append(("baseline: SPARQL aggregate, Germany by year (clusterkg query, fresh process)",
                 run([*ck, *data, "query", str(q), "--format", "csv"], cwd=ROOT, env=env)))
    pandas_code = ("import pandas as pd, sys; h = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False); "
                   "d = h[h.country == 'DE']; d.assign(c=pd.to_numeric(d.contribution, errors='coerce'), "
                   "y=d.start_date.str[:4]).groupby('y').c.agg(['size', 'sum'])")
    rows.append(("baseline: pandas over the CSV, Germany by year (fresh process)",
                 run([sys.executable, "-c", pandas_code, str(real / "eunets_h2020.csv.gz")])))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    width = max(len(w) for w, _ in rows)
    for what, secs in rows:
        print(f"{what:<{width}}  {secs:7.2f} s")
    print(json.dumps({w: round(s, 3) for w, s in rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
