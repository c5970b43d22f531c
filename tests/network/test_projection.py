"""The RDF → networkx projection: entities only, every linkage, nothing else."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef

from graph.entities.describe import provenance_of
from graph.errors import TermNotFound
from graph.namespaces import curie
from graph.network.projection import directed_graph, project, resolve_class, simple_graph
from graph.store.load import load_graph, make_graph

FX = "https://example.org/clusterkg-fixture/"

ENTITIES_Q = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?e WHERE {
  ?e a ?c . ?c rdfs:subClassOf* ckg:Entity .
  FILTER(isIRI(?e))
  FILTER NOT EXISTS { ?e a ckg:Synergy } FILTER NOT EXISTS { ?e a ckg:SourcePassage }
}"""

LINKS_Q = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?s ?p ?o WHERE {
  ?s ?p ?o . FILTER(isIRI(?s) && isIRI(?o) && ?p != rdf:type)
  ?s a ?c1 . ?c1 rdfs:subClassOf* ckg:Entity .
  ?o a ?c2 . ?c2 rdfs:subClassOf* ckg:Entity .
  FILTER NOT EXISTS { ?s ?q ?o . ?q rdfs:subPropertyOf+ ?p . FILTER(?q != ?p) }
}"""

SYNERGIES_Q = """
PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?syn ?s ?t WHERE {
  ?syn a ckg:Synergy ; ckg:synergySource ?s ; ckg:synergyTarget ?t .
  ?s a ?c1 . ?c1 rdfs:subClassOf* ckg:Entity .
  ?t a ?c2 . ?c2 rdfs:subClassOf* ckg:Entity .
}"""


def expected(graph: Graph) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Entities and linkages, computed with SPARQL (on a copy in Oxigraph), independently of the
    projection code."""
    g = make_graph("oxigraph")
    g.addN((s, p, o, g) for s, p, o in graph)
    entities = {str(r[0]) for r in g.query(ENTITIES_Q)}
    links = {(str(s), str(o), curie(str(p))) for s, p, o in g.query(LINKS_Q)}
    links |= {(str(s), str(t), curie(str(syn))) for syn, s, t in g.query(SYNERGIES_Q)}
    return entities, links


@pytest.fixture(scope="module")
def fx_graph(fixtures) -> Graph:
    return load_graph([fixtures / "network.ttl"], default_data=False).graph


@pytest.fixture(scope="module")
def fx_net(fx_graph):
    return project(fx_graph)


def test_round_trip_on_curated_data(kg) -> None:
    net = project(kg.graph)
    entities, links = expected(kg.graph)
    assert len(entities) > 100
    assert set(net.nodes) == entities
    assert set(net.edges(keys=True)) == links
    assert net.number_of_edges() == len(links)  # no duplicates either


def test_round_trip_on_fixture(fx_graph, fx_net) -> None:
    entities, links = expected(fx_graph)
    assert set(fx_net.nodes) == entities
    assert set(fx_net.edges(keys=True)) == links
    # the fixture's own expectation, by hand: 18 entities, 18 plain linkages + 2 synergies
    assert fx_net.number_of_nodes() == 18
    assert fx_net.number_of_edges() == 20


def test_round_trip_after_inference(fixtures) -> None:
    """RDFS inference adds ckg:linkedTo for every linkage; only the most specific one is kept."""
    from graph.store.infer import materialise

    g = load_graph([fixtures / "network.ttl"], default_data=False).graph
    plain = project(g)
    materialise(g, "rdfs")
    inferred = project(g)
    entities, links = expected(g)
    assert set(inferred.nodes) == entities == set(plain.nodes)
    assert set(inferred.edges(keys=True)) == links
    assert not any(k == "ckg:linkedTo" for _, _, k in inferred.edges(keys=True))


