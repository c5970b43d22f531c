"""Optional RDFS / OWL 2 RL materialisation with `reasonable` (an OWL 2 RL reasoner in Rust).

``"owlrl"`` is the OWL 2 RL closure of the graph; ``"rdfs"`` is the same closure of the graph
without its OWL axioms (the ``owl:`` properties such as ``owl:inverseOf``, and the property
characteristics such as ``owl:TransitiveProperty``), that is the subclass and subproperty closure
with domains and ranges. The closure adds many triples not worth keeping (``x a owl:Thing``,
``owl:sameAs``, datatype facts, ...). Only the useful part is kept: ``rdf:type`` triples that give
an entity the superclasses of its class, object-property triples between IRIs that the ontology's
inverse, symmetric, transitive and sub-property axioms imply, and the literal values of the
standard properties (EURIO's start date, value, ...) that the ontology's datatype properties
specialise.

The kept triples are those the Python reference implementation, owlrl, gives (50 times slower:
7.3 s against 0.13 s on the curated graph), which ``tests/store/test_infer.py`` checks on the
curated data and on fixtures; ``docs/sparql.md`` (Inference) says where owlrl's RDFS closure
differs.

Examples
--------
>>> from graph.store.load import load_graph
>>> from graph.namespaces import CKG, COUNTRY
>>> from rdflib import RDF
>>> g = load_graph(default_data=False).graph  # the ontology, and one fact:
>>> g.add((COUNTRY.DEU, RDF.type, CKG.Country))  # doctest: +ELLIPSIS
<Graph ...>
>>> (COUNTRY.DEU, RDF.type, CKG.Place) in g
False
>>> materialise(g, "rdfs") > 0
True
>>> (COUNTRY.DEU, RDF.type, CKG.Place) in g
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from typing import Literal as Lit

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef
from rdflib import Literal as RDFLiteral

from ..namespaces import CKG

__all__ = ["REGIMES", "closure", "materialise", "worth_keeping"]

REGIMES = ("rdfs", "owlrl")

_KEEP_TYPE_NS = (str(CKG), "http://www.w3.org/ns/org#", "http://data.europa.eu/s66#",
                 "http://data.europa.eu/m8g/", "http://www.w3.org/2004/02/skos/core#",
                 "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/0.1/",
                 "http://purl.org/dc/terms/")

#: The OWL classes that give a property a characteristic (left out for ``"rdfs"``).
_CHARACTERISTICS = frozenset(OWL[name] for name in (
    "TransitiveProperty", "SymmetricProperty", "AsymmetricProperty", "FunctionalProperty",
    "InverseFunctionalProperty", "ReflexiveProperty", "IrreflexiveProperty"))


def _term(term: Any) -> Any:
    """``"x"^^xsd:string`` as the simple literal ``"x"`` (one term in RDF 1.1, two in rdflib)."""
    if isinstance(term, RDFLiteral) and term.datatype == XSD.string and term.language is None:
        return RDFLiteral(str(term))
    return term


def _rdfs_input(triples: Iterable[Any]) -> Iterator[Any]:
    owl = str(OWL)
    for s, p, o in triples:
        if str(p).startswith(owl) or (p == RDF.type and o in _CHARACTERISTICS):
            continue
        yield s, p, o


def closure(triples: Iterable[Any], regime: Lit["rdfs", "owlrl"] = "owlrl") -> set[Any]:
    """Every triple the closure of ``triples`` holds (theirs included), its simple literals
    without ``xsd:string``.

    Parameters
    ----------
    triples : iterable of (subject, predicate, object)
        rdflib terms: ontology and data together (the ontology's axioms drive the inference).
    regime : {"rdfs", "owlrl"}
        As for :func:`materialise`.
    """
    import reasonable

    if regime not in REGIMES:
        raise ValueError(f"unknown inference regime {regime!r}; choose one of {REGIMES}")
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(list(_rdfs_input(triples)) if regime == "rdfs" else list(triples))
    return {(s, p, _term(o)) for s, p, o in reasoner.reason()}


def materialise(graph: Graph, regime: Lit["rdfs", "owlrl"] = "owlrl") -> int:
    """Add the inferred triples worth keeping to ``graph``; return how many were added.

    Parameters
    ----------
    graph : rdflib.Graph
        Ontology and data together (the ontology's axioms drive the inference).
    regime : {"rdfs", "owlrl"}
        ``"rdfs"`` for subclass/subproperty closure with domains and ranges, ``"owlrl"`` adds
        inverse, symmetric and transitive properties (and everything else of OWL 2 RL the graph
        states).
    """
    keep = worth_keeping(graph, closure(graph, regime))
    for t in keep:
        graph.add(t)
    return len(keep)


def worth_keeping(graph: Graph, closure: Iterable[Any]) -> list[Any]:
    """The triples of ``closure`` (of ``graph``) that are not in ``graph`` and are worth keeping
    (see the module's description), in no particular order.

    Parameters
    ----------
    graph : rdflib.Graph
        The graph before inference.
    closure : iterable of (subject, predicate, object)
        Its closure (:func:`closure`, or another reasoner's).
    """
    stated = {(s, p, _term(o)) for s, p, o in graph}
    object_props = {p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    # super-properties of the ontology's datatype properties (eurio:startDate, eurio:value, ...)
    data_supers = {o for s, o in graph.subject_objects(RDFS.subPropertyOf)
                   if isinstance(o, URIRef) and (s, RDF.type, OWL.DatatypeProperty) in graph}
    schema = set(graph.subjects(RDF.type, OWL.Class)) | object_props
    keep: list[Any] = []
    for s, p, o in {(s, p, _term(o)) for s, p, o in closure} - stated:
        if isinstance(s, URIRef) and isinstance(o, RDFLiteral) and p in data_supers:
            keep.append((s, p, o))
            continue
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)) or s == o:
            continue
        if p == RDF.type:
            if not str(o).startswith(_KEEP_TYPE_NS) or o in (OWL.Thing, RDFS.Resource):
                continue
            if s in schema:
                continue  # ontology terms keep their declared types
        elif p not in object_props or p == OWL.sameAs:
            continue
        keep.append((s, p, o))
    return keep
