"""SHACL shapes compiled to SPARQL and checked on a pyoxigraph store.

:func:`compile_shapes` reads a shapes graph and turns every constraint of every shape that has a
target into one SPARQL ``SELECT`` query (a :class:`Check`). The query returns one row per
validation result: the focus node ``?this``, the offending ``?value`` when the constraint has one,
and, for SPARQL-based constraints, the ``?path`` they report. :func:`run_checks` runs them on a
:class:`pyoxigraph.Store`, so validation costs what Oxigraph's query engine costs (seconds on a
million triples) instead of what a Python SHACL engine costs over an rdflib graph (minutes).

The queries are *generated from the shapes graph*, never written by hand per shape. Supported:

- targets: ``sh:targetClass`` (with ``rdfs:subClassOf*``), ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets (a shape that is an
  ``rdfs:Class``/``owl:Class``) and SHACL-AF ``sh:SPARQLTarget`` (``sh:select`` with
  ``sh:prefixes``);
- paths: a predicate, ``sh:inversePath``, sequence lists, ``sh:alternativePath``,
  ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
- constraints: ``sh:class``, ``sh:datatype`` (ill-formed literals fail it), ``sh:nodeKind``,
  ``sh:minCount``, ``sh:maxCount``, ``sh:minInclusive``, ``sh:maxInclusive``,
  ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern``
  (with ``sh:flags``), ``sh:languageIn``, ``sh:uniqueLang``, ``sh:in``, ``sh:hasValue``,
  ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``, ``sh:qualifiedMinCount`` and
  ``sh:qualifiedMaxCount`` (with ``sh:qualifiedValueShape``), and SPARQL-based constraints
  (``sh:sparql`` with ``sh:select``, ``$this`` and ``$PATH``);
- ``sh:severity``, ``sh:message``, ``sh:deactivated``.

Anything else (``sh:closed``, ``sh:equals``, ``sh:lessThan``, custom constraint components,
``sh:qualifiedValueShapesDisjoint``, ...) raises :class:`UnsupportedShapeError` when the shapes are
compiled: a constraint is never silently skipped.

Examples
--------
>>> import pyoxigraph as ox
>>> shapes = '''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
... ex:S a sh:NodeShape ; sh:targetClass ex:Person ;
...     sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "needs a name" ] .
... '''
>>> checks = compile_shapes(shapes)
>>> [(c.component, c.path, c.message) for c in checks]
[('MinCountConstraintComponent', '<http://example.org/name>', 'needs a name')]
>>> data = ox.Store()
>>> data.load(b"<http://example.org/bob> a <http://example.org/Person> .", format=ox.RdfFormat.TURTLE)
>>> [(hit.focus.value, hit.check.message) for hit in run_checks(data, checks)]
[('http://example.org/bob', 'needs a name')]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError

__all__ = [
    "FOCUS_IN_QUERY",
    "SUPPORTED_COMPONENTS",
    "SUPPORTED_TARGETS",
    "Check",
    "Hit",
    "UnsupportedShapeError",
    "compile_shapes",
    "run_checks",
]

SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

_TYPE = ox.NamedNode(_RDF + "type")
_FIRST = ox.NamedNode(_RDF + "first")
_REST = ox.NamedNode(_RDF + "rest")
_NIL = ox.NamedNode(_RDF + "nil")
_TRUE = ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))

#: Constraint parameters this compiler understands (local names in the ``sh:`` namespace).
SUPPORTED_COMPONENTS = (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
    "in", "hasValue", "node", "not", "and", "or", "xone", "qualifiedMinCount", "qualifiedMaxCount", "sparql",
    "property",
)
#: Target kinds this compiler understands.
SUPPORTED_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")

# Parameters that are read together with another one (not constraints on their own).
_COMPANIONS = {"flags", "qualifiedValueShape", "qualifiedValueShapesDisjoint"}
# Every other sh: predicate a shape may carry that is not a constraint.
_NON_CONSTRAINTS = {
    "path", "message", "severity", "deactivated", "name", "description", "order", "group",
    "defaultValue", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target",
    "declare", "prefixes", "rule", "shapesGraph", "suggestedShapesGraph", "entailment",
}
# Parameters of shapes known to SHACL that this compiler does not implement.
_UNSUPPORTED = {
    "closed", "ignoredProperties", "equals", "disjoint", "lessThan", "lessThanOrEquals",
    "qualifiedValueShapesDisjoint",
}

# Datatypes whose lexical space Oxigraph checks when casting: "March 2020"^^xsd:date casts to
# nothing, so such a literal fails sh:datatype xsd:date (as SHACL requires for ill-formed literals).
_CHECKED_DATATYPES = {
    _XSD + name
    for name in ("boolean", "decimal", "integer", "double", "float", "date", "dateTime", "time",
                 "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth",
                 "gMonth", "gMonthDay", "gDay")
}

_SEVERITIES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}


class UnsupportedShapeError(InputError):
    """A shape uses a SHACL feature the SPARQL compiler does not implement (or is malformed)."""


@dataclass(frozen=True)
class Check:
    """One generated SPARQL query: the results of one constraint of one shape.

    Attributes
    ----------
    shape : str
        The shape that holds the constraint, in N-Triples syntax (``_:b0`` for a blank node).
    component : str
        The SHACL constraint component, e.g. ``"MinCountConstraintComponent"``.
    severity : str
        ``"Violation"``, ``"Warning"`` or ``"Info"`` (the holding shape's ``sh:severity``).
    message : str
        The holding shape's (or SPARQL constraint's) ``sh:message``, or a generated one.
    path : str
        The holding property shape's path in SPARQL syntax, "" for a node shape.
    query : str
        ``SELECT ?this ?value ...``: one row per result (``?value`` unbound when the constraint
        names no value; ``?path`` may be bound by SPARQL-based constraints).
    path_iri : str
        The IRI of a predicate path, "" otherwise (used to render the path compactly).
    inverse : bool
        True when the path is ``sh:inversePath`` of the predicate ``path_iri``.
    value_is_focus : bool
        True for node-level constraints whose offending value is the focus node itself.
    scan_query : str
        The same results as :attr:`query` when every target is checked, or "" when the
        constraint has no such form: the constraint's property is scanned on its own and
        hash-joined with (or subtracted from) the target nodes, instead of being looked up node
        by node. On a million triples this is several times faster for properties that few
        targets have; :func:`run_checks` uses it when no focus nodes go into the query.
    """

    shape: str
    component: str
    severity: str
    message: str
    path: str
    query: str
    path_iri: str = ""
    inverse: bool = False
    value_is_focus: bool = False
    scan_query: str = ""


@dataclass(frozen=True)
class Hit:
    """One validation result found by :func:`run_checks`.

    Attributes
    ----------
    check : Check
        The check that found it (severity, message, path).
    focus : pyoxigraph term
        The focus node.
    value : pyoxigraph term or None
        The offending value, if any.
    path : pyoxigraph.NamedNode or None
        The path a SPARQL-based constraint bound to ``?path``, if any.
    """

    check: Check
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    path: ox.NamedNode | None = None


# --------------------------------------------------------------------------------------------
# Reading the shapes graph
# --------------------------------------------------------------------------------------------

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _ShapesGraph:
    """Read access to a shapes graph held in a pyoxigraph store (default graph)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, s: Term, p: str) -> list[Term]:
        pred = ox.NamedNode(p)
        out: list[Term] = []
        for q in self.store.quads_for_pattern(s, pred, None, ox.DefaultGraph()):  # type: ignore[arg-type]
            if isinstance(q.object, ox.NamedNode | ox.BlankNode | ox.Literal):
                out.append(q.object)
        return out

    def value(self, s: Term, p: str) -> Term | None:
        values = self.objects(s, p)
        return values[0] if values else None

    def subjects(self, p: str, o: Term | None = None) -> list[Term]:
        pred = ox.NamedNode(p)
        return [q.subject for q in self.store.quads_for_pattern(None, pred, o, ox.DefaultGraph())]  # type: ignore[misc]

    def predicates(self, s: Term) -> list[ox.NamedNode]:
        return [q.predicate for q in self.store.quads_for_pattern(s, None, None, ox.DefaultGraph())]  # type: ignore[arg-type]

    def items(self, head: Term) -> list[Term]:
        """The members of the RDF list starting at ``head``."""
        out: list[Term] = []
        node: Term | None = head
        seen = set()
        while node is not None and node != _NIL:
            if node in seen:
                raise UnsupportedShapeError(f"cyclic RDF list at {node}")
            seen.add(node)
            first = self.value(node, _RDF + "first")
            if first is None:
                raise UnsupportedShapeError(f"malformed RDF list at {node}")
            out.append(first)
            node = self.value(node, _RDF + "rest")
        return out

    def is_list(self, node: Term) -> bool:
        return node == _NIL or self.value(node, _RDF + "first") is not None


