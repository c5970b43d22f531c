"""Sort the solutions of a local query in Python when Oxigraph's own ``ORDER BY`` would be slow.

pyoxigraph 0.5 compares the terms of an ``ORDER BY`` by reading their strings back from the
store at every comparison: sorting *n* rows costs about *n* log *n* dictionary reads (2-3 s for
56,000 rows at a million triples, where reading the rows themselves takes a fraction of that).
Upstream fixed it after 0.5.13 (oxigraph commit 5507799d, "compute ordering vector only once").

Until then, a query whose solution modifiers are a plain ``ORDER BY`` of variables (each
``?v``, ``ASC(?v)`` or ``DESC(?v)``), optionally followed by ``LIMIT`` and ``OFFSET``, runs without
them, and :func:`sort_solutions` orders the rows the way Oxigraph does: unbound first, then blank
nodes, IRIs and literals; IRIs and blank nodes by their string; literals of the string types by
lexical form, then datatype, then language tag; integers and decimals by value. A column holding
anything else (dates, doubles, a mix of strings and numbers) is not sorted here: the caller runs
the query as written. Rows that tie on every key keep the order the store produced them in
(SPARQL leaves their order open).

Examples
--------
>>> plan = plan_order("SELECT ?s ?n WHERE { ?s ?p ?n } ORDER BY DESC(?n) ?s LIMIT 2")
>>> plan.text, plan.keys, plan.offset, plan.limit
('SELECT ?s ?n WHERE { ?s ?p ?n } ', [('n', True), ('s', False)], 0, 2)
>>> rows = [(("u", "http://ex/b"), ("l", "1", XSD_INTEGER, None)),
...         (("u", "http://ex/a"), ("l", "1.0", XSD_DECIMAL, None)),
...         (("u", "http://ex/c"), ("l", "10", XSD_INTEGER, None))]
>>> [r[0][1] for r in sort_solutions(["s", "n"], rows, plan)]
['http://ex/c', 'http://ex/a']
>>> plan_order("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import QuerySyntaxError
from .safety import Token, tokenize

__all__ = ["OrderPlan", "plan_order", "sort_solutions"]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_STRINGS = {XSD_STRING, RDF_LANG_STRING}
_NUMBER = {XSD_INTEGER: re.compile(r"[+-]?[0-9]+"), XSD_DECIMAL: re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")}


@dataclass(frozen=True)
class OrderPlan:
    """A query split into its pattern part and the ordering, offset and limit of its solutions."""

    #: The query without its trailing ``ORDER BY ... [LIMIT n] [OFFSET n]``.
    text: str
    #: (variable name, descending) for each sort key, in order.
    keys: list[tuple[str, bool]]
    offset: int
    limit: int | None


def _offsets(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def plan_order(text: str) -> OrderPlan | None:
    """The :class:`OrderPlan` of a query ending in a plain ``ORDER BY`` of variables, else None.

    Only the outermost query's modifiers are looked at (a sub-select keeps its own); ``ORDER BY``
    of an expression, or anything after the modifiers (a trailing ``VALUES``), gives None.
    """
    try:
        tokens = tokenize(text)
    except QuerySyntaxError:  # reported by the query checker; here it only means "no plan"
        return None
    depth, start = 0, -1
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in "{(":
            depth += 1
        elif t.kind == "punct" and t.text in "})":
            depth -= 1
        elif depth == 0 and t.kind == "name" and t.text.upper() == "ORDER":
            start = i
    if start < 0 or start + 1 >= len(tokens) or tokens[start + 1].text.upper() != "BY":
        return None
    keys, i = _keys(tokens, start + 2)
    if not keys:
        return None
    modifiers: dict[str, int] = {}
    while i < len(tokens):
        word = tokens[i].text.upper()
        if word not in ("LIMIT", "OFFSET") or word in modifiers or i + 1 >= len(tokens) \
                or not tokens[i + 1].text.isdigit():
            return None
        modifiers[word] = int(tokens[i + 1].text)
        i += 2
    order = tokens[start]
    cut = _offsets(text)[order.line - 1] + order.column - 1
    return OrderPlan(text[:cut], keys, modifiers.get("OFFSET", 0), modifiers.get("LIMIT"))


def _keys(tokens: list[Token], i: int) -> tuple[list[tuple[str, bool]], int]:
    keys: list[tuple[str, bool]] = []
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "var":
            keys.append((t.text[1:], False))
            i += 1
        elif t.kind == "name" and t.text.upper() in ("ASC", "DESC"):
            inner = tokens[i + 1:i + 4]
            if [x.kind for x in inner] != ["punct", "var", "punct"] or (inner[0].text, inner[2].text) != ("(", ")"):
                return [], i
            keys.append((inner[1].text[1:], t.text.upper() == "DESC"))
            i += 4
        elif t.kind == "name" and t.text.upper() in ("LIMIT", "OFFSET"):
            break
        else:
            return [], i
    return keys, i


def _column_keys(values: Sequence[Any]) -> list[Any] | None:
    """Sort keys giving Oxigraph's order on this column's terms (one per value), or None if the
    column has terms whose order is not reproduced here."""
    families: set[str] = set()
    kinds: set[Any] = set()
    for t in values:
        if t is None:
            kinds.add(None)
        elif t[0] != "l":
            kinds.add(t[0])
        elif t[2] in _STRINGS:
            families.add("string")
            kinds.add(("l", t[2], t[3]))
        elif t[2] in _NUMBER and _NUMBER[t[2]].fullmatch(t[1]):
            families.add("number")
            kinds.add("number")
        else:
            return None
    if len(families) > 1:
        return None
    if len(kinds) == 1 and None not in kinds:  # one kind of term: its string (or number) alone orders it
        return [Decimal(t[1]) for t in values] if kinds == {"number"} else [t[1] for t in values]
    number = families == {"number"}

    def key(t: Any) -> tuple[Any, ...]:
        if t is None:
            return (0,)
        if t[0] == "b":
            return (1, t[1])
        if t[0] == "u":
            return (2, t[1])
        if number:
            return (3, Decimal(t[1]))
        return (3, t[1], t[2], t[3] or "")

    return [key(t) for t in values]


def sort_solutions(variables: Sequence[str], rows: list[tuple[Any, ...]],
                   plan: OrderPlan) -> list[tuple[Any, ...]] | None:
    """``rows`` (of :data:`~graph.sparql.results.EncodedTerm`) ordered, offset and limited as the
    plan says; None when a key is not a column of the answer or holds terms sorted only by Oxigraph."""
    columns: list[tuple[list[Any], bool]] = []
    for name, descending in plan.keys:
        if name not in variables:
            return None
        i = list(variables).index(name)
        keys = _column_keys([row[i] for row in rows])
        if keys is None:
            return None
        columns.append((keys, descending))
    order = list(range(len(rows)))
    runs: list[tuple[list[list[Any]], bool]] = []  # consecutive keys sorted the same way
    for keys, descending in columns:
        if runs and runs[-1][1] == descending:
            runs[-1][0].append(keys)
        else:
            runs.append(([keys], descending))
    for run, descending in reversed(runs):  # stable sorts, last run first: lexicographic order
        by: list[Any] = run[0] if len(run) == 1 else list(zip(*run, strict=True))
        order.sort(key=by.__getitem__, reverse=descending)
    ordered = [rows[i] for i in order]
    end = None if plan.limit is None else plan.offset + plan.limit
    return ordered[plan.offset:end]
