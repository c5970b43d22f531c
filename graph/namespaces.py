"""Namespaces and prefixes used across clusterkg.

Examples
--------
>>> from graph.namespaces import CKG, CKR, curie
>>> str(CKG.Eurocluster)
'https://w3id.org/clusterkg/ontology#Eurocluster'
>>> curie(CKR["horizon-europe"])
'ckr:horizon-europe'
"""

from __future__ import annotations

import re

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

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

CKG = Namespace("https://w3id.org/clusterkg/ontology#")
CKR = Namespace("https://w3id.org/clusterkg/id/")
SRC = Namespace("https://w3id.org/clusterkg/source/")
ORG = Namespace("http://www.w3.org/ns/org#")
EURIO = Namespace("http://data.europa.eu/s66#")
CPOV = Namespace("http://data.europa.eu/m8g/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
CURRENCY = Namespace("http://publications.europa.eu/resource/authority/currency/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
ELI = Namespace("http://data.europa.eu/eli/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Prefix → namespace, in a fixed order (serialisation and CURIEs use it).
PREFIXES: dict[str, str] = {
    "ckg": str(CKG),
    "ckr": str(CKR),
    "src": str(SRC),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "foaf": str(FOAF),
    "eurio": str(EURIO),
    "cpov": str(CPOV),
    "country": str(COUNTRY),
    "currency": str(CURRENCY),
    "nuts": str(NUTS),
    "eli": str(ELI),
    "sh": str(SH),
}

# Longest namespace first, so that the most specific prefix wins.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_PREFIX_OF = {ns: prefix for prefix, ns in reversed(_BY_LENGTH)}
# A namespace (longest first: the regex tries the next one when the rest is not a local name) and a
# local name of letters, digits and "-_.~" that does not end with ".".
_CURIE = re.compile("(" + "|".join(re.escape(ns) for _, ns in _BY_LENGTH) + r")([\w\-.~]*[\w\-~])\Z")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)
    return graph


def curie(iri: str) -> str:
    """Shorten ``iri`` to a CURIE with a project prefix, or return it unchanged.

    >>> curie("http://publications.europa.eu/resource/authority/country/DEU")
    'country:DEU'
    >>> curie("https://example.org/x")
    'https://example.org/x'
    """
    s = str(iri)
    m = _CURIE.match(s)
    return f"{_PREFIX_OF[m.group(1)]}:{m.group(2)}" if m else s


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
