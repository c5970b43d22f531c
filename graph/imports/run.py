"""``clusterkg import``: read, clean, resolve, map, link, validate and write one import.

:func:`import_tables` is the whole job; the CLI only parses options, calls it and prints
:meth:`ImportResult.summary`. Steps: read every input table as its source block says; clean its
columns (bad rows become rejects, the good rows go on); resolve organisations (one node per real
organisation); materialise the YARRRML mappings; link to the graph (never redefine a curated
entity; one English label and one most specific class per entity; a link to a node that is not
defined anywhere is left out and reported); add provenance (every node and participation derives
from its row; rows belong to the imported table, which records file name, checksum and mapping;
the run records date and inputs); write sorted N-Triples to a temporary file and validate them
against ``ontology/shapes-actors.ttl`` with the project's one SHACL validator, as they will be in
the graph (:meth:`graph.store.dataset.Dataset.validate_addition`); only then put the file in place,
with the rejects file and the merge report beside it.

The graph the import links into is a :class:`~graph.store.dataset.Dataset` (ontology, curated
data, ``--data`` files): the one every command opens, built once per set of files into the cache.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.imports.paths import mappings_dir
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> ops = pathlib.Path(__file__).resolve().parents[2] / "tests/imports/fixtures/real/osdata_ERDF_BaWue_2014-2020.csv"
>>> res = import_tables("erdf-operations-de", [ops], out=d / "erdf.nt", run_date="2026-01-01", progress=False)
>>> print(res.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
read 91 rows from 1 table; wrote 2,219 triples to .../erdf.nt; rejected 0 rows; merged 0 records into
69 organisations (1 near misses reported, 0 linked to curated entities)
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import fnmatch
import hashlib
import io
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import polars as pl
import pyoxigraph as ox

from ..errors import ClusterKGError, InputError, MissingInputError, RowsRejected, ValidationFailed
from ..namespaces import curie
from ..store.dataset import Dataset
from ..store.validate import ValidationReport, ValidationResult
from .clean import clean_frame
from .context import ImportContext
from .materialise import materialise, ntriples_literal
from .paths import actor_shapes_file, mappings_dir
from .read import Reject, Table, read_table
from .resolve import MergeRow, resolve
from .spec import MappingSpec, parse_mapping

__all__ = ["ImportResult", "assign_inputs", "find_mapping", "import_tables", "list_mappings", "printable"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
SKOS_EXACT = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
CKG = "https://w3id.org/clusterkg/ontology#"
SRC = "https://w3id.org/clusterkg/source/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"


@dataclass
class ImportResult:
    """What an import read, wrote, rejected and merged."""

    mapping: MappingSpec
    out: Path | None
    tables: list[Table]
    triples: int
    rejects: list[Reject]
    merges: list[MergeRow]
    organisations: int
    merged: int
    violations: list[ValidationResult]
    rejects_path: Path | None = None
    merges_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def input_tables(self) -> list[Table]:
        """The tables given as inputs (not the reference tables a mapping reads itself)."""
        shipped = {s.name for s in self.mapping.sources if s.shipped}
        return [t for t in self.tables if t.source not in shipped]

    @property
    def rows_read(self) -> int:
        return sum(t.rows for t in self.input_tables)

    @property
    def rejected_rows(self) -> int:
        return len({(r.file, r.row) for r in self.rejects if r.outcome == "rejected"})

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rejects if r.outcome == outcome)

    def summary(self) -> str:
        """The one summary line ``clusterkg import`` prints."""
        n = len(self.input_tables)
        where = f" to {self.out}" if self.out else ""
        extra = []
        if self.count("value dropped"):
            extra.append(f"{self.count('value dropped'):,} values dropped")
        if self.count("link left out"):
            extra.append(f"{self.count('link left out'):,} links left out")
        near = sum(1 for m in self.merges if m.rule.startswith("near miss"))
        curated = sum(1 for m in self.merges if m.rule.endswith("skos:exactMatch"))
        tail = f" ({', '.join(extra)})" if extra else ""
        text = (f"read {self.rows_read:,} rows from {n} table{'s' if n != 1 else ''}; wrote {self.triples:,} "
                f"triples{where}; rejected {self.rejected_rows:,} rows{tail}")
        if self.mapping.resolvers:
            text += (f"; merged {self.merged:,} records into {self.organisations:,} organisations ({near:,} near "
                     f"misses reported, {curated:,} linked to curated entities)")
        return printable(text)


def printable(text: str) -> str:
    """``text`` with control characters (other than none) escaped, safe to print on a terminal.

    >>> printable("row 3: 'A\\x1b[31mB'")
    "row 3: 'A\\\\x1b[31mB'"
    """
    return "".join(c if c.isprintable() or c == " " else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in text)


# -- finding mappings and inputs ----------------------------------------------------------------

def find_mapping(name: str | Path) -> Path:
    """A mapping file: a path, or the name of a shipped mapping (``clusterkg import --list``)."""
    p = Path(name)
    if p.is_file():
        return p
    shipped = mappings_dir() / f"{name}.yaml"
    if shipped.is_file():
        return shipped
    names = [m.stem for m in sorted(mappings_dir().glob("*.yaml"))]
    close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f" (shipped mappings: {', '.join(names)})"
    raise MissingInputError(str(name), f"no such mapping file or shipped mapping{hint}")


def list_mappings() -> list[MappingSpec]:
    """The shipped mappings, by name."""
    return [parse_mapping(p) for p in sorted(mappings_dir().glob("*.yaml"))]


def assign_inputs(spec: MappingSpec, inputs: Sequence[str | Path]) -> dict[str, Path]:
    """Which input file feeds which source: ``NAME=PATH``, else the source whose ``file`` pattern
    matches the file name, else the only source left."""
    wanted = [s for s in spec.sources if not s.shipped]
    names = {s.name for s in wanted}
    out: dict[str, Path] = {}
    rest: list[Path] = []
    for item in inputs:
        text = str(item)
        name, sep, path = text.partition("=")
        if sep and name in names and not Path(text).exists():
            out[name] = Path(path)
        else:
            rest.append(Path(text))
    unmatched = []
    for p in rest:
        hits = [s for s in wanted if s.name not in out and fnmatch.fnmatch(p.name.lower(), s.file.lower())]
        if hits:
            out[hits[0].name] = p
        else:
            unmatched.append(p)
    left = [s for s in wanted if s.name not in out]
    for p in unmatched:
        if len(left) == 1 and len(unmatched) == 1:
            out[left[0].name] = p
            left = []
        else:
            opts = ", ".join(f"{s.name} (a file like {s.file!r})" for s in wanted)
            raise InputError(f"{p}: which source of mapping {spec.name!r} is this? Sources: {opts}; "
                             f"name it as SOURCE=PATH")
    missing = [s for s in wanted if s.name not in out and not s.optional]
    if missing:
        s = missing[0]
        raise InputError(f"mapping {spec.name!r} needs an input for source {s.name!r} (a file like {s.file!r}); "
                         f"give it as {s.name}=PATH")
    return out


# -- helpers ------------------------------------------------------------------------------------

def _read_reference(path: Path, delimiter: str) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise MissingInputError(str(path), f"cannot read the lookup table: {err}") from None
    return [dict(r) for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _beside(spec: MappingSpec, name: str) -> Path:
    """A file a mapping names: beside the mapping file, else in the shipped mappings folder."""
    own = Path(spec.path).parent / name
    return own if own.is_file() else mappings_dir() / name


def _run_date(run_date: str | dt.date | None) -> str:
    if isinstance(run_date, dt.date):
        return run_date.isoformat()
    if run_date:
        try:
            return dt.date.fromisoformat(str(run_date)).isoformat()
        except ValueError:
            raise InputError(f"run date {run_date!r} is not YYYY-MM-DD") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.datetime.now(dt.UTC).date().isoformat()


class _Progress:
    """A stage progress bar on a terminal (tqdm), silent otherwise."""

    def __init__(self, total: int, enabled: bool | None, label: str) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=label, unit="step", disable=None if enabled is None else not enabled,
                        leave=False, dynamic_ncols=True)
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.bar.set_postfix_str(name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - t0, 3)
            self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _iri(s: str) -> str:
    return f"<{s}>"


# -- the import ---------------------------------------------------------------------------------

def import_tables(mapping: str | Path, inputs: Sequence[str | Path], *, out: str | Path | None = None,
                  rejects: str | Path | None = None, merges: str | Path | None = None, strict: bool = False,
                  data: Sequence[str | Path] = (), default_data: bool = True, dataset: Dataset | None = None,
                  run_date: str | dt.date | None = None, progress: bool | None = None) -> ImportResult:
    """Import ``inputs`` with ``mapping`` and write sorted N-Triples to ``out``.

    Parameters
    ----------
    mapping : str or Path
        A mapping file, or the name of a shipped mapping (``list_mappings()``).
    inputs : sequence of str or Path
        The input tables; ``SOURCE=PATH`` names the source a file feeds.
    out : str or Path, optional
        Where to write the N-Triples (default ``MAPPING.nt`` in the working folder).
    rejects, merges : str or Path, optional
        The rejects file (default ``OUT.rejects.csv``, written when there are rejects) and the merge
        report (default ``OUT.merges.csv``, always written).
    strict : bool
        Write nothing and raise :class:`graph.errors.RowsRejected` if any row is bad.
    data : sequence of paths
        Extra RDF files or folders of the graph the import links into (``--data``: earlier imports,
        the NUTS regions...).
    default_data : bool
        Link into the built-in curated data too (``--no-default-data`` leaves it out).
    dataset : Dataset, optional
        The graph the import links into, already open (the CLI passes the one every command
        opens); default ``Dataset(data, default_data=default_data)``, built into the cache on
        first use and reused afterwards.
    run_date : str or date, optional
        The run's date (default: ``$SOURCE_DATE_EPOCH`` or today), for reproducible output.
    progress : bool, optional
        Show a progress bar (default: on a terminal only).

    Raises
    ------
    graph.errors.InputError
        Unusable mapping or input (exit 2).
    graph.errors.RowsRejected
        ``strict`` and some rows are bad (exit 1).
    graph.errors.ValidationFailed
        The import breaks ``ontology/shapes-actors.ttl`` (exit 1); nothing is written. Its
        ``report`` holds the results, each naming the table and row its node came from.
    """
    try:
        spec = parse_mapping(find_mapping(mapping))
        assigned = assign_inputs(spec, inputs)
    except ClusterKGError as err:
        err.args = tuple(printable(a) if isinstance(a, str) else a for a in err.args)
        raise
    out_path = Path(out) if out is not None else Path(f"{spec.name}.nt")
    if out_path.suffix != ".nt":
        raise InputError(f"{out_path}: the import writes N-Triples; name the output file *.nt")
    if dataset is None:
        dataset = Dataset(data, default_data=default_data)
    if dataset.endpoint is not None:
        raise InputError("an import links into local files (--data), not into a SPARQL endpoint")
    bar = _Progress(10, progress, f"import {spec.name}")
    try:
        return _run(spec, assigned, out_path, rejects, merges, strict, dataset, run_date, bar)
    except ClusterKGError as err:  # messages name files and cells: make them safe to print
        err.args = tuple(printable(a) if isinstance(a, str) else a for a in err.args)
        raise
    finally:
        bar.close()


def _run(spec: MappingSpec, assigned: dict[str, Path], out_path: Path, rejects_arg: str | Path | None,
         merges_arg: str | Path | None, strict: bool, ds: Dataset, run_date: str | dt.date | None,
         bar: _Progress) -> ImportResult:
    date = _run_date(run_date)
    with bar.step("graph"):
        len(ds)  # opens the dataset: built into the cache the first time, read-only afterwards
        ctx = ImportContext(ds)
    with bar.step("read"):
        tables: dict[str, Table] = {}
        for src in spec.sources:
            path = _beside(spec, src.file) if src.shipped else assigned.get(src.name)
            if path is not None:
                tables[src.name] = read_table(path, src)
        lookups = {name: _read_reference(_beside(spec, f), delim) for name, (f, delim) in spec.lookups.items()}
    all_rejects: list[Reject] = [r for t in tables.values() for r in t.rejects]
    with bar.step("clean"):
        frames: dict[str, pl.DataFrame] = {}
        for name, table in tables.items():
            src = spec.source(name)
            frame, rej = clean_frame(table.frame, src.columns, table.file_name, lookups, ctx.lookup_labels,
                                     src.null, src.aligned)
            frames[name] = frame
            all_rejects.extend(rej)
    with bar.step("resolve"):
        merges: list[MergeRow] = []
        curated_links: list[tuple[str, str]] = []
        organisations = merged = 0
        for resolver in spec.resolvers:
            usable = [m for m in resolver.mentions if m.source in frames]
            if not usable:
                continue
            res = resolve(type(resolver)(resolver.name, resolver.iri_prefix, usable, resolver.near_miss),
                          frames, ctx.organisations)
            frames = res.frames
            merges.extend(res.report)
            curated_links.extend(res.curated_links)
            organisations += res.groups
            merged += res.merged
    with bar.step("map"):
        types = {s.name: {c.name: c.datatype for c in s.columns} for s in spec.sources}
        files = {name: t.file_name for name, t in tables.items()}
        triples, rej = materialise(spec, frames, files, types)
        all_rejects.extend(rej)
    run_id = hashlib.sha256((spec.sha256 + "".join(f"{n}:{t.sha256}" for n, t in sorted(tables.items())))
                            .encode()).hexdigest()[:12]
    src_files = [tables[s.name].file_name if s.name in tables else "" for s in spec.sources]
    with bar.step("link"):
        triples, rej = _link(triples, spec, ctx, curated_links, src_files)
        all_rejects.extend(rej)
    all_rejects = sorted(set(all_rejects))
    if strict and all_rejects:
        bad = all_rejects[:10]
        lines = "; ".join(f"{r.file}:{r.row}: {r.column}: {r.reason}" for r in bad)
        if rejects_arg is not None:
            _write_rejects(Path(rejects_arg), all_rejects)
        raise RowsRejected(all_rejects, printable(f"--strict: {len(all_rejects)} bad row(s) or value(s), nothing "
                                                  f"written (first: {lines})"))
    with bar.step("provenance"):
        rows = triples.select("s", "src", "row").sort("src", "row").unique("s", keep="first")
        final = _with_provenance(triples, spec, tables, run_id, date, all_rejects)
        del triples
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with bar.step("write"):
            n_triples = _write_ntriples(tmp, final)
            focus, known = _nodes(final, ctx)
            del final
        with bar.step("validate"):
            report = _validate(tmp, ctx, focus, known, rows, src_files)
            errors = sorted((r for r in report.results if r.severity == "Violation"), key=_by_row)
            if errors:
                shown = "; ".join(r.line() for r in errors[:20])
                raise ValidationFailed(report, printable(f"the import breaks {len(errors)} shape constraint(s) "
                                                         f"(nothing written): {shown}"))
        os.replace(tmp, out_path)
    finally:
        if tmp.exists():
            tmp.unlink()
    with bar.step("reports"):
        rejects_path = Path(rejects_arg) if rejects_arg is not None else out_path.with_suffix(".rejects.csv")
        if all_rejects or rejects_arg is not None:
            _write_rejects(rejects_path, all_rejects)
        elif rejects_path.exists():
            rejects_path.unlink()
        merges_path = Path(merges_arg) if merges_arg is not None else out_path.with_suffix(".merges.csv")
        _atomic_write(merges_path, _csv_bytes(["kept_id", "merged_ids", "rule", "score"],
                                              [(curie(m.kept_id), " ".join(curie(x) if x.startswith("http") else x
                                                                           for x in m.merged_ids.split()),
                                                m.rule, f"{m.score:g}") for m in merges]))
    return ImportResult(spec, out_path, list(tables.values()), n_triples, all_rejects, merges, organisations,
                        merged, report.results, rejects_path if (all_rejects or rejects_arg) else None, merges_path,
                        bar.timings)


def _write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    _atomic_write(path, _csv_bytes(["file", "row", "column", "reason", "value", "outcome"],
                                   [(r.file, r.row, r.column, r.reason, r.value, r.outcome) for r in rejects]))


def _frame(values: Iterable[str], name: str) -> pl.DataFrame:
    return pl.DataFrame({name: pl.Series(sorted(values), dtype=pl.Utf8)})


def _link(t: pl.DataFrame, spec: MappingSpec, ctx: ImportContext, curated_links: Sequence[tuple[str, str]],
          files: Sequence[str]) -> tuple[pl.DataFrame, list[Reject]]:
    """Link the triples to the graph: prune, never redefine curated entities, one label and one class
    per entity, no dangling links. (Set operations are joins: fast on millions of rows.)"""
    rejects: list[Reject] = []
    # 1. Mappings kept only where referenced (reference tables: countries, programme parts), transitively.
    referenced_ranks = [i for i, m in enumerate(spec.maps) if m.keep == "referenced"]
    if referenced_ranks:
        optional = (pl.col("rank") % 10_000).is_in(referenced_ranks)
        kept = t.filter(~optional)
        pending = t.filter(optional)
        used = kept.select(pl.col("o").alias("s")).unique()
        while pending.height:
            take = pending.join(used, on="s", how="semi")
            if not take.height:
                break
            kept = pl.concat([kept, take])
            pending = pending.join(used, on="s", how="anti")
            used = take.select(pl.col("o").alias("s")).unique()
        t = kept
    # 2. Nothing about curated entities (links to them stay).
    t = t.join(_frame((_iri(x) for x in ctx.curated_subjects), "s"), on="s", how="anti")
    # 3. Links from imported organisations to the curated ones they match.
    if curated_links:
        extra = pl.DataFrame({"s": [_iri(a) for a, _ in curated_links], "p": [SKOS_EXACT] * len(curated_links),
                              "o": [_iri(b) for _, b in curated_links]})
        firsts = (t.join(extra.select("s").unique(), on="s", how="semi").group_by("s")
                  .agg(pl.col("src").first(), pl.col("row").min(), pl.col("rank").min()))
        extra = extra.join(firsts, on="s", how="inner").with_columns(pl.lit("").alias("ref"))
        t = pl.concat([t, extra.select(t.columns).cast(dict(t.schema.items()))])
    # 4. One most specific entity class per subject.
    is_type = pl.col("p") == RDF_TYPE
    types = t.filter(is_type).join(_frame((_iri(c) for c in ctx.entity_classes), "o"), on="o", how="semi")
    multi = types.group_by("s").agg(pl.col("o").unique()).filter(pl.col("o").list.len() > 1)
    drop: list[tuple[str, str]] = []
    for s, classes in multi.iter_rows():
        plain = {c[1:-1] for c in classes}
        for c in plain:
            if any(c in ctx.superclasses.get(other, ()) for other in plain if other != c):
                drop.append((s, _iri(c)))
    if drop:
        d = pl.DataFrame({"s": [a for a, _ in drop], "p": [RDF_TYPE] * len(drop), "o": [b for _, b in drop]})
        t = t.join(d, on=["s", "p", "o"], how="anti")
    # 5. One English label per subject: the first mapping's, the graph's if it has one; others are altLabels.
    is_label = (pl.col("p") == RDFS_LABEL) & pl.col("o").str.ends_with('"@en')
    labels = t.filter(is_label).unique(["s", "o"], keep="first").sort(["s", "rank", "row", "o"])
    if labels.height:
        others = t.filter(~is_label)
        ctx_labels = ctx.english_labels(_defined(labels, ctx))
        ctx_lit = pl.DataFrame({"s": pl.Series([_iri(x) for x in ctx_labels], dtype=pl.Utf8),
                                "__ctx": ntriples_literal(pl.Series(list(ctx_labels.values()), dtype=pl.Utf8), None,
                                                          "en")})
        labels = labels.join(ctx_lit, on="s", how="left")
        first = labels.group_by("s", maintain_order=True).agg(pl.col("o").first().alias("__first"))
        labels = labels.join(first, on="s", how="left")
        fallback = pl.col("rank") >= 10_000
        kept_is_ctx = pl.col("__ctx").is_not_null()
        keep_as_label = ~kept_is_ctx & (pl.col("o") == pl.col("__first"))
        drop_it = (kept_is_ctx & (pl.col("o") == pl.col("__ctx"))) | (fallback & ~keep_as_label)
        labels = (labels.filter(~drop_it)
                  .with_columns(pl.when(keep_as_label).then(pl.lit(RDFS_LABEL)).otherwise(pl.lit(SKOS_ALT)).alias("p"))
                  .drop("__ctx", "__first"))
        t = pl.concat([others, labels.select(others.columns)])
    # 6. Properties that take one value (sh:maxCount 1 in the shapes): the graph's value wins, then the
    #    first mapping's; a different value is left out and reported.
    t, dropped = _single_values(t, ctx, files)
    rejects.extend(dropped)
    # 7. Every subject must be defined (typed) here or in the graph, and links must point at defined nodes.
    defined = pl.concat([t.filter(is_type).select("s"),
                         _frame((_iri(x) for x in ctx.typed_subjects), "s")]).unique()
    bad = t.join(defined, on="s", how="anti")
    for s, p, src, row, ref in bad.select("s", "p", "src", "row", "ref").unique().sort(
            "src", "row", "s", "p").iter_rows():
        rejects.append(Reject(files[src], int(row), ref, f"{curie(s[1:-1])} is not defined by this import or the "
                              f"graph, so its {curie(p[1:-1])} is left out", curie(s[1:-1]), "link left out"))
    t = t.join(defined, on="s", how="semi")
    links = pl.col("p").is_in([_iri(p) for p in ctx.link_properties]) & pl.col("o").str.starts_with("<")
    t = t.with_row_index("__i")
    bad = t.filter(links).join(defined.rename({"s": "o"}), on="o", how="anti")
    for _s, p, o, src, row, ref in bad.select("s", "p", "o", "src", "row", "ref").unique().sort(
            "src", "row", "p", "o").iter_rows():
        rejects.append(Reject(files[src], int(row), ref, f"{curie(o[1:-1])} is not in the graph, so the "
                              f"{curie(p[1:-1])} link is left out (import or --data it first)", curie(o[1:-1]),
                              "link left out"))
    t = t.join(bad.select("__i"), on="__i", how="anti").drop("__i")
    return t, rejects


def _defined(t: pl.DataFrame, ctx: ImportContext) -> list[str]:
    """The subjects of ``t`` that the graph defines (has a type for), as plain IRIs."""
    found = t.select(pl.col("s").unique()).join(ctx.types.select(pl.col("node").alias("s")).unique(), on="s",
                                                how="semi")
    return sorted(found["s"].str.slice(1).str.strip_suffix(">").to_list())


def _show(term: str) -> str:
    """A term as a person reads it: a CURIE, or a literal's text."""
    if term.startswith("<"):
        return curie(term[1:-1])
    end = term.rfind('"')
    return term[1:end] if end > 0 else term


