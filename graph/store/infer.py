"""Optional RDFS / OWL-RL materialisation with owlrl.

owlrl's closure adds many axiomatic triples (``x a rdfs:Resource``, datatype facts, ...). Only
the useful part is kept: ``rdf:type`` triples that give an entity the superclasses of its class,
object-property triples between IRIs that the ontology's inverse, symmetric, transitive and
sub-property axioms imply, and the literal values of the standard properties (EURIO's start
date, value, ...) that the ontology's datatype properties specialise.

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

from typing import Literal as Lit

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib import Literal as RDFLiteral

from ..namespaces import CKG

__all__ = ["REGIMES", "materialise"]

REGIMES = ("rdfs", "owlrl")

_KEEP_TYPE_NS = (str(CKG), "http://www.w3.org/ns/org#", "http://data.europa.eu/s66#",
                 "http://data.europa.eu/m8g/", "http://www.w3.org/2004/02/skos/core#",
                 "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/0.1/",
                 "http://purl.org/dc/terms/")


def materialise(graph: Graph, regime: Lit["rdfs", "owlrl"] = "owlrl") -> int:
    """Add the inferred triples worth keeping to ``graph``; return how many were added.

    Parameters
    ----------
    graph : rdflib.Graph
        Ontology and data together (the ontology's axioms drive the inference).
    regime : {"rdfs", "owlrl"}
        ``"rdfs"`` for subclass/subproperty closure, ``"owlrl"`` adds inverse, symmetric and
        transitive properties.
    """
    import owlrl

    if regime not in REGIMES:
        raise ValueError(f"unknown inference regime {regime!r}; choose one of {REGIMES}")
    work = Graph()
    for t in graph:
        work.add(t)
    before = set(work)
    semantics = owlrl.RDFS_Semantics if regime == "rdfs" else owlrl.OWLRL_Semantics
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    object_props = {p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    # super-properties of the ontology's datatype properties (eurio:startDate, eurio:value, ...)
    data_supers = {o for s, o in graph.subject_objects(RDFS.subPropertyOf)
                   if isinstance(o, URIRef) and (s, RDF.type, OWL.DatatypeProperty) in graph}
    added = 0
    for s, p, o in set(work) - before:
        if isinstance(s, URIRef) and isinstance(o, RDFLiteral) and p in data_supers:
            graph.add((s, p, o))
            added += 1
            continue
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)) or s == o:
            continue
        if p == RDF.type:
            if not str(o).startswith(_KEEP_TYPE_NS) or o in (OWL.Thing, RDFS.Resource):
                continue
            if (s, RDF.type, OWL.Class) in graph or (s, RDF.type, OWL.ObjectProperty) in graph:
                continue  # ontology terms keep their declared types
        elif p not in object_props or p == OWL.sameAs:
            continue
        graph.add((s, p, o))
        added += 1
    return added
