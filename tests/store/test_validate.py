"""SHACL validation: the curated data conforms; each kind of defect is caught with its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import graph
from graph.store.validate import ValidationReport, validate_graph


@pytest.fixture(scope="module")
def bad_report(fixtures: Path) -> ValidationReport:
    return validate_graph(graph.load_graph([fixtures / "violating.ttl"]))


def test_curated_data_conforms(kg) -> None:
    report = validate_graph(kg)
    violations = [r.line() for r in report.results if r.severity == "Violation"]
    assert report.conforms, "\n".join(violations[:30])


def test_report_results_are_typed_and_sorted(bad_report: ValidationReport) -> None:
    assert not bad_report.conforms
    assert bad_report.results == sorted(
        bad_report.results, key=lambda r: ({"Violation": 0, "Warning": 1, "Info": 2}[r.severity],
                                           r.source_file, r.focus, r.path, r.message, r.value))
    first = bad_report.results[0]
    assert first.severity == "Violation"
    assert first.source_file.endswith("violating.ttl")


@pytest.mark.parametrize(
    ("focus", "path", "needle"),
    [
        ("ckr:fixture-nolabel", "rdfs:label", "English rdfs:label"),
        ("ckr:fixture-nolabel", "prov:wasDerivedFrom", "prov:wasDerivedFrom"),
        ("ckr:fixture-baddate", "ckg:startDate", "xsd:date"),
        ("ckr:fixture-baddate", "ckg:supports", "dangling reference"),
        ("ckr:fixture-region", "", "NUTS IRI"),
        ("ckr:fixture-money", "ckg:currency", "currency"),
        ("ckr:fixture-money", "ckg:value", "xsd:decimal"),
        ("ckr:fixture-synergy", "ckg:synergyTarget", "synergyTarget"),
        ("ckr:fixture-synergy", "ckg:synergyType", "synergyType"),
    ],
)
def test_each_defect_is_reported(bad_report: ValidationReport, focus: str, path: str, needle: str) -> None:
    hits = [r for r in bad_report.results
            if r.severity == "Violation" and r.focus == focus and r.path == path and needle in r.message]
    assert hits, f"no violation for {focus} {path} mentioning {needle!r}:\n" + bad_report.text()
    assert hits[0].source_file.endswith("violating.ttl")


def test_json_report(bad_report: ValidationReport) -> None:
    doc = json.loads(bad_report.to_json())
    assert doc["conforms"] is False
    assert doc["violations"] == bad_report.count("Violation") > 0
    assert {"severity", "source_file", "focus", "focus_label", "path", "message", "value"} <= set(doc["results"][0])


def test_warnings_do_not_break_conformance(tmp_path: Path) -> None:
    f = tmp_path / "warn.ttl"
    f.write_text(
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        "@prefix ckr: <https://w3id.org/clusterkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix src: <https://w3id.org/clusterkg/source/> .\n"
        'ckr:fixture-orphan a ckg:Initiative ; rdfs:label "Fixture orphan"@en ;'
        " prov:wasDerivedFrom src:seed-title .\n"
    )
    report = validate_graph(graph.load_graph([f]))
    assert report.conforms
    warns = [r for r in report.results if r.focus == "ckr:fixture-orphan"]
    assert {r.severity for r in warns} == {"Warning"}
    assert any("definition" in r.message for r in warns)
    assert any("orphan" in r.message for r in warns)
