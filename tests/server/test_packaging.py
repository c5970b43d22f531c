"""The wheel ships every template and static file of the server, and every setting is documented."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from graph.server import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "graph" / "server"


def test_package_data_covers_templates_and_static() -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "graph.server" in conf["tool"]["setuptools"]["packages"]
    globs = conf["tool"]["setuptools"]["package-data"]["graph.server"]
    files = [p.relative_to(SERVER).as_posix() for d in ("templates", "static") for p in (SERVER / d).rglob("*")
             if p.is_file()]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []
    deps = " ".join(conf["project"]["dependencies"])
    assert "starlette" in deps and "uvicorn" in deps and "jinja2" in deps


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "serve.md").read_text()
    for s in SETTINGS:
        assert f"`{s.name}`" in doc, s.name
