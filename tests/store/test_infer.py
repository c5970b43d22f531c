"""``--infer`` (graph/store/infer.py) keeps exactly the triples that owlrl, the Python reference
implementation of OWL 2 RL and RDFS on rdflib, gives: on the curated data and on fixtures.

owlrl is what clusterkg used before (about 50 times slower); here it runs as it ran there, and its
closure goes through the same filter (``worth_keeping``). Its RDFS closure also gives, beside a literal
value it rightly infers, copies of that value spelled like other literals of the graph (``"EUCLES"@en``
beside ``"EUCLES"`` when the entity's label is ``"EUCLES"@en``; ``"56"^^xsd:integer`` beside
``"56.0"^^xsd:decimal``): those copies, and only those, are allowed to be missing from ours
(``tests/fixtures/inference.ttl`` has such literals).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import XSD, Graph, Literal, URIRef

from graph.namespaces import CKG
from graph.store.infer import closure, materialise, worth_keeping
from graph.store.load import load_graph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FX = "https://example.org/clusterkg-inference/"


def owlrl_closure(graph: Graph, regime: str) -> set[Any]:
    """The closure owlrl gives (as clusterkg ran it before).

    Its working graph is rdflib's context-free ``SimpleMemory`` store: the same triples, and the same
    closure as in rdflib's default store (a set of triples either way), about a fifth faster."""
    import owlrl

    work = Graph(store="SimpleMemory")
    for t in graph:
        work.add(t)
    semantics = owlrl.RDFS_Semantics if regime == "rdfs" else owlrl.OWLRL_Semantics
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return set(work)


def _same_value_spelled_otherwise(t: Any, objects: dict[tuple[Any, Any], set[Any]]) -> bool:
    s, p, o = t
    return isinstance(o, Literal) and any(
        isinstance(other, Literal) and other != o
        and (str(other) == str(o) or (other.value is not None and o.value is not None and other.value == o.value))
        for other in objects.get((s, p), ()))


def _compare(graph: Graph, regime: str) -> tuple[set[Any], set[Any]]:
    ours = set(worth_keeping(graph, closure(graph, regime)))  # type: ignore[arg-type]
    theirs = set(worth_keeping(graph, owlrl_closure(graph, regime)))
    return ours, theirs


def _check(graph: Graph, regime: str) -> set[Any]:
    ours, theirs = _compare(graph, regime)
    assert not ours - theirs, sorted(ours - theirs)[:10]
    missing = theirs - ours
    if regime == "owlrl":
        assert not missing, sorted(missing)[:10]
    else:
        objects: dict[tuple[Any, Any], set[Any]] = {}
        for s, p, o in set(graph) | ours:
            objects.setdefault((s, p), set()).add(o)
        unexplained = [t for t in missing if not _same_value_spelled_otherwise(t, objects)]
        assert not unexplained, sorted(unexplained)[:10]
    return ours


@pytest.mark.slow
@pytest.mark.parametrize("regime", ["owlrl", "rdfs"])
def test_the_curated_data_infers_what_owlrl_infers(regime: str) -> None:
    ours = _check(load_graph().graph, regime)
    assert len(ours) > 3000


@pytest.mark.parametrize("regime", ["owlrl", "rdfs"])
def test_the_fixtures_infer_what_owlrl_infers(regime: str) -> None:
    files = [FIXTURES / name for name in ("inference.ttl", "network.ttl", "extra.ttl")]
    ours = _check(load_graph(files, default_data=False).graph, regime)
    fx = {name: URIRef(FX + name) for name in ("prog", "fund", "r1", "r2", "r4", "s1", "s2", "a1", "a2", "a3")}
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    # RDFS: superclasses, domains and ranges, super-properties, super-properties of datatype properties
    rdfs = [(fx["prog"], rdf_type, URIRef(CKG.Entity)), (fx["fund"], rdf_type, URIRef(CKG.Entity)),
            (fx["r1"], URIRef(CKG.linkedTo), fx["r2"]),
            (URIRef(FX + "fig"), URIRef("http://data.europa.eu/s66#value"), Literal("56.0", datatype=XSD.decimal))]
    # OWL 2 RL besides: an inverse, a transitive chain, a functional property's two values made one entity
    # (s2 gets s1's link), a symmetric property, an equivalent class, owl:sameAs
    owl = [(fx["fund"], URIRef(CKG.funds), fx["prog"]), (fx["r1"], URIRef(CKG.partOf), fx["r4"]),
           (fx["s2"], URIRef(CKG.partOf), fx["prog"]), (fx["a2"], URIRef(FX + "advisedBy"), fx["a1"]),
           (fx["a3"], URIRef(FX + "twinned"), fx["a1"]), (fx["a2"], rdf_type, URIRef(CKG.Initiative)),
           (fx["prog"], URIRef(CKG.implementedBy), fx["a3"])]
    assert all(t in ours for t in rdfs), [t for t in rdfs if t not in ours]
    wrong = [t for t in owl if (t in ours) is not (regime == "owlrl")]
    assert not wrong, wrong


def test_a_regime_changes_only_what_it_should() -> None:
    """materialise adds what worth_keeping keeps, and a graph without axioms gains nothing."""
    g = load_graph([FIXTURES / "inference.ttl"], default_data=False).graph
    before = set(g)
    n = materialise(g, "owlrl")
    assert n == len(set(g) - before) > 0
    plain = Graph()
    plain.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), URIRef("https://example.org/b")))
    assert materialise(plain, "rdfs") == 0 and len(plain) == 1
    with pytest.raises(ValueError, match="unknown inference regime"):
        materialise(g, "owl-dl")  # type: ignore[arg-type]
