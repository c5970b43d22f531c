"""Read an input table (CSV, TSV, gzipped, XLSX) into a frame of text columns, as its source block says.

Every cell is read as text (cleaning and typing come later, from the ``columns`` block); the
``__row`` column holds each record's row number as a spreadsheet shows it (the header is row 1,
the first data row is row 2; a CSV record that spans several lines is one row). Column names are
the header text with runs of white space (line breaks included) collapsed to one space.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.imports.spec import SourceSpec
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("name;amount\\nA;1,5\\n\\nB;2\\n", encoding="utf-8")
>>> t = read_table(p, SourceSpec(name="t", file="t.csv", citation="x", delimiter=";"))
>>> t.frame.columns, t.frame["__row"].to_list(), t.rows
(['name', 'amount', '__row'], [2, 4], 2)
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import InputError, MissingInputError
from .spec import SourceSpec

__all__ = ["Reject", "Table", "read_table", "table_format"]

csv.field_size_limit(1 << 27)


@dataclass(frozen=True, order=True)
class Reject:
    """One line of the rejects file: a bad row (``rejected``) or a value left out (``value dropped``)."""

    file: str
    row: int
    column: str
    reason: str
    value: str = ""
    outcome: str = "rejected"


@dataclass
class Table:
    """One input table as read: its text frame, row count and checksum."""

    source: str
    path: Path
    sha256: str
    frame: pl.DataFrame
    rows: int
    rejects: list[Reject] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.path.name


def table_format(path: Path, spec: SourceSpec) -> str:
    """``csv``, ``tsv`` or ``xlsx``: the declared format, else the one the file name says."""
    if spec.format:
        return spec.format
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    return "csv"


def _header_names(rows: list[list[str]]) -> list[str]:
    width = max((len(r) for r in rows), default=0)
    names = []
    for i in range(width):
        parts = [r[i] for r in rows if i < len(r) and r[i] and r[i].strip()]
        names.append(" ".join(" ".join(parts).split()))
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 1
        out.append(n)
    return out


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig") else encoding
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: byte {raw[err.start:err.start + 1]!r} is not valid {encoding} "
                         f"(declare the file's encoding in the mapping, e.g. 'encoding: cp1252')") from None
    return text.removeprefix("\ufeff")


def _read_csv_fast(text: str, spec: SourceSpec, delimiter: str) -> pl.DataFrame | None:
    """The common case, read by polars (multi-threaded): standard quoting, no blank line, every row as
    wide as the header. ``None`` when the file needs the careful reader (which numbers rows exactly
    around blank lines and rejects rows with too many fields)."""
    if spec.quoting != "standard" or "\n\n" in text or "\n\r\n" in text or text.startswith(("\n", "\r\n")):
        return None
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), has_header=False, separator=delimiter, quote_char='"',
                            infer_schema=False, raise_if_empty=False).fill_null("")
    except Exception:  # polars' parse errors (ragged rows, stray quotes): use the careful reader
        return None
    first_data = spec.header_row + spec.header_rows - 1
    if frame.height < first_data:
        return None
    header_rows = [["" if v is None else str(v) for v in row] for row in frame.slice(spec.header_row - 1,
                                                                                     spec.header_rows).rows()]
    names = _header_names(header_rows)
    data = frame.slice(first_data)
    data = data.rename(dict(zip(data.columns, names, strict=True)))
    blank = pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in data.columns)
    rows = pl.Series("__row", range(first_data + 1, first_data + 1 + data.height), dtype=pl.Int64)
    return data.with_columns(rows).filter(~blank)


def _split_rows(rows: Iterable[tuple[int, list[str]]], spec: SourceSpec) -> tuple[list[list[str]], list[list[str]],
                                                                                  list[int]]:
    """Numbered rows of a table → its header rows, its records (blank ones skipped) and their numbers."""
    header_rows: list[list[str]] = []
    records: list[list[str]] = []
    numbers: list[int] = []
    first_data = spec.header_row + spec.header_rows - 1
    for n, cells in rows:
        if n < spec.header_row:
            continue
        if n <= first_data:
            header_rows.append(cells)
        elif any(c.strip() for c in cells):
            records.append(cells)
            numbers.append(n)
    return header_rows, records, numbers


def _read_csv(path: Path, raw: bytes, spec: SourceSpec, fmt: str) -> tuple[list[str], list[list[str]], list[int],
                                                                          list[Reject]]:
    text = _decode(raw, path, spec.encoding)
    delimiter = spec.delimiter or ("\t" if fmt == "tsv" else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_NONE if spec.quoting == "none" else csv.QUOTE_MINIMAL, strict=False)
    rejects: list[Reject] = []
    try:
        header_rows, records, numbers = _split_rows(enumerate(reader, start=1), spec)
    except csv.Error as err:
        raise InputError(f"{path}:{reader.line_num}: cannot read as {fmt.upper()}: {err}") from None
    if not header_rows:
        raise InputError(f"{path}: no header row (expected at row {spec.header_row})")
    names = _header_names(header_rows)
    width = len(names)
    kept_records: list[list[str]] = []
    kept_numbers: list[int] = []
    for n, rec in zip(numbers, records, strict=True):
        if len(rec) > width:
            extra = rec[width:]
            if any(f.strip() for f in extra):
                rejects.append(Reject(path.name, n, "", f"the row has {len(rec)} fields, the header {width}",
                                      delimiter.join(extra)[:80]))
                continue
            rec = rec[:width]
        elif len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        kept_records.append(rec)
        kept_numbers.append(n)
    return names, kept_records, kept_numbers, rejects


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _read_xlsx(path: Path, raw: bytes, spec: SourceSpec) -> tuple[list[str], list[list[str]], list[int]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(f"{path}: not a readable XLSX workbook ({err})") from None
    try:
        if spec.sheet is not None:
            if spec.sheet not in wb.sheetnames:
                raise InputError(f"{path}: no sheet named {spec.sheet!r} (sheets: {', '.join(wb.sheetnames)})")
            ws = wb[spec.sheet]
        else:
            ws = wb[wb.sheetnames[0]]
        rows = enumerate(ws.iter_rows(values_only=True), start=ws.min_row or 1)
        header_rows, records, numbers = _split_rows(((n, [_cell(v) for v in values]) for n, values in rows
                                                     if n >= spec.header_row), spec)
    finally:
        wb.close()
    names = _header_names(header_rows)
    width = len(names)
    records = [(r + [""] * (width - len(r)))[:width] for r in records]
    return names, records, numbers


def read_table(path: str | Path, spec: SourceSpec) -> Table:
    """Read ``path`` as ``spec`` says; rows with too many fields become rejects."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise MissingInputError(str(path)) from None
    except OSError as err:
        raise MissingInputError(str(path), f"cannot read: {err.strerror or err}") from None
    sha = hashlib.sha256(raw).hexdigest()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise InputError(f"{path}: broken gzip file ({err})") from None
    fmt = table_format(p, spec)
    rejects: list[Reject] = []
    if fmt != "xlsx":
        fast = _read_csv_fast(_decode(raw, p, spec.encoding), spec, spec.delimiter or ("\t" if fmt == "tsv" else ","))
        if fast is not None:
            keep = [c for c in fast.columns if c == "__row" or not re.fullmatch(r"column_\d+", c)
                    or (fast[c].str.strip_chars() != "").any()]
            frame = fast.select(keep)
            return Table(source=spec.name, path=p, sha256=sha, frame=frame, rows=frame.height, rejects=[])
    if fmt == "xlsx":
        names, records, numbers = _read_xlsx(p, raw, spec)
    else:
        names, records, numbers, rejects = _read_csv(p, raw, spec, fmt)
    columns = list(zip(*records, strict=True)) if records else [() for _ in names]
    data: dict[str, Any] = {}
    for name, col in zip(names, columns, strict=True):
        if re.fullmatch(r"column_\d+", name) and not any(v.strip() for v in col):
            continue  # a blank column (trailing delimiter, empty spreadsheet columns)
        data[name] = pl.Series(name, col, dtype=pl.Utf8)
    data["__row"] = pl.Series("__row", numbers, dtype=pl.Int64)
    frame = pl.DataFrame(data)
    return Table(source=spec.name, path=p, sha256=sha, frame=frame, rows=frame.height + len(rejects),
                 rejects=rejects)
