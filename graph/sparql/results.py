"""Query results and their standard formats.

:class:`QueryResult` is an :class:`rdflib.query.Result` (iterate it for ``ResultRow`` objects, read
``.vars``, ``.askAnswer``, ``.graph``) with a few additions for notebooks and the CLI:
``.rows`` (plain tuples), :meth:`QueryResult.to_dicts`, :meth:`QueryResult.to_dataframe` and
:meth:`QueryResult.serialize_as`.

Formats (:data:`SOLUTION_FORMATS` for SELECT/ASK, :data:`GRAPH_FORMATS` for CONSTRUCT/DESCRIBE):

- ``table``: aligned columns, IRIs shortened to CURIEs (optionally replaced by their labels);
- ``csv`` and ``tsv``: W3C SPARQL 1.1 Query Results CSV and TSV;
- ``json``: W3C SPARQL 1.1 Query Results JSON;
- ``xml``: W3C SPARQL Query Results XML;
- ``turtle``, ``nt``, ``jsonld``: RDF, deterministic (sorted).

Examples
--------
>>> from rdflib import Literal, URIRef
>>> r = QueryResult.select(["name", "n"], [(URIRef("https://w3id.org/clusterkg/id/cosme"), Literal(3))])
>>> print(r.serialize_as("table"), end="")
name       n
---------  -
ckr:cosme  3
(1 row)
>>> r.serialize_as("csv").splitlines()
['name,n', 'https://w3id.org/clusterkg/id/cosme,3']
>>> r.to_dicts()
[{'name': 'https://w3id.org/clusterkg/id/cosme', 'n': 3}]
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from ..errors import InputError
from ..namespaces import PREFIXES, bind_prefixes, curie
from ..textsafe import escape_controls, json_safe

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "EncodedTerm",
    "QueryResult",
    "Row",
    "decode_term",
    "encode_term",
    "format_for_out",
    "format_for_path",
    "parse_results_json",
    "results_json",
    "row_multiset",
    "term_key",
]

SOLUTION_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".json": "json", ".srj": "json", ".xml": "xml", ".srx": "xml",
    ".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld", ".txt": "table",
}

RowTuple = tuple[Node | None, ...]

EncodedTerm = tuple[Any, ...] | None
"""A term as plain strings: ``("u", iri)``, ``("b", label)``, ``("l", lexical form, datatype IRI,
language or None)``, or None where unbound. Rows cross the query process boundary in this form, and
the text formats are written from it, so that many-row answers never build rdflib terms."""

_XSD_STRING = str(XSD.string)
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def encode_term(term: Node | None) -> EncodedTerm:
    """An rdflib term as an :data:`EncodedTerm`, as Oxigraph's terms are encoded (a literal with a
    language tag is an ``rdf:langString``, one without datatype an ``xsd:string``).

    >>> encode_term(Literal("x", lang="en")), encode_term(URIRef("http://ex/a")), encode_term(None)
    (('l', 'x', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString', 'en'), ('u', 'http://ex/a'), None)
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("u", str(term))
    if isinstance(term, BNode):
        return ("b", str(term))
    if isinstance(term, Literal):
        if term.language:
            return ("l", str(term), _RDF_LANG_STRING, term.language)
        dt = str(term.datatype) if term.datatype is not None else _XSD_STRING
        return ("l", str(term), dt, None)
    return ("l", str(term), _XSD_STRING, None)


def decode_term(enc: EncodedTerm) -> Node | None:
    """The rdflib term of an :data:`EncodedTerm`, keeping a literal's lexical form exactly.

    >>> decode_term(("l", "31.0", "http://www.w3.org/2001/XMLSchema#decimal", None))
    rdflib.term.Literal('31.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    if enc is None:
        return None
    if enc[0] == "u":
        return URIRef(enc[1])
    if enc[0] == "b":
        return BNode(enc[1])
    _, value, dt, lang = enc
    if lang:
        return Literal(value, lang=lang)
    if dt == _XSD_STRING:
        return Literal(value)
    return Literal(value, datatype=URIRef(dt), normalize=False)


class Row(ResultRow):
    """One solution, as rdflib's ``ResultRow`` (a tuple: ``row[0]``, ``row.name``, ``row["name"]``)
    that also converts with ``dict(row)`` to ``{column: term}`` (``None`` where unbound).

    >>> r = QueryResult.select(["s", "n"], [(URIRef("http://ex/a"), None)])
    >>> [dict(row) for row in r]
    [{'s': rdflib.term.URIRef('http://ex/a'), 'n': None}]
    """

    def keys(self) -> list[str]:
        """The column names, in order (what makes ``dict(row)`` work)."""
        return [str(v) for v in sorted(self.labels, key=self.labels.__getitem__)]


def format_for_path(path: str) -> str | None:
    """The output format an ``--out`` file name implies, if any.

    >>> format_for_path("answers.srj"), format_for_path("graph.ttl"), format_for_path("x.bin")
    ('json', 'turtle', None)
    """
    for ext, fmt in _EXTENSIONS.items():
        if path.lower().endswith(ext):
            return fmt
    return None


def format_for_out(path: str, form: str) -> str:
    """The format an ``--out`` file's extension picks for a query of kind ``form``.

    Raises
    ------
    InputError
        The extension is unknown, or names a format that does not fit the query (a SELECT
        written to ``.ttl``); the message lists the extensions that fit.

    Examples
    --------
    >>> format_for_out("answers.csv", "SELECT"), format_for_out("g.nt", "CONSTRUCT")
    ('csv', 'nt')
    >>> format_for_out("answers.ttl", "SELECT")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: answers.ttl: a .ttl file holds RDF, but a SELECT query returns solutions: \
name the file .csv, .json, .srj, .srx, .tsv, .txt or .xml, or give --format
    """
    rdf = form in ("CONSTRUCT", "DESCRIBE")
    fits = GRAPH_FORMATS if rdf else SOLUTION_FORMATS
    exts = ", ".join(sorted(e for e, f in _EXTENSIONS.items() if f in fits))
    exts = exts.rsplit(", ", 1)[0] + " or " + exts.rsplit(", ", 1)[1] if ", " in exts else exts
    fmt = format_for_path(path)
    kind = ("an RDF graph" if rdf else "solutions") if form != "ASK" else "a boolean"
    if fmt is None:
        return _bad_out(path, f"the extension does not say which format to write; {_article(form)} {form} "
                              f"query returns {kind}: name the file {exts}, or give --format")
    if fmt not in fits:
        holds = "RDF" if fmt in GRAPH_FORMATS else "solutions"
        ext = next(e for e in _EXTENSIONS if path.lower().endswith(e))
        return _bad_out(path, f"a {ext} file holds {holds}, but {_article(form)} {form} query returns {kind}: "
                              f"name the file {exts}, or give --format")
    return fmt


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _bad_out(path: str, message: str) -> str:
    raise InputError(f"{path}: {message}")


class QueryResult(Result):
    """The answer to one query: solutions (SELECT), a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE).

    Attributes
    ----------
    type : str
        ``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or ``"DESCRIBE"``.
    variables : list of str
        Column names (SELECT).
    rows : list of tuple
        One tuple of rdflib terms (``None`` where unbound) per solution, in order. A result read
        from the local store keeps its rows as :data:`EncodedTerm` tuples and builds the rdflib
        terms only when ``rows`` is first read; the text formats never need them.
    truncated : bool
        True when ``limit`` cut the answer short.
    elapsed : float
        Seconds the query took, when measured.
    cached : bool
        True when the answer was read back from the dataset's cache (:mod:`graph.sparql.answers`).
    """

    def __init__(self, type_: str) -> None:
        super().__init__(type_)
        self.variables: list[str] = []
        self._rows: list[RowTuple] | None = []
        self._encoded: list[tuple[EncodedTerm, ...]] | None = None
        self.truncated = False
        self.elapsed = 0.0
        self.cached = False

    @property
    def rows(self) -> list[RowTuple]:
        """The solutions as tuples of rdflib terms (built on first use when the result came encoded)."""
        if self._rows is None:
            self._rows = [tuple(decode_term(t) for t in row) for row in self._encoded or ()]
            self._encoded = None  # the rdflib rows are the answer from now on (callers may edit them)
        return self._rows

    @rows.setter
    def rows(self, value: Iterable[Sequence[Node | None]]) -> None:
        self._rows = [tuple(row) for row in value]
        self._encoded = None

    def encoded_rows(self) -> list[tuple[EncodedTerm, ...]]:
        """The solutions as tuples of :data:`EncodedTerm` (what the text formats are written from)."""
        if self._rows is None:
            return self._encoded or []
        return [tuple(encode_term(t) for t in row) for row in self._rows]

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def select(cls, variables: Sequence[str], rows: Iterable[Sequence[Node | None]],
               truncated: bool = False) -> QueryResult:
        """A SELECT result from column names and rows of rdflib terms."""
        r = cls("SELECT")
        r.variables = [str(v) for v in variables]
        r.vars = [Variable(v) for v in r.variables]
        r.rows = rows  # the setter takes any iterable of rows
        r.truncated = truncated
        return r

    @classmethod
    def select_encoded(cls, variables: Sequence[str], rows: list[tuple[EncodedTerm, ...]],
                       truncated: bool = False) -> QueryResult:
        """A SELECT result from column names and rows of :data:`EncodedTerm` (kept as they are).

        >>> r = QueryResult.select_encoded(["s"], [(("u", "http://ex/a"),), (None,)])
        >>> r.serialize_as("csv").splitlines(), r.rows
        (['s', 'http://ex/a', '""'], [(rdflib.term.URIRef('http://ex/a'),), (None,)])
        """
        r = cls("SELECT")
        r.variables = [str(v) for v in variables]
        r.vars = [Variable(v) for v in r.variables]
        r._rows = None
        r._encoded = rows
        r.truncated = truncated
        return r

    def project(self, variables: Sequence[str]) -> QueryResult:
        """This SELECT result with its columns in the order of ``variables`` (a permutation)."""
        pos = [self.variables.index(v) for v in variables]
        if self._rows is None:
            rows = [tuple(row[i] for i in pos) for row in self._encoded or ()]
            return QueryResult.select_encoded(variables, rows, self.truncated)
        return QueryResult.select(variables, [tuple(row[i] for i in pos) for row in self._rows], self.truncated)

    @classmethod
    def ask(cls, answer: bool) -> QueryResult:
        """An ASK result."""
        r = cls("ASK")
        r.askAnswer = bool(answer)
        return r

    @classmethod
    def from_triples(cls, type_: str, triples: Iterable[tuple[Node, Node, Node]],
                     truncated: bool = False) -> QueryResult:
        """A CONSTRUCT or DESCRIBE result from triples."""
        r = cls(type_)
        g = bind_prefixes(Graph())
        for t in triples:
            g.add(t)
        r.graph = g
        r.truncated = truncated
        return r

    # -- rdflib's Result API, over .rows ---------------------------------------------------

    @property  # type: ignore[override]
    def bindings(self) -> list[dict[Variable, Node]]:
        """The solutions as dicts of rdflib ``Variable`` → term (unbound variables left out)."""
        return [{v: t for v, t in zip(self.vars or [], row, strict=False) if t is not None}
                for row in self.rows]

    @bindings.setter
    def bindings(self, value: Any) -> None:  # rdflib's Result.__init__ never sets it; kept for API
        self.rows = [tuple(b.get(v) for v in self.vars or []) for b in value]

    def __iter__(self) -> Iterator[Any]:
        if self.type == "SELECT":
            for row in self.rows:
                values: dict[Variable, Any] = {v: t for v, t in zip(self.vars or [], row, strict=False)
                                               if t is not None}
                yield Row(values, self.vars or [])
        else:
            yield from super().__iter__()

    def __len__(self) -> int:
        if self.type != "SELECT":
            return super().__len__()
        return len(self._rows) if self._rows is not None else len(self._encoded or ())

    def __bool__(self) -> bool:
        if self.type == "ASK":
            return bool(self.askAnswer)
        return len(self) > 0

    def __repr__(self) -> str:
        if self.type == "SELECT":
            return f"<QueryResult SELECT {len(self)} row(s) x {len(self.variables)} column(s)>"
        if self.type == "ASK":
            return f"<QueryResult ASK {self.askAnswer}>"
        return f"<QueryResult {self.type} {len(self.graph or ())} triple(s)>"

    # -- notebooks ---------------------------------------------------------------------------

    def to_dicts(self, native: bool = True) -> list[dict[str, Any]]:
        """The solutions as a list of ``{column: value}``.

        Parameters
        ----------
        native : bool
            Convert terms to Python values: IRIs to ``str``, blank nodes to ``"_:id"``, literals
            to ``int``/``Decimal``/``date``/``str``... (``None`` where unbound). With ``False`` the
            rdflib terms are kept.
        """
        self._require_solutions("to_dicts")
        conv: Callable[[Node | None], Any] = _native if native else (lambda t: t)
        return [{v: conv(t) for v, t in zip(self.variables, row, strict=False)} for row in self.rows]

    def to_dataframe(self, native: bool = True) -> Any:
        """The solutions as a :class:`pandas.DataFrame` (one column per variable)."""
        self._require_solutions("to_dataframe")
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise InputError("pandas is not installed: pip install pandas") from None
        return pd.DataFrame(self.to_dicts(native), columns=self.variables)

    def _require_solutions(self, what: str) -> None:
        if self.type != "SELECT":
            raise InputError(f"{what}() needs a SELECT query; this is {_article(self.type)} {self.type} result")

    # -- formats -----------------------------------------------------------------------------

    def serialize_as(self, fmt: str, labels: Mapping[str, str] | None = None) -> str:
        """This result in one of :data:`SOLUTION_FORMATS` (SELECT/ASK) or :data:`GRAPH_FORMATS`.

        Parameters
        ----------
        fmt : str
            The format name.
        labels : mapping, optional
            IRI → label, used by ``table`` in place of CURIEs.

        Raises
        ------
        InputError
            If the format does not fit the kind of result.
        """
        if self.type in ("CONSTRUCT", "DESCRIBE"):
            if fmt not in GRAPH_FORMATS:
                raise InputError(f"{_article(self.type)} {self.type} query returns RDF: use --format "
                                 f"{', '.join(GRAPH_FORMATS)} (not {fmt})")
            return _graph_text(self.graph or Graph(), fmt)
        if fmt not in SOLUTION_FORMATS:
            what = "a boolean" if self.type == "ASK" else "solutions"
            raise InputError(f"{_article(self.type)} {self.type} query returns {what}: use --format "
                             f"{', '.join(SOLUTION_FORMATS)} (not {fmt})")
        if fmt == "table":
            return _table(self, labels or {})
        writers: dict[str, Callable[[QueryResult], str]] = {"csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}
        return writers[fmt](self)


# -- value conversion ------------------------------------------------------------------------


def _native(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def _lexical(term: EncodedTerm) -> str:
    if term is None:
        return ""
    return "_:" + term[1] if term[0] == "b" else term[1]


# -- solution formats ------------------------------------------------------------------------


def _cell(term: EncodedTerm, labels: Mapping[str, str], width: int = 60) -> str:
    if term is None:
        text = ""
    elif term[0] == "u":
        text = labels.get(term[1]) or curie(term[1])
    elif term[0] == "b":
        text = "_:" + term[1]
    else:
        text = term[1]
    text = escape_controls(" ".join(text.split()))  # one line per row; no terminal control
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(result: QueryResult, labels: Mapping[str, str]) -> str:
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\n"
    header = [escape_controls(v) for v in result.variables]
    cells = [[_cell(t, labels) for t in row] for row in result.encoded_rows()]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)
    n = len(cells)
    footer = f"({n} row{'s' if n != 1 else ''}"
    footer += ", truncated by --limit)" if result.truncated else ")"
    lines.append(footer)
    return "\n".join(lines) + "\n"


def _csv(result: QueryResult) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    if result.type == "ASK":
        w.writerow(["boolean"])
        w.writerow(["true" if result.askAnswer else "false"])
        return out.getvalue()
    w.writerow(result.variables)
    w.writerows([_lexical(t) for t in row] for row in result.encoded_rows())
    return out.getvalue()


def _nt(term: EncodedTerm) -> str:
    """The N-Triples form of a term, as Oxigraph writes it (as :func:`graph.store.oxstore.nt_term`)."""
    if term is None:
        return ""
    if term[0] == "u":
        return str(ox.NamedNode(term[1]))
    if term[0] == "b":
        return str(ox.BlankNode(term[1]))
    _, value, dt, lang = term
    if lang:
        return str(ox.Literal(value, language=lang))
    return str(ox.Literal(value, datatype=ox.NamedNode(dt)))


def _tsv(result: QueryResult) -> str:
    if result.type == "ASK":
        return "?boolean\n" + ("true" if result.askAnswer else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join(_nt(t) for t in row) for row in result.encoded_rows())
    return "\n".join(lines) + "\n"


def _json_term(term: tuple[Any, ...]) -> dict[str, str]:
    if term[0] == "u":
        return {"type": "uri", "value": term[1]}
    if term[0] == "b":
        return {"type": "bnode", "value": term[1]}
    d = {"type": "literal", "value": term[1]}
    if term[3]:
        d["xml:lang"] = term[3]
    elif term[2] != _XSD_STRING:
        d["datatype"] = term[2]
    return d


def results_json(result: QueryResult) -> dict[str, Any]:
    """The W3C SPARQL 1.1 Query Results JSON document, as a dict."""
    if result.type == "ASK":
        return {"head": {}, "boolean": bool(result.askAnswer)}
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row, strict=False) if t is not None}
                for row in result.encoded_rows()]
    return {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}


def _json(result: QueryResult) -> str:
    return json_safe(json.dumps(results_json(result), indent=2, ensure_ascii=False)) + "\n"


def _xml_term(term: tuple[Any, ...]) -> str:
    if term[0] == "u":
        return f"<uri>{escape(term[1])}</uri>"
    if term[0] == "b":
        return f"<bnode>{escape(term[1])}</bnode>"
    attr = ""
    if term[3]:
        attr = f" xml:lang={quoteattr(term[3])}"
    elif term[2] != _XSD_STRING:
        attr = f" datatype={quoteattr(term[2])}"
    return f"<literal{attr}>{escape(term[1])}</literal>"


def _xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    out.extend(f"    <variable name={quoteattr(v)}/>" for v in result.variables)
    out.append("  </head>")
    if result.type == "ASK":
        out.append(f"  <boolean>{'true' if result.askAnswer else 'false'}</boolean>")
    else:
        names = [quoteattr(v) for v in result.variables]
        out.append("  <results>")
        for row in result.encoded_rows():
            out.append("    <result>")
            out.extend(f"      <binding name={v}>{_xml_term(t)}</binding>"
                       for v, t in zip(names, row, strict=False) if t is not None)
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


# -- graph formats ---------------------------------------------------------------------------


def _graph_text(graph: Graph, fmt: str) -> str:
    from ..store.serialize import canonical, to_ntriples, to_turtle

    if fmt == "turtle":
        return to_turtle(graph)
    if fmt == "nt":
        return to_ntriples(graph)
    doc = json.loads(canonical(graph).serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True))
    if "@id" in doc and "@graph" not in doc:  # a single node: keep the compact form, as a one-node graph
        ctx = doc.pop("@context", {})
        doc = {"@context": ctx, "@graph": [doc]}
    return json_safe(json.dumps(_ordered(doc), indent=2, ensure_ascii=False, sort_keys=True)) + "\n"


def _ordered(value: Any, *, keep_order: bool = False) -> Any:
    """A JSON-LD document with every array of values in one fixed order (rdflib writes the values of
    a property in the order of a Python set, which changes from run to run): nodes by ``@id``, other
    values by their JSON text. The items of an ``@list`` (an RDF list) keep their order.

    >>> _ordered({"@graph": [{"@id": "b", "p": [3, 1]}, {"@id": "a", "p": {"@list": [3, 1]}}]})
    {'@graph': [{'@id': 'a', 'p': {'@list': [3, 1]}}, {'@id': 'b', 'p': [1, 3]}]}
    """
    if isinstance(value, dict):
        return {k: _ordered(v, keep_order=k == "@list") for k, v in value.items()}
    if isinstance(value, list):
        items = [_ordered(v) for v in value]
        if keep_order:
            return items
        return sorted(items, key=lambda v: (str(v.get("@id", "")) if isinstance(v, dict) else "",
                                            json.dumps(v, sort_keys=True, ensure_ascii=False)))
    return value


# -- reading results back, comparing ---------------------------------------------------------


def _term_from_json(d: Mapping[str, str]) -> Node:
    kind = d.get("type")
    if kind == "uri":
        return URIRef(d["value"])
    if kind == "bnode":
        return BNode(d["value"])
    if kind in ("literal", "typed-literal"):
        if d.get("xml:lang"):
            return Literal(d["value"], lang=d["xml:lang"])
        dt = d.get("datatype")
        if dt and dt != str(XSD.string):
            return Literal(d["value"], datatype=URIRef(dt), normalize=False)
        return Literal(d["value"])
    raise ValueError(f"unknown term type {kind!r} in SPARQL results JSON")


def parse_results_json(doc: Mapping[str, Any] | str | bytes) -> QueryResult:
    """Read a W3C SPARQL 1.1 Query Results JSON document (as text or parsed).

    >>> r = parse_results_json('{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", '
    ...                        '"value": "http://ex/a"}}, {}]}}')
    >>> r.rows
    [(rdflib.term.URIRef('http://ex/a'),), (None,)]
    """
    if isinstance(doc, str | bytes):
        doc = json.loads(doc)
    assert isinstance(doc, Mapping)
    if "boolean" in doc:
        return QueryResult.ask(bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows = [tuple(_term_from_json(b[v]) if v in b else None for v in variables)
            for b in doc.get("results", {}).get("bindings", [])]
    return QueryResult.select(variables, rows)


_NUMERIC = {str(XSD[t]) for t in ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger",
                                  "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                  "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOATS = {str(XSD.double), str(XSD.float)}


def term_key(term: Node | None) -> tuple[str, ...]:
    """A comparison key for a term: equal for the same value whatever the lexical form or store.

    Numbers compare by value (``"31.0"^^xsd:decimal`` equals ``"31"^^xsd:decimal``; an integer
    equals the same decimal, as SPARQL's ``=`` says); blank nodes all compare equal (their
    labels are local to one answer).

    >>> term_key(Literal("31.0", datatype=XSD.decimal)) == term_key(Literal("31", datatype=XSD.integer))
    True
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    assert isinstance(term, Literal)
    dt = str(term.datatype) if term.datatype is not None else ""
    if dt in _NUMERIC or dt in _FLOATS:
        try:
            value = Decimal(str(term))
            return ("number", format(value.normalize(), "f"))
        except InvalidOperation:
            pass
    if term.language:
        return ("lang", str(term), term.language.lower())
    return ("literal", str(term), "" if dt == str(XSD.string) else dt)


def row_multiset(result: QueryResult) -> Counter[tuple[tuple[str, ...], ...]]:
    """The solutions as a multiset of rows of :func:`term_key` (order ignored); ASK gives one row."""
    if result.type == "ASK":
        return Counter({(("boolean", str(bool(result.askAnswer))),): 1})
    if result.type != "SELECT":
        return Counter(tuple(term_key(t) for t in triple) for triple in result.graph or ())
    return Counter(tuple(term_key(t) for t in row) for row in result.rows)
