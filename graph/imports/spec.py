"""Mapping files: parse and check a YARRRML mapping with clusterkg's source and cleaning blocks.

A mapping file is YAML. Its ``mappings`` block is YARRRML (``s``, ``po``, ``$(column)``
references, ``~iri`` and ``~lang`` shortcuts); ``sources`` says how to read each table and how to
clean its columns (declared, never hand-coded); ``lookups`` names reference tables; ``resolve``
declares entity resolution. ``docs/imports.md`` describes every key. Every problem is reported
as ``FILE:LINE:COL: message``.

Examples
--------
>>> m = parse_mapping_text('''
... mapping: tiny
... title: A tiny example
... sources:
...   things: {file: "things*.csv", citation: "My list of things"}
... mappings:
...   thing:
...     source: things
...     s: ckr:thing-$(id)
...     po:
...       - [a, ckg:Organisation]
...       - [rdfs:label, $(name), en~lang]
... ''', "tiny.yaml")
>>> m.name, [s.name for s in m.sources], m.maps[0].subject.template
('tiny', ['things'], 'https://w3id.org/clusterkg/id/thing-$(id)')
>>> m.maps[0].po[1].objects[0].language
'en'
>>> parse_mapping_text("mapping: x\\nsorces: {}\\n", "bad.yaml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.MappingError: bad.yaml:2:1: unknown key 'sorces' (expected one of: description, ...
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from ..errors import MappingError, MissingInputError
from ..namespaces import PREFIXES

__all__ = [
    "ColumnRule",
    "Condition",
    "LookupSpec",
    "MappingSpec",
    "Mention",
    "PredicateObject",
    "ResolverSpec",
    "SourceSpec",
    "TermSpec",
    "TriplesMap",
    "parse_mapping",
    "parse_mapping_text",
    "template_columns",
]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
_REF = re.compile(r"\$\(([^)]*)\)")

COLUMN_TYPES = {"string": None, "integer": XSD + "integer", "decimal": XSD + "decimal", "date": XSD + "date",
                "boolean": XSD + "boolean", "year": XSD + "gYear"}


def template_columns(template: str) -> list[str]:
    """The column names a template refers to, in order.

    >>> template_columns("ckr:org-$(pic)-$(country)")
    ['pic', 'country']
    """
    return _REF.findall(template)


Pos = tuple[int | None, int | None]


@dataclass(frozen=True)
class Condition:
    """A row condition (``when``): every test must hold."""

    column: str
    equals: tuple[str, ...] = ()
    matches: str | None = None
    present: bool | None = None


@dataclass(frozen=True)
class LookupSpec:
    """A lookup in a reference table (``table``) or in the graph (``graph_class``)."""

    table: str | None = None
    key: str = "key"
    value: str = "value"
    graph_class: str | None = None
    match: str = "exact"  # or "normalised"


@dataclass
class ColumnRule:
    """How one column is cleaned (see docs/imports.md, "Cleaning a column")."""

    name: str
    sources: list[str]
    template: str | None = None
    strip: bool = True
    null: tuple[str, ...] = ()
    replace: list[tuple[str, str]] = field(default_factory=list)
    prefix: tuple[str, str] | None = None  # (text to add, pattern that says it is already there)
    case: str | None = None
    split: str | None = None
    type: str = "string"
    decimal: str = "."
    thousands: str | None = None
    formats: list[str] = field(default_factory=list)
    mapping: dict[str, str] | None = None
    map_other: str = "reject"
    lookup: LookupSpec | None = None
    pattern: str | None = None
    required: bool = False
    on_error: str = "reject"
    pos: Pos = (None, None)

    @property
    def datatype(self) -> str | None:
        return COLUMN_TYPES[self.type]


@dataclass
class SourceSpec:
    """One input table of a mapping and how to read it."""

    name: str
    file: str
    citation: str
    format: str | None = None
    delimiter: str | None = None
    encoding: str = "utf-8"
    quoting: str = "standard"
    sheet: str | None = None
    header_row: int = 1
    header_rows: int = 1
    null: tuple[str, ...] = ("",)
    optional: bool = False
    shipped: bool = False
    columns: list[ColumnRule] = field(default_factory=list)
    aligned: list[list[str]] = field(default_factory=list)
    pos: Pos = (None, None)


@dataclass(frozen=True)
class TermSpec:
    """A subject or object: a template with ``$(column)`` references, an IRI or a literal."""

    template: str
    kind: str = "literal"  # "iri" or "literal"
    datatype: str | None = None
    language: str | None = None
    fallback: bool = False

    @property
    def columns(self) -> list[str]:
        return template_columns(self.template)


@dataclass(frozen=True)
class PredicateObject:
    predicate: str
    objects: tuple[TermSpec, ...]
    when: tuple[Condition, ...] = ()


@dataclass
class TriplesMap:
    """A YARRRML mapping: one subject per row (or per element of ``each``) and its predicates."""

    name: str
    source: str
    subject: TermSpec
    po: list[PredicateObject]
    each: list[str] = field(default_factory=list)
    when: tuple[Condition, ...] = ()
    keep: str = "all"  # or "referenced"
    pos: Pos = (None, None)


@dataclass(frozen=True)
class Mention:
    """Where a resolver finds organisations in a source, and the id column it adds."""

    source: str
    column: str
    each: tuple[str, ...] = ()
    pic: str | None = None
    vat: str | None = None
    name: str | None = None
    country: str | None = None
    town: str | None = None


@dataclass
class ResolverSpec:
    """Entity resolution for one kind of entity (organisations)."""

    name: str
    iri_prefix: str
    mentions: list[Mention]
    near_miss: float = 92.0
    pos: Pos = (None, None)


@dataclass
class MappingSpec:
    """A parsed mapping file."""

    name: str
    path: str
    sha256: str
    title: str
    description: str
    prefixes: dict[str, str]
    sources: list[SourceSpec]
    lookups: dict[str, tuple[str, str]]  # name -> (file relative to the mappings folder, delimiter)
    resolvers: list[ResolverSpec]
    maps: list[TriplesMap]

    def source(self, name: str) -> SourceSpec:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)


# -- parsing ----------------------------------------------------------------------------------

_TOP = {"mapping", "title", "description", "prefixes", "sources", "lookups", "resolve", "mappings"}
_SOURCE_KEYS = {"file", "citation", "format", "delimiter", "encoding", "quoting", "sheet", "header_row",
                "header_rows", "missing", "optional", "shipped", "columns", "aligned", "access",
                "referenceFormulation"}
_COLUMN_KEYS = {"from", "coalesce", "template", "strip", "missing", "replace", "prefix", "case", "split", "type",
                "decimal",
                "thousands", "format", "map", "map_other", "lookup", "pattern", "required", "on_error"}
_MAP_KEYS = {"source", "sources", "s", "subject", "po", "predicateobjects", "each", "when", "keep"}
_MENTION_KEYS = {"source", "column", "each", "pic", "vat", "name", "country", "town"}


class _Ctx:
    def __init__(self, path: str) -> None:
        self.path = path

    def pos(self, node: Any, key: Any = None) -> Pos:
        lc = getattr(node, "lc", None)
        if lc is None:
            return (None, None)
        try:
            if key is not None:
                line, col = lc.key(key) if isinstance(node, Mapping) else lc.item(key)
            else:
                line, col = lc.line, lc.col
        except (KeyError, IndexError, TypeError, AttributeError):
            line, col = lc.line, lc.col
        return (line + 1, col + 1)

    def error(self, node: Any, key: Any, message: str) -> MappingError:
        line, col = self.pos(node, key)
        return MappingError(self.path, line, col, message)

    def keys(self, node: Any, allowed: set[str], what: str) -> None:
        if not isinstance(node, Mapping):
            raise self.error(node, None, f"{what} must be a mapping of keys to values")
        for k in node:
            if k is None:
                raise self.error(node, k, "a key reads as YAML null (write 'missing' for the list of missing-value "
                                          "markers)")
            if k not in allowed:
                raise self.error(node, k, f"unknown key {k!r} (expected one of: {', '.join(sorted(allowed))})")

    def text(self, node: Any, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        if key not in node:
            if required:
                raise self.error(node, None, f"missing key {key!r}")
            return default
        value = node[key]
        if value is None:
            raise self.error(node, key, f"{key!r} must be a text (YAML reads null, ~ and an empty value as "
                                        f"nothing; quote it)")
        if isinstance(value, bool | Mapping | list):
            raise self.error(node, key, f"{key!r} must be a text")
        return str(value)

    def flag(self, node: Any, key: str, default: bool) -> bool:
        if key not in node:
            return default
        if not isinstance(node[key], bool):
            raise self.error(node, key, f"{key!r} must be true or false")
        return bool(node[key])

    def integer(self, node: Any, key: str, default: int) -> int:
        if key not in node:
            return default
        v = node[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise self.error(node, key, f"{key!r} must be a whole number from 1")
        return int(v)

    def texts(self, node: Any, key: str) -> list[str]:
        if key not in node:
            return []
        v = node[key]
        if isinstance(v, list):
            return [str(x) for x in v]
        if isinstance(v, Mapping) or v is None:
            raise self.error(node, key, f"{key!r} must be a text or a list of texts")
        return [str(v)]


def check_regex(pattern: str) -> str | None:
    """The error message if ``pattern`` is not a regular expression polars (Rust regex) accepts."""
    import polars as pl

    try:
        pl.Series([""], dtype=pl.Utf8).str.contains(pattern)
    except Exception as err:  # polars raises ComputeError for a bad pattern
        text = str(err).strip().splitlines()
        return text[-1] if text else "invalid"
    return None


def _expand(term: str, prefixes: Mapping[str, str], ctx: _Ctx, node: Any, key: Any) -> str:
    """Expand a CURIE (``ckr:x-$(id)``) or ``<iri>``; keep absolute IRIs and bare references."""
    t = term.strip()
    if t.startswith("<") and t.endswith(">"):
        return t[1:-1]
    if t == "a":
        return RDF_TYPE
    if t.startswith("$("):
        return t
    m = re.match(r"^([A-Za-z][\w.-]*):(?!//)(.*)$", t)
    if m and m.group(1) in prefixes:
        return prefixes[m.group(1)] + m.group(2)
    if re.match(r"^[a-z][a-z0-9+.-]*://", t) or t.startswith("urn:"):
        return t
    if m:
        raise ctx.error(node, key, f"unknown prefix {m.group(1)!r} in {term!r} (declare it under 'prefixes')")
    raise ctx.error(node, key, f"{term!r} is not an IRI, a CURIE or a $(column) reference")


def _conditions(ctx: _Ctx, node: Any, key: str) -> tuple[Condition, ...]:
    if key not in node:
        return ()
    raw = node[key]
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        ctx.keys(item, {"column", "equals", "in", "matches", "present"}, "a 'when' condition")
        column = ctx.text(item, "column", required=True)
        equals = tuple(ctx.texts(item, "equals") + ctx.texts(item, "in"))
        matches = ctx.text(item, "matches")
        present = ctx.flag(item, "present", True) if "present" in item else None
        if matches is not None:
            problem = check_regex(matches)
            if problem:
                raise ctx.error(item, "matches", f"bad regular expression ({problem})")
        if not equals and matches is None and present is None:
            raise ctx.error(item, None, "a 'when' condition needs 'equals', 'in', 'matches' or 'present'")
        out.append(Condition(str(column), equals, matches, present))
    return tuple(out)


def _lookup(ctx: _Ctx, node: Any, key: str, prefixes: Mapping[str, str]) -> LookupSpec:
    raw = node[key]
    if isinstance(raw, str):
        table, _, value = raw.partition(".")
        return LookupSpec(table=table, value=value or "value")
    ctx.keys(raw, {"table", "key", "value", "class", "match"}, "a lookup")
    match = ctx.text(raw, "match", "exact") or "exact"
    if match not in ("exact", "normalised"):
        raise ctx.error(raw, "match", "'match' is 'exact' or 'normalised'")
    if "class" in raw:
        cls = _expand(str(raw["class"]), prefixes, ctx, raw, "class")
        return LookupSpec(graph_class=cls, match=match if "match" in raw else "normalised")
    return LookupSpec(table=ctx.text(raw, "table", required=True), key=ctx.text(raw, "key", "key") or "key",
                      value=ctx.text(raw, "value", "value") or "value", match=match)


def _column(ctx: _Ctx, name: str, raw: Any, prefixes: Mapping[str, str], parent: Any) -> ColumnRule:
    if isinstance(raw, str):
        raw_type = raw
        raw = {"type": raw_type}
        pos = ctx.pos(parent, name)
        if raw_type not in COLUMN_TYPES:
            raise MappingError(ctx.path, pos[0], pos[1],
                               f"column {name!r}: unknown type {raw_type!r} (expected one of: "
                               f"{', '.join(COLUMN_TYPES)})")
        return ColumnRule(name=name, sources=[name], type=raw_type, pos=pos,
                          formats=["%Y-%m-%d"] if raw_type == "date" else [])
    if raw is None:
        raw = {}
    ctx.keys(raw, _COLUMN_KEYS, f"column {name!r}")
    rule = ColumnRule(name=name, sources=[name], pos=ctx.pos(parent, name))
    if "from" in raw and "coalesce" in raw:
        raise ctx.error(raw, "coalesce", "use either 'from' or 'coalesce'")
    if "from" in raw:
        rule.sources = [ctx.text(raw, "from") or name]
    if "coalesce" in raw:
        rule.sources = ctx.texts(raw, "coalesce")
    if "template" in raw:
        rule.template = ctx.text(raw, "template")
        rule.sources = template_columns(rule.template or "")
    rule.strip = ctx.flag(raw, "strip", True)
    rule.null = tuple(ctx.texts(raw, "missing"))
    if "replace" in raw:
        rep = raw["replace"]
        pairs = rep.items() if isinstance(rep, Mapping) else None
        if pairs is None:
            raise ctx.error(raw, "replace", "'replace' maps regular expressions to replacements")
        for pat, repl in pairs:
            problem = check_regex(str(pat))
            if problem:
                raise ctx.error(rep, pat, f"bad regular expression {pat!r} ({problem}); the syntax is Rust's "
                                          f"regex: no look-around, no back-references in the pattern") from None
            rule.replace.append((str(pat), "" if repl is None else str(repl)))
    if "prefix" in raw:
        pre = raw["prefix"]
        if not isinstance(pre, Mapping) or "add" not in pre:
            raise ctx.error(raw, "prefix", "'prefix' is {add: TEXT, unless: PATTERN}")
        ctx.keys(pre, {"add", "unless"}, "a prefix")
        unless = ctx.text(pre, "unless") or "^$"
        problem = check_regex(unless)
        if problem:
            raise ctx.error(pre, "unless", f"bad regular expression {unless!r} ({problem})")
        rule.prefix = (ctx.text(pre, "add") or "", unless)
    rule.case = ctx.text(raw, "case")
    if rule.case not in (None, "upper", "lower"):
        raise ctx.error(raw, "case", "'case' is 'upper' or 'lower'")
    rule.split = ctx.text(raw, "split")
    rule.type = ctx.text(raw, "type", "string") or "string"
    if rule.type not in COLUMN_TYPES:
        raise ctx.error(raw, "type", f"unknown type {rule.type!r} (expected one of: {', '.join(COLUMN_TYPES)})")
    rule.decimal = ctx.text(raw, "decimal", ".") or "."
    if rule.decimal not in (".", ",", "any"):
        raise ctx.error(raw, "decimal", "'decimal' is '.', ',' or 'any'")
    rule.thousands = ctx.text(raw, "thousands")
    rule.formats = ctx.texts(raw, "format")
    if rule.type == "date" and not rule.formats:
        rule.formats = ["%Y-%m-%d"]
    if "map" in raw:
        if not isinstance(raw["map"], Mapping):
            raise ctx.error(raw, "map", "'map' maps values to replacements")
        rule.mapping = {str(k): ("" if v is None else str(v)) for k, v in raw["map"].items()}
    rule.map_other = ctx.text(raw, "map_other", "reject") or "reject"
    if rule.map_other not in ("reject", "keep", "missing"):
        raise ctx.error(raw, "map_other", "'map_other' is 'reject', 'keep' or 'missing'")
    if "lookup" in raw:
        rule.lookup = _lookup(ctx, raw, "lookup", prefixes)
    rule.pattern = ctx.text(raw, "pattern")
    if rule.pattern is not None:
        problem = check_regex(rule.pattern)
        if problem:
            raise ctx.error(raw, "pattern", f"bad regular expression ({problem})")
    rule.required = ctx.flag(raw, "required", False)
    rule.on_error = ctx.text(raw, "on_error", "reject") or "reject"
    if rule.on_error not in ("reject", "drop", "ignore"):
        raise ctx.error(raw, "on_error", "'on_error' is 'reject' (leave the row out), 'drop' (drop the value and "
                                         "report it) or 'ignore' (drop the value silently)")
    return rule


def _source(ctx: _Ctx, name: str, raw: Any, prefixes: Mapping[str, str], parent: Any) -> SourceSpec:
    ctx.keys(raw, _SOURCE_KEYS, f"source {name!r}")
    file = ctx.text(raw, "file") or ctx.text(raw, "access")
    if not file:
        raise ctx.error(raw, None, f"source {name!r} needs 'file' (a file name or pattern such as 'data*.csv')")
    citation = ctx.text(raw, "citation")
    if not citation:
        raise ctx.error(raw, None, f"source {name!r} needs 'citation' (where the table comes from)")
    src = SourceSpec(name=name, file=file, citation=citation, pos=ctx.pos(parent, name))
    fmt = ctx.text(raw, "format") or ctx.text(raw, "referenceFormulation")
    if fmt is not None:
        fmt = fmt.lower().removeprefix("ql:")
        if fmt not in ("csv", "tsv", "xlsx"):
            raise ctx.error(raw, "format", "'format' is csv, tsv or xlsx")
    src.format = fmt
    src.delimiter = ctx.text(raw, "delimiter")
    if src.delimiter is not None:
        src.delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(src.delimiter, src.delimiter)
        if len(src.delimiter) != 1:
            raise ctx.error(raw, "delimiter", "'delimiter' is one character (write tab as '\\t')")
    src.encoding = ctx.text(raw, "encoding", "utf-8") or "utf-8"
    try:
        "".encode(src.encoding)
    except LookupError:
        raise ctx.error(raw, "encoding", f"unknown encoding {src.encoding!r}") from None
    src.quoting = ctx.text(raw, "quoting", "standard") or "standard"
    if src.quoting not in ("standard", "none"):
        raise ctx.error(raw, "quoting", "'quoting' is 'standard' or 'none' (quotes are ordinary characters)")
    src.sheet = ctx.text(raw, "sheet")
    src.header_row = ctx.integer(raw, "header_row", 1)
    src.header_rows = ctx.integer(raw, "header_rows", 1)
    if "missing" in raw:
        src.null = tuple(ctx.texts(raw, "missing"))
    src.optional = ctx.flag(raw, "optional", False)
    src.shipped = ctx.flag(raw, "shipped", False)
    cols = raw.get("columns") or {}
    if not isinstance(cols, Mapping):
        raise ctx.error(raw, "columns", "'columns' maps column names to cleaning rules")
    src.columns = [_column(ctx, str(k), v, prefixes, cols) for k, v in cols.items()]
    if "aligned" in raw:
        groups = raw["aligned"]
        if not isinstance(groups, list) or not groups:
            raise ctx.error(raw, "aligned", "'aligned' is a list of column names (or a list of such lists)")
        src.aligned = [[str(x) for x in g] for g in groups] if isinstance(groups[0], list) else \
            [[str(x) for x in groups]]
    return src


def _term(ctx: _Ctx, raw: Any, prefixes: Mapping[str, str], node: Any, key: Any, *, subject: bool = False,
          is_type: bool = False) -> TermSpec:
    if isinstance(raw, Mapping):
        ctx.keys(raw, {"value", "type", "datatype", "language", "fallback"}, "an object")
        value = ctx.text(raw, "value", required=True) or ""
        kind = ctx.text(raw, "type", "literal") or "literal"
        if kind not in ("iri", "literal"):
            raise ctx.error(raw, "type", "an object's 'type' is 'iri' or 'literal'")
        datatype = ctx.text(raw, "datatype")
        language = ctx.text(raw, "language")
        fallback = ctx.flag(raw, "fallback", False)
        if kind == "iri":
            value = _expand(value, prefixes, ctx, raw, "value")
        dt = _expand(datatype, prefixes, ctx, raw, "datatype") if datatype else None
        return TermSpec(value, kind, dt, language, fallback)
    if isinstance(raw, bool) or raw is None or isinstance(raw, list):
        raise ctx.error(node, key, "a subject or object is a text (or a mapping with 'value')")
    text = str(raw)
    if subject or is_type:
        return TermSpec(_expand(text.removesuffix("~iri"), prefixes, ctx, node, key), "iri")
    if text.endswith("~iri"):
        return TermSpec(_expand(text[:-4], prefixes, ctx, node, key), "iri")
    return TermSpec(text, "literal")


def _po(ctx: _Ctx, raw: Any, prefixes: Mapping[str, str], parent: Any, index: int) -> PredicateObject:
    if isinstance(raw, list):
        if len(raw) not in (2, 3):
            raise ctx.error(parent, index, "a po entry is [predicate, object] or [predicate, object, datatype]")
        pred = _expand(str(raw[0]), prefixes, ctx, parent, index)
        obj = _term(ctx, raw[1], prefixes, parent, index, is_type=pred == RDF_TYPE)
        if len(raw) == 3:
            extra = str(raw[2])
            if extra.endswith("~lang"):
                obj = TermSpec(obj.template, "literal", None, extra[:-5])
            else:
                obj = TermSpec(obj.template, "literal", _expand(extra, prefixes, ctx, parent, index))
        return PredicateObject(pred, (obj,))
    ctx.keys(raw, {"p", "predicates", "o", "objects", "when"}, "a po entry")
    p_raw = raw.get("p", raw.get("predicates"))
    o_raw = raw.get("o", raw.get("objects"))
    if p_raw is None or o_raw is None:
        raise ctx.error(raw, None, "a po entry needs 'p' and 'o'")
    pred = _expand(str(p_raw), prefixes, ctx, raw, "p" if "p" in raw else "predicates")
    okey = "o" if "o" in raw else "objects"
    objs = o_raw if isinstance(o_raw, list) else [o_raw]
    terms = tuple(_term(ctx, o, prefixes, raw, okey, is_type=pred == RDF_TYPE) for o in objs)
    return PredicateObject(pred, terms, _conditions(ctx, raw, "when"))


def _triples_map(ctx: _Ctx, name: str, raw: Any, prefixes: Mapping[str, str], parent: Any,
                 sources: set[str]) -> TriplesMap:
    ctx.keys(raw, _MAP_KEYS, f"mapping {name!r}")
    source = ctx.text(raw, "source") or ctx.text(raw, "sources")
    if source not in sources:
        raise ctx.error(raw, "source" if "source" in raw else None,
                        f"mapping {name!r}: 'source' must name one of the sources ({', '.join(sorted(sources))})")
    s_raw = raw.get("s", raw.get("subject"))
    if s_raw is None:
        raise ctx.error(raw, None, f"mapping {name!r} needs a subject 's'")
    subject = _term(ctx, s_raw, prefixes, raw, "s" if "s" in raw else "subject", subject=True)
    po_raw = raw.get("po", raw.get("predicateobjects")) or []
    if not isinstance(po_raw, list):
        raise ctx.error(raw, "po", "'po' is a list")
    po = [_po(ctx, item, prefixes, po_raw, i) for i, item in enumerate(po_raw)]
    keep = ctx.text(raw, "keep", "all") or "all"
    if keep not in ("all", "referenced"):
        raise ctx.error(raw, "keep", "'keep' is 'all' or 'referenced' (only subjects that other triples point at)")
    return TriplesMap(name=name, source=str(source), subject=subject, po=po, each=ctx.texts(raw, "each"),
                      when=_conditions(ctx, raw, "when"), keep=keep, pos=ctx.pos(parent, name))


def _resolver(ctx: _Ctx, name: str, raw: Any, prefixes: Mapping[str, str], parent: Any,
              sources: set[str]) -> ResolverSpec:
    ctx.keys(raw, {"iri", "mentions", "near_miss"}, f"resolver {name!r}")
    iri = _expand(ctx.text(raw, "iri", required=True) or "", prefixes, ctx, raw, "iri")
    mentions = []
    items = raw.get("mentions")
    if not isinstance(items, list) or not items:
        raise ctx.error(raw, "mentions", f"resolver {name!r} needs a list of 'mentions'")
    for item in items:
        ctx.keys(item, _MENTION_KEYS, "a mention")
        source = ctx.text(item, "source", required=True)
        if source not in sources:
            raise ctx.error(item, "source", f"unknown source {source!r}")
        m = Mention(source=str(source), column=ctx.text(item, "column", required=True) or "",
                    each=tuple(ctx.texts(item, "each")), pic=ctx.text(item, "pic"), vat=ctx.text(item, "vat"),
                    name=ctx.text(item, "name"), country=ctx.text(item, "country"), town=ctx.text(item, "town"))
        if not (m.pic or m.vat or m.name):
            raise ctx.error(item, None, "a mention needs at least one of 'pic', 'vat', 'name'")
        mentions.append(m)
    near = raw.get("near_miss", 92)
    if isinstance(near, bool) or not isinstance(near, int | float) or not 0 < float(near) <= 100:
        raise ctx.error(raw, "near_miss", "'near_miss' is a similarity score between 0 and 100")
    return ResolverSpec(name, iri, mentions, float(near), ctx.pos(parent, name))


def parse_mapping_text(text: str, path: str = "<mapping>") -> MappingSpec:
    """Parse the text of a mapping file; raise :class:`MappingError` with its position."""
    ctx = _Ctx(path)
    yaml = YAML(typ="rt", pure=True)
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        raise MappingError(path, line, col, f"not valid YAML: {err.problem or err.context}") from None
    if not isinstance(doc, Mapping):
        raise MappingError(path, 1, 1, "a mapping file is a YAML mapping with 'sources' and 'mappings'")
    ctx.keys(doc, _TOP, "the mapping file")
    prefixes = dict(PREFIXES)
    if "prefixes" in doc:
        if not isinstance(doc["prefixes"], Mapping):
            raise ctx.error(doc, "prefixes", "'prefixes' maps prefixes to namespace IRIs")
        prefixes.update({str(k): str(v) for k, v in doc["prefixes"].items()})
    name = ctx.text(doc, "mapping") or Path(path).stem
    srcs = doc.get("sources")
    if not isinstance(srcs, Mapping) or not srcs:
        raise ctx.error(doc, "sources" if "sources" in doc else None, "the mapping needs 'sources'")
    sources = [_source(ctx, str(k), v, prefixes, srcs) for k, v in srcs.items()]
    names = {s.name for s in sources}
    lookups: dict[str, tuple[str, str]] = {}
    for lk, lv in (doc.get("lookups") or {}).items():
        ctx.keys(lv, {"file", "delimiter"}, f"lookup {lk!r}")
        lookups[str(lk)] = (ctx.text(lv, "file", required=True) or "", ctx.text(lv, "delimiter", ",") or ",")
    for s in sources:
        for c in s.columns:
            if c.lookup is not None and c.lookup.table is not None and c.lookup.table not in lookups:
                raise MappingError(path, c.pos[0], c.pos[1],
                                   f"column {c.name!r}: unknown lookup table {c.lookup.table!r} "
                                   f"(declare it under 'lookups')")
    resolvers = [_resolver(ctx, str(k), v, prefixes, doc["resolve"], names)
                 for k, v in (doc.get("resolve") or {}).items()]
    maps_raw = doc.get("mappings")
    if not isinstance(maps_raw, Mapping) or not maps_raw:
        raise ctx.error(doc, "mappings" if "mappings" in doc else None, "the mapping needs 'mappings'")
    maps = [_triples_map(ctx, str(k), v, prefixes, maps_raw, names) for k, v in maps_raw.items()]
    return MappingSpec(
        name=name, path=path, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=ctx.text(doc, "title", name) or name,
        description=" ".join((ctx.text(doc, "description", "") or "").split()),
        prefixes=prefixes, sources=sources, lookups=lookups, resolvers=resolvers, maps=maps)


def parse_mapping(path: str | Path) -> MappingSpec:
    """Read and parse a mapping file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingInputError(str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise MissingInputError(str(path), f"cannot read the mapping: {err}") from None
    return parse_mapping_text(text, str(path))


def iter_columns(template_or_terms: Iterable[TermSpec]) -> list[str]:
    """Every column the terms refer to (in order, without repeats)."""
    seen: list[str] = []
    for t in template_or_terms:
        for c in t.columns:
            if c not in seen:
                seen.append(c)
    return seen