def test_what_never_becomes_a_node(fx_net, kg) -> None:
    net = project(kg.graph)
    for g in (fx_net, net):
        for n, d in g.nodes(data=True):
            assert isinstance(n, str) and n.startswith(("http://", "https://"))
            assert "ckg:Entity" in d["classes"]
    assert FX + "figure-alpha-budget" not in fx_net
    assert FX + "synergy-alpha-beta-initiative" not in fx_net
    assert FX + "p-funding" not in fx_net and FX + "doc" not in fx_net
    assert not any(n.startswith("https://w3id.org/clusterkg/ontology#") for n in net)
    assert not any(n.startswith("https://w3id.org/clusterkg/source/") for n in net)


def test_node_attributes(fx_net) -> None:
    d = fx_net.nodes[FX + "alpha"]
    assert d["label"] == "Alpha Programme"
    assert (d["class"], d["class_curie"]) == ("programme", "ckg:Programme")
    assert d["classes"] == ["ckg:Entity", "ckg:Programme"]
    assert d["definition"] == "A fixture programme."
    assert d["acronym"] == "ALPHA" and d["startYear"] == "2021"
    assert d["scope"] == "European" and d["homepage"] == "https://example.org/alpha"
    assert d["source_text"] == 'Fixture handbook: "Funding chapter"'
    assert "hasFigure" not in d and "inPeriod" not in d
    # two stated classes: the most specific one wins
    e = fx_net.nodes[FX + "euro-one"]
    assert e["class"] == "Eurocluster"
    assert e["classes"] == ["ckg:ClusterPartnership", "ckg:Entity", "ckg:Eurocluster"]


def test_edge_attributes(fx_net) -> None:
    d = fx_net.edges[FX + "alpha-fund", FX + "alpha", "ckg:partOf"]
    assert d["kind"] == "property" and d["linkage"] == "part of"
    assert d["inverse_label"] == "has part"
    assert d["source_text"] == 'Fixture handbook: "Funding chapter"'
    s = fx_net.edges[FX + "alpha", FX + "beta-initiative", curie(FX + "synergy-alpha-beta-initiative")]
    assert s["kind"] == "synergy" and s["synergy_type"] == "funding"
    assert (s["direction"], s["status"], s["period"]) == ("directed", "active", "Programming period 2021-2027")
    assert s["strength"] == pytest.approx(0.9)
    assert [p["locator"] for p in s["provenance"]] == ["Funding chapter", "Policy chapter"]


def test_provenance_matches_describe(kg) -> None:
    net = project(kg.graph)
    for n, d in net.nodes(data=True):
        assert d["provenance"] == provenance_of(kg.graph, URIRef(n))
    for u, _, k, d in net.edges(keys=True, data=True):
        subject = u if d["kind"] == "property" else str(kg.graph.namespace_manager.expand_curie(k))
        assert d["provenance"] == provenance_of(kg.graph, URIRef(subject))


def test_class_filters(fx_graph) -> None:
    only = project(fx_graph, include_classes=["cluster partnership"])
    assert set(only.nodes) == {FX + "euro-one", FX + "euro-two"}  # subclasses count
    assert list(only.edges(keys=True)) == [(FX + "euro-one", FX + "euro-two",
                                            curie(FX + "synergy-euro-one-euro-two"))]
    without = project(fx_graph, exclude_classes=["place", "ckg:Theme"])
    assert FX + "north" not in without and FX + "digital" not in without
    assert FX + "alpha" in without
    with pytest.raises(TermNotFound) as err:
        project(fx_graph, include_classes=["programmz"])
    assert ("programme", "ckg:Programme") in err.value.candidates


def test_predicate_filters(fx_graph) -> None:
    only = project(fx_graph, include_predicates=["part of"])
    assert {k for _, _, k in only.edges(keys=True)} == {"ckg:partOf"}
    no_syn = project(fx_graph, exclude_predicates=["synergy"])
    assert all(d["kind"] == "property" for _, _, d in no_syn.edges(data=True))
    coord = project(fx_graph, include_predicates=["coordination"])
    assert [d["synergy_type"] for _, _, d in coord.edges(data=True)] == ["coordination"]


