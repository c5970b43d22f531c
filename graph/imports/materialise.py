"""Turn cleaned tables into triples, as the YARRRML mappings say (vectorised with polars).

Each mapping gives one subject per row (per item of its ``each`` columns) and, for each ``po``
entry, one triple per row whose referenced cells are all present (one per item for a
multi-valued column). Terms are built as N-Triples text: IRIs from templates percent-encode
their ``$(column)`` values (RML's IRI-safe rule), a bare ``$(column)`` IRI must already be an
absolute IRI (else the value is dropped and reported), literals are escaped and typed
(explicitly, or by their column's cleaning ``type``).

The result is one frame of ``s``, ``p``, ``o`` (N-Triples terms), ``src`` (source index), ``row``
(row number), ``rank`` (mapping order, for choosing labels) and ``ref`` (the column an object came
from, for reports).

Examples
--------
>>> ntriples_literal(pl.Series(['say "hi"\\n']), None, None).to_list()
['"say \\\\"hi\\\\"\\\\n"']
>>> iri_safe(pl.Series(["DE212", "Baden-Württemberg"])).to_list()
['DE212', 'Baden-W%C3%BCrttemberg']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

import polars as pl

from .clean import condition_expr
from .read import Reject
from .spec import MappingSpec, TermSpec, TriplesMap

__all__ = ["IRI_PATTERN", "iri_safe", "materialise", "ntriples_literal"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$"
_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]"
_REF_SPLIT = re.compile(r"(\$\([^)]*\))")


def iri_safe(s: pl.Series) -> pl.Series:
    """Percent-encode every character outside RFC 3986's unreserved set (RML's IRI-safe values)."""
    s = s.cast(pl.Utf8)
    ok = s.str.contains(r"^[A-Za-z0-9._~-]*$").fill_null(True)
    if ok.all():
        return s
    bad = s.filter(~ok).unique().to_list()
    table = {v: quote(v, safe="-._~") for v in bad}
    return s.replace(table)


def _escape_controls(v: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04X}", v)


def ntriples_literal(s: pl.Series, datatype: str | None, language: str | None) -> pl.Series:
    """N-Triples literal terms for the values of ``s`` (nulls stay null)."""
    s = s.cast(pl.Utf8)
    esc = (s.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
           .str.replace_all("\n", "\\n", literal=True).str.replace_all("\r", "\\r", literal=True))
    ctrl = esc.str.contains(_CONTROL).fill_null(False)
    if ctrl.any():
        bad = esc.filter(ctrl).unique().to_list()
        esc = esc.replace({v: _escape_controls(v) for v in bad})
    if language:
        suffix = f'"@{language}'
    elif datatype and datatype != XSD_STRING:
        suffix = f'"^^<{datatype}>'
    else:
        suffix = '"'
    return pl.select(pl.lit('"') + pl.lit(esc) + pl.lit(suffix)).to_series()


class _Builder:
    """Builds the term columns of one frame, caching encoded columns."""

    def __init__(self, frame: pl.DataFrame, types: Mapping[str, str | None], file: str,
                 rejects: list[Reject]) -> None:
        self.frame = frame
        self.types = types
        self.file = file
        self.rejects = rejects
        self._safe: dict[str, pl.Series] = {}

    def _col(self, name: str) -> pl.Series:
        if name not in self.frame.columns:
            raise KeyError(name)
        return self.frame[name]

    def term(self, t: TermSpec) -> pl.Series:
        refs = t.columns
        parts = _REF_SPLIT.split(t.template)
        if not refs:  # a constant
            one = pl.Series([t.template], dtype=pl.Utf8)
            term = f"<{t.template}>" if t.kind == "iri" else ntriples_literal(one, t.datatype, t.language)[0]
            return pl.Series([term] * self.frame.height, dtype=pl.Utf8)
        if t.kind == "iri":
            if len(parts) == 3 and parts[0] == "" and parts[2] == "":  # a bare $(column): already an IRI
                col = self._col(refs[0]).cast(pl.Utf8)
                ok = col.str.contains(IRI_PATTERN).fill_null(True)
                if not ok.all():
                    for r, v in zip(self.frame["__row"].filter(~ok).to_list(), col.filter(~ok).to_list(),
                                    strict=True):
                        self.rejects.append(Reject(self.file, int(r), refs[0], f"{v!r} is not an absolute IRI",
                                                   str(v)[:80], "value dropped"))
                    col = pl.select(pl.when(ok).then(col).otherwise(None)).to_series()
                return pl.select(pl.lit("<") + pl.lit(col) + pl.lit(">")).to_series()
            exprs: list[pl.Expr] = [pl.lit("<")]
            cols: dict[str, pl.Series] = {}
            for p in parts:
                if p.startswith("$("):
                    c = p[2:-1]
                    if c not in self._safe:
                        self._safe[c] = iri_safe(self._col(c))
                    cols[f"__{len(cols)}"] = self._safe[c]
                    exprs.append(pl.col(f"__{len(cols) - 1}"))
                elif p:
                    exprs.append(pl.lit(p))
            exprs.append(pl.lit(">"))
            tmp = pl.DataFrame(cols) if cols else pl.DataFrame({"__x": [0] * self.frame.height})
            return tmp.select(pl.concat_str(exprs)).to_series()
        # a literal
        if len(parts) == 3 and parts[0] == "" and parts[2] == "":
            value = self._col(refs[0])
            datatype = t.datatype if t.datatype or t.language else self.types.get(refs[0])
        else:
            cols = {}
            exprs = []
            for p in parts:
                if p.startswith("$("):
                    cols[f"__{len(cols)}"] = self._col(p[2:-1]).cast(pl.Utf8)
                    exprs.append(pl.col(f"__{len(cols) - 1}"))
                elif p:
                    exprs.append(pl.lit(p))
            tmp = pl.DataFrame(cols) if cols else pl.DataFrame({"__x": [0] * self.frame.height})
            value = tmp.select(pl.concat_str(exprs)).to_series()
            datatype = t.datatype
        return ntriples_literal(value, datatype, t.language)


def _explode_lists(frame: pl.DataFrame, cols: Sequence[str], file: str, rejects: list[Reject]) -> pl.DataFrame:
    lists = [c for c in dict.fromkeys(cols) if c in frame.columns and isinstance(frame.schema[c], pl.List)]
    if not lists:
        return frame
    if len(lists) > 1:
        lens = [frame[c].list.len().fill_null(0) for c in lists]
        bad = pl.Series([False] * frame.height)
        for other in lens[1:]:
            bad = bad | (other != lens[0])
        if bad.any():
            for r in frame["__row"].filter(bad).to_list():
                rejects.append(Reject(file, int(r), lists[0], "multi-valued columns do not line up: "
                                      + ", ".join(lists), "", "value dropped"))
            frame = frame.filter(~bad)
    return frame.explode(lists)


def materialise(spec: MappingSpec, frames: Mapping[str, pl.DataFrame], files: Mapping[str, str],
                types: Mapping[str, Mapping[str, str | None]]) -> tuple[pl.DataFrame, list[Reject]]:
    """All triples of every mapping in ``spec``; ``files`` names the file of each source (for reports)."""
    src_index = {s.name: i for i, s in enumerate(spec.sources)}
    rejects: list[Reject] = []
    parts: list[pl.DataFrame] = []
    for rank, tm in enumerate(spec.maps):
        if tm.source not in frames:
            continue  # an optional source that was not given
        parts.extend(_map(tm, rank, frames[tm.source], src_index[tm.source], files[tm.source],
                          types.get(tm.source, {}), rejects))
    schema = {"s": pl.Utf8, "p": pl.Utf8, "o": pl.Utf8, "src": pl.Int32, "row": pl.Int64, "rank": pl.Int32,
              "ref": pl.Utf8}
    if not parts:
        return pl.DataFrame(schema=schema), rejects
    return pl.concat([p.select(list(schema)).cast(schema) for p in parts], how="vertical"), rejects  # type: ignore[arg-type]


def _map(tm: TriplesMap, rank: int, frame: pl.DataFrame, src: int, file: str, types: Mapping[str, str | None],
         rejects: list[Reject]) -> list[pl.DataFrame]:
    f = frame
    if tm.when:
        f = f.filter(condition_expr(tm.when))
    if tm.each:
        f = _explode_lists(f, tm.each, file, rejects)
    builder = _Builder(f, types, file, rejects)
    f = f.with_columns(builder.term(tm.subject).alias("__s")).filter(pl.col("__s").is_not_null())
    out = []
    for po in tm.po:
        g = f.filter(condition_expr(po.when)) if po.when else f
        for obj in po.objects:
            h = _explode_lists(g, obj.columns, file, rejects) if obj.columns else g
            b = _Builder(h, types, file, rejects)
            o = b.term(obj)
            rank_value = rank + (10_000 if obj.fallback else 0)
            t = (pl.DataFrame({"s": h["__s"], "o": o, "row": h["__row"]}).filter(pl.col("o").is_not_null())
                 .unique(["s", "o"], keep="first", maintain_order=True))
            out.append(t.with_columns(pl.lit(f"<{po.predicate}>").alias("p"), pl.lit(src).alias("src"),
                                      pl.lit(rank_value).alias("rank"),
                                      pl.lit(obj.columns[0] if obj.columns else "").alias("ref")))
    return out
