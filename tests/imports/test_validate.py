"""The import validator: the columnar engine finds what the SPARQL reference finds, at scale."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pyoxigraph as ox
import pytest

from graph.errors import InputError
from graph.imports.context import ImportContext
from graph.imports.paths import actor_shapes_file, curated_files, ontology_files
from graph.imports.validate import load_constraints, validate_import, validate_store

from .helpers import Chain

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
_NT = re.compile(r"^(\S+) (\S+) (.*) \.$")


def _frame(lines: list[str]) -> pl.DataFrame:
    return pl.DataFrame([_NT.match(x).groups() for x in lines if x], schema=["s", "p", "o"], orient="row")  # type: ignore[union-attr]


def _both(lines: list[str], data: list[Path] | None = None) -> tuple[set[tuple[str, str, str]],
                                                                     set[tuple[str, str, str]]]:
    ctx = ImportContext(ontology=ontology_files(), curated=curated_files(), data=data or [])
    fast = validate_import(_frame(lines), ctx.types, ctx.subclasses, actor_shapes_file())
    ctx.store.bulk_load(input="\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    ref = validate_store(ctx.store, actor_shapes_file())
    return ({(v.focus, v.path, v.message) for v in fast}, {(v.focus, v.path, v.message) for v in ref})


def test_planted_defects_found_by_both_engines(chain: Chain) -> None:
    good = chain.out("erdf").read_text(encoding="utf-8").splitlines()
    fast, ref = _both(good + DEFECTS)
    assert fast == ref
    found = {(f.rsplit("/", 1)[-1], p) for f, p, _ in fast}
    assert found >= {("org-x", "ckg:pic"), ("org-x", "rdfs:label"), ("org-x", "ckg:latitude"), ("org-x", "ckg:sme"),
                     ("org-x", "ckg:participatesIn"), ("org-x", "prov:wasDerivedFrom"),
                     ("part-x", "ckg:participant"), ("part-x", "ckg:inProject"), ("de_1", "")}
    assert not any("operation-" in f for f, _, _ in fast)  # the real import conforms


def test_a_real_import_conforms_in_both_engines(chain: Chain) -> None:
    fast, ref = _both(chain.out("he").read_text(encoding="utf-8").splitlines(), [chain.out("nuts")])
    assert fast == ref == set()


def test_unsupported_shacl_is_an_error(tmp_path: Path) -> None:
    shapes = tmp_path / "s.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .""", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported SHACL terms"):
        load_constraints(shapes)


def test_the_shapes_cover_every_imported_class() -> None:
    targets = {t for c in load_constraints(actor_shapes_file()) for kind, t in c.targets if kind == "class"}
    for cls in ("Organisation", "Project", "Operation", "Participation", "FundingSummary", "Region", "ProgrammePart",
                "OperationalProgramme", "ImportedTable", "ImportRun", "SourcePassage", "Item"):
        assert CKG + cls in targets, cls
