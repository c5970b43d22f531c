"""Wall time of whole ``clusterkg`` commands, as a user waits for them.

Each command runs as a separate process (``python -m``-style, through the installed console
script's module), so Python start-up and imports are included. For each command it reports:

- **cold**: the first run with an empty graph cache (a fresh ``$CLUSTERKG_CACHE_DIR``);
- **warm**: the median of ``--runs`` further runs, the cache filled.

It also prints what it ran on (CPU, cores, Python, the number of triples), so that figures quoted
anywhere can say what they measure. Nothing is written outside a temporary folder.

Usage::

    python benchmarks/cli_timings.py                       # stats, show, validate, build; 5 warm runs
    python benchmarks/cli_timings.py --commands stats show --runs 3
    python benchmarks/cli_timings.py --json timings.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS: dict[str, list[str]] = {
    "stats": ["stats"],
    "show": ["show", "Joint Cluster Initiatives"],
    "query": ["query", "SELECT ?e WHERE { ?e a ckg:Eurocluster }", "--format", "csv"],
    "centrality": ["centrality", "--top", "5"],
    "validate": ["validate"],
    "build": ["build", "--out", "{tmp}/build"],
}
DEFAULT = ["stats", "show", "validate", "build"]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _once(args: list[str], env: dict[str, str], tmp: str) -> float:
    cmd = [sys.executable, "-c", "import cli; cli.main()", *[a.replace("{tmp}", tmp) for a in args]]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def measure(names: list[str], runs: int) -> dict:
    """Cold and warm wall times of each command, and the machine they ran on."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="clusterkg-bench-") as tmp:
        env = dict(os.environ, CLUSTERKG_CACHE_DIR=str(Path(tmp) / "cache"),
                   PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed package runs: bytecode cached
        for name in names:
            args = COMMANDS[name]
            cold = _once(args, env, tmp)
            warm = [_once(args, env, tmp) for _ in range(runs)]
            rows.append({"command": "clusterkg " + " ".join(a if " " not in a else repr(a) for a in args),
                         "cold_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
                         "runs": runs})
            env["CLUSTERKG_CACHE_DIR"] = str(Path(tmp) / "cache")  # the same cache for the next one
    sys.path.insert(0, str(ROOT))
    import graph

    triples = len(graph.load_graph().graph)
    return {"machine": {"cpu": _cpu(), "cores": os.cpu_count(), "python": platform.python_version(),
                        "system": platform.system()},
            "graph": {"triples": triples}, "timings": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", nargs="+", choices=sorted(COMMANDS), default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5, help="warm runs per command (median reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    doc = measure(args.commands, max(1, args.runs))
    m = doc["machine"]
    print(f"on {m['cpu']}, {m['cores']} cores, Python {m['python']} ({m['system']}); "
          f"graph of {doc['graph']['triples']} triples")
    print(f"{'command':60s} {'cold':>8s} {'warm':>8s}")
    for r in doc["timings"]:
        print(f"{r['command'][:60]:60s} {r['cold_s']:7.2f}s {r['warm_median_s']:7.2f}s")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
