"""Real SPARQL clients against ``clusterkg serve``: SPARQLWrapper, rdflib's SPARQLStore and
``clusterkg query --endpoint`` get the same answers as ``clusterkg query`` for every question
in ``queries/``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import graph
from cli import cli
from graph.sparql.library import list_queries
from graph.sparql.results import QueryResult, parse_results_json, row_multiset

from .conftest import Running

NAMES = [q.name for q in list_queries()]


@pytest.fixture(scope="module")
def local(library_answers: dict[str, QueryResult]) -> dict[str, QueryResult]:
    """Every question's answer on the built-in dataset, computed here (``graph.query``)."""
    return library_answers


@pytest.mark.parametrize("name", NAMES)
def test_sparqlwrapper_gets_the_same_answers(server: Running, local: dict[str, QueryResult], name: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(next(q.text for q in list_queries() if q.name == name))
    sw.setReturnFormat(JSON)
    doc = sw.queryAndConvert()
    remote = parse_results_json(json.dumps(doc))
    assert remote.type == local[name].type
    assert row_multiset(remote) == row_multiset(local[name])


@pytest.mark.parametrize("name", NAMES)
def test_rdflib_sparqlstore_gets_the_same_answers(server: Running, local: dict[str, QueryResult], name: str) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(query_endpoint=server.sparql, returnFormat="json"))
    text = next(q.text for q in list_queries() if q.name == name)
    res = g.query(text)
    mine = QueryResult.select([str(v) for v in res.vars or []],
                              [tuple(row) for row in res])  # type: ignore[arg-type]
    assert row_multiset(mine) == row_multiset(local[name])


def test_rdflib_sparqlstore_xml_construct_and_ask(server: Running) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(query_endpoint=server.sparql))  # its default: XML results
    assert g.query("ASK { ?s a ckg:Eurocluster }").askAnswer is True
    got = g.query("CONSTRUCT { ?e a ckg:Eurocluster } WHERE { ?e a ckg:Eurocluster }")
    local = graph.query("CONSTRUCT { ?e a ckg:Eurocluster } WHERE { ?e a ckg:Eurocluster }")
    assert set(got.graph) == set(local.graph)  # type: ignore[arg-type]
    assert (URIRef("https://w3id.org/clusterkg/id/cosme"), None, None) in g


@pytest.mark.parametrize("name", NAMES)
def test_clusterkg_query_endpoint_matches_local(server: Running, name: str) -> None:
    runner = CliRunner()
    path = next(str(q.path) for q in list_queries() if q.name == name)
    here = runner.invoke(cli, ["query", path, "--format", "json"], catch_exceptions=False)
    there = runner.invoke(cli, ["query", path, "--format", "json", "--endpoint", server.sparql],
                          catch_exceptions=False)
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    assert row_multiset(parse_results_json(here.stdout)) == row_multiset(parse_results_json(there.stdout))
