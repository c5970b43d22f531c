"""Conversion between rdflib terms and Oxigraph terms (one place for both directions).

Literals keep their lexical form exactly (``"P36M"^^xsd:duration`` stays ``P36M``), so that what a
file says is what the graph holds, whichever store holds it.

Examples
--------
>>> from rdflib import Literal, URIRef
>>> from_ox(to_ox(Literal("31.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
rdflib.term.Literal('31.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = ["from_ox", "to_ox"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported RDF term {term!r}")


def from_ox(term: object) -> Node:
    """An Oxigraph term as an rdflib term, keeping a literal's lexical form exactly."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt), normalize=False)
    raise TypeError(f"unsupported RDF term {term!r}")
