"""The graph cache: reused when nothing changed, rebuilt when any input changes."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDFS, Literal, URIRef

import graph
from graph.store.cache import cache_dir, cache_key, open_graph

SUBJ = URIRef("https://w3id.org/clusterkg/id/fixture-cached")


def _write(path: Path, label: str) -> None:
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{SUBJ}> rdfs:label "{label}"@en .\n'
    )


def test_cache_is_written_then_reused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "x.ttl"
    _write(f, "first")
    key = cache_key([f])
    first = open_graph([f])
    assert (cache_dir() / f"{key}.pickle").is_file()
    calls = []
    monkeypatch.setattr("graph.store.cache.load_graph", lambda *a, **k: calls.append(1))
    second = open_graph([f])
    assert not calls, "the second open must come from the cache"
    assert set(second.graph) == set(first.graph)
    assert second.origin[SUBJ] == str(f)


def test_changed_input_is_never_served_stale(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "x.ttl"
    _write(f, "before")
    assert (SUBJ, RDFS.label, Literal("before", lang="en")) in open_graph([f]).graph
    _write(f, "after")
    g = open_graph([f]).graph
    assert (SUBJ, RDFS.label, Literal("after", lang="en")) in g
    assert (SUBJ, RDFS.label, Literal("before", lang="en")) not in g


def test_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "x.ttl"
    _write(f, "x")
    open_graph([f])
    (cache_dir() / f"{cache_key([f])}.pickle").write_bytes(b"garbage")
    assert (SUBJ, RDFS.label, Literal("x", lang="en")) in open_graph([f]).graph


def test_unwritable_cache_still_loads(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(blocker / "cache"))
    assert len(graph.open_graph().graph) > 1000


def test_clear_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    open_graph()
    assert graph.clear_cache() == 1
    assert graph.clear_cache() == 0


def test_cache_keeps_lexical_forms(tmp_path: Path, monkeypatch) -> None:
    """Regression: a cached graph came back with rdflib-normalised literals ("P36M" → "P3Y")."""
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    f = tmp_path / "d.ttl"
    f.write_text(f'<{SUBJ}> <https://w3id.org/clusterkg/ontology#duration> '
                 '"P36M"^^<http://www.w3.org/2001/XMLSchema#duration> .\n')
    first = set(open_graph([f]).graph)
    second = set(open_graph([f]).graph)
    assert first == second
    assert any(str(o) == "P36M" for _, _, o in second)
