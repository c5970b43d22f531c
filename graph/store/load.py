"""Load the ontology, the curated data and any extra RDF into one graph.

All loading goes through :func:`load_graph`, which takes the store as a parameter: the
in-memory rdflib store by default, or any other rdflib store (``"oxigraph"`` for oxrdflib's
embedded Oxigraph store). Files are parsed by Oxigraph's parsers, which are strict (they
reject invalid IRIs and literals that rdflib would accept) and report the line and column of
an error; the triples then go into the chosen store.

Supported syntaxes, chosen by file extension: Turtle (``.ttl``), N-Triples (``.nt``),
N-Quads (``.nq``), TriG (``.trig``), N3 (``.n3``), JSON-LD (``.jsonld``, ``.json``) and
RDF/XML (``.rdf``, ``.owl``, ``.xml``). Named graphs in TriG/N-Quads are merged into the one
graph.

Safety: RDF/XML with a DTD that declares entities ("billion laughs") is refused before
parsing, and JSON-LD that needs a remote ``@context`` is refused (nothing is fetched).

Nothing is dropped silently: a folder with no RDF file in it is an error, and so is a JSON-LD
node whose ``@id`` is not a valid IRI (JSON-LD processors skip such nodes), reported with its
line and column as for Turtle. An empty file (nothing but white space), whatever its syntax, is
valid and holds no triple.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import MissingInputError, RDFSyntaxError, UnsafeInputError
from ..resources import default_data_files, ontology_files

if TYPE_CHECKING:  # rdflib is imported where a graph is made: finding and reading files does not need it
    from rdflib import Graph
    from rdflib.store import Store
    from rdflib.term import Node

__all__ = [
    "FORMATS",
    "LoadedGraph",
    "collect_files",
    "input_files",
    "load_graph",
    "make_graph",
    "parse_errors",
    "parse_file",
    "read_source",
]

#: File extension → Oxigraph parser.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

_XML_FORMATS = {ox.RdfFormat.RDF_XML}


@dataclass
class LoadedGraph:
    """The result of :func:`load_graph`.

    Attributes
    ----------
    graph : rdflib.Graph
        Ontology and data, merged.
    files : list of str
        Every file read, in the order read (as given, or relative to the package for built-ins).
    origin : dict
        For every subject, the file that first stated something about it. Validation reports
        use it to say which file to fix.
    """

    graph: Graph
    files: list[str] = field(default_factory=list)
    origin: dict[Node, str] = field(default_factory=dict)


def make_graph(store: str | Store = "default") -> Graph:
    """Create an empty rdflib graph on ``store`` with the project's prefixes bound.

    Parameters
    ----------
    store : str or rdflib.store.Store
        ``"default"``/``"memory"`` for rdflib's in-memory store, ``"oxigraph"`` for the embedded
        Oxigraph store (oxrdflib), another registered rdflib store name, or a store instance.

    Examples
    --------
    >>> g = make_graph()
    >>> len(g)
    0
    >>> dict(g.namespaces())["ckg"]
    rdflib.term.URIRef('https://w3id.org/clusterkg/ontology#')
    """
    from rdflib import Graph

    from ..namespaces import bind_prefixes

    if store == "memory":
        store = "default"
    elif store == "oxigraph":
        store = "Oxigraph"
    return bind_prefixes(Graph(store=store))


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into the RDF files to read.

    A folder contributes every file below it whose extension is in :data:`FORMATS`, sorted by
    path. A file is taken whatever its extension (its format must still be known).

    Raises
    ------
    MissingInputError
        If a path does not exist, or a folder holds no RDF file.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in FORMATS)
            if not found:
                raise MissingInputError(str(raw), f"no RDF files in this folder (looked for "
                                                  f"{' '.join(sorted(FORMATS))})")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise MissingInputError(str(raw))
    return out


_DOCTYPE_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _check_xml(path: Path, data: bytes) -> None:
    """Refuse XML that declares entities or a DTD with external parts, before any parsing."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as DefusedET

    if _DOCTYPE_ENTITY.search(data):
        raise UnsafeInputError(
            str(path), "XML entity declarations are not allowed (possible entity-expansion attack)"
        )
    try:
        DefusedET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeInputError(str(path), f"unsafe XML refused: {exc}") from None
    except DefusedET.ParseError as exc:
        line, col = exc.position
        raise RDFSyntaxError(str(path), line, col + 1, str(exc).split(":")[0]) from None


