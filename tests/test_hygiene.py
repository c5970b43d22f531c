"""Ontology and data hygiene: every tests/hygiene/*-violation.rq must return no row.

Some sources have a local copy: the founding document and the reference notes (domain facts,
partnerships) are kept in ``docs/sources`` (and in ``../shared`` next to a development checkout).
The data names each copy by its file name
(``dcterms:identifier`` of the ``ckg:SourceDocument``); the tests add the text of every copy found as
``ckg:documentText`` so that the hygiene query on cited passages can check each passage's anchor text,
and each page the notes cite, against the document itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import DCTERMS, RDF, Graph, Literal, URIRef

from graph.namespaces import CKG, curie

QUERIES = sorted((Path(__file__).parent / "hygiene").glob("*-violation.rq"))
ROOT = Path(__file__).resolve().parent.parent
SOURCE_QUERY = "cited-passages-missing-from-document-violation.rq"


def source_dirs() -> list[Path]:
    """Where local copies of source documents are looked for: $CLUSTERKG_SOURCES, docs/sources (shipped
    with the repository), then ../shared."""
    dirs = [Path(d) for d in os.environ.get("CLUSTERKG_SOURCES", "").split(os.pathsep) if d]
    dirs.append(ROOT / "docs" / "sources")
    dirs.append(ROOT.parent / "shared")
    return [d for d in dirs if d.is_dir()]


def document_texts(graph: Graph) -> dict[URIRef, str]:
    """The text of every source document whose file (its dcterms:identifier) has a local copy."""
    found: dict[URIRef, str] = {}
    for doc in graph.subjects(RDF.type, CKG.SourceDocument):
        name = graph.value(doc, DCTERMS.identifier)
        if not isinstance(doc, URIRef) or name is None:
            continue
        for d in source_dirs():
            hits = sorted(d.rglob(str(name)))
            if hits:
                found[doc] = hits[0].read_text(encoding="utf-8")
                break
    return found


def with_texts(graph: Graph) -> Graph:
    """The graph and the text of its documents, on Oxigraph (the engine clusterkg queries with)."""
    from graph.store.load import make_graph

    g = make_graph("oxigraph")
    g.addN((s, p, o, g) for s, p, o in graph)
    for doc, text in document_texts(graph).items():
        g.add((doc, CKG.documentText, Literal(text)))
    return g


@pytest.fixture(scope="module")
def checked(kg) -> Graph:
    return with_texts(kg.graph)


def test_there_are_hygiene_queries() -> None:
    assert len(QUERIES) >= 11


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_no_violation(checked, query: Path) -> None:
    rows = list(checked.query(query.read_text(encoding="utf-8")))
    shown = ["  ".join(curie(str(v)) for v in row) for row in rows[:25]]
    assert not rows, f"{query.name}: {len(rows)} row(s)\n" + "\n".join(shown)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_each_query_catches_a_planted_defect(query: Path, fixtures: Path) -> None:
    """The hygiene queries are not vacuous: each finds at least one row in the defect fixture."""
    import graph

    bad = graph.load_graph([fixtures / "hygiene-defects.ttl"], default_data=False, store="oxigraph")
    rows = list(bad.graph.query(query.read_text(encoding="utf-8")))
    assert rows, f"{query.name} found nothing in tests/fixtures/hygiene-defects.ttl"


def test_passage_check_catches_each_kind_of_defect(fixtures: Path) -> None:
    """The document check finds a missing anchor, an anchor not in the text and an uncited page."""
    import graph

    bad = graph.load_graph([fixtures / "hygiene-defects.ttl"], default_data=False, store="oxigraph")
    rows = bad.graph.query((Path(__file__).parent / "hygiene" / SOURCE_QUERY).read_text(encoding="utf-8"))
    problems = {str(r.problem).split(": ")[0] for r in rows}
    assert {"no ckg:anchorText to find it in its document", "anchor text not in the document",
            "page not cited in the notes that reference it", "cited but not a ckg:SourcePassage",
            } <= problems, problems


def test_local_copies_are_checked(kg) -> None:
    """The founding document and both reference notes are found (docs/sources) and checked."""
    texts = document_texts(kg.graph)
    names = {curie(str(d)) for d in texts}
    assert {"src:seed", "src:domain-facts", "src:partnership-notes"} <= names, names
    seed = texts[URIRef("https://w3id.org/clusterkg/source/seed")]
    assert "Joint Cluster Initiatives" in seed
