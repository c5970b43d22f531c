"""The SPARQL 1.1 Protocol on /sparql: the three ways to send a query, content negotiation,
the service description, and the query editor for browsers."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import httpx
import pytest
from rdflib import Graph

from graph.server.sparql import GRAPH_TYPES, SOLUTION_TYPES, negotiate

SELECT = "SELECT ?e ?label WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label } ORDER BY ?e LIMIT 3"
CONSTRUCT = "CONSTRUCT { ?e a ckg:Eurocluster } WHERE { ?e a ckg:Eurocluster } LIMIT 3"


def test_get_post_form_and_post_body_give_the_same_answer(client: httpx.Client) -> None:
    get = client.get("/sparql", params={"query": SELECT})
    form = client.post("/sparql", data={"query": SELECT})
    body = client.post("/sparql", content=SELECT, headers={"Content-Type": "application/sparql-query"})
    for r in (get, form, body):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
    docs = [r.json() for r in (get, form, body)]
    assert docs[0] == docs[1] == docs[2]
    assert docs[0]["head"]["vars"] == ["e", "label"]
    assert len(docs[0]["results"]["bindings"]) == 3
    assert docs[0]["truncated"] is False


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_content_negotiation(client: httpx.Client, accept: str, media: str) -> None:
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["e", "label"] and len(rows) == 4
    elif media == "text/tab-separated-values":
        lines = r.text.strip().splitlines()
        assert lines[0] == "?e\t?label" and lines[1].startswith("<https://w3id.org/clusterkg/id/")
    elif media.endswith("xml"):
        root = ElementTree.fromstring(r.content)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(root.findall(f"{ns}results/{ns}result")) == 3


@pytest.mark.parametrize(("accept", "media", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    (None, "text/turtle", "turtle"),
])
def test_graph_content_negotiation(client: httpx.Client, accept: str | None, media: str, rdflib_format: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.post("/sparql", data={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    g = Graph().parse(data=r.text, format=rdflib_format)
    assert len(g) == 3


def test_ask_and_format_parameter(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?s a ckg:Eurocluster }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": SELECT, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": SELECT, "format": "nonsense"})
    assert r.status_code == 406


def test_service_description(client: httpx.Client, server) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    q = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
           SELECT ?s ?lang WHERE { ?s a sd:Service ; sd:endpoint ?s ; sd:supportedLanguage ?lang }"""
    rows = list(g.query(q))
    assert [(str(s), str(lang)) for s, lang in rows] == [
        (server.sparql, "http://www.w3.org/ns/sparql-service-description#SPARQL11Query")]
    # a client that asks for nothing in particular also gets it
    assert "sd:Service" in client.get("/sparql").text


def test_browsers_get_the_query_editor_with_the_library(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<script src="/static/yasgui/yasgui.min.js">' in r.text
    assert "envisaged-synergies" in r.text
    assert "https://" not in r.text.split('<script type="application/json"')[0].split("</header>")[1]
    # the editor with a query filled in
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html") and "ASK {}" in r.text


def test_vendored_yasgui_has_licence_and_version(client: httpx.Client) -> None:
    from graph.server.app import STATIC

    version = (STATIC / "yasgui" / "VERSION").read_text()
    assert "@zazuko/yasgui" in version and "4.6.2" in version
    assert "MIT License" in (STATIC / "yasgui" / "LICENSE").read_text()
    for name in ("yasgui.min.js", "yasgui.min.css"):
        r = client.get(f"/static/yasgui/{name}")
        assert r.status_code == 200 and len(r.content) > 10000


def test_bad_requests(client: httpx.Client) -> None:
    assert client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    r = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400
    assert client.get("/sparql", params={"query": "   "}).status_code == 400
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.text.startswith("malformed query: line 1, column")


def test_negotiate() -> None:
    assert negotiate(None, SOLUTION_TYPES) == "json"
    assert negotiate("text/csv, text/*;q=0.5", SOLUTION_TYPES) == "csv"
    assert negotiate("application/json, application/ld+json;q=0.1", GRAPH_TYPES) == "jsonld"
    assert negotiate("text/csv;q=0", SOLUTION_TYPES) is None
    assert json.loads('{"a": 1}') == {"a": 1}
