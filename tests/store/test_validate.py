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


def test_curated_data_conforms(curated_report: ValidationReport) -> None:
    violations = [r.line() for r in curated_report.results if r.severity == "Violation"]
    assert curated_report.conforms, "\n".join(violations[:30])
    assert all(r.source_file.startswith("data/") for r in curated_report.results), curated_report.text()


# What pySHACL 0.40.1 reports for ontology + curated data + violating.ttl with every shape file
# (shapes.ttl, shapes-recommended.ttl, shapes-actors.ttl; advanced=True, no inference):
# (severity, focus, path, message, value). The curated data's own three warnings are
# left out, so that adding data does not break this test.
PYSHACL_ON_VIOLATING = {
    ("Violation", "ckr:fixture-region", "ckg:partOf", "a region must be ckg:partOf its parent region or country", ""),
    ("Violation", "ckr:fixture-region", "ckg:nutsLevel",
     "a region needs one ckg:nutsLevel, 1, 2 or 3 (level 0 is the country)", ""),
    ("Violation", "ckr:fixture-region", "ckg:nutsCode", "a region needs one ckg:nutsCode", ""),
    ("Violation", "ckr:fixture-nolabel", "prov:wasDerivedFrom",
     "needs prov:wasDerivedFrom pointing at a ckg:SourcePassage (for imports: a row of an imported table)", ""),
    ("Violation", "ckr:fixture-baddate", "ckg:startDate", "ckg:startDate must be a single xsd:date (YYYY-MM-DD)",
     "March 2020"),
    ("Violation", "ckr:fixture-baddate", "ckg:supports",
     "dangling reference: points at a node that is not defined anywhere (it has no rdf:type)",
     "ckr:fixture-does-not-exist"),
    ("Violation", "ckr:fixture-money", "ckg:currency",
     "a monetary amount needs exactly one ckg:currency from the EU currency authority table (e.g. currency:EUR)", ""),
    ("Violation", "ckr:fixture-money", "ckg:value", "a figure needs exactly one ckg:value typed xsd:decimal", "a lot"),
    ("Violation", "ckr:fixture-nolabel", "prov:wasDerivedFrom",
     "needs prov:wasDerivedFrom pointing at a ckg:SourcePassage defined in data/sources.ttl", ""),
    ("Violation", "ckr:fixture-nolabel", "rdfs:label",
     'needs exactly one English rdfs:label ("..."@en); labels in other languages are welcome', ""),
    ("Violation", "ckr:fixture-region", "",
     "a ckg:Region must be identified by its NUTS IRI, http://data.europa.eu/nuts/code/{NUTS_ID}",
     "ckr:fixture-region"),
    ("Violation", "ckr:fixture-synergy", "ckg:synergyTarget",
     "a synergy needs exactly one ckg:synergyTarget that is a ckg:Entity", ""),
    ("Violation", "ckr:fixture-synergy", "ckg:synergyType",
     "a synergy needs a ckg:synergyType (ckg:Funding, ckg:Implementation, ...)", ""),
    ("Warning", "ckr:fixture-baddate", "", "should have an English skos:definition saying what it is",
     "ckr:fixture-baddate"),
    ("Warning", "ckr:fixture-nolabel", "", "is not linked to any other entity (an orphan in the linkage network)",
     "ckr:fixture-nolabel"),
    ("Warning", "ckr:fixture-nolabel", "", "should have an English skos:definition saying what it is",
     "ckr:fixture-nolabel"),
    ("Warning", "ckr:fixture-synergy", "ckg:direction",
     "should say its ckg:direction (ckg:Directed or ckg:Bidirectional)", ""),
    ("Warning", "ckr:fixture-synergy", "ckg:status",
     "should say its ckg:status (ckg:Envisaged, ckg:Active or ckg:Ended)", ""),
}


def test_same_results_and_messages_as_pyshacl(bad_report: ValidationReport) -> None:
    ours = {(r.severity, r.focus, r.path, r.message, r.value) for r in bad_report.results
            if r.source_file.endswith("violating.ttl")}
    assert ours == PYSHACL_ON_VIOLATING


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
