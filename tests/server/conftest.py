"""A real ``clusterkg serve`` (uvicorn on a free loopback port, in a thread) per test module.

:func:`start_server` binds a socket on 127.0.0.1 first (so the port is known and nobody else can
take it), runs uvicorn on it in a daemon thread, waits until it answers and stops it afterwards.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class Running:
    """A server under test: its base URL and its application."""

    url: str
    app: Any
    config: Any

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


@contextmanager
def start_server(paths: list[str | Path] = (), *, default_data: bool = True, dataset: Any = None,
                 **settings: Any) -> Iterator[Running]:
    """Serve a dataset (``dataset``, else the one of ``paths``) on a free loopback port for the
    duration of the block."""
    import uvicorn

    import graph
    from graph.server import ServerConfig, create_app

    ds = dataset if dataset is not None else graph.open_dataset(list(paths), default_data=default_data)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = ServerConfig(port=port, **settings)
    app = create_app(ds, config)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/static/explorer.css", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start") from None
            time.sleep(0.05)
    try:
        yield Running(url, app, config)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    """The built-in dataset served with a short deadline (one server per test module)."""
    with start_server(timeout=3.0, max_rows=500, max_body=64 * 1024) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c