def _read_shapes(shapes: ox.Store | str | bytes | Path | Iterable[Path]) -> ox.Store:
    if isinstance(shapes, ox.Store):
        return shapes
    store = ox.Store()
    if isinstance(shapes, str | bytes):
        store.load(shapes, format=ox.RdfFormat.TURTLE)
        return store
    paths = [shapes] if isinstance(shapes, Path) else list(shapes)
    for p in paths:
        store.load(path=str(p), format=ox.RdfFormat.TURTLE, base_iri=Path(p).resolve().as_uri())
    return store


# --------------------------------------------------------------------------------------------
# SPARQL text of terms and paths
# --------------------------------------------------------------------------------------------


def _sparql_term(t: Term) -> str:
    if isinstance(t, ox.BlankNode):
        raise UnsupportedShapeError("a blank node cannot be a constraint value (sh:hasValue, sh:in, ...)")
    return str(t)  # N-Triples syntax is valid SPARQL


def _string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _literal_int(t: Term | None, what: str) -> int:
    if not isinstance(t, ox.Literal):
        raise UnsupportedShapeError(f"{what} must be an integer literal")
    try:
        return int(t.value)
    except ValueError:
        raise UnsupportedShapeError(f"{what} must be an integer, not {t.value!r}") from None


# --------------------------------------------------------------------------------------------
# The compiler
# --------------------------------------------------------------------------------------------


