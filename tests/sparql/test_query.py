"""`clusterkg query` and `graph.query`: formats, errors, limits, time limits, long property paths."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

import graph
from cli import cli
from graph.errors import InputError, QuerySyntaxError, QueryTimeout, UnsafeQueryError
from graph.namespaces import CKG
from graph.sparql.query import open_store, query
from graph.sparql.results import row_multiset

ROOT = Path(__file__).resolve().parents[2]
SELECT = "SELECT ?e ?label WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label } ORDER BY ?label"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def local():
    return open_store()


def _run(runner, *args: str, input: str | None = None):
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


# -- formats -------------------------------------------------------------------------------


def _check_results_json(doc: dict) -> None:
    """The structure the W3C SPARQL 1.1 Query Results JSON Format requires."""
    assert set(doc) <= {"head", "results", "boolean"}
    assert isinstance(doc["head"], dict)
    if "boolean" in doc:
        assert isinstance(doc["boolean"], bool) and "results" not in doc
        return
    names = doc["head"]["vars"]
    assert isinstance(names, list) and all(isinstance(v, str) for v in names)
    for binding in doc["results"]["bindings"]:
        assert set(binding) <= set(names)
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "xml:lang", "datatype"}
            assert not ("xml:lang" in term and "datatype" in term)


def test_json_is_sparql_results_json(runner) -> None:
    res = _run(runner, "query", SELECT, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    _check_results_json(doc)
    assert doc["head"]["vars"] == ["e", "label"]
    assert doc["results"]["bindings"], "the graph has Euroclusters"
    first = doc["results"]["bindings"][0]
    assert first["e"]["type"] == "uri" and first["label"]["xml:lang"] == "en"
    ask = json.loads(_run(runner, "query", "ASK { ?s a ckg:Eurocluster }", "--format", "json").output)
    _check_results_json(ask)
    assert ask["boolean"] is True


def test_csv_loads_with_csv_and_pandas(runner, local) -> None:
    res = _run(runner, "query", SELECT, "--format", "csv")
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.output)))
    expected = query(SELECT, local)
    assert [r["label"] for r in rows] == [str(row[1]) for row in expected.rows]
    assert all(r["e"].startswith("https://w3id.org/clusterkg/id/") for r in rows)
    import pandas as pd  # in the test extra

    frame = pd.read_csv(io.StringIO(res.output))
    assert list(frame.columns) == ["e", "label"] and len(frame) == len(rows)


def test_tsv_and_xml(runner) -> None:
    tsv = _run(runner, "query", SELECT, "--format", "tsv").output.splitlines()
    assert tsv[0] == "?e\t?label"
    assert tsv[1].startswith("<https://w3id.org/clusterkg/id/") and '"@en' in tsv[1]
    xml = _run(runner, "query", SELECT, "--format", "xml").output
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(xml.encode())
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["e", "label"]
    assert len(root.findall("s:results/s:result", ns)) == len(tsv) - 1


def test_table_shortens_iris_and_labels_on_request(runner) -> None:
    out = _run(runner, "query", "SELECT ?c WHERE { VALUES ?c { ckg:Eurocluster } }", "--format", "table").output
    assert "ckg:Eurocluster" in out and "(1 row)" in out
    out = _run(runner, "query", "SELECT ?c WHERE { VALUES ?c { ckg:Eurocluster ckg:Call } }",
               "--format", "table", "--labels").output
    assert "Eurocluster" in out and "ckg:" not in out


def test_construct_gives_turtle_nt_and_jsonld(runner) -> None:
    q = "CONSTRUCT { ?e a ckg:Eurocluster ; rdfs:label ?l } WHERE { ?e a ckg:Eurocluster ; rdfs:label ?l }"
    ttl = _run(runner, "query", q).output  # turtle is the default for CONSTRUCT
    g = Graph().parse(data=ttl, format="turtle")
    assert len(g) > 0 and (None, None, CKG.Eurocluster) in g
    nt = Graph().parse(data=_run(runner, "query", q, "--format", "nt").output, format="nt")
    jsonld = Graph().parse(data=_run(runner, "query", q, "--format", "jsonld").output, format="json-ld")
    assert len(g) == len(nt) == len(jsonld)
    describe = Graph().parse(data=_run(runner, "query", "DESCRIBE ckg:Eurocluster").output, format="turtle")
    assert (CKG.Eurocluster, None, None) in describe


def test_wrong_format_for_the_query_form_exits_2(runner) -> None:
    res = runner.invoke(cli, ["query", "DESCRIBE ckg:Eurocluster", "--format", "csv"])
    assert res.exit_code == 2 and "turtle" in res.output
    res = runner.invoke(cli, ["query", SELECT, "--format", "turtle"])
    assert res.exit_code == 2 and "csv" in res.output


def test_out_file_and_format_from_extension(runner, tmp_path) -> None:
    out = tmp_path / "answer.srj"
    res = _run(runner, "query", SELECT, "--out", str(out))
    assert res.exit_code == 0
    _check_results_json(json.loads(out.read_text()))
    assert [p.name for p in tmp_path.iterdir()] == ["answer.srj"]  # no temporary file left


def test_query_from_file_and_stdin(runner, tmp_path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ckg:Eurocluster rdfs:subClassOf ckg:ClusterPartnership }")
    assert _run(runner, "query", str(path), "--format", "csv").output.splitlines()[1] == "true"
    res = _run(runner, "query", "-", "--format", "csv", input="ASK { ckg:Eurocluster a ckg:Synergy }")
    assert res.output.splitlines()[1] == "false"
    res = runner.invoke(cli, ["query", str(tmp_path / "missing.rq")])
    assert res.exit_code == 2 and "missing.rq" in res.output


def test_prefixes_are_predeclared_and_may_be_redeclared(local) -> None:
    g = Graph()
    g.add((URIRef("http://other/a"), URIRef("http://other/p"), Literal("x")))
    assert query("PREFIX ckg: <http://other/> SELECT ?o WHERE { ckg:a ckg:p ?o }", g).rows == [(Literal("x"),)]
    assert query("SELECT ?o WHERE { ckg:Eurocluster rdfs:label ?o }", local).rows


def test_limit_truncates_and_says_so(runner, local) -> None:
    r = query("SELECT ?s WHERE { ?s a ckg:Synergy }", local, limit=3)
    assert len(r.rows) == 3 and r.truncated
    assert not query("SELECT ?s WHERE { ?s a ckg:Synergy }", local, limit=100_000).truncated
    res = runner.invoke(cli, ["query", "SELECT ?s WHERE { ?s a ckg:Synergy }", "--limit", "2",
                              "--format", "csv"])
    assert len(res.stdout.splitlines()) == 3
    assert "--limit" in res.stderr


# -- bad input -----------------------------------------------------------------------------


def test_syntax_error_gives_line_column_and_token(runner) -> None:
    res = runner.invoke(cli, ["query", "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o > )\n}"])
    assert res.exit_code == 2
    assert "line 3, column 3" in res.output and "'FILTER'" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["query", "SELECT * WHERE { ?s ?p ?o } LIMT 3"])
    assert res.exit_code == 2 and "line 1, column 29" in res.output and "'LIMT'" in res.output


def test_undeclared_prefix_is_named(runner) -> None:
    res = runner.invoke(cli, ["query", "SELECT * WHERE {\n ?s foo:bar ?o }"])
    assert res.exit_code == 2
    assert "undeclared prefix 'foo:'" in res.output and "line 2, column 5" in res.output


@pytest.mark.parametrize("update", [
    "INSERT DATA { ckr:x rdfs:label 'x' }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR DEFAULT",
    "PREFIX ex: <http://ex/> DROP GRAPH ex:g",
])
def test_update_is_refused(runner, update) -> None:
    res = runner.invoke(cli, ["query", update])
    assert res.exit_code == 2
    assert "SPARQL Update" in res.output and "refused" in res.output
    with pytest.raises(UnsafeQueryError):
        query(update)


def test_empty_and_non_query_text(runner) -> None:
    assert runner.invoke(cli, ["query", "   "]).exit_code == 2
    res = runner.invoke(cli, ["query", "hello world"])
    assert res.exit_code == 2 and "line 1, column 1" in res.output


def test_errors_are_library_errors(local) -> None:
    with pytest.raises(QuerySyntaxError) as err:
        query("SELECT ?x WHERE { ?x ?p }", local)
    assert err.value.line == 1 and err.value.column is not None
    with pytest.raises(InputError):
        query("SELECT * WHERE { ?s ?p ?o }", local, limit=-1)


# -- the time limit ------------------------------------------------------------------------


def test_timeout_raises_and_stops_the_query(local) -> None:
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        query(HEAVY, local, timeout=0.5)
    assert time.monotonic() - start < 5


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(entry.name)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc (Linux)")
def test_timeout_exits_3_and_leaves_no_process() -> None:
    marker = f"CLUSTERKG_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "cli", "query", HEAVY, "--timeout", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "stopped after 1 s" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - start < 30
    time.sleep(0.2)
    assert _processes_with(marker) == [], "a query process outlived the command"


# -- property paths over long chains, both engines -------------------------------------------


def test_partof_plus_over_a_20000_link_chain() -> None:
    # Synthetic test data: a chain n0 partOf n1 partOf ... n20000.
    chain = Graph()
    ex = "https://example.org/synthetic/chain/"
    for i in range(20_000):
        chain.add((URIRef(f"{ex}n{i}"), CKG.partOf, URIRef(f"{ex}n{i + 1}")))
    r = query(f"SELECT (COUNT(?x) AS ?n) WHERE {{ <{ex}n0> ckg:partOf+ ?x }}", chain)
    assert int(r.rows[0][0]) == 20_000
    r = query(f"SELECT ?top WHERE {{ <{ex}n0> ckg:partOf+ ?top FILTER NOT EXISTS {{ ?top ckg:partOf ?up }} }}",
              chain)
    assert r.rows == [(URIRef(f"{ex}n20000"),)]
    # rdflib's own evaluator cannot: it says so instead of crashing.
    with pytest.raises(InputError, match="recursion"):
        query(f"ASK {{ <{ex}n0> ckg:partOf+ <{ex}n20000> }}", chain, engine="rdflib")


def test_same_answers_on_oxigraph_and_rdflib(kg, local) -> None:
    for q in [SELECT, "SELECT ?s ?o WHERE { ?s ckg:partOf+ ?o }",
              "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ckg:Synergy ; ckg:synergyType ?t } GROUP BY ?t",
              "SELECT ?s WHERE { ?s (ckg:partOf|ckg:memberOf)* ckr:euroclusters }",
              "ASK { ?s ckg:succeeds ?o }"]:
        a, b = query(q, local), query(q, kg, engine="rdflib")
        assert row_multiset(a) == row_multiset(b), q
        assert len(a) > 0


# -- Python API ----------------------------------------------------------------------------


def test_python_api_rows_dicts_and_dataframe(local) -> None:
    r = graph.query(SELECT, local)
    assert isinstance(r, graph.QueryResult) and r.variables == ["e", "label"]
    dicts = r.to_dicts()
    assert dicts and all(isinstance(d["e"], str) and isinstance(d["label"], str) for d in dicts)
    assert [row.label for row in r] == [Literal(d["label"], lang="en") for d in dicts]  # rdflib ResultRow
    assert r.bindings[0][next(iter(r.vars or []))] == URIRef(dicts[0]["e"])
    n = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ckg:Synergy }", local).to_dicts()[0]["n"]
    assert isinstance(n, int) and n > 0
    import pandas as pd  # in the test extra

    frame = r.to_dataframe()
    assert isinstance(frame, pd.DataFrame) and list(frame["label"]) == [d["label"] for d in dicts]


def test_unbound_values_keep_their_rows(local) -> None:
    r = query("SELECT ?x WHERE { OPTIONAL { ckg:Eurocluster ckg:nothing ?x } }", local)
    assert r.rows == [(None,)] and len(list(r)) == 1
    assert r.to_dicts() == [{"x": None}]
