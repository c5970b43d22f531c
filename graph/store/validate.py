"""SHACL validation on a pyoxigraph store, reported as typed results.

The shapes are split by severity (as DCAT-AP does): ``ontology/shapes.ttl`` holds violations,
``ontology/shapes-recommended.ttl`` warnings. A report conforms when it has no violation.

Validation compiles the shapes into SPARQL queries (:mod:`graph.store.shacl`) and runs them on the
store that holds the data, so it costs what Oxigraph's query engine costs: well under a second on
the curated graph, seconds on a million triples. ``docs/validation.md`` compares it with pySHACL
and compiled SHACL engines. :func:`validate_store` is the entry point; :func:`validate_graph` keeps
the older rdflib-based call working by copying the graph into a store.

Examples
--------
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.load(b'''
... @prefix ckg: <https://w3id.org/clusterkg/ontology#> .
... <https://w3id.org/clusterkg/id/x> a ckg:Region .
... ''', format=ox.RdfFormat.TURTLE)
>>> report = validate_store(store, warnings=False)
>>> report.conforms
False
>>> print(report.results[0].line()[:60])
Violation: ckr:x: a ckg:Region must be identified by its NUT
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from ..namespaces import curie
from ..resources import shape_files
from ..textsafe import escape_controls, json_safe
from .load import LoadedGraph
from .shacl import Check, Hit, UnsupportedShapeError, compile_shapes, run_checks

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "shape_checks",
    "validate_addition",
    "validate_graph",
    "validate_store",
]

_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result.

    Attributes
    ----------
    severity : str
        ``"Violation"``, ``"Warning"`` or ``"Info"``.
    source_file : str
        The file that states the focus node ("" if unknown).
    focus : str
        The focus node, as a CURIE or IRI.
    focus_label : str
        Its English label, if it has one.
    path : str
        The property path the result is about, as a CURIE ("" for node-level results).
    message : str
        What is wrong.
    value : str
        The offending value, if any.
    """

    severity: str
    source_file: str
    focus: str
    focus_label: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        """One readable line: ``file: severity: focus (label) path: message`` (control characters
        escaped)."""
        where = f"{self.source_file}: " if self.source_file else ""
        label = f" ({self.focus_label})" if self.focus_label else ""
        path = f" {self.path}" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return escape_controls(f"{where}{self.severity}: {self.focus}{label}{path}: {self.message}{value}")


