"""Centrality: exact answers on the fixture, the igraph route checked against plain networkx."""

from __future__ import annotations

import sys

import networkx as nx
import pytest

from graph.errors import InputError
from graph.network import centrality as cmod
from graph.network.analysis import centrality
from graph.network.centrality import betweenness, closeness, fast_available
from graph.network.projection import project, simple_graph
from graph.store.load import load_graph

FX = "https://example.org/clusterkg-fixture/"


@pytest.fixture(scope="module")
def net(fixtures):
    return project(load_graph([fixtures / "network.ttl"], default_data=False).graph)


def random_network(seed: int) -> nx.Graph:
    """A scale-free graph plus a path and an isolated node: several components."""
    g = nx.disjoint_union(nx.barabasi_albert_graph(400, 2, seed=seed), nx.path_graph(6))
    g.add_node("isolated")
    return g


def test_fast_route_is_installed() -> None:
    # the test extra installs python-igraph, so the comparison below really runs
    assert fast_available()


@pytest.mark.parametrize("seed", [1, 2])
def test_igraph_betweenness_equals_networkx(seed: int) -> None:
    g = random_network(seed)
    exact_nx, m1 = betweenness(g, backend="networkx")
    exact_ig, m2 = betweenness(g, backend="igraph")
    assert (m1["mode"], m2["mode"], m2["backend"]) == ("exact", "exact", "igraph")
    assert exact_nx == pytest.approx(nx.betweenness_centrality(g))
    assert exact_ig == pytest.approx(exact_nx, abs=1e-12)
    for k in (2, 37):
        s_nx, _ = betweenness(g, sample=k, seed=seed, backend="networkx")
        s_ig, meth = betweenness(g, sample=k, seed=seed, backend="igraph")
        assert meth == {"mode": "sampled", "k": k, "seed": seed, "backend": "igraph", "jobs": 1,
                        "design": cmod.SAMPLE_DESIGN}
        assert s_ig == pytest.approx(s_nx, abs=1e-12)


