"""What each explorer page shows, as plain data (the HTML page and its ``.json`` twin share it).

Every function takes the :class:`Explorer` (the dataset plus the server's caches and limits)
and request parameters, and returns a JSON-ready dict. Nothing here loads the whole graph into
a page: lists are paged (:func:`paged`), maps hold at most ``map_nodes`` entities, and answers
that cost time on a large graph (centrality, communities, gaps, library queries) are computed
once per parameter set and kept.

Examples
--------
>>> paged(list(range(7)), page=2, size=3)["items"]
[3, 4, 5]
>>> paged([], page=1, size=3)["pages"]
1
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..entities.lookup import normalise
from ..errors import InputError
from ..namespaces import curie
from .config import ServerConfig
from .gate import GATE

__all__ = ["Explorer", "paged"]


def paged(items: Sequence[Any], page: int, size: int) -> dict[str, Any]:
    """One page of ``items``: ``items``, ``page``, ``pages``, ``total``, ``size``."""
    total = len(items)
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    start = (page - 1) * size
    return {"items": list(items[start:start + size]), "page": page, "pages": pages, "total": total, "size": size}


@dataclass
class Explorer:
    """The dataset as the explorer serves it: one instance per server.

    Parameters
    ----------
    ds : Dataset
        The opened dataset (read-only).
    config : ServerConfig
        Limits and page sizes.
    """

    ds: Any
    config: ServerConfig = field(default_factory=ServerConfig)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._recent: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._flights: dict[tuple[Any, ...], threading.Lock] = {}
        self._local = threading.local()
        self._simple: Any = None

    # -- shared state ----------------------------------------------------------------------

    def warm(self) -> None:
        """Open everything a request needs (store, index, projection, stats) before serving."""
        with GATE.reading():
            self.ds.store  # noqa: B018 - opens the store
            self.ds.stats()
            self.net()
            self.simple()
            self._db().execute("SELECT 1").fetchone()
            from ..actors.tables import actor_tables

            actor_tables(self.ds)

    def net(self) -> Any:
        """The linkage network (projection), shared and read-only."""
        with self._lock:
            return self.ds.network()

    def simple(self) -> Any:
        """The simple undirected view of the network, built once."""
        from ..network.projection import simple_graph

        with self._lock:
            if self._simple is None:
                self._simple = simple_graph(self.ds.network())
            return self._simple

    def memo(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        """``fn()`` computed once per ``key`` (the data never changes while serving).

        Concurrent requests for the same key wait for the one computation instead of each
        starting their own (a costly analysis on a large graph is done once).
        """
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                if key in self._memo:
                    return self._memo[key]
            value = fn()
            with self._lock:
                self._memo[key] = value
                self._flights.pop(key, None)
                return value

    def recent(self, key: tuple[Any, ...], fn: Callable[[], Any], size: int = 512) -> Any:
        """``fn()`` kept in a bounded LRU (entity pages, maps: many keys, each cheap to keep)."""
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        value = fn()
        with self._lock:
            self._recent[key] = value
            while len(self._recent) > size:
                self._recent.popitem(last=False)
        return value

    def _db(self) -> sqlite3.Connection:
        """A per-thread read-only connection to the entity index."""
        db = getattr(self._local, "db", None)
        if db is None:
            entry = self.ds.entry
            if entry is not None and (Path(entry) / "index.sqlite").exists():
                uri = f"{(Path(entry) / 'index.sqlite').resolve().as_uri()}?mode=ro"
                db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                db = self.ds.index._db  # the in-memory index (no cache folder)
            self._local.db = db
        return db

    def summary(self, iri: str) -> dict[str, str]:
        """``{"iri", "curie", "label", "class"}`` of any entity."""
        from ..network.projection import node_summary

        net = self.net()
        if iri in net:
            return node_summary(net, iri)
        return {"iri": iri, "curie": curie(iri), "label": self.ds.label(iri), "class": ""}

    def resolve(self, name: str) -> str:
        """The IRI of ``name`` (raises the index's lookup errors)."""
        with GATE.reading():
            return self.ds.resolve(name)

    # -- search ----------------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 10, page: int = 1) -> dict[str, Any]:
        """Entities whose label, acronym or alias matches ``q``: exact, then prefix, then word, then substring."""
        key = normalise(q)[:200]
        if not key:
            return {"q": q, **paged([], 1, limit), "results": []}
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._db().execute(
            """SELECT n.iri, e.label, n.norm, n.is_label FROM name n JOIN entity e ON e.iri = n.iri
               WHERE n.norm LIKE ? ESCAPE '\\' LIMIT 20000""", (f"%{like}%",)).fetchall()
        best: dict[str, tuple[int, str, str]] = {}
        for iri, label, norm, is_label in rows:
            if norm == key:
                tier = 0
            elif norm.startswith(key):
                tier = 1
            elif re.search(r"(^|[\s\-/(])" + re.escape(key), norm):
                tier = 2
            else:
                tier = 3
            tier = tier * 2 + (0 if is_label else 1)
            cur = best.get(iri)
            if cur is None or tier < cur[0]:
                best[iri] = (tier, label, norm)
        order = sorted(best, key=lambda i: (best[i][0], len(best[i][1]), best[i][1].casefold(), i))
        p = paged(order, page, limit)
        net = self.net()
        results = []
        for iri in p.pop("items"):
            _, label, norm = best[iri]
            cls = str(net.nodes[iri].get("class", "")) if iri in net else ""
            item = {"iri": iri, "curie": curie(iri), "label": label, "class": cls}
            if normalise(label) != norm:
                item["matched"] = norm
            results.append(item)
        return {"q": q, **p, "results": results}

    # -- entity ----------------------------------------------------------------------------

    def entity(self, iri: str, *, page: int = 1, actors_page: int = 1) -> dict[str, Any]:
        """Everything the entity page shows: the description (linkages paged) and its linked actors (paged)."""
        full = self.recent(("entity", iri), lambda: self._entity(iri))
        d = dict(full)
        d["linkages"] = paged(full["linkages"], page, self.config.page_size)
        d["actors"] = self.actors(iri, page=actors_page)
        d["region_profile"] = self.region_of(iri)
        d["partner_seed"] = self.partner_seed(iri)
        return d

    def _entity(self, iri: str) -> dict[str, Any]:
        from ..entities.describe import describe

        with GATE.reading():
            d = describe(self.ds.subgraph([iri]), f"<{iri}>", self.ds.index)
        linkages: list[dict[str, Any]] = []
        for s in d.pop("synergies"):
            linkages.append({"kind": "synergy", "direction": "out" if s.get("role") == "source" else "in",
                             "type": s.get("type", ""), "other": s.get("other", ""),
                             "other_label": s.get("other_label", ""), "period": s.get("period", ""),
                             "status": s.get("status", ""), "sources": s.get("provenance", []),
                             "synergy": s.get("synergy", ""), "label": s.get("label", "")})
        for o in d.pop("outgoing"):
            linkages.append({"kind": "linkage", "direction": "out", "type": o["predicate_label"],
                             "predicate": o["predicate"], "other": o["target"], "other_label": o["target_label"],
                             "period": "", "status": "", "sources": []})
        for i in d.pop("incoming"):
            linkages.append({"kind": "linkage", "direction": "in", "type": i["predicate_label"],
                             "predicate": i["predicate"], "other": i["source"], "other_label": i["source_label"],
                             "period": "", "status": "", "sources": []})
        net = self.net()
        for item in linkages:
            item["other_iri"] = other = self._expand(str(item["other"]))
            if item["kind"] == "linkage":  # the projection knows each plain linkage's source
                a, b = (iri, other) if item["direction"] == "out" else (other, iri)
                edge = net.get_edge_data(a, b, key=item["predicate"]) if a in net and b in net else None
                item["source_text"] = str((edge or {}).get("source_text") or "")
        d["linkages"] = linkages
        return d

    def _expand(self, name: str) -> str:
        from ..namespaces import expand_curie

        if re.match(r"^[a-z][a-z0-9]*:", name) and not name.startswith(("http:", "https:", "urn:")):
            full = expand_curie(name)
            return str(full) if full is not None else name
        return name

    def actors(self, iri: str, *, page: int = 1) -> dict[str, Any]:
        """The entities linked to ``iri`` (either direction), by label, with the linkage types, paged."""
        net = self.net()
        if iri not in net:
            return {**paged([], 1, self.config.page_size), "items": []}
        links: dict[str, set[str]] = {}
        for _, v, k, dd in net.out_edges(iri, keys=True, data=True):
            if v != iri:
                links.setdefault(str(v), set()).add(str(dd.get("linkage") or k))
        for u, _, k, dd in net.in_edges(iri, keys=True, data=True):
            if u != iri:
                links.setdefault(str(u), set()).add(str(dd.get("linkage") or k))
        label = {n: str(net.nodes[n].get("label", n)) for n in links}
        order = sorted(links, key=lambda n: (label[n].casefold(), n))
        p = paged(order, page, self.config.page_size)
        p["items"] = [{**self.summary(n), "linkages": sorted(links[n])} for n in p["items"]]
        return p

    # -- maps ------------------------------------------------------------------------------

    def neighbourhood(self, iri: str, depth: int = 1, limit: int | None = None) -> list[str]:
        """Up to ``limit`` entities within ``depth`` linkages of ``iri``, nearest and best linked first."""
        net = self.net()
        limit = limit or self.config.map_nodes
        if iri not in net:
            raise InputError("this entity has no linkages to draw")
        chosen = [iri]
        seen = {iri}
        ring = [iri]
        for _ in range(max(1, depth)):
            nxt: list[str] = []
            for n in ring:
                for m in set(net.succ[n]) | set(net.pred[n]):
                    if m not in seen:
                        seen.add(m)
                        nxt.append(m)
            nxt.sort(key=lambda m: (-net.degree(m), str(net.nodes[m].get("label", m)).casefold(), str(m)))
            room = limit - len(chosen)
            chosen.extend(nxt[:room])
            ring = nxt[:room]
            if len(chosen) >= limit or not ring:
                break
        return chosen

    def map_data(self, focus: str | None = None, *, depth: int = 1, path: tuple[str, str] | None = None,
                 limit: int | None = None) -> dict[str, Any]:
        """The map (nodes with positions and tooltips, pairs, legend) as :func:`graph.maps.render.render`
        builds it, around ``focus`` or along ``path``, with at most ``map_nodes`` entities."""
        limit = min(limit or self.config.map_nodes, self.config.map_nodes)
        return dict(self.recent(("map", focus, depth, path, limit), lambda: self._map_data(focus, depth, path, limit)))

    def _map_data(self, focus: str | None, depth: int, path: tuple[str, str] | None, limit: int) -> dict[str, Any]:
        from ..maps.render import render

        net = self.net()
        if path is not None:
            res = self.path(path[0], path[1], k=1)
            if not res["found"]:
                raise InputError(res["reason"])
            nodes = [n["iri"] for n in res["paths"][0]["nodes"]]
            sub = net.subgraph(nodes)
            m = render(sub, path=path, data_label="the served dataset")
        else:
            assert focus is not None
            nodes = self.neighbourhood(focus, depth, limit)
            sub = net.subgraph(nodes)
            m = render(sub, focus=focus, depth=depth, max_nodes=limit, data_label="the served dataset")
        doc = dict(m.data)
        doc["header"] = m.header
        doc["focus"] = focus
        doc["available"] = {"around": len(set(net.succ[focus]) | set(net.pred[focus])) if focus else None}
        return doc

    # -- paths -----------------------------------------------------------------------------

    def path(self, source: str, target: str, *, k: int = 1) -> dict[str, Any]:
        """The shortest linkage path(s), every hop explained with its linkages and sources."""
        from ..network.paths import linkage_paths

        net = self.net()
        for end in (source, target):
            if end not in net:
                raise InputError(f"{self.ds.label(end)!r} has no linkages in the network")
        k = max(1, min(k, 5))
        return linkage_paths(net, source, target, k=k, view=self.simple())

    # -- analyses --------------------------------------------------------------------------

    def _bounded(self, fn: Callable[[], Any]) -> Any:
        from ..sparql.query import run_bounded

        return run_bounded(fn, self.config.analysis_timeout)

    def brokers(self, *, measure: str = "betweenness", cls: str = "", page: int = 1,
                sample: int | None = None) -> dict[str, Any]:
        """Centrality ranking (optionally within one class), paged, with the method stated."""
        from ..network.centrality import MEASURES, centrality
        from ..network.projection import resolve_class

        if measure not in MEASURES:
            raise InputError(f"unknown measure {measure!r} (one of {', '.join(MEASURES)})")
        net = self.net()
        types = [resolve_class(net, cls)] if cls else []

        def compute() -> dict[str, Any]:
            return centrality(net, measure, types=types, sample=sample)

        result = self.memo(("brokers", measure, tuple(types), sample), lambda: self._bounded(compute))
        out = {k: v for k, v in result.items() if k != "rows"}
        out["class"] = cls
        out["classes"] = self.classes()
        out["rows"] = paged(result["rows"], page, self.config.page_size)
        return out

    def classes(self) -> list[dict[str, Any]]:
        """The entity classes in the network with their counts (for the class filters)."""
        def compute() -> list[dict[str, Any]]:
            net = self.net()
            c = Counter(str(d.get("class", "")) for _, d in net.nodes(data=True))
            return [{"label": k, "count": v} for k, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) if k]

        return list(self.memo(("classes",), compute))

    def communities(self, *, page: int = 1, members: int = 12) -> dict[str, Any]:
        """Louvain communities (seeded), paged by group, each with its first ``members`` members."""
        from ..network.communities import communities

        net = self.net()
        result = self.memo(("communities",), lambda: self._bounded(lambda: communities(net, seed=0)))
        groups = []
        for g in result["groups"]:
            ms = sorted(g["members"], key=lambda m: str(m.get("label", "")).casefold())
            groups.append({**{k: v for k, v in g.items() if k != "members"},
                           "members": ms[:members], "more": max(0, len(ms) - members)})
        out = {k: v for k, v in result.items() if k != "groups"}
        out["groups"] = paged(groups, page, max(1, self.config.page_size // 5))
        return out

    def gaps(self, *, cls: str = "", page: int = 1, method: str = "adamic-adar") -> dict[str, Any]:
        """Suggested synergies (unlinked pairs with strong shared neighbours), with their evidence, paged."""
        from ..network.gaps import gaps
        from ..network.projection import resolve_class

        net = self.net()
        types = [resolve_class(net, cls)] if cls else []
        top = 200
        result = self.memo(("gaps", tuple(types), method),
                           lambda: self._bounded(lambda: gaps(net, types=types, top=top, method=method)))
        out = {k: v for k, v in result.items() if k != "suggestions"}
        out["class"] = cls
        out["classes"] = self.classes()
        out["suggestions"] = paged(result["suggestions"], page, max(1, self.config.page_size // 2))
        out["shown_at_most"] = top
        return out

    # -- query library ---------------------------------------------------------------------

    def queries(self) -> dict[str, Any]:
        """The question library: name, title, description, shape."""
        from ..sparql.library import list_queries

        return dict(self.memo(("queries",), lambda: {
            "queries": [{"name": q.name, "title": q.title, "description": q.description, "shape": q.shape}
                        for q in list_queries()]}))

    def library_query(self, name: str, *, page: int = 1) -> dict[str, Any]:
        """One library question: its SPARQL and its answer (rows paged; IRIs with labels)."""
        from ..sparql.library import get_query
        from .sparql import run_endpoint_query

        q = get_query(name)

        def compute() -> dict[str, Any]:
            res = run_endpoint_query(self.ds, q.text, timeout=self.config.timeout, max_rows=self.config.max_rows)
            rows = [[_cell(t) for t in row] for row in res.rows]
            return {"type": res.type, "variables": res.variables, "rows": rows, "truncated": res.truncated,
                    "boolean": bool(res.askAnswer) if res.type == "ASK" else None,
                    "elapsed": round(res.elapsed, 4)}

        ans = self.memo(("query", name), compute)
        labels = self._labels({c["value"] for row in ans["rows"] for c in row if c and c["type"] == "uri"})
        rows = [[dict(c, label=labels.get(c["value"], "")) if c and c["type"] == "uri" else c for c in row]
                for row in ans["rows"]]
        return {"name": q.name, "title": q.title, "description": q.description, "shape": q.shape,
                "sparql": q.text, "type": ans["type"], "variables": ans["variables"],
                "boolean": ans["boolean"], "truncated": ans["truncated"],
                "rows": paged(rows, page, 100)}

    def _labels(self, iris: set[str]) -> dict[str, str]:
        if not iris:
            return {}
        out: dict[str, str] = {}
        db = self._db()
        todo = sorted(iris)
        for i in range(0, len(todo), 500):
            chunk = todo[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(dict(db.execute(f"SELECT iri, label FROM entity WHERE iri IN ({marks})", chunk).fetchall()))
        return out

    # -- regional profiles -------------------------------------------------------------------

    def region(self, code: str) -> dict[str, Any]:
        """The profile of a NUTS region or country (:func:`graph.actors.region.region_profile`)."""
        from ..actors.region import region_profile

        def compute() -> dict[str, Any]:
            with GATE.reading():
                return region_profile(self.ds, code)

        return dict(self.recent(("region", code.upper()), compute, size=64))

    def regions(self) -> dict[str, Any]:
        """The countries with organisations, and how many each has (the way into the profiles)."""
        from ..actors.tables import actor_tables

        def compute() -> dict[str, Any]:
            import polars as pl

            with GATE.reading():
                t = actor_tables(self.ds)
            counts = t.orgs.with_columns(pl.col("home").str.slice(0, 2).alias("c")).group_by("c").agg(
                pl.len().alias("n"))
            n = dict(counts.iter_rows())
            rows = [{"code": r["code"], "label": r["label"], "organisations": n.get(r["code"], 0)}
                    for r in t.regions.filter(pl.col("level") == 0).iter_rows(named=True)]
            rows.sort(key=lambda r: (-r["organisations"], r["label"]))
            return {"countries": rows}

        return dict(self.memo(("regions",), compute))

    def rows(self, key: str, *, page: int = 1) -> dict[str, Any]:
        """The rows behind one figure of a profile, paged, each with its source row."""
        from ..actors.region import evidence_rows

        if not key:
            raise InputError("give ?key= (the rows key of a figure)")
        with GATE.reading():
            return evidence_rows(self.ds, key, page=page, size=self.config.page_size)

    def region_of(self, iri: str) -> dict[str, str] | None:
        """The region profile an entity page links to: its own (a region or country), or the
        region an organisation is counted in."""
        from ..actors.tables import actor_tables

        def compute() -> dict[str, Any]:
            with GATE.reading():
                t = actor_tables(self.ds)
            return {"regions": {r[1]: (r[0], r[2]) for r in t.regions.select("code", "iri", "label").iter_rows()},
                    "labels": dict(t.regions.select("code", "label").iter_rows())}

        idx = self.memo(("region-index",), compute)
        hit = idx["regions"].get(iri)
        if hit:
            return {"code": hit[0], "label": hit[1], "why": "this region's profile"}
        import polars as pl

        with GATE.reading():
            t = actor_tables(self.ds)
        home = t.orgs.filter(pl.col("org") == iri).get_column("home").to_list()
        if home and home[0]:
            return {"code": home[0], "label": idx["labels"].get(home[0], home[0]),
                    "why": "the region this organisation is counted in"}
        return None

    # -- stats -----------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """What ``clusterkg stats`` reports, plus the size of the store and of the network."""
        net = self.net()
        return {**self.ds.stats(), "triples": len(self.ds),
                "network": {"entities": net.number_of_nodes(), "linkages": net.number_of_edges()}}

    # -- partner search ----------------------------------------------------------------------

    def partner_seed(self, iri: str) -> str | None:
        """What partner search takes ``iri`` as (organisation, partnership, ecosystem, project), or None."""
        from ..actors.partners import seed_kind

        with GATE.reading():
            return seed_kind(self.ds, iri)

    def partners(self, q: str, *, region: str = "", programme: str = "", ecosystem: str = "", top: int = 20,
                 new_only: bool = False) -> dict[str, Any]:
        """Partner search (:func:`graph.actors.partners.partner_search`) with the form's values; the
        answers are kept (bounded LRU). A name taken by a prefix or near match is in ``result.taken``."""
        from ..actors.partners import partner_search

        form = {"q": q, "region": region, "programme": programme, "ecosystem": ecosystem, "top": top,
                "new_only": new_only}
        if not q.strip():
            return {"form": form, "result": None}

        def compute() -> dict[str, Any]:
            with GATE.reading():
                return partner_search(self.ds, q, region=region or None, programme=programme or None,
                                      ecosystem=ecosystem or None, top=top, new_only=new_only, warn=False)

        return {"form": form,
                "result": self.recent(("partners", q, region, programme, ecosystem, top, new_only), compute)}


def _cell(term: Any) -> dict[str, str] | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term), "curie": curie(str(term))}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        c: dict[str, str] = {"type": "literal", "value": str(term)}
        if term.language:
            c["lang"] = term.language
        elif term.datatype is not None:
            c["datatype"] = curie(str(term.datatype))
        return c
    return {"type": "literal", "value": str(term)}
