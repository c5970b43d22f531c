"""`push` against a server that misbehaves (issue 8, item 10): a deadline that fits a command line,
and one clear line for each failure. The servers are local stubs on 127.0.0.1."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from cli import cli
from graph.errors import EndpointError
from graph.sparql.remote import push, server_message

TRIPLES = [(URIRef("http://e/a"), URIRef("http://e/p"), Literal("x"))]


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads, but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/store"
    stop.set()
    t.join()
    for c in held:
        c.close()
    sock.close()


class _Failing(http.server.BaseHTTPRequestHandler):
    def _fail(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = ("<!DOCTYPE html><html><head><title>500 Internal Server Error</title>"
                "<style>body{color:red}</style></head><body><h1>Internal Server Error</h1>"
                "<p>The store ran out of disk space.</p><pre>" + "stack frame\n" * 40 +
                "</pre></body></html>").encode()
        self.send_response(500)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = _fail  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/store"
    server.shutdown()
    server.server_close()


def test_a_server_that_never_answers_is_named_as_such(silent_server: str) -> None:
    start = time.monotonic()
    with pytest.raises(EndpointError) as info:
        push(TRIPLES, silent_server, timeout=0.5)
    assert time.monotonic() - start < 10
    assert "accepted the connection but did not answer in 0.5 s" in str(info.value)
    assert "cannot connect" not in str(info.value)


def test_push_default_deadline_fits_a_command_line() -> None:
    timeout = next(p for p in cli.commands["push"].params if p.name == "timeout")
    assert 10 <= timeout.default <= 60
    res = CliRunner().invoke(cli, ["push", "--help"])
    assert f"default: {timeout.default}" in " ".join(res.output.split())


def test_the_cli_says_no_answer_in_one_line(silent_server: str) -> None:
    res = CliRunner().invoke(cli, ["--no-default-data", "push", "--endpoint", silent_server, "--timeout", "0.5"])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1
    assert "did not answer in 0.5 s" in res.output


def test_an_http_error_is_its_status_line_and_the_servers_message(failing_server: str) -> None:
    res = CliRunner().invoke(cli, ["--no-default-data", "push", "--endpoint", failing_server])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1, res.output
    line = res.output.strip()
    assert line.endswith("HTTP 500 Internal Server Error: The store ran out of disk space."), line
    assert "<" not in line and "stack frame" not in line


@pytest.mark.parametrize("value", ["-1", "0"])
def test_push_timeout_must_be_positive(value: str) -> None:
    res = CliRunner().invoke(cli, ["push", "--endpoint", "http://127.0.0.1:9/store", "--timeout", value])
    assert res.exit_code == 2


def test_server_message_of_plain_text() -> None:
    assert server_message(b"\n  Bad request: missing graph\nmore\n", "text/plain") == "Bad request: missing graph"
