"""Each protection of ``clusterkg serve`` has a test: read-only, SERVICE/FROM refused (no outbound
connection), a deadline that kills the query while the server keeps answering, the row cap, the
body cap, loopback by default, generic errors, CSP on every HTML page, static path traversal, and
labels with markup that stay text."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.conftest import loopback_listener

from .conftest import FIXTURES, Running, start_server

LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


# -- read-only ----------------------------------------------------------------------------

@pytest.mark.parametrize("send", ["query-get", "query-form", "update-form", "update-body", "query-body"])
def test_updates_are_refused_with_403(client: httpx.Client, send: str) -> None:
    update = "INSERT DATA { <https://example.org/a> <https://example.org/b> 'c' }"
    if send == "query-get":
        r = client.get("/sparql", params={"query": update})
    elif send == "query-form":
        r = client.post("/sparql", data={"query": update})
    elif send == "update-form":
        r = client.post("/sparql", data={"update": update})
    elif send == "update-body":
        r = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
    else:
        r = client.post("/sparql", content="PREFIX x: <urn:x#>\nDELETE WHERE { ?s ?p ?o }",
                        headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 403
    assert "read-only" in r.text and "Update" in r.text
    # nothing was written
    ask = client.get("/sparql", params={"query": "ASK { <https://example.org/a> ?p ?o }"})
    assert ask.json()["boolean"] is False


# -- SERVICE and FROM -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP listener on loopback that records every connection (the bait for SERVICE / FROM)."""
    with loopback_listener() as bait:
        yield bait


def connections_so_far(listener: tuple[int, list[bytes]]) -> list[bytes]:
    """Every connection the listener has had until now: a marker connection of ours is queued after
    any earlier one (a listening socket accepts in order), so once it is recorded, they all are."""
    port, seen = listener
    marker = b"marker %d" % len(seen)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(marker)
    deadline = time.monotonic() + 30
    while marker not in seen:
        assert time.monotonic() < deadline, "the listener did not record the marker connection"
        time.sleep(0.005)
    return [got for got in seen if not got.startswith(b"marker ")]


@pytest.mark.parametrize("template", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:PORT/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://127.0.0.1:PORT/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:PORT/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
])
def test_service_and_from_are_refused_without_any_connection(client: httpx.Client,
                                                             listener: tuple[int, list[bytes]],
                                                             template: str) -> None:
    port = str(listener[0])
    r = client.post("/sparql", data={"query": template.replace("PORT", port)})
    assert r.status_code == 403
    assert "is refused" in r.text and "--allow-remote" not in r.text
    assert connections_so_far(listener) == []


def test_dataset_parameters_are_refused(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "file:///etc/passwd"})
    assert r.status_code == 403
    r = client.post("/sparql", data={"query": "ASK {}", "named-graph-uri": "http://127.0.0.1:9/"})
    assert r.status_code == 403


# -- the deadline ---------------------------------------------------------------------------

def _children() -> set[int]:
    me = os.getpid()
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                out.add(int(d.name))
    return out


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the hard deadline needs os.fork")
def test_a_long_query_is_killed_at_the_deadline_and_the_server_keeps_answering(server: Running) -> None:
    before = _children()
    result: dict[str, object] = {}

    def long_query() -> None:
        t0 = time.monotonic()
        r = httpx.post(server.sparql, data={"query": LONG}, timeout=60)
        result.update(status=r.status_code, text=r.text, took=time.monotonic() - t0)

    t = threading.Thread(target=long_query)
    t.start()
    time.sleep(0.5)
    # while it runs, others are answered, quickly
    for _ in range(3):
        t0 = time.monotonic()
        r = httpx.get(server.sparql, params={"query": "ASK { ?s a ckg:Eurocluster }"}, timeout=10)
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert time.monotonic() - t0 < 2.0
        assert httpx.get(server.url + "/stats.json", timeout=10).status_code == 200
    t.join(30)
    assert result["status"] == 503
    assert "stopped after 3 s" in str(result["text"])
    assert 2.5 < float(result["took"]) < 10  # type: ignore[arg-type]
    # the child was killed and reaped, and the server still answers
    time.sleep(0.2)
    assert _children() <= before
    r = httpx.get(server.sparql, params={"query": "ASK { ?s a ckg:Eurocluster }"}, timeout=10)
    assert r.status_code == 200


def test_the_default_deadline_is_ten_seconds() -> None:
    from graph.server import ServerConfig

    assert ServerConfig().timeout == 10.0


# -- limits ---------------------------------------------------------------------------------

def test_row_cap_flags_truncated(client: httpx.Client, server: Running) -> None:
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    r = client.get("/sparql", params={"query": q})
    doc = r.json()
    assert len(doc["results"]["bindings"]) == server.config.max_rows == 500
    assert doc["truncated"] is True
    assert r.headers["x-clusterkg-truncated"] == "true"
    r = client.get("/sparql", params={"query": q, "format": "csv"})
    assert r.headers["x-clusterkg-truncated"] == "true" and len(r.text.strip().splitlines()) == 501
    small = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ckg:Eurocluster } LIMIT 2"})
    assert small.json()["truncated"] is False and small.headers["x-clusterkg-truncated"] == "false"


