"""Project the RDF graph onto a networkx ``MultiDiGraph`` of entities and their linkages.

Only entities (instances of ``ckg:Entity`` and its subclasses, with an IRI) become nodes.
Ontology terms, SHACL shapes, synergy nodes, figures, source passages and documents and
literals never do. One scan of the triples collects everything; nodes and edges are then
added in one ``add_nodes_from`` / ``add_edges_from`` each, in sorted order.

Attribute names (the map renderer and the exports rely on them)
---------------------------------------------------------------
Node key: the entity's IRI (``str``). Node attributes:

``label``        English label (else any label, else the IRI's last segment)
``curie``        ``ckr:cosme``, ``country:DEU`` (the IRI itself when no prefix fits)
``class``        label of the most specific ``ckg:`` class, e.g. ``"programme"``
``class_curie``  its CURIE, e.g. ``"ckg:Programme"``
``classes``      sorted list of the CURIEs of every entity class it belongs to, superclasses
                 included (``["ckg:Entity", "ckg:Programme"]``); ``--type`` filters use it
``definition``   English ``skos:definition`` or ``""``
``provenance``   list of ``{"passage", "document", "document_label", "locator"}`` dicts, sorted
                 (the same as :func:`graph.entities.describe.provenance_of`)
``source_text``  the provenance in words: ``seed: "EU cluster initiatives"`` (not ``source``,
                 which node-link JSON and edge tables use for the edge's start)
any other        one attribute per other property with a literal or non-entity value, named by
                 the property's local name (``acronym``, ``startYear``, ``scope``, ``homepage``,
                 ``altLabel``...): a string; several values are sorted and joined with ``"; "``;
                 an IRI value with a label gives its label, else the IRI

Edge key: the predicate CURIE (``"ckg:partOf"``) for a plain linkage, the synergy CURIE
(``"ckr:synergy-..."``) for a synergy. Edge attributes:

``kind``           ``"property"`` or ``"synergy"``
``predicate``      property CURIE, or ``"ckg:Synergy"``
``linkage``        the linkage type in words: ``"part of"``, or the synergy type (``"coordination"``)
``label``          property label (``"part of"``), or the synergy's own ``rdfs:label``
``inverse_label``  the label of the ``owl:inverseOf`` property (``"has part"``) or ``""``
``provenance``     list of passages as for nodes: the subject's for a plain linkage (the
                   conventions make the subject's source cover it), the synergy's own otherwise
``source_text``    the provenance in words
synergies only:
``synergy``        the synergy CURIE (also the key)
``synergy_type``   type label(s), ``", "``-joined (``type`` is avoided: GEXF reserves it)
``synergy_type_curie``, ``direction`` (``"directed"``/``"bidirectional"``), ``status``
                   (``"active"``...), ``period`` (period label(s)), ``period_curie``,
``strength``       float in 0..1 or ``None``

Graph attributes (``net.graph``): ``classes`` (class CURIE → label), ``linkage_types`` (property
or synergy-type CURIE → label), ``periods`` and ``statuses`` (CURIE → label), ``filters``
(what the projection kept).

Examples
--------
>>> from graph.store.load import load_graph
>>> net = project(load_graph().graph)
>>> net.nodes["https://w3id.org/clusterkg/id/cosme"]["class"]
'programme'
>>> any(d["kind"] == "synergy" for _, _, d in net.edges(data=True))
True
>>> sorted(net.nodes) == sorted(set(net.nodes))  # entities only, one node each
True
"""

from __future__ import annotations

import difflib
import gc
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypedDict, Unpack

import networkx as nx
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal
from rdflib.namespace import PROV

from ..entities.describe import format_sources
from ..entities.lookup import normalise
from ..errors import InputError, TermNotFound
from ..namespaces import CKG, PREFIXES, curie
from .topology import Topology, merge_pairs
from .topology import edge_weight as _edge_weight

__all__ = [
    "RESERVED_NODE_ATTRS",
    "directed_graph",
    "format_sources",
    "in_class",
    "node_summary",
    "project",
    "project_topology",
    "resolve_class",
    "resolve_linkage",
    "simple_graph",
]

#: Node attribute names set by the projection itself (a property with one of these local names
#: is stored under ``prefix_local`` instead).
RESERVED_NODE_ATTRS = frozenset(
    {"label", "curie", "class", "class_curie", "classes", "definition", "provenance", "source_text",
     "id", "pid", "start", "end", "weight"}
)

_NOT_ENTITY = frozenset(str(c) for c in (
    CKG.Synergy, CKG.Figure, CKG.Count, CKG.MonetaryAmount, CKG.SourcePassage, CKG.SourceDocument,
    OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty))
