"""Synergy gaps: unlinked pairs with shared neighbours, scored as networkx's link predictors do."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import InputError
from graph.network.analysis import gaps
from graph.network.projection import project, simple_graph
from graph.store.load import load_graph

FX = "https://example.org/clusterkg-fixture/"


@pytest.fixture(scope="module")
def net(fixtures):
    return project(load_graph([fixtures / "network.ttl"], default_data=False).graph)


def test_top_gap_with_evidence(net) -> None:
    r = gaps(net, top=3)
    top = r["suggestions"][0]
    assert {top["a"]["label"], top["b"]["label"]} == {"Alpha Fund", "Beta Strategy"}
    assert top["shared"] == 2
    assert [e["via"]["label"] for e in top["evidence"]] == ["Digital transition", "Green transition"]
    for e in top["evidence"]:
        for side in ("a_side", "b_side"):
            [link] = e[side]
            assert link["linkage"] == "has theme" and link["source"]


@pytest.mark.parametrize("method,predictor", [
    ("adamic-adar", nx.adamic_adar_index),
    ("jaccard", nx.jaccard_coefficient),
    ("common-neighbours", None),
])
def test_scores_match_networkx(net, method, predictor) -> None:
    simple = simple_graph(net)
    r = gaps(net, top=None, method=method)
    assert r["candidates"] == len(r["suggestions"]) > 0
    for s in r["suggestions"]:
        a, b = s["a"]["iri"], s["b"]["iri"]
        assert not simple.has_edge(a, b)
        shared = set(nx.common_neighbors(simple, a, b))
        assert {e["via"]["iri"] for e in s["evidence"]} == shared and s["shared"] == len(shared)
        expected = len(shared) if predictor is None else next(iter(predictor(simple, [(a, b)])))[2]
        assert s["score"] == pytest.approx(expected)
    scores = [s["score"] for s in r["suggestions"]]
    assert scores == sorted(scores, reverse=True)


def test_default_exclusions_and_types(net) -> None:
    r = gaps(net, top=None)
    ends = {s[side]["class"] for s in r["suggestions"] for side in ("a", "b")}
    assert not ends & {"theme", "region", "country", "programming period"}
    themes = gaps(net, types=["ckg:Theme"], top=None)
    assert [(s["a"]["label"], s["b"]["label"]) for s in themes["suggestions"]] == [
        ("Digital transition", "Green transition")]
    # every pair of candidates that shares a neighbour and is not linked is listed
    simple = simple_graph(net)
    ok = [v for v in simple if not ({"ckg:Place", "ckg:ProgrammingPeriod", "ckg:Theme"}
                                    & set(net.nodes[v]["classes"]))]
    expected = {frozenset((a, b)) for i, a in enumerate(ok) for b in ok[i + 1:]
                if not simple.has_edge(a, b) and set(simple[a]) & set(simple[b])}
    assert {frozenset((s["a"]["iri"], s["b"]["iri"])) for s in r["suggestions"]} == expected


def test_bad_options(net) -> None:
    with pytest.raises(InputError):
        gaps(net, method="vibes")
    with pytest.raises(InputError):
        gaps(net, top=0)
