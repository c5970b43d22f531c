"""Check an import against ``ontology/shapes-actors.ttl`` at the scale of a million triples.

pySHACL over an rdflib graph takes minutes at a million triples, and even loading the import
into an Oxigraph store costs more than the 60 s an import of every H2020 participation may
take. So :func:`validate_import` (the one function to swap for the project's shared scalable
validator) compiles the shapes into vectorised checks over the import's triples as they already
are in memory (a polars frame of N-Triples terms): each constraint is one filter, join or
group-by that finds all its violations at once. The graph the import links into (ontology,
curated data, ``--data``) gives the classes of the nodes the import points at.

:func:`validate_store` runs the same constraints as SPARQL over an Oxigraph store whose default
graph holds the import (and named graphs the rest): the reference the tests compare the fast
path with, and the path for data already in a store.

Supported (anything else in the shapes file is an error, so nothing is silently skipped):
targets ``sh:targetClass`` (with subclasses), ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``,
``sh:targetNode``; property shapes whose ``sh:path`` is an IRI or ``[ sh:inversePath IRI ]`` with
``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:nodeKind``, ``sh:pattern``,
``sh:in``, ``sh:hasValue``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:languageIn``,
``sh:uniqueLang`` and ``sh:qualifiedValueShape [ sh:languageIn (...) ]`` with
``sh:qualifiedMinCount``; node-level ``sh:pattern`` and ``sh:nodeKind``.

Examples
--------
>>> from graph.imports.paths import actor_shapes_file
>>> constraints = load_constraints(actor_shapes_file())
>>> len(constraints) > 40, sorted({c.kind for c in constraints})[:4]
(True, ['class', 'datatype', 'languageMin', 'maxCount'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

import polars as pl
import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import InputError
from ..namespaces import SH, curie

__all__ = ["Constraint", "ImportViolation", "load_constraints", "validate_import", "validate_store"]

_NODE_KEYS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.property, SH.pattern,
              SH.nodeKind, SH.message, SH.severity, RDF.type, SH.name, SH.deactivated}
_PROP_KEYS = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"],
              SH.hasValue, SH.minInclusive, SH.maxInclusive, SH.languageIn, SH.uniqueLang, SH.message,
              SH.severity, SH.name, SH.description, SH.qualifiedValueShape, SH.qualifiedMinCount}
_IGNORED_NS = ("http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Subclasses = Mapping[str, frozenset[str]]  # class IRI -> the class and all its subclasses


@dataclass(frozen=True)
class Constraint:
    """One constraint of one shape, ready for either engine.

    ``targets`` are ``(kind, iri)`` pairs (``class``, ``subjectsOf``, ``objectsOf``, ``node``);
    ``path`` is the property IRI (``None`` for a node-level constraint), ``inverse`` whether the
    path is ``sh:inversePath``; ``param`` is the constraint's value (an IRI, number, pattern, or a
    tuple of N-Triples terms or language tags).
    """

    shape: str
    targets: tuple[tuple[str, str], ...]
    path: str | None
    inverse: bool
    kind: str
    param: object
    message: str
    severity: str

    @property
    def path_text(self) -> str:
        if self.path is None:
            return ""
        return ("^" if self.inverse else "") + curie(self.path)


@dataclass(frozen=True, order=True)
class ImportViolation:
    """One result: the focus node, the property, the message and the offending value."""

    severity: str
    focus: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        value = f" [value: {self.value}]" if self.value else ""
        path = f" {self.path}" if self.path else ""
        return f"{self.severity}: {curie(self.focus)}{path}: {self.message}{value}"


# -- the shapes file --------------------------------------------------------------------------

def _nt(node: object) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return str(node.n3())
    raise InputError(f"shapes: cannot use {node!r} as a constant")


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Constraint, ...]:
    g = Graph()
    g.parse(path, format="turtle")
    out: list[Constraint] = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        assert isinstance(shape, Node)
        sname = curie(str(shape))
        if g.value(shape, SH.deactivated) == Literal(True):
            continue
        unknown = {q for q in g.predicates(shape, None) if q not in _NODE_KEYS and not str(q).startswith(_IGNORED_NS)}
        if unknown:
            raise InputError(f"{path}: {sname}: unsupported SHACL terms {sorted(curie(str(u)) for u in unknown)}")
        targets: list[tuple[str, str]] = []
        for key, pred in (("class", SH.targetClass), ("subjectsOf", SH.targetSubjectsOf),
                          ("objectsOf", SH.targetObjectsOf), ("node", SH.targetNode)):
            targets += [(key, str(v)) for v in g.objects(shape, pred)]
        if not targets:
            raise InputError(f"{path}: {sname}: no target")
        tg = tuple(sorted(targets))
        smsg = str(g.value(shape, SH.message) or sname)
        ssev = str(g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        if g.value(shape, SH.pattern) is not None:
            out.append(Constraint(sname, tg, None, False, "pattern", str(g.value(shape, SH.pattern)), smsg, ssev))
        if g.value(shape, SH.nodeKind) is not None:
            nk = str(g.value(shape, SH.nodeKind)).rsplit("#", 1)[-1]
            out.append(Constraint(sname, tg, None, False, "nodeKind", nk, smsg, ssev))
        for prop in sorted(g.objects(shape, SH.property), key=str):
            assert isinstance(prop, Node)
            out.extend(_property(g, prop, tg, sname, smsg, ssev, path))
    return tuple(out)


def _property(g: Graph, prop: Node, targets: tuple[tuple[str, str], ...], sname: str, smsg: str, ssev: str,
              file: str) -> list[Constraint]:
    unknown = {q for q in g.predicates(prop, None) if q not in _PROP_KEYS}
    if unknown:
        raise InputError(f"{file}: {sname}: unsupported SHACL terms {sorted(curie(str(u)) for u in unknown)}")
    p = g.value(prop, SH.path)
    if isinstance(p, URIRef):
        path, inverse = str(p), False
    elif isinstance(p, BNode) and isinstance(g.value(p, SH.inversePath), URIRef):
        path, inverse = str(g.value(p, SH.inversePath)), True
    else:
        raise InputError(f"{file}: {sname}: only IRI and sh:inversePath paths are supported")
    msg = str(g.value(prop, SH.message) or smsg)
    sev = str(g.value(prop, SH.severity) or ssev).rsplit("#", 1)[-1]
    out = []

    def add(kind: str, param: object) -> None:
        out.append(Constraint(sname, targets, path, inverse, kind, param, msg, sev))

    def val(key: Node) -> Node | None:
        return g.value(prop, key)

    def num(key: Node) -> float:
        v = val(key)
        assert isinstance(v, Literal)
        return float(v.toPython())

    if val(SH.minCount) is not None:
        add("minCount", int(num(SH.minCount)))
    if val(SH.maxCount) is not None:
        add("maxCount", int(num(SH.maxCount)))
    if val(SH.datatype) is not None:
        add("datatype", str(val(SH.datatype)))
    for cls in g.objects(prop, SH["class"]):
        add("class", str(cls))
    if val(SH.nodeKind) is not None:
        add("nodeKind", str(val(SH.nodeKind)).rsplit("#", 1)[-1])
    if val(SH.pattern) is not None:
        add("pattern", str(val(SH.pattern)))
    if val(SH["in"]) is not None:
        add("in", tuple(_nt(v) for v in Collection(g, val(SH["in"]))))  # type: ignore[arg-type]
    if val(SH.hasValue) is not None:
        add("hasValue", _nt(val(SH.hasValue)))
    if val(SH.minInclusive) is not None:
        add("minInclusive", num(SH.minInclusive))
    if val(SH.maxInclusive) is not None:
        add("maxInclusive", num(SH.maxInclusive))
    if val(SH.languageIn) is not None:
        add("languageIn", tuple(str(v) for v in Collection(g, val(SH.languageIn))))  # type: ignore[arg-type]
    if val(SH.uniqueLang) == Literal(True):
        add("uniqueLang", True)
    q = val(SH.qualifiedValueShape)
    if q is not None:
        langs = g.value(q, SH.languageIn)
        extra = {k for k in g.predicates(q, None) if k != SH.languageIn}
        if langs is None or extra or val(SH.qualifiedMinCount) is None:
            raise InputError(f"{file}: {sname}: sh:qualifiedValueShape is supported only as "
                             f"[ sh:languageIn (...) ] with sh:qualifiedMinCount")
        add("languageMin", (tuple(str(v) for v in Collection(g, langs)), int(num(SH.qualifiedMinCount))))
    return out


def load_constraints(path: str | Path) -> list[Constraint]:
    """The constraints of a SHACL shapes file (the supported subset)."""
    p = Path(path)
    return list(_load(str(p), p.stat().st_mtime))


# -- the fast engine: polars over the import's triples -----------------------------------------

_LEX = r'(?s)^"(.*)"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?$'


def _lexical(o: pl.Expr) -> pl.Expr:
    """The lexical form of a literal term (an IRI without its brackets)."""
    lit = (o.str.extract(_LEX, 1).str.replace_all(r'\\"', '"', literal=True).str.replace_all(r"\n", "\n",
                                                                                               literal=True)
           .str.replace_all(r"\r", "\r", literal=True).str.replace_all("\\\\", "\\", literal=True))
    return pl.when(o.str.starts_with("<")).then(o.str.slice(1).str.strip_suffix(">")).otherwise(lit)


def _datatype(o: pl.Expr) -> pl.Expr:
    return (pl.when(~o.str.starts_with('"')).then(None)
            .when(o.str.contains(r'"\^\^<[^>]*>$')).then(o.str.extract(r'"\^\^<([^>]*)>$', 1))
            .when(o.str.contains(r'"@[A-Za-z0-9-]+$')).then(pl.lit(LANG_STRING))
            .otherwise(pl.lit(XSD_STRING)))


def _lang(o: pl.Expr) -> pl.Expr:
    return o.str.extract(r'"@([A-Za-z0-9-]+)$', 1).fill_null("")


class _Columnar:
    def __init__(self, triples: pl.DataFrame, context_types: pl.DataFrame, subclasses: Subclasses) -> None:
        self.t = triples.select("s", "p", "o")
        self.known = context_types.select(pl.col("node").alias("this")).unique()
        self.sub = subclasses
        own = self.t.filter(pl.col("p") == f"<{RDF_TYPE}>").select(pl.col("s").alias("node"),
                                                                   pl.col("o").alias("cls"))
        self.own_types = own
        self.all_types = pl.concat([own, context_types.select("node", "cls")]).unique()
        self._paths: dict[tuple[str, bool], pl.DataFrame] = {}
        self._focus: dict[tuple[tuple[str, str], ...], pl.DataFrame] = {}

    def classes(self, cls: str) -> list[str]:
        return [f"<{c}>" for c in sorted(self.sub.get(cls, frozenset({cls})))]

    def focus(self, targets: tuple[tuple[str, str], ...]) -> pl.DataFrame:
        if targets not in self._focus:
            parts = []
            for kind, iri in targets:
                if kind == "class":
                    parts.append(self.own_types.filter(pl.col("cls").is_in(self.classes(iri)))["node"])
                elif kind == "subjectsOf":
                    parts.append(self.t.filter(pl.col("p") == f"<{iri}>")["s"])
                elif kind == "objectsOf":
                    parts.append(self.t.filter(pl.col("p") == f"<{iri}>")["o"])
                else:
                    parts.append(pl.Series([f"<{iri}>"]))
            self._focus[targets] = pl.DataFrame({"this": pl.concat(parts).unique()})
        return self._focus[targets]

    def values(self, path: str, inverse: bool) -> pl.DataFrame:
        key = (path, inverse)
        if key not in self._paths:
            rows = self.t.filter(pl.col("p") == f"<{path}>").unique()
            self._paths[key] = (rows.select(pl.col("o").alias("this"), pl.col("s").alias("value")) if inverse
                                else rows.select(pl.col("s").alias("this"), pl.col("o").alias("value")))
        return self._paths[key]

    def check(self, c: Constraint) -> pl.DataFrame:
        """Violations of ``c`` as a frame of ``this`` and ``value`` (N-Triples terms or text)."""
        focus = self.focus(c.targets)
        if c.path is None:
            node = pl.col("this")
            if c.kind == "pattern":
                return focus.filter(~_lexical(node).str.contains(str(c.param)).fill_null(False)).with_columns(
                    node.alias("value"))
            return focus.filter(~_kind(node, str(c.param))).with_columns(node.alias("value"))
        vals = self.values(c.path, c.inverse).join(focus, on="this", how="semi")
        v = pl.col("value")
        if c.kind in ("minCount", "languageMin"):
            # A node the graph already defines has its required facts there (checked when it was
            # imported or curated): only what this import adds about it is checked.
            focus = focus.join(self.known, on="this", how="anti")
        if c.kind in ("minCount", "maxCount"):
            counts = focus.join(vals.group_by("this").len(), on="this", how="left").with_columns(
                pl.col("len").fill_null(0))
            limit_n = cast(int, c.param)
            bad = counts["len"] < limit_n if c.kind == "minCount" else counts["len"] > limit_n
            return counts.filter(bad).select("this", pl.col("len").cast(pl.Utf8).alias("value"))
        if c.kind == "languageMin":
            langs, n = cast(tuple[tuple[str, ...], int], c.param)
            ok = vals.filter(_lang(v).is_in(list(langs))).group_by("this").len()
            counts = focus.join(ok, on="this", how="left").with_columns(pl.col("len").fill_null(0))
            return counts.filter(pl.col("len") < n).select("this", pl.lit("").alias("value"))
        if c.kind == "datatype":
            return vals.filter(_datatype(v).fill_null("") != str(c.param))
        if c.kind == "class":
            members = self.all_types.filter(pl.col("cls").is_in(self.classes(str(c.param))))["node"].unique()
            return vals.filter(~v.is_in(members.implode()))
        if c.kind == "nodeKind":
            return vals.filter(~_kind(v, str(c.param)))
        if c.kind == "pattern":
            return vals.filter(~_lexical(v).str.contains(str(c.param)).fill_null(False))
        if c.kind == "in":
            return vals.filter(~v.is_in(list(cast(tuple[str, ...], c.param))))
        if c.kind == "hasValue":
            has = vals.filter(v == str(c.param))
            return focus.join(has, on="this", how="anti").with_columns(pl.lit(str(c.param)).alias("value"))
        if c.kind in ("minInclusive", "maxInclusive"):
            number = _lexical(v).cast(pl.Float64, strict=False)
            bound = cast(float, c.param)
            out_of_range = (number < bound) if c.kind == "minInclusive" else (number > bound)
            return vals.filter(out_of_range.fill_null(True))
        if c.kind == "languageIn":
            return vals.filter(~_lang(v).is_in(list(cast(tuple[str, ...], c.param))))
        if c.kind == "uniqueLang":
            tagged = vals.with_columns(_lang(v).alias("lang")).filter(pl.col("lang") != "")
            dup = tagged.group_by("this", "lang").len().filter(pl.col("len") > 1)
            return dup.select("this", pl.col("lang").alias("value"))
        raise InputError(f"the columnar validator does not support {c.kind}")  # pragma: no cover


def _kind(e: pl.Expr, kind: str) -> pl.Expr:
    if kind == "IRI":
        return e.str.starts_with("<")
    if kind == "Literal":
        return e.str.starts_with('"')
    if kind == "BlankNode":
        return e.str.starts_with("_:")
    raise InputError(f"unsupported sh:nodeKind sh:{kind}")


def _term_text(term: str) -> str:
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    got = pl.select(_lexical(pl.lit(term))).item()
    return term if got is None else str(got)


def validate_import(triples: pl.DataFrame, context_types: pl.DataFrame, subclasses: Subclasses,
                    shapes: str | Path, *, limit: int = 1000) -> list[ImportViolation]:
    """Check an import's triples (columns ``s``, ``p``, ``o``: N-Triples terms) against ``shapes``.

    ``context_types`` (columns ``node``, ``cls``: N-Triples IRIs) are the types of the nodes of the
    graph the import links into (a node it defines has its required facts there: for it, only
    what the import adds is checked); ``subclasses`` maps each class to itself and its subclasses. At
    most ``limit`` results are returned per constraint.
    """
    engine = _Columnar(triples, context_types, subclasses)
    out: set[ImportViolation] = set()
    for c in load_constraints(shapes):
        bad = engine.check(c).head(limit)
        for this, value in bad.select("this", pl.col("value").cast(pl.Utf8)).iter_rows():
            out.add(ImportViolation(c.severity, _term_text(this), c.path_text, c.message,
                                    _term_text(value) if value else ""))
    return sorted(out)


# -- the reference engine: SPARQL over an Oxigraph store ---------------------------------------

def store_subclasses(store: ox.Store) -> dict[str, frozenset[str]]:
    """Every class of the store (all graphs) with itself and its subclasses (transitively)."""
    res = store.query("SELECT ?s ?o WHERE { { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o } UNION "
                      "{ GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o } } "
                      "FILTER(isIRI(?s) && isIRI(?o)) }")
    assert isinstance(res, ox.QuerySolutions)
    return closure((sol["s"].value, sol["o"].value) for sol in res)


def closure(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """From ``(subclass, superclass)`` pairs: each class with itself and all its subclasses."""
    children: dict[str, set[str]] = {}
    for s, o in pairs:
        children.setdefault(o, set()).add(s)
    out: dict[str, frozenset[str]] = {}
    for cls in children:
        seen = {cls}
        stack = list(children[cls])
        while stack:
            c = stack.pop()
            if c not in seen:
                seen.add(c)
                stack.extend(children.get(c, ()))
        out[cls] = frozenset(seen)
    return out


def _sparql(c: Constraint, sub: Subclasses) -> str:
    def classes(cls: str) -> str:
        return " ".join(f"<{x}>" for x in sorted(sub.get(cls, frozenset({cls}))))

    targets = []
    for kind, iri in c.targets:
        if kind == "class":
            targets.append(f"?this a ?__t . VALUES ?__t {{ {classes(iri)} }}")
        elif kind == "subjectsOf":
            targets.append(f"?this <{iri}> ?__x .")
        elif kind == "objectsOf":
            targets.append(f"?__x <{iri}> ?this .")
        else:
            targets.append(f"BIND(<{iri}> AS ?this)")
    target = " UNION ".join(f"{{ {t} }}" for t in targets)

    def wrap(body: str, select: str = "SELECT DISTINCT ?this ?value", tail: str = "") -> str:
        if c.kind in ("minCount", "languageMin"):  # nodes the graph defines: only what the import adds
            body = f"FILTER NOT EXISTS {{ GRAPH ?__k {{ ?this a ?__kt }} }} {body}"
        return f"{select} WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {target} }} }} {body} }} {tail}"

    if c.path is None:
        test = {"IRI": "isIRI(?this)", "Literal": "isLiteral(?this)", "BlankNode": "isBlank(?this)"}
        cond = f"!REGEX(STR(?this), {Literal(str(c.param)).n3()})" if c.kind == "pattern" else \
            f"!({test[str(c.param)]})"
        return wrap(f"BIND(?this AS ?value) FILTER({cond})")
    step = f"?value <{c.path}> ?this ." if c.inverse else f"?this <{c.path}> ?value ."

    def as_(var: str) -> str:
        return step.replace("?value", var)

    k, p = c.kind, c.param
    if k == "minCount":
        return wrap(f"OPTIONAL {{ {as_('?__v')} }}", "SELECT ?this (COUNT(DISTINCT ?__v) AS ?value)",
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?__v) < {p})")
    if k == "maxCount":
        return wrap(as_("?__v"), "SELECT ?this (COUNT(DISTINCT ?__v) AS ?value)",
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?__v) > {p})")
    if k == "languageMin":
        langs, n = cast(tuple[tuple[str, ...], int], p)
        inlist = ", ".join(Literal(x).n3() for x in langs)
        return wrap(f"OPTIONAL {{ {as_('?__v')} FILTER(LANG(?__v) IN ({inlist})) }}",
                    "SELECT ?this (COUNT(DISTINCT ?__v) AS ?value)",
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?__v) < {n})")
    if k == "datatype":
        return wrap(f"{step} FILTER(!isLiteral(?value) || DATATYPE(?value) != <{p}>)")
    if k == "class":
        return wrap(f"{step} FILTER NOT EXISTS {{ {{ ?value a ?__c }} UNION {{ GRAPH ?__g {{ ?value a ?__c }} }} "
                    f"VALUES ?__c {{ {classes(str(p))} }} }}")
    if k == "nodeKind":
        test = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)"}
        return wrap(f"{step} FILTER(!({test[str(p)]}))")
    if k == "pattern":
        return wrap(f"{step} FILTER(!REGEX(STR(?value), {Literal(str(p)).n3()}))")
    if k == "in":
        return wrap(f"{step} FILTER(?value NOT IN ({', '.join(cast(tuple[str, ...], p))}))")
    if k == "hasValue":
        return wrap(f"FILTER NOT EXISTS {{ {as_(str(p))} }} BIND({p} AS ?value)")
    if k == "minInclusive":
        return wrap(f"{step} FILTER(!(?value >= {p}))")
    if k == "maxInclusive":
        return wrap(f"{step} FILTER(!(?value <= {p}))")
    if k == "languageIn":
        inlist = ", ".join(Literal(x).n3() for x in cast(tuple[str, ...], p))
        return wrap(f"{step} FILTER(!(LANG(?value) IN ({inlist})))")
    if k == "uniqueLang":
        return wrap(f"{as_('?__a')} {as_('?__b')} FILTER(?__a != ?__b && LANG(?__a) != \"\" && "
                    f"LANG(?__a) = LANG(?__b)) BIND(LANG(?__a) AS ?value)")
    raise InputError(f"no SPARQL for {k}")  # pragma: no cover


def validate_store(store: ox.Store, shapes: str | Path, *, limit: int = 1000) -> list[ImportViolation]:
    """The same checks as :func:`validate_import`, as SPARQL over ``store``.

    The import is the store's default graph; its named graphs (ontology, curated data, ``--data``)
    give the classes of the nodes it points at.
    """
    sub = store_subclasses(store)
    out: set[ImportViolation] = set()
    for c in load_constraints(shapes):
        res = store.query(_sparql(c, sub) + f" LIMIT {limit}")
        assert isinstance(res, ox.QuerySolutions)
        for sol in res:
            value = sol["value"]
            text = "" if value is None else value.value
            if c.kind == "languageMin":
                text = ""
            out.add(ImportViolation(c.severity, sol["this"].value, c.path_text, c.message, text))
    return sorted(out)


def sparql_queries(shapes: str | Path, subclasses: Subclasses) -> Sequence[str]:
    """The SPARQL text of every constraint (for inspection and the docs)."""
    return [_sparql(c, subclasses) for c in load_constraints(shapes)]
