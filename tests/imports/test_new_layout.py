"""A mapping written from docs/imports.md alone, for a spreadsheet unlike the shipped ones, works first time.

The table (made here, a FIXTURE) is a cluster's member list as an association might export it:
cp1252, ';'-separated, a title line and a blank line before the header, German numbers and dates,
'-' for unknown values, sectors in one cell with a trailing ',', members known by VAT number.
"""

from __future__ import annotations

from pathlib import Path

from graph.imports import import_tables

from .helpers import RUN_DATE, Chain, count, store_of

TABLE = """Mitgliederliste Photonics BW e.V. (FIXTURE: invented rows for clusterkg tests);;;;;;;;
;;;;;;;;
Nr.;Firma;USt-IdNr.;Ort;Land;Umsatz 2021;Beitritt;Branchen;Cluster
1;Lichtwerk Optik GmbH;DE 123 456 789;Jena;de;1.234.567,50;01.04.2019;Optik, Laser,;Photonics BW e.V.
2;LICHTWERK OPTIK GMBH;DE123456789;Jena;DE;-;01.04.2019;Optik,;Photonics BW e.V.
3;Strahl & Söhne KG;-;Aalen;DE;98.000,00;15.09.2020;Laser;Photonics BW e.V.
4;Faserwerk AG;DE987654321;Ulm;DE;500.000;31.11.2021;Faseroptik;Photonics BW e.V.
5;Quantum Lenses Ltd;XX;Cork;IE;75.000,00;02.02.2022;Optik, Quanten;Photonics BW e.V.
"""

MAPPING = """
mapping: cluster-members
title: Members of a cluster organisation (association export)
sources:
  members:
    file: "*mitglieder*.csv"
    citation: "Member list of Photonics BW e.V., export of 2022 (test fixture)"
    delimiter: ";"
    encoding: cp1252
    header_row: 3
    missing: ["", "-"]
    columns:
      name: {from: Firma, required: true}
      vat: {from: USt-IdNr., case: upper, replace: {'[^0-9A-Z]': ''}, pattern: "[A-Z]{2}[0-9A-Z]{2,13}",
            on_error: drop}
      town: {from: Ort}
      country: {from: Land, case: upper, lookup: {table: countries, key: code, value: authority}, required: true}
      turnover: {from: Umsatz 2021, type: decimal, decimal: ",", thousands: "."}
      joined: {from: Beitritt, type: date, format: "%d.%m.%Y"}
      sectors: {from: Branchen, split: ","}
      cluster: {from: Cluster, lookup: {class: ckg:ClusterOrganisation}, required: true}
lookups:
  countries: {file: reference/countries.csv}
resolve:
  organisation:
    iri: ckr:org-
    mentions:
      - {source: members, column: member, vat: vat, name: name, country: country, town: town}
mappings:
  member:
    source: members
    s: $(member)
    po:
      - [a, ckg:Organisation]
      - [rdfs:label, $(name), en~lang]
      - [ckg:vatNumber, $(vat)]
      - [ckg:town, $(town)]
      - [ckg:locatedIn, country:$(country)~iri]
      - [ckg:memberOf, $(cluster)~iri]
      - [dcterms:subject, $(sectors)]
"""


def test_a_mapping_from_the_docs_for_a_new_layout(tmp_path: Path, chain: Chain) -> None:
    table = tmp_path / "mitglieder-2022.csv"
    table.write_bytes(TABLE.encode("cp1252"))
    mapping = tmp_path / "members.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    res = import_tables(mapping, [table], out=tmp_path / "members.nt", data=[chain.out(n) for n in chain.results],
                        run_date=RUN_DATE, progress=False)
    rejected = {(r.row, r.column) for r in res.rejects if r.outcome == "rejected"}
    dropped = {(r.row, r.column) for r in res.rejects if r.outcome == "value dropped"}
    assert rejected == {(7, "joined")}  # 31.11.2021 is no date
    assert dropped == {(8, "vat")}  # "XX" is no VAT number: the value goes, the row stays
    store = store_of(tmp_path / "members.nt")
    # rows 4 and 5 are one organisation (same VAT number, name in capitals)
    assert count(store, "?o a ckg:Organisation") == 3
    assert count(store, "?o ckg:vatNumber 'DE123456789' ; ckg:memberOf ?c ; ckg:town 'Jena'") == 1
    assert count(store, "?o rdfs:label 'Strahl & Söhne KG'@en") == 1  # cp1252 read right
    assert count(store, "?o <http://purl.org/dc/terms/subject> ?s") == 5  # Optik, Laser; Laser; Optik, Quanten
    assert res.rows_read == 5 and res.organisations == 3
