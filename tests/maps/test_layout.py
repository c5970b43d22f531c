"""The map layout: the grid search for close pairs finds exactly the close pairs, and the
overlap removal and the whole layout are deterministic."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from graph.maps.layout import _close_pairs, _spread, map_layout


def _brute_close(p: np.ndarray, radius: float) -> set[tuple[int, int]]:
    return {(i, j) for i, j in itertools.combinations(range(len(p)), 2)
            if float(np.hypot(*(p[i] - p[j]))) < radius}


@pytest.mark.parametrize("n", [2, 3, 50, 400])
def test_close_pairs_finds_every_close_pair(n: int) -> None:
    rng = np.random.default_rng(n)
    p = rng.random((n, 2)) * 30.0 * np.sqrt(n)
    p[: n // 5] = p[0]  # coincident nodes, as a star's leaves start
    p[-1] = p[0] + [45.0, 0.0]  # exactly at the radius: not closer
    pairs = _close_pairs(p, 45.0)
    d = np.hypot(*(p[pairs[:, 0]] - p[pairs[:, 1]]).T)
    assert {tuple(x) for x in pairs[d < 45.0].tolist()} == _brute_close(p, 45.0)
    assert (pairs[:, 0] < pairs[:, 1]).all()


def test_spread_separates_overlapping_nodes() -> None:
    rng = np.random.default_rng(1)
    p = rng.random((300, 2)) * 600.0
    assert len(_brute_close(p, 19.0)) > 100
    out = _spread(p, 20.0, rounds=12)
    assert _brute_close(out, 19.0) == set()  # pairs end (about) min_dist apart
    assert np.array_equal(out, _spread(p, 20.0, rounds=12))


def test_map_layout_is_deterministic_and_complete() -> None:
    g = nx.barabasi_albert_graph(900, 2, seed=3)
    g.add_nodes_from(range(900, 905))  # isolated nodes
    pos = map_layout(g, seed=7)
    assert sorted(pos) == sorted(g.nodes)
    assert pos == map_layout(g, seed=7)
    assert pos != map_layout(g, seed=8)
