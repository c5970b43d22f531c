"""User queries never reach the network or local files unless asked (`--allow-remote`).

Each check runs in a process of its own (a child forked for it by the module's probe process, which
has imported clusterkg and opened the store) with a PEP 578 audit hook that records every
``socket.connect``, ``open`` and ``urllib.Request`` event after the hook is installed, and a TCP
listener on loopback proves independently that no connection arrives (Oxigraph's own HTTP client is
native code, out of the audit hook's sight). The child runs the query itself (no time limit, so no
forked grandchild) so that the hook sees everything. The ``--allow-remote`` runs are the positive
controls: the same probes do see the file read and the connection.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli import cli
from tests.conftest import loopback_listener

ROOT = Path(__file__).resolve().parents[2]

#: One probe process for the module: it imports clusterkg and opens the store once, then answers each
#: query (a JSON line ``[query, "allow" | "deny"]`` on stdin) in a child forked for it, which installs
#: the audit hook and runs the query: every query starts from the same state, as a fresh process
#: would (nothing a query did is seen by the next), without a new interpreter for each.
PROBE = textwrap.dedent("""
    import json, os, select, signal, sys, traceback
    import graph
    from graph.errors import ClusterKGError
    from graph.sparql.query import open_store

    local = open_store()

    def run(query, mode):
        events = []

        def hook(event, args):
            if event in ("socket.connect", "urllib.Request"):
                events.append([event, repr(args)[:200]])
            elif event == "open" and args and str(args[0]).startswith(("/etc/", "/tmp/", "file:")):
                events.append([event, str(args[0])])

        sys.addaudithook(hook)
        outcome = "answered"
        try:
            result = graph.query(query, local, allow_remote=mode == "allow", timeout=None)
            outcome = f"answered {len(result.rows)}"
        except ClusterKGError as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        return {"outcome": outcome, "events": events}

    for line in sys.stdin:
        query, mode = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                answer = run(query, mode)
            except BaseException:
                answer = {"crash": traceback.format_exc()}
            os.write(w, json.dumps(answer).encode())
            os._exit(0)
        os.close(w)
        data, timed_out = b"", False
        while True:
            if not select.select([r], [], [], 60)[0]:
                os.kill(pid, signal.SIGKILL)
                timed_out = True
                break
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        print(json.dumps({"crash": "no answer within 60 s"}) if timed_out or not data else data.decode(), flush=True)
""")


@pytest.fixture(scope="module")
def probe() -> Iterator[Callable[[str, bool], dict]]:
    """``probe(query, allow)``: the outcome of ``graph.query(query, allow_remote=allow)`` and the audit
    events it raised, from a fresh child of the module's probe process."""
    with subprocess.Popen([sys.executable, "-c", PROBE], cwd=ROOT, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None

        def ask(query: str, allow: bool) -> dict:
            proc.stdin.write(json.dumps([query, "allow" if allow else "deny"]) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line, "the probe process ended"
            answer = json.loads(line)
            assert "crash" not in answer, answer["crash"]
            return answer

        yield ask
        proc.stdin.close()
    assert proc.returncode == 0


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that records what connects (and answers HTTP 500)."""
    with loopback_listener(b"HTTP/1.1 500 Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") as bait:
        yield bait


def test_service_is_refused_without_any_request(probe, listener) -> None:
    port, seen = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    result = probe(query, allow=False)
    assert result["outcome"].startswith("UnsafeQueryError") and "SERVICE" in result["outcome"]
    assert result["events"] == []
    assert seen == []
    # Control: allowed, the query does reach the listener.
    result = probe(query, allow=True)
    assert seen, "the allowed SERVICE call should have connected"
    assert b"/sparql" in seen[0]


@pytest.mark.parametrize("glued", ["trueSERVICE", "falseSERVICE", "trueService", "trueSERVICESILENT"])
def test_service_glued_to_a_boolean_is_refused(probe, listener, glued: str) -> None:
    """Oxigraph reads ``?s ?p trueSERVICE <...>`` as ``?s ?p true`` then ``SERVICE <...>`` (the
    control below: it calls the listener); the checker used to see one bare word and let it run."""
    import pyoxigraph as ox

    port, seen = listener
    query = f"SELECT * WHERE {{ ?s ?p {glued} <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}"
    result = probe(query, allow=False)
    assert result["outcome"].startswith("UnsafeQueryError") and "SERVICE" in result["outcome"]
    assert result["events"] == [] and seen == []
    # Control: on a store holding such a boolean, Oxigraph itself does send the request.
    store = ox.Store()
    value = ox.Literal(glued.lower().startswith("true"))
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), value))
    with contextlib.suppress(OSError):  # the listener answers 500 (SILENT: no error)
        list(store.query(query))
    assert seen and b"/sparql" in seen[0]


@pytest.mark.parametrize("query", [
    "SELECT * WHERE {{ SERVICESILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * FROMNAMED <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
])
def test_keywords_glued_together_are_refused(probe, listener, query: str) -> None:
    """Oxigraph reads SERVICESILENT as SERVICE SILENT and FROMNAMED as FROM NAMED."""
    port, seen = listener
    result = probe(query.format(port=port), allow=False)
    assert result["outcome"].startswith("UnsafeQueryError"), result
    assert result["events"] == [] and seen == []


def test_service_on_port_9_is_refused_before_anything(probe) -> None:
    result = probe("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", allow=False)
    assert result["outcome"].startswith("UnsafeQueryError")
    assert result["events"] == []


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_file_is_refused_without_reading(probe, clause) -> None:
    result = probe(f"SELECT * {clause} <file:///etc/hostname> WHERE {{ ?s ?p ?o }}", allow=False)
    assert result["outcome"].startswith("UnsafeQueryError") and "file:///etc/hostname" in result["outcome"]
    assert result["events"] == []


def test_from_http_is_refused_without_request(probe, listener) -> None:
    port, seen = listener
    result = probe(f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}", allow=False)
    assert result["outcome"].startswith("UnsafeQueryError")
    assert result["events"] == [] and seen == []


def test_from_file_is_read_when_allowed(probe, tmp_path) -> None:
    data = tmp_path / "extra.ttl"  # test fixture written here
    data.write_text("<http://example.org/a> <http://example.org/p> 'from the file' .\n")
    result = probe(f"SELECT ?o FROM <{data.as_uri()}> WHERE {{ ?s ?p ?o }}", allow=True)
    assert result["outcome"] == "answered 1"
    assert any(e[0] == "open" and str(data) in e[1] for e in result["events"])


def test_rdflib_engine_does_not_load_from_graphs(tmp_path, kg) -> None:
    import rdflib.plugins.sparql as rsp

    import graph
    from graph.errors import UnsafeQueryError

    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://example.org/s> <http://example.org/p> 'secret' .\n")
    with pytest.raises(UnsafeQueryError):
        graph.query(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}", kg, engine="rdflib")
    assert rsp.SPARQL_LOAD_GRAPHS is True  # rdflib's global default is left as it was


def test_cli_refusals_exit_2(runner) -> None:
    res = runner.invoke(cli, ["query", "SELECT * FROM <file:///etc/hostname> WHERE { ?s ?p ?o }"])
    assert res.exit_code == 2 and "--allow-remote" in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"])
    assert res.exit_code == 2 and "SERVICE" in res.output


def test_keywords_in_strings_and_comments_are_not_clauses(runner) -> None:
    q = "# SERVICE <http://127.0.0.1:9/>\nSELECT ?x WHERE { BIND('FROM <file:///etc/hostname>' AS ?x) }"
    res = runner.invoke(cli, ["query", q, "--format", "csv"])
    assert res.exit_code == 0 and "file:///etc/hostname" in res.output
