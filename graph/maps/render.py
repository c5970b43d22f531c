"""Interactive maps: one self-contained, offline HTML file drawn with vis-network (from pyvis).

:func:`render` turns the graph (or its projection, :func:`graph.network.projection.project`) into a page
that a policy officer can open with a double click: pan, zoom, search, filter by class and by
period, hover for plain-text tooltips (type, definition, source; for linkages their type,
period, status and source), click for details.

How it stays usable, safe and reproducible:

- **Offline.** vis-network's JavaScript and CSS (the copy pyvis ships) are inlined; nothing is
  fetched, and a Content-Security-Policy forbids every request (no CDN, no Bootstrap).
- **Safe.** Every label, definition and title is data: the header is escaped in Python, the
  map data travels as JSON in a ``<script type="application/json">`` block (``<``, ``>`` and
  ``&`` escaped), and the page builds tooltips, legend and details with ``textContent``.
  pyvis's own template (unescaped heading, ``innerHTML`` tooltips when a title holds "href")
  is not used.
- **Fast.** The vis-network data is written directly (pyvis's ``add_node``/``add_edge`` scan
  lists); positions are computed in Python (:mod:`graph.maps.layout`, seeded) and physics is
  off, so the browser draws once and the map is still. Beyond ``max_nodes`` the map keeps the
  top entities by the chosen centrality, and its header says what was left out.
- **Deterministic.** Same graph and options, same bytes (sorted data, fixed seeds, no dates).

Examples
--------
>>> import networkx as nx
>>> net = nx.MultiDiGraph()
>>> net.add_node("ex:a", label="Alpha <b>", **{"class": "programme", "class_curie": "ckg:Programme"})
>>> net.add_node("ex:b", label="Beta", **{"class": "policy", "class_curie": "ckg:Policy"})
>>> _ = net.add_edge("ex:a", "ex:b", key="ckg:partOf", kind="property", linkage="part of")
>>> m = render(net, title="Demo")
>>> (m.nodes, m.edges)
(2, 1)
>>> "Alpha <b>" in m.html, "<script src" in m.html
(False, False)
>>> m.html == render(net, title="Demo").html
True
"""

from __future__ import annotations

import difflib
import html
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..entities.lookup import normalise
from ..errors import EntityNotFound, InputError

if TYPE_CHECKING:  # networkx and numpy load on first use: ``import graph`` stays quick
    import networkx as nx

    from ..network.topology import Topology

__all__ = [
    "COLOUR_MODES",
    "CSP",
    "DEFAULT_MAX_NODES",
    "SIZE_MEASURES",
    "RenderedMap",
    "open_in_browser",
    "render",
    "vis_assets",
]

SIZE_MEASURES = ("degree", "betweenness", "pagerank")
COLOUR_MODES = ("class", "community")
DEFAULT_MAX_NODES = 1500

#: The page's Content-Security-Policy: inline script and style only, images only as data: URIs,
#: no request of any kind (fetch, XHR, WebSocket, fonts, frames, forms, base).
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")

#: Sasha Trubetskoy's 20 simple, distinct colours (without white and black), then two more; in
#: this order the first colours differ most. Families of classes get them by size, largest first.
PALETTE = (
    "#E6194B", "#3CB44B", "#FFE119", "#4363D8", "#F58231", "#911EB4", "#42D4F4", "#F032E6",
    "#BFEF45", "#FABED4", "#469990", "#DCBEFF", "#9A6324", "#FFFAC8", "#800000", "#AAFFC3",
    "#808000", "#FFD8B1", "#000075", "#A9A9A9", "#5A5A5A", "#B8860B",
)
OTHER_COLOUR = "#BDBDBD"
#: Shapes of the classes inside one family: the family's own class first.
SHAPES = ("dot", "square", "triangle", "diamond", "triangleDown", "star", "hexagon")

EDGE_STYLES = {
    "p": {"label": "linkage", "color": "#8A939B", "opacity": 0.55, "dashes": False},
    "s": {"label": "synergy", "color": "#D81B60", "opacity": 0.8, "dashes": False},
    "se": {"label": "envisaged synergy", "color": "#D81B60", "opacity": 0.8, "dashes": True},
    "sx": {"label": "ended synergy", "color": "#B0889A", "opacity": 0.6, "dashes": True},
}

_TEMPLATE = "templates/map.html"
_PLACEHOLDER = re.compile(r"%%([A-Z_]+)%%")


# -- assets ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vis-network JavaScript and CSS that pyvis ships, as text (read once).

    >>> js, css = vis_assets()
    >>> "vis-network" in js[:2000].lower() and ".vis-network" in css
    True
    """
    import importlib.util

    # find the package without importing it: pyvis imports IPython (a quarter of a second)
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise InputError("pyvis is not installed; reinstall clusterkg")
    base = Path(spec.origin).resolve().parent
    candidates = sorted(base.glob("lib/vis-*/vis-network.min.js")) or sorted(
        base.glob("templates/lib/vis-*/vis-network.min.js"))
    if not candidates:
        raise InputError("pyvis's vis-network files are missing; reinstall pyvis")
    js_path = candidates[-1]
    js = js_path.read_text(encoding="utf-8")
    css = js_path.with_name("vis-network.css").read_text(encoding="utf-8")
    if re.search(r"</script", js, re.IGNORECASE) or re.search(r"</style", css, re.IGNORECASE):
        raise InputError("vis-network asset cannot be inlined safely")
    return js, css


@lru_cache(maxsize=1)
def _template() -> str:
    return (Path(__file__).resolve().parent / _TEMPLATE).read_text(encoding="utf-8")


def _json_for_script(doc: Any) -> str:
    """JSON that cannot end its ``<script>`` block or open a comment."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# -- result ---------------------------------------------------------------------------------