def _canon(col: str) -> pl.Expr:
    """A comparable form of a term: decimals by value (the store writes 95.0 as 95), others as written."""
    c = pl.col(col)
    dec = c.str.extract(r'^"([^"]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal>$', 1)
    return pl.when(dec.is_not_null()).then(dec.cast(pl.Float64, strict=False).cast(pl.Utf8)).otherwise(c)


@lru_cache(maxsize=2)
def _one_value(shapes: Path, mtime: float) -> tuple[tuple[str, str], ...]:
    """``(property, class)``: the shapes give ``sh:maxCount 1`` to the property (a predicate path) on
    the class's nodes."""
    store = ox.Store()
    store.load(path=str(shapes), format=ox.RdfFormat.TURTLE)
    res = store.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT DISTINCT ?p ?c WHERE { ?shape sh:targetClass ?c ; sh:property ?ps . ?ps sh:path ?p ; sh:maxCount 1 .
                                      FILTER(isIRI(?p)) FILTER NOT EXISTS { ?shape sh:deactivated true } }""")
    return tuple(sorted((row[0].value, row[1].value) for row in res))  # type: ignore[union-attr]


def _single_values(t: pl.DataFrame, ctx: ImportContext, files: Sequence[str]) -> tuple[pl.DataFrame, list[Reject]]:
    """Keep one value per subject for the properties the shapes say take one value."""
    single: dict[str, set[str]] = {}  # property -> the classes (with subclasses) it takes one value for
    shapes = actor_shapes_file()
    for prop, cls in _one_value(shapes, shapes.stat().st_mtime):
        if prop != RDFS_LABEL[1:-1]:
            single.setdefault(prop, set()).update(ctx.subclasses.get(cls, frozenset({cls})))
    rejects: list[Reject] = []
    if not t.height:
        return t, rejects
    t = t.with_row_index("__i")
    types = pl.concat([t.filter(pl.col("p") == RDF_TYPE).select(pl.col("s").alias("node"), pl.col("o").alias("cls")),
                       ctx.types])
    drop: list[int] = []
    for prop, classes in sorted(single.items()):
        rows = t.filter(pl.col("p") == _iri(prop))
        if not rows.height:
            continue
        targets = types.filter(pl.col("cls").is_in([_iri(c) for c in classes])).select(pl.col("node").alias("s"))
        rows = rows.join(targets.unique(), on="s", how="semi")
        if not rows.height:
            continue
        known = ctx.values_of(prop, _defined(rows, ctx))
        rows = rows.sort(["s", "rank", "row", "o"]).join(known, on="s", how="left")
        first = rows.group_by("s", maintain_order=True).agg(pl.col("o").first().alias("__first"))
        rows = rows.join(first, on="s", how="left")
        rows = rows.with_columns(_canon("o").alias("__k"), _canon("__ctx").alias("__kc"),
                                 _canon("__first").alias("__kf"))
        keep = pl.when(pl.col("__ctx").is_not_null()).then(pl.col("__k") == pl.col("__kc")).otherwise(
            pl.col("__k") == pl.col("__kf"))
        bad = rows.filter(~keep)
        drop.extend(bad["__i"].to_list())
        # a different value is left out and reported (the graph's own value is kept: each import stays whole)
        for s, o, src, row, ref, other, same in bad.select(
                "s", "o", "src", "row", "ref", pl.coalesce("__ctx", "__first"),
                pl.coalesce("__kc", "__kf") == pl.col("__k")).unique().sort("src", "row", "s").iter_rows():
            if other is None or same:
                continue
            rejects.append(Reject(files[src], int(row), ref, f"{curie(s[1:-1])} already has {curie(prop)} "
                                  f"{_show(other)} (in the graph or an earlier row); this row's {_show(o)} is left out",
                                  _show(o)[:80], "value dropped"))
    t = t.filter(~pl.col("__i").is_in(sorted(set(drop)))).drop("__i")
    return t, rejects


def _write_ntriples(path: Path, final: pl.DataFrame) -> int:
    """Write the triples to ``path`` (the temporary file that is renamed into place once they are
    valid) as N-Triples sorted by subject, predicate and object, without duplicates; return how many."""
    lines = (final.sort(["s", "p", "o"])
             .select((pl.col("s") + " " + pl.col("p") + " " + pl.col("o") + " .").alias("l")))
    lines = lines.filter(pl.col("l") != pl.col("l").shift(1).fill_null(""))
    path.parent.mkdir(parents=True, exist_ok=True)
    lines.write_csv(path, include_header=False, quote_style="never", line_terminator="\n")
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())
    return lines.height


def _nodes(final: pl.DataFrame, ctx: ImportContext) -> tuple[list[str], list[str]]:
    """The import's subjects (the nodes to validate) and the IRIs it mentions that the graph defines."""
    def plain(col: pl.Expr) -> pl.Expr:
        return col.str.slice(1).str.strip_suffix(">")

    subjects = final.select(pl.col("s").unique())
    mentioned = pl.concat([subjects, final.filter(pl.col("o").str.starts_with("<")).select(pl.col("o").alias("s"))
                          .unique()]).unique()
    known = mentioned.join(ctx.types.select(pl.col("node").alias("s")).unique(), on="s", how="semi")
    return (subjects.select(plain(pl.col("s")))["s"].to_list(), known.select(plain(pl.col("s")))["s"].to_list())