def test_body_cap(client: httpx.Client, server: Running) -> None:
    big = "ASK {} #" + "x" * (server.config.max_body + 10)
    r = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = client.post("/sparql", data={"query": big})
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b"query=ASK%20%7B%7D%20%23"
        for _ in range(server.config.max_body // 4096 + 2):
            yield b"x" * 4096

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert client.get("/stats.json").status_code == 200


def test_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.server
    from cli import cli

    seen = {}
    monkeypatch.setattr(graph.server, "serve", lambda ds, config, **kw: seen.update(config=config, **kw))
    res = CliRunner().invoke(cli, ["serve"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert seen["config"].host == "127.0.0.1" and seen["config"].port == 8000
    assert seen["config"].timeout == 10.0
    res = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9999", "--timeout", "2"],
                             catch_exceptions=False)
    assert seen["config"].host == "0.0.0.0" and seen["config"].port == 9999 and seen["config"].timeout == 2


def test_foreign_host_headers_are_refused(server: Running) -> None:
    r = httpx.get(server.url + "/", headers={"Host": "attacker.example"})
    assert r.status_code == 400


# -- errors ---------------------------------------------------------------------------------

def test_errors_are_generic(client: httpx.Client, server: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    explorer = server.app.state.explorer

    def boom() -> None:
        raise RuntimeError(f"secret detail in {Path(__file__).resolve()}")

    monkeypatch.setattr(explorer, "stats", boom)
    for path, accept in (("/stats.json", "application/json"), ("/stats", "text/html")):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 500
        assert "internal error" in r.text
        assert "secret" not in r.text and "Traceback" not in r.text and "/tests/" not in r.text
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY ("})
    assert r.status_code == 400 and "Traceback" not in r.text and "/" not in r.text.split("column")[0]
    r = client.get("/entity.json", params={"iri": "https://example.org/nothing"})
    assert r.status_code == 404 and r.json()["error"].startswith("no entity named")
    r = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "content-security-policy" in r.headers


# -- HTML ----------------------------------------------------------------------------------

PAGES = ["/", "/search?q=cluster", "/entity?iri=https://w3id.org/clusterkg/id/cosme", "/path",
         "/path?from=COSME&to=Horizon%20Europe", "/map?focus=https://w3id.org/clusterkg/id/cosme", "/brokers",
         "/communities", "/gaps", "/queries", "/queries/envisaged-synergies", "/stats", "/sparql", "/nowhere",
         "/entity?iri=https://example.org/none"]


@pytest.mark.parametrize("path", PAGES)
def test_every_html_response_has_a_csp(client: httpx.Client, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # no inline script anywhere
    assert "http://" not in r.text.replace("http://www.w3.org", "") or path.startswith(("/entity", "/queries/"))


@pytest.mark.parametrize("raw", ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                                 "/static/..%2fpyproject.toml", "/static/yasgui/../../app.py",
                                 "/static//etc/passwd", "/static/%2Fetc%2Fpasswd"])
def test_static_path_traversal_is_404(server: Running, raw: str) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(f"GET {raw} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = data.split(b"\r\n", 1)[0]
    assert b" 404 " in status, status
    assert b"[build-system]" not in data and b"root:" not in data and b"create_app" not in data


@pytest.fixture(scope="module")
def xss_server() -> Iterator[Running]:
    with start_server([FIXTURES / "xss.ttl"], default_data=False) as running:
        yield running


def test_labels_with_markup_stay_text(xss_server: Running) -> None:
    with httpx.Client(base_url=xss_server.url, timeout=30) as c:
        found = c.get("/search.json", params={"q": "img"}).json()["results"]
        iri = next(r["iri"] for r in found if "onerror" in r["label"])
        pages = [c.get("/search", params={"q": "img"}), c.get("/entity", params={"iri": iri}),
                 c.get("/entity", params={"iri": "https://example.org/clusterkg-xss/href"}),
                 c.get("/path", params={"from": "https://example.org/clusterkg-xss/href",
                                        "to": "https://example.org/clusterkg-xss/script"}),
                 c.get("/map", params={"focus": iri}), c.get("/brokers"), c.get("/communities"),
                 c.get("/stats"), c.get("/search", params={"q": "<script>alert(1)</script>"})]
        for r in pages:
            assert r.status_code == 200, r.url
            body = r.text
            for raw in ("<img src=x", "<script>window", "<svg onload", "<b onmouseover", '<a href="javascript'):
                assert raw not in body, (r.url, raw)
        entity = pages[1].text
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in entity or "&quot;&gt;&lt;img src=x" in entity
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[-1].text
        # JSON twins carry the text as it is (JSON is data, served as application/json)
        doc = c.get("/entity.json", params={"iri": iri})
        assert doc.headers["content-type"].startswith("application/json")
        assert doc.json()["label"] == '"><img src=x onerror=alert(1)>'
