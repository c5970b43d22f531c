"""`query --out FILE`: the extension picks the format, or the command says which extensions fit
(issue 8, item 8); small wording and option checks (item 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.errors import InputError
from graph.sparql.query import query

SELECT = "SELECT ?e WHERE { ?e a ckg:Eurocluster } ORDER BY ?e LIMIT 3"
CONSTRUCT = "CONSTRUCT WHERE { ?e a ckg:Eurocluster } LIMIT 3"


@pytest.mark.parametrize("q, name, check", [
    (SELECT, "a.csv", lambda t: t.startswith("e\r\n")),
    (SELECT, "a.srj", lambda t: json.loads(t)["head"]["vars"] == ["e"]),
    (SELECT, "a.tsv", lambda t: t.startswith("?e\n")),
    (SELECT, "a.txt", lambda t: "(3 rows)" in t),
    (CONSTRUCT, "g.ttl", lambda t: "ckg:Eurocluster" in t and "@prefix" in t),
    (CONSTRUCT, "g.nt", lambda t: t.rstrip().endswith("<https://w3id.org/clusterkg/ontology#Eurocluster> .")),
    (CONSTRUCT, "g.jsonld", lambda t: "@graph" in json.loads(t)),
])
def test_the_extension_picks_the_format(tmp_path: Path, q: str, name: str, check) -> None:
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["query", q, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert check(out.read_bytes().decode("utf-8"))


@pytest.mark.parametrize("q, name, fits", [
    (SELECT, "answer.ttl", ".csv, .json, .srj, .srx, .tsv, .txt or .xml"),
    (SELECT, "answer.bin", ".csv, .json, .srj, .srx, .tsv, .txt or .xml"),
    ("ASK { ?s ?p ?o }", "answer.nt", ".csv, .json, .srj, .srx, .tsv, .txt or .xml"),
    (CONSTRUCT, "graph.csv", ".jsonld, .nt or .ttl"),
    (CONSTRUCT, "graph", ".jsonld, .nt or .ttl"),
])
def test_an_extension_that_fits_no_format_is_refused(tmp_path: Path, q: str, name: str, fits: str) -> None:
    """Regression: `--out out.ttl` for a SELECT (or an unknown extension) wrote the terminal table."""
    out = tmp_path / name
    res = CliRunner().invoke(cli, ["query", q, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert fits in res.output and "--format" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_format_wins_over_the_extension(tmp_path: Path) -> None:
    out = tmp_path / "answer.data"
    res = CliRunner().invoke(cli, ["query", SELECT, "--format", "json", "--out", str(out)])
    assert res.exit_code == 0
    assert json.loads(out.read_text())["head"]["vars"] == ["e"]


def test_ask_wording() -> None:
    """Regression: 'a ASK query returns solutions'."""
    r = query("ASK { ?s ?p ?o }")
    with pytest.raises(InputError, match=r"^an ASK query returns a boolean"):
        r.serialize_as("turtle")


@pytest.mark.parametrize("value", ["-1", "-0.5"])
def test_a_negative_timeout_is_refused(value: str) -> None:
    for args in (["query", "ASK { ?s ?p ?o }"], ["queries", "run", "envisaged-synergies"]):
        res = CliRunner().invoke(cli, [*args, "--timeout", value])
        assert res.exit_code == 2, res.output
    with pytest.raises(InputError, match="--timeout"):
        query("ASK { ?s ?p ?o }", timeout=float(value))


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_select_star_keeps_the_order_of_the_query(engine: str) -> None:
    """Regression (issue 8.14): `SELECT *` columns came out alphabetically."""
    q = "SELECT * WHERE { ?zeta a ckg:Eurocluster ; rdfs:label ?alpha . OPTIONAL { ?zeta ckg:acronym ?mid } }"
    r = query(q, limit=2) if engine == "oxigraph" else query(q, limit=2, engine="rdflib")
    assert r.variables == ["zeta", "alpha", "mid"]
    assert str(r.rows[0][0]).startswith("https://w3id.org/clusterkg/id/")
    res = CliRunner().invoke(cli, ["query", "SELECT DISTINCT * WHERE { ?z a ckg:Eurocluster ; rdfs:label ?a }",
                                   "--format", "csv", "--limit", "1"])
    assert res.stdout.splitlines()[0] == "z,a"


def test_a_row_converts_with_dict() -> None:
    """Regression (issue 8.14): `dict(row)`, as the README says rows convert to dicts, raised."""
    r = query("SELECT ?p ?nothing WHERE { ?p a ckg:Programme OPTIONAL { ?p ckg:noSuchProperty ?nothing } } LIMIT 2")
    rows = [dict(row) for row in r]
    assert list(rows[0]) == ["p", "nothing"] and rows[0]["nothing"] is None
    assert rows[0]["p"] == r.rows[0][0]


def test_jsonld_is_the_same_whatever_the_hash_seed() -> None:
    """Regression: `query 'DESCRIBE ckr:cosme' --format jsonld` listed the values of a property in
    the order of a Python set, so two runs could write different bytes."""
    import os
    import subprocess
    import sys

    code = ("import sys, graph; sys.stdout.write(graph.query('DESCRIBE ckr:cosme', "
            "graph.open_dataset()).serialize_as('jsonld'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1
    doc = json.loads(outs.pop())
    assert any(isinstance(v, list) and len(v) > 1 for node in doc["@graph"] for v in node.values())
