"""Load benchmark of ``clusterkg serve`` (a benchmark, not a timed test).

Starts ``clusterkg serve`` as a subprocess on a free loopback port, then 8 concurrent clients
each send 200 mixed requests over loopback: explorer pages (HTML), their JSON twins, and
library questions through the SPARQL endpoint (``POST /sparql``) and the query-library pages.
Reports p50/p95 per kind and overall, and the number of errors (any status >= 400 or failure).

Before the load, every library question is run once on ``/sparql`` (its "first answer" time;
the server keeps answers, the data being read-only); a question stopped by the server's deadline
is reported and left out of the mix.

Usage::

    python benchmarks/bench_serve.py                       # the curated data
    python benchmarks/bench_serve.py --synthetic 95000     # ~1M triples (SYNTHETIC, see synthetic.py)
    python benchmarks/bench_serve.py --json out.json

Traffic goes to 127.0.0.1 only; the request loops are bounded (clients x requests).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(args: list[str], port: int, env: dict[str, str], wait_s: float) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "import cli; cli.main()", *args, "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server stopped: " + (proc.stderr.read().decode() if proc.stderr else ""))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/static/explorer.css", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start in time")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def plan(base: str, seed: int, timeout: float) -> tuple[list[tuple[str, str, str, dict[str, Any]]], dict[str, Any]]:
    """The request mix: (kind, method, path, extra) tuples, and what the preflight found."""
    from graph.sparql.library import list_queries

    c = httpx.Client(base_url=base, timeout=timeout + 30)
    rows = c.post("/sparql", data={"query": "SELECT DISTINCT ?e WHERE { ?c rdfs:subClassOf* ckg:Entity . "
                                            "?e a ?c FILTER(isIRI(?e)) } LIMIT 5000"}).json()
    entities = [b["e"]["value"] for b in rows["results"]["bindings"]]
    rng = random.Random(seed)
    sample = rng.sample(entities, min(300, len(entities)))
    labels = c.get("/search.json", params={"q": "cluster", "limit": 50}).json()["results"]
    words = sorted({w for r in labels for w in r["label"].split() if len(w) > 3})[:40] or ["cluster"]
    library: list[tuple[str, str]] = []
    first: dict[str, Any] = {}
    for q in list_queries():
        t0 = time.monotonic()
        r = c.post("/sparql", data={"query": q.text}, headers={"Accept": "application/sparql-results+json"})
        first[q.name] = {"status": r.status_code, "seconds": round(time.monotonic() - t0, 3)}
        if r.status_code == 200:
            library.append((q.name, q.text))
    for name, _ in library:  # the library pages (their first answer comes from the same cache)
        c.get(f"/queries/{name}.json")
    pairs = [(rng.choice(sample), rng.choice(sample)) for _ in range(50)]
    c.close()
    mix: list[tuple[str, str, str, dict[str, Any]]] = []
    for i in range(2000):
        e = sample[i % len(sample)]
        a, b = pairs[i % len(pairs)]
        name, text = library[i % len(library)]
        w = words[i % len(words)]
        choice = i % 12
        if choice == 0:
            mix.append(("page", "GET", "/", {}))
        elif choice == 1:
            mix.append(("page", "GET", "/entity", {"params": {"iri": e}}))
        elif choice == 2:
            mix.append(("page", "GET", "/search", {"params": {"q": w}}))
        elif choice == 3:
            mix.append(("page", "GET", f"/queries/{name}", {}))
        elif choice == 4:
            mix.append(("page", "GET", "/path", {"params": {"from": a, "to": b}}))
        elif choice == 5:
            mix.append(("json", "GET", "/entity.json", {"params": {"iri": e}}))
        elif choice == 6:
            mix.append(("json", "GET", "/search.json", {"params": {"q": w[:4], "limit": 8}}))
        elif choice == 7:
            mix.append(("json", "GET", "/map.json", {"params": {"focus": e}}))
        elif choice == 8:
            mix.append(("json", "GET", "/stats.json", {}))
        elif choice == 9:
            mix.append(("json", "GET", "/brokers.json", {"params": {"measure": "degree"}}))
        else:
            mix.append(("query", "POST", "/sparql", {"data": {"query": text},
                                                    "headers": {"Accept": "application/sparql-results+json"}}))
    excluded = sorted(n for n, v in first.items() if v["status"] != 200)
    return mix, {"first_answer": first, "excluded": excluded, "entities_sampled": len(sample)}


def run(base: str, clients: int, per_client: int, mix: list[tuple[str, str, str, dict[str, Any]]],
        timeout: float) -> dict[str, Any]:
    results: list[tuple[str, float, int, bool]] = []
    lock = threading.Lock()
    errors: list[str] = []
    seen: set[str] = set()

    def worker(k: int) -> None:
        rng = random.Random(k)
        mine = []
        with httpx.Client(base_url=base, timeout=timeout + 30) as c:
            for _ in range(per_client):
                kind, method, path, extra = mix[rng.randrange(len(mix))]
                key = json.dumps([method, path, extra], sort_keys=True)
                with lock:  # the first time any client asks this: the server has nothing kept for it
                    first = key not in seen
                    seen.add(key)
                t0 = time.perf_counter()
                try:
                    r = c.request(method, path, **extra)
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = 0
                    with lock:
                        errors.append(f"{path}: {type(exc).__name__}")
                dt = time.perf_counter() - t0
                if status >= 400:
                    with lock:
                        errors.append(f"{method} {path} {extra.get('params', '')} -> {status}")
                mine.append((kind, dt, status, first))
        with lock:
            results.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {"clients": clients, "requests": len(results), "wall_s": round(wall, 2),
                           "throughput_rps": round(len(results) / wall, 1), "errors": len(errors),
                           "error_samples": errors[:10], "by_kind": {}}
    for kind in ("page", "json", "query", "all", "first"):
        ts = [dt for k, dt, _, first in results if kind in ("all", k) or (kind == "first" and first)]
        out["by_kind"][kind] = {"n": len(ts), "p50_ms": round(pct(ts, 50) * 1000, 1),
                                "p95_ms": round(pct(ts, 95) * 1000, 1),
                                "mean_ms": round(statistics.fmean(ts) * 1000, 1) if ts else None}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic", type=int, default=0, metavar="N",
                    help="serve a SYNTHETIC graph of N entities (about 10.5 triples each) instead of the curated data")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="requests per client")
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's query deadline")
    ap.add_argument("--start-timeout", type=float, default=1800.0, help="seconds to wait for the server to start")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    a = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    env = dict(os.environ)
    tmp = tempfile.TemporaryDirectory(prefix="clusterkg-bench-serve-")
    env.setdefault("CLUSTERKG_CACHE_DIR", str(Path(tmp.name) / "cache"))
    args: list[str] = []
    what = "curated data"
    if a.synthetic:
        sys.path.insert(0, str(HERE))
        from synthetic import write

        nt = write(a.synthetic, seed=a.seed, out=Path(tmp.name) / "synthetic.nt")
        args = ["--no-default-data", "--data", str(nt)]
        what = f"SYNTHETIC graph of {a.synthetic:,} entities"
    port = _free_port()
    t0 = time.monotonic()
    proc = start([*args], port, env, a.start_timeout)
    startup = time.monotonic() - t0
    base = f"http://127.0.0.1:{port}"
    try:
        stats = httpx.get(base + "/stats.json", timeout=60).json()
        mix, pre = plan(base, a.seed, a.timeout)
        result = run(base, a.clients, a.requests, mix, a.timeout)
        # the server still answers after the load
        assert httpx.get(base + "/stats.json", timeout=30).status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()
    report = {"data": what, "triples": stats.get("triples"), "entities": stats.get("entities"),
              "startup_s": round(startup, 1), **pre, **result}
    first = sorted(v["seconds"] for v in pre["first_answer"].values() if v["status"] == 200)
    print(f"{what}: {report['triples']:,} triples, {report['entities']:,} entities; server ready in "
          f"{report['startup_s']} s (build and warm-up included)")
    print(f"library questions, first answer: median {statistics.median(first) * 1000:.0f} ms, "
          f"max {max(first) * 1000:.0f} ms; stopped by the deadline: {', '.join(pre['excluded']) or 'none'}")
    print(f"{result['clients']} clients x {a.requests} requests = {result['requests']} in {result['wall_s']} s "
          f"({result['throughput_rps']} req/s), errors: {result['errors']}")
    names = {"page": "pages (HTML)", "json": "JSON twins", "query": "library queries on /sparql", "all": "all",
             "first": "first time asked (nothing kept yet)"}
    for kind, v in result["by_kind"].items():
        print(f"  {names[kind]:38} n={v['n']:5}  p50 {v['p50_ms']:8.1f} ms  p95 {v['p95_ms']:8.1f} ms")
    for e in result["error_samples"]:
        print("  error:", e)
    if a.json:
        a.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