@dataclass
class _Compiler:
    g: _ShapesGraph
    counter: int = 0
    prefixes: dict[str, str] = field(default_factory=dict)

    def var(self) -> str:
        self.counter += 1
        return f"?shacl_v{self.counter}"

    # ---- paths ---------------------------------------------------------------------------

    def path(self, node: Term) -> str:
        """SPARQL property-path syntax of a SHACL path."""
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        if isinstance(node, ox.Literal):
            raise UnsupportedShapeError(f"a literal is not a path: {node}")
        if self.g.is_list(node):
            parts = [self.path(x) for x in self.g.items(node)]
            if len(parts) < 2:
                raise UnsupportedShapeError("a sequence path needs at least two members")
            return "(" + "/".join(parts) + ")"
        for pred, fmt in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"),
                          ("zeroOrOnePath", "{}?")):
            inner = self.g.value(node, SH + pred)
            if inner is not None:
                sub = self.path(inner)
                return "(" + fmt.format(sub if isinstance(inner, ox.NamedNode) else f"({sub})") + ")"
        alt = self.g.value(node, SH + "alternativePath")
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in self.g.items(alt)) + ")"
        raise UnsupportedShapeError(f"unsupported SHACL path {node}")

    # ---- prefixes for SPARQL-based parts --------------------------------------------------

    def declare_prefixes(self, node: Term) -> None:
        for decl_owner in self.g.objects(node, SH + "prefixes"):
            for decl in self.g.objects(decl_owner, SH + "declare"):
                prefix = self.g.value(decl, SH + "prefix")
                ns = self.g.value(decl, SH + "namespace")
                if isinstance(prefix, ox.Literal) and isinstance(ns, ox.Literal | ox.NamedNode):
                    self.prefixes[prefix.value] = ns.value

    def prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))

    # ---- targets --------------------------------------------------------------------------

    def targets(self, shape: Term) -> list[str]:
        """Group graph patterns that bind ``?this`` to each focus node of ``shape``."""
        out: list[str] = []
        for c in self.g.objects(shape, SH + "targetClass"):
            out.append(f"?this <{_RDF}type>/<{_RDFS}subClassOf>* {_sparql_term(c)} .")
        types = {t.value for t in self.g.objects(shape, _RDF + "type") if isinstance(t, ox.NamedNode)}
        if types & {_RDFS + "Class", _OWL + "Class"}:
            out.append(f"?this <{_RDF}type>/<{_RDFS}subClassOf>* {_sparql_term(shape)} .")
        nodes = self.g.objects(shape, SH + "targetNode")
        if nodes:
            out.append("VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " }")
        for p in self.g.objects(shape, SH + "targetSubjectsOf"):
            out.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?this {_sparql_term(p)} ?shacl_any . }} }}")
        for p in self.g.objects(shape, SH + "targetObjectsOf"):
            out.append(f"{{ SELECT DISTINCT ?this WHERE {{ ?shacl_any {_sparql_term(p)} ?this . }} }}")
        for t in self.g.objects(shape, SH + "target"):
            select = self.g.value(t, SH + "select")
            if not isinstance(select, ox.Literal):
                raise UnsupportedShapeError(f"only SPARQL targets (sh:select) are supported as sh:target ({t})")
            self.declare_prefixes(t)
            out.append("{ " + select.value.strip() + " }")
        return out

    # ---- conformance of a value node to a shape (nested shapes) ---------------------------

    def violation_patterns(self, shape: Term, focus: str) -> list[str]:
        """Group graph patterns, each matching (with ``focus`` bound) iff ``focus`` violates one
        constraint of ``shape``."""
        if self.g.value(shape, SH + "deactivated") == _TRUE:
            return []
        pats: list[str] = []
        for local, arg in self.constraints(shape):
            pat, _value, _key = self.constraint_pattern(shape, local, arg, focus, value_var=self.var())
            pats.append(pat)
        for prop in self.g.objects(shape, SH + "property"):
            if self.g.value(prop, SH + "deactivated") == _TRUE:
                continue
            for local, arg in self.constraints(prop):
                pat, _value, _key = self.constraint_pattern(prop, local, arg, focus, value_var=self.var())
                pats.append(pat)
            if self.g.objects(prop, SH + "property"):
                raise UnsupportedShapeError(f"sh:property inside a property shape ({prop}) is not supported")
        return pats

    def conforms(self, shape: Term, node: str) -> str:
        """A SPARQL boolean expression: ``node`` conforms to ``shape``."""
        pats = self.violation_patterns(shape, node)
        if not pats:
            return "true"
        union = " UNION ".join("{ " + p + " }" for p in pats)
        return f"NOT EXISTS {{ {union} }}"

    # ---- constraints ----------------------------------------------------------------------

    def constraints(self, shape: Term) -> list[tuple[str, Term]]:
        """The constraints a shape declares, as ``(parameter local name, value)``, in a fixed order."""
        out: list[tuple[str, Term]] = []
        for pred in sorted({p.value for p in self.g.predicates(shape)}):
            if not pred.startswith(SH):
                continue
            local = pred[len(SH):]
            if local in _NON_CONSTRAINTS or local in _COMPANIONS or local == "property":
                if local == "qualifiedValueShapesDisjoint" and self.g.value(shape, pred) == _TRUE:
                    raise UnsupportedShapeError("sh:qualifiedValueShapesDisjoint is not supported")
                continue
            if local in _UNSUPPORTED or local not in SUPPORTED_COMPONENTS:
                raise UnsupportedShapeError(f"sh:{local} (on shape {shape}) is not supported by the SPARQL compiler")
            for value in sorted(self.g.objects(shape, pred), key=str):
                out.append((local, value))
        return out

    def value_expression(self, local: str, arg: Term, shape: Term, v: str) -> str:
        """A boolean SPARQL expression: value node ``v`` satisfies the constraint."""
        if local == "class":
            return f"EXISTS {{ {v} <{_RDF}type>/<{_RDFS}subClassOf>* {_sparql_term(arg)} . }}"
        if local == "datatype":
            if not isinstance(arg, ox.NamedNode):
                raise UnsupportedShapeError("sh:datatype needs an IRI")
            if arg.value == _RDF + "langString":
                return f"(isLiteral({v}) && LANG({v}) != \"\")"
            ok = f"(isLiteral({v}) && LANG({v}) = \"\" && DATATYPE({v}) = <{arg.value}>"
            if arg.value in _CHECKED_DATATYPES:
                ok += f" && isLiteral(COALESCE(<{arg.value}>({v}), <urn:shacl:ill-formed>))"
            return ok + ")"
        if local == "nodeKind":
            kinds = {
                "IRI": f"isIRI({v})", "BlankNode": f"isBlank({v})", "Literal": f"isLiteral({v})",
                "BlankNodeOrIRI": f"!isLiteral({v})", "BlankNodeOrLiteral": f"!isIRI({v})",
                "IRIOrLiteral": f"!isBlank({v})",
            }
            name = arg.value[len(SH):] if isinstance(arg, ox.NamedNode) and arg.value.startswith(SH) else ""
            if name not in kinds:
                raise UnsupportedShapeError(f"unknown sh:nodeKind {arg}")
            return kinds[name]
        if local in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[local]
            return f"({v} {op} {_sparql_term(arg)})"
        if local in ("minLength", "maxLength"):
            n = _literal_int(arg, f"sh:{local}")
            op = ">=" if local == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {n})"
        if local == "pattern":
            flags = self.g.value(shape, SH + "flags")
            flag_arg = f", {_string(flags.value)}" if isinstance(flags, ox.Literal) else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {_string(arg.value)}{flag_arg}))"
        if local == "languageIn":
            tags = [t.value for t in self.g.items(arg) if isinstance(t, ox.Literal)]
            if not tags:
                return "false"
            alts = " || ".join(f"langMatches(LANG({v}), {_string(t)})" for t in tags)
            return f"(isLiteral({v}) && ({alts}))"
        if local == "in":
            allowed = self.g.items(arg)
            if not allowed:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_sparql_term(m)})" for m in allowed) + ")"
        if local == "hasValue":  # node-level form: the focus node is the value
            return f"sameTerm({v}, {_sparql_term(arg)})"
        if local == "node":
            return self.conforms(arg, v)
        if local == "not":
            return f"!({self.conforms(arg, v)})"
        if local in ("and", "or", "xone"):
            members = [self.conforms(s, v) for s in self.g.items(arg)]
            if not members:
                return "true" if local == "and" else "false"
            if local == "and":
                return "(" + " && ".join(f"({m})" for m in members) + ")"
            if local == "or":
                return "(" + " || ".join(f"({m})" for m in members) + ")"
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"
        raise UnsupportedShapeError(f"sh:{local} is not supported here")

    def distinct_values(self, focus: str, path: str, n: int, conforming: Callable[[str], str] | None) -> str:
        """A pattern matching ``n`` pairwise-distinct values of ``focus``'s ``path`` (that conform)."""
        vs = [self.var() for _ in range(n)]
        parts = [f"{focus} {path} {x} ." for x in vs]
        conds = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1:]]
        if conforming is not None:
            conds += [f"({conforming(x)})" for x in vs]
        if conds:
            parts.append("FILTER(" + " && ".join(conds) + ")")
        return " ".join(parts)

    def constraint_pattern(self, shape: Term, local: str, arg: Term, focus: str,
                           value_var: str) -> tuple[str, str | None, str | None]:
        """``(pattern, value variable or None, key variable or None)`` for one constraint of ``shape``
        at ``focus``: the pattern has one solution per result."""
        path_node = self.g.value(shape, SH + "path")
        if local == "sparql":
            raise UnsupportedShapeError("SPARQL-based constraints are only supported on shapes with targets")
        if path_node is None:  # node shape: the focus node is the one value node
            if local in ("minCount", "maxCount", "uniqueLang", "qualifiedMinCount", "qualifiedMaxCount"):
                raise UnsupportedShapeError(f"sh:{local} needs a property shape (sh:path) on {shape}")
            ok = self.value_expression(local, arg, shape, focus)
            # sh:hasValue names no value in its result; the other node-level constraints name the focus.
            return f"FILTER(!COALESCE({ok}, false))", (None if local == "hasValue" else focus), None
        path = self.path(path_node)
        if local == "minCount":
            n = _literal_int(arg, "sh:minCount")
            if n <= 0:
                return "FILTER(false)", None, None
            return f"FILTER NOT EXISTS {{ {self.distinct_values(focus, path, n, None)} }}", None, None
        if local == "maxCount":
            n = _literal_int(arg, "sh:maxCount")
            return f"FILTER EXISTS {{ {self.distinct_values(focus, path, n + 1, None)} }}", None, None
        if local == "hasValue":
            return f"FILTER NOT EXISTS {{ {focus} {path} {_sparql_term(arg)} . }}", None, None
        if local == "uniqueLang":
            if arg != _TRUE:
                return "FILTER(false)", None, None
            a, b, key = self.var(), self.var(), self.var()
            return (f"{focus} {path} {a} . {focus} {path} {b} . "
                    f"FILTER(!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && LANG({a}) != \"\" "
                    f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) BIND(LCASE(LANG({a})) AS {key})"), None, key
        if local in ("qualifiedMinCount", "qualifiedMaxCount"):
            qualifier = self.g.value(shape, SH + "qualifiedValueShape")
            if qualifier is None:
                raise UnsupportedShapeError(f"sh:{local} without sh:qualifiedValueShape on {shape}")
            n = _literal_int(arg, f"sh:{local}")

            def conforming(x: str) -> str:
                return self.conforms(qualifier, x)

            if local == "qualifiedMinCount":
                if n <= 0:
                    return "FILTER(false)", None, None
                return f"FILTER NOT EXISTS {{ {self.distinct_values(focus, path, n, conforming)} }}", None, None
            return f"FILTER EXISTS {{ {self.distinct_values(focus, path, n + 1, conforming)} }}", None, None
        ok = self.value_expression(local, arg, shape, value_var)
        return f"{focus} {path} {value_var} . FILTER(!COALESCE({ok}, false))", value_var, None


    def scan_pattern(self, shape: Term, local: str, arg: Term) -> tuple[str, str, str] | None:
        """The constraint of a property shape evaluated on its own, as ``(operator, group pattern,
        projected variables)``: the focus nodes violating it are the targets ``JOIN`` the pattern
        (which lists the violations) or the targets ``MINUS`` the pattern (which lists the nodes
        that satisfy it). None when there is no such form (node shapes, SPARQL constraints,
        nested shapes)."""
        path_node = self.g.value(shape, SH + "path")
        if path_node is None or local in ("sparql", "node", "not", "and", "or", "xone"):
            return None
        path = self.path(path_node)
        v = self.var()
        if local in ("qualifiedMinCount", "qualifiedMaxCount"):
            qualifier = self.g.value(shape, SH + "qualifiedValueShape")
            if qualifier is None:
                return None
            n = _literal_int(arg, f"sh:{local}")
            if local == "qualifiedMinCount" and n <= 0:
                return "JOIN", "{ FILTER(false) }", "?this"
            values = f"?this {path} {v} . FILTER({self.conforms(qualifier, v)})"
            if local == "qualifiedMinCount" and n == 1:
                return "MINUS", f"{{ {values} }}", "?this"
            op = ">=" if local == "qualifiedMinCount" else ">"
            group = f"{{ SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {n}) }}"
            return ("MINUS" if local == "qualifiedMinCount" else "JOIN"), group, "?this"
        if local in ("minCount", "maxCount"):
            n = _literal_int(arg, f"sh:{local}")
            if local == "minCount" and n <= 0:
                return "JOIN", "{ FILTER(false) }", "?this"
            if local == "minCount" and n == 1:
                return "MINUS", f"{{ ?this {path} {v} . }}", "?this"
            op = ">=" if local == "minCount" else ">"
            group = (f"{{ SELECT ?this WHERE {{ ?this {path} {v} . }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) {op} {n}) }}")
            return ("MINUS" if local == "minCount" else "JOIN"), group, "?this"
        if local == "hasValue":
            return "MINUS", f"{{ ?this {path} {_sparql_term(arg)} . }}", "?this"
        if local == "uniqueLang":
            if arg != _TRUE:
                return "JOIN", "{ FILTER(false) }", "?this"
            key = self.var()
            return "JOIN", (f"{{ SELECT ?this {key} WHERE {{ ?this {path} {v} . "
                            f"FILTER(isLiteral({v}) && LANG({v}) != \"\") BIND(LCASE(LANG({v})) AS {key}) }} "
                            f"GROUP BY ?this {key} HAVING (COUNT(DISTINCT {v}) > 1) }}"), f"?this {key}"
        if local == "class":
            return "JOIN", (f"{{ SELECT DISTINCT ?this ?value WHERE {{ ?this {path} ?value . "
                            f"MINUS {{ ?value <{_RDF}type>/<{_RDFS}subClassOf>* {_sparql_term(arg)} . }} }} }}"), \
                "?this ?value"
        ok = self.value_expression(local, arg, shape, "?value")
        return "JOIN", (f"{{ SELECT DISTINCT ?this ?value WHERE {{ ?this {path} ?value . "
                        f"FILTER(!COALESCE({ok}, false)) }} }}"), "?this ?value"

    def constraint_scan(self, shape: Term, local: str, arg: Term, targets: list[str]) -> str:
        """:attr:`Check.scan_query` of one constraint of ``shape`` ("" when it has none)."""
        form = self.scan_pattern(shape, local, arg)
        if form is None:
            return ""
        op, pattern, variables = form
        target = "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join("{ " + t + " }" for t in targets) + " } }"
        body = f"{target} {pattern}" if op == "JOIN" else f"{target} MINUS {pattern}"
        return self.prologue() + f"SELECT DISTINCT {variables} WHERE {{ {body} }}"


