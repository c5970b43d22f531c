"""docs/imports.md teaches how to write a mapping: its tutorial, run as written, works.

The tutorial's YAML blocks (steps 1 to 4) are taken from the page as they are, put together into
one mapping file and run on a spreadsheet made here in the layout the page describes (a title row,
a header over two rows, German number format, dd/mm/yyyy dates, "n/a", clusters separated by "|").
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from graph.imports import import_tables

from .helpers import RUN_DATE, Chain, count, store_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "imports.md"


def tutorial_mapping() -> str:
    text = DOC.read_text(encoding="utf-8")
    part = text[text.index("## Write a mapping for your own spreadsheet"):text.index("**5. Run it")]
    return "".join(re.findall(r"```yaml\n(.*?)```", part, flags=re.S))


def test_tutorial_runs_as_written(tmp_path: Path, chain: Chain) -> None:
    mapping = tmp_path / "vouchers.yaml"
    mapping.write_text(tutorial_mapping(), encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Innovation vouchers 2022 (FIXTURE: invented rows for the docs test)"])
    ws.append(["Company", "Company", "Voucher", "Granted", "Coaching"])
    ws.append(["name", "country", "amount (EUR)", "on", "clusters"])
    ws.append(["Acme Robotics GmbH", "Germany", "12.500,00", "01/03/2022", "Photonics BW e.V. | GREEN TECH CLUSTER "
                                                                           "STYRIA GMBH"])
    ws.append(["Beta Foods SL", "Spain", "7.000,50", "15/04/2022", "n/a"])
    ws.append(["Gamma Oy", "Finland", "n/a", "31/02/2022", ""])  # no such date: rejected
    ws.append(["Delta SA", "France", "3.000,00", "01/05/2022", "Cluster of Atlantis"])  # unknown cluster: rejected
    ws.append(["Acme Robotics GmbH", "Germany", "1.000,00", "01/06/2022", ""])
    xlsx = tmp_path / "vouchers.xlsx"
    wb.save(xlsx)
    out = tmp_path / "vouchers.nt"
    res = import_tables(mapping, [xlsx], out=out, data=[chain.out(n) for n in chain.results], run_date=RUN_DATE,
                        progress=False)
    assert {(r.row, r.column) for r in res.rejects if r.outcome == "rejected"} == {(6, "granted"), (7, "coaches")}
    store = store_of(out)
    assert count(store, "?v a ckg:Project") == 3
    assert count(store, "?o a ckg:Organisation") == 2  # Acme (two vouchers) is one organisation
    assert count(store, "?v ckg:totalCost 12500.00 ; ckg:startDate '2022-03-01'^^<http://www.w3.org/2001/XMLSchema#date>"
                 ) == 1
    assert count(store, "?v ckg:linkedTo ?c") == 2
    assert res.summary().startswith("read 5 rows from 1 table")
