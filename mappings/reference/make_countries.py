"""Regenerate countries.csv from the CORDIS country reference table (English rows).

Usage: python mappings/reference/make_countries.py PATH/TO/cordisref-countries.csv > mappings/reference/countries.csv

``code`` is the code CORDIS and Eurostat (NUTS) use (EL for Greece, UK for the United Kingdom);
``iso2`` the ISO 3166-1 alpha-2 code CORDIS gives; ``authority`` the code of the EU Publications
Office country authority table (ISO 3166-1 alpha-3, from pycountry; XKX for Kosovo, the EU's
user-assigned code); ``name`` the English CORDIS name. Codes without a known authority code are
left without one (an import then reports the value as unknown instead of guessing).
"""

from __future__ import annotations

import csv
import sys

import pycountry

SPECIAL = {"XK": "XKX", "MK": "MKD", "BQ": "BES"}


def main(path: str) -> None:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["language"] == "en"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "iso2", "authority", "name"])
    for r in sorted(rows, key=lambda r: r["euCode"]):
        iso2 = "" if r["isoCode"] == "NULL" else r["isoCode"]
        found = pycountry.countries.get(alpha_2=iso2) if iso2 else None
        authority = SPECIAL.get(r["euCode"]) or (found.alpha_3 if found else "")
        out.writerow([r["euCode"], iso2, authority, r["name"].strip()])


if __name__ == "__main__":
    main(sys.argv[1])
