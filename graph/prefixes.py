"""The project's prefixes as plain strings, and CURIEs: what reading the graph needs, without rdflib.

:mod:`graph.namespaces` builds rdflib namespaces from these (and re-exports both names), for the
code that works on rdflib graphs.

Examples
--------
>>> PREFIXES["ckr"]
'https://w3id.org/clusterkg/id/'
>>> curie("https://w3id.org/clusterkg/id/horizon-europe")
'ckr:horizon-europe'
"""

from __future__ import annotations

import re

__all__ = ["PREFIXES", "curie"]

#: Prefix → namespace, in a fixed order (serialisation and CURIEs use it).
PREFIXES: dict[str, str] = {
    "ckg": "https://w3id.org/clusterkg/ontology#",
    "ckr": "https://w3id.org/clusterkg/id/",
    "src": "https://w3id.org/clusterkg/source/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "eurio": "http://data.europa.eu/s66#",
    "cpov": "http://data.europa.eu/m8g/",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "currency": "http://publications.europa.eu/resource/authority/currency/",
    "nuts": "http://data.europa.eu/nuts/code/",
    "eli": "http://data.europa.eu/eli/",
    "sh": "http://www.w3.org/ns/shacl#",
}

# Longest namespace first, so that the most specific prefix wins.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_PREFIX_OF = {ns: prefix for prefix, ns in reversed(_BY_LENGTH)}
# A namespace (longest first: the regex tries the next one when the rest is not a local name) and a
# local name of letters, digits and "-_.~" that does not end with ".".
_CURIE = re.compile("(" + "|".join(re.escape(ns) for _, ns in _BY_LENGTH) + r")([\w\-.~]*[\w\-~])\Z")


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