# --------------------------------------------------------------------------------------------
# Top-level checks
# --------------------------------------------------------------------------------------------

_COMPONENT_NAMES = {
    "class": "Class", "datatype": "Datatype", "nodeKind": "NodeKind", "minCount": "MinCount",
    "maxCount": "MaxCount", "minInclusive": "MinInclusive", "maxInclusive": "MaxInclusive",
    "minExclusive": "MinExclusive", "maxExclusive": "MaxExclusive", "minLength": "MinLength",
    "maxLength": "MaxLength", "pattern": "Pattern", "languageIn": "LanguageIn", "uniqueLang": "UniqueLang",
    "in": "In", "hasValue": "HasValue", "node": "Node", "not": "Not", "and": "And", "or": "Or",
    "xone": "Xone", "qualifiedMinCount": "QualifiedMinCount",
    "qualifiedMaxCount": "QualifiedMaxCount", "sparql": "SPARQL",
}


def _default_message(local: str, arg: Term, path: str) -> str:
    """A readable message for a constraint whose shape has no ``sh:message``."""
    shown = arg.value if isinstance(arg, ox.NamedNode | ox.Literal) else str(arg)
    on = f" of {path}" if path else ""
    return {
        "class": f"value{on} is not an instance of <{shown}>",
        "datatype": f"value{on} is not a well-formed literal of datatype <{shown}>",
        "nodeKind": f"value{on} is not of node kind <{shown}>",
        "minCount": f"fewer than {shown} values{on}",
        "maxCount": f"more than {shown} values{on}",
        "minInclusive": f"value{on} is not >= {shown}",
        "maxInclusive": f"value{on} is not <= {shown}",
        "minExclusive": f"value{on} is not > {shown}",
        "maxExclusive": f"value{on} is not < {shown}",
        "minLength": f"value{on} is shorter than {shown} characters",
        "maxLength": f"value{on} is longer than {shown} characters",
        "pattern": f"value{on} does not match the pattern {shown!r}",
        "languageIn": f"value{on} is not in one of the allowed languages",
        "uniqueLang": f"two values{on} use the same language tag",
        "in": f"value{on} is not one of the allowed values",
        "hasValue": f"missing the required value <{shown}>{on}",
        "node": f"value{on} does not conform to shape {arg}",
        "not": f"value{on} conforms to shape {arg}, which is not allowed",
        "and": f"value{on} does not conform to all of the shapes in sh:and",
        "or": f"value{on} does not conform to any of the shapes in sh:or",
        "xone": f"value{on} does not conform to exactly one of the shapes in sh:xone",
        "qualifiedMinCount": f"fewer than {shown} values{on} conform to the qualified value shape",
        "qualifiedMaxCount": f"more than {shown} values{on} conform to the qualified value shape",
        "sparql": "violates a SPARQL constraint",
    }[local]


