"""Any SPARQL 1.1 store: push the graph to a real Oxigraph server and query it there.

The server is the `oxigraph` PyPI package's binary, started on a free loopback port in a temporary
folder and stopped after the module (the ``oxigraph_server`` fixture of tests/conftest.py). Nothing
but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from cli import cli
from graph.errors import EndpointError
from graph.sparql.library import list_queries
from graph.sparql.query import open_store, query
from graph.sparql.remote import parse_header, push
from graph.sparql.results import row_multiset

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pushed(oxigraph_server: str) -> str:
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, ["push", "--endpoint", f"{oxigraph_server}/store", "--replace", "--format", "json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert '"method": "graph-store"' in res.output
    return oxigraph_server


def test_every_library_query_gives_the_same_rows_remotely(pushed: str, library_answers: dict) -> None:
    endpoint = f"{pushed}/query"
    checked = 0
    for q in list_queries():
        here = library_answers[q.name]
        there = query(q.text, endpoint=endpoint)
        assert there.type == here.type, q.name
        if here.type == "SELECT":
            assert there.variables == here.variables, q.name
        assert row_multiset(there) == row_multiset(here), q.name
        checked += 1
    assert checked >= 20


def test_push_sends_every_triple(pushed: str) -> None:
    local = open_store()
    r = query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", endpoint=f"{pushed}/query")
    assert int(r.rows[0][0]) == len(local)
    # --replace replaces: pushing twice does not duplicate (RDF sets) and leaves the same count.
    report = push(local.triples(), f"{pushed}/store", replace=True, batch_size=1000)
    assert report.requests == -(-len(local) // 1000)
    r = query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", endpoint=f"{pushed}/query")
    assert int(r.rows[0][0]) == len(local)


def test_cli_query_and_queries_run_on_endpoint(runner, pushed: str) -> None:
    endpoint = f"{pushed}/query"
    res = runner.invoke(cli, ["query", "SELECT ?l WHERE { ckg:Eurocluster rdfs:label ?l }", "--endpoint",
                              endpoint, "--format", "csv", "--header", "X-Clusterkg-Test: 1"])
    assert res.exit_code == 0 and res.output.splitlines() == ["l", "Eurocluster"]
    res = runner.invoke(cli, ["queries", "run", "envisaged-synergies", "--endpoint", endpoint, "--format",
                              "json", "--limit", "2"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)["results"]["bindings"]) == 2
    res = runner.invoke(cli, ["query", "DESCRIBE ckg:Eurocluster", "--endpoint", endpoint])
    g = Graph().parse(data=res.output, format="turtle")
    assert (URIRef("https://w3id.org/clusterkg/ontology#Eurocluster"), None, None) in g
    res = runner.invoke(cli, ["query", "ASK { ?s a ckg:Eurocluster }", "--endpoint", endpoint])
    assert res.output.strip().splitlines()[-1] == "true"
    # Safety rules hold for endpoints too; a syntax error is found before anything is sent.
    res = runner.invoke(cli, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                              "--endpoint", endpoint])
    assert res.exit_code == 2 and "SERVICE" in res.output
    res = runner.invoke(cli, ["query", "SELECT * WHERE { ?s ?p ", "--endpoint", endpoint])
    assert res.exit_code == 2 and "line 1" in res.output


def test_rdflib_sparqlstore_reads_our_graph(pushed: str) -> None:
    store = SPARQLStore(query_endpoint=f"{pushed}/query", returnFormat="json")
    remote = Graph(store=store)
    rows = list(remote.query(
        "PREFIX ckg: <https://w3id.org/clusterkg/ontology#> "
        "SELECT ?e WHERE { ?e a ckg:Eurocluster } ORDER BY ?e"))
    local = query("SELECT ?e WHERE { ?e a ckg:Eurocluster } ORDER BY ?e")
    assert [r[0] for r in rows] == [r[0] for r in local.rows] and rows


def test_update_fallback_named_graph_and_blank_nodes(oxigraph_server: str, tmp_path: Path) -> None:
    server = oxigraph_server
    # Test fixture: a tiny graph with blank nodes, pushed in batches of 2 triples.
    data = tmp_path / "with-bnodes.ttl"
    data.write_text(
        "@prefix ex: <https://example.org/fixture/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:a ex:has [ rdfs:label 'first' ; ex:next [ rdfs:label 'second' ] ] .\n"
        "ex:a rdfs:label 'a' . ex:b rdfs:label 'b' . ex:c rdfs:label 'c' .\n")
    g = Graph().parse(data)
    graph_iri = "https://example.org/fixture/graph"
    report = push(g, f"{server}/no-graph-store-here", graph=graph_iri, replace=True,
                  update_endpoint=f"{server}/update", update_batch_size=2)
    assert report.method == "update" and report.triples == len(g)
    r = query("SELECT ?l WHERE { <https://example.org/fixture/a> <https://example.org/fixture/has> ?b . "
              "?b <https://example.org/fixture/next>/rdfs:label ?l }",
              endpoint=f"{server}/query?default-graph-uri={graph_iri}")
    assert [str(x[0]) for x in r.rows] == ["second"]
    r = query(f"SELECT (COUNT(*) AS ?n) FROM <{graph_iri}> WHERE {{ ?s ?p ?o }}", endpoint=f"{server}/query")
    assert int(r.rows[0][0]) == len(g)


def test_endpoint_errors_are_clear(runner) -> None:
    port = _free_port()  # nothing listens there
    res = runner.invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", f"http://127.0.0.1:{port}/query"])
    assert res.exit_code == 2 and "cannot connect" in res.output
    res = runner.invoke(cli, ["push", "--endpoint", f"http://127.0.0.1:{port}/store"])
    assert res.exit_code == 2 and "cannot connect" in res.output
    res = runner.invoke(cli, ["push"])
    assert res.exit_code == 2 and "--endpoint" in res.output
    res = runner.invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", "file:///etc/hostname"])
    assert res.exit_code == 2 and "bad endpoint URL" in res.output
    with pytest.raises(EndpointError):
        query("ASK { ?s ?p ?o }", endpoint=f"http://127.0.0.1:{port}/query")
    assert parse_header("Authorization: Bearer x") == ("Authorization", "Bearer x")
    res = runner.invoke(cli, ["query", "ASK { ?s ?p ?o }", "--endpoint", f"http://127.0.0.1:{port}/q",
                              "--header", "no colon"])
    assert res.exit_code == 2 and "--header" in res.output


def test_http_errors_from_the_server_are_reported(oxigraph_server: str) -> None:
    server = oxigraph_server
    with pytest.raises(EndpointError, match="HTTP 4"):
        push([(URIRef("https://example.org/x"),) * 3], f"{server}/store?graph=not%20an%20iri")


# -- the Dataset's read interface over the endpoint (clusterkg --endpoint URL ...) ---------------


@pytest.fixture(scope="module")
def remote_ds(pushed: str):
    from graph.store.dataset import Dataset

    return Dataset(endpoint=f"{pushed}/query")


def test_remote_dataset_gives_the_same_stats(remote_ds) -> None:
    from graph.store.dataset import Dataset

    assert remote_ds.stats() == Dataset().stats()


@pytest.mark.parametrize("name", ["COSME", "Joint Cluster Initiatives", "Germany", "ckr:horizon-europe"])
def test_remote_dataset_describes_the_same(remote_ds, name: str) -> None:
    from graph.store.dataset import Dataset

    assert remote_ds.describe(name) == Dataset().describe(name)


def test_remote_dataset_same_paths_and_neighbours(remote_ds) -> None:
    from graph.network.local import ego, find_paths
    from graph.store.dataset import Dataset

    here = Dataset()
    assert find_paths(remote_ds, "COSME", "Horizon Europe") == find_paths(here, "COSME", "Horizon Europe")
    assert find_paths(remote_ds, "COSME", "Horizon Europe", k=2) == find_paths(here, "COSME", "Horizon Europe", k=2)
    assert ego(remote_ds, "Euroclusters", depth=2) == ego(here, "Euroclusters", depth=2)


def test_remote_dataset_same_network_analyses(remote_ds) -> None:
    from graph.network import analysis
    from graph.store.dataset import Dataset

    here, there = Dataset().network(), remote_ds.network()
    assert sorted(there.edges(keys=True)) == sorted(here.edges(keys=True))
    assert analysis.centrality(there, "betweenness", top=10) == analysis.centrality(here, "betweenness", top=10)
    assert analysis.gaps(there, top=5) == analysis.gaps(here, top=5)
    assert analysis.export_network(there, "json") == analysis.export_network(here, "json")


def test_cli_reads_through_endpoint(pushed: str) -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    for args in (["stats"], ["show", "COSME"], ["path", "COSME", "Horizon Europe"],
                 ["neighbours", "Horizon Europe"], ["centrality", "--top", "5"],
                 ["queries", "run", "jci-policy-links", "--format", "csv"]):
        local = runner.invoke(cli, args)
        remote = runner.invoke(cli, ["--endpoint", f"{pushed}/query", *args])
        assert remote.exit_code == local.exit_code == 0, (args, remote.output)
        assert remote.output == local.output, args


def test_endpoint_with_data_is_refused(pushed: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    f = tmp_path / "x.ttl"
    f.write_text("")
    res = CliRunner().invoke(cli, ["--endpoint", f"{pushed}/query", "--data", str(f), "stats"])
    assert res.exit_code == 2
    assert "do not combine it with --data" in res.output
