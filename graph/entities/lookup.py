"""Find an entity by label, acronym, CURIE or IRI — the one lookup every command shares.

Matching, in order: an IRI (``<...>`` or ``http(s)://...``) or a CURIE with a project prefix;
an exact name (label, alternative label, acronym or code; case-, space- and dash-insensitive),
which always wins; a unique prefix of a name; a unique near match. Anything else raises
:class:`~graph.errors.EntityNotFound` or :class:`~graph.errors.AmbiguousEntity`, both carrying the
closest candidates. A prefix or near match is never silent: :meth:`EntityIndex.resolve` issues a
:class:`~graph.errors.NameMatchWarning` ("taking 'Interreg' as 'Interregional Innovation
Investments (I3)'"), which the CLI prints on standard error, and :meth:`EntityIndex.match` says
how a name matched.

Examples
--------
>>> from graph.store.load import load_graph
>>> idx = EntityIndex(load_graph().graph)
>>> idx.resolve("germany")
rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/DEU')
>>> idx.resolve("country:FRA") == idx.resolve("France")
True
>>> idx.match("Luxemb")
Match(iri=rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/LUX'), kind='prefix')
>>> idx.resolve("Nowhereland")
Traceback (most recent call last):
...
graph.errors.EntityNotFound: no entity named 'Nowhereland'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import warnings
from collections import defaultdict
from typing import NamedTuple

from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from ..errors import AmbiguousEntity, EntityNotFound, NameMatchWarning
from ..namespaces import CKG, expand_curie

__all__ = ["EntityIndex", "Match", "entity_classes", "label_of", "normalise"]

_NAME_PROPS = (RDFS.label, SKOS.altLabel, CKG.acronym, CKG.code, SKOS.prefLabel)


def normalise(text: str) -> str:
    """Fold case, accents, dashes, quotes and spaces so that names compare loosely.

    >>> normalise("  Pôles de  Compétitivité – Phase IV ")
    'poles de competitivite - phase iv'
    """
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[\u2010-\u2015\u2212]", "-", t)
    t = re.sub(r"[\u2018\u2019\u201a\u201b]", "'", t)
    t = re.sub(r"[\u201c\u201d\u201e\u201f]", '"', t)
    return re.sub(r"\s+", " ", t).strip().casefold()


def entity_classes(graph: Graph) -> set[URIRef]:
    """``ckg:Entity`` and every class below it (by ``rdfs:subClassOf`` in ``graph``)."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, CKG.Entity) if isinstance(c, URIRef)}


def label_of(graph: Graph, node: object) -> str:
    """The English label of ``node`` (else any label, else its IRI's last segment)."""
    best = ""
    for lab in graph.objects(node, RDFS.label):  # type: ignore[arg-type]
        if getattr(lab, "language", None) == "en":
            return str(lab)
        best = best or str(lab)
    if best:
        return best
    s = str(node)
    return re.split(r"[/#]", s.rstrip("/#"))[-1] or s


class Match(NamedTuple):
    """How a name picked an entity: ``kind`` is ``"iri"`` (an IRI or CURIE), ``"exact"`` (a label,
    alternative label, acronym or code), ``"prefix"`` or ``"near"`` (a close spelling)."""

    iri: URIRef
    kind: str


class EntityIndex:
    """An index of every entity's names, built once per graph.

    Parameters
    ----------
    graph : rdflib.Graph
        Ontology and data.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        classes = entity_classes(graph)
        self.entities: set[URIRef] = set()
        for cls in classes:
            self.entities.update(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
        self._names: dict[str, set[URIRef]] = defaultdict(set)
        self._by_label: dict[str, set[URIRef]] = defaultdict(set)
        for e in self.entities:
            for prop in _NAME_PROPS:
                for name in graph.objects(e, prop):
                    key = normalise(str(name))
                    if key:
                        self._names[key].add(e)
                        if prop == RDFS.label:
                            self._by_label[key].add(e)
        self._sorted_names = sorted(self._names)

    def label(self, iri: URIRef) -> str:
        """The English label of ``iri``."""
        return label_of(self.graph, iri)

    def _candidates(self, entities: set[URIRef] | list[URIRef], limit: int = 8) -> list[tuple[str, str]]:
        pairs = sorted({(self.label(e), str(e)) for e in entities}, key=lambda p: (p[0].casefold(), p[1]))
        return pairs[:limit]

    def _closest(self, key: str, limit: int = 5) -> list[tuple[str, str]]:
        found: list[URIRef] = []
        for name in difflib.get_close_matches(key, self._sorted_names, n=limit * 2, cutoff=0.5):
            found.extend(sorted(self._names[name]))
        for name in self._sorted_names:
            if key and key in name:
                found.extend(sorted(self._names[name]))
        seen: list[URIRef] = []
        for e in found:
            if e not in seen:
                seen.append(e)
        return [(self.label(e), str(e)) for e in seen[:limit]]

    def display(self, iri: URIRef) -> str:
        """The label of ``iri`` with its acronym, as in "Interregional Innovation Investments (I3)"."""
        label = self.label(iri)
        acronyms = sorted(str(a) for a in self.graph.objects(iri, CKG.acronym) if normalise(str(a)) != normalise(label))
        return f"{label} ({acronyms[0]})" if acronyms else label

    def resolve(self, name: str) -> URIRef:
        """The one entity ``name`` refers to.

        A prefix or near match issues a :class:`~graph.errors.NameMatchWarning` that says which
        entity was taken; :meth:`match` gives the kind of match without warning.

        Raises
        ------
        EntityNotFound
            Nothing matches; ``candidates`` holds the closest names.
        AmbiguousEntity
            Several entities match equally well.
        """
        found = self.match(name)
        if found.kind in ("prefix", "near"):
            warnings.warn(NameMatchWarning(name, str(found.iri), self.display(found.iri), found.kind), stacklevel=2)
        return found.iri

    def match(self, name: str) -> Match:
        """The one entity ``name`` refers to, and how it matched (see :class:`Match`).

        Raises
        ------
        EntityNotFound, AmbiguousEntity
            As :meth:`resolve`.
        """
        text = name.strip()
        if not text:
            raise EntityNotFound(name)
        iri: URIRef | None = None
        if text.startswith("<") and text.endswith(">"):
            iri = URIRef(text[1:-1])
        elif re.match(r"^(https?|urn|file):", text):
            iri = URIRef(text)
        else:
            iri = expand_curie(text)
        if iri is not None:
            if iri in self.entities or (iri, None, None) in self.graph:
                return Match(iri, "iri")
            raise EntityNotFound(name, self._closest(normalise(text.rsplit("/", 1)[-1])))
        key = normalise(text)
        exact = self._names.get(key, set())
        if len(exact) == 1:
            return Match(next(iter(exact)), "exact")
        if len(exact) > 1:
            by_label = self._by_label.get(key, set())
            if len(by_label) == 1:
                return Match(next(iter(by_label)), "exact")
            raise AmbiguousEntity(name, self._candidates(exact), len(exact))
        prefixed: set[URIRef] = set()
        for n in self._sorted_names:
            if n.startswith(key):
                prefixed |= self._names[n]
        if len(prefixed) == 1:
            return Match(next(iter(prefixed)), "prefix")
        if len(prefixed) > 1:
            raise AmbiguousEntity(name, self._candidates(prefixed), len(prefixed))
        near = difflib.get_close_matches(key, self._sorted_names, n=3, cutoff=0.88)
        near_entities = set().union(*(self._names[n] for n in near)) if near else set()
        if len(near_entities) == 1:
            return Match(next(iter(near_entities)), "near")
        raise EntityNotFound(name, self._closest(key))
