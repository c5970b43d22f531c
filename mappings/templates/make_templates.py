"""Regenerate the empty cluster-organisation templates (XLSX and CSV) beside this script.

Usage: python mappings/templates/make_templates.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
TITLE = "clusterkg cluster-organisation template: one row per cluster organisation (see the sheet 'How to fill in')"
COLUMNS = ["name", "country", "nuts_code", "town", "website", "ecosystems", "partnerships", "label", "note"]
HELP = [
    ("name", "required", "The organisation's name as it writes it, legal form included (Photonics BW e.V.)."),
    ("country", "required", "The country: English name (Germany) or two-letter code as CORDIS writes it (DE; EL for "
                            "Greece, UK for the United Kingdom)."),
    ("nuts_code", "optional", "The NUTS 2021 code of its region (DE11). Import the NUTS regions first to link it."),
    ("town", "optional", "The town of its address; it keeps apart organisations of the same name in one country."),
    ("website", "optional", "Its web site (https://... ; http:// is added when no scheme is given)."),
    ("ecosystems", "optional", "Industrial ecosystems it covers, as the graph names them, separated by ';' "
                               "(Digital; Electronics). clusterkg query \"SELECT ?l WHERE { ?e a "
                               "ckg:IndustrialEcosystem ; rdfs:label ?l }\" lists them."),
    ("partnerships", "optional", "Cluster partnerships or Euroclusters it is a member of, by name, separated by ';'."),
    ("label", "optional", "Its cluster management excellence label: Bronze, Silver or Gold."),
    ("note", "optional", "Anything else worth knowing, in English."),
]


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Cluster organisations"
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True)
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=3, column=i, value=c)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = 28
    dv = DataValidation(type="list", formula1='"Bronze,Silver,Gold"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("H4:H2000")
    ws.freeze_panes = "A4"
    help_ws = wb.create_sheet("How to fill in")
    help_ws.append(["column", "required?", "what to write"])
    for row in HELP:
        help_ws.append(list(row))
    help_ws.append([])
    help_ws.append(["Then: clusterkg import cluster-organisations this-file.xlsx --out my-clusters.nt"])
    wb.save(HERE / "cluster-organisations.xlsx")
    with open(HERE / "cluster-organisations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([TITLE])
        w.writerow([])
        w.writerow(COLUMNS)


if __name__ == "__main__":
    main()
