"""Shared fixtures. The graph cache goes to a per-session temporary folder so that tests never
depend on (or pollute) the user's cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("clusterkg-cache")
    old = os.environ.get("CLUSTERKG_CACHE_DIR")
    os.environ["CLUSTERKG_CACHE_DIR"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("CLUSTERKG_CACHE_DIR", None)
    else:
        os.environ["CLUSTERKG_CACHE_DIR"] = old


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def kg():
    """The built-in graph (ontology + curated data), loaded once."""
    import graph

    return graph.open_graph(use_cache=False)


@pytest.fixture(scope="session")
def curated_report(kg):
    """The SHACL report of the built-in graph: full-graph validation runs once per test session.

    Tests that need "the curated data conforms" or its warnings use this instead of validating
    again."""
    from graph.store.validate import validate_graph

    return validate_graph(kg)


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