_SIMPLE_SELECT = re.compile(
    r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?P<proj>(?:[?$]\w+\s*)+)WHERE\s*\{(?P<body>.*)\}\s*$",
    re.IGNORECASE | re.DOTALL,
)
_PREBOUND = re.compile(r"\$(shapesGraph|currentShape)\b")


def _severity(g: _ShapesGraph, shape: Term) -> str:
    sev = g.value(shape, SH + "severity")
    if sev is None:
        return "Violation"
    return _SEVERITIES.get(sev.value, "Info") if isinstance(sev, ox.NamedNode) else "Info"


def _message(g: _ShapesGraph, node: Term) -> str:
    msgs = [m for m in g.objects(node, SH + "message") if isinstance(m, ox.Literal)]
    for m in msgs:
        if m.language in (None, "en") or (m.language or "").startswith("en-"):
            return m.value
    return msgs[0].value if msgs else ""


def _select(focus_values: str, targets: list[str], pattern: str, variables: str) -> str:
    target = " UNION ".join("{ " + t + " }" for t in targets)
    return f"SELECT DISTINCT {variables} WHERE {{ {focus_values} {target} {pattern} }}"


def _focus_placeholder() -> str:
    # A comment line: the query stays valid as it is; run_checks replaces it by a VALUES clause.
    return "#FOCUS#\n"


