"""Clean the columns of a table as its ``columns`` block declares (vectorised with polars).

Each rule turns raw text into a clean lexical form, in this order: take the value (``from``,
``coalesce`` or ``template``), ``strip`` padding, turn ``missing`` markers (``NA``, ...) into missing values,
``replace`` (regular expressions), add a ``prefix`` unless it is there, ``case``, ``split`` a
multi-valued cell into a list (empty
items from trailing delimiters are dropped), then for each value ``map``, ``lookup``, convert to
the ``type`` (``integer``, ``decimal`` with its ``decimal``/``thousands`` marks, ``date`` from
``format``, ``boolean``, ``year``) and check ``pattern``; finally ``required``. A value that
fails rejects its row (``on_error: reject``, the default) or is dropped (``on_error: drop``);
either way the rejects file says which row, column and why (``on_error: ignore`` drops it silently,
for a value that one of several alternative columns may fill).

Examples
--------
>>> import polars as pl
>>> from graph.imports.spec import ColumnRule
>>> frame = pl.DataFrame({"amount": ["383.520,00", "x", "NA"], "__row": [2, 3, 4]})
>>> rule = ColumnRule(name="amount", sources=["amount"], type="decimal", decimal=",", thousands=".",
...                   null=("NA",))
>>> out, rejects = clean_frame(frame, [rule], "ops.csv", {}, None)
>>> out["amount"].to_list(), [(r.row, r.reason) for r in rejects]
(['383520.00', None], [(3, "'x' is not a decimal number")])
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

import polars as pl

from ..errors import InputError
from .read import Reject
from .spec import ColumnRule, Condition, LookupSpec

__all__ = ["GraphLookup", "clean_frame", "condition_expr", "normalise_key"]

#: Resolves (class IRI, values) to {value: IRI or None (unknown) or "" (ambiguous)} from the graph.
GraphLookup = Callable[[str, Sequence[str]], dict[str, str | None]]

_BOOL = {"true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false",
         "y": "true", "n": "false", "ja": "true", "nein": "false", "wahr": "true", "falsch": "false",
         "oui": "true", "non": "false", "t": "true", "f": "false"}
_DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d+$"
_WS = "\u00a0\u2007\u202f \t\r\n"


_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
                          "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"})


def normalise_key(text: str) -> str:
    """Case-fold, strip accents (ł, ø, đ... included), turn punctuation into spaces and collapse them.

    >>> normalise_key("  Région de Bruxelles-Capitale / Brussels ")
    'region de bruxelles capitale brussels'
    >>> normalise_key("Photonics BW e.V.")
    'photonics bw ev'
    >>> normalise_key("SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ")
    'spolka z ograniczona odpowiedzialnoscia'
    """
    t = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = t.replace("&", " and ")
    t = re.sub(r"(?<=\w)\.(?=\w\.?)", "", t)  # e.V. -> ev, S.A. -> sa
    t = re.sub(r"[^\w]+", " ", t)
    return " ".join(t.split())


def _py_repl(repl: str) -> str:
    """Python-style ``\\1`` back-references in a replacement become polars' ``${1}``."""
    return re.sub(r"\\(\d+)", r"${\1}", repl)


def condition_expr(conds: Sequence[Condition]) -> pl.Expr:
    """A polars boolean expression that holds when every condition holds."""
    expr = pl.lit(True)
    for c in conds:
        col = pl.col(c.column)
        if c.present is not None:
            expr = expr & (col.is_not_null() if c.present else col.is_null())
        if c.equals:
            expr = expr & col.is_in(list(c.equals)).fill_null(False)
        if c.matches is not None:
            expr = expr & col.str.contains(c.matches).fill_null(False)
    return expr