def _by_row(result: ValidationResult) -> tuple[str, int, str]:
    """Results in the order of the tables' rows (``file, row N``)."""
    file, _, row = result.source_file.rpartition(", row ")
    return (file, int(row), result.line()) if row.isdigit() else (result.source_file, 0, result.line())


def _validate(path: Path, ctx: ImportContext, focus: list[str], known: list[str], rows: pl.DataFrame,
              files: Sequence[str]) -> ValidationReport:
    """Check the written triples against the actor shapes, as they will be in the graph; each result
    names the table and row its node came from."""
    added = ox.Store()
    added.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    where: dict[str, str] = {}

    def origin(iri: str) -> str:
        if not where:  # only when there are results
            where.update((s[1:-1], f"{files[src]}, row {row}") for s, src, row in rows.iter_rows())
        return where.get(iri, "")

    try:
        return ctx.ds.validate_addition(added, focus=focus, nodes=known, shapes=[actor_shapes_file()],
                                        origin=origin)
    finally:
        del added


def _with_provenance(t: pl.DataFrame, spec: MappingSpec, tables: dict[str, Table], run_id: str, date: str,
                     rejects: Sequence[Reject]) -> pl.DataFrame:
    """Every triple of the import (``s``, ``p``, ``o``): the mapped ones, their rows, the tables, the
    mapping and the run."""
    run = f"<{SRC}import-{run_id}>"
    mapping_iri = f"<{SRC}mapping-{spec.name}-{spec.sha256[:12]}>"
    doc_of = {i: f"{SRC}import-{run_id}-{s.name}" for i, s in enumerate(spec.sources)}
    # Every subject derives from the first row (per table) it came from.
    prov = t.group_by("s", "src").agg(pl.col("row").min())
    doc_expr = pl.col("src").replace_strict({i: f"<{d}" for i, d in doc_of.items()}, return_dtype=pl.Utf8)
    prov = prov.with_columns((doc_expr + pl.lit("-r") + pl.col("row").cast(pl.Utf8) + pl.lit(">")).alias("passage"))
    passages = prov.select("src", "row", "passage").unique()

    def lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
        return str(ntriples_literal(pl.Series([value]), datatype, lang)[0])

    meta: list[tuple[str, str, str]] = [
        (mapping_iri, RDF_TYPE, f"<{CKG}Mapping>"),
        (mapping_iri, RDFS_LABEL, lit(f"mapping {spec.name}: {spec.title}", lang="en")),
        (mapping_iri, f"<{CKG}fileName>", lit(Path(spec.path).name)),
        (mapping_iri, f"<{CKG}sha256>", lit(spec.sha256)),
        (run, RDF_TYPE, f"<{CKG}ImportRun>"),
        (run, RDFS_LABEL, lit(f"import of {date} with mapping {spec.name}", lang="en")),
        (run, f"<{DCT}date>", lit(date, XSD + "date")),
        (run, f"<{PROV}used>", mapping_iri),
    ]
    total_read = total_rejected = 0
    for i, src in enumerate(spec.sources):
        table = tables.get(src.name)
        if table is None:
            continue
        doc = f"<{doc_of[i]}>"
        n_rej = len({r.row for r in rejects if r.outcome == "rejected" and r.file == table.file_name})
        if not src.shipped:
            total_read += table.rows
            total_rejected += n_rej
        label = f"{table.file_name}, imported with mapping {spec.name} on {date}"
        meta += [
            (doc, RDF_TYPE, f"<{CKG}ImportedTable>"),
            (doc, RDFS_LABEL, lit(label, lang="en")),
            (doc, f"<{CKG}fileName>", lit(table.file_name)),
            (doc, f"<{CKG}sha256>", lit(table.sha256)),
            (doc, f"<{CKG}importedWith>", mapping_iri),
            (doc, f"<{DCT}bibliographicCitation>", lit(src.citation)),
            (doc, f"<{CKG}rowsRead>", lit(str(table.rows), XSD + "integer")),
            (doc, f"<{CKG}rowsRejected>", lit(str(n_rej), XSD + "integer")),
            (run, f"<{PROV}used>", doc),
        ]
    meta += [(run, f"<{CKG}rowsRead>", lit(str(total_read), XSD + "integer")),
             (run, f"<{CKG}rowsRejected>", lit(str(total_rejected), XSD + "integer"))]
    return pl.concat([
        t.select("s", "p", "o"),
        prov.select("s", pl.lit(DERIVED).alias("p"), pl.col("passage").alias("o")),
        passages.select(pl.col("passage").alias("s"), pl.lit(RDF_TYPE).alias("p"),
                        pl.lit(f"<{CKG}SourcePassage>").alias("o")),
        passages.select(pl.col("passage").alias("s"), pl.lit(f"<{CKG}inDocument>").alias("p"),
                        (doc_expr + ">").alias("o")),
        passages.select(pl.col("passage").alias("s"), pl.lit(f"<{CKG}locator>").alias("p"),
                        (pl.lit('"row ') + pl.col("row").cast(pl.Utf8) + pl.lit('"')).alias("o")),
        pl.DataFrame(meta, schema={"s": pl.Utf8, "p": pl.Utf8, "o": pl.Utf8}, orient="row"),
    ])
