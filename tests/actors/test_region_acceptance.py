"""Acceptance: the figures of three real regions equal those computed independently from the source rows.

The expected figures are computed here with pandas straight from the CSV excerpts of the real files
(``fixtures/README.md``), following the counting rules the profile states (``METHOD``), and never
through clusterkg: Germany (large), Malta (small) and Iceland (outside the EU).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from graph.actors.region import region_profile

from .conftest import real

ROOT = Path(__file__).resolve().parents[2]
CKR = "https://w3id.org/clusterkg/id/"


def _reference() -> tuple[dict[str, str], set[str]]:
    parts = pd.read_csv(ROOT / "mappings" / "reference" / "programme-parts.csv", dtype=str, keep_default_na=False)
    countries = pd.read_csv(ROOT / "mappings" / "reference" / "countries.csv", dtype=str, keep_default_na=False)
    return dict(zip(parts["key"], parts["part"], strict=True)), set(countries.loc[countries["authority"] != "", "code"])


@pytest.fixture(scope="module")
def source() -> dict[str, pd.DataFrame]:
    """Every participation (H2020 and Horizon Europe) with organisation, home, year, parts, framework."""
    part_of, valid = _reference()
    h = pd.read_csv(real("eunets_h2020.region.csv.gz"), dtype=str, keep_default_na=False)
    pp = pd.read_csv(real("eunets_programme_parts.region.csv.gz"), dtype=str, keep_default_na=False)
    he = pd.read_csv(real("mda_he_organization_df_100.csv"), dtype=str, keep_default_na=False)
    hp = pd.read_csv(real("mda_he_project_df_100.csv"), dtype=str, keep_default_na=False)

    h_parts = pp.assign(part=pp["programme_part"].map(part_of).fillna("")).groupby("rcn")["part"].apply(
        lambda s: sorted({p for p in s if p}))
    h2020 = pd.DataFrame({
        "project": "h2020-" + h["rcn"], "pic": h["pic"],
        "country": h["country"].where(h["country"].isin(valid), ""),
        "contribution": pd.to_numeric(h["contribution"].replace("NA", ""), errors="coerce"),
        "year": pd.to_numeric(h["start_date"].str[:4], errors="coerce"),
        "parts": h["rcn"].map(h_parts).apply(lambda v: v if isinstance(v, list) else []),
    })
    h2020["framework"] = h2020["parts"].apply(
        lambda ps: "horizon-2020" if any(p.startswith("h2020-") for p in ps) else "")

    def he_part(basis: str) -> str:
        key = re.sub(r"^(HORIZON\.[0-9]+(\.[0-9]+)?|H2020-EU\.[0-9]+(\.[0-9]+)?).*$", r"\1", basis)
        return part_of.get(key, "")

    proj = hp.set_index("id")
    he_rows = pd.DataFrame({
        "project": "he-" + he["projectID"], "pic": he["organisationID"],
        "country": he["country"].where(he["country"].isin(valid), ""),
        "contribution": pd.to_numeric(he["ecContribution"], errors="coerce"),
        "year": pd.to_numeric(he["projectID"].map(proj["startDate"]).str[:4], errors="coerce"),
        "parts": he["projectID"].map(proj["legalBasis"]).fillna("").map(he_part).apply(lambda p: [p] if p else []),
        "framework": he["projectID"].map(proj["frameworkProgramme"]).map({"HORIZON": "horizon-europe"}).fillna(""),
    })
    allp = pd.concat([h2020, he_rows], ignore_index=True)

    # where each organisation (PIC) is counted: its NUTS code (Horizon Europe), else its country
    nuts = he.loc[he["nutsCode"].str.len() > 2, ["organisationID", "nutsCode"]]
    best_nuts = nuts.sort_values("nutsCode").assign(n=lambda d: -d["nutsCode"].str.len()).sort_values(
        ["n", "nutsCode"]).groupby("organisationID")["nutsCode"].first()
    countries = allp.loc[allp["country"] != ""].groupby("pic")["country"].apply(lambda s: sorted(set(s))[0])
    home = best_nuts.reindex(allp["pic"].unique()).fillna(countries.reindex(allp["pic"].unique())).fillna("")
    allp["home"] = allp["pic"].map(home).fillna("")
    return {"participations": allp}


def expected(src: dict[str, pd.DataFrame], code: str) -> dict:
    p = src["participations"]
    mine = p[p["home"].str.startswith(code)]
    by_year = mine.groupby(mine["year"].fillna(-1).astype(int)).agg(n=("pic", "size"), c=("contribution", "sum"))
    ex = mine.explode("parts")
    ex["parts"] = ex["parts"].fillna("")
    by_part = ex.groupby("parts").agg(n=("pic", "size"), c=("contribution", "sum"))
    by_fw = mine.groupby("framework").agg(n=("pic", "size"), c=("contribution", "sum"))
    projects = set(mine["project"])
    others = p[p["project"].isin(projects) & ~p["home"].str.startswith(code) & (p["home"] != "")]
    width = len(code)
    shared = others.assign(partner=others["home"].str[:width]).groupby("partner")["project"].nunique()
    shared = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "participations": len(mine), "ec": round(float(mine["contribution"].sum()), 2),
        "projects": len(projects), "organisations": mine["pic"].nunique(),
        "orgs_total": p.loc[p["home"].str.startswith(code), "pic"].nunique(),
        "by_year": {(None if y == -1 else y): (r.n, round(float(r.c), 2)) for y, r in by_year.iterrows()},
        "by_part": {(CKR + k if k else ""): (r.n, round(float(r.c), 2)) for k, r in by_part.iterrows()},
        "by_framework": {(CKR + k if k else ""): (r.n, round(float(r.c), 2)) for k, r in by_fw.iterrows()},
        "shared": shared,
    }


def got(prof: dict) -> dict:
    rs = prof["research"]
    return {
        "participations": rs["total"]["participations"], "ec": rs["total"]["ec_contribution"],
        "projects": rs["total"]["projects"], "organisations": rs["total"]["organisations"],
        "by_year": {y["year"]: (y["participations"], y["ec_contribution"]) for y in rs["by_year"]},
        "by_part": {b["part"]: (b["participations"], b["ec_contribution"]) for b in rs["by_part"]},
        "by_framework": {b["framework"]: (b["participations"], b["ec_contribution"]) for b in rs["by_framework"]},
        "shared": [(c["code"], c["shared_projects"]) for c in prof["collaborations"]["items"]],
    }


@pytest.mark.parametrize("code", ["MT", "IS", "DE"])
def test_region_figures_equal_the_source_rows(code: str, region_ds, source) -> None:
    prof = region_profile(region_ds, code, partners=50, gaps=False)
    want, have = expected(source, code), got(prof)
    assert want["participations"] > 0
    for k in ("participations", "projects", "organisations"):
        assert have[k] == want[k], k
    for k in ("by_year", "by_part", "by_framework"):
        assert set(have[k]) == set(want[k]), k
        for key, (n, c) in want[k].items():
            assert have[k][key][0] == int(n), (k, key)
            assert have[k][key][1] == pytest.approx(c, abs=0.01), (k, key)
    assert have["ec"] == pytest.approx(want["ec"], abs=0.01)
    assert have["shared"] == want["shared"][:50]


def test_small_and_outside_eu_regions_count_every_organisation(region_ds, source) -> None:
    for code in ("MT", "IS"):
        prof = region_profile(region_ds, code, gaps=False)
        assert prof["organisations"]["total"] == expected(source, code)["orgs_total"]


def test_large_region_regional_fund_operations_equal_the_erdf_list(region_ds) -> None:
    ops = pd.read_csv(real("osdata_ERDF_BaWue_2014-2020.csv"), dtype=str, keep_default_na=False)
    cost = pd.to_numeric(ops["Gesamtbetrag der förderfähigen Ausgaben des Vorhabens"].str.replace(".", "", regex=False)
                         .str.replace(",", ".", regex=False), errors="coerce")
    category = ops["Bezeichnung der Interventionskategorie"]
    cluster = category.str.startswith("Förderung von Clustern und Unternehmensnetzen")
    for code in ("DE", "DE1"):
        op = region_profile(region_ds, code, gaps=False)["operations"]
        assert op["total"] == len(ops)
        assert op["cluster_operations"] == int(cluster.sum())
        assert op["eligible_cost"] == pytest.approx(round(float(cost.sum()), 2), abs=0.01)
        assert op["cluster_eligible_cost"] == pytest.approx(round(float(cost[cluster].sum()), 2), abs=0.01)
    assert region_profile(region_ds, "DE2", gaps=False)["operations"]["total"] == 0
