"""Ontology and data hygiene: every tests/hygiene/*-violation.rq must return no row."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.namespaces import curie

QUERIES = sorted((Path(__file__).parent / "hygiene").glob("*-violation.rq"))


def test_there_are_hygiene_queries() -> None:
    assert len(QUERIES) >= 6


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_no_violation(kg, query: Path) -> None:
    rows = list(kg.graph.query(query.read_text(encoding="utf-8")))
    shown = ["  ".join(curie(str(v)) for v in row) for row in rows[:25]]
    assert not rows, f"{query.name}: {len(rows)} row(s)\n" + "\n".join(shown)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_each_query_catches_a_planted_defect(query: Path, fixtures: Path) -> None:
    """The hygiene queries are not vacuous: each finds at least one row in the defect fixture."""
    import graph

    bad = graph.load_graph([fixtures / "hygiene-defects.ttl"], default_data=False)
    rows = list(bad.graph.query(query.read_text(encoding="utf-8")))
    assert rows, f"{query.name} found nothing in tests/fixtures/hygiene-defects.ttl"
