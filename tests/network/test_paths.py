"""Explained linkage paths and ego networks (exact answers on tests/fixtures/network.ttl)."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import EntityNotFound, InputError
from graph.network.analysis import format_paths, linkage_paths, neighbours, resolve_entity
from graph.network.paths import explain_step
from graph.network.projection import project
from graph.store.load import load_graph

FX = "https://example.org/clusterkg-fixture/"


@pytest.fixture(scope="module")
def net(fixtures):
    return project(load_graph([fixtures / "network.ttl"], default_data=False).graph)


def labels(path: dict) -> list[str]:
    return [n["label"] for n in path["nodes"]]


def test_shortest_path_and_its_explanation(net) -> None:
    r = linkage_paths(net, FX + "org-one", FX + "beta-platform")
    assert r["found"] and len(r["paths"]) == 1
    p = r["paths"][0]
    assert labels(p) == ["Org One", "Euro One", "Alpha Call", "Alpha Fund", "Alpha Programme",
                         "Beta Initiative", "Beta Platform"]
    assert p["hops"] == 6 == len(p["steps"])
    texts = [s["linkages"][0]["text"] for s in p["steps"]]
    assert texts[0] == 'Org One —member of→ Euro One  [Fixture handbook: "Places annex"]'
    # a synergy hop says so, with status, period, strength and both sources
    assert texts[4] == ("Alpha Programme —funding→ Beta Initiative  (synergy, active, Programming period "
                        '2021-2027, strength 0.9)  [Fixture handbook: "Funding chapter"; '
                        'Fixture handbook: "Policy chapter"]')
    # a linkage walked against its direction without an inverse property reads backwards
    assert texts[5] == 'Beta Initiative ←supports— Beta Platform  [Fixture handbook: "Policy chapter"]'
    assert all(s["linkages"][0]["source"] for s in p["steps"])
    assert format_paths(r).splitlines() == texts


def test_inverse_wording(net) -> None:
    [step] = explain_step(net, FX + "alpha", FX + "alpha-fund")
    assert step["reversed"] and step["arrow"] == "—has part→"
    [fwd] = explain_step(net, FX + "alpha-fund", FX + "alpha")
    assert not fwd["reversed"] and fwd["arrow"] == "—part of→"


def test_k_shortest_paths(net) -> None:
    r = linkage_paths(net, FX + "org-one", FX + "beta-platform", k=3)
    hops = [p["hops"] for p in r["paths"]]
    assert hops == sorted(hops) and hops[0] == 6 and len(hops) == 3
    seqs = [tuple(labels(p)) for p in r["paths"]]
    assert len(set(seqs)) == 3  # distinct
    assert all(len(set(s)) == len(s) for s in seqs)  # simple paths
    # every path is a real walk through the network
    for p in r["paths"]:
        for a, b in zip(p["nodes"], p["nodes"][1:], strict=False):
            assert net.has_edge(a["iri"], b["iri"]) or net.has_edge(b["iri"], a["iri"])


def test_max_hops(net) -> None:
    r = linkage_paths(net, FX + "org-one", FX + "beta-platform", max_hops=3)
    assert not r["found"]
    assert r["reason"] == "no path of at most 3 hop(s); the shortest has 6"
    assert linkage_paths(net, FX + "org-one", FX + "beta-platform", max_hops=6)["found"]


def test_via_and_avoid(net) -> None:
    via = linkage_paths(net, FX + "org-one", FX + "beta-platform", via=["ckg:Theme"])
    assert via["found"]
    assert any(n["class"] == "theme" for n in via["paths"][0]["nodes"][1:-1])
    avoided = linkage_paths(net, FX + "org-one", FX + "beta-platform", avoid=[FX + "alpha"])
    assert avoided["found"]
    assert "Alpha Programme" not in labels(avoided["paths"][0])
    cut = linkage_paths(net, FX + "org-one", FX + "beta-platform", avoid=[FX + "euro-one"])
    assert not cut["found"] and "avoids" in cut["reason"]


def test_directed(net) -> None:
    r = linkage_paths(net, FX + "org-one", FX + "beta-platform", directed=True)
    assert not r["found"] and r["reason"].startswith("no directed linkage path")
    # Org One → Euro One → (member of, selected through) Alpha Call → Alpha Fund → Alpha Programme
    d = linkage_paths(net, FX + "org-one", FX + "alpha", directed=True)
    assert d["found"] and d["paths"][0]["hops"] == 4
    # the bidirectional synergy runs both ways
    assert linkage_paths(net, FX + "euro-two", FX + "euro-one", directed=True)["paths"][0]["hops"] == 1


def test_no_path_shows_both_sides(net) -> None:
    r = linkage_paths(net, FX + "lonely", FX + "alpha")
    assert not r["found"]
    lonely, alpha = r["connections"]
    assert lonely["linkages"] == 0 and lonely["component_size"] == 1
    assert alpha["component_size"] == 17
    assert {n["linkage"] for n in alpha["neighbours"]} == {"part of", "funding", "in period"}
    text = format_paths(r)
    assert "Lonely Label (label) has no linkage at all." in text
    assert "Alpha Programme —has part→ Alpha Fund" in text


def test_bad_input(net) -> None:
    with pytest.raises(InputError):
        linkage_paths(net, FX + "alpha", FX + "alpha")
    with pytest.raises(InputError):
        linkage_paths(net, FX + "alpha", FX + "euro-one", k=0)
    with pytest.raises(InputError):
        linkage_paths(net, FX + "alpha", FX + "euro-one", avoid=[FX + "alpha"])


def test_resolve_entity(fixtures, net) -> None:
    g = load_graph([fixtures / "network.ttl"], default_data=False).graph
    assert resolve_entity(g, net, "alpha programme") == FX + "alpha"
    assert resolve_entity(g, net, "ALPHA") == FX + "alpha"
    with pytest.raises(EntityNotFound) as err:
        resolve_entity(g, net, "Omega Programme")
    assert err.value.candidates
    only_places = project(g, include_classes=["place"])
    with pytest.raises(InputError, match="not in the linkage network"):
        resolve_entity(g, only_places, "Alpha Programme")


def test_neighbours_depth_one(net) -> None:
    ego = neighbours(net, FX + "alpha")
    assert [n["label"] for n in ego["nodes"]] == ["Alpha Programme", "Alpha Fund", "Beta Initiative",
                                                 "Programming period 2021-2027"]
    groups = {g["linkage"]: g for g in ego["groups"]}
    assert set(groups) == {"funding", "in period", "part of"}
    assert groups["funding"]["kind"] == "synergy"
    assert groups["part of"]["linkages"][0]["text"].startswith("Alpha Programme —has part→ Alpha Fund")
    # the ego network is induced: every edge among the members, nothing else
    members = {n["iri"] for n in ego["nodes"]}
    assert sum(g["count"] for g in ego["groups"]) == net.subgraph(members).number_of_edges()


def test_neighbours_depth_and_type(net) -> None:
    ego = neighbours(net, FX + "alpha", depth=2)
    dist = {n["label"]: n["distance"] for n in ego["nodes"]}
    assert dist["Alpha Call"] == 2 and dist["Beta Strategy"] == 2 and dist["Beta Platform"] == 2
    assert "Euro One" not in dist
    expected = nx.single_source_shortest_path_length(net.to_undirected(), FX + "alpha", cutoff=2)
    assert {n["iri"] for n in ego["nodes"]} == set(expected)
    only = neighbours(net, FX + "alpha", depth=4, types=["ckg:Initiative", "ckg:Policy"])
    assert {n["label"] for n in only["nodes"]} == {"Alpha Programme", "Beta Initiative", "Beta Strategy",
                                                  "Beta Policy", "Old Initiative"}


def test_reusing_a_view_gives_the_same_answer(net) -> None:
    from graph.network.projection import directed_graph, simple_graph

    a = linkage_paths(net, FX + "org-one", FX + "beta-platform", k=2)
    assert linkage_paths(net, FX + "org-one", FX + "beta-platform", k=2, view=simple_graph(net)) == a
    d = linkage_paths(net, FX + "org-one", FX + "alpha", directed=True, view=directed_graph(net))
    assert d == linkage_paths(net, FX + "org-one", FX + "alpha", directed=True)


def test_no_path_counts_leave_the_avoided_entities_out() -> None:
    """Regression (issue 8.11): 'linked to 238 entities' counted through the avoided entities."""
    g = load_graph().graph
    net = project(g, exclude_classes=["programming period"])  # else the 2021-2027 period joins them
    src, dst = resolve_entity(g, net, "Euroclusters"), resolve_entity(g, net, "Horizon Europe")
    jci = resolve_entity(g, net, "Joint Cluster Initiatives")
    result = linkage_paths(net, src, dst, avoid=[jci])
    assert not result["found"]
    sizes = {side["entity"]["label"]: side["component_size"] for side in result["connections"]}
    assert sizes["Horizon Europe"] < 10 < sizes["Euroclusters"]
    assert all(step["stored_to"] != jci and step["stored_from"] != jci
               for side in result["connections"] for step in side["neighbours"])
    assert "(not counting the avoided entities)" in format_paths(result)