def test_period_and_status_filters(fx_graph) -> None:
    now = project(fx_graph, periods=["2021-2027"])
    kinds = {d.get("synergy_type") for _, _, d in now.edges(data=True) if d["kind"] == "synergy"}
    assert kinds == {"funding"}
    assert FX + "old-initiative" not in now  # stated period 2014-2020
    assert FX + "beta-policy" in now  # states no period: kept
    active = project(fx_graph, statuses=["active"])
    assert FX + "old-initiative" not in active and FX + "beta-initiative" in active
    assert not any(d.get("status") == "ended" for _, _, d in active.edges(data=True))
    with pytest.raises(TermNotFound):
        project(fx_graph, periods=["1066"])


def test_simple_and_directed_views(fx_net) -> None:
    h = simple_graph(fx_net)
    assert set(h.nodes) == set(fx_net.nodes)
    assert h.number_of_edges() == 20  # no parallel pairs in the fixture
    assert h.edges[FX + "alpha", FX + "beta-initiative"]["weight"] == pytest.approx(0.9)
    d = directed_graph(fx_net)
    assert d.has_edge(FX + "euro-two", FX + "euro-one")  # bidirectional synergy
    assert not d.has_edge(FX + "beta-initiative", FX + "alpha")  # directed synergy


def test_resolve_class(fx_net) -> None:
    assert resolve_class(fx_net, "Euroclusters") == "ckg:Eurocluster"
    assert resolve_class(fx_net, "https://w3id.org/clusterkg/ontology#Call") == "ckg:Call"


def test_dataset_caches_the_projection_as_json(fixtures, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import graph.network.store as netstore
    from graph.store.dataset import Dataset

    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path))
    paths = [fixtures / "network.ttl"]
    first = Dataset(paths, default_data=False).network(include_classes=["initiative"])
    entry = Dataset(paths, default_data=False).entry
    assert entry is not None
    cached = list(entry.glob("net-*.json"))
    assert len(cached) == 1
    json.loads(cached[0].read_text())  # plain data

    def boom(*args, **kwargs):
        raise AssertionError("projected again instead of reading the cache")

    monkeypatch.setattr(netstore, "project", boom)
    again = Dataset(paths, default_data=False).network(include_classes=["initiative"])
    assert set(again.edges(keys=True)) == set(first.edges(keys=True))
    assert dict(again.nodes(data=True)) == dict(first.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(first.edges(keys=True, data=True))
    assert again.graph == first.graph
    # other filters are another projection
    with pytest.raises(AssertionError, match="projected again"):
        Dataset(paths, default_data=False).network(include_classes=["programme"])


def test_dataset_caches_the_topology_as_json(fixtures, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import graph.network.store as netstore
    from graph.network.topology import Topology
    from graph.store.dataset import Dataset

    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(tmp_path))
    paths = [fixtures / "network.ttl"]
    first = Dataset(paths, default_data=False).topology()
    entry = Dataset(paths, default_data=False).entry
    assert entry is not None
    [cached] = entry.glob("topo-*.json")
    assert not list(entry.glob("net-*.json"))  # the light route does not build the full projection
    assert cached.stat().st_mode & 0o077 == 0
    reference = Topology.from_network(Dataset(paths, default_data=False, use_cache=False).network())
    assert first.node_list == reference.node_list and first.edges == reference.edges

    def boom(*args, **kwargs):
        raise AssertionError("projected again instead of reading the cache")

    monkeypatch.setattr(netstore, "project_topology", boom)
    again = Dataset(paths, default_data=False).topology()
    assert again.to_json() == first.to_json()
    # a damaged cache file is not trusted: projected again
    import base64
    import json
    from array import array

    good = json.loads(cached.read_text())
    assert again.edges == first.edges and again.weights == first.weights
    out_of_range = base64.b64encode(array("i", [0, 5]).tobytes()).decode()
    for damage in ({"format": 1}, {"edges": out_of_range}, {"edges": "not base64!"}, {"weights": "AAAA"},
                   {"labels": ["x"]}):
        cached.write_text(json.dumps({**good, **damage}))
        with pytest.raises(AssertionError, match="projected again"):
            Dataset(paths, default_data=False).topology()