def test_systematic_positions_give_every_place_the_same_chance() -> None:
    # n = k * m: the m starts 0, 1, ..., m-1 take every place exactly once
    n, k = 35, 5
    taken = sorted(p for start in range(n // k) for p in cmod.systematic_positions(n, k, start))
    assert taken == list(range(n))
    for start in (0.0, 2.5, 6.999):  # otherwise: k distinct places in range
        got = cmod.systematic_positions(36, 5, start)
        assert len(set(got)) == 5 and min(got) >= 0 and max(got) < 36


@pytest.mark.parametrize("backend", ["igraph", "networkx"])
def test_the_sampled_estimate_is_unbiased(backend: str) -> None:
    """Averaged over the systematic samples of one ordering (each entity a source exactly once),
    the estimate is the exact betweenness: the scaling by n / k is right."""
    g = nx.convert_node_labels_to_integers(random_network(5))  # 407 entities = 11 × 37
    n, k = g.number_of_nodes(), 37
    exact = nx.betweenness_centrality(g)
    order = list(g)
    mean = dict.fromkeys(g, 0.0)
    for start in range(n // k):
        sources = [order[p] for p in cmod.systematic_positions(n, k, start)]
        est, _ = cmod._from_sources(g, sources, backend)
        for v, x in est.items():
            mean[v] += x / (n // k)
    assert mean == pytest.approx(exact, abs=1e-12)


def test_the_sample_represents_every_hub_in_proportion() -> None:
    # three hubs with 30, 20 and 10 entities: a sample of 6 takes 3, 2 and 1 of them, whatever the seed
    g = nx.Graph([("h0", "h1"), ("h1", "h2")])
    for hub, size in (("h0", 30), ("h1", 20), ("h2", 10)):
        g.add_edges_from((hub, f"{hub}-{i}") for i in range(size))
    for seed in range(5):
        got = cmod.sample_sources(g, 6, seed)
        assert len(set(got)) == 6
        per_hub = sorted(sum(1 for s in got if s.startswith(h + "-")) for h in ("h0", "h1", "h2"))
        assert per_hub == [1, 2, 3]
    assert cmod.sample_sources(g, 6, 1) == cmod.sample_sources(g, 6, 1)
    assert cmod.sample_sources(g, 6, 1) != cmod.sample_sources(g, 6, 2)


def test_igraph_closeness_equals_networkx() -> None:
    g = random_network(3)
    a, _ = closeness(g, backend="networkx")
    b, _ = closeness(g, backend="igraph")
    assert b == pytest.approx(a, abs=1e-12)
    assert b["isolated"] == 0.0


def test_fallback_without_igraph(monkeypatch: pytest.MonkeyPatch, net) -> None:
    monkeypatch.setitem(sys.modules, "igraph", None)  # import igraph now fails
    assert not fast_available()
    r = centrality(net, "betweenness")
    assert r["method"]["betweenness"]["backend"] == "networkx"
    with pytest.raises(InputError, match="fast"):
        centrality(net, "betweenness", backend="igraph")


def test_sampling_is_said_and_reproducible(net) -> None:
    a = centrality(net, "betweenness", sample=5, seed=7)
    b = centrality(net, "betweenness", sample=5, seed=7)
    assert a == b
    assert a["method"]["betweenness"]["mode"] == "sampled"
    assert a["note"] == ("approximate: betweenness estimated from 5 sampled source entities "
                         f"(seed 7, igraph; {cmod.SAMPLE_DESIGN} sample)")
    assert a["method"]["betweenness"]["design"] == cmod.SAMPLE_DESIGN
    exact = centrality(net, "betweenness")
    assert exact["method"]["betweenness"]["mode"] == "exact" and "exact" in exact["note"]


def test_large_networks_are_sampled_by_default(monkeypatch: pytest.MonkeyPatch, net) -> None:
    monkeypatch.setitem(cmod.EXACT_LIMIT, "igraph", 10)
    monkeypatch.setitem(cmod.EXACT_LIMIT, "networkx", 10)
    monkeypatch.setattr(cmod, "DEFAULT_SAMPLE", 6)
    r = centrality(net, "betweenness", seed=3)
    m = r["method"]["betweenness"]
    assert (m["mode"], m["k"], m["seed"]) == ("sampled", 6, 3)
    assert "approximate" in r["note"]


def test_fixture_brokers(net) -> None:
    r = centrality(net, "betweenness")
    rows = r["rows"]
    expected = nx.betweenness_centrality(simple_graph(net))
    top = max(expected.values())
    # the broker between the funding group and the policy group, by hand and by networkx
    assert rows[0]["iri"] == FX + "alpha-fund"
    assert rows[0]["score"] == pytest.approx(top)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    by_iri = {row["iri"]: row for row in rows}
    assert by_iri[FX + "lonely"]["score"] == 0.0 and by_iri[FX + "freedonia"]["score"] == 0.0
    # ties share a rank
    zero = [row["rank"] for row in rows if row["score"] == 0.0]
    assert len(set(zero)) == 1 and zero[0] == len(rows) - len(zero) + 1
    assert r["network"] == {"entities": 18, "linkages": 20}


def test_type_filter_and_top(net) -> None:
    r = centrality(net, "degree", types=["ckg:Initiative"], top=1)
    assert [row["label"] for row in r["rows"]] == ["Beta Initiative"]
    assert r["rows"][0]["rank"] == 1
    allinit = centrality(net, "degree", types=["ckg:Initiative"])
    assert {row["label"] for row in allinit["rows"]} == {"Beta Initiative", "Old Initiative"}


def test_all_measures(net) -> None:
    r = centrality(net, "all", top=5)
    assert r["measures"] == ["degree", "betweenness", "closeness", "eigenvector", "pagerank"]
    assert set(r["method"]) == set(r["measures"])
    simple = simple_graph(net)
    pr = nx.pagerank(simple, weight="weight")
    for row in r["rows"]:
        assert set(row["scores"]) == set(r["measures"]) == set(row["ranks"])
        assert row["scores"]["pagerank"] == pytest.approx(pr[row["iri"]], rel=1e-8)
    assert [row["mean_rank"] for row in r["rows"]] == sorted(row["mean_rank"] for row in r["rows"])


def test_bad_measure(net) -> None:
    with pytest.raises(InputError):
        centrality(net, "fame")
    with pytest.raises(InputError):
        betweenness(net, sample=1)


def test_parallel_sampling_equals_sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    g = random_network(4)
    one, m1 = betweenness(g, sample=60, seed=5, backend="igraph")
    monkeypatch.setenv("CLUSTERKG_JOBS", "2")
    two, m2 = betweenness(g, sample=60, seed=5, backend="igraph")
    assert (m1["jobs"], m2["jobs"]) == (1, 2)
    assert two == pytest.approx(one, abs=1e-12)


def test_the_table_never_cuts_a_class_or_a_label_without_an_ellipsis() -> None:
    """Regression (issue 8.14): the class column was cut mid-word at 22 characters."""
    from graph.network.centrality import format_centrality

    long_class = "strategic value chain of the European Union"
    long_label = "A programme whose name is much longer than sixty characters, as some official names are"
    result = {"measure": "degree", "measures": ["degree"], "types": [], "note": "",
              "network": {"entities": 2, "linkages": 1},
              "rows": [{"rank": 1, "iri": "x", "label": long_label, "class": long_class, "score": 1.0},
                       {"rank": 2, "iri": "y", "label": "Short", "class": "programme", "score": 0.5}]}
    text = format_centrality(result)
    assert long_class in text
    assert long_label[:59] + "…" in text
    widths = {len(line) for line in text.splitlines()[1:]}
    assert len(widths) == 1  # the columns line up


# -- the topology route (what `clusterkg centrality` reads on a large dataset) ------------------------


@pytest.mark.parametrize("measure", ["betweenness", "closeness", "eigenvector", "pagerank", "all"])
def test_topology_gives_the_same_ranking_as_the_projection(net, measure: str) -> None:
    from graph.network.topology import Topology

    topo = Topology.from_network(net)
    a = centrality(net, measure, top=12)
    b = centrality(topo, measure, top=12)
    if measure == "all":  # degree is counted from the arrays on the topology route
        assert b["method"].pop("degree") == {"mode": "exact", "backend": "arrays"}
        a["method"].pop("degree")
    assert a == b


def test_topology_degree_and_type_filter(net) -> None:
    from graph.network.topology import Topology

    topo = Topology.from_network(net)
    a = centrality(net, "degree", types=["ckg:Initiative"])
    b = centrality(topo, "degree", types=["ckg:Initiative"])
    assert a["rows"] == b["rows"] and a["network"] == b["network"]
    assert b["method"]["degree"]["backend"] == "arrays"


def test_light_projection_of_the_curated_store_matches_the_full_one() -> None:
    from graph.network.projection import project, project_topology
    from graph.network.topology import Topology
    from graph.store.dataset import Dataset

    ds = Dataset(use_cache=False)
    for filters in ({}, {"include_classes": ["programme", "initiative"]}, {"include_predicates": ["synergy"]},
                    {"periods": ["2021-2027"]}):
        ref = Topology.from_network(project(ds.store, **filters))
        got = project_topology(ds.store, **filters)
        assert got.node_list == ref.node_list and got.labels == ref.labels
        assert got.edges == ref.edges and got.weights == ref.weights
        assert [got.nodes[n] for n in got.node_list] == [ref.nodes[n] for n in ref.node_list]
        assert got.graph == ref.graph
        assert len(got.node_list) > 0
