"""Shared fixtures. The graph cache goes to a per-session temporary folder so that tests never
depend on (or pollute) the user's cache.

What is expensive is built once per test session and shared by the xdist workers (``session_share``:
a folder of the session and a lock): the graph cache, the chains of imports (``import_chain``), the
cache entries of the datasets they make (``dataset_once``), the installed wheel
(``installed_package``), the README examples' input files (tests/test_docs.py). Once per worker: the
SHACL report of the curated graph (``curated_report``), the answers of the library questions
(``library_answers``), one headless Chromium per set of resolver rules (``chromium``)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the package's bytecode once, before any test runs (in the controller, not in each
    xdist worker), as ``pip install`` does for an installed package: the hundreds of ``clusterkg``
    processes the tests start then read it instead of each compiling every module again (about
    80 ms each when the shell sets PYTHONDONTWRITEBYTECODE, which stops Python writing it)."""
    if hasattr(session.config, "workerinput"):
        return
    import compileall

    compileall.compile_dir(ROOT / "graph", quiet=1)
    compileall.compile_file(ROOT / "cli.py", quiet=1)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave what is alive once the tests are collected (the imported libraries, the test items: about
    170,000 objects, kept for the whole session) out of the garbage collector's full passes: each pass
    then reads only what the tests made (the workers spent 13.6 s in full passes per run, 7.9 s
    after). Nothing a test makes is affected: it is collected as before."""
    gc.collect()
    gc.freeze()


def session_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A private folder of this test session that every xdist worker shares (the workers' temporary
    folders sit side by side in the session's): what one worker builds there, the others reuse."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def session_lock(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[None]:
    """Hold an exclusive lock of this session (across xdist workers) while the block runs."""
    import fcntl

    with (session_folder(tmp_path_factory, "locks") / name).open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class SessionShare:
    """What a session fixture hands out: :func:`session_folder` and :func:`session_lock` for it."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory

    def folder(self, name: str) -> Path:
        return session_folder(self._factory, name)

    def lock(self, name: str) -> Any:
        return session_lock(self._factory, name)


@pytest.fixture(scope="session")
def session_share(tmp_path_factory: pytest.TempPathFactory) -> SessionShare:
    """Folders and locks shared by the xdist workers of this session (build once, read everywhere)."""
    return SessionShare(tmp_path_factory)


#: The run date every import of the tests is stamped with (so that their outputs never change).
IMPORT_RUN_DATE = "2026-01-01"

#: One import of a chain: (name of its output, mapping, input tables).
ImportStep = tuple[str, str, list[Path]]


def _import_chain(share: SessionShare, steps: list[ImportStep]) -> tuple[dict[str, Path], dict[str, Any]]:
    """Run the imports ``steps`` in order, each linking into the curated data and the outputs before it.

    Each step runs once per test session, whichever chain asks first: a step is named by the steps
    before it and its own mapping and inputs, so chains that begin alike (the import tests', the
    partner search's, the region profiles') share their first imports. The first xdist worker to
    need a step runs it (holding its lock); the others read its output and its
    :class:`graph.imports.ImportResult`, which is kept beside it (pickled, in the session's private folder).

    Returns
    -------
    (outputs, results)
        The N-Triples file and the result of each step, by name, in order.
    """
    import hashlib
    import pickle

    from graph.imports import import_tables
    from graph.store.cache import is_private
    from graph.store.dataset import Dataset

    key = hashlib.sha256(IMPORT_RUN_DATE.encode())
    outs: dict[str, Path] = {}
    results: dict[str, Any] = {}
    for name, mapping, inputs in steps:
        key.update(repr((name, mapping, [str(Path(f).resolve()) for f in inputs])).encode())
        folder = share.folder(f"import-{key.hexdigest()[:20]}")
        out, kept = folder / f"{name}.nt", folder / "result.pickle"
        with share.lock(folder.name):
            if not kept.is_file():
                for f in inputs:
                    assert Path(f).is_file(), f"missing real-data fixture {f}"
                # a graph used once is built in memory (the tests that run commands on the outputs
                # build and reuse cache entries)
                res = import_tables(mapping, inputs, out=out, dataset=Dataset(list(outs.values()), use_cache=False),
                                    run_date=IMPORT_RUN_DATE, progress=False)
                (folder / "result.tmp").write_bytes(pickle.dumps(res))
                (folder / "result.tmp").replace(kept)
        outs[name] = out
        # written by this session; read only from a folder and file nobody else can write
        assert is_private(folder) and is_private(kept), f"{kept} is not private: not unpickled"
        results[name] = pickle.loads(kept.read_bytes())
    return outs, results


