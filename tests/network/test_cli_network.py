"""The network commands end to end (click's CliRunner on cli.cli): the issue's acceptance points."""

from __future__ import annotations

import json

import pytest

from cli import cli


@pytest.fixture
def fx(fixtures) -> list[str]:
    return ["--no-default-data", "--data", str(fixtures / "network.ttl"), "--no-cache"]


def run(runner, args: list[str], code: int = 0):
    res = runner.invoke(cli, args)
    assert res.exit_code == code, (res.output, res.stderr if hasattr(res, "stderr") else "")
    return res


def test_path_cosme_horizon_europe_every_hop_names_its_source(runner) -> None:
    """Curated data: a path exists, and every hop has a non-empty source."""
    res = run(runner, ["path", "COSME", "Horizon Europe", "--format", "json"])
    result = json.loads(res.output)
    assert result["found"], result.get("reason")
    [p] = result["paths"]
    assert p["nodes"][0]["curie"] == "ckr:cosme" and p["nodes"][-1]["curie"] == "ckr:horizon-europe"
    assert p["hops"] == len(p["steps"]) >= 1
    for step in p["steps"]:
        assert step["linkages"], step
        for link in step["linkages"]:
            assert link["source"].strip(), link
            assert link["provenance"] and all(x["document"] for x in link["provenance"])
    text = run(runner, ["path", "COSME", "Horizon Europe"]).output
    lines = text.splitlines()
    assert len([ln for ln in lines if not ln.startswith("    also:")]) == p["hops"]
    for line in lines:
        assert line.rstrip().endswith("]") and "[no source]" not in line and "  [" in line


def test_path_unknown_entity(runner) -> None:
    res = runner.invoke(cli, ["path", "Nowhere", "Horizon Europe"])
    assert res.exit_code == 2
    assert "no entity named 'Nowhere'" in res.output
    assert "closest matches:" in res.output
    assert "Traceback" not in res.output


def test_path_fixture_text_and_no_path(runner, fx) -> None:
    res = run(runner, [*fx, "path", "Org One", "Beta Platform"])
    assert res.output.splitlines()[0] == 'Org One —member of→ Euro One  [Fixture handbook: "Places annex"]'
    res = run(runner, [*fx, "path", "Lonely Label", "Alpha Programme"], code=1)
    assert "no linkage path between Lonely Label and Alpha Programme" in res.output
    assert "Alpha Programme —has part→ Alpha Fund" in res.output
    res = run(runner, [*fx, "path", "Org One", "Beta Platform", "--k", "2", "--via", "themes",
                       "--avoid", "Alpha Programme", "--format", "json"])
    paths = json.loads(res.output)["paths"]
    assert len(paths) == 2
    assert all("Alpha Programme" not in [n["label"] for n in p["nodes"]] for p in paths)
    res = run(runner, [*fx, "path", "Org One", "Beta Platform", "--via", "planets"], code=2)
    assert "no class named 'planets'" in res.output


def test_centrality_json_ranks_with_scores_and_type_filter(runner) -> None:
    res = run(runner, ["centrality", "--measure", "betweenness", "--top", "10", "--format", "json"])
    doc = json.loads(res.output)
    rows = doc["rows"]
    assert len(rows) == 10
    assert doc["method"]["betweenness"]["mode"] in ("exact", "sampled") and doc["note"]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    ranks = [r["rank"] for r in rows]
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert all(r["iri"] and r["label"] and r["class"] for r in rows)
    typed = json.loads(run(runner, ["centrality", "--measure", "betweenness", "--type", "programme",
                                    "--format", "json", "--top", "50"]).output)
    assert typed["rows"] and typed["types"] == ["ckg:Programme"]
    assert {r["class"] for r in typed["rows"]} <= {"programme", "cluster programme"}
    assert len(typed["rows"]) < doc["network"]["entities"]


def test_centrality_formats_and_sampling(runner, fx) -> None:
    table = run(runner, [*fx, "centrality", "--sample", "5", "--seed", "3"]).output
    assert "approximate: betweenness estimated from 5 sampled source entities (seed 3" in table
    csv_text = run(runner, [*fx, "centrality", "--measure", "all", "--format", "csv"]).output
    header = csv_text.splitlines()[0].split(",")
    assert header[:5] == ["rank", "iri", "label", "class", "mean_rank"] and "pagerank_rank" in header
    assert len(csv_text.splitlines()) == 1 + 18
    run(runner, [*fx, "centrality", "--type", "planets"], code=2)


def test_communities_seed_is_deterministic(runner) -> None:
    a = run(runner, ["communities", "--seed", "1"]).output
    b = run(runner, ["communities", "--seed", "1"]).output
    assert a == b and "groups (louvain" in a
    ja = run(runner, ["communities", "--seed", "1", "--format", "json"]).output
    assert ja == run(runner, ["communities", "--seed", "1", "--format", "json"]).output
    doc = json.loads(ja)
    assert doc["seed"] == 1 and doc["groups"][0]["linkages"]


def test_neighbours_and_gaps(runner, fx) -> None:
    out = run(runner, [*fx, "neighbours", "Alpha Programme"]).output
    assert out.splitlines()[0] == "Alpha Programme (programme): 3 entities within 1 linkage(s)"
    assert "funding (synergy): 1" in out
    doc = json.loads(run(runner, [*fx, "gaps", "--top", "1", "--format", "json"]).output)
    [s] = doc["suggestions"]
    assert {s["a"]["label"], s["b"]["label"]} == {"Alpha Fund", "Beta Strategy"}
    text = run(runner, [*fx, "gaps", "--top", "2"]).output
    assert "via Digital transition (theme):" in text
    run(runner, [*fx, "neighbours", "Nowhere"], code=2)


def test_out_is_written(runner, fx, tmp_path) -> None:
    out = tmp_path / "rank.json"
    run(runner, [*fx, "centrality", "--format", "json", "--out", str(out)])
    assert json.loads(out.read_text(encoding="utf-8"))["rows"][0]["label"] == "Alpha Fund"
    assert [p.name for p in tmp_path.iterdir()] == ["rank.json"]


def test_filters_on_the_command_line(runner, fx) -> None:
    doc = json.loads(run(runner, [*fx, "centrality", "--measure", "degree", "--format", "json",
                                  "--status", "active", "--exclude-class", "theme", "--top", "100"]).output)
    labels = {r["label"] for r in doc["rows"]}
    assert "Old Initiative" not in labels and "Digital transition" not in labels
    assert "Beta Initiative" in labels
    res = run(runner, [*fx, "centrality", "--period", "1999"], code=2)
    assert "no period named '1999'" in res.output


@pytest.mark.parametrize("cmd", ["path", "centrality", "communities", "neighbours", "gaps", "export"])
def test_help_has_examples(runner, cmd: str) -> None:
    out = run(runner, [cmd, "--help"]).output
    assert "Example" in out and f"clusterkg {cmd}" in out
