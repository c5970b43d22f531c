"""Acceptance: after a plain (non-editable) install, ``clusterkg serve`` serves the explorer, its
templates and static files (YASGUI included) from the installed package."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest


@pytest.mark.slow
@pytest.mark.server
def test_installed_package_serves_the_explorer(tmp_path: Path, local_server: Any,
                                              installed_package: dict[str, Path]) -> None:
    site = installed_package["site"]  # the wheel installed without its dependencies (tests/conftest.py)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import graph, cli;"
            "assert graph.__file__.startswith(sys.argv[1]), graph.__file__;"
            "sys.argv = ['clusterkg', 'serve', '--port', sys.argv[2]]; cli.main()")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CLUSTERKG_CACHE_DIR"] = str(tmp_path / "cache")
    with local_server(lambda port: [sys.executable, "-c", code, str(site), str(port)], "/", "the installed server",
                      timeout=120, cwd=elsewhere, env=env) as base:
        home = httpx.get(base + "/", headers={"Accept": "text/html"}, timeout=30)
        assert home.status_code == 200 and "clusterkg" in home.text
        for path in ("/static/explorer.css", "/static/map.js", "/static/yasgui/yasgui.min.js",
                     "/static/vis/vis-network.min.js", "/queries/jci-policy-links"):
            assert httpx.get(base + path, timeout=30).status_code == 200, path
        editor = httpx.get(base + "/sparql", headers={"Accept": "text/html"}, timeout=30)
        assert "yasgui.min.js" in editor.text
        ask = httpx.get(base + "/sparql", params={"query": "ASK { ?s a ckg:Eurocluster }"}, timeout=30)
        assert ask.json()["boolean"] is True
