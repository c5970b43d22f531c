"""Region profiles: roll-up over the NUTS hierarchy, evidence rows, the CLI and the explorer pages."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from click.testing import CliRunner

from cli import cli
from graph.actors.region import evidence_rows, find_region, region_profile
from graph.errors import EntityNotFound, InputError


def _sum(rows: list[dict], key: str) -> float:
    return sum(r[key] for r in rows)


@pytest.mark.parametrize("code", ["DE", "DE2", "DE21", "ES", "EL"])
def test_a_region_total_is_the_sum_of_its_child_regions(code: str, region_ds) -> None:
    ru = region_profile(region_ds, code, gaps=False)["rollup"]
    assert ru["children"], code
    for k in ("organisations", "participations", "operations"):
        assert ru["total"][k] == _sum(ru["children"], k) + ru["at_this_level"][k] + ru["elsewhere_inside"][k], k
    assert ru["total"]["ec_contribution"] == pytest.approx(
        _sum(ru["children"], "ec_contribution") + ru["at_this_level"]["ec_contribution"]
        + ru["elsewhere_inside"]["ec_contribution"], abs=0.05)


def test_nuts1_total_is_the_sum_of_its_nuts2_regions_when_all_are_known_below(region_ds) -> None:
    de2 = region_profile(region_ds, "DE2", gaps=False)
    kids = [region_profile(region_ds, c["code"], gaps=False) for c in de2["region"]["children"]]
    assert de2["rollup"]["at_this_level"]["organisations"] == 0
    assert de2["research"]["total"]["participations"] > 0  # Horizon Europe organisations in Bavaria
    assert de2["research"]["total"]["participations"] == sum(k["research"]["total"]["participations"] for k in kids)
    assert de2["research"]["total"]["ec_contribution"] == pytest.approx(
        sum(k["research"]["total"]["ec_contribution"] for k in kids), abs=0.05)


def test_no_double_counting_of_an_organisation_with_region_and_country(region_ds) -> None:
    import polars as pl

    from graph.actors.tables import actor_tables

    t = actor_tables(region_ds)
    assert t.orgs.get_column("org").n_unique() == t.orgs.height  # one home per organisation
    de = region_profile(region_ds, "DE", gaps=False)
    homes = t.orgs.filter(pl.col("home").str.starts_with("DE"))
    assert de["organisations"]["total"] == homes.height
    nuts = homes.filter(pl.col("home").str.len_chars() > 2).height
    assert 0 < nuts < homes.height  # both kinds present, each counted once


def test_find_region_by_code_name_and_iri(region_ds) -> None:
    assert find_region(region_ds, "de1")["code"] == "DE1"
    assert find_region(region_ds, "Baden-Württemberg")["code"] == "DE1"
    assert find_region(region_ds, "Iceland")["code"] == "IS"
    assert find_region(region_ds, "http://data.europa.eu/nuts/code/DE21")["code"] == "DE21"
    with pytest.raises(InputError):
        find_region(region_ds, "Horizon Europe")
    with pytest.raises(EntityNotFound):
        find_region(region_ds, "Atlantis-on-Sea")


def test_every_figure_leads_to_its_source_rows(region_ds) -> None:
    prof = region_profile(region_ds, "MT", gaps=False)
    year = next(y for y in prof["research"]["by_year"] if y["year"] == 2016)
    rows = evidence_rows(region_ds, year["rows"], size=1000)
    assert rows["total"] == year["participations"]
    assert rows["ec_contribution"] == pytest.approx(year["ec_contribution"], abs=0.01)
    assert all(r["sources"] and r["sources"][0]["file"] == "eunets_h2020.region.csv.gz"
               and r["sources"][0]["row"].startswith("row ") for r in rows["rows"])
    assert "VALUES ?participation" in rows["sparql"]
    part = prof["research"]["by_part"][0]
    assert evidence_rows(region_ds, part["rows"])["total"] == part["participations"]
    col = prof["collaborations"]["items"][0]
    shared = evidence_rows(region_ds, col["rows"], size=5000)
    assert len({r["project"] for r in shared["rows"]}) == col["shared_projects"]
    op = region_profile(region_ds, "DE1", gaps=False)["operations"]
    ops = evidence_rows(region_ds, op["cluster_rows"], size=500)
    assert ops["total"] == op["cluster_operations"]
    assert all(r["sources"][0]["file"].startswith("osdata_ERDF") for r in ops["rows"])


def test_missing_synergies_have_evidence(region_ds) -> None:
    g = region_profile(region_ds, "DE")["gaps"]
    assert g["method"].startswith("Adamic-Adar")
    for s in g["suggestions"]:
        assert not (s["a"]["class"] in ("organisation", "cluster organisation")
                    and s["b"]["class"] in ("organisation", "cluster organisation"))
        assert s["evidence"]


def test_cli_text_json_html_and_rows(data_args: list[str], tmp_path) -> None:
    r = CliRunner().invoke(cli, [*data_args, "region", "IS"])
    assert r.exit_code == 0, r.output
    assert "Iceland (IS, country)" in r.output and "Collaborates most with" in r.output
    r = CliRunner().invoke(cli, [*data_args, "region", "DE1", "--format", "json"])
    doc = json.loads(r.output)
    assert doc["region"]["code"] == "DE1" and doc["region"]["parent"]["code"] == "DE"
    assert doc["operations"]["cluster_operations"] > 0
    out = tmp_path / "de.html"
    r = CliRunner().invoke(cli, [*data_args, "region", "DE", "--format", "html", "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page and "<table" in page and "<desc" in page
    key = json.loads(CliRunner().invoke(cli, [*data_args, "region", "MT", "--format", "json", "--no-gaps"]).output
                     )["research"]["total"]["rows"]
    r = CliRunner().invoke(cli, [*data_args, "region", "MT", "--rows", key])
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert rows and all(x["source_file"] == "eunets_h2020.region.csv.gz" for x in rows)
    r = CliRunner().invoke(cli, [*data_args, "region", "Atlantis-on-Sea"])
    assert r.exit_code == 2


def test_explorer_region_pages(region_chain) -> None:
    from tests.server.conftest import start_server

    with start_server(region_chain) as srv:
        html = httpx.get(srv.url + "/region/DE", headers={"accept": "text/html"}).text
        assert "Germany" in html and "<svg" in html and 'href="/region/DE1"' in html and "/rows?key=" in html
        doc = httpx.get(srv.url + "/region/DE1.json").json()
        assert doc["region"]["code"] == "DE1"
        key = doc["operations"]["cluster_rows"]
        rows = httpx.get(srv.url + "/rows.json", params={"key": key}).json()
        assert rows["total"] == doc["operations"]["cluster_operations"]
        assert "osdata_ERDF" in httpx.get(srv.url + "/rows", params={"key": key}).text
        ent = httpx.get(srv.url + "/entity", params={"iri": "http://data.europa.eu/nuts/code/DE1"}).text
        assert 'href="/region/DE1"' in ent
        assert httpx.get(srv.url + "/region/XX9.json").status_code == 404
        assert "Iceland" in httpx.get(srv.url + "/regions").text


def test_library_questions_agree_with_the_profiles(region_ds) -> None:
    import graph
    from graph.sparql.library import get_query

    res = graph.query(get_query("actors-region-nuts2-participation").text, region_ds)
    rows = {str(r[1]): (int(r[4]), float(r[5])) for r in res.rows}
    assert rows
    for code, (n, ec) in list(rows.items())[:5]:
        total = region_profile(region_ds, code, gaps=False)["research"]["total"]
        assert (total["participations"], total["ec_contribution"]) == (n, pytest.approx(ec, abs=0.01)), code
    res = graph.query(get_query("actors-region-funding-by-year").text, region_ds)
    mt = {int(r[2]): (int(r[3]), float(r[4])) for r in res.rows if str(r[0]).endswith("/MLT")}
    prof = region_profile(region_ds, "MT", gaps=False)["research"]["by_year"]
    assert mt == {y["year"]: (y["participations"], pytest.approx(y["ec_contribution"], abs=0.01)) for y in prof}