_NODE_SKIP = frozenset(str(p) for p in (
    RDF.type, RDFS.label, SKOS.definition, PROV.wasDerivedFrom, CKG.hasFigure, RDFS.subClassOf,
    RDFS.subPropertyOf))


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


_K_TYPE, _K_LABEL, _K_DEF, _K_DERIVED, _K_DOC, _K_LOCATOR, _K_SUBCLASS, _K_SUBPROP, _K_INVERSE = range(9)
_KIND = {str(RDF.type): _K_TYPE, str(RDFS.label): _K_LABEL, str(SKOS.definition): _K_DEF,
         str(PROV.wasDerivedFrom): _K_DERIVED, str(CKG.inDocument): _K_DOC, str(CKG.locator): _K_LOCATOR,
         str(RDFS.subClassOf): _K_SUBCLASS, str(RDFS.subPropertyOf): _K_SUBPROP,
         str(OWL.inverseOf): _K_INVERSE}


def _key(term: Any) -> str:
    """A plain ``str`` for an IRI (fast to hash and compare), ``_:id`` for a blank node."""
    return "_:" + str(term) if isinstance(term, BNode) else str(term)


_IRI, _BNODE, _LIT = 0, 1, 2

#: The data of every plain linkage in a light (topology-only) projection.
_LIGHT: dict[str, Any] = {"kind": "property"}


def _rows(source: Any) -> Iterator[tuple[str, str, str, str | None, int]]:
    """``(subject key, predicate, object key or literal text, language, object kind)`` rows from
    an rdflib graph (or any iterable of rdflib-term triples) or from an Oxigraph store's default
    graph (read straight from the quads, no rdflib terms)."""
    import pyoxigraph as ox

    if isinstance(source, ox.Store):
        lit, bnode = ox.Literal, ox.BlankNode
        for q in source.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            s, o = q.subject, q.object
            sk = "_:" + s.value if type(s) is bnode else s.value  # type: ignore[union-attr]
            if type(o) is lit:
                yield sk, q.predicate.value, o.value, o.language, _LIT
            elif type(o) is bnode:
                yield sk, q.predicate.value, "_:" + o.value, None, _BNODE
            else:
                yield sk, q.predicate.value, o.value, None, _IRI  # type: ignore[union-attr]
        return
    for s_, p_, o_ in source:
        if isinstance(o_, Literal):
            yield _key(s_), str(p_), str(o_), o_.language, _LIT
        else:
            yield _key(s_), str(p_), _key(o_), None, _BNODE if isinstance(o_, BNode) else _IRI


class _Scan:
    """Everything :func:`project` needs, from one pass over the triples.

    Resources are plain strings (IRIs, or ``_:id`` for blank nodes), and so are literals (their
    lexical form).
    """

    def __init__(self, graph: Any) -> None:
        self.types: dict[str, set[str]] = defaultdict(set)
        self.labels_en: dict[str, str] = {}
        self.labels_any: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        self.definitions_any: dict[str, str] = {}
        self.subclass: dict[str, set[str]] = defaultdict(set)
        self.subprop: dict[str, set[str]] = defaultdict(set)
        self.inverse: dict[str, str] = {}
        self.derived: dict[str, list[str]] = defaultdict(list)
        self.in_doc: dict[str, str] = {}
        self.locator: dict[str, str] = {}
        self.objects: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.literals: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.bnodes: set[str] = set()
        kind_of = _KIND.get
        for s, p, o, lang, obj_kind in _rows(graph):
            kind = kind_of(p)
            if obj_kind == _LIT:
                if kind == _K_LABEL:
                    if lang == "en":
                        self.labels_en.setdefault(s, o)
                    else:
                        prev = self.labels_any.get(s)
                        if prev is None or o < prev:
                            self.labels_any[s] = o
                elif kind == _K_DEF:
                    if lang == "en":
                        self.definitions[s] = o
                    else:
                        self.definitions_any.setdefault(s, o)
                elif kind == _K_LOCATOR:
                    self.locator[s] = o
                else:
                    self.literals[s].append((p, o))
                continue
            if obj_kind == _BNODE:
                self.bnodes.add(o)
            if kind is None:
                self.objects[s].append((p, o))
            elif kind == _K_TYPE:
                self.types[s].add(o)
            elif kind == _K_DERIVED:
                self.derived[s].append(o)
            elif kind == _K_DOC:
                self.in_doc[s] = o
            elif kind == _K_SUBCLASS:
                self.subclass[s].add(o)
            elif kind == _K_SUBPROP:
                self.subprop[s].add(o)
            elif kind == _K_INVERSE:
                self.inverse[s] = o
                self.inverse.setdefault(o, s)
            else:  # a label, definition or locator that is not a literal
                self.objects[s].append((p, o))

    def label(self, node: Any) -> str:
        got = self.labels_en.get(node) or self.labels_any.get(node)
        return got if got is not None else _local(str(node))

    def ancestors(self, rel: Mapping[Any, set[Any]], node: Any,
                  memo: dict[Any, frozenset[Any]]) -> frozenset[Any]:
        """Strict ancestors of ``node`` along ``rel`` (cycle-safe, iterative)."""
        if node in memo:
            return memo[node]
        seen: set[Any] = set()
        stack = list(rel.get(node, ()))
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in memo:
                seen |= memo[n]
            else:
                stack.extend(rel.get(n, ()))
        memo[node] = frozenset(seen - {node})
        return memo[node]


