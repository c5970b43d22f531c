"""A plain (non-editable) install carries the ontology and data inside the distribution."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_install_finds_builtin_ontology_and_data(tmp_path: Path, installed_package: dict[str, Path]) -> None:
    # built from a copy of the sources, as a fresh clone is (tests/conftest.py::installed_package)
    src, site = installed_package["src"], installed_package["site"]
    # regression: pip builds in the source tree, and setuptools' `build/` folder made the README's
    # `pip install . && clusterkg build` refuse to write into it
    assert not (src / "build").exists()
    from graph.store.build import check_out_dir

    assert check_out_dir(src / "build") == "new"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import graph, cli;"
        "assert graph.__file__.startswith(sys.argv[1]), graph.__file__;"
        "sys.argv = ['clusterkg', '--no-cache', 'stats', '--format', 'json']; cli.main()"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["entities"] >= 250
    assert (site / "graph" / "_data" / "sources.ttl").is_file()
    assert (site / "graph" / "_ontology" / "shapes.ttl").is_file()
    assert (site / "graph" / "_queries" / "jci-policy-links.rq").is_file()
    assert list((site / "graph" / "_queries" / "expected").glob("*.srj"))
    assert (site / "graph" / "maps" / "templates" / "map.html").is_file()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cli;"
        "sys.argv = ['clusterkg', '--no-cache', 'queries']; cli.main()"
    )
    res = subprocess.run([sys.executable, "-c", code, str(site)], cwd=elsewhere, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "jci-policy-links" in res.stdout