def _shape_checks(c: _Compiler, shape: Term) -> list[Check]:
    g = c.g
    c.prefixes = {}
    targets = c.targets(shape)
    if not targets:
        return []
    checks: list[Check] = []
    holders = [shape]
    # A node shape's property shapes report their own results (their own severity and message).
    if g.value(shape, SH + "path") is None:
        holders += [p for p in g.objects(shape, SH + "property") if g.value(p, SH + "deactivated") != _TRUE]
    target_prefixes = dict(c.prefixes)
    for holder in holders:
        path_node = g.value(holder, SH + "path")
        path_text = c.path(path_node) if path_node is not None else ""
        path_iri = ""
        inverse = False
        if isinstance(path_node, ox.NamedNode):
            path_iri = path_node.value
        elif path_node is not None:
            inv = g.value(path_node, SH + "inversePath")
            if isinstance(inv, ox.NamedNode):
                path_iri, inverse = inv.value, True
        if path_node is not None and g.objects(holder, SH + "property"):
            raise UnsupportedShapeError(f"sh:property inside a property shape ({holder}) is not supported")
        severity = _severity(g, holder)
        holder_message = _message(g, holder)
        for local, arg in c.constraints(holder):
            c.prefixes = dict(target_prefixes)
            if local == "sparql":
                checks.append(_sparql_check(c, holder, arg, targets, severity, holder_message, path_text,
                                            path_iri, inverse))
                continue
            c.counter = 0
            pattern, value_var, key_var = c.constraint_pattern(holder, local, arg, "?this", value_var="?value")
            variables = "?this"
            if value_var == "?value":
                variables += " ?value"
            if key_var:
                variables += f" {key_var}"
            query = c.prologue() + _select(_focus_placeholder(), targets, pattern, variables)
            scan = c.constraint_scan(holder, local, arg, targets)
            checks.append(Check(
                shape=str(holder), component=_COMPONENT_NAMES[local] + "ConstraintComponent",
                severity=severity, message=holder_message or _default_message(local, arg, path_text),
                path=path_text, query=query, path_iri=path_iri, inverse=inverse,
                value_is_focus=(value_var == "?this"), scan_query=scan,
            ))
    return checks


