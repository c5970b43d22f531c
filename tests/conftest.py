"""Shared fixtures. The graph cache goes to a per-session temporary folder so that tests never
depend on (or pollute) the user's cache."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


# -- headless Chromium, shared by the map and explorer browser tests ---------------------------

CHROMIUM = Path(os.environ.get("CLUSTERKG_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CLUSTERKG_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = ROOT / "test-artifacts"


def _chromium_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@contextmanager
def _chromium(window: str, resolver_rules: str, blocked: list[str] | None) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile and the project's flags; fails under CI=true
    when it cannot start (the browser tests must run there), skips elsewhere."""
    why = _chromium_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the browser tests must run, but: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.TemporaryDirectory(prefix="clusterkg-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--window-size={window}",
                f"--host-resolver-rules={resolver_rules}", f"--user-data-dir={profile.name}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        if blocked:
            driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
        ARTIFACTS.mkdir(exist_ok=True)
        yield driver
    finally:
        driver.quit()
        profile.cleanup()


@pytest.fixture(scope="session")
def chromium() -> Any:
    """``chromium(window, resolver_rules, blocked)``: a context manager giving a WebDriver."""
    return _chromium
