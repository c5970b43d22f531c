"""Each quirk that ../shared/realdata/SOURCES.md names, read from the real file (or its real excerpt).

- NUTS2021.xlsx: headers with embedded line breaks -> ``test_nuts_headers_with_line_breaks``
- NUTS2021.xlsx: labels with trailing spaces -> ``test_nuts_padded_labels_and_blank_columns``
- NUTS2021.xlsx: columns J-S: no header; K-N hold Latin names for EL, BG, RS, MK, CY, ME ->
  ``test_nuts_padded_labels_and_blank_columns``
- NUTS2021.xlsx: query-table connections -> ``test_nuts_workbook_with_connections_opens``
- NUTS2021.xlsx: name in a different column at each level; extra-regio codes ->
  ``test_mappings.py::test_nuts_2021_regions_at_all_levels``
- NUTS2021.xlsx: typology sheets ("perdominantly" typo kept) -> ``test_nuts_other_sheet``
- cordisref-countries.csv: ';', every field quoted, UTF-8 BOM, EL/UK vs GR/GB ->
  ``test_cordis_countries_bom_semicolons_quotes``
- cordisref-FP7programmes.csv: ';', quoted when needed, doubled inner quotes, BOM ->
  ``test_fp7_programmes_doubled_quotes``
- cordisref-projectFundingSchemeCategory.csv: ASCII, ';' -> ``test_funding_schemes_ascii``
- cordisref-organizationActivityType.csv: the five activity types ->
  ``test_activity_types_match_the_ontology``
- cleantechtag_joint_results.csv: comma CSV with an unnamed index column ->
  ``test_cleantech_unnamed_index_and_multiline_records``
- cleantechtag_joint_results.csv: quoted newlines (records are not lines) ->
  ``test_cleantech_unnamed_index_and_multiline_records``
- cleantechtag_joint_results.csv: ';'-separated multi-valued fields -> ``test_cleantech_multivalued_cells``
- cleantechtag_joint_results.csv: EL/UK country codes, INNOSUP-02 rows ->
  ``test_mappings.py::test_cordis_h2020_projects``
- kohesio-data-export.tsv: trailing tab on every line -> ``test_kohesio_trailing_tab_bare_quotes``
- kohesio-data-export.tsv: bare double quotes (read with QUOTE_NONE) ->
  ``test_kohesio_trailing_tab_bare_quotes``
- kohesio-data-export.tsv: numbers in scientific notation -> ``test_kohesio_scientific_notation``
- kohesio-data-export.tsv: Cyrillic names, transliteration -> ``test_kohesio_cyrillic_names``
- kohesio-data-export.tsv: 37 cluster organisations, region names without NUTS ->
  ``test_mappings.py::test_kohesio_beneficiaries``
- eunets_h2020.csv.gz: gzipped CSV -> ``test_eunets_gzip_and_na``
- eunets_h2020.csv.gz: NA for missing values (contribution, country) -> ``test_eunets_gzip_and_na``
- eunets_h2020.csv.gz: EL and UK country codes -> ``test_eunets_gzip_and_na``
- eunets_programme_parts.csv.gz: several rows per project ->
  ``test_mappings.py::test_cordis_h2020_participations``
- osdata_ERDF_BaWue_2014-2020.csv: CRLF, German numbers "383.520,00", dd.mm.yyyy dates ->
  ``test_erdf_german_numbers_dates_crlf``
- osdata_ERDF_BaWue_2014-2020.csv: padded Land; "Postleitzahl" holds towns; rows without beneficiary ->
  ``test_erdf_padding_towns_missing_beneficiaries``
- mda_he_organization_df_100.csv: comma decimals in totalCost, bare country codes as nutsCode, "lat,lon" in
  one field -> ``test_he_comma_decimals_nuts_geolocation``
- any CSV: cp1252 encoding declared in the mapping -> ``test_cp1252_declared_and_undeclared``
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from graph.errors import InputError
from graph.imports import import_tables, parse_mapping
from graph.imports.read import read_table
from graph.imports.spec import SourceSpec

from .helpers import RUN_DATE, Chain, count, real, store_of


def _src(**kw: object) -> SourceSpec:
    return SourceSpec(name="t", file="*", citation="test", **kw)  # type: ignore[arg-type]


def _value(store, subject: str, predicate: str) -> str:  # type: ignore[no-untyped-def]
    res = list(store.query(f"SELECT ?v WHERE {{ <{subject}> <{predicate}> ?v }}"))
    assert len(res) == 1, res
    return res[0]["v"].value


# -- NUTS workbook --------------------------------------------------------------------------------

def test_nuts_headers_with_line_breaks() -> None:
    t = read_table(real("NUTS2021.xlsx"), _src(format="xlsx", sheet="Changes detailed NUTS 2016-2021"))
    # "NUTS level 1 \n(italics: NUTS 2016 else NUTS 2021)" becomes one line
    assert "NUTS level 1 (italics: NUTS 2016 else NUTS 2021)" in t.frame.columns
    assert all("\n" not in c and "  " not in c for c in t.frame.columns)


def test_nuts_padded_labels_and_blank_columns(chain: Chain) -> None:
    t = read_table(real("NUTS2021.xlsx"), _src(format="xlsx", sheet="NUTS & SR 2021"))
    assert t.frame.columns[:8] == ["Code 2021", "Country", "NUTS level 1", "NUTS level 2", "NUTS level 3",
                                   "NUTS level", "Country order", "Region order"]
    # Columns J-S have no header; columns that stay empty are left out, K-N repeat non-Latin names in
    # Latin script (SOURCES.md calls J-S blank: they are not, for six countries).
    assert "column_9" not in t.frame.columns and "column_19" not in t.frame.columns
    assert {"column_10", "column_11", "column_12", "column_13", "column_14"} <= set(t.frame.columns)
    padded = t.frame.filter(t.frame["Country"].str.ends_with("\xa0") | t.frame["NUTS level 2"].str.ends_with(" "))
    assert padded.height > 0  # the workbook pads some names (spaces, non-breaking spaces)
    store = store_of(chain.out("nuts"))
    assert count(store, "nuts:EL30 rdfs:label 'Attiki'@en ; skos:altLabel 'Aττική'") == 1
    assert count(store, "nuts:BG311 rdfs:label 'Vidin'@en ; skos:altLabel 'Видин'") == 1
    assert count(store, "?r rdfs:label ?l FILTER(REGEX(?l, '^\\\\s|\\\\s$'))") == 0


def test_nuts_workbook_with_connections_opens() -> None:
    with zipfile.ZipFile(real("NUTS2021.xlsx")) as z:
        assert any("connections" in n or "queryTable" in n for n in z.namelist())
    t = read_table(real("NUTS2021.xlsx"), _src(format="xlsx", sheet="NUTS & SR 2021"))
    assert t.frame.height == 2122  # 2,121 codes and one heading row


def test_nuts_other_sheet() -> None:
    t = read_table(real("NUTS2021.xlsx"), _src(format="xlsx", sheet="Urban-rural"))
    assert t.frame.columns[:2] == ["NUTS_ID", "URBRUR_2021"]
    assert "perdominantly urban" in set(t.frame["column_5"].to_list())  # the typo is kept, not corrected
    with pytest.raises(InputError, match="no sheet named 'Urban'"):
        read_table(real("NUTS2021.xlsx"), _src(format="xlsx", sheet="Urban"))


# -- CORDIS reference tables ----------------------------------------------------------------------

def test_cordis_countries_bom_semicolons_quotes() -> None:
    raw = real("cordisref-countries.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:4] == b'"'
    t = read_table(real("cordisref-countries.csv"), _src(delimiter=";"))
    assert t.frame.columns[:4] == ["euCode", "isoCode", "name", "language"]  # no BOM, no quotes
    assert t.rows == 1503
    en = t.frame.filter(t.frame["language"] == "en")
    assert en.height == 251
    pairs = dict(zip(en["euCode"].to_list(), en["isoCode"].to_list(), strict=True))
    assert pairs["EL"] == "GR" and pairs["UK"] == "GB"
    # the shipped reference table agrees with every English row
    shipped_path = Path(__file__).resolve().parents[2] / "mappings" / "reference" / "countries.csv"
    text = shipped_path.read_text(encoding="utf-8")
    shipped = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(shipped) == set(pairs)
    assert shipped["EL"]["authority"] == "GRC" and shipped["UK"]["authority"] == "GBR"


def test_fp7_programmes_doubled_quotes() -> None:
    t = read_table(real("cordisref-FP7programmes.excerpt.csv"), _src(delimiter=";"))
    assert t.frame.columns[:5] == ["RCN", "Code", "Title", "ShortTitle", "Language"]
    regions = t.frame.filter(t.frame["Code"] == "FP7-REGIONS")
    assert regions.filter(regions["Language"] == "en")["Title"].to_list() == [
        'Specific Programme "Capacities": Regions of knowledge and support for regional research-driven clusters']
    assert {"REGIONS-1", "REGIONS-2"} <= set(t.frame["Code"].to_list())


def test_funding_schemes_ascii() -> None:
    raw = real("cordisref-projectFundingSchemeCategory.csv").read_bytes()
    assert raw.isascii()
    t = read_table(real("cordisref-projectFundingSchemeCategory.csv"), _src(delimiter=";", encoding="ascii"))
    assert t.rows == 187
    assert dict(zip(t.frame["code"].to_list(), t.frame["title"].to_list(), strict=True))["SME-1"] == \
        "SME instrument phase 1"


def test_activity_types_match_the_ontology() -> None:
    t = read_table(real("cordisref-organizationActivityType.csv"), _src(delimiter=";"))
    codes = set(t.frame["Code"].to_list())
    assert codes == {"HES", "REC", "PRC", "PUB", "OTH"}
    mapped = parse_mapping(Path(__file__).resolve().parents[2] / "mappings" / "cordis-h2020-participations.yaml")
    rule = next(c for c in mapped.source("participations").columns if c.name == "type")
    assert rule.mapping is not None and set(rule.mapping) == codes
    onto = (Path(__file__).resolve().parents[2] / "ontology" / "actors.ttl").read_text(encoding="utf-8")
    for code in codes:
        assert f'skos:notation "{code}"' in onto


# -- CORDIS H2020 projects (cleantech subset) -----------------------------------------------------

def test_cleantech_unnamed_index_and_multiline_records() -> None:
    t = read_table(real("cleantechtag_joint_results.excerpt.csv"), _src())
    assert t.frame.columns[0] == "column_1"  # pandas' unnamed index column gets a name
    assert t.frame.columns[1:4] == ["rcn", "id", "acronym"]
    lines = real("cleantechtag_joint_results.excerpt.csv").read_text(encoding="utf-8").count("\n")
    assert t.rows == 14 and lines > t.rows + 1
    # row numbers count records, not lines: the last record is row 15 although it starts further down
    assert t.frame["__row"].to_list() == list(range(2, 16))
    assert any("\n" in v for v in t.frame["objective"].to_list())


def test_cleantech_multivalued_cells(chain: Chain) -> None:
    rows = list(csv.DictReader(io.StringIO(real("cleantechtag_joint_results.excerpt.csv").read_text(encoding="utf-8"),
                                           newline="")))
    multi = next(r for r in rows if r["programme"].count(";") >= 1)
    store = store_of(chain.out("projects"))
    n_parts = count(store, f"SELECT DISTINCT ?part {{ ckr:project-rcn-{multi['rcn']} ckg:partOf ?part }}")
    assert n_parts >= 1 and multi["programme"].count(";") + 1 >= n_parts
    names = [p for p in rows[0]["participants"].split(";") if p]
    assert count(store, f"?p ckg:inProject ckr:project-rcn-{rows[0]['rcn']} ; ckg:role ckg:Participant") == len(
        names)


# -- Kohesio ------------------------------------------------------------------------------------

def test_kohesio_trailing_tab_bare_quotes() -> None:
    raw = real("kohesio-data-export.excerpt.tsv").read_text(encoding="utf-8")
    assert all(line.endswith("\t") for line in raw.splitlines())
    t = read_table(real("kohesio-data-export.excerpt.tsv"), _src(format="tsv", quoting="none"))
    assert "column_8" not in t.frame.columns  # the empty field after the trailing tab is left out
    names = t.frame["Beneficiary Name"].to_list()
    assert '"Зора-ЕС" ЕООД' in names  # quotes are characters, not quoting
    # read with standard quoting, a field that starts with " swallows the tabs after it: the mapping
    # must say quoting: none (it does)
    standard = read_table(real("kohesio-data-export.excerpt.tsv"), _src(format="tsv"))
    assert '"Зора-ЕС" ЕООД' not in standard.frame["Beneficiary Name"].to_list()
    spec = parse_mapping(Path(__file__).resolve().parents[2] / "mappings" / "kohesio-beneficiaries.yaml")
    assert spec.source("beneficiaries").quoting == "none"


def test_kohesio_scientific_notation(chain: Chain) -> None:
    rows = list(csv.reader(io.StringIO(real("kohesio-data-export.excerpt.tsv").read_text(encoding="utf-8"),
                                       newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    i, row = next((i, r) for i, r in enumerate(rows) if "E" in r[3] and r[3][0].isdigit())
    store = store_of(chain.out("kohesio"))
    budget = _value(store, f"https://w3id.org/clusterkg/id/kohesio-beneficiary-r{i + 1}",
                    "https://w3id.org/clusterkg/ontology#totalBudget")
    assert float(budget) == float(row[3]) and "E" not in budget.upper()


def test_kohesio_cyrillic_names(chain: Chain) -> None:
    store = store_of(chain.out("kohesio"))
    assert count(store, "?o rdfs:label 'KABRON I PEKENЬO OOD'@en ; skos:altLabel 'КАБРОН И ПЕКЕНЬО ООД'") == 1
    assert count(store, "?o a ckg:ClusterOrganisation ; skos:altLabel ?n FILTER(CONTAINS(?n, 'КЛЪСТЕР'))") >= 10


# -- eunets -------------------------------------------------------------------------------------

def test_eunets_gzip_and_na(chain: Chain) -> None:
    assert real("eunets_h2020.excerpt.csv.gz").read_bytes()[:2] == b"\x1f\x8b"
    t = read_table(real("eunets_h2020.excerpt.csv.gz"), _src())
    assert t.frame.columns[:6] == ["rcn", "role", "pic", "type", "contribution", "country"]
    na = t.frame.filter(t.frame["contribution"] == "NA")
    assert na.height > 0
    store = store_of(chain.out("h2020"))
    for rcn, pic in na.select("rcn", "pic").rows()[:5]:
        assert count(store, f"ckr:participation-rcn-{rcn}-{pic} a ckg:Participation") == 1
        assert count(store, f"ckr:participation-rcn-{rcn}-{pic} ckg:ecContribution ?c") == 0
    no_country = t.frame.filter(t.frame["country"] == "NA")["pic"].to_list()
    assert no_country
    assert count(store, "?o ckg:locatedIn country:GRC ; ckg:pic ?p") == len(
        set(t.frame.filter(t.frame["country"] == "EL")["pic"].to_list()))


# -- ERDF list of operations --------------------------------------------------------------------

def test_erdf_german_numbers_dates_crlf(chain: Chain) -> None:
    raw = real("osdata_ERDF_BaWue_2014-2020.csv").read_bytes()
    assert b"\r\n" in raw and b'"383.520,00"' in raw and b"23.03.2016" in raw
    store = store_of(chain.out("erdf"))
    op = "https://w3id.org/clusterkg/id/operation-2014de16rfop001-r2"
    assert _value(store, op, "https://w3id.org/clusterkg/ontology#totalCost") == "383520"
    assert _value(store, op, "https://w3id.org/clusterkg/ontology#startDate") == "2016-03-23"
    assert _value(store, op, "https://w3id.org/clusterkg/ontology#endDate") == "2018-03-22"


def test_erdf_padding_towns_missing_beneficiaries(chain: Chain) -> None:
    rows = list(csv.DictReader(io.StringIO(real("osdata_ERDF_BaWue_2014-2020.csv").read_text(encoding="utf-8"),
                                           newline="")))
    assert rows[0]["Land"] == "Deutschland                   "
    store = store_of(chain.out("erdf"))
    assert count(store, "?b ckg:locatedIn country:DEU ; ckg:participatesIn ?o") == 80
    assert count(store, "?o ckg:town 'Gerstetten'") == 1  # the "Postleitzahl" column holds towns
    assert count(store, "?b rdfs:label ?l FILTER(STRENDS(?l, ' '))") == 0  # padded names are trimmed
    unnamed = sum(1 for r in rows if not r["Name des Begünstigten"].strip())
    assert unnamed == 11
    assert count(store, "?o rdfs:label ?l FILTER(STRSTARTS(?l, 'ERDF operation in '))") == unnamed


# -- Horizon Europe ------------------------------------------------------------------------------

def test_he_comma_decimals_nuts_geolocation(chain: Chain) -> None:
    rows = list(csv.DictReader(io.StringIO(real("mda_he_organization_df_100.csv").read_text(encoding="utf-8"),
                                           newline="")))
    store = store_of(chain.out("he"))
    first = rows[0]
    lat, lon = (float(x) for x in first["geolocation"].split(","))
    org = f"https://w3id.org/clusterkg/id/org-pic-{first['organisationID']}"
    assert float(_value(store, org, "https://w3id.org/clusterkg/ontology#latitude")) == lat
    assert float(_value(store, org, "https://w3id.org/clusterkg/ontology#longitude")) == lon
    bare = [r for r in rows if len(r["nutsCode"]) == 2]
    assert bare  # a bare country code where CORDIS has no NUTS 3 code: no region link for it
    for r in bare:
        assert count(store, f"<https://w3id.org/clusterkg/id/org-pic-{r['organisationID']}> ckg:locatedIn ?x "
                            f"FILTER(STRSTARTS(STR(?x), 'http://data.europa.eu/nuts/'))") == 0
    import polars as pl

    from graph.imports.clean import clean_frame
    from graph.imports.spec import ColumnRule

    comma = [r["totalCost"] for r in rows if "," in r["totalCost"]][:1]
    frame = pl.DataFrame({"totalCost": [*comma, "1499998"], "__row": [2, 3]})
    out, rej = clean_frame(frame, [ColumnRule(name="totalCost", sources=["totalCost"], type="decimal", decimal="any")],
                           "x", {}, None)
    assert out["totalCost"].to_list() == [comma[0].replace(",", "."), "1499998"] and not rej


# -- encodings ----------------------------------------------------------------------------------

def test_cp1252_declared_and_undeclared(tmp_path: Path) -> None:
    text = real("osdata_ERDF_BaWue_2014-2020.csv").read_bytes().decode("utf-8")
    cp = tmp_path / "ERDF_cp1252.csv"
    cp.write_bytes(text.encode("cp1252"))
    mapping = (Path(__file__).resolve().parents[2] / "mappings" / "erdf-operations-de.yaml").read_text(encoding="utf-8")
    declared = tmp_path / "erdf-cp1252.yaml"
    declared.write_text(mapping.replace("encoding: utf-8", "encoding: cp1252"), encoding="utf-8")
    res = import_tables(declared, [cp], out=tmp_path / "cp.nt", run_date=RUN_DATE, progress=False)
    utf = import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "utf.nt",
                        run_date=RUN_DATE, progress=False)
    assert res.triples == utf.triples
    assert count(store_of(tmp_path / "cp.nt"), "?o rdfs:label 'Photonics BW e.V.'@en") == 1
    with pytest.raises(InputError, match=r"ERDF_cp1252\.csv:\d+: byte .* is not valid utf-8 .*encoding: cp1252"):
        import_tables("erdf-operations-de", [cp], out=tmp_path / "bad.nt", progress=False)
    assert not (tmp_path / "bad.nt").exists()
