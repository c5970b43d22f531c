"""The read-only SPARQL 1.1 endpoint: ``/sparql``.

Implements the query operation of the `SPARQL 1.1 Protocol <https://www.w3.org/TR/sparql11-protocol/>`_:

- ``GET /sparql?query=...``, ``POST`` with a form (``application/x-www-form-urlencoded``,
  field ``query``) and ``POST`` with the query as the body (``application/sparql-query``);
- content negotiation (``Accept``, or ``format=``/``output=``): SPARQL Results JSON (default), XML,
  CSV and TSV for SELECT/ASK; Turtle (default), N-Triples, JSON-LD and RDF/XML for
  CONSTRUCT/DESCRIBE;
- ``GET /sparql`` without a query: a browser (``Accept: text/html``) gets the query editor, any
  other client the service description (Turtle, N-Triples, JSON-LD or RDF/XML).

Protection: every query goes through :func:`graph.sparql.safety.check_query` (Update refused
with 403 "the endpoint is read-only", ``SERVICE`` and ``FROM``/``FROM NAMED`` refused with 403),
runs in a forked child killed at the deadline (503; the server keeps answering), and returns at
most ``max_rows`` rows with a ``truncated`` flag (JSON key and ``X-Clusterkg-Truncated`` header).
Errors are one generic line: no stack trace, no file path.

Examples
--------
>>> negotiate("application/sparql-results+json;q=0.5, text/csv", SOLUTION_TYPES)
'csv'
>>> negotiate("*/*", GRAPH_TYPES)
'turtle'
>>> negotiate("image/png", SOLUTION_TYPES) is None
True
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import QuerySyntaxError, QueryTimeout, UnsafeQueryError
from ..sparql.results import QueryResult, results_json

__all__ = [
    "GRAPH_TYPES",
    "SOLUTION_TYPES",
    "AnswerCache",
    "EndpointError",
    "negotiate",
    "run_endpoint_query",
    "service_description",
]

log = logging.getLogger("clusterkg.server")

#: format name → (media types it answers, in order; the first is sent), for SELECT and ASK.
SOLUTION_TYPES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
#: The same for CONSTRUCT and DESCRIBE.
GRAPH_TYPES: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle", "application/x-turtle"),
    "nt": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json", "application/json"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
}
_FORMAT_ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml",
}
_GRAPH_FOR_SOLUTION = {"json": "jsonld", "xml": "rdfxml"}
_SOLUTION_FOR_GRAPH = {"jsonld": "json", "rdfxml": "xml", "turtle": "json", "nt": "json"}


class EndpointError(Exception):
    """A client error with its HTTP status and a message safe to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    out = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, i))
    return out