def _sparql_check(c: _Compiler, holder: Term, constraint: Term, targets: list[str], severity: str,
                  holder_message: str, path_text: str, path_iri: str, inverse: bool) -> Check:
    g = c.g
    select = g.value(constraint, SH + "select")
    if not isinstance(select, ox.Literal):
        raise UnsupportedShapeError(f"a SPARQL constraint needs sh:select ({constraint})")
    text = select.value
    if _PREBOUND.search(text):
        raise UnsupportedShapeError("$shapesGraph and $currentShape are not supported in SPARQL constraints")
    if "$PATH" in text:
        if not path_text:
            raise UnsupportedShapeError("$PATH used in a SPARQL constraint of a node shape")
        text = text.replace("$PATH", path_text)
    c.declare_prefixes(constraint)
    m = _SIMPLE_SELECT.match(text)
    target = " UNION ".join("{ " + t + " }" for t in targets)
    if m:
        # Inline the constraint's WHERE clause after the target, so that $this is bound when its
        # FILTERs run (the pre-binding SHACL asks for), instead of joining a separate subquery.
        projected = {v[1:] for v in m.group("proj").split()}
        variables = "?this" + "".join(f" ?{v}" for v in ("path", "value") if v in projected)
        body = m.group("body")
        query = f"SELECT DISTINCT {variables} WHERE {{ {_focus_placeholder()} {{ {target} }} {body} }}"
    else:
        # Aggregates, modifiers...: evaluated on its own and joined with the focus nodes.
        variables = "?this ?path ?value"
        query = f"SELECT DISTINCT {variables} WHERE {{ {_focus_placeholder()} {{ {target} }} {{ {text} }} }}"
    message = _message(g, constraint) or holder_message or _default_message("sparql", constraint, path_text)
    if g.value(constraint, SH + "deactivated") == _TRUE:
        query = "SELECT ?this WHERE { FILTER(false) }"
    return Check(shape=str(holder), component="SPARQLConstraintComponent", severity=severity, message=message,
                 path=path_text, query=c.prologue() + query, path_iri=path_iri, inverse=inverse,
                 value_is_focus=True)


def compile_shapes(shapes: ox.Store | str | bytes | Path | Iterable[Path]) -> list[Check]:
    """Compile every constraint of every targeted shape into a :class:`Check`.

    Parameters
    ----------
    shapes : pyoxigraph.Store, str, bytes, Path or iterable of Path
        The shapes graph: a store (default graph), Turtle text, or Turtle files.

    Returns
    -------
    list of Check
        In a stable order (by shape, then constraint).

    Raises
    ------
    UnsupportedShapeError
        If a shape uses a SHACL feature this compiler does not implement.
    """
    g = _ShapesGraph(_read_shapes(shapes))
    c = _Compiler(g)
    shapes_found: set[Term] = set()
    for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
        shapes_found.update(g.subjects(SH + kind))
    for cls in (_RDFS + "Class", _OWL + "Class"):
        for s in g.subjects(_RDF + "type", ox.NamedNode(cls)):
            shape_types = {t.value for t in g.objects(s, _RDF + "type") if isinstance(t, ox.NamedNode)}
            if shape_types & {SH + "NodeShape", SH + "PropertyShape"}:
                shapes_found.add(s)
    checks: list[Check] = []
    for shape in sorted(shapes_found, key=str):
        if g.value(shape, SH + "deactivated") == _TRUE:
            continue
        checks.extend(_shape_checks(c, shape))
    return checks


_CLASS_PATH = re.compile(r"([?$]\w+) " + re.escape(f"<{_RDF}type>/<{_RDFS}subClassOf>*") + r" <([^<>\s]+)>")