class _Errors:
    """Collects (row, column, reason, value) for failed cells."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[tuple[int, str, str, str, str]] = []  # row, column, reason, value, on_error

    def add(self, frame: pl.DataFrame, mask: pl.Series, column: str, reason: Callable[[str], str],
            values: pl.Series, on_error: str) -> None:
        if not mask.any():
            return
        rows = frame["__row"].filter(mask).to_list()
        vals = values.filter(mask).to_list()
        for r, v in zip(rows, vals, strict=True):
            text = "" if v is None else str(v)
            self.items.append((int(r), column, reason(text), text[:80], on_error))


def _load_lookup(tables: Mapping[str, Sequence[Mapping[str, str]]], spec: LookupSpec,
                 column: str) -> dict[str, str]:
    assert spec.table is not None
    rows = tables.get(spec.table)
    if rows is None:
        raise InputError(f"column {column!r}: lookup table {spec.table!r} is not available")
    out: dict[str, str] = {}
    for record in rows:
        for c in (spec.key, spec.value):
            if c not in record:
                raise InputError(f"lookup table {spec.table!r} has no column {c!r} (columns: {', '.join(record)})")
        key = record[spec.key]
        k = normalise_key(key) if spec.match == "normalised" else key
        if record[spec.value] and k:
            out.setdefault(k, record[spec.value])
    return out


def _convert(flat: pl.DataFrame, rule: ColumnRule, errors: _Errors,
             tables: Mapping[str, Sequence[Mapping[str, str]]], graph_lookup: GraphLookup | None,
             null_tokens: Sequence[str]) -> pl.Series:
    """Apply the per-value steps to ``flat["v"]`` (text, nulls allowed); failed values become null."""
    v = flat["v"]
    name = rule.name
    if rule.mapping is not None:
        mapped = v.replace_strict(rule.mapping, default=None, return_dtype=pl.Utf8)
        miss = mapped.is_null() & v.is_not_null()
        if rule.map_other == "keep":
            mapped = pl.select(pl.when(miss).then(v).otherwise(mapped)).to_series()
        elif rule.map_other == "reject":
            known = ", ".join(sorted(rule.mapping)[:8])
            errors.add(flat, miss, name, lambda t: f"{t!r} is not one of the mapped values ({known})", v,
                       rule.on_error)
        v = mapped
    if rule.lookup is not None:
        lk = rule.lookup
        keys = v.map_elements(normalise_key, return_dtype=pl.Utf8) if lk.match == "normalised" else v
        if lk.graph_class is not None:
            if graph_lookup is None:
                raise InputError(f"column {name!r}: a graph lookup needs the graph to import into")
            distinct = [x for x in v.unique().drop_nulls().to_list()]
            found = graph_lookup(lk.graph_class, distinct)
            ambiguous = {k for k, iri in found.items() if iri == ""}
            table = {k: iri for k, iri in found.items() if iri}
            out = v.replace_strict(table, default=None, return_dtype=pl.Utf8)
            amb = v.is_in(list(ambiguous)).fill_null(False)
            errors.add(flat, amb, name, lambda t: f"{t!r} names several entities of the class in the graph", v,
                       rule.on_error)
            cls = lk.graph_class.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            errors.add(flat, out.is_null() & v.is_not_null() & ~amb, name,
                       lambda t: f"no {cls} named {t!r} in the graph", v, rule.on_error)
        else:
            table = _load_lookup(tables, lk, name)
            out = keys.replace_strict(table, default=None, return_dtype=pl.Utf8)
            errors.add(flat, out.is_null() & v.is_not_null(), name,
                       lambda t: f"{t!r} is not in the lookup table {lk.table!r}", v, rule.on_error)
        v = out
    original = v
    t = rule.type
    if t in ("integer", "decimal") and v.is_not_null().any():
        s = v
        if rule.thousands:
            s = s.str.replace_all(re.escape(rule.thousands), "")
        if t == "decimal":
            if rule.decimal == ",":
                s = s.str.replace_all(",", ".", literal=True)
            elif rule.decimal == "any":
                s = pl.select(pl.when(s.str.contains(",", literal=True) & ~s.str.contains(".", literal=True))
                              .then(s.str.replace_all(",", ".", literal=True)).otherwise(s)).to_series()
            s = s.str.replace(r"^\+", "")
            ok = s.str.contains(_DECIMAL).fill_null(False)
            sci = ok & s.str.contains("[eE]").fill_null(False)
            if sci.any():
                def plain(x: str) -> str:
                    try:
                        return format(Decimal(x), "f")
                    except InvalidOperation:  # pragma: no cover - the regex rules it out
                        return x
                s = pl.select(pl.when(sci).then(s.map_elements(plain, return_dtype=pl.Utf8)).otherwise(s)).to_series()
            errors.add(flat, ~ok & v.is_not_null(), name, lambda x: f"{x!r} is not a decimal number", original,
                       rule.on_error)
        else:
            ok = s.str.contains(_INTEGER).fill_null(False)
            errors.add(flat, ~ok & v.is_not_null(), name, lambda x: f"{x!r} is not a whole number", original,
                       rule.on_error)
            s = s.str.replace(r"^\+", "").str.replace(r"^(-?)0+(\d)", "${1}${2}")
        v = pl.select(pl.when(ok).then(s).otherwise(None)).to_series()
    elif t == "date":
        parsed = None
        for fmt in rule.formats:
            attempt = v.str.to_date(fmt, strict=False)
            parsed = attempt if parsed is None else parsed.fill_null(attempt)
        assert parsed is not None
        fmts = " or ".join(rule.formats)
        errors.add(flat, parsed.is_null() & v.is_not_null(), name, lambda x: f"{x!r} is not a date ({fmts})",
                   original, rule.on_error)
        v = parsed.dt.strftime("%Y-%m-%d")
    elif t == "boolean":
        b = v.str.to_lowercase().replace_strict(_BOOL, default=None, return_dtype=pl.Utf8)
        errors.add(flat, b.is_null() & v.is_not_null(), name, lambda x: f"{x!r} is not true or false", original,
                   rule.on_error)
        v = b
    elif t == "year":
        ok = v.str.contains(r"^\d{4}$").fill_null(False)
        errors.add(flat, ~ok & v.is_not_null(), name, lambda x: f"{x!r} is not a year (YYYY)", original,
                   rule.on_error)
        v = pl.select(pl.when(ok).then(v).otherwise(None)).to_series()
    if rule.pattern is not None:
        ok = v.str.contains(f"^(?:{rule.pattern})$").fill_null(True)
        pattern = rule.pattern
        errors.add(flat, ~ok, name, lambda x: f"{x!r} does not match the pattern {pattern}", v, rule.on_error)
        v = pl.select(pl.when(ok).then(v).otherwise(None)).to_series()
    return v.alias(name)


def _source_expr(frame: pl.DataFrame, rule: ColumnRule, file: str, null_tokens: Sequence[str]) -> pl.Series:
    def column(name: str) -> pl.Series:
        if name not in frame.columns:
            close = difflib.get_close_matches(name, [c for c in frame.columns if c != "__row"], n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
                f" (columns: {', '.join(c for c in frame.columns if c != '__row')})"
            raise InputError(f"{file}: no column {name!r} for the rule of column {rule.name!r}{hint}")
        s = frame[name]
        if s.dtype != pl.Utf8:
            return s
        if rule.strip:
            s = s.str.strip_chars(_WS)
        tokens = [t for t in null_tokens]
        return pl.select(pl.when(s.is_in(tokens)).then(None).otherwise(s)).to_series()

    if rule.template is not None:
        parts = re.split(r"(\$\([^)]*\))", rule.template)
        exprs = []
        cols = {}
        for p in parts:
            if p.startswith("$("):
                c = p[2:-1]
                cols[c] = column(c)
                exprs.append(pl.col(c))
            elif p:
                exprs.append(pl.lit(p))
        tmp = pl.DataFrame(cols) if cols else pl.DataFrame({"_": [None] * frame.height})
        return tmp.select(pl.concat_str(exprs).alias(rule.name)).to_series()
    series = [column(c) for c in rule.sources]
    if len(series) == 1:
        return series[0].alias(rule.name)
    return pl.select(pl.coalesce(series)).to_series().alias(rule.name)


def clean_frame(frame: pl.DataFrame, rules: Sequence[ColumnRule], file: str,
                tables: Mapping[str, Sequence[Mapping[str, str]]], graph_lookup: GraphLookup | None,
                null: Sequence[str] = ("",), aligned: Sequence[Sequence[str]] = ()) -> tuple[pl.DataFrame,
                                                                                               list[Reject]]:
    """Apply ``rules`` to ``frame``; return the frame without its rejected rows, and the rejects."""
    errors = _Errors(file)
    tokens0 = list(null)
    out = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars(_WS).is_in(tokens0)).then(None).otherwise(pl.col(c)).alias(c)
        for c in frame.columns if frame.schema[c] == pl.Utf8)
    for rule in rules:
        tokens = list(dict.fromkeys([*null, *rule.null]))
        base = _source_expr(out, rule, file, tokens)
        s = base
        for pat, repl in rule.replace:
            s = s.str.replace_all(pat, _py_repl(repl))
        if rule.replace and rule.strip:
            s = s.str.strip_chars(_WS)
        if rule.prefix is not None:
            add, unless = rule.prefix
            has = s.str.contains(unless).fill_null(True)
            s = pl.select(pl.when(has).then(s).otherwise(pl.lit(add) + s)).to_series()
        if rule.case == "upper":
            s = s.str.to_uppercase()
        elif rule.case == "lower":
            s = s.str.to_lowercase()
        if rule.replace or rule.case:
            s = pl.select(pl.when(s.is_in(tokens)).then(None).otherwise(s)).to_series()
        if rule.split is not None:
            rid = pl.Series("__rid", range(out.height), dtype=pl.Int64)
            lists = s.str.split(rule.split)
            flat = pl.DataFrame({"__rid": rid, "v": lists, "__row": out["__row"]}).explode("v")
            flat = flat.with_columns(pl.col("v").str.strip_chars(_WS))
            flat = flat.filter(pl.col("v").is_not_null() & (pl.col("v") != "") & ~pl.col("v").is_in(tokens))
            cleaned = _convert(flat.select("v", "__row"), rule, errors, tables, graph_lookup, tokens)
            flat = flat.with_columns(cleaned.alias("v")).filter(pl.col("v").is_not_null())
            agg = flat.group_by("__rid", maintain_order=True).agg(pl.col("v"))
            joined = pl.DataFrame({"__rid": rid}).join(agg, on="__rid", how="left", maintain_order="left")
            out = out.with_columns(joined["v"].alias(rule.name))
            if rule.required:
                missing = out[rule.name].is_null() | (out[rule.name].list.len() == 0)
                errors.add(out, missing, rule.name, lambda _x: "required value is missing", base, "reject")
        else:
            flat = pl.DataFrame({"v": s, "__row": out["__row"]})
            cleaned = _convert(flat, rule, errors, tables, graph_lookup, tokens)
            out = out.with_columns(cleaned.alias(rule.name))
            if rule.required:
                errors.add(out, cleaned.is_null() & base.is_null(), rule.name,
                           lambda _x: "required value is missing", base, "reject")
    rejects: list[Reject] = []
    bad_rows: set[int] = set()
    for row, column, reason, value, on_error in errors.items:
        if on_error == "reject":
            bad_rows.add(row)
            rejects.append(Reject(file, row, column, reason, value, "rejected"))
        elif on_error == "drop":
            rejects.append(Reject(file, row, column, reason, value, "value dropped"))
    for group in aligned:
        lens = [out[c].list.len().fill_null(0) for c in group]
        mismatch = pl.Series([False] * out.height)
        for other in lens[1:]:
            mismatch = mismatch | (other != lens[0])
        if mismatch.any():
            for row, *counts in zip(out["__row"].filter(mismatch).to_list(),
                                    *[ln.filter(mismatch).to_list() for ln in lens], strict=True):
                what = ", ".join(f"{c} has {n}" for c, n in zip(group, counts, strict=True))
                rejects.append(Reject(file, int(row), group[0], f"multi-valued columns do not line up: {what}",
                                      "", "rejected"))
                bad_rows.add(int(row))
    if bad_rows:
        out = out.filter(~pl.col("__row").is_in(sorted(bad_rows)))
    return out, sorted(set(rejects))