@pytest.fixture(scope="session")
def import_chain(session_share: SessionShare) -> Callable[[list[ImportStep]], tuple[dict[str, Path], dict[str, Any]]]:
    """``import_chain(steps)``: the outputs and results of a chain of imports, each run once per
    session (see :func:`_import_chain`)."""
    return lambda steps: _import_chain(session_share, steps)


def _dataset_once(share: SessionShare, paths: list[Path], **options: Any) -> Any:
    import hashlib

    import graph

    what = repr(([str(p) for p in paths], sorted(options.items())))
    with share.lock("dataset-" + hashlib.sha256(what.encode()).hexdigest()[:20]):
        ds = graph.open_dataset(paths, **options)
        len(ds)  # opens the store: its cache entry is built here, by one worker
    return ds


@pytest.fixture(scope="session")
def dataset_once(session_share: SessionShare) -> Callable[..., Any]:
    """``dataset_once(paths, **options)``: ``graph.open_dataset(paths, **options)``, its cache entry
    built by the first xdist worker that needs it while the others wait for it (instead of building
    it too)."""
    return lambda paths, **options: _dataset_once(session_share, list(paths), **options)


@pytest.fixture(scope="session")
def installed_package(session_share: SessionShare) -> dict[str, Path]:
    """clusterkg built as a wheel from a copy of the sources (as a fresh clone is) and installed, without
    its dependencies, into a folder of its own: ``{"src": the copy, "site": the install}`` (once per
    session: the plain-install tests of every xdist worker share it)."""
    folder = session_share.folder("installed-package")
    src, site = folder / "src", folder / "site"
    with session_share.lock("installed-package"):
        if not (folder / "done").is_file():
            shutil.rmtree(src, ignore_errors=True)
            shutil.rmtree(site, ignore_errors=True)
            src.mkdir()
            for name in ("pyproject.toml", "README.md", "cli.py"):
                shutil.copy(ROOT / name, src / name)
            for name in ("graph", "ontology", "data", "queries", "mappings"):
                shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
            wheels = folder / "wheels"
            subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(src)], check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                            str(next(wheels.glob("clusterkg-*.whl")))], check=True, capture_output=True)
            (folder / "done").touch()
    return {"src": src, "site": site}


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # one cache per test session, shared by the xdist workers (its entries are built in a private
    # temporary folder and renamed into place, so two workers never see half an entry)
    cache = session_folder(tmp_path_factory, "clusterkg-cache")
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


class _LibraryAnswers(dict[str, Any]):
    """``answers[name]``: the answer of the question ``name`` of ``queries/`` on the built-in dataset, as
    ``graph.query`` gives it, computed when first asked for and kept (a question that fails fails the
    test that asks for it, and is asked again by the next)."""

    def __missing__(self, name: str) -> Any:
        from graph.sparql.library import get_query
        from graph.sparql.query import open_store, query

        if not hasattr(self, "local"):
            self.local = open_store()
        answer = self[name] = query(get_query(name).text, self.local)
        return answer


@pytest.fixture(scope="session")
def library_answers() -> dict[str, Any]:
    """The answers of the questions of ``queries/`` on the built-in dataset (each computed once per
    worker: the library, result-path, remote and client tests compare against the same answers)."""
    return _LibraryAnswers()


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