@dataclass
class RenderedMap:
    """A rendered map: the HTML text plus what it shows.

    Attributes
    ----------
    html : str
        The complete page.
    title : str
        Its heading.
    nodes, edges : int
        Entities and linked pairs on the map (parallel linkages between two entities share one
        line; ``linkages`` counts them all).
    linkages : int
        Linkages drawn.
    available : int
        Entities the map was chosen from (after --type/--period, before focus, path and cap).
    left_out : int
        Entities of the chosen scope not drawn because of ``max_nodes``.
    mode : str
        ``"all"``, ``"focus"`` or ``"path"``.
    header : list of str
        The header lines (plain text).
    node_ids : list of str
        The node keys (IRIs) on the map, in the page's order.
    data : dict
        The map data the page draws (nodes with positions and tooltips, linked pairs, legend,
        vis-network options), for callers that draw it themselves (the explorer of ``clusterkg serve``).
    path : pathlib.Path or None
        Where it was written, if it was.
    created : list of pathlib.Path
        Folders that writing it created (outermost first).
    """

    html: str = field(repr=False)
    title: str
    nodes: int
    edges: int
    linkages: int
    available: int
    left_out: int
    mode: str
    header: list[str] = field(default_factory=list, repr=False)
    node_ids: list[str] = field(default_factory=list, repr=False)
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    path: Path | None = None
    created: list[Path] = field(default_factory=list, repr=False)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` atomically (creating missing folders) and return the path."""
        from ..store.serialize import write_atomic

        self.created = write_atomic(path, self.html)
        self.path = Path(path)
        return self.path

    def _repr_html_(self) -> str:
        """Show inline in Jupyter: an isolated iframe (``srcdoc``, scripts only, no same origin)."""
        doc = html.escape(self.html, quote=True)
        return (f'<iframe title="{html.escape(self.title, quote=True)}" sandbox="allow-scripts" '
                f'style="width:100%;height:640px;border:1px solid #ddd" srcdoc="{doc}"></iframe>')


# -- helpers --------------------------------------------------------------------------------

def _label(net: nx.MultiDiGraph, n: Any) -> str:
    d = net.nodes[n]
    lab = d.get("label")
    if lab:
        return str(lab)
    s = str(n)
    return re.split(r"[/#:]", s.rstrip("/#"))[-1] or s


def _sort_key(net: nx.MultiDiGraph, n: Any) -> tuple[str, str]:
    return (_label(net, n).casefold(), str(n))


def _class_of(net: nx.MultiDiGraph, n: Any) -> tuple[str, str]:
    d = net.nodes[n]
    cc = str(d.get("class_curie") or d.get("class") or "entity")
    return cc, str(d.get("class") or cc.split(":")[-1])


def _class_tree(graph: Any) -> dict[str, str]:
    """Class CURIE → family CURIE (its ancestor just below ``ckg:Entity``), from RDF."""
    from rdflib import RDFS

    from ..entities.lookup import entity_classes
    from ..namespaces import CKG, curie

    classes = entity_classes(graph) | {CKG.Entity}
    parents: dict[Any, list[Any]] = {
        c: sorted((p for p in graph.objects(c, RDFS.subClassOf) if p in classes and p != c), key=str)
        for c in classes}
    out: dict[str, str] = {}
    for c in classes:
        cur, seen = c, {c}
        while True:
            ps = parents.get(cur, [])
            if not ps or CKG.Entity in ps or cur == CKG.Entity:
                break
            nxt = ps[0]
            if nxt in seen:
                break
            seen.add(nxt)
            cur = nxt
        out[curie(str(c))] = curie(str(cur))
    return out


def _families_from_net(net: nx.MultiDiGraph, nodes: Iterable[Any]) -> dict[str, str]:
    """Class CURIE → family CURIE guessed from the nodes' ``classes`` closures (no RDF at hand):
    the ancestor found in the most closures, preferring classes no node has as its own."""
    nodes = list(nodes)
    seen_in: Counter[str] = Counter()
    own = set()
    closures: dict[str, set[str]] = {}
    for n in nodes:
        d = net.nodes[n]
        cc = _class_of(net, n)[0]
        own.add(cc)
        cl = {c for c in d.get("classes", ()) if c != "ckg:Entity"} | {cc}
        closures.setdefault(cc, set(cl))
        closures[cc] &= cl
        seen_in.update(cl)
    return {cc: sorted(cl, key=lambda c: (-seen_in[c], c in own, c))[0] for cc, cl in closures.items()}


def _files_text(files: Sequence[str]) -> str:
    """The data in words: ``the clusterkg curated data (8 files) + my.ttl, with the ontology``."""
    if not files:
        return ""
    curated = [f for f in files if f.startswith("data/")]
    onto = [f for f in files if f.startswith("ontology/")]
    other = [Path(f).name for f in files if f not in curated and f not in onto]
    parts = []
    if curated:
        parts.append(f"the clusterkg curated data ({len(curated)} file{'s' if len(curated) != 1 else ''})")
    if other:
        parts.append(", ".join(other[:4]) + (f" and {len(other) - 4} more" if len(other) > 4 else ""))
    text = " + ".join(parts) or "no data files"
    return text + (", with the clusterkg ontology" if onto else "")


def _resolve(name: str, net: nx.MultiDiGraph, index: Any) -> str:
    """The node key for a user's ``name``: through :class:`graph.entities.lookup.EntityIndex` when the
    RDF graph is at hand, else by key, CURIE or label."""
    if index is not None:
        iri = index.resolve(name)
        key = str(iri)
        if key not in net:
            raise InputError(f"{index.label(iri)!r} is not on this map "
                             "(left out by the --type or --period filters)")
        return key
    if name in net:
        return name
    want = normalise(name)
    by_name: dict[str, list[str]] = defaultdict(list)
    for n, d in net.nodes(data=True):
        for form in (d.get("label"), d.get("curie"), d.get("acronym")):
            if form:
                by_name[normalise(str(form))].append(str(n))
    hits = sorted(set(by_name.get(want, [])))
    if len(hits) == 1:
        return hits[0]
    near = difflib.get_close_matches(want, sorted(by_name), n=5, cutoff=0.6)
    cands = [(_label(net, k), k) for m in near for k in sorted(set(by_name[m]))]
    raise EntityNotFound(name, cands[:8])


def _neighbour_sets(net: nx.MultiDiGraph) -> dict[Any, set[Any]]:
    """Each entity's linked entities, either direction, itself excluded."""
    succ, pred = net.succ, net.pred
    return {n: (set(succ[n]) | set(pred[n])) - {n} for n in net}


def _scores(nbrs: dict[Any, set[Any]], simple: nx.Graph | Topology | None, measure: str,
            seed: int) -> tuple[dict[Any, float], str]:
    """Centrality by ``measure`` (degree from the neighbour sets, the others on the simple
    graph), and a note on the method."""
    import networkx as nx

    from ..network.topology import Topology

    if measure == "degree" or simple is None:
        n = len(nbrs)
        scale = 1.0 / (n - 1) if n > 1 else 0.0
        return {v: len(ns) * scale for v, ns in nbrs.items()}, ""
    if len(simple) == 0:
        return {}, ""
    if measure == "pagerank":
        return nx.pagerank(simple.simple_graph() if isinstance(simple, Topology) else simple,
                           alpha=0.85, weight="weight"), ""
    from ..network.centrality import betweenness

    scores, method = betweenness(simple, seed=seed)
    note = ""
    if method.get("mode") == "sampled":
        note = f"betweenness estimated from {method['k']} sampled entities (seed {seed})"
    return scores, note


@dataclass
class _Region:
    """A focus map's entities found on the dataset's topology, with the projection of just them."""

    net: Any
    centre: str
    dist: dict[str, int]
    chosen: list[str]
    in_scope: int
    available: int
    nbrs: dict[str, set[str]]
    skey: dict[str, tuple[str, str]]
    scores: dict[str, float]
    method_note: str


def _topology_label(label: str, iri: str) -> str:
    return label or re.split(r"[/#:]", iri.rstrip("/#"))[-1] or iri


def _pair_neighbours(names: Sequence[str], us: Any, vs: Any, nodes: Sequence[int]) -> dict[str, set[str]]:
    """The neighbours of ``nodes`` (positions) given the linked pairs as two numpy arrays, by name."""
    import numpy as np

    mark = np.zeros(len(names), dtype=bool)
    mark[list(nodes)] = True
    from_u, from_v = mark[us], mark[vs]
    a = np.concatenate([us[from_u], vs[from_v]])
    b = np.concatenate([vs[from_u], us[from_v]])
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    starts = np.searchsorted(a, nodes, side="left")
    ends = np.searchsorted(a, nodes, side="right")
    return {names[i]: {names[j] for j in b[lo:hi].tolist() if j != i}
            for i, lo, hi in zip(nodes, starts.tolist(), ends.tolist(), strict=True)}


def _focus_region(ds: Any, focus: str, depth: int, types: list[str], period: str | None, size_by: str,
                  max_nodes: int, seed: int) -> _Region:
    """The entities within ``depth`` linkages of ``focus`` (the nearest and highest-scoring first when
    there are more than ``max_nodes``), found on the dataset's topology, and the projection of only
    those entities cut from the store (:func:`graph.network.local.region_network`).

    The same map as from the whole projection (the tests compare the pages byte for byte), without
    reading the whole projection: on a million-triple dataset the topology is a few megabytes.
    """
    from ..network.local import region_network

    filters = {"include_classes": types, "periods": [period] if period else []}
    topo = ds.topology(**filters)
    index = ds.index
    iri = index.resolve(focus)
    centre = str(iri)
    if centre not in topo:
        raise InputError(f"{index.label(iri)!r} is not on this map (left out by the --type or --period filters)")
    import numpy as np

    names = topo.node_list
    at = topo.index
    n = topo.number_of_nodes()
    flat = np.asarray(topo.edges, dtype=np.int64)
    us, vs = flat[0::2], flat[1::2]
    # a breadth-first search a whole ring at a time, over the pair arrays (no graph object built)
    seen = np.zeros(n, dtype=bool)
    seen[at[centre]] = True
    ring = np.zeros(n, dtype=bool)
    ring[at[centre]] = True
    dist = {centre: 0}
    for level in range(1, depth + 1):
        reached = np.concatenate([vs[ring[us]], us[ring[vs]]])
        nxt = np.unique(reached[~seen[reached]])
        if not len(nxt):
            break
        for j in nxt.tolist():
            dist[names[j]] = level
        seen[nxt] = True
        ring[:] = False
        ring[nxt] = True
    if size_by == "degree":
        scale = 1.0 / (n - 1) if n > 1 else 0.0
        degree = np.bincount(us, minlength=n) + np.bincount(vs, minlength=n)
        scores = {v: int(degree[at[v]]) * scale for v in dist}
        method_note = ""
    else:
        scores, method_note = _scores({}, topo, size_by, seed)
    skey = {v: (_topology_label(topo.labels[at[v]], v).casefold(), v) for v in dist}
    chosen = list(dist)
    if len(chosen) > max_nodes:
        chosen.sort(key=lambda v: (dist[v], -scores.get(v, 0.0), skey[v]))
        chosen = chosen[:max_nodes]
    nbrs = _pair_neighbours(names, us, vs, [at[v] for v in chosen])
    net = region_network(ds, chosen, **{k: v for k, v in filters.items() if v})
    net.graph.update(topo.graph)  # the vocabularies and filters of the whole projection
    return _Region(net=net, centre=centre, dist={v: dist[v] for v in chosen}, chosen=chosen,
                   in_scope=len(dist), available=n, nbrs=nbrs, skey=skey, scores=scores,
                   method_note=method_note)


def _periods_of_nodes(net: nx.MultiDiGraph, nodes: Iterable[Any]) -> dict[Any, list[str]]:
    """Period CURIEs each node belongs to: what it links to with ``ckg:inPeriod``; a period
    entity belongs to itself."""
    periods = net.graph.get("periods", {})
    out: dict[Any, list[str]] = {}
    for n in nodes:
        mine = set()
        cur = net.nodes[n].get("curie", "")
        if cur in periods or "ckg:ProgrammingPeriod" in net.nodes[n].get("classes", ()):
            mine.add(cur or str(n))
        for _, v, k in net.out_edges(n, keys=True):
            if k == "ckg:inPeriod":
                mine.add(net.nodes[v].get("curie", str(v)))
        out[n] = sorted(mine)
    return out


def _short(text: str, limit: int = 48) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (labels drawn on the map)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-–(") + "…"


def _tip_text(text: str, limit: int = 360) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_tip(net: nx.MultiDiGraph, n: Any, degree: int, measure: str, score: float) -> list[str]:
    d = net.nodes[n]
    lines = [_label(net, n), f"Type: {d.get('class') or 'entity'}"]
    other = [str(d[k]) for k in ("acronym", "altLabel") if d.get(k)]
    if other:
        lines.append(_tip_text(f"Also: {'; '.join(other)}", 200))
    if d.get("definition"):
        lines.append(_tip_text(f"Definition: {d['definition']}"))
    lines.append(_tip_text(f"Source: {d.get('source_text') or 'none recorded'}", 300))
    lines.append(f"Linked to {degree} entit{'y' if degree == 1 else 'ies'} ({measure} {score:.3g})")
    lines.append(f"Id: {d.get('curie') or n}")
    return lines


def _linkage_line(net: nx.MultiDiGraph, a: Any, b: Any, key: Any, d: Mapping[str, Any]) -> list[str]:
    word = str(d.get("linkage") or d.get("label") or key)
    la, lb = _label(net, a), _label(net, b)
    if d.get("kind") == "synergy":
        arrow = f"←{word}→" if "bidirectional" in str(d.get("direction", "")) else f"—{word}→"
        details = ["synergy"]
        details += [str(d[k]) for k in ("status", "period") if d.get(k)]
        if isinstance(d.get("strength"), (int, float)):
            details.append(f"strength {d['strength']:g}")
        lines = [f"{la} {arrow} {lb}", "   " + " · ".join(details)]
    else:
        lines = [f"{la} —{word}→ {lb}"]
    lines.append(_tip_text(f"   source: {d.get('source_text') or 'none recorded'}", 300))
    return lines


def _edge_style(linkages: list[tuple[Any, Any, Any, Mapping[str, Any]]]) -> str:
    syn = [d for *_, d in linkages if d.get("kind") == "synergy"]
    if not syn:
        return "p"
    statuses = {str(d.get("status", "")) for d in syn}
    if all("envisaged" in s for s in statuses):
        return "se"
    if all("ended" in s for s in statuses):
        return "sx"
    return "s"


# -- render ---------------------------------------------------------------------------------

def render(
    source: Any,
    *,
    out: str | Path | None = None,
    focus: str | None = None,
    depth: int = 2,
    path: Sequence[str] | None = None,
    types: Iterable[str] = (),
    period: str | None = None,
    size_by: str = "degree",
    colour_by: str = "class",
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    seed: int = 0,
    data_label: str | None = None,
) -> RenderedMap:
    """Render an interactive map of the linkage network as one self-contained HTML page.

    Parameters
    ----------
    source : Dataset, LoadedGraph, rdflib.Graph or networkx.MultiDiGraph
        The dataset (its cached projection is used), a graph (projected with
        :func:`graph.network.projection.project`) or a projection.
    out : str or Path, optional
        Also write the page there (atomically).
    focus : str, optional
        Show only this entity and those within ``depth`` linkages (a label, acronym, CURIE or IRI).
    depth : int
        Linkages around ``focus``.
    path : (str, str), optional
        Show only the shortest linkage path from the first entity to the second, left to right.
    types : iterable of str
        Keep only entities of these classes (labels, plurals, CURIEs; subclasses count).
    period : str, optional
        Keep only what belongs to this programming period (items with no period stay).
    size_by : {"degree", "betweenness", "pagerank"}
        Node size (area) follows this centrality, computed on the whole filtered network.
    colour_by : {"class", "community"}
        Colour by class family (subclasses get their own shape) or by community (Louvain, seeded).
    max_nodes : int
        Above this, keep the top entities by ``size_by`` (around ``focus``: the nearest first).
    title : str, optional
        Heading (default: says what is shown).
    seed : int
        Seed of the layout, the communities and any sampled betweenness.
    data_label : str, optional
        How the header names the data (default: from the files read).

    Returns
    -------
    RenderedMap

    Raises
    ------
    InputError
        Bad option, or no path between the two entities.
    EntityNotFound, AmbiguousEntity, TermNotFound
        A name matches no entity (or several), or no class or period.
    """
    import networkx as nx

    from ..network.projection import simple_graph
    from .layout import map_layout

    if size_by not in SIZE_MEASURES:
        raise InputError(f"unknown --size-by {size_by!r} (one of {', '.join(SIZE_MEASURES)})")
    if colour_by not in COLOUR_MODES:
        raise InputError(f"unknown --colour-by {colour_by!r} (one of {', '.join(COLOUR_MODES)})")
    if max_nodes < 1:
        raise InputError("--max-nodes must be at least 1")
    if depth < 1:
        raise InputError("--depth must be at least 1")
    if focus is not None and path is not None:
        raise InputError("use --focus or --path, not both")
    if path is not None and len(path) != 2:
        raise InputError("--path takes two entities: SOURCE TARGET")
    types = list(types)

    rdf, files = _unpack(source)
    families: dict[str, str] | None = None
    index = None
    region: _Region | None = None
    if hasattr(source, "topology") and hasattr(source, "index") and focus is not None:  # a Dataset
        region = _focus_region(source, focus, depth, types, period, size_by, max_nodes, seed)
        net = region.net
        families = _class_tree(source.schema())
    elif hasattr(source, "network") and hasattr(source, "index"):  # a Dataset
        net = source.network(include_classes=types, periods=[period] if period else [])
        families = _class_tree(source.schema())
        index = source.index if focus is not None or path is not None else None
    elif rdf is not None:
        from ..network.projection import project

        net = project(rdf, include_classes=types, periods=[period] if period else [])
        families = _class_tree(rdf)
        if focus is not None or path is not None:
            from ..entities.lookup import EntityIndex

            index = EntityIndex(rdf)
    else:
        net = source
        if not isinstance(net, nx.MultiDiGraph):
            raise InputError("render() takes a LoadedGraph, an rdflib Graph or a projection (MultiDiGraph)")
        if period:
            raise InputError("filter a projection by period with graph.network.projection.project(..., periods=[...])")
        if types:
            from ..network.projection import in_class, resolve_class

            wanted = [resolve_class(net, t) for t in types]
            net = net.subgraph([n for n in net if in_class(net, n, wanted)]).copy()

    # -- what to show
    mode = "all"
    path_nodes: list[Any] = []
    path_steps: list[dict[str, Any]] = []
    dist: dict[Any, int] = {}
    centre = None
    if region is not None:  # the neighbourhood, found on the topology and cut from the store
        available, nbrs, skey, scores, method_note = (region.available, region.nbrs, region.skey, region.scores,
                                                      region.method_note)
        simple = None
    else:
        available = net.number_of_nodes()
        nbrs = _neighbour_sets(net)
        skey = {n: _sort_key(net, n) for n in net}
        simple = simple_graph(net) if size_by != "degree" else None
        scores, method_note = _scores(nbrs, simple, size_by, seed)
    if region is not None:
        mode = "focus"
        centre, dist = region.centre, region.dist
        chosen = list(region.chosen)
    elif path is not None:
        mode = "path"
        s, t = _resolve(path[0], net, index), _resolve(path[1], net, index)
        path_nodes, path_steps = _shortest_path(net, simple if simple is not None else simple_graph(net), s, t)
        chosen = list(path_nodes)
    elif focus is not None:
        mode = "focus"
        centre = _resolve(focus, net, index)
        dist = {centre: 0}
        frontier = [centre]
        for level in range(1, depth + 1):
            frontier = [m for n in frontier for m in sorted(nbrs[n], key=skey.__getitem__) if m not in dist]
            for m in frontier:
                dist.setdefault(m, level)
            frontier = list(dict.fromkeys(frontier))
        chosen = list(dist)
    else:
        chosen = list(net.nodes)

    in_scope = region.in_scope if region is not None else len(chosen)
    left_out = in_scope - len(chosen)  # a region comes capped already
    if mode != "path" and len(chosen) > max_nodes:
        chosen.sort(key=lambda n: (dist.get(n, 0), -scores.get(n, 0.0), skey[n]))
        chosen = chosen[:max_nodes]
        left_out = in_scope - len(chosen)
    chosen.sort(key=skey.__getitem__)

    # -- linked pairs on the map
    if mode == "path":
        pairs = [(u, v) if skey[u] <= skey[v] else (v, u) for u, v in itertools.pairwise(path_nodes)]
    else:
        keep = set(chosen)
        pairs = [(u, v) for u in chosen for v in nbrs[u] if v in keep and skey[u] < skey[v]]
    pairs.sort(key=lambda p: (skey[p[0]], skey[p[1]]))

    ids = {n: i for i, n in enumerate(chosen)}
    sub = nx.Graph()
    sub.add_nodes_from(chosen)
    sub.add_edges_from(pairs)

    # -- colours and legend
    legend, group_of, class_keys = _colours(net, chosen, sub, colour_by, families, seed)

    # -- positions
    positions: dict[Any, tuple[float, float]] = {}
    levels: dict[Any, int] = {}
    if mode == "path":
        levels = {n: i for i, n in enumerate(path_nodes)}
    else:
        small = len(chosen) <= 120
        positions = map_layout(sub, seed=seed, edge_length=170.0 if small else 130.0,
                               min_separation=85.0 if small else 75.0) if chosen else {}

    # -- nodes and edges
    node_data = _node_items(net, chosen, ids, group_of, class_keys, scores, nbrs, size_by, colour_by,
                            mode, levels, positions, centre)
    edge_data, linkage_count = _edge_items(net, pairs, ids, path_steps)

    # -- header
    title_text, header = _header(net, mode, chosen, pairs, linkage_count, available, in_scope, left_out,
                                 focus_label=_label(net, centre) if centre is not None else None,
                                 depth=depth, path_nodes=path_nodes, files=files, data_label=data_label,
                                 size_by=size_by, colour_by=colour_by, method_note=method_note,
                                 filters=net.graph.get("filters", {}), title=title)

    doc = _page_doc(net, mode, node_data, edge_data, legend, colour_by, size_by, title_text)
    page = _fill(title_text, header, doc)
    result = RenderedMap(html=page, title=title_text, nodes=len(node_data), edges=len(edge_data),
                         linkages=linkage_count, available=available, left_out=left_out, mode=mode,
                         header=[h for h in header], node_ids=[str(n) for n in chosen], data=doc)
    if out is not None:
        result.write(out)
    return result


def _node_items(net: nx.MultiDiGraph, chosen: list[Any], ids: dict[Any, int], group_of: dict[Any, Any],
                class_keys: dict[Any, Any], scores: dict[Any, float], nbrs: dict[Any, set[Any]], size_by: str,
                colour_by: str, mode: str, levels: dict[Any, int], positions: dict[Any, tuple[float, float]],
                centre: Any) -> list[dict[str, Any]]:
    """The vis-network nodes: label, class, size, periods, search names, tooltip, position."""
    periods = _periods_of_nodes(net, chosen)
    degree = {n: len(nbrs[n]) for n in chosen}
    node_data = []
    for n in chosen:
        d = net.nodes[n]
        score = float(scores.get(n, 0.0))
        names = [_label(net, n), str(d.get("curie") or ""), str(d.get("acronym") or ""),
                 str(d.get("altLabel") or "")]
        item: dict[str, Any] = {
            "id": ids[n],
            "label": _short(_label(net, n)),
            "name": _label(net, n),
            "group": group_of[n],
            "value": round(math.sqrt(max(score, 0.0)), 6),
            "cls": str(d.get("class") or "entity"),
            "key": class_keys[n] if colour_by == "class" else group_of[n],
            "periods": periods[n],
            "iri": str(n),
            "search": list(dict.fromkeys(normalise(x) for x in names if x)),
            "tip": _node_tip(net, n, degree.get(n, 0), size_by, score),
        }
        if mode == "path":
            item["level"] = levels[n]
        else:
            item["x"], item["y"] = positions[n]
        if n == centre:
            item["centre"] = True
        node_data.append(item)
    return node_data


def _edge_items(net: nx.MultiDiGraph, pairs: list[tuple[Any, Any]], ids: dict[Any, int],
                path_steps: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The vis-network edges (one per linked pair, its linkages in the tooltip) and the linkage count."""
    edge_data = []
    linkage_count = 0
    step_lines = {(_pair_key(net, st["from"], st["to"])): st for st in path_steps}
    for i, (u, v) in enumerate(pairs):
        linkages = [(u, v, k, d) for k, d in sorted(net[u][v].items(), key=lambda kv: str(kv[0]))] \
            if net.has_edge(u, v) else []
        if u != v and net.has_edge(v, u):
            linkages += [(v, u, k, d) for k, d in sorted(net[v][u].items(), key=lambda kv: str(kv[0]))]
        linkage_count += len(linkages)
        forward = any(a == u or "bidirectional" in str(d.get("direction", "")) for a, _, _, d in linkages)
        backward = any(a == v or "bidirectional" in str(d.get("direction", "")) for a, _, _, d in linkages)
        arrows = ",".join(x for x, on in (("to", forward), ("from", backward)) if on)
        lines = [f"{_label(net, u)} — {_label(net, v)}: {len(linkages)} linkage{'s' if len(linkages) != 1 else ''}"]
        step = step_lines.get(_pair_key(net, u, v))
        if step is not None:
            lines = [f"{step['from_label']} → {step['to_label']}"]
            for lk in step["linkages"][:8]:
                lines.append(lk["text"])
        else:
            for a, b, k, d in linkages[:8]:
                lines.extend(_linkage_line(net, a, b, k, d))
        if len(linkages) > 8:
            lines.append(f"… and {len(linkages) - 8} more")
        eperiods: set[str] = set()
        for _a, b, k, d in linkages:
            if d.get("period_curie"):
                eperiods.update(p.strip() for p in str(d["period_curie"]).split(",") if p.strip())
            if k == "ckg:inPeriod":
                eperiods.add(net.nodes[b].get("curie", str(b)))
        item = {"id": i, "from": ids[u], "to": ids[v], "arrows": arrows, "style": _edge_style(linkages),
                "periods": sorted(eperiods), "tip": lines}
        if step is not None:  # a path reads left to right: say so in words, no arrowheads
            item["label"] = "\n".join(_short(lk["arrow"], 40) for lk in step["linkages"][:3])
            item["arrows"] = ""
        edge_data.append(item)
    return edge_data, linkage_count


def _page_doc(net: nx.MultiDiGraph, mode: str, node_data: list[dict[str, Any]], edge_data: list[dict[str, Any]],
              legend: Any, colour_by: str, size_by: str, title_text: str) -> dict[str, Any]:
    """The JSON document the page's script draws: nodes, edges, legend, period and class filters."""
    period_vocab = net.graph.get("periods", {})
    period_counts: Counter[str] = Counter(p for item in node_data for p in item["periods"])
    for e in edge_data:
        period_counts.update(e["periods"])
    period_list = [{"id": p, "label": period_vocab.get(p, p), "count": period_counts[p]}
                   for p in sorted(period_counts, key=lambda p: (period_vocab.get(p, p), p))]
    class_counts = Counter(item["cls"] for item in node_data)
    return {
        "mode": mode,
        "nodes": node_data,
        "edges": edge_data,
        "legend": legend,
        "edgeStyles": EDGE_STYLES,
        "periods": period_list,
        "classes": [{"label": c, "count": class_counts[c]} for c in sorted(class_counts)],
        "colourBy": colour_by,
        "sizeBy": size_by,
        "options": _vis_options(mode, len(node_data), len(edge_data)),
        "title": title_text,
    }


def open_in_browser(path: str | Path, wait: float = 5.0) -> bool:
    """Open the file ``path`` in the default browser, quietly; True when a browser was started.

    Uses ``xdg-open`` (Linux and BSD), ``open`` (macOS) or the shell (Windows), with its output
    discarded: when no browser is found the opener's complaints are not shown, and the caller says
    so in one line instead. An opener still running after ``wait`` seconds counts as started.
    """
    import os
    import shutil
    import subprocess
    import sys

    target = Path(path).resolve()
    if os.name == "nt":  # pragma: no cover - not on the test machines
        try:
            os.startfile(str(target))  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        return False
    try:
        proc = subprocess.Popen([opener, target.as_uri()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    try:
        return proc.wait(timeout=wait) == 0
    except subprocess.TimeoutExpired:
        return True


def _pair_key(net: nx.MultiDiGraph, u: Any, v: Any) -> tuple[str, str]:
    return (str(u), str(v)) if _sort_key(net, u) <= _sort_key(net, v) else (str(v), str(u))


def _unpack(source: Any) -> tuple[Any, list[str]]:
    """(rdflib graph or None, files) from a LoadedGraph, a Graph or a projection."""
    import networkx as nx
    from rdflib import Graph

    if isinstance(source, nx.Graph):
        return None, []
    if hasattr(source, "network") and hasattr(source, "files"):  # a Dataset
        return None, [str(f) for f in source.files]
    if isinstance(source, Graph):
        return source, []
    g = getattr(source, "graph", None)
    if isinstance(g, Graph):
        return g, [str(f) for f in getattr(source, "files", [])]
    raise InputError("render() takes a LoadedGraph, an rdflib Graph or a projection (MultiDiGraph)")


def _shortest_path(net: nx.MultiDiGraph, simple: nx.Graph, s: Any, t: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """Nodes of the shortest linkage path and, per step, its linkages read along the path."""
    if s == t:
        raise InputError("source and target are the same entity")
    try:
        from ..network.paths import linkage_paths
    except ImportError:  # pragma: no cover - graph.network.paths ships with the network analysis
        return _plain_shortest_path(net, simple, s, t), []
    result = linkage_paths(net, s, t)
    if not result["found"]:
        raise InputError(result["reason"])
    p = result["paths"][0]
    nodes = [x["iri"] for x in p["nodes"]]
    steps = [{"from": st["from"]["iri"], "to": st["to"]["iri"], "from_label": st["from"]["label"],
              "to_label": st["to"]["label"], "linkages": st["linkages"]} for st in p["steps"]]
    return nodes, steps


def _plain_shortest_path(net: nx.MultiDiGraph, simple: nx.Graph, s: Any, t: Any) -> list[Any]:
    import networkx as nx

    try:
        return list(nx.shortest_path(simple, s, t))
    except nx.NetworkXNoPath:
        raise InputError(f"no linkage path between {_label(net, s)} and {_label(net, t)}") from None


def _colours(net: nx.MultiDiGraph, chosen: list[Any], sub: nx.Graph, colour_by: str,
             families: dict[str, str] | None, seed: int) -> tuple[dict[str, Any], dict[Any, str], dict[Any, str]]:
    """Legend, the vis group of each node and its class key."""
    class_keys: dict[Any, str] = {}
    class_label: dict[str, str] = {}
    for n in chosen:
        cc, cl = _class_of(net, n)
        class_keys[n] = cc
        class_label[cc] = cl
    counts = Counter(class_keys.values())
    groups: dict[str, dict[str, Any]] = {}
    group_of: dict[Any, str] = {}
    items = []
    if colour_by == "class":
        fam = families or _families_from_net(net, chosen)
        family_of = {cc: fam.get(cc, cc) for cc in counts}
        fam_count: Counter[str] = Counter()
        for cc, c in counts.items():
            fam_count[family_of[cc]] += c
        fam_order = sorted(fam_count, key=lambda f: (-fam_count[f], f))
        fam_colour = {f: (PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR) for i, f in enumerate(fam_order)}
        for f in fam_order:
            members = sorted((cc for cc in counts if family_of[cc] == f),
                             key=lambda cc: (cc != f, -counts[cc], cc))
            for j, cc in enumerate(members):
                shape = SHAPES[j % len(SHAPES)]
                key = f"g{len(groups)}"
                groups[key] = _group_style(fam_colour[f], shape)
                items.append({"key": cc, "group": key, "label": class_label[cc], "count": counts[cc],
                              "color": fam_colour[f], "shape": shape})
                for n in chosen:
                    if class_keys[n] == cc:
                        group_of[n] = key
        title = "Colour: class (shape: subclass)"
    else:
        from ..network.communities import communities

        sub_net = net.subgraph(chosen)
        result = communities(sub_net, seed=seed)
        for g in result["groups"]:
            i = g["id"] - 1
            key = f"g{i}" if i < len(PALETTE) else "gother"
            colour = PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR
            if key not in groups:
                groups[key] = _group_style(colour, "dot")
                hub = sorted(g["members"], key=lambda m: (-sub.degree(m["iri"]), m["label"].casefold()))[0]
                top = ", ".join(list(g["classes"])[:2])
                label = (f"group {g['id']}: around {_short(hub['label'], 40)} ({top})"
                         if key != "gother" else "smaller groups")
                items.append({"key": key, "group": key, "label": label, "count": 0, "color": colour,
                              "shape": "dot"})
            for m in g["members"]:
                group_of[m["iri"]] = key
            for it in items:
                if it["key"] == key:
                    it["count"] += g["size"]
        title = "Colour: community (Louvain)"
        for n in chosen:  # members come back as IRIs (str); make sure every node has a group
            group_of.setdefault(n, group_of.get(str(n), "gother"))
    return {"title": title, "items": items, "groups": groups}, group_of, class_keys


def _group_style(colour: str, shape: str) -> dict[str, Any]:
    border = _darker(colour)
    return {"shape": shape, "color": {"background": colour, "border": border,
                                      "highlight": {"background": colour, "border": "#111111"},
                                      "hover": {"background": colour, "border": "#111111"}}}


def _darker(colour: str, f: float = 0.7) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"#{int(r * f):02X}{int(g * f):02X}{int(b * f):02X}"


def _vis_options(mode: str, n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options. Label sizes are not set here: the page keeps labels at a steady
    size on screen and shows more of them (most central first) as the user zooms in."""
    big = n_edges > 3000
    node_max = 48 if n_nodes > 400 else (40 if n_nodes > 120 else 30)
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                     "color": "#1F2933", "strokeWidth": 4, "strokeColor": "#FFFFFF"},
            "scaling": {"min": 8, "max": node_max,
                        "label": {"enabled": False, "drawThreshold": 5}},
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "hoverWidth": 1.5,
            "arrows": {"to": {"enabled": False, "scaleFactor": 0.45}},
            "font": {"size": 13, "color": "#4A5560", "strokeWidth": 3, "strokeColor": "#FFFFFF",
                     "align": "horizontal"},
        },
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
        "layout": {"improvedLayout": False, "randomSeed": 0},
    }
    if mode == "path":
        options["layout"]["hierarchical"] = {"enabled": True, "direction": "LR", "sortMethod": "directed",
                                             "levelSeparation": 280, "nodeSpacing": 140,
                                             "parentCentralization": False}
        options["nodes"]["scaling"].update({"min": 16, "max": 16})
    return options


def _header(net: nx.MultiDiGraph, mode: str, chosen: list[Any], pairs: list[Any], linkages: int,
            available: int, in_scope: int, left_out: int, *, focus_label: str | None, depth: int,
            path_nodes: list[Any], files: Sequence[str], data_label: str | None, size_by: str,
            colour_by: str, method_note: str, filters: Mapping[str, Any],
            title: str | None) -> tuple[str, list[str]]:
    n, m = len(chosen), len(pairs)
    ent = f"{n:,} entit{'y' if n == 1 else 'ies'}"
    links = f"{m:,} linked pair{'s' if m != 1 else ''} ({linkages:,} linkage{'s' if linkages != 1 else ''})"
    if mode == "path":
        a, b = _label(net, path_nodes[0]), _label(net, path_nodes[-1])
        default_title = f"Linkage path: {a} → {b}"
        shown = (f"Shows the shortest linkage path from {a} to {b}: {len(path_nodes) - 1} step(s), "
                 f"left to right; hover a line for the linkage and its source.")
    elif mode == "focus":
        default_title = f"{focus_label} and its neighbourhood"
        shown = (f"Shows {focus_label} and the entities within {depth} linkage{'s' if depth != 1 else ''} "
                 f"of it: {ent}, {links}.")
    else:
        default_title = "EU cluster policy: linkage map"
        shown = f"Shows {ent} and {links}."
    shown += f" Colour: {colour_by}; size: {size_by}" + (f" ({method_note})" if method_note else "") + "."
    data = data_label or _files_text(files) or "a projection passed in by the caller"
    scope = []
    if filters.get("include_classes"):
        names = [net.graph.get("classes", {}).get(c, c) for c in filters["include_classes"]]
        scope.append("classes " + ", ".join(names))
    if filters.get("periods"):
        names = [net.graph.get("periods", {}).get(p, p) for p in filters["periods"]]
        scope.append("period " + ", ".join(names))
    data_line = f"Data: {data}" + (f"; only {'; '.join(scope)}" if scope else "") + \
        f" ({available:,} entit{'y' if available == 1 else 'ies'} in scope)."
    left = []
    rest = available - in_scope
    if mode == "focus" and rest > 0:
        left.append(f"the other {rest:,} entit{'y' if rest == 1 else 'ies'} (more than {depth} "
                    f"linkage{'s' if depth != 1 else ''} away from {focus_label})")
    elif mode == "path" and rest > 0:
        left.append(f"the other {rest:,} entit{'y' if rest == 1 else 'ies'} (not on this path)")
    if left_out:
        which = f"furthest from {focus_label} or with the lowest {size_by}" if mode == "focus" else \
            f"with the lowest {size_by}"
        left.append(f"{left_out:,} entit{'y' if left_out == 1 else 'ies'} {which} and their "
                    f"linkages, to keep the map usable (the top {n:,} are shown with their linkages)")
    if left_out:
        hint = ("To see them, focus on one entity (clusterkg render --focus ENTITY --depth 2), "
                "filter (--type CLASS, --period P) or raise --max-nodes.")
    else:
        hint = ""
    left_line = ("Left out: " + "; and ".join(left) + ". " + hint).strip() if left else "Nothing left out."
    return (title or default_title), [shown, data_line, left_line]


def _fill(title: str, header: list[str], doc: dict[str, Any]) -> str:
    js, css = vis_assets()
    esc = html.escape
    header_html = (f'<h1 id="map-title">{esc(title)}</h1>\n'
                   f'<p id="map-shown">{esc(header[0])}</p>\n'
                   f'<p id="map-data-line">{esc(header[1])}</p>\n'
                   f'<p id="map-left-out">{esc(header[2])}</p>')
    values = {
        "TITLE": esc(title),
        "CSP": esc(CSP, quote=True),
        "VIS_CSS": css,
        "VIS_JS": js,
        "HEADER": header_html,
        "DATA": _json_for_script(doc),
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _template())