@dataclass
class ValidationReport:
    """All results of one validation run, sorted (violations first, then by file and focus)."""

    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings allowed)."""
        return self.count("Violation") == 0

    def count(self, severity: str) -> int:
        """Number of results of ``severity``."""
        return sum(1 for r in self.results if r.severity == severity)

    def text(self) -> str:
        """A readable report: a summary line, then one line per result (control characters escaped)."""
        head = (
            f"{'CONFORMS' if self.conforms else 'DOES NOT CONFORM'}: "
            f"{self.count('Violation')} violation(s), {self.count('Warning')} warning(s)"
        )
        return "\n".join([head, *(r.line() for r in self.results)]) + "\n"

    def to_json(self) -> str:
        """The report as JSON: ``{"conforms", "violations", "warnings", "results": [...]}``."""
        doc = {
            "conforms": self.conforms,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "results": [asdict(r) for r in self.results],
        }
        return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"

    def to_cache(self) -> str:
        """The report in the compact form the cache keeps (one JSON array of 7 strings per result;
        :meth:`to_json` is the readable form)."""
        rows = [(r.severity, r.source_file, r.focus, r.focus_label, r.path, r.message, r.value) for r in self.results]
        return json.dumps({"format": 1, "results": rows}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_cache(cls, text: str) -> ValidationReport:
        """Read :meth:`to_cache`'s output back; ``ValueError`` when it is not such a report.

        >>> r = ValidationReport([ValidationResult("Violation", "a.ttl", "ckr:x", "X", "rdfs:label", "no label")])
        >>> ValidationReport.from_cache(r.to_cache()) == r
        True
        """
        doc = json.loads(text)
        if doc["format"] != 1:
            raise ValueError("a report of another format")
        width = len(fields(ValidationResult))
        results = []
        for item in doc["results"]:
            if not isinstance(item, list) or len(item) != width or not all(isinstance(v, str) for v in item):
                raise ValueError("not a validation result")
            results.append(ValidationResult(*item))
        return cls(results)


def report_version(*, warnings: bool = True) -> str:
    """Hash of what a whole-dataset report depends on besides the data: the shape files, the code
    that compiles and runs them, and ``warnings`` (part of the name a report is kept under)."""
    import hashlib

    h = hashlib.sha256(f"warnings={warnings}".encode())
    for f in (*shape_files().values(), Path(__file__), Path(__file__).with_name("shacl.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def load_shapes(severities: tuple[str, ...] = ("violation", "warning", "actors")) -> Graph:
    """The shapes graph of the given shape files (``"violation"``, ``"warning"``, ``"actors"``), as rdflib."""
    g = Graph()
    files = shape_files()
    for sev in severities:
        g.parse(Path(files[sev]), format="turtle")
    return g


@lru_cache(maxsize=8)
def _compiled(files: tuple[tuple[str, bytes], ...]) -> tuple[Check, ...]:
    store = ox.Store()
    for name, data in files:
        store.load(data, format=ox.RdfFormat.TURTLE, base_iri=Path(name).resolve().as_uri())
    return tuple(compile_shapes(store))


def shape_checks(shapes: Iterable[str | Path] | None = None, *, warnings: bool = True) -> tuple[Check, ...]:
    """The compiled checks of ``shapes`` (default: the project's shape files), cached by content.

    Parameters
    ----------
    shapes : iterable of path, optional
        Turtle files of SHACL shapes; by default ``shapes.ttl`` and ``shapes-recommended.ttl``.
    warnings : bool
        Keep the checks of severity Warning and Info (else only Violation).

    Examples
    --------
    >>> checks = shape_checks(warnings=False)
    >>> {c.severity for c in checks}
    {'Violation'}
    """
    paths = [Path(p) for p in shapes] if shapes is not None else list(shape_files().values())
    checks = _compiled(tuple((str(p), p.read_bytes()) for p in paths))
    return checks if warnings else tuple(c for c in checks if c.severity == "Violation")


def _term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    return term.value  # a literal's lexical form, a blank node's id


def _origin_key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _path_text(hit: Hit) -> str:
    if hit.path is not None:
        return curie(hit.path.value)
    check = hit.check
    if check.path_iri:
        return ("^" if check.inverse else "") + curie(check.path_iri)
    return check.path


class _Labels:
    """English labels of focus nodes: looked up once each, and after :data:`BULK_LABELS` lookups
    read all at once with one scan of every label (the same labels, far fewer calls when a large
    graph has many results)."""

    def __init__(self, store: ox.Store, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> None:
        self.store = store
        self.graph = graph
        self.cache: dict[ox.NamedNode | ox.BlankNode | ox.Literal, str] = {}
        self.table: dict[ox.NamedNode | ox.BlankNode | ox.Literal, str] | None = None

    def __call__(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        if self.table is not None:
            return self.table.get(node, "")
        if node in self.cache:
            return self.cache[node]
        best = ""
        if not isinstance(node, ox.Literal):
            best = _best_label(q.object for q in self.store.quads_for_pattern(node, _LABEL, None, self.graph))
        self.cache[node] = best
        if len(self.cache) > BULK_LABELS:
            self.table = self.read_all()
        return best

    def read_all(self) -> dict[ox.NamedNode | ox.BlankNode | ox.Literal, str]:
        """The label of every node that has one."""
        found: dict[Any, list[Any]] = {}
        for q in self.store.quads_for_pattern(None, _LABEL, None, self.graph):
            found.setdefault(q.subject, []).append(q.object)
        return {node: _best_label(labels) for node, labels in found.items()}


def _best_label(labels: Iterable[Any]) -> str:
    """The first English label, else the first label (in the store's order)."""
    best = ""
    for lab in labels:
        if isinstance(lab, ox.Literal):
            if lab.language == "en":
                return lab.value
            best = best or lab.value
    return best


#: Above this many focus nodes :func:`validate_store` reads every label at once.
BULK_LABELS = 5_000


def validate_store(
    store: ox.Store,
    *,
    origin: Callable[[str], str] | None = None,
    warnings: bool = True,
    focus: Iterable[str] | None = None,
    shapes: Iterable[str | Path] | None = None,
    graph: ox.NamedNode | ox.BlankNode | None = None,
    focus_in_query: bool | None = None,
) -> ValidationReport:
    """Validate the data in ``store`` against the project's SHACL shapes.

    Parameters
    ----------
    store : pyoxigraph.Store
        Ontology and data in the default graph (the ontology's ``rdfs:subClassOf`` axioms are used
        by ``sh:targetClass`` and ``sh:class``).
    origin : callable, optional
        ``origin(iri)`` names the file a focus node comes from (blank nodes are passed as
        ``"_:id"``); its answer becomes :attr:`ValidationResult.source_file`.
    warnings : bool
        Also check the recommended shapes (severity Warning).
    focus : iterable of str, optional
        Validate only these focus nodes (IRIs), e.g. the subjects of the files that changed.
        Shapes look at neighbours too (``sh:class`` of a linked node, inverse paths, dangling
        references), so a change in one file can break a node stated in another: pass the
        changed subjects *and* the nodes that link to them, or validate everything.
    shapes : iterable of path, optional
        Other shape files (Turtle) instead of the project's.
    graph : pyoxigraph.NamedNode or BlankNode, optional
        Read the data from this named graph instead of the default graph.
    focus_in_query : bool, optional
        How ``focus`` restricts the checks (:func:`graph.store.shacl.run_checks`); the results
        are the same either way.

    Returns
    -------
    ValidationReport

    Raises
    ------
    graph.store.shacl.UnsupportedShapeError
        If a shape uses a SHACL feature the compiler does not implement.
    """
    checks = shape_checks(shapes, warnings=warnings)
    data_graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph = graph if graph is not None else ox.DefaultGraph()
    labels = _Labels(store, data_graph)
    files: dict[ox.NamedNode | ox.BlankNode | ox.Literal, str] = {}
    seen: set[tuple[str, ...]] = set()
    results: list[ValidationResult] = []
    for hit in run_checks(store, checks, focus=focus, graph=graph, focus_in_query=focus_in_query):
        focus_node = hit.focus
        if focus_node not in files:
            files[focus_node] = origin(_origin_key(focus_node)) if origin is not None else ""
        result = ValidationResult(
            severity=hit.check.severity,
            source_file=files[focus_node],
            focus=_term_text(focus_node),
            focus_label=labels(focus_node),
            path=_path_text(hit),
            message=_fill(hit),
            value=_term_text(hit.value) if hit.value is not None else "",
        )
        key = (hit.check.shape, hit.check.component, result.focus, result.path, result.value)
        if key not in seen:  # one result per shape, constraint, focus and value (as SHACL has it)
            seen.add(key)
            results.append(result)
    results.sort(key=lambda r: (_ORDER.get(r.severity, 3), r.source_file, r.focus, r.path, r.message, r.value))
    return ValidationReport(results)


def _fill(hit: Hit) -> str:
    """The message with SHACL's ``{$this}``/``{?value}`` placeholders filled in."""
    message = hit.check.message
    if "{" not in message:
        return message
    for names, term in ((("$this", "?this"), hit.focus), (("$value", "?value"), hit.value)):
        for name in names:
            message = message.replace("{" + name + "}", _term_text(term) if term is not None else "")
    return message


def validate_graph(loaded: LoadedGraph, *, warnings: bool = True) -> ValidationReport:
    """Validate an rdflib graph: copy it into a pyoxigraph store and call :func:`validate_store`.

    Parameters
    ----------
    loaded : LoadedGraph
        Ontology and data (the ontology's subclass axioms are used by ``sh:class``).
    warnings : bool
        Also check the recommended shapes (severity Warning).

    Returns
    -------
    ValidationReport
    """
    from .oxstore import store_from_graph

    local = store_from_graph(loaded.graph)
    origins = loaded.origin

    def origin(key: str) -> str:
        node = BNode(key[2:]) if key.startswith("_:") else URIRef(key)
        return origins.get(node, "")

    return validate_store(local.store, origin=origin, warnings=warnings, graph=local.default_graph)


# Constraint components that look at a focus node's values and at the values' types only (one step).
_ONE_STEP = {"Class", "Datatype", "NodeKind", "MinCount", "MaxCount", "MinInclusive", "MaxInclusive",
             "MinExclusive", "MaxExclusive", "MinLength", "MaxLength", "Pattern", "LanguageIn", "UniqueLang",
             "In", "HasValue", "QualifiedMinCount", "QualifiedMaxCount"}


def _iris(store: ox.Store, query: str) -> set[str]:
    return {row[0].value for row in store.query(query) if isinstance(row[0], ox.NamedNode)}  # type: ignore[union-attr]


def validate_addition(
    base: ox.Store,
    added: ox.Store,
    *,
    focus: Iterable[str] | None = None,
    nodes: Iterable[str] | None = None,
    shapes: Iterable[str | Path] | None = None,
    warnings: bool = True,
    origin: Callable[[str], str] | None = None,
) -> ValidationReport:
    """Validate what ``added`` adds to ``base``: its nodes as they will be in the union of both.

    This is :func:`validate_store` on the union, restricted to the nodes the addition states
    facts about, without copying ``base`` (a dataset of millions of triples, opened read-only):
    the part of ``base`` the checks read is copied into ``added`` (which is changed), namely
    every triple ``base`` states about a focus node, the triples that point at a focus node along
    an inverse path of the shapes, the types of every node these and the addition point at, and
    the class hierarchy. So a node ``base`` already defines keeps its facts (a label it has
    there counts), a link to a node of ``base`` is checked against that node's classes, and
    ``base``'s own nodes are not validated again. A result that ``base`` alone already has on a
    focus node (a dangling link of an earlier import, say) is left out: it is not the addition's,
    and validating ``base`` reports it.

    Parameters
    ----------
    base : pyoxigraph.Store
        The graph the addition goes into (ontology and data in the default graph), read only.
    added : pyoxigraph.Store
        The new triples, in the default graph (a writable store, e.g. in memory).
    focus : iterable of str, optional
        The nodes to validate (IRIs); default: every subject of ``added``.
    nodes : iterable of str, optional
        The IRIs of ``added`` that ``base`` may know (subjects and objects); default: every IRI
        of ``added``. Only these are looked up in ``base``: a caller that knows which of them
        ``base`` defines passes just those.
    shapes, warnings, origin
        As for :func:`validate_store`.

    Returns
    -------
    ValidationReport
        The results the addition brings to the focus nodes.

    Raises
    ------
    graph.store.shacl.UnsupportedShapeError
        If a shape looks further than one step from its focus node (``sh:node``, ``sh:or``, ...,
        SPARQL constraints, paths longer than one predicate): the copied part of ``base`` would
        not be enough to check it.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from graph.store.dataset import Dataset
    >>> added = ox.Store()
    >>> added.load(b'''
    ... @prefix ckg: <https://w3id.org/clusterkg/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
    ... @prefix ckr: <https://w3id.org/clusterkg/id/> . @prefix src: <https://w3id.org/clusterkg/source/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... ckr:org-x a ckg:Organisation ; rdfs:label "X"@en ; ckg:locatedIn ckg:Nowhere ;
    ...     prov:wasDerivedFrom src:seed-title .
    ... ckr:org-y a ckg:Organisation ; rdfs:label "Y"@en ; prov:wasDerivedFrom src:seed-title ;
    ...     ckg:locatedIn <http://publications.europa.eu/resource/authority/country/DEU> .
    ... ''', format=ox.RdfFormat.TURTLE)
    >>> from graph.resources import shape_files
    >>> report = validate_addition(Dataset(use_cache=False).store, added, shapes=[shape_files()["actors"]])
    >>> [(r.focus, r.path, r.value) for r in report.results]
    [('ckr:org-x', 'ckg:locatedIn', 'ckg:Nowhere')]
    """
    checks = shape_checks(shapes, warnings=warnings)
    deep = sorted({c.component for c in checks
                   if c.component.removesuffix("ConstraintComponent") not in _ONE_STEP or (c.path and not c.path_iri)})
    if deep:
        raise UnsupportedShapeError(f"validating an addition supports shapes that look one step from their focus "
                                    f"node; these do not: {', '.join(deep)}")
    wanted = set(focus) if focus is not None else _iris(added, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    known = set(nodes) if nodes is not None else _iris(
        added, "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } }")
    inverse = sorted({c.path_iri for c in checks if c.inverse})
    graph = ox.DefaultGraph()
    copied: list[ox.Quad] = []
    ends: set[ox.NamedNode | ox.BlankNode] = set()
    stated: set[str] = set()  # focus nodes base states facts about
    for iri in sorted(known):
        node = ox.NamedNode(iri)
        if iri not in wanted:  # a node the addition points at: its types
            copied.extend(base.quads_for_pattern(node, _TYPE, None, graph))
            continue
        for q in base.quads_for_pattern(node, None, None, graph):
            copied.append(q)
            stated.add(iri)
            if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                ends.add(q.object)
        for p in inverse:
            for q in base.quads_for_pattern(None, ox.NamedNode(p), node, graph):
                copied.append(q)
                ends.add(q.subject)  # type: ignore[arg-type]
    for end in sorted(ends, key=str):
        if not (isinstance(end, ox.NamedNode) and end.value in known):
            copied.extend(base.quads_for_pattern(end, _TYPE, None, graph))
    copied.extend(base.quads_for_pattern(None, _SUBCLASS, None, graph))
    quads = [ox.Quad(q.subject, q.predicate, q.object) for q in copied]
    added.extend(quads)
    # ``added`` holds little besides the focus nodes: checking every target there and keeping the
    # focus nodes' results is many times faster than putting thousands of them into every query
    report = validate_store(added, origin=origin, warnings=warnings, focus=wanted, shapes=shapes,
                            focus_in_query=False)
    if not stated or not report.results:
        return report
    # What base already breaks on these nodes is base's problem, reported by validating base.
    alone = ox.Store()
    alone.extend(quads)
    before = {_key(r) for r in validate_store(alone, warnings=warnings, focus=stated, shapes=shapes,
                                              focus_in_query=False).results}
    return ValidationReport([r for r in report.results if _key(r) not in before])


def _key(r: ValidationResult) -> tuple[str, str, str, str, str]:
    return r.severity, r.focus, r.path, r.message, r.value
