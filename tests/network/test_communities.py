"""Communities: deterministic for a seed, a partition of the network, with their binding linkages."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import InputError
from graph.network.analysis import communities
from graph.network.projection import project
from graph.store.load import load_graph

FX = "https://example.org/clusterkg-fixture/"


@pytest.fixture(scope="module")
def net(fixtures):
    return project(load_graph([fixtures / "network.ttl"], default_data=False).graph)


def two_teams() -> nx.MultiDiGraph:
    """Two 4-cliques joined by one linkage: any sensible method finds the two teams."""
    g = nx.MultiDiGraph()
    for team in ("a", "b"):
        members = [f"{team}{i}" for i in range(4)]
        for i, u in enumerate(members):
            g.add_node(u, label=u.upper(), **{"class": "initiative"})
            for v in members[i + 1:]:
                g.add_edge(u, v, key="ckg:partOf", linkage="part of", kind="property")
    g.add_edge("a0", "b0", key="ckr:s", linkage="coordination", kind="synergy")
    return g


@pytest.mark.parametrize("method", ["louvain", "label-propagation"])
def test_two_teams(method: str) -> None:
    r = communities(two_teams(), method=method, seed=1)
    assert [[m["iri"] for m in g["members"]] for g in r["groups"]] == [
        ["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]]
    for g in r["groups"]:
        assert g["linkages"] == [{"linkage": "part of", "count": 6}]
        assert (g["internal"], g["external"]) == (6, 1)
    assert r["modularity"] == pytest.approx(
        nx.community.modularity(nx.Graph(two_teams().to_undirected()), [{"a0", "a1", "a2", "a3"},
                                                                        {"b0", "b1", "b2", "b3"}]))


@pytest.mark.parametrize("method", ["louvain", "label-propagation"])
def test_partition_and_determinism(net, method: str) -> None:
    first = communities(net, method=method, seed=1)
    assert communities(net, method=method, seed=1) == first
    members = [m["iri"] for g in first["groups"] for m in g["members"]]
    assert sorted(members) == sorted(net.nodes) and len(members) == len(set(members))
    assert [g["size"] for g in first["groups"]] == sorted((g["size"] for g in first["groups"]), reverse=True)
    group_of = {m["iri"]: g["id"] for g in first["groups"] for m in g["members"]}
    inside = sum(1 for u, v in net.edges() if group_of[u] == group_of[v])
    assert sum(g["internal"] for g in first["groups"]) == inside
    assert sum(sum(x["count"] for x in g["linkages"]) for g in first["groups"]) == inside
    lonely = next(g for g in first["groups"] if g["members"][0]["iri"] == FX + "lonely")
    assert lonely["size"] == 1 and lonely["linkages"] == []


def test_resolution_changes_granularity(net) -> None:
    coarse = communities(net, resolution=0.2, seed=1)
    fine = communities(net, resolution=3.0, seed=1)
    assert len(coarse["groups"]) < len(fine["groups"])


def test_bad_options(net) -> None:
    with pytest.raises(InputError):
        communities(net, method="magic")
    with pytest.raises(InputError):
        communities(net, resolution=0)
