"""What an import reads from the graph it links into: the one :class:`~graph.store.dataset.Dataset`.

An import reads its context to reuse what is already there instead of duplicating it: the IRIs of
curated entities (programmes, countries, ecosystems, labels, partnerships) for lookups by label,
the organisations already known (by PIC, VAT or name and country) for entity resolution, which
nodes are defined (so that no link dangles) and which are curated (an import never adds facts
about a curated entity; it links to it).

The context is the dataset every command opens (ontology, curated data, ``--data`` files), with
the same content key and cache entry: importing twice against the same files opens the store
built the first time. :class:`ImportContext` loads nothing; each of its views is a query on the
read-only ``ds.store`` or a capability of the dataset (:meth:`~graph.store.dataset.Dataset.curated_subjects`),
computed once per import.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> ctx = ImportContext(Dataset(use_cache=False))
>>> ctx.lookup_labels("https://w3id.org/clusterkg/ontology#Programme", ["Horizon 2020", "Nowhere"])
{'Horizon 2020': 'https://w3id.org/clusterkg/id/horizon-2020', 'Nowhere': None}
>>> "http://publications.europa.eu/resource/authority/country/DEU" in ctx.curated_subjects
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import polars as pl
import pyoxigraph as ox

from ..store.dataset import Dataset
from .clean import normalise_key

__all__ = ["ContextOrganisation", "ImportContext"]

_CKG = "https://w3id.org/clusterkg/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_IMPORTED = re.compile(r"^https://w3id\.org/clusterkg/id/org-")


def _nt_term(term: object) -> str:
    """The N-Triples form of a pyoxigraph term, as the import writes it."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    assert isinstance(term, ox.Literal)
    value = (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    if term.language:
        return f'"{value}"@{term.language}'
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return f'"{value}"'
    return f'"{value}"^^<{term.datatype.value}>'


@dataclass(frozen=True)
class ContextOrganisation:
    """An organisation already in the graph, with the keys entity resolution matches on."""

    iri: str
    curated: bool
    pics: tuple[str, ...]
    vats: tuple[str, ...]
    names: tuple[str, ...]  # normalised labels, alternative labels and acronyms
    countries: tuple[str, ...]  # EU authority codes (3 letters)


class ImportContext:
    """The views of a :class:`~graph.store.dataset.Dataset` that an import links with.

    Parameters
    ----------
    ds : Dataset
        The graph the import links into (``clusterkg --data ... import`` passes the dataset every
        command opens).
    """

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    def _quads(self, predicate: ox.NamedNode) -> Iterable[ox.Quad]:
        return self.ds.store.quads_for_pattern(None, predicate, None, ox.DefaultGraph())

    def select(self, query: str) -> list[tuple[str | None, ...]]:
        """Run a SELECT on the dataset's store; terms come back as plain strings (IRIs, literal values)."""
        return [tuple(None if t is None else t.value for t in row) for row in self.ds.select(query)]

    # -- the ontology ---------------------------------------------------------------------

    @cached_property
    def _ontology_subjects(self) -> frozenset[str]:
        """The terms the ontology defines (they are not data)."""
        return frozenset(q.subject.value for q in self.ds.schema_quads() if isinstance(q.subject, ox.NamedNode))

    @cached_property
    def superclasses(self) -> dict[str, frozenset[str]]:
        """Every class's strict superclasses (transitively)."""
        direct: dict[str, set[str]] = defaultdict(set)
        for q in self._quads(_SUBCLASS):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                direct[q.subject.value].add(q.object.value)
        out: dict[str, frozenset[str]] = {}
        for cls in list(direct):
            seen: set[str] = set()
            stack = list(direct[cls])
            while stack:
                c = stack.pop()
                if c not in seen:
                    seen.add(c)
                    stack.extend(direct.get(c, ()))
            out[cls] = frozenset(seen - {cls})
        return out

    @cached_property
    def subclasses(self) -> dict[str, frozenset[str]]:
        """Every class with itself and all its subclasses (the inverse of :attr:`superclasses`)."""
        out: dict[str, set[str]] = defaultdict(set)
        for sub, sups in self.superclasses.items():
            out[sub].add(sub)
            for sup in sups:
                out[sup].update((sup, sub))
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def entity_classes(self) -> frozenset[str]:
        """The classes below ``ckg:Entity``."""
        entity = _CKG + "Entity"
        return frozenset(c for c, sups in self.superclasses.items() if entity in sups)

    @cached_property
    def link_properties(self) -> frozenset[str]:
        """The ontology's object properties (links whose target must be defined), plus skos:exactMatch."""
        rows = self.select("SELECT ?p WHERE { ?p a owl:ObjectProperty }")
        props = {r[0] for r in rows if r[0] and r[0].startswith(_CKG)}
        props -= {_CKG + "homepage", _CKG + "sourceUrl", _CKG + "currency"}
        props.add("http://www.w3.org/2004/02/skos/core#exactMatch")
        return frozenset(p for p in props if p)

    # -- the data -------------------------------------------------------------------------

    @cached_property
    def types(self) -> pl.DataFrame:
        """Every ``rdf:type`` of the context as N-Triples IRIs (columns ``node``, ``cls``)."""
        pairs = {(q.subject.value, q.object.value) for q in self._quads(_RDF_TYPE)
                 if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)}
        frame = pl.DataFrame(sorted(pairs), schema={"node": pl.Utf8, "cls": pl.Utf8}, orient="row")
        return frame.select((pl.lit("<") + pl.col(c) + pl.lit(">")).alias(c) for c in ("node", "cls"))

    @cached_property
    def typed_subjects(self) -> frozenset[str]:
        """Every IRI that has an ``rdf:type`` in the context (defined nodes)."""
        return frozenset(self.types["node"].unique().str.slice(1).str.strip_suffix(">").to_list())

    @cached_property
    def curated_subjects(self) -> frozenset[str]:
        """The IRIs the curated data defines (an import links to them and adds nothing about them)."""
        return self.ds.curated_subjects()

    def english_labels(self, subjects: Iterable[str]) -> dict[str, str]:
        """Subject → English label (the first in order, if several), for the ``subjects`` (IRIs)
        outside the ontology that have one in the context."""
        ontology = self._ontology_subjects
        out: dict[str, str] = {}
        for s in subjects:
            if s in ontology:
                continue
            labels = [q.object.value for q in self.ds.store.quads_for_pattern(ox.NamedNode(s), _LABEL, None,
                                                                              ox.DefaultGraph())
                      if isinstance(q.object, ox.Literal) and q.object.language == "en"]
            if labels:
                out[s] = min(labels)
        return out

    def values_of(self, prop: str, subjects: Iterable[str]) -> pl.DataFrame:
        """The values the context's data gives ``prop`` on ``subjects`` (IRIs), as N-Triples terms
        (columns ``s``, ``__ctx``; the first value of each subject)."""
        ontology = self._ontology_subjects
        pred = ox.NamedNode(prop)
        rows = [(f"<{s}>", _nt_term(q.object)) for s in subjects if s not in ontology
                for q in self.ds.store.quads_for_pattern(ox.NamedNode(s), pred, None, ox.DefaultGraph())
                if isinstance(q.object, ox.NamedNode | ox.Literal)]
        frame = pl.DataFrame(rows, schema={"s": pl.Utf8, "__ctx": pl.Utf8}, orient="row")
        return frame.unique("s", keep="first")

    def lookup_labels(self, class_iri: str, values: Iterable[str]) -> dict[str, str | None]:
        """Resolve names to the IRIs of entities of ``class_iri`` (or a subclass) by label, alternative
        label, acronym or code (normalised); ``""`` marks a name that fits several entities."""
        index: dict[str, set[str]] = defaultdict(set)
        q = f"""SELECT ?e ?n WHERE {{
            ?e a ?c . ?c rdfs:subClassOf* <{class_iri}> .
            ?e ?p ?n .
            VALUES ?p {{ rdfs:label skos:altLabel ckg:acronym ckg:code }}
        }}"""
        for e, n in self.select(q):
            if e and n:
                index[normalise_key(n)].add(e)
        out: dict[str, str | None] = {}
        for v in values:
            hits = index.get(normalise_key(v), set())
            out[v] = next(iter(hits)) if len(hits) == 1 else ("" if hits else None)
        return out

    @cached_property
    def organisations(self) -> list[ContextOrganisation]:
        """The organisations in the context, with their PICs, VAT numbers, names and countries."""
        q = """SELECT ?o ?key ?v WHERE {
            ?o a ?c . ?c rdfs:subClassOf* ckg:Organisation .
            { ?o ckg:pic ?v BIND("pic" AS ?key) }
            UNION { ?o ckg:vatNumber ?v BIND("vat" AS ?key) }
            UNION { ?o rdfs:label|skos:altLabel|ckg:acronym ?v BIND("name" AS ?key) }
            UNION { ?o ckg:locatedIn ?v FILTER(STRSTARTS(STR(?v),
                     "http://publications.europa.eu/resource/authority/country/")) BIND("country" AS ?key) }
        }"""
        acc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for o, key, v in self.select(q):
            if o and key and v:
                if key == "name":
                    v = normalise_key(v)
                elif key == "country":
                    v = v.rsplit("/", 1)[-1]
                acc[o][key].add(v)
        curated = self.curated_subjects
        out = []
        for o, k in sorted(acc.items()):
            # A label made from the organisation's own identifier ("organisation with PIC 999...") is no name.
            names = tuple(sorted(n for n in k["name"] if not any(i in n for i in (*k["pic"], *k["vat"]))))
            out.append(ContextOrganisation(o, o in curated and not _IMPORTED.match(o), tuple(sorted(k["pic"])),
                                           tuple(sorted(k["vat"])), names, tuple(sorted(k["country"]))))
        return out
