"""An import is validated by the project's one SHACL validator, as its triples will be in the graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import InputError, ValidationFailed
from graph.imports import import_tables
from graph.imports.paths import actor_shapes_file
from graph.store.dataset import Dataset
from graph.store.validate import shape_checks

from .helpers import RUN_DATE, Chain, real

CKR = "https://w3id.org/clusterkg/id/"
CKG = "https://w3id.org/clusterkg/ontology#"
DEFECTS = [
    f"<{CKR}org-x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CKG}Organisation> .",
    f'<{CKR}org-x> <{CKG}pic> "12" .',
    f'<{CKR}org-x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@de .',
    f'<{CKR}org-x> <{CKG}latitude> "95.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
    f'<{CKR}org-x> <{CKG}sme> "yes" .',
    f"<{CKR}org-x> <{CKG}participatesIn> <{CKR}horizon-2020> .",
    f"<{CKR}part-x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{CKG}Participation> .",
    f"<{CKR}part-x> <{CKG}participant> <{CKR}org-x> .",
    f"<{CKR}part-x> <{CKG}participant> <{CKR}org-y> .",
    "<http://data.europa.eu/nuts/code/de_1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    f"<{CKG}Region> .",
]


def _store(lines: list[str]) -> ox.Store:
    added = ox.Store()
    added.bulk_load(input="\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    return added


def _results(lines: list[str], data: list[Path] | None = None) -> set[tuple[str, str, str]]:
    """(local name of the focus node, path, message) of every result on ``lines`` added to the graph."""
    report = Dataset(data or [], use_cache=False).validate_addition(_store(lines), shapes=[actor_shapes_file()])
    return {(r.focus.rsplit("/", 1)[-1].rsplit(":", 1)[-1], r.path, r.message) for r in report.results}


def test_planted_defects_are_found(chain: Chain) -> None:
    good = chain.out("erdf").read_text(encoding="utf-8").splitlines()
    found = {(f, p) for f, p, _ in _results(good + DEFECTS)}
    assert found >= {("org-x", "ckg:pic"), ("org-x", "rdfs:label"), ("org-x", "ckg:latitude"), ("org-x", "ckg:sme"),
                     ("org-x", "ckg:participatesIn"), ("org-x", "prov:wasDerivedFrom"),
                     ("part-x", "ckg:participant"), ("part-x", "ckg:inProject"), ("de_1", "")}
    assert not any("operation-" in f for f, _ in found)  # the real import conforms


def test_a_real_import_conforms_in_the_graph_it_links_into(chain: Chain) -> None:
    # Horizon Europe organisations point at NUTS regions: classes found in the --data file
    assert _results(chain.out("he").read_text(encoding="utf-8").splitlines(), [chain.out("nuts")]) == set()


def test_a_node_the_graph_defines_keeps_its_facts(chain: Chain) -> None:
    # The H2020 participations add facts about organisations the Horizon Europe import defines
    # (named there): validated with the graph's facts, as they will be once both are loaded.
    h2020 = chain.out("h2020").read_text(encoding="utf-8").splitlines()
    assert _results(h2020, [chain.out(n) for n in ("nuts", "he", "projects")]) == set()
    # the same triples on their own: the organisations and projects named in the graph have no label here
    alone = _results(h2020, [])
    assert alone and {p for _, p, _ in alone} == {"rdfs:label"}


def test_what_the_graph_already_breaks_is_not_the_additions(chain: Chain) -> None:
    # Without the curated data, the ERDF import's links to ckr:erdf, country:DEU... dangle: a problem of
    # that graph (validating it says so), not of triples added to it, which are checked for their own.
    erdf = chain.out("erdf")
    lines = erdf.read_text(encoding="utf-8").splitlines()
    base = Dataset([erdf], default_data=False, use_cache=False)
    assert base.validate_addition(_store(lines), shapes=[actor_shapes_file()]).results == []
    op = f"<{CKR}operation-2014de16rfop001-r2>"
    report = base.validate_addition(_store([*lines, f"{op} <{CKG}partOf> <{CKR}nowhere> ."]),
                                    shapes=[actor_shapes_file()])
    assert {(r.focus, r.path, r.value) for r in report.results} == {
        ("ckr:operation-2014de16rfop001-r2", "ckg:partOf", "ckr:nowhere")}
    # the same lines in a graph of their own: the dangling links are theirs
    alone = Dataset([], default_data=False, use_cache=False).validate_addition(_store(lines),
                                                                               shapes=[actor_shapes_file()])
    assert any(r.path == "ckg:fundedBy" and r.value == "ckr:erdf" for r in alone.results)


def test_a_violation_names_its_table_and_row(tmp_path: Path) -> None:
    mapping = tmp_path / "broken.yaml"  # forgets to link operations to their programme
    text = (Path(__file__).resolve().parents[2] / "mappings" / "erdf-operations-de.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("      - [ckg:partOf, ckr:op-2014de16rfop001~iri]\n", ""), encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        import_tables(mapping, [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.nt", run_date=RUN_DATE,
                      progress=False)
    results = err.value.report.results  # type: ignore[attr-defined]
    assert results and all(r.source_file.startswith("osdata_ERDF_BaWue_2014-2020.csv, row ") for r in results)
    # the message lists them in the order of the rows: the first data row's operation first
    assert ("(nothing written): osdata_ERDF_BaWue_2014-2020.csv, row 2: Violation: ckr:operation-2014de16rfop001-r2 "
            in str(err.value))
    assert not list(tmp_path.glob("*.nt")) and not list(tmp_path.glob(".*.tmp"))


def test_unsupported_shacl_is_an_error(tmp_path: Path) -> None:
    shapes = tmp_path / "s.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .""", encoding="utf-8")
    with pytest.raises(InputError, match="not supported"):
        shape_checks([shapes])


def test_the_shapes_cover_every_imported_class() -> None:
    shapes = ox.Store()
    shapes.load(path=str(actor_shapes_file()), format=ox.RdfFormat.TURTLE)
    targets = {row[0].value for row in shapes.query(  # type: ignore[union-attr, index]
        "SELECT ?c WHERE { ?s <http://www.w3.org/ns/shacl#targetClass> ?c }")}
    for cls in ("Organisation", "Project", "Operation", "Participation", "FundingSummary", "Region", "ProgrammePart",
                "OperationalProgramme", "ImportedTable", "ImportRun", "SourcePassage", "Item"):
        assert CKG + cls in targets, cls