def _invalid_iri(value: str, base: str) -> str | None:
    """Why ``value`` (an ``@id``) is not a valid IRI once resolved against ``base``; None if it is."""
    from urllib.parse import urljoin

    if value.startswith("_:"):
        return None
    absolute = value if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value) else urljoin(base, value)
    try:
        ox.NamedNode(absolute)
    except ValueError as exc:
        return str(exc)
    return None


def _first_bad_id(node: object, base: str) -> tuple[str, str] | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            if key == "@id" and isinstance(value, str):
                reason = _invalid_iri(value, base)
                if reason:
                    return value, reason
            found = _first_bad_id(value, base)
            if found:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _first_bad_id(item, base)
            if found:
                return found
    return None


def _check_jsonld(display: str, data: bytes, base: str) -> None:
    """Refuse a JSON-LD document with an ``@id`` that is not an IRI (a processor would drop the node)."""
    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text)
    except ValueError:
        return  # the parser reports malformed JSON with its position
    bad = _first_bad_id(doc, base)
    if bad is None:
        return
    value, reason = bad
    line = col = None
    for m in re.finditer(r'"@id"\s*:\s*("(?:[^"\\]|\\.)*")', text):
        try:
            same = json.loads(m.group(1)) == value
        except ValueError:
            continue
        if same:
            line = text.count("\n", 0, m.start(1)) + 1
            col = m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1
            break
    raise RDFSyntaxError(display, line, col, f"@id {value!r} is not a valid IRI ({reason}); "
                                             "the node would be dropped")


def _token_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    rest = lines[line - 1][max(column - 1, 0):].strip()
    return rest.split()[0][:40] if rest else ""


def _syntax_error(path: Path, exc: SyntaxError, data: bytes) -> RDFSyntaxError:
    msg = exc.msg or str(exc)
    # Oxigraph messages read "Parser error at line L column C: reason (file, line L)".
    m = re.search(r":\s*(.*?)(?:\s*\([^()]*, line \d+\))?$", msg)
    reason = m.group(1) if m else msg
    reason = re.sub(r"^Parser error[^:]*:\s*", "", reason)
    line, col = exc.lineno, exc.offset
    pos = re.search(r"line (\d+)(?: between columns (\d+)| column (\d+))", msg)
    if pos:
        line = int(pos.group(1))
        col = int(pos.group(2) or pos.group(3))
    if line is not None and col is not None:
        token = _token_at(data.decode("utf-8", "replace"), line, col)
        if token:
            reason = f"{reason} (at {token!r})"
    return RDFSyntaxError(str(path), line, col, reason)