def class_closures(store: ox.Store, queries: Iterable[str],
                   graph: ox.NamedNode | ox.BlankNode | None = None) -> dict[str, list[str]]:
    """Every class the ``queries`` reach through ``rdf:type/rdfs:subClassOf*``, with the classes
    below it in ``store`` (itself included), sorted: read once per validation run."""
    classes = sorted({m.group(2) for q in queries for m in _CLASS_PATH.finditer(q)})
    out: dict[str, list[str]] = {}
    for c in classes:
        rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{_RDFS}subClassOf>* <{c}> }}",
                           default_graph=graph)
        out[c] = sorted({r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)} | {c})  # type: ignore[union-attr]
    return out


def expand_class_paths(query: str, closures: Mapping[str, list[str]]) -> str:
    """``?x rdf:type/rdfs:subClassOf* <C>`` rewritten as ``?x rdf:type ?c . VALUES ?c {C and its
    subclasses}``: the same solutions (one per type of ``?x`` in the closure), but Oxigraph looks
    the types up directly instead of walking the class hierarchy for every node (15x faster on the
    slowest check at a million triples). Classes missing from ``closures`` are left as paths.

    >>> q = "SELECT ?this WHERE { ?this <%stype>/<%ssubClassOf>* <http://ex/C> . }" % (_RDF, _RDFS)
    >>> print(expand_class_paths(q, {"http://ex/C": ["http://ex/C", "http://ex/D"]}).replace(_RDF, "rdf:"))
    SELECT ?this WHERE { { ?this <rdf:type> ?shacl_class1 . VALUES ?shacl_class1 { <http://ex/C> <http://ex/D> } } . }
    """
    n = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal n
        members = closures.get(m.group(2))
        if members is None:
            return m.group(0)
        n += 1
        var = f"?shacl_class{n}"
        return (f"{{ {m.group(1)} <{_RDF}type> {var} . VALUES {var} {{ "
                + " ".join(f"<{c}>" for c in members) + " } }")

    return _CLASS_PATH.sub(sub, query)


#: The most focus nodes :func:`run_checks` puts into its queries as a ``VALUES`` clause. On the
#: 2-million-triple H2020 import, checking its 388,630 subjects through ``VALUES`` took 81 s and
#: checking every target then keeping theirs 20 s.
FOCUS_IN_QUERY = 5_000


def run_checks(store: ox.Store, checks: Iterable[Check], *, focus: Iterable[str] | None = None,
               graph: ox.NamedNode | ox.BlankNode | None = None,
               focus_in_query: bool | None = None) -> Iterator[Hit]:
    """Run ``checks`` on ``store`` and yield every result.

    Parameters
    ----------
    store : pyoxigraph.Store
        The data (ontology included, for ``rdfs:subClassOf``) in its default graph.
    checks : iterable of Check
        From :func:`compile_shapes`.
    focus : iterable of str, optional
        Check only these focus nodes (IRIs); ``None`` checks every target. Up to
        :data:`FOCUS_IN_QUERY` of them go into every query as a ``VALUES`` clause; a larger set
        (say the 400,000 subjects of an import) is checked by running every check on every
        target and keeping the hits on these nodes, which is several times faster than a
        ``VALUES`` clause that large (the results are the same).
    graph : pyoxigraph.NamedNode or BlankNode, optional
        Read the data from this named graph instead of the default graph.
    focus_in_query : bool, optional
        Put ``focus`` into the queries (``True``) or check every target and keep the hits on
        ``focus`` (``False``); by default, the former for up to :data:`FOCUS_IN_QUERY` nodes. Where
        the store holds little besides the focus nodes (an import, in
        :func:`graph.store.validate.validate_addition`), ``False`` is many times faster: 0.14 s
        instead of 4.3 s of CPU for the 21,000 triples of the NUTS import.
    """
    values = ""
    wanted: set[str] | None = None
    if focus is not None:
        nodes = set(focus)
        if focus_in_query if focus_in_query is not None else len(nodes) <= FOCUS_IN_QUERY:
            values = "VALUES ?this { " + " ".join(f"<{iri}>" for iri in sorted(nodes)) + " }"
        else:
            wanted = nodes
    checks = list(checks)
    closures = class_closures(store, (q for c in checks for q in (c.query, c.scan_query)), graph)

    def run(check: Check) -> list[Hit]:
        hits = []
        if check.scan_query and not values:
            query = expand_class_paths(check.scan_query, closures)
        else:
            query = expand_class_paths(check.query, closures).replace(_focus_placeholder(), values, 1)
        for row in store.query(query, default_graph=graph):  # type: ignore[union-attr]
            this = row["this"]
            if this is None or (wanted is not None and (not isinstance(this, ox.NamedNode)
                                                        or this.value not in wanted)):
                continue
            value = _get(row, "value")
            path = _get(row, "path")
            if value is None and check.value_is_focus:
                value = this
            hits.append(Hit(check, this, value, path if isinstance(path, ox.NamedNode) else None))
        return hits

    # Oxigraph evaluates queries without holding the GIL: one check per core at a time (1.75x on
    # 2 cores at 1M triples); results come back in the checks' order.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        for hits in pool.map(run, checks):
            yield from hits


def _get(row: ox.QuerySolution, name: str) -> Term | None:
    try:
        return row[name]
    except KeyError:
        return None