def negotiate(accept: str | None, offers: Mapping[str, Sequence[str]]) -> str | None:
    """The format (a key of ``offers``) the ``Accept`` header prefers; None if none is acceptable.

    An absent or empty header accepts the first offer. Ties go to the client's order, then ours.
    """
    if not accept or not accept.strip():
        return next(iter(offers))
    ranges = _parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    choice: str | None = None
    for order, (fmt, types) in enumerate(offers.items()):
        for mt in types:
            for rng, q, pos in ranges:
                if q <= 0:
                    continue
                if rng == mt:
                    spec = 2
                elif rng.endswith("/*") and mt.startswith(rng[:-1]):
                    spec = 1
                elif rng == "*/*":
                    spec = 0
                else:
                    continue
                key = (q, spec, -pos, -order)
                if best is None or key > best:
                    best, choice = key, fmt
    return choice


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks (``text/html`` ranked above any SPARQL or RDF type)."""
    if not accept:
        return False
    offers = {"html": ("text/html", "application/xhtml+xml"), **SOLUTION_TYPES, **GRAPH_TYPES}
    ranges = _parse_accept(accept)
    html_q = max((q for r, q, _ in ranges if r in ("text/html", "application/xhtml+xml")), default=0.0)
    return html_q > 0 and negotiate(accept, offers) == "html"


def pick_format(form: str, accept: str | None, explicit: str | None) -> tuple[str, str]:
    """(format, media type) for a query of ``form`` given the request's wishes.

    Raises
    ------
    EndpointError
        406 when ``explicit`` names no format we have.
    """
    offers = SOLUTION_TYPES if form in ("SELECT", "ASK") else GRAPH_TYPES
    if explicit:
        fmt = _FORMAT_ALIASES.get(explicit.strip().lower())
        if fmt is None:
            raise EndpointError(406, f"unknown format {explicit[:40]!r} (json, xml, csv, tsv, turtle, nt, "
                                     "jsonld, rdfxml)")
        if fmt not in offers:
            other = _SOLUTION_FOR_GRAPH if offers is SOLUTION_TYPES else _GRAPH_FOR_SOLUTION
            fmt = other.get(fmt, next(iter(offers)))
        return fmt, offers[fmt][0]
    fmt = negotiate(accept, offers) or next(iter(offers))  # lenient: an odd Accept still gets an answer
    return fmt, offers[fmt][0]


def serialise(result: QueryResult, fmt: str) -> str:
    """The body for ``result`` in ``fmt`` (the ``truncated`` flag rides in SPARQL JSON)."""
    if fmt == "json":
        doc = results_json(result)
        if result.type == "SELECT":
            doc["truncated"] = bool(result.truncated)
        return json.dumps(doc, ensure_ascii=False)
    if fmt == "rdfxml":
        from ..namespaces import bind_prefixes
        from ..store.load import make_graph

        g = make_graph()
        bind_prefixes(g)
        for t in result.graph or ():
            g.add(t)
        return g.serialize(format="xml")
    return result.serialize_as(fmt)


class AnswerCache:
    """A small LRU of serialised answers keyed by (query text, wishes); the data never changes.

    Holds at most ``entries`` answers and ``max_bytes`` in all (an answer larger than a quarter
    of that is not kept).
    """

    def __init__(self, entries: int, max_bytes: int = 256 << 20) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._size = 0
        self._data: OrderedDict[tuple[str, str], tuple[bytes, str, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bytes, str, bool] | None:
        """The kept (body, media type, truncated) for ``key``, if any."""
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str], value: tuple[bytes, str, bool]) -> None:
        """Keep ``value`` (unless too large), dropping the least recently used beyond the limits."""
        if self.entries <= 0 or len(value[0]) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._data[key] = value
            self._size += len(value[0])
            while len(self._data) > self.entries or self._size > self.max_bytes:
                _, dropped = self._data.popitem(last=False)
                self._size -= len(dropped[0])


def _refusal(exc: UnsafeQueryError) -> str:
    text = str(exc)
    return text.split(" (use --allow-remote", 1)[0]


def run_endpoint_query(source: Any, text: str, *, timeout: float, max_rows: int) -> QueryResult:
    """Check and run ``text`` for the endpoint; client errors become :class:`EndpointError`.

    Update → 403 (read-only); SERVICE / FROM → 403; syntax → 400; deadline → 503.
    """
    from ..sparql.query import query
    from ..sparql.safety import UPDATE_FORMS, tokenize

    try:
        return query(text, source, timeout=timeout or None, limit=max_rows)
    except UnsafeQueryError as exc:
        first = next((t for t in _safe_tokens(tokenize, text) if t.kind == "name"
                      and t.text.upper() not in ("PREFIX", "BASE")), None)
        if first is not None and first.text.upper() in UPDATE_FORMS:
            raise EndpointError(403, "the endpoint is read-only: SPARQL Update "
                                     f"({first.text.upper()}) is refused") from None
        raise EndpointError(403, _refusal(exc)) from None
    except QuerySyntaxError as exc:
        raise EndpointError(400, f"malformed query: {exc}") from None
    except QueryTimeout:
        raise EndpointError(503, f"the query was stopped after {timeout:g} s (the endpoint's time limit)") from None


def _safe_tokens(tokenize: Any, text: str) -> list[Any]:
    try:
        return list(tokenize(text))
    except Exception:
        return []


_SD_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
               "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def service_description(endpoint_url: str, triples: int, fmt: str) -> str:
    """The SPARQL 1.1 Service Description of the endpoint, serialised as ``fmt``."""
    from rdflib import BNode, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    from ..store.load import make_graph

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    void = Namespace("http://rdfs.org/ns/void#")
    dcterms = Namespace("http://purl.org/dc/terms/")
    g = make_graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    g.bind("void", void)
    g.bind("dcterms", dcterms)
    svc = URIRef(endpoint_url)
    g.add((svc, RDF.type, sd.Service))
    g.add((svc, sd.endpoint, svc))
    g.add((svc, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((svc, dcterms.description, Literal("clusterkg: EU cluster policy as a knowledge graph (read-only)")))
    for f in _SD_FORMATS:
        g.add((svc, sd.resultFormat, formats[f]))
    ds, dg = BNode("dataset"), BNode("default")
    g.add((svc, sd.defaultDataset, ds))
    g.add((ds, RDF.type, sd.Dataset))
    g.add((ds, sd.defaultGraph, dg))
    g.add((dg, RDF.type, sd.Graph))
    g.add((dg, void.triples, Literal(triples, datatype=XSD.integer)))
    rdflib_fmt = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    return g.serialize(format=rdflib_fmt)