def _provenance(scan: _Scan, node: str, memo: dict[str, dict[str, str]],
                cur: Any = curie) -> list[dict[str, str]]:
    out = []
    for passage in scan.derived.get(node, ()):
        item = memo.get(passage)
        if item is None:
            doc = scan.in_doc.get(passage)
            item = {
                "passage": cur(passage),
                "document": cur(doc) if doc is not None else "",
                "document_label": scan.label(doc) if doc is not None else "",
                "locator": scan.locator.get(passage, ""),
            }
            memo[passage] = item
        out.append(dict(item))
    return sorted(out, key=lambda p: (p["document"], p["locator"], p["passage"]))


def _match_terms(kind: str, names: Iterable[str], vocab: Mapping[str, str],
                 contains: bool = False) -> set[str]:
    """Resolve user names against ``vocab`` (CURIE → label); raise TermNotFound for a miss."""
    out: set[str] = set()
    for name in names:
        out |= _match_term(kind, name, vocab, contains)
    return out


def _match_term(kind: str, name: str, vocab: Mapping[str, str], contains: bool = False) -> set[str]:
    key = normalise(name)
    if not key:
        raise InputError(f"empty {kind} name")
    index: dict[str, set[str]] = defaultdict(set)
    for c, lab in vocab.items():
        forms = {normalise(c), normalise(lab), normalise(_local(c.split(":", 1)[-1]))}
        # plural and spaced forms: "programmes", "cluster organisation", "ClusterOrganisation"
        loc = c.split(":", 1)[-1]
        forms.add(normalise(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", loc)))
        for f in list(forms):
            forms.add(f + "s")
            if f.endswith("y"):
                forms.add(f[:-1] + "ies")
        for f in forms:
            index[f].add(c)
    for c in vocab:
        prefix, _, local = c.partition(":")
        if prefix in PREFIXES:
            index[normalise(PREFIXES[prefix] + local)].add(c)
    if key in index:
        return set(index[key])
    if contains:
        hits = {c for c, lab in vocab.items() if key in normalise(lab) or key in normalise(c)}
        if hits:
            return hits
    near = difflib.get_close_matches(key, sorted(index), n=5, cutoff=0.6)
    cands: list[tuple[str, str]] = []
    for n in near:
        for c in sorted(index[n]):
            if (vocab[c], c) not in cands:
                cands.append((vocab[c], c))
    if not cands:
        cands = sorted((lab, c) for c, lab in vocab.items())[:8]
    raise TermNotFound(kind, name, cands[:8])


def resolve_class(net: nx.Graph | Topology, name: str) -> str:
    """The CURIE of the entity class ``name`` (label, plural, CURIE, IRI or local name).

    Raises
    ------
    TermNotFound
        With the closest class names as candidates.

    Examples
    --------
    >>> from graph.store.load import load_graph
    >>> net = project(load_graph().graph)
    >>> resolve_class(net, "programmes"), resolve_class(net, "ckg:PublicAuthority")
    ('ckg:Programme', 'ckg:PublicAuthority')
    >>> resolve_class(net, "programs")
    Traceback (most recent call last):
    ...
    graph.errors.TermNotFound: no class named 'programs'
    """
    hits = _match_term("class", name, net.graph.get("classes", {}))
    return sorted(hits)[0]


def resolve_linkage(net: nx.Graph, name: str) -> set[str]:
    """The linkage-type CURIEs ``name`` stands for: a property (``"funded by"``,
    ``"ckg:fundedBy"``), a synergy type (``"coordination"``) or ``"synergy"`` (every synergy).

    >>> from graph.store.load import load_graph
    >>> net = project(load_graph().graph)
    >>> sorted(resolve_linkage(net, "part of"))
    ['ckg:partOf']
    """
    return _match_term("linkage type", name, net.graph.get("linkage_types", {}))


def in_class(net: nx.Graph, node: Any, classes: Iterable[str]) -> bool:
    """Whether ``node`` belongs to any of ``classes`` (CURIEs; subclasses count)."""
    mine = net.nodes[node].get("classes", ())
    return any(c in mine for c in classes)


def node_summary(net: nx.Graph, node: Any) -> dict[str, str]:
    """``{"iri", "curie", "label", "class"}`` of ``node``: how results name an entity."""
    d = net.nodes[node]
    return {"iri": str(node), "curie": d.get("curie", curie(str(node))),
            "label": d.get("label", _local(str(node))), "class": d.get("class", "")}


def project(
    graph: Graph | Any,
    *,
    include_classes: Iterable[str] = (),
    exclude_classes: Iterable[str] = (),
    include_predicates: Iterable[str] = (),
    exclude_predicates: Iterable[str] = (),
    periods: Iterable[str] = (),
    statuses: Iterable[str] = (),
    synergies: bool = True,
) -> nx.MultiDiGraph:
    """Project ``graph`` onto a ``MultiDiGraph`` of entities (see the module doc for attributes).

    Parameters
    ----------
    graph : rdflib.Graph or pyoxigraph.Store
        Ontology and data: an rdflib graph (any store, or any iterable of rdflib-term triples),
        or an Oxigraph store (its default graph is scanned directly, without rdflib terms).
    include_classes, exclude_classes : iterable of str
        Keep only entities of these classes / drop entities of these classes (labels, plurals,
        CURIEs or IRIs; subclasses count). Edges to dropped entities go with them.
    include_predicates, exclude_predicates : iterable of str
        Keep only / drop these linkage types: properties (``"part of"``, ``"ckg:fundedBy"``),
        synergy types (``"coordination"``) or ``"synergy"`` for every synergy.
    periods, statuses : iterable of str
        Keep only synergies and entities whose ``ckg:inPeriod`` / ``ckg:status`` is one of these
        (``"2021-2027"``, ``"ckr:period-2021-2027"``, ``"active"``). Items that state no period
        (or no status) are kept: they are not bound to one.
    synergies : bool
        Add synergies as edges (default ``True``).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    TermNotFound
        A class, linkage type, period or status name matches nothing (with candidates).

    Notes
    -----
    A plain linkage is any triple whose subject and object are both entities (other than
    ``rdf:type``). When a pair is linked by a property and by one of its super-properties (as
    after ``--infer``, which adds ``ckg:linkedTo`` for every linkage), only the most specific
    property becomes an edge.

    Examples
    --------
    >>> from graph.store.load import load_graph
    >>> g = load_graph().graph
    >>> net = project(g, include_classes=["country"])
    >>> {d["class"] for _, d in net.nodes(data=True)}
    {'country'}
    >>> syn_only = project(g, include_predicates=["synergy"])
    >>> {d["kind"] for _, _, d in syn_only.edges(data=True)}
    {'synergy'}
    """
    net = _project(graph, {"include_classes": include_classes, "exclude_classes": exclude_classes,
                           "include_predicates": include_predicates, "exclude_predicates": exclude_predicates,
                           "periods": periods, "statuses": statuses, "synergies": synergies})
    assert isinstance(net, nx.MultiDiGraph)
    return net


_ENTITY = str(CKG.Entity)
_PERIOD_CLS = str(CKG.ProgrammingPeriod)
_SYNERGY = str(CKG.Synergy)
_IN_PERIOD = str(CKG.inPeriod)
_STATUS = str(CKG.status)
_LINKED_TO = str(CKG.linkedTo)
_SYNERGY_TYPE = str(CKG.synergyType)


class _Projection:
    """The projection in named steps; each step reads the scan and what earlier steps found.

    ``entity_classes`` → ``entities`` → ``vocabularies`` → ``select`` (filters) → ``nodes`` →
    ``property_edges`` → ``synergy_edges`` → ``graph``.
    """

    def __init__(self, scan: _Scan) -> None:
        self.scan = scan
        self.class_memo: dict[str, frozenset[str]] = {}
        self.prop_memo: dict[str, frozenset[str]] = {}
        self.curies: dict[str, str] = {}
        self.prov_memo: dict[str, dict[str, str]] = {}
        self.attr_names: dict[str, str] = {}
        self.specific: dict[frozenset[str], str] = {}
        self.class_curies: dict[frozenset[str], frozenset[str]] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def cur(self, iri: str) -> str:
        c = self.curies.get(iri)
        if c is None:
            c = self.curies[iri] = curie(iri)
        return c

    def ancestors_cls(self, c: str) -> frozenset[str]:
        return self.scan.ancestors(self.scan.subclass, c, self.class_memo)

    def most_specific(self, cls: frozenset[str]) -> str:
        top = self.specific.get(cls)
        if top is None:
            leaves = [c for c in cls if not any(c in self.ancestors_cls(d) for d in cls if d != c)]
            top = self.specific[cls] = sorted(leaves, key=lambda c: (-len(self.ancestors_cls(c)), self.cur(c)))[0]
        return top

    def attr_name(self, p: str) -> str:
        name = self.attr_names.get(p)
        if name is None:
            local = _local(p)
            if local in RESERVED_NODE_ATTRS or not local:
                c = self.cur(p)
                local = c.replace(":", "_") if ":" in c and not c.startswith("http") else f"attr_{local}"
            name = self.attr_names[p] = local
        return name

    def provenance(self, node: str) -> list[dict[str, str]]:
        return _provenance(self.scan, node, self.prov_memo, self.cur)

    # -- steps -----------------------------------------------------------------------------------

    def find_entity_classes(self) -> None:
        """``ckg:Entity`` and every class below it."""
        scan = self.scan
        candidates: set[str] = {_ENTITY, *scan.subclass}
        for parents in scan.subclass.values():
            candidates |= parents
        self.entity_classes = {c for c in candidates if c not in scan.bnodes
                               and (c == _ENTITY or _ENTITY in self.ancestors_cls(c))}
        self.classes_vocab = {self.cur(c): scan.label(c) for c in self.entity_classes}

    def find_entities(self) -> None:
        """Entities and their class closure (shared frozensets: few distinct ones)."""
        closures: dict[frozenset[str], frozenset[str]] = {}
        self.node_classes: dict[str, frozenset[str]] = {}
        for s, ts in self.scan.types.items():
            if s in self.scan.bnodes or not ts.isdisjoint(_NOT_ENTITY):
                continue
            mine = frozenset(ts & self.entity_classes)
            if mine:
                closure = closures.get(mine)
                if closure is None:
                    full = set(mine)
                    for c in mine:
                        full |= self.ancestors_cls(c) & self.entity_classes
                    closure = closures[mine] = frozenset(full)
                self.node_classes[s] = closure

    def find_vocabularies(self) -> None:
        """Periods, statuses and linkage types (for filters and the graph attributes)."""
        scan, cur = self.scan, self.cur
        self.periods_vocab: dict[str, str] = {}
        self.statuses_vocab: dict[str, str] = {}
        period_cls = {c for c in self.entity_classes if c == _PERIOD_CLS or _PERIOD_CLS in self.ancestors_cls(c)}
        for s, cls in self.node_classes.items():
            if not cls.isdisjoint(period_cls):
                self.periods_vocab[cur(s)] = scan.label(s)
        link_status, synergy_type_cls = str(CKG.LinkStatus), str(CKG.SynergyType)
        for s, ts in scan.types.items():
            if link_status in ts:
                self.statuses_vocab[cur(s)] = scan.label(s)
        for _s, pos in scan.objects.items():
            for p, o in pos:
                if p == _IN_PERIOD:
                    self.periods_vocab.setdefault(cur(o), scan.label(o))
                elif p == _STATUS:
                    self.statuses_vocab.setdefault(cur(o), scan.label(o))
        vocab: dict[str, str] = {"ckg:Synergy": "synergy"}
        used_props: set[str] = set()
        for s, pos in scan.objects.items():
            if s in self.node_classes:
                used_props.update(p for p, o in pos if o in self.node_classes)
            elif _SYNERGY in scan.types.get(s, ()):
                for p, o in pos:
                    if p == _SYNERGY_TYPE:
                        vocab[cur(o)] = scan.label(o)
        for p in used_props:
            vocab[cur(p)] = scan.label(p)
        for s, ts in scan.types.items():
            if synergy_type_cls in ts:
                vocab.setdefault(cur(s), scan.label(s))
        for p in list(scan.subprop):
            if _LINKED_TO in scan.ancestors(scan.subprop, p, self.prop_memo):
                vocab.setdefault(cur(p), scan.label(p))
        vocab.setdefault(cur(_LINKED_TO), scan.label(_LINKED_TO))
        self.linkage_vocab = vocab

    def select(self, include_classes: Iterable[str], exclude_classes: Iterable[str],
               include_predicates: Iterable[str], exclude_predicates: Iterable[str], periods: Iterable[str],
               statuses: Iterable[str]) -> None:
        """Resolve the filters and keep the entities that pass them."""
        self.inc_cls = _match_terms("class", include_classes, self.classes_vocab)
        self.exc_cls = _match_terms("class", exclude_classes, self.classes_vocab)
        self.inc_pred = _match_terms("linkage type", include_predicates, self.linkage_vocab)
        self.exc_pred = _match_terms("linkage type", exclude_predicates, self.linkage_vocab)
        self.want_periods = _match_terms("period", periods, self.periods_vocab, contains=True)
        self.want_status = _match_terms("status", statuses, self.statuses_vocab, contains=True)
        self.kept: dict[str, frozenset[str]] = {}
        for s, cls in self.node_classes.items():
            ccs = self.class_curies.get(cls)
            if ccs is None:
                ccs = self.class_curies[cls] = frozenset(self.cur(c) for c in cls)
            if self.inc_cls and ccs.isdisjoint(self.inc_cls):
                continue
            if self.exc_cls and not ccs.isdisjoint(self.exc_cls):
                continue
            if (self.want_periods or self.want_status) and not self.keep_item(self.scan.objects.get(s, [])):
                continue
            self.kept[s] = cls

    def keep_item(self, pos: list[tuple[str, str]]) -> bool:
        """Whether an item's period and status pass the filters (an item stating none passes)."""
        if self.want_periods:
            ps = {self.cur(o) for p, o in pos if p == _IN_PERIOD}
            if ps and not ps & self.want_periods:
                return False
        if self.want_status:
            ss = {self.cur(o) for p, o in pos if p == _STATUS}
            if ss and not ss & self.want_status:
                return False
        return True

    def keep_linkage(self, keys: set[str]) -> bool:
        if self.inc_pred and not keys & self.inc_pred:
            return False
        return not (self.exc_pred and keys & self.exc_pred)

    def nodes(self) -> list[tuple[str, dict[str, Any]]]:
        """One node per kept entity, with its attributes (see the module doc)."""
        scan, cur = self.scan, self.cur
        sorted_classes: dict[frozenset[str], list[str]] = {}
        out = []
        for s in sorted(self.kept):
            cls = self.kept[s]
            top = self.most_specific(cls)
            cls_list = sorted_classes.get(cls)
            if cls_list is None:
                cls_list = sorted_classes[cls] = sorted(self.class_curies[cls])
            prov = self.provenance(s)
            data: dict[str, Any] = {
                "label": scan.label(s),
                "curie": cur(s),
                "class": scan.label(top),
                "class_curie": cur(top),
                "classes": list(cls_list),
                "definition": scan.definitions.get(s) or scan.definitions_any.get(s, ""),
                "provenance": prov,
                "source_text": format_sources(prov),
            }
            extra: dict[str, set[str]] = defaultdict(set)
            for p, lit in scan.literals.get(s, ()):
                if p not in _NODE_SKIP:
                    extra[self.attr_name(p)].add(str(lit))
            for p, o in scan.objects.get(s, ()):
                if p in _NODE_SKIP or o in self.node_classes or o in scan.bnodes:
                    continue
                has_label = o in scan.labels_en or o in scan.labels_any
                extra[self.attr_name(p)].add(scan.label(o) if has_label else o)
            for k in sorted(extra):
                data[k] = "; ".join(sorted(extra[k]))
            out.append((s, data))
        return out

    def property_edges(self, light: bool = False) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Plain linkages between kept entities: the most specific property per pair (``light``:
        without attributes, for :meth:`topology`)."""
        scan = self.scan
        prop_info: dict[str, tuple[str, str, str]] = {}
        edges = []
        for s in self.kept:
            by_target: dict[str, set[str]] = defaultdict(set)
            for p, o in scan.objects.get(s, ()):
                if o in self.kept:
                    by_target[o].add(p)
            if not by_target:
                continue
            if not light:
                prov = self.provenance(s)
                src_text = format_sources(prov)
            for o, preds in by_target.items():
                if len(preds) > 1:
                    implied: set[str] = set()
                    for q in preds:
                        implied |= scan.ancestors(scan.subprop, q, self.prop_memo) - {q}
                    preds = preds - implied
                for p in preds:
                    info = prop_info.get(p)
                    if info is None:
                        inv = scan.inverse.get(p)
                        info = prop_info[p] = (self.cur(p), scan.label(p), scan.label(inv) if inv is not None else "")
                    pc, plabel, inv_label = info
                    if (self.inc_pred or self.exc_pred) and not self.keep_linkage({pc}):
                        continue
                    if light:
                        edges.append((s, o, pc, _LIGHT))
                        continue
                    edges.append((s, o, pc, {
                        "kind": "property",
                        "predicate": pc,
                        "linkage": plabel,
                        "label": plabel,
                        "inverse_label": inv_label,
                        "provenance": [dict(x) for x in prov],
                        "source_text": src_text,
                    }))
        return edges

    def synergy_edges(self, light: bool = False) -> list[tuple[str, str, str, dict[str, Any]]]:
        """One edge per synergy and pair of kept ends, with type, direction, status, period, strength
        (``light``: with only the strength, for :meth:`topology`)."""
        scan, cur = self.scan, self.cur
        syn_source, syn_target = str(CKG.synergySource), str(CKG.synergyTarget)
        direction_prop, strength_prop = str(CKG.direction), str(CKG.strength)
        edges: list[tuple[str, str, str, dict[str, Any]]] = []
        for syn, ts in scan.types.items():
            if _SYNERGY not in ts or syn in scan.bnodes:
                continue
            pos = scan.objects.get(syn, [])
            srcs = sorted({o for p, o in pos if p == syn_source and o in self.kept})
            tgts = sorted({o for p, o in pos if p == syn_target and o in self.kept})
            if not srcs or not tgts or not self.keep_item(pos):
                continue
            types = sorted({o for p, o in pos if p == _SYNERGY_TYPE})
            keys = {"ckg:Synergy"} | {cur(t) for t in types}
            if not self.keep_linkage(keys):
                continue
            strength = next((lit for p, lit in scan.literals.get(syn, ()) if p == strength_prop), None)
            if light:
                light_data: dict[str, Any] = {"strength": float(strength) if strength is not None else None}
                edges.extend((u, v, cur(syn), light_data) for u in srcs for v in tgts)
                continue
            type_label = ", ".join(sorted(scan.label(t) for t in types))
            pers = sorted({o for p, o in pos if p == _IN_PERIOD})
            prov = self.provenance(syn)
            data = {
                "kind": "synergy",
                "predicate": "ckg:Synergy",
                "linkage": type_label or "synergy",
                "label": scan.label(syn),
                "inverse_label": "",
                "provenance": prov,
                "source_text": format_sources(prov),
                "synergy": cur(syn),
                "synergy_type": type_label,
                "synergy_type_curie": ", ".join(cur(t) for t in types),
                "direction": ", ".join(sorted(scan.label(o) for p, o in pos if p == direction_prop)),
                "status": ", ".join(sorted(scan.label(o) for p, o in pos if p == _STATUS)),
                "period": ", ".join(sorted(scan.label(o) for o in pers)),
                "period_curie": ", ".join(cur(o) for o in pers),
                "strength": float(strength) if strength is not None else None,
            }
            for u in srcs:
                for v in tgts:
                    edges.append((u, v, cur(syn), {**data, "provenance": [dict(x) for x in prov]}))
        return edges

    def graph_attributes(self, synergies: bool) -> dict[str, Any]:
        """The vocabularies and the filters (the projection's graph attributes)."""
        return {
            "classes": dict(sorted(self.classes_vocab.items())),
            "linkage_types": dict(sorted(self.linkage_vocab.items())),
            "periods": dict(sorted(self.periods_vocab.items())),
            "statuses": dict(sorted(self.statuses_vocab.items())),
            "filters": {
                "include_classes": sorted(self.inc_cls), "exclude_classes": sorted(self.exc_cls),
                "include_predicates": sorted(self.inc_pred), "exclude_predicates": sorted(self.exc_pred),
                "periods": sorted(self.want_periods), "statuses": sorted(self.want_status),
                "synergies": synergies,
            },
        }

    def graph(self, nodes: list[Any], edges: list[Any], synergies: bool) -> nx.MultiDiGraph:
        """The MultiDiGraph, with the vocabularies and the filters as graph attributes."""
        edges.sort(key=lambda e: (e[0], e[1], e[2]))
        net = nx.MultiDiGraph()
        net.graph.update(self.graph_attributes(synergies))
        net.add_nodes_from(nodes)
        net.add_edges_from(edges)
        return net


    def topology(self, edges: list[Any], synergies: bool) -> Topology:
        """The :class:`~graph.network.topology.Topology` of the kept entities and ``edges``."""
        scan, cur = self.scan, self.cur
        node_list = sorted(self.kept)
        set_index: dict[frozenset[str], int] = {}
        sets: list[list[str]] = []
        labels, curies, class_labels, class_of = [], [], [], []
        for s in node_list:
            cls = self.kept[s]
            labels.append(scan.label(s))
            curies.append(cur(s))
            class_labels.append(scan.label(self.most_specific(cls)))
            i = set_index.get(cls)
            if i is None:
                i = set_index[cls] = len(sets)
                sets.append(sorted(self.class_curies[cls]))
            class_of.append(i)
        flat, weights, _ = merge_pairs(node_list, ((u, v, d) for u, v, _k, d in edges))
        return Topology(node_list, labels, curies, class_labels, class_of, sets, flat, weights,
                        json.loads(json.dumps(self.graph_attributes(synergies))))


class ProjectionFilters(TypedDict, total=False):
    """The filters of :func:`project` and :func:`project_topology` (see :func:`project`)."""

    include_classes: Iterable[str]
    exclude_classes: Iterable[str]
    include_predicates: Iterable[str]
    exclude_predicates: Iterable[str]
    periods: Iterable[str]
    statuses: Iterable[str]
    synergies: bool


def _project(graph: Any, filters: ProjectionFilters, *, light: bool = False) -> nx.MultiDiGraph | Topology:
    """The steps in order; ``light`` ends with the topology instead of the networkx graph."""
    was_enabled = gc.isenabled()
    gc.disable()  # bulk building: the collector would only rescan the RDF graph's objects
    try:
        steps = _Projection(_Scan(graph))
        steps.find_entity_classes()
        steps.find_entities()
        steps.find_vocabularies()
        steps.select(filters.get("include_classes", ()), filters.get("exclude_classes", ()),
                     filters.get("include_predicates", ()), filters.get("exclude_predicates", ()),
                     filters.get("periods", ()), filters.get("statuses", ()))
        edges = steps.property_edges(light=light)
        synergies = filters.get("synergies", True)
        if synergies:
            edges += steps.synergy_edges(light=light)
        if light:
            return steps.topology(edges, synergies)
        return steps.graph(steps.nodes(), edges, synergies)
    finally:
        if was_enabled:
            gc.enable()


def project_topology(graph: Any, **filters: Unpack[ProjectionFilters]) -> Topology:
    """The topology of :func:`project`'s result (same entities, same linked pairs and weights),
    built without the networkx graph and the edge attributes: what global measures need.

    Examples
    --------
    >>> from graph.store.load import load_graph
    >>> from graph.network.topology import Topology
    >>> g = load_graph().graph
    >>> topo = project_topology(g)
    >>> ref = Topology.from_network(project(g))
    >>> topo.node_list == ref.node_list, topo.edges == ref.edges, topo.weights == ref.weights
    (True, True, True)
    """
    topo = _project(graph, filters, light=True)
    assert isinstance(topo, Topology)
    return topo


def simple_graph(net: nx.MultiDiGraph) -> nx.Graph:
    """An undirected simple graph over the same nodes, for measures that need one.

    Parallel and opposite edges between two entities merge into one edge whose ``weight`` is
    the sum of theirs (a plain linkage weighs 1, a synergy its ``strength`` if given, else 1),
    ``count`` the number of linkages and ``keys`` the sorted edge keys. Self-loops are dropped.
    Nodes and edges are inserted in sorted order, so seeded algorithms are reproducible.

    Examples
    --------
    >>> multi = nx.MultiDiGraph()
    >>> multi.add_edge("a", "b", key="ckg:partOf")
    'ckg:partOf'
    >>> multi.add_edge("b", "a", key="ckr:s1", kind="synergy", strength=0.5)
    'ckr:s1'
    >>> simple = simple_graph(multi)
    >>> simple.edges["a", "b"]["weight"], simple.edges["a", "b"]["count"], simple.edges["a", "b"]["keys"]
    (1.5, 2, ['ckg:partOf', 'ckr:s1'])
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        acc: dict[tuple[Any, Any], list[Any]] = {}
        for u, v, k, d in net.edges(keys=True, data=True):
            if u == v:
                continue
            pair = (u, v) if str(u) <= str(v) else (v, u)
            slot = acc.get(pair)
            if slot is None:
                acc[pair] = [_edge_weight(d), 1, [k]]
            else:
                slot[0] += _edge_weight(d)
                slot[1] += 1
                slot[2].append(k)
        simple = nx.Graph()
        simple.add_nodes_from(sorted(net.nodes, key=str))
        simple.add_edges_from(
            (u, v, {"weight": w, "count": c, "keys": sorted(ks) if c > 1 else ks})
            for (u, v), (w, c, ks) in sorted(acc.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))
        )
        return simple
    finally:
        if was_enabled:
            gc.enable()


def directed_graph(net: nx.MultiDiGraph) -> nx.DiGraph:
    """A directed simple graph: one edge per linked ordered pair; bidirectional synergies run
    both ways. Edge attribute ``keys`` lists the multigraph keys that allow the step.

    >>> multi = nx.MultiDiGraph()
    >>> multi.add_edge("a", "b", key="ckr:s", kind="synergy", direction="bidirectional")
    'ckr:s'
    >>> sorted(directed_graph(multi).edges)
    [('a', 'b'), ('b', 'a')]
    """
    acc: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for u, v, k, d in net.edges(keys=True, data=True):
        acc[(u, v)].append(k)
        if d.get("kind") == "synergy" and "bidirectional" in str(d.get("direction", "")):
            acc[(v, u)].append(k)
    digraph = nx.DiGraph()
    digraph.add_nodes_from(sorted(net.nodes, key=str))
    digraph.add_edges_from((u, v, {"keys": sorted(ks)})
                     for (u, v), ks in sorted(acc.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))))
    return digraph
