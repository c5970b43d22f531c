"""Every shipped mapping, run on a real file (or a real excerpt): what it produced, counted against the source.

The expected numbers are computed here from the input files with the standard library (csv,
gzip, openpyxl), independently of the import; the produced ones are counted in the output with
SPARQL.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import openpyxl

from graph.imports import list_mappings

from .helpers import FIXTURES, Chain, count, real, store_of

SHIPPED = {"nuts-2021", "cordis-horizon-europe", "cordis-h2020-participations", "cordis-h2020-projects",
           "erdf-operations-de", "kohesio-beneficiaries", "cluster-organisations"}


def _csv(path: Path, delimiter: str = ",", **kw: object) -> list[dict[str, str]]:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter, **kw))


def test_every_shipped_mapping_is_tested_here() -> None:
    assert {m.name for m in list_mappings()} == SHIPPED


def test_nuts_2021_regions_at_all_levels(chain: Chain) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(real("NUTS2021.xlsx").read_bytes()), read_only=True, data_only=True)
    ws = wb["NUTS & SR 2021"]
    def name(r: tuple) -> str:  # the Latin-script version (columns K-N) if any, else the official name
        cells = [str(v).strip() for v in (*r[10:14], *r[1:5]) if v is not None and str(v).strip()]
        return cells[0]

    codes = {str(r[0]): (int(r[5]), name(r)) for r in ws.iter_rows(min_row=2, values_only=True)
             if r[0] and r[5] is not None}
    wb.close()
    by_level = {lvl: sum(1 for v in codes.values() if v[0] == lvl) for lvl in range(4)}
    assert by_level == {0: 37, 1: 162, 2: 371, 3: 1551}  # as SOURCES.md counts them
    store = store_of(chain.out("nuts"))
    assert count(store, "?r a ckg:Region") == by_level[1] + by_level[2] + by_level[3]
    for level in (1, 2, 3):
        assert count(store, f"?r a ckg:Region ; ckg:nutsLevel {level}") == by_level[level]
    # parents: level 1 in its country (the EU authority IRI), levels 2-3 in the region one character shorter
    assert count(store, "?r ckg:nutsLevel 1 ; ckg:partOf ?c . FILTER(STRSTARTS(STR(?c), "
                        "'http://publications.europa.eu/resource/authority/country/'))") == by_level[1]
    assert count(store, "?r ckg:nutsLevel ?l ; ckg:partOf ?p ; ckg:nutsCode ?c . ?p ckg:nutsCode ?pc "
                        "FILTER(?l > 1 && ?pc = SUBSTR(?c, 1, STRLEN(?c) - 1))") == by_level[2] + by_level[3]
    # the name sits in a different column at each level; CORDIS/NUTS codes EL and UK are Greece and the UK
    assert count(store, "nuts:BE10 rdfs:label 'Région de Bruxelles-Capitale/ Brussels Hoofdstedelijk Gewest'@en"
                 ) == 1
    assert count(store, "nuts:EL30 ckg:locatedIn country:GRC") == 1
    assert count(store, "nuts:UKI ckg:partOf country:GBR") == 1
    assert count(store, "nuts:BEZZZ a ckg:Region") == 1  # extra-regio codes are regions too
    # every label is the workbook's name without its padding (some names have trailing spaces)
    labels = {c: lbl for c, (lvl, lbl) in codes.items() if lvl > 0}
    res = store.query("SELECT ?c ?l WHERE { ?r <https://w3id.org/clusterkg/ontology#nutsCode> ?c ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    got = {s["c"].value: s["l"].value for s in res}  # type: ignore[index, union-attr]
    assert got == labels
    # the one non-code row (a heading inside the table) is a reject, not a region
    res_nuts = chain.results["nuts"]
    assert {r.row for r in res_nuts.rejects if r.outcome == "rejected"} == {1847}


def test_erdf_operations(chain: Chain) -> None:
    rows = _csv(real("osdata_ERDF_BaWue_2014-2020.csv"))
    assert len(rows) == 91
    cluster = [r for r in rows if r["Bezeichnung der Interventionskategorie"].startswith(
        "Förderung von Clustern und Unternehmensnetzen")]
    named = [r for r in rows if r["Name des Begünstigten"].strip()]
    assert len(cluster) == 10 and len(rows) - len(named) == 11  # as SOURCES.md says
    store = store_of(chain.out("erdf"))
    assert count(store, "?o a ckg:Operation") + count(store, "?o a ckg:ClusterOperation") == 91
    assert count(store, "?o a ckg:ClusterOperation") == 10
    assert count(store, "?p a ckg:Participation") == len(named)
    beneficiaries = {(r["Name des Begünstigten"].strip(), r["Postleitzahl des Vorhabens oder andere "
                                                            "angemessene Standortindikatoren"].strip())
                     for r in named}
    assert count(store, "SELECT DISTINCT ?b { ?b ckg:participatesIn ?o }") == len(beneficiaries)
    # Regression: every beneficiary of a "support to clusters" operation was typed a cluster
    # organisation, the ministry and the city of Mannheim among them; the list does not say who
    # manages a cluster. They are organisations taking part in a cluster operation.
    assert count(store, "?b a ckg:ClusterOrganisation") == 0
    assert count(store, "SELECT DISTINCT ?b { ?b a ckg:Organisation ; ckg:participatesIn ?o . "
                        "?o a ckg:ClusterOperation }") == len({r["Name des Begünstigten"].strip() for r in cluster})
    assert count(store, "?b rdfs:label 'Ministerium für Finanzen und Wirtschaft Baden-Württemberg'@en ; "
                        "ckg:participatesIn ?o . ?o a ckg:ClusterOperation") == 1
    assert count(store, "?o ckg:partOf ckr:op-2014de16rfop001") == 91
    assert count(store, "ckr:op-2014de16rfop001 ckg:fundedBy ckr:erdf ; ckg:implements ckr:cohesion-policy") == 1


def test_kohesio_beneficiaries(chain: Chain) -> None:
    rows = list(csv.reader(io.StringIO(real("kohesio-data-export.excerpt.tsv").read_text(encoding="utf-8"),
                                       newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    assert header[-1] == "" and all(r[-1] == "" for r in body)  # every line ends with a tab
    store = store_of(chain.out("kohesio"))
    assert count(store, "?s a ckg:FundingSummary") == len(body)
    # one organisation per name (compared without case and punctuation) and country
    orgs = {(re.sub(r"\W+", "", r[2].casefold()), r[0]) for r in body}
    assert count(store, "?o a ?c . VALUES ?c { ckg:Organisation ckg:ClusterOrganisation }") == len(orgs)
    cluster = {(re.sub(r"\W+", "", r[2].casefold()), r[0]) for r in body
               if re.search(r"(?i)(cluster|клъстер|klast|klaszter)", r[2])}
    assert sum(1 for r in body if re.search(r"(?i)(cluster|клъстер|klast|klaszter)", r[2])) == 37
    assert count(store, "?o a ckg:ClusterOrganisation") == len(cluster)
    assert count(store, "?o ckg:beneficiaryOf ckr:cohesion-policy") == len(orgs)


def test_cordis_h2020_participations(chain: Chain) -> None:
    rows = _csv(real("eunets_h2020.excerpt.csv.gz"))
    parts = _csv(real("eunets_programme_parts.excerpt.csv.gz"))
    store = store_of(chain.out("h2020"))
    assert count(store, "?p a ckg:Participation") == len(rows)
    assert count(store, "?o a ckg:Organisation") == len({r["pic"] for r in rows})
    assert count(store, "?p a ckg:Project") == len({r["rcn"] for r in rows})
    assert count(store, "?p ckg:ecContribution ?c") == sum(1 for r in rows if r["contribution"] != "NA")
    rcns = {r["rcn"] for r in rows}
    linked = {(p["rcn"], p["programme_part"]) for p in parts if p["rcn"] in rcns}
    assert count(store, "?p a ckg:Project ; ckg:partOf ?part") == len(linked)
    assert count(store, "?p ckg:role ckg:Coordinator") == sum(1 for r in rows if r["role"] == "coordinator")
    # a programme-part row for a project that is not in the participations is reported, not imported
    left_out = [r for r in chain.results["h2020"].rejects if r.outcome == "link left out"]
    assert [r.value for r in left_out] == [f"ckr:project-rcn-{p['rcn']}" for p in parts if p["rcn"] not in rcns]
    # every project reaches Horizon 2020 through its programme part and pillar (Euratom projects reach the
    # Euratom programme, which CORDIS lists with Horizon 2020 and the graph links to it)
    assert count(store, "SELECT DISTINCT ?p { ?p a ckg:Project ; ckg:partOf+ ckr:horizon-2020 }") == len(
        {r for r, part in linked if part != "Euratom"})
    assert count(store, "ckr:euratom-2014-2018 ckg:linkedTo ckr:horizon-2020") == 1


def test_cordis_h2020_projects(chain: Chain) -> None:
    rows = _csv(real("cleantechtag_joint_results.excerpt.csv"))
    text = real("cleantechtag_joint_results.excerpt.csv").read_text(encoding="utf-8")
    assert text.count("\n") > len(rows) + 1  # objectives hold line breaks: records are not lines
    store = store_of(chain.out("projects"))
    assert count(store, "?p a ckg:Project") == len(rows)
    participants = sum(len([p for p in r["participants"].split(";") if p.strip()]) for r in rows)
    assert count(store, "?p a ckg:Participation") == participants + len(rows)
    assert count(store, "?p ckg:role ckg:Coordinator") == len(rows)
    el_uk = {r["rcn"]: r["coordinatorCountry"] for r in rows if r["coordinatorCountry"] in ("EL", "UK")}
    assert set(el_uk.values()) == {"EL", "UK"}
    for rcn, code in el_uk.items():
        iri = {"EL": "country:GRC", "UK": "country:GBR"}[code]
        assert count(store, f"?p ckg:inProject ckr:project-rcn-{rcn} ; ckg:role ckg:Coordinator ; "
                            f"ckg:participant ?o . ?o ckg:locatedIn {iri}") == 1
    innosup = [r["rcn"] for r in rows if r["topics"].startswith("INNOSUP-02")]
    assert len(innosup) == 2
    for rcn in innosup:
        assert count(store, f"ckr:project-rcn-{rcn} ckg:partOf ckr:h2020-innovation-in-smes") == 1


def test_cordis_horizon_europe(chain: Chain) -> None:
    orgs = _csv(real("mda_he_organization_df_100.csv"))
    projects = _csv(real("mda_he_project_df_100.csv"))
    store = store_of(chain.out("he"))
    assert count(store, "?o a ckg:Organisation") == len({r["organisationID"] for r in orgs})
    assert count(store, "?p a ckg:Participation") == len(orgs)
    assert count(store, "?p a ckg:Project") == len({r["projectID"] for r in orgs} | {r["id"] for r in projects})
    assert count(store, "?o ckg:vatNumber ?v") == len({r["organisationID"] for r in orgs if r["vatNumber"]})
    with_region = {r["organisationID"] for r in orgs if len(r["nutsCode"]) > 2}
    # NUTS regions come from the NUTS import given with --data: every code the workbook has is linked
    linked = count(store, "?o ckg:locatedIn ?r FILTER(STRSTARTS(STR(?r), 'http://data.europa.eu/nuts/'))")
    left_out = {r.value for r in chain.results["he"].rejects if r.outcome == "link left out"}
    assert linked + len(left_out) >= len(with_region) and left_out <= {"nuts:NL32B"}
    # totalCost keeps comma decimals in some rows: "2835524,25" is read as 2835524.25
    comma = [r for r in orgs if "," in r["totalCost"]]
    assert comma
    assert count(store, "?o ckg:totalCost 2835524.25") == 0  # organisation totals are not imported as such
    # projects are part of Horizon Europe, and of the programme part their legal basis names
    assert count(store, "?p a ckg:Project ; ckg:partOf ckr:horizon-europe") == sum(
        1 for r in projects if r["frameworkProgramme"] == "HORIZON")
    known = [r for r in projects if re.match(r"HORIZON\.\d", r["legalBasis"])]
    assert count(store, "?p a ckg:Project ; ckg:partOf ?part FILTER(?part != ckr:horizon-europe)") == len(known)
    assert count(store, "SELECT DISTINCT ?p { ?p ckg:participatesIn ?x . ?x ckg:partOf+ ckr:horizon-europe }") == len(
        {r["organisationID"] for r in orgs})
    assert [r.value for r in chain.results["he"].rejects if r.column == "part"] == [
        r["legalBasis"] for r in projects if not re.match(r"HORIZON\.\d", r["legalBasis"])]


def test_cluster_organisation_template(chain: Chain) -> None:
    rows = list(csv.reader(io.StringIO((FIXTURES / "cluster-organisations.fixture.csv").read_text(encoding="utf-8"),
                                       newline="")))
    body = [r for r in rows[3:] if any(r)]
    result = chain.results["clusters"]
    bad = {r.row for r in result.rejects if r.outcome == "rejected"}
    store = store_of(chain.out("clusters"))
    assert count(store, "?o a ckg:ClusterOrganisation") == len(body) - len(bad) == 4
    assert count(store, "?o skos:exactMatch ckr:vdi-vde-it") == 1
    assert count(store, "?o ckg:holdsLabel ckr:gold-label ; ckg:memberOf ckr:photonics4industry") == 1
    assert count(store, "?o ckg:coversEcosystem ckr:ecosystem-electronics") == 1
    assert count(store, "?o ckg:locatedIn nuts:EL53") == 1  # the NUTS region from the NUTS import
