"""``validate_store``: the API on a pyoxigraph store (origin, warnings, focus), the rdflib wrapper, and a
violation planted in a large synthetic file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph
from graph.store.dataset import Dataset
from graph.store.validate import ValidationReport, validate_graph, validate_store

ROOT = Path(__file__).resolve().parents[2]

# The defects planted in tests/fixtures/violating.ttl: (focus, path) of each violation.
PLANTED = {
    ("ckr:fixture-baddate", "ckg:startDate"),
    ("ckr:fixture-baddate", "ckg:supports"),
    ("ckr:fixture-money", "ckg:currency"),
    ("ckr:fixture-money", "ckg:value"),
    ("ckr:fixture-nolabel", "prov:wasDerivedFrom"),
    ("ckr:fixture-nolabel", "rdfs:label"),
    ("ckr:fixture-region", ""),
    ("ckr:fixture-synergy", "ckg:synergyTarget"),
    ("ckr:fixture-synergy", "ckg:synergyType"),
}


def _violations(report: ValidationReport) -> set[tuple[str, str]]:
    return {(r.focus, r.path) for r in report.results if r.severity == "Violation"}


@pytest.fixture(scope="module")
def bad_store(fixtures: Path) -> ox.Store:
    return Dataset([fixtures / "violating.ttl"], use_cache=False).store


def test_origin_names_the_file(bad_store: ox.Store) -> None:
    asked: list[str] = []

    def origin(iri: str) -> str:
        asked.append(iri)
        return "violating.ttl" if "/fixture-" in iri else "data/x.ttl"

    report = validate_store(bad_store, origin=origin)
    assert _violations(report) >= PLANTED
    assert {r.source_file for r in report.results if r.focus.startswith("ckr:fixture-")} == {"violating.ttl"}
    assert "https://w3id.org/clusterkg/id/fixture-money" in asked
    assert len(asked) == len(set(asked))  # asked once per focus node
    assert validate_store(bad_store).results[0].source_file == ""  # no origin: no file


def test_same_report_as_the_rdflib_wrapper(bad_store: ox.Store, fixtures: Path) -> None:
    direct = validate_store(bad_store)
    wrapped = validate_graph(graph.load_graph([fixtures / "violating.ttl"]))
    strip = [(r.severity, r.focus, r.focus_label, r.path, r.message, r.value) for r in wrapped.results]
    assert sorted(strip) == sorted((r.severity, r.focus, r.focus_label, r.path, r.message, r.value)
                                   for r in direct.results)


def test_warnings_off(bad_store: ox.Store) -> None:
    report = validate_store(bad_store, warnings=False)
    assert report.count("Warning") == 0
    assert _violations(report) == _violations(validate_store(bad_store))


def test_focus_restricts_the_nodes_checked(bad_store: ox.Store) -> None:
    money = "https://w3id.org/clusterkg/id/fixture-money"
    report = validate_store(bad_store, focus=[money])
    assert {r.focus for r in report.results} == {"ckr:fixture-money"}
    assert _violations(report) == {p for p in PLANTED if p[0] == "ckr:fixture-money"}


def test_graph_on_the_oxigraph_store(fixtures: Path) -> None:
    """A graph on oxrdflib's store is validated in place (a named graph of the store), not copied."""
    loaded = graph.load_graph([fixtures / "violating.ttl"], store="oxigraph")
    report = validate_graph(loaded)
    assert _violations(report) >= PLANTED
    assert {r.source_file for r in report.results if r.focus == "ckr:fixture-money"} != {""}


def _synthetic() -> object:
    spec = importlib.util.spec_from_file_location("clusterkg_synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_violation_planted_in_a_large_file_is_reported(tmp_path: Path, fixtures: Path) -> None:
    """The 1M-triple case of benchmarks/bench_validate.py, at 1 % of the size: every planted defect
    is still reported among the synthetic data's own results."""
    synthetic = _synthetic()
    big = synthetic.write(1700, out=tmp_path / "synthetic.nt")  # type: ignore[attr-defined]
    planted = tmp_path / "planted.nt"
    store = ox.Store()
    store.load(path=str(fixtures / "violating.ttl"), format=ox.RdfFormat.TURTLE)
    store.dump(output=str(planted), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    # the planted triples go in the middle of the big file
    lines = big.read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    big.write_text("\n".join([*lines[:half], planted.read_text(encoding="utf-8"), *lines[half:]]) + "\n",
                   encoding="utf-8")
    local = Dataset([big], use_cache=False).local()
    assert len(local) > 10_000
    report = validate_store(local.store, origin=lambda iri: "synthetic.nt")
    assert _violations(report) >= PLANTED
    assert not report.conforms


def test_labels_read_at_once_are_the_labels_read_one_by_one(bad_store: ox.Store,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Past BULK_LABELS lookups the report reads every label in one scan: the report is the same."""
    one_by_one = validate_store(bad_store)
    monkeypatch.setattr("graph.store.validate.BULK_LABELS", 0)
    at_once = validate_store(bad_store)
    assert at_once.text() == one_by_one.text()
    assert any(r.focus_label for r in at_once.results)


def test_origin_of_each_subject_is_the_first_file_stating_it(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.ttl"
    first.write_text('<https://w3id.org/clusterkg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n')
    second.write_text("@prefix ckr: <https://w3id.org/clusterkg/id/> .\n"
                      "ckr:x ckr:p ckr:y . ckr:y ckr:p ckr:x . [] ckr:p ckr:x .\n")
    find = Dataset([first, second], use_cache=False).origin()
    assert find("https://w3id.org/clusterkg/id/x").endswith("a.nt")
    assert find("https://w3id.org/clusterkg/id/y").endswith("b.ttl")
    assert find("https://w3id.org/clusterkg/id/nowhere") == ""
    assert find("https://w3id.org/clusterkg/id/cosme").endswith(".ttl")  # the built-in data
