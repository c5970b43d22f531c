"""``build`` outputs: byte-identical across runs and processes; graph equal to the input; inference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import graph
from graph.namespaces import CKG, CKR

ROOT = Path(__file__).resolve().parents[2]


def _build_in_subprocess(out: Path, seed: str, cache: Path) -> None:
    env = dict(os.environ, PYTHONHASHSEED=seed, CLUSTERKG_CACHE_DIR=str(cache))
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "--no-cache", "build", "--out", str(out)],
                   check=True, env=env, cwd=ROOT, capture_output=True)


def test_build_is_byte_identical_across_processes(tmp_path: Path) -> None:
    _build_in_subprocess(tmp_path / "a", "1", tmp_path / "c1")
    _build_in_subprocess(tmp_path / "b", "2", tmp_path / "c2")
    for name in ("graph.ttl", "graph.nt", "validation.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    import pyoxigraph as ox

    store = ox.Store.read_only(str(tmp_path / "a" / "store"))
    assert len(store) == len((tmp_path / "a" / "graph.nt").read_text().splitlines())


def test_outputs_hold_exactly_the_loaded_graph(tmp_path: Path) -> None:
    result = graph.build(tmp_path / "out", use_cache=False)
    # the dataset's store keeps typed literals in canonical form ("P36M"^^xsd:duration is the
    # equal "P3Y"); read back with the project's strict reader, which keeps lexical forms
    loaded = graph.Dataset(use_cache=False).rdflib()
    assert len(loaded) == len(graph.load_graph().graph)
    ttl = graph.load_graph([tmp_path / "out" / "graph.ttl"], default_data=False, ontology=False).graph
    nt = graph.load_graph([tmp_path / "out" / "graph.nt"], default_data=False, ontology=False).graph
    assert isomorphic(ttl, loaded)
    assert isomorphic(nt, loaded)
    assert result.triples == len(loaded)
    # rdflib reads the same outputs too (it may normalise lexical forms, not the number of triples)
    assert len(Graph().parse(tmp_path / "out" / "graph.ttl", format="turtle")) == len(loaded)


def test_blank_nodes_in_user_data_are_canonical(tmp_path: Path) -> None:
    f = tmp_path / "bn.ttl"
    f.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p [ ex:q [ ex:r 1 ] ] .\n")
    outs = []
    for i in range(2):
        graph.build(tmp_path / f"o{i}", [f], default_data=False, use_cache=False)
        outs.append((tmp_path / f"o{i}" / "graph.nt").read_bytes())
    assert outs[0] == outs[1]


def test_owlrl_inference_adds_inverses_and_supertypes() -> None:
    plain = graph.load_graph().graph
    funded = list(plain.subject_objects(CKG.fundedBy))
    assert funded, "the data should use ckg:fundedBy"
    s, o = funded[0]
    assert (o, CKG.funds, s) not in plain
    # the dataset built with --infer owlrl (through the session's cache: `show --infer` reads it too)
    g = graph.open_dataset(infer="owlrl").rdflib()
    assert len(g) > len(plain)
    assert (o, CKG.funds, s) in g
    assert (CKR["joint-cluster-initiatives"], None, None) in g
    from rdflib import RDF

    assert (CKR["horizon-europe"], RDF.type, CKG.Entity) in g
    # the ontology's own terms are not re-typed with inferred junk
    assert (CKG.Programme, RDF.type, CKG.Entity) not in g


def test_atomic_writes_get_ordinary_permissions(tmp_path: Path) -> None:
    """Regression: files written through a temporary file were private (0600)."""
    from graph.store.serialize import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "map.html", "<p>x</p>")
    finally:
        os.umask(old)
    assert (tmp_path / "map.html").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_store_serializations_are_the_sorted_lines_and_spot_blank_nodes() -> None:
    """The N-Triples come from Oxigraph's own writer: sorted as text, and a blank node (never a literal
    that happens to end in ``_:x .``) sends the graph through the canonical relabelling."""
    import pyoxigraph as ox

    from graph.store.serialize import store_serializations

    ex = "http://ex.org/"
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode(ex + "b"), ox.NamedNode(ex + "p"), ox.Literal("ends like a node _:x .")))
    s.add(ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p"), ox.Literal("é ü", language="fr")))
    s.add(ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "q"), ox.NamedNode(ex + "b")))
    ttl, nt = store_serializations(s)
    lines = nt.splitlines()
    assert lines == sorted(lines) and len(lines) == 3 and "_:x ." in lines[-1]
    assert Graph().parse(data=ttl, format="turtle").isomorphic(Graph().parse(data=nt, format="nt"))
    s.add(ox.Quad(ox.NamedNode(ex + "c"), ox.NamedNode(ex + "q"), ox.BlankNode("zz")))
    _, nt2 = store_serializations(s)
    assert "_:zz" not in nt2 and len(nt2.splitlines()) == 4  # relabelled canonically


def test_build_prepares_the_topology_the_read_commands_use(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build, centrality reads the network's topology from the cache entry (build made it)."""
    from graph.network import store as network_store
    from graph.store.build import build
    from graph.store.dataset import Dataset

    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    build(tmp_path / "out")
    made = sorted(p.name for p in (tmp_path / "cache").glob("ds-*/topo-*.json"))
    assert len(made) == 1
    # ~4k triples: the library's questions are not asked ahead (each answers in milliseconds anyway)
    assert not list((tmp_path / "cache").glob("ds-*/answers"))

    def no_projection(*args: object, **kwargs: object) -> None:
        raise AssertionError("the topology was projected again")

    monkeypatch.setattr(network_store, "project_topology", no_projection)
    topo = Dataset().topology(include_classes=[], periods=[])  # what `centrality` asks for
    assert topo.number_of_nodes() > 300
    assert sorted(p.name for p in (tmp_path / "cache").glob("ds-*/topo-*.json")) == made


def test_build_keeps_the_library_answers_when_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build(warm=True) asks every library question once, in another process (what it does by itself
    from 100k triples on), and keeps each answer: each is then read back, and is the expected one."""
    from graph.sparql.library import expected_path, list_queries
    from graph.sparql.query import query
    from graph.sparql.results import parse_results_json, row_multiset
    from graph.store.build import build
    from graph.store.dataset import Dataset

    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path / "cache"))
    build(tmp_path / "out", warm=True)
    questions = list_queries()
    assert len(list((tmp_path / "cache").glob("ds-*/answers/*.json"))) == len(questions)
    assert not list((tmp_path / "cache").glob("ds-*/answers/.tmp-*"))
    ds = Dataset()
    for q in questions:
        r = query(q.text, ds)
        assert r.cached, q.name
        if q.name.startswith("actors-"):  # answered on an imported fixture (tests/imports/test_questions.py)
            continue
        expected = parse_results_json(expected_path(q.name).read_text(encoding="utf-8"))
        assert r.type == expected.type and row_multiset(r) == row_multiset(expected), q.name
