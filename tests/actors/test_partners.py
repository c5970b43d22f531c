"""Partner search (graph.actors.partners, clusterkg partners) on imports of real rows.

Every expectation is computed from the graph by an independent SPARQL query (joint projects,
programme parts, locations, memberships), or is a property of the method (the score is the
weighted sum of its components, the bounded top-N equals the top of a full ranking, the rows
queries give back the numbers they stand for)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

from cli import cli
from graph.actors.partners import WEIGHTS, format_partners, partner_search
from graph.errors import EntityNotFound, InputError

CKR = "https://w3id.org/clusterkg/id/"
FORTH = CKR + "org-pic-999995893"  # IDRYMA TECHNOLOGIAS KAI EREVNAS: 15 projects in the excerpts
PARTS = "ckg:ProgrammePart"


def ask(ds: Any, where: str) -> bool:
    return bool(ds.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0][0].value != "0")


def values(ds: Any, q: str) -> set[str]:
    return {row[0].value for row in ds.select(q) if row[0] is not None}


def parts_of(ds: Any, org: str) -> set[str]:
    """The programme parts of an organisation's projects, as the method defines them: the programme parts and
    operational programmes its projects are part of, and the programme parts above them."""
    return values(ds, f"""SELECT DISTINCT ?part WHERE {{ <{org}> ckg:participatesIn ?p . ?p ckg:partOf ?t .
      VALUES ?kind {{ {PARTS} ckg:OperationalProgramme }} ?t a ?kind . ?t ckg:partOf* ?part .
      VALUES ?partKind {{ {PARTS} ckg:OperationalProgramme }} ?part a ?partKind }}""")


def joint(ds: Any, a: str, b: str) -> set[str]:
    return values(ds, f"SELECT DISTINCT ?p WHERE {{ <{a}> ckg:participatesIn ?p . <{b}> ckg:participatesIn ?p }}")


@pytest.fixture(scope="module")
def forth(actors: Any) -> dict[str, Any]:
    return partner_search(actors, "999995893", top=8)


# -- the seed ---------------------------------------------------------------------------------------

def test_an_organisation_is_found_by_pic_name_curie_and_iri(actors: Any, forth: dict[str, Any]) -> None:
    assert forth["seed"]["kind"] == "organisation" and forth["seed"]["entity"]["iri"] == FORTH
    for name in ("IDRYMA TECHNOLOGIAS KAI EREVNAS", "ckr:org-pic-999995893", FORTH):
        again = partner_search(actors, name, top=8)
        assert again["seed"]["entity"]["iri"] == FORTH
        assert [r["iri"] for r in again["results"]] == [r["iri"] for r in forth["results"]]


def test_the_seed_profile_is_the_graph_s(actors: Any, forth: dict[str, Any]) -> None:
    seed = forth["seed"]
    projects = values(actors, f"SELECT ?p WHERE {{ <{FORTH}> ckg:participatesIn ?p }}")
    assert seed["projects"] == len(projects) > 10
    assert {p["iri"] for p in seed["programme_parts"]} == parts_of(actors, FORTH)


def test_a_partnership_starts_from_its_members_and_says_when_they_have_no_projects(actors: Any) -> None:
    r = partner_search(actors, "Photonics4Industry")
    members = values(actors, f"SELECT ?o WHERE {{ ?o ckg:memberOf <{CKR}photonics4industry> }}")  # the template row
    assert r["seed"]["kind"] == "partnership" and members
    assert {o["iri"] for o in r["seed"]["organisations"]} == members
    assert not values(actors, f"""SELECT ?p WHERE {{ ?o ckg:memberOf <{CKR}photonics4industry> ;
                                                    ckg:participatesIn ?p }}""")
    assert r["results"] == [] and r["notes"][0].startswith("none of the 1 seed organisations took part")


def test_an_ecosystem_starts_from_the_organisations_that_cover_it(actors: Any) -> None:
    r = partner_search(actors, "Agri-food", top=3)
    eco = CKR + "ecosystem-agri-food"
    direct = values(actors, f"""SELECT ?o WHERE {{ ?o ckg:coversEcosystem <{eco}> ;
                                                   a/rdfs:subClassOf* ckg:Organisation }}""")
    assert r["seed"]["kind"] == "ecosystem" and direct <= {o["iri"] for o in r["seed"]["organisations"]}
    assert r["results"]


def test_a_project_starts_from_its_participants(actors: Any) -> None:
    project = CKR + "project-rcn-225170"  # NOMAD
    r = partner_search(actors, "ckr:project-rcn-225170", top=3)
    assert r["seed"]["kind"] == "project"
    assert {o["iri"] for o in r["seed"]["organisations"]} >= values(
        actors, f"SELECT ?o WHERE {{ ?o ckg:participatesIn <{project}> }}")


def test_words_that_name_no_entity_search_organisation_names(actors: Any) -> None:
    r = partner_search(actors, "cluster", top=3)
    assert r["seed"]["kind"] == "search" and r["seed"]["entity"] is None
    named = values(actors, """SELECT DISTINCT ?o WHERE { ?o a/rdfs:subClassOf* ckg:Organisation ; ?p ?n .
      VALUES ?p { rdfs:label skos:altLabel skos:prefLabel ckg:acronym ckg:code }
      FILTER(CONTAINS(LCASE(STR(?n)), "cluster")) }""")
    seeds = {o["iri"] for o in r["seed"]["organisations"]}
    assert 0 < len(named) <= 50 and named <= seeds
    for extra in seeds - named:  # the records of the same organisations
        listed = " ".join(f"<{n}>" for n in named)
        assert ask(actors, f"<{extra}> skos:exactMatch|^skos:exactMatch ?o . VALUES ?o {{ {listed} }}")


def test_an_unusable_seed_is_refused_with_a_hint(actors: Any) -> None:
    with pytest.raises(EntityNotFound):
        partner_search(actors, "Nowhere Institute of Nothing")
    with pytest.raises(InputError, match=r"is a country.*--region"):
        partner_search(actors, "Germany")
    with pytest.raises(InputError, match=r"programme part.*--programme"):
        partner_search(actors, "LEIT")


# -- the score and its evidence ---------------------------------------------------------------------

def test_the_score_is_the_weighted_sum_of_its_components_and_sorted(forth: dict[str, Any]) -> None:
    rows = forth["results"]
    assert len(rows) == 8 and [r["rank"] for r in rows] == list(range(1, 9))
    for r in rows:
        comps = r["components"]
        assert set(comps) == set(WEIGHTS)
        assert all(0.0 <= c["value"] <= 1.0 and c["weight"] == WEIGHTS[k] for k, c in comps.items())
        assert r["score"] == pytest.approx(sum(WEIGHTS[k] * comps[k]["value"] for k in WEIGHTS), abs=1e-5)
    keys = [(-r["score"], r["iri"]) for r in rows]
    assert keys == sorted(keys)


def test_the_components_agree_with_the_graph(actors: Any) -> None:
    found = [*partner_search(actors, "999995893", top=10)["results"],
             *partner_search(actors, "999995893", top=10, new_only=True)["results"]]
    steps = set()
    for res in found:
        c, iri = res["components"], res["iri"]
        n = len(joint(actors, FORTH, iri))
        assert c["co_participation"]["projects"] == n and c["co_participation"]["value"] == pytest.approx(n / (n + 1))
        assert (c["network"]["steps"] == 1) == (n > 0)
        steps.add(c["network"]["steps"])
        mine, theirs = parts_of(actors, FORTH), parts_of(actors, iri)
        assert {p["iri"] for p in c["programme_parts"]["shared"]} == mine & theirs
        assert c["programme_parts"]["value"] == pytest.approx(len(mine & theirs) / len(mine | theirs))
        kind = values(actors, f"SELECT ?t WHERE {{ <{iri}> ckg:activityType ?t }}")
        seed_kind = values(actors, f"SELECT ?t WHERE {{ <{FORTH}> ckg:activityType ?t }}")
        assert c["activity_type"]["value"] == (1.0 if kind and not kind & seed_kind else 0.0)
    assert steps == {1, 2}


def test_every_number_gives_back_its_rows(actors: Any, forth: dict[str, Any]) -> None:
    top = forth["results"][0]
    co = top["components"]["co_participation"]
    got = actors.select(co["rows_query"])
    assert len({row[0].value for row in got}) == co["projects"] > 0
    for project in co["listed"]:
        assert project["rows"] and project["seed_rows"]
        for row, who in [*((x, top["iri"]) for x in project["rows"]), *((x, FORTH) for x in project["seed_rows"])]:
            assert re.fullmatch(r"row \d+", row["locator"]) and row["file"].endswith((".csv", ".csv.gz"))
            assert ask(actors, f"""?x ckg:participant <{who}> ; ckg:inProject <{project['iri']}> ;
                                   prov:wasDerivedFrom <{row['passage']}> .
                                   <{row['passage']}> ckg:inDocument <{row['document']}>""")
    pp = top["components"]["programme_parts"]
    by_part: dict[tuple[bool, str], set[str]] = {}
    for who, project, part, _ in actors.select(pp["rows_query"]):
        by_part.setdefault((who.value == top["iri"], part.value), set()).add(project.value)
    assert {s["iri"]: s["projects"] for s in pp["shared"]} == {k: len(v) for (mine, k), v in by_part.items() if mine}
    assert {s["iri"]: s["seed_projects"] for s in pp["shared"]} == {
        k: len(v) for (mine, k), v in by_part.items() if not mine}
    seed_rows = actors.select(forth["seed"]["rows_query"])
    assert len({row[1].value for row in seed_rows}) == forth["seed"]["projects"]
    assert all(row[2] is not None for row in seed_rows)  # every participation has its source row


def test_partners_of_partners_name_the_partners_between(actors: Any) -> None:
    r = partner_search(actors, "999995893", new_only=True, top=5)
    assert r["results"] and r["filters"]["new_only"]
    for res in r["results"]:
        nw = res["components"]["network"]
        assert res["components"]["co_participation"]["projects"] == 0 and nw["steps"] == 2
        partners = {row[0].value for row in actors.select(nw["rows_query"])}
        assert len(partners) == nw["via_partners"] > 0
        for v in nw["listed"]:
            assert joint(actors, FORTH, v["partner"]["iri"]) and v["with_seed"]["iri"] in joint(
                actors, FORTH, v["partner"]["iri"])
            assert v["with_candidate"]["iri"] in joint(actors, v["partner"]["iri"], res["iri"])


def test_the_bounded_top_is_the_top_of_the_full_ranking(actors: Any) -> None:
    small = partner_search(actors, "999995893", top=5)
    full = partner_search(actors, "999995893", top=500)
    assert full["method"]["candidates"]["scored"] == full["candidates"]
    assert small["method"]["exact"] and small["method"]["candidates"]["scored"] < full["candidates"]
    assert [(r["iri"], r["score"]) for r in small["results"]] == [(r["iri"], r["score"]) for r in full["results"][:5]]


def test_budgets_bound_the_work_and_the_method_says_so(actors: Any) -> None:
    r = partner_search(actors, "999995893", expansion_budget=3)
    c = r["method"]["candidates"]
    assert 0 < c["partners_walked"] < c["partners"] and not r["method"]["complete_second_step"]
    assert any("strongest" in line for line in r["method"]["text"])
    b = partner_search(actors, "999995893", profile_budget=1)
    assert b["method"]["exact"] is False and any(line.startswith("Bounded") for line in b["method"]["text"])


def test_the_answer_is_deterministic(actors: Any, forth: dict[str, Any]) -> None:
    assert json.dumps(partner_search(actors, "999995893", top=8)) == json.dumps(forth)


# -- filters -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("region, place", [("EL", "country:GRC"), ("BE1", "nuts:BE1"), ("Germany", "country:DEU")])
def test_region_keeps_organisations_located_within_it(actors: Any, region: str, place: str) -> None:
    r = partner_search(actors, "999995893", region=region, top=10)
    assert r["results"] and r["filters"]["region"]["curie"] == place
    for res in r["results"]:
        assert ask(actors, f"<{res['iri']}> ckg:locatedIn/ckg:partOf* {place}"), res["label"]


def test_programme_keeps_organisations_with_a_project_in_it(actors: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    r = partner_search(actors, "999995893", programme="Horizon Europe", top=10)
    assert r["results"] and r["method"]["candidates"]["outside_programme"] > 0
    for res in r["results"]:
        assert ask(actors, f"<{res['iri']}> ckg:participatesIn/ckg:partOf+ ckr:horizon-europe")
    # a broad programme is checked while scoring instead of before: the same answer
    monkeypatch.setattr("graph.actors.partners.PROGRAMME_POOL", 0)
    broad = partner_search(actors, "999995893", programme="Horizon Europe", top=10)
    assert [(x["iri"], x["score"]) for x in broad["results"]] == [(x["iri"], x["score"]) for x in r["results"]]


def test_ecosystem_keeps_and_adds_its_organisations(actors: Any) -> None:
    r = partner_search(actors, "999995893", ecosystem="Agri-food", top=10)
    linked = values(actors, f"SELECT ?o WHERE {{ ?o ckg:coversEcosystem <{CKR}ecosystem-agri-food> }}")
    assert r["results"] and {res["iri"] for res in r["results"]} <= linked
    assert r["results"][0]["components"]["network"]["steps"] is None  # not connected to the seed


# -- text and command line -----------------------------------------------------------------------------

def test_the_text_states_the_method_and_the_evidence(forth: dict[str, Any]) -> None:
    text = format_partners(forth)
    assert "method:" in text and "0.30 × programme parts" in text and "ties by IRI" in text
    first = forth["results"][0]
    assert f"1. {first['label']}  score {first['score']:.3f}" in text
    assert "joint project(s)" in text and "row " in text


def test_cli_partners(actor_data: list[Any]) -> None:
    data = [a for f in actor_data for a in ("--data", str(f))]
    res = CliRunner().invoke(cli, [*data, "partners", "999995893", "--top", "3", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert len(doc["results"]) == 3 and doc["method"]["text"]
    res = CliRunner().invoke(cli, [*data, "partners", "Germany"])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "Traceback" not in res.output
    res = CliRunner().invoke(cli, [*data, "partners", "999995893", "--region", "Atlantis"])
    assert res.exit_code == 2 and "no entity named 'Atlantis'" in res.output
