"""Namespaces and prefixes used across clusterkg, as rdflib namespaces.

The prefixes themselves and :func:`curie` live in :mod:`graph.prefixes` (plain strings, no rdflib:
reading the graph does not need it) and are re-exported here.

Examples
--------
>>> from graph.namespaces import CKG, CKR, curie
>>> str(CKG.Eurocluster)
'https://w3id.org/clusterkg/ontology#Eurocluster'
>>> curie(CKR["horizon-europe"])
'ckr:horizon-europe'
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef

from .prefixes import PREFIXES, curie

__all__ = [
    "CKG",
    "CKR",
    "COUNTRY",
    "CPOV",
    "CURRENCY",
    "ELI",
    "EURIO",
    "NUTS",
    "ORG",
    "PREFIXES",
    "SH",
    "SRC",
    "bind_prefixes",
    "curie",
    "expand_curie",
]

CKG = Namespace(PREFIXES["ckg"])
CKR = Namespace(PREFIXES["ckr"])
SRC = Namespace(PREFIXES["src"])
ORG = Namespace(PREFIXES["org"])
EURIO = Namespace(PREFIXES["eurio"])
CPOV = Namespace(PREFIXES["cpov"])
COUNTRY = Namespace(PREFIXES["country"])
CURRENCY = Namespace(PREFIXES["currency"])
NUTS = Namespace(PREFIXES["nuts"])
ELI = Namespace(PREFIXES["eli"])
SH = Namespace(PREFIXES["sh"])


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)
    return graph


def expand_curie(text: str) -> URIRef | None:
    """Expand ``prefix:local`` with a project prefix; ``None`` if ``text`` is no such CURIE.

    >>> expand_curie("ckr:cosme")
    rdflib.term.URIRef('https://w3id.org/clusterkg/id/cosme')
    >>> expand_curie("Horizon Europe") is None
    True
    """
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//") or " " in text:
        return None
    return URIRef(PREFIXES[prefix] + local)