def read_source(path: Path, display: str) -> tuple[ox.RdfFormat, bytes]:
    """The syntax (from the extension) and bytes of one RDF file, after the safety checks.

    An empty file (white space only) comes back as empty N-Triples, whatever its extension: it
    holds no triple, and every syntax treats it the same.

    Raises
    ------
    UnsafeInputError
        For an unknown extension or XML that declares entities.
    MissingInputError
        If the file cannot be read.
    RDFSyntaxError
        For a JSON-LD ``@id`` that is not a valid IRI.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise UnsafeInputError(display, f"unknown RDF file extension {path.suffix!r} (known: {known})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MissingInputError(display, exc.strerror or "cannot be read") from None
    if not data.strip():
        return ox.RdfFormat.N_TRIPLES, b""
    if fmt in _XML_FORMATS:
        _check_xml(Path(display), data)
    if fmt == ox.RdfFormat.JSON_LD:
        _check_jsonld(display, data, path.resolve().as_uri())
    return fmt, data


@contextmanager
def parse_errors(display: str, data: bytes) -> Iterator[None]:
    """Turn an Oxigraph parser error into :class:`RDFSyntaxError` (``FILE:LINE:COL: message``)."""
    try:
        yield
    except SyntaxError as exc:
        if "remote context" in str(exc).lower() or "LoadDocumentCallback" in str(exc):
            raise UnsafeInputError(
                display, "JSON-LD with a remote @context is refused (nothing is fetched); inline the context"
            ) from None
        raise _syntax_error(Path(display), exc, data) from None
    except ValueError as exc:  # encoding problems and the like
        raise RDFSyntaxError(display, None, None, str(exc)) from None
    except MemoryError as exc:
        m = re.search(r"buffer maximal size of (\d+)", str(exc))
        if not m:
            raise
        limit = int(m.group(1))
        line = next((i for i, text in enumerate(data.split(b"\n"), 1) if len(text) > limit), None)
        raise RDFSyntaxError(display, line, None, f"a single literal or IRI is longer than the parser's limit of "
                                                  f"{limit // (1 << 20)} MiB") from None


def input_files(paths: Iterable[str | Path] = (), *, default_data: bool = True,
                ontology: bool = True) -> list[tuple[str, Path]]:
    """Every file to read, in order, with the name used for it in messages.

    Built-ins are named as in the source tree (``ontology/clusterkg.ttl``, ``data/places.ttl``)
    wherever they are installed; user files as given.
    """
    files: list[tuple[str, Path]] = []
    if ontology:
        files.extend((f"ontology/{f.name}", f) for f in ontology_files())
    if default_data:
        files.extend((f"data/{f.name}", f) for f in default_data_files())
    files.extend((str(f), f) for f in collect_files(paths))
    return files


def _iter_triples(path: Path, display: str) -> Iterator[tuple[Node, Node, Node]]:
    from ..terms import from_ox

    fmt, data = read_source(path, display)
    with parse_errors(display, data):
        quads = list(ox.parse(data, format=fmt, base_iri=path.resolve().as_uri()))
    for q in quads:
        yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))


def parse_file(path: str | Path, graph: Graph, origin: dict[Node, str] | None = None,
               display: str | None = None) -> int:
    """Parse one RDF file into ``graph``; return the number of triples read.

    Parameters
    ----------
    path : str or Path
        The file; its extension picks the syntax (see :data:`FORMATS`).
    graph : rdflib.Graph
        Where the triples go.
    origin : dict, optional
        Filled with subject → ``display`` for subjects not seen before.
    display : str, optional
        The name used in error messages and in ``origin`` (default: ``path`` as given).

    Raises
    ------
    RDFSyntaxError
        ``FILE:LINE:COL: message`` for malformed input.
    UnsafeInputError
        For XML entity declarations or remote JSON-LD contexts.
    MissingInputError
        If the file cannot be read.
    """
    p = Path(path)
    name = display or str(path)
    triples = list(_iter_triples(p, name))
    graph.addN((s, pr, o, graph) for s, pr, o in triples)
    if origin is not None:
        for s, _, _ in triples:
            origin.setdefault(s, name)
    return len(triples)


def load_graph(
    paths: Iterable[str | Path] = (),
    *,
    default_data: bool = True,
    ontology: bool = True,
    store: str | Store = "default",
) -> LoadedGraph:
    """Load the ontology, the built-in data and ``paths`` into one graph.

    Parameters
    ----------
    paths : iterable of str or Path
        Extra files or folders, in any supported RDF syntax.
    default_data : bool
        Include the curated data shipped with clusterkg (``data/*.ttl``).
    ontology : bool
        Include the ontology (``ontology/clusterkg.ttl``).
    store : str or rdflib.store.Store
        The store to load into; see :func:`make_graph`.

    Returns
    -------
    LoadedGraph

    Examples
    --------
    >>> from graph.namespaces import CKG
    >>> loaded = load_graph()
    >>> (CKG.Synergy, None, None) in loaded.graph
    True
    >>> loaded.files[0]
    'ontology/clusterkg.ttl'
    """
    graph = make_graph(store)
    result = LoadedGraph(graph)
    for name, f in input_files(paths, default_data=default_data, ontology=ontology):
        parse_file(f, graph, result.origin, name)
        result.files.append(name)
    return result