def _start_chromium(window: str, resolver_rules: str) -> tuple[Any, tempfile.TemporaryDirectory[str]]:
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
    try:
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except BaseException:
        profile.cleanup()
        raise
    try:
        driver.execute_cdp_cmd("Network.enable", {})
    except BaseException:
        driver.quit()
        profile.cleanup()
        raise
    return driver, profile


class _Chromiums:
    """The session's headless Chromiums: one per set of host-resolver rules (a start-up flag), started
    when first asked for, each with a fresh profile (``--user-data-dir``) of its own, and quit at the
    end of the session. Each use gets it on a blank page, with the window size and blocked URLs it
    asks for and its logs emptied (nothing an earlier test module did shows in the next one's checks)."""

    def __init__(self) -> None:
        self._open: dict[str, tuple[Any, tempfile.TemporaryDirectory[str]]] = {}

    def _ready(self, window: str, resolver_rules: str, blocked: list[str] | None) -> Any:
        from selenium.common.exceptions import WebDriverException

        width, height = (int(n) for n in window.split(","))
        for attempt in (1, 2):
            if resolver_rules not in self._open:
                self._open[resolver_rules] = _start_chromium(window, resolver_rules)
            driver = self._open[resolver_rules][0]
            try:
                driver.get("about:blank")
                driver.set_window_size(width, height)
                driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked or []})
                driver.get_log("browser")
                driver.get_log("performance")
                return driver
            except WebDriverException:
                if attempt == 2:
                    raise
                self._quit(resolver_rules)  # it died with an earlier test: start a new one
        raise AssertionError("unreachable")

    @contextmanager
    def __call__(self, window: str, resolver_rules: str, blocked: list[str] | None) -> Iterator[Any]:
        driver = self._ready(window, resolver_rules, blocked)
        ARTIFACTS.mkdir(exist_ok=True)
        yield driver

    def _quit(self, resolver_rules: str) -> None:
        driver, profile = self._open.pop(resolver_rules)
        try:
            driver.quit()
        finally:
            profile.cleanup()

    def close(self) -> None:
        for rules in list(self._open):
            self._quit(rules)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """``chromium(window, resolver_rules, blocked)``: a context manager giving a WebDriver (one
    Chromium per set of resolver rules for all the session's browser tests on this worker)."""
    browsers = _Chromiums()
    try:
        yield browsers
    finally:
        browsers.close()


# -- servers on loopback: a real Oxigraph server, `clusterkg serve` ------------------------------

@contextmanager
def _local_server(argv: Callable[[int], list[str]], ready: str, what: str, *, timeout: float = 30,
                  cwd: Path | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``argv(port)`` on a free loopback port; yield its base URL once ``GET base + ready``
    answers; stop it afterwards. A server that does not start fails the test with its error output."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv(port), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(base + ready, timeout=2):
                        break
                except (urllib.error.URLError, OSError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"{what} did not start: {log.read().decode(errors='replace')[-500:]}")
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def local_server() -> Any:
    """``local_server(argv, ready, what, timeout=30, cwd=None, env=None)``: a context manager running a server
    on a free loopback port (``argv(port)``) and giving its base URL once ``ready`` answers."""
    return _local_server


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty Oxigraph server (the binary of the `oxigraph` PyPI package) in a temporary folder,
    one per test module; its base URL (``/query``, ``/update``, ``/store``)."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.fail("the `oxigraph` binary is missing: pip install -e '.[test]' installs it")
    location = tmp_path_factory.mktemp("oxigraph")
    with _local_server(lambda port: [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                       "/query?query=ASK%7B%7D", "oxigraph server") as base:
        yield base


@contextmanager
def loopback_listener(reply: bytes = b"") -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that records the first bytes of every connection, and answers
    ``reply`` when given: the bait a test gives SERVICE or FROM, to see that nothing connects.

    Yields ``(port, seen)``; ``seen`` grows as connections arrive (``b""`` for one that sent nothing
    readable). The listener stops when the block ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    seen.append(conn.recv(4096))
                    if reply:
                        conn.sendall(reply)
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # wakes the waiting accept() at once
        thread.join(timeout=2)
        server.close()
