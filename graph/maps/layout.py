"""Seeded, fast node positions for maps: force-directed per component, components packed in rows.

networkx's own force layouts take seconds for a thousand nodes; a map must be laid out in well
under a second. :func:`force_layout` is Fruchterman-Reingold written with numpy: attraction
along every edge, repulsion between all pairs for small components and, for large ones, from a
seeded random sample of nodes each round (scaled up to stand for all of them). The same graph,
node order and seed always give the same positions.

:func:`map_layout` lays out each connected component on its own (so that small groups do not
drift away), scales them to a common edge length and packs them in rows, largest first.

Examples
--------
>>> import networkx as nx
>>> pos = map_layout(nx.path_graph(4), seed=1)
>>> sorted(pos) == [0, 1, 2, 3]
True
>>> pos == map_layout(nx.path_graph(4), seed=1)
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["force_layout", "map_layout"]

#: Above this many nodes repulsion is estimated from a sample of nodes each round.
DENSE_LIMIT = 800
#: How many nodes the sampled repulsion uses per round.
SAMPLE = 512
#: Components up to this size get overlapping nodes pushed apart.
OVERLAP_LIMIT = 2000
#: Width / height the packing aims at (screens are wide).
ASPECT = 1.8


def force_layout(n: int, edges: Sequence[tuple[int, int]], *, seed: int = 0,
                 iterations: int | None = None, hubs: bool = True) -> np.ndarray:
    """Force-directed positions of nodes ``0..n-1``.

    Fruchterman-Reingold with two ForceAtlas2 ideas (``hubs=True``): each node repels with a
    mass of sqrt(degree + 1), so hubs get room around them, and a linkage attracts less the
    more linked its two ends are ("dissuade hubs"), so a hub's many neighbours stay with their
    own groups instead of collapsing onto it. Gravity grows with the mass too.

    Parameters
    ----------
    n : int
        Number of nodes.
    edges : sequence of (int, int)
        Node index pairs.
    seed : int
        Seed of the start positions and of the repulsion samples.
    iterations : int, optional
        Rounds (default: from 250 for small graphs down to 120 for large ones).
    hubs : bool
        Use the degree-weighted forces above (else plain Fruchterman-Reingold).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` positions, centred on the origin.

    Examples
    --------
    >>> pos = force_layout(3, [(0, 1), (1, 2)], seed=0)
    >>> pos.shape
    (3, 2)
    >>> bool(np.linalg.norm(pos[0] - pos[2]) > np.linalg.norm(pos[0] - pos[1]))
    True
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    rng = np.random.default_rng(seed)
    if iterations is None:
        iterations = 250 if n <= 200 else (160 if n <= 1000 else 120)
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    src, dst = e[:, 0], e[:, 1]
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    if hubs:
        mass = np.sqrt(deg + 1.0).astype(np.float32)
        wpull = (2.0 / np.sqrt((deg[src] + 1.0) * (deg[dst] + 1.0))).astype(np.float32)
    else:
        mass = np.ones(n, dtype=np.float32)
        wpull = np.ones(len(e), dtype=np.float32)
    side = math.sqrt(float(mass.sum()))
    start = (rng.random((n, 2)) - 0.5) * side
    x = start[:, 0].astype(np.float32)
    y = start[:, 1].astype(np.float32)
    temp = side / 4.0
    cool = temp / (iterations + 1)
    sampled = n > DENSE_LIMIT
    eps = np.float32(1e-3)
    gravity = np.float32(0.05 / side)
    for _ in range(iterations):
        other: np.ndarray
        if sampled:
            idx = rng.choice(n, size=SAMPLE, replace=False)
            dx = x[:, None] - x[None, idx]
            dy = y[:, None] - y[None, idx]
            other = mass[idx] * np.float32(n / SAMPLE)
        else:
            dx = x[:, None] - x[None, :]
            dy = y[:, None] - y[None, :]
            other = mass
        inv = dx * dx
        inv += dy * dy
        inv += eps
        np.reciprocal(inv, out=inv)
        inv *= other[None, :]
        fx = np.einsum("ij,ij->i", dx, inv) * mass
        fy = np.einsum("ij,ij->i", dy, inv) * mass
        if len(e):
            ex = x[src] - x[dst]
            ey = y[src] - y[dst]
            pull = np.sqrt(ex * ex + ey * ey) * wpull
            ax = ex * pull
            ay = ey * pull
            fx -= np.bincount(src, weights=ax, minlength=n) - np.bincount(dst, weights=ax, minlength=n)
            fy -= np.bincount(src, weights=ay, minlength=n) - np.bincount(dst, weights=ay, minlength=n)
        # gravity (by mass, as in ForceAtlas2) keeps loose parts from drifting off
        fx -= x * gravity * mass
        fy -= y * gravity * mass
        length = np.sqrt(fx * fx + fy * fy)
        np.maximum(length, 1e-9, out=length)
        step = np.minimum(length, temp) / length
        x += (fx * step).astype(np.float32)
        y += (fy * step).astype(np.float32)
        temp -= cool
    pos = np.column_stack([x, y]).astype(float)
    pos -= pos.mean(axis=0)
    return pos


def _close_pairs(p: np.ndarray, radius: float) -> np.ndarray:
    """Every pair ``(i, j)``, ``i < j``, of rows of ``p`` that may be closer than ``radius``: those in the
    same or adjacent grid cells of side ``radius`` (sorted; the caller checks the distance)."""
    n = len(p)
    cells = np.floor((p - p.min(axis=0)) / radius).astype(np.int64)
    width = int(cells[:, 1].max()) + 3
    key = cells[:, 0] * width + cells[:, 1]
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    found = []
    for dx, dy in ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1)):
        target = key + dx * width + dy
        lo = np.searchsorted(sorted_key, target, side="left")
        count = np.searchsorted(sorted_key, target, side="right") - lo
        total = int(count.sum())
        if not total:
            continue
        i = np.repeat(np.arange(n), count)
        offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        j = order[np.repeat(lo, count) + offset]
        keep = i < j if (dx, dy) == (0, 0) else i != j
        found.append(np.column_stack([np.minimum(i, j)[keep], np.maximum(i, j)[keep]]))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def _spread(pos: np.ndarray, min_dist: float, rounds: int | None = None) -> np.ndarray:
    """Push apart nodes closer than ``min_dist`` (a few Jacobi rounds; deterministic).

    Only pairs closer than ``min_dist`` move, so they are looked for in neighbouring cells of a
    grid (:func:`_close_pairs`) instead of comparing every pair.

    >>> _spread(np.array([[0.0, 0.0], [1.0, 0.0], [100.0, 0.0]]), 10.0).round(1).tolist()
    [[-4.5, 0.0], [5.5, 0.0], [100.0, 0.0]]
    """
    n = len(pos)
    if n < 2:
        return pos
    if rounds is None:
        rounds = 12 if n <= 800 else 6
    p = np.array(pos, dtype=float)
    for _ in range(rounds):
        pairs = _close_pairs(p, min_dist)
        i, j = pairs[:, 0], pairs[:, 1]
        delta = p[i] - p[j]
        d = np.hypot(delta[:, 0], delta[:, 1])
        near = d < min_dist
        if not near.any():
            break
        i, j, delta, d = i[near], j[near], delta[near], d[near]
        push = (min_dist - d) / (2.0 * np.maximum(d, 1e-3))
        move = delta * push[:, None]
        for axis in (0, 1):
            p[:, axis] += np.bincount(i, weights=move[:, axis], minlength=n)
            p[:, axis] -= np.bincount(j, weights=move[:, axis], minlength=n)
    return p


def _landscape(pos: np.ndarray, aspect: float) -> np.ndarray:
    """Rotate ``pos`` so that its longest axis is horizontal (screens are wide), then stretch it
    sideways (at most 1.4 times) towards ``aspect``."""
    centred = pos - pos.mean(axis=0)
    cov = centred.T @ centred
    _, vecs = np.linalg.eigh(cov)
    major = vecs[:, -1]
    if major[0] < 0 or (major[0] == 0 and major[1] < 0):
        major = -major
    rot = np.array([[major[0], major[1]], [-major[1], major[0]]])
    out = centred @ rot.T
    w, h = float(np.ptp(out[:, 0])), float(np.ptp(out[:, 1]))
    if h > 0 and w / h < aspect:
        out[:, 0] *= min(aspect * h / max(w, 1e-9), 1.4)
    return out


def _component_order(graph: nx.Graph, comp: set[Any]) -> list[Any]:
    return sorted(comp, key=str)


def map_layout(graph: nx.Graph, *, seed: int = 0, edge_length: float = 110.0,
               min_separation: float = 45.0, gap: float = 160.0) -> dict[Hashable, tuple[float, float]]:
    """Positions (in screen pixels, y down) for every node of ``graph``, rounded to 0.1.

    Each connected component is laid out with :func:`force_layout`, scaled so that its median
    edge is ``edge_length`` long and packed with the others in rows (largest component first,
    rows about :data:`ASPECT` times as wide as the whole is tall). Isolated nodes go in a grid after the rest.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected simple graph; node order does not matter (nodes are sorted by ``str``).
    seed : int
        Layout seed.
    edge_length : float
        Target median edge length in pixels.
    min_separation : float
        Nodes closer than this (pixels) are pushed apart (components up to
        :data:`OVERLAP_LIMIT` nodes).
    gap : float
        Space between packed components.

    Returns
    -------
    dict
        Node → ``(x, y)``.
    """
    comps = [_component_order(graph, c) for c in nx.connected_components(graph)]
    comps.sort(key=lambda c: (-len(c), str(c[0])))
    blocks: list[tuple[list[Any], np.ndarray]] = []
    singles: list[Any] = []
    for comp in comps:
        if len(comp) == 1:
            singles.append(comp[0])
            continue
        index = {v: i for i, v in enumerate(comp)}
        sub_edges = sorted((index[u], index[v]) for u, v in graph.subgraph(comp).edges())
        if len(comp) == 2:
            pos = np.array([[-0.5, 0.0], [0.5, 0.0]])
        else:
            pos = force_layout(len(comp), sub_edges, seed=seed)
            pos = _landscape(pos, ASPECT)
        e = np.asarray(sub_edges, dtype=np.int64).reshape(-1, 2)
        lengths = np.linalg.norm(pos[e[:, 0]] - pos[e[:, 1]], axis=1)
        median = float(np.median(lengths)) if len(lengths) else 1.0
        pos = pos * (edge_length / max(median, 1e-9))
        if len(comp) <= OVERLAP_LIMIT:
            pos = _spread(pos, min_separation)
        blocks.append((comp, pos))
    if singles:
        cols = max(1, math.ceil(math.sqrt(len(singles) * 3)))
        step = edge_length * 1.2
        grid = np.array([[(i % cols) * step, (i // cols) * step] for i in range(len(singles))], dtype=float)
        blocks.append((singles, grid))
    # shelf packing: rows of blocks, largest first
    total_area = sum(float(np.ptp(p[:, 0]) + gap) * float(np.ptp(p[:, 1]) + gap) for _, p in blocks)
    first_w = float(np.ptp(blocks[0][1][:, 0])) + gap if blocks else 0.0
    row_width = max(first_w, math.sqrt(total_area * ASPECT))
    out: dict[Hashable, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for nodes, pos in blocks:
        lo = pos.min(axis=0)
        w = float(np.ptp(pos[:, 0]))
        h = float(np.ptp(pos[:, 1]))
        if x > 0 and x + w > row_width:
            x = 0.0
            y += row_h + gap
            row_h = 0.0
        placed = pos - lo + np.array([x, y])
        for v, (px, py) in zip(nodes, placed, strict=True):
            out[v] = (round(float(px), 1), round(float(py), 1))
        x += w + gap
        row_h = max(row_h, h)
    return out
