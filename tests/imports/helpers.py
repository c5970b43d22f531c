"""Helpers for the tests of ``clusterkg import``: where the real-file excerpts are, counting in the output.

The real files (or byte-for-byte excerpts of them) are in ``fixtures/real/`` so that the tests run
on a clean clone; ``fixtures/real/make_excerpts.py --check`` verifies them against the full files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.imports import ImportResult

HERE = Path(__file__).resolve().parent
REAL = HERE / "fixtures" / "real"
FIXTURES = HERE / "fixtures"
RUN_DATE = "2026-01-01"


def real(name: str) -> Path:
    """A real file (or excerpt) of ``fixtures/real``; missing is a failure, never a skip."""
    path = REAL / name
    assert path.is_file(), f"missing real-data fixture {path} (run fixtures/real/make_excerpts.py)"
    return path


def store_of(*paths: Path) -> ox.Store:
    """An Oxigraph store with the given N-Triples files (to count what an import produced)."""
    store = ox.Store()
    for p in paths:
        store.bulk_load(path=str(p), format=ox.RdfFormat.N_TRIPLES)
    return store


def count(store: ox.Store, where: str) -> int:
    """``SELECT (COUNT(*) AS ?n) WHERE { where }`` with the project's prefixes (``where`` may be a
    sub-SELECT, to count distinct values)."""
    prefixes = ("PREFIX ckg: <https://w3id.org/clusterkg/ontology#> PREFIX ckr: <https://w3id.org/clusterkg/id/> "
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "PREFIX country: <http://publications.europa.eu/resource/authority/country/> "
                "PREFIX nuts: <http://data.europa.eu/nuts/code/> ")
    if where.lstrip().upper().startswith("SELECT"):
        where = "{ " + where + " }"
    res = store.query(prefixes + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(next(iter(res))["n"].value)  # type: ignore[index, union-attr]


@dataclass
class Chain:
    """The fixture imports, run once per test session, in the order the README gives."""

    outs: dict[str, Path]
    results: dict[str, ImportResult]

    def out(self, name: str) -> Path:
        return self.outs[name]

    @property
    def data_args(self) -> list[str]:
        return [arg for name in self.results for arg in ("--data", str(self.out(name)))]




def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
