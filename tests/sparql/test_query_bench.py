"""The SPARQL benchmark's synthetic graphs: valid, marked synthetic, shaped like ours, never in data/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from graph.sparql.library import get_query
from graph.sparql.query import query
from graph.sparql.results import row_multiset
from graph.store.dataset import Dataset

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_sparql", ROOT / "benchmarks" / "bench_sparql.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_graph_is_valid_marked_and_exercises_the_library(tmp_path) -> None:
    bench = _bench()
    path = tmp_path / "synthetic.ttl"
    n = bench.generate(300, path)  # 300 entities: each question still has answers (12-44 rows)
    assert "# SYNTHETIC benchmark data" in path.read_text(encoding="utf-8")[:5000]
    local = Dataset([path], default_data=False, use_cache=False).local()
    bare = len(local) - len(Dataset(default_data=False, use_cache=False))
    assert 0.95 * n <= bare <= n  # fewer only where random picks repeat a triple
    # The library questions find answers in it, the same on both engines.
    for name in ("envisaged-synergies", "eurocluster-ecosystems", "partnership-funding-by-period"):
        a = query(get_query(name).text, local)
        assert len(a.rows) > 0, name
        b = query(get_query(name).text, local.to_graph(), engine="rdflib")
        assert row_multiset(a) == row_multiset(b), name


def test_no_synthetic_data_in_data_folder() -> None:
    for f in (ROOT / "data").glob("*"):
        assert "example.org/synthetic" not in f.read_text(encoding="utf-8", errors="replace"), f
