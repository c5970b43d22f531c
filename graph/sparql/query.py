"""Run SPARQL queries on the graph, safely, with a time limit: :func:`query`.

A query is first checked by :func:`graph.sparql.safety.check_query` (syntax with line and
column, undeclared prefixes, SPARQL Update refused, ``SERVICE`` and ``FROM <file:...>`` refused
unless ``allow_remote``). It then runs

- on the embedded Oxigraph store (default, ``engine="oxigraph"``): fast, and property paths such
  as ``ckg:partOf+`` work on long chains;
- on rdflib's own evaluator (``engine="rdflib"``), for comparison (rdflib's ``FROM`` loading is
  switched off unless ``allow_remote``);
- or on any SPARQL 1.1 endpoint (``endpoint="http://..."``).

The project's prefixes (:data:`graph.namespaces.PREFIXES`) are predeclared everywhere (they are
sent along to endpoints); a query may redeclare them.

**Time limit.** With a ``timeout`` the query runs in a forked child process that is killed when
the time is up (threads cannot be stopped; the child shares the loaded store copy-on-write, so
nothing is reloaded): :class:`~graph.errors.QueryTimeout` is raised and no process is left
behind. Where ``os.fork`` does not exist the query runs in-process without a hard limit.

Examples
--------
>>> r = query("SELECT ?label WHERE { ckg:Eurocluster rdfs:label ?label }")
>>> r.to_dicts()
[{'label': 'Eurocluster'}]
>>> query("ASK { ?s a ckg:Eurocluster }").askAnswer
True
>>> query("SELECT ?s WHERE { ?s a ckg:Synergy }", limit=2).truncated
True
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import Graph

from ..errors import ClusterKGError, InputError, MissingInputError, QuerySyntaxError, QueryTimeout
from ..namespaces import PREFIXES
from ..store.load import LoadedGraph
from ..store.oxstore import LocalStore, store_from_graph
from .order import plan_order, sort_solutions
from .results import EncodedTerm, QueryResult, decode_term, encode_term
from .safety import QueryInfo, check_query

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "Source",
    "fetch_labels",
    "open_store",
    "payload_of",
    "prefix_block",
    "query",
    "read_query_text",
    "run_bounded",
]

DEFAULT_TIMEOUT = 30.0
ENGINES = ("oxigraph", "rdflib")

Source = LocalStore | LoadedGraph | Graph | ox.Store | None
T = TypeVar("T")


# -- where queries come from ---------------------------------------------------------------


def read_query_text(arg: str, stdin: Any = None) -> str:
    """The query text for a ``QUERY`` argument: ``-`` (standard input), a file, or the query itself.

    A path to an existing file is read; an argument ending in ``.rq`` or ``.sparql`` that is not
    a file is an error (rather than a malformed query).
    """
    if arg == "-":
        return (stdin or sys.stdin).read()
    looks_like_path = "\n" not in arg and len(arg) < 4096 and "{" not in arg
    if looks_like_path:
        p = Path(arg)
        try:
            if p.is_file():
                try:
                    return p.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise MissingInputError(arg, str(exc)) from None
        except OSError:
            pass
        if arg.lower().endswith((".rq", ".sparql")):
            raise MissingInputError(arg)
    return arg


def prefix_block(info: QueryInfo, predeclared: Mapping[str, str] = PREFIXES) -> str:
    """``PREFIX`` lines for the predeclared prefixes the query does not declare (for endpoints)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in info.missing_prefixes(predeclared).items())


# -- the stores ----------------------------------------------------------------------------

def open_store(
    paths: Iterable[str | Path] = (),
    *,
    default_data: bool = True,
    infer: str | None = None,
    use_cache: bool = True,
) -> LocalStore:
    """The ontology, the built-in data and ``paths`` in an Oxigraph store, ready to query
    (the store of :class:`graph.store.dataset.Dataset`)."""
    from ..store.dataset import Dataset

    return Dataset(paths, default_data=default_data, infer=infer, use_cache=use_cache).local()


def _as_local(source: Source) -> LocalStore:
    if source is None:
        return open_store()
    if hasattr(source, "local") and hasattr(type(source), "index"):  # a Dataset (its index left unopened)
        return source.local()
    if isinstance(source, LocalStore):
        return source
    if isinstance(source, LoadedGraph):
        return store_from_graph(source.graph)
    if isinstance(source, Graph):
        return store_from_graph(source)
    if isinstance(source, ox.Store):
        return LocalStore(source)
    raise TypeError(f"cannot query a {type(source).__name__}")


def _as_rdflib(source: Source) -> Graph:
    if source is None:
        from ..store.dataset import Dataset

        return Dataset().rdflib()
    if hasattr(source, "rdflib") and hasattr(type(source), "index"):  # a Dataset (its index left unopened)
        return source.rdflib()
    if isinstance(source, LoadedGraph):
        return source.graph
    if isinstance(source, Graph):
        return source
    if isinstance(source, LocalStore):
        return source.to_graph()
    if isinstance(source, ox.Store):
        return LocalStore(source).to_graph()
    raise TypeError(f"cannot query a {type(source).__name__}")


# -- running with a hard time limit --------------------------------------------------------


def _portable(exc: BaseException) -> BaseException:
    """An exception that survives pickling with its type and message."""
    try:
        back = pickle.loads(pickle.dumps(exc))
        if type(back) is type(exc) and str(back) == str(exc):
            return exc
    except Exception:
        pass
    if isinstance(exc, QueryTimeout):
        return exc
    if isinstance(exc, ClusterKGError):
        err: BaseException = InputError(str(exc)) if exc.exit_code == 2 else ClusterKGError(str(exc))
        return err
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _reap(pid: int, kill: bool) -> None:
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def run_bounded(fn: Callable[[], T], timeout: float | None) -> T:
    """Call ``fn()`` in a forked child and return its (picklable) value within ``timeout`` seconds.

    A value made only of built-in types (a query's rows: tuples of strings) comes back through
    :mod:`marshal`, three times faster than :mod:`pickle` for a many-row answer; anything else, and
    exceptions, through pickle. The child is killed (SIGKILL) and reaped when the time is up, and
    :class:`~graph.errors.QueryTimeout` is raised. Exceptions raised by ``fn`` are raised
    again here. With ``timeout`` None or 0, or without ``os.fork``, ``fn`` runs in-process.

    >>> run_bounded(lambda: 6 * 7, timeout=5)
    42
    >>> import time
    >>> run_bounded(lambda: time.sleep(10), timeout=0.2)
    Traceback (most recent call last):
    ...
    graph.errors.QueryTimeout: the query was stopped after 0.2 s (time limit; raise it with --timeout)
    """
    if not timeout or timeout <= 0 or not hasattr(os, "fork"):
        return fn()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    r, w = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "fork() in a multi-threaded process"
        pid = os.fork()
    if pid == 0:  # the child: run, send the pickled outcome, leave without cleanup
        code = 0
        try:
            os.close(r)
            try:
                value = fn()
                try:
                    data = b"M" + marshal.dumps(value)  # type: ignore[arg-type]  # ValueError if not
                except ValueError:  # not only built-in types
                    data = b"P" + pickle.dumps(("ok", value), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:
                data = b"P" + pickle.dumps(("error", _portable(exc)), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                n = os.write(w, view)
                view = view[n:]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout(timeout)
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finished = True
    finally:
        os.close(r)
        _reap(pid, kill=not finished)
    if not chunks:
        raise ClusterKGError("the query process ended without an answer (out of memory?)")
    data = b"".join(chunks)
    body = memoryview(data)[1:]
    if data[:1] == b"M":
        return marshal.loads(body)
    status, value = pickle.loads(body)
    if status == "error":
        raise value
    return value


# -- evaluation (runs in the child) ---------------------------------------------------------

def _enc_ox(term: Any) -> EncodedTerm:
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return ("u", term.value)
    if kind is ox.Literal:
        return ("l", term.value, term.datatype.value, term.language)
    if kind is ox.BlankNode:
        return ("b", term.value)
    return ("l", str(term), "http://www.w3.org/2001/XMLSchema#string", None)  # RDF-star triple terms


def payload_of(result: QueryResult) -> dict[str, Any]:
    """A result as plain data (what crosses the query process and is kept by :mod:`.answers`)."""
    if result.type == "ASK":
        return {"type": "ASK", "boolean": bool(result.askAnswer)}
    if result.type == "SELECT":
        return {"type": "SELECT", "vars": result.variables, "truncated": result.truncated,
                "rows": result.encoded_rows()}
    return {"type": result.type, "truncated": result.truncated,
            "triples": [tuple(encode_term(t) for t in tr) for tr in result.graph or ()]}


def _decode(payload: Mapping[str, Any]) -> QueryResult:
    kind = payload["type"]
    if kind == "ASK":
        return QueryResult.ask(payload["boolean"])
    if kind == "SELECT":
        return QueryResult.select_encoded(payload["vars"], payload["rows"], payload["truncated"])
    return QueryResult.from_triples(
        kind, ((decode_term(s), decode_term(p), decode_term(o)) for s, p, o in payload["triples"]),  # type: ignore[misc]
        payload["truncated"])


def _take(it: Iterable[Any], limit: int | None) -> tuple[list[Any], bool]:
    if limit is None:
        return list(it), False
    items = list(islice(it, limit + 1))
    return items[:limit], len(items) > limit


def _fetch_datasets(info: QueryInfo, timeout: float | None) -> ox.Store:
    """A store holding each FROM / FROM NAMED graph, read from its file or URL (allow_remote only)."""
    import urllib.request

    store = ox.Store()
    for clause in info.datasets:
        iri = clause.iri
        fmt = ox.RdfFormat.from_extension(iri.rsplit(".", 1)[-1].split("?")[0]) if "." in iri else None
        with urllib.request.urlopen(iri, timeout=timeout or 60) as resp:  # the user allowed it
            data = resp.read()
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        fmt = fmt or ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.TURTLE
        store.load(data, format=fmt, base_iri=iri, to_graph=ox.NamedNode(iri))
    return store


def _exec_oxigraph(local: LocalStore, text: str, info: QueryInfo, limit: int | None,
                   allow_remote: bool, timeout: float | None) -> dict[str, Any]:
    store = local.store
    kwargs: dict[str, Any] = {"prefixes": dict(PREFIXES)}
    if info.datasets and allow_remote:
        store = _fetch_datasets(info, timeout)
    elif local.default_graph is not None and not info.datasets:
        kwargs["default_graph"] = local.default_graph
    try:
        plan = plan_order(text) if info.form == "SELECT" else None
        if plan is not None:  # sorted here rather than by Oxigraph (see graph/sparql/order.py)
            res = store.query(plan.text, **kwargs)
            assert isinstance(res, ox.QuerySolutions)
            names = [v.value for v in res.variables]
            width = range(len(names))
            ordered = sort_solutions(names, [tuple(_enc_ox(sol[i]) for i in width) for sol in res], plan)
            if ordered is not None:
                rows, truncated = _take(ordered, limit)
                return {"type": "SELECT", "vars": names, "truncated": truncated, "rows": rows}
        res = store.query(text, **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return {"type": "ASK", "boolean": bool(res)}
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows, truncated = _take(res, limit)
            width = range(len(names))
            return {"type": "SELECT", "vars": names, "truncated": truncated,
                    "rows": [tuple(_enc_ox(sol[i]) for i in width) for sol in rows]}
        triples, truncated = _take(res, limit)
        return {"type": info.form, "truncated": truncated,
                "triples": [(_enc_ox(t.subject), _enc_ox(t.predicate), _enc_ox(t.object)) for t in triples]}
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"the query failed: {exc}") from None


def _exec_rdflib(g: Graph, text: str, info: QueryInfo, limit: int | None,
                 allow_remote: bool) -> dict[str, Any]:
    import rdflib.plugins.sparql as rsp

    old = rsp.SPARQL_LOAD_GRAPHS
    rsp.SPARQL_LOAD_GRAPHS = allow_remote  # never read FROM <file:...> unless allowed
    try:
        res = g.query(text, initNs=dict(PREFIXES))
        if res.type == "ASK":
            return {"type": "ASK", "boolean": bool(res.askAnswer)}
        if res.type == "SELECT":
            names = [str(v) for v in res.vars or []]
            rows, truncated = _take(res.bindings, limit)
            return {"type": "SELECT", "vars": names, "truncated": truncated,
                    "rows": [tuple(encode_term(b.get(v)) for v in res.vars or []) for b in rows]}
        triples, truncated = _take(res.graph or (), limit)
        return {"type": info.form, "truncated": truncated,
                "triples": [tuple(encode_term(t) for t in tr) for tr in triples]}
    except RecursionError:
        raise InputError("rdflib's evaluator ran out of recursion depth (a property path over a long "
                         "chain?); use the oxigraph engine") from None
    except ClusterKGError:
        raise
    except Exception as exc:
        raise InputError(f"the query failed in rdflib: {type(exc).__name__}: {exc}") from None
    finally:
        rsp.SPARQL_LOAD_GRAPHS = old


# -- the API -------------------------------------------------------------------------------


def query(
    text: str,
    source: Source = None,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    limit: int | None = None,
    allow_remote: bool = False,
    endpoint: str | None = None,
    headers: Mapping[str, str] | None = None,
    engine: str = "oxigraph",
) -> QueryResult:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) and return its result.

    Parameters
    ----------
    text : str
        The query. The project's prefixes are predeclared.
    source : LocalStore, LoadedGraph, rdflib.Graph, pyoxigraph.Store or None
        What to query (default: ontology + built-in data). Ignored with ``endpoint``.
    timeout : float or None
        Seconds before the query is stopped (:class:`~graph.errors.QueryTimeout`); None or 0
        for no limit (the query then runs in this process).
    limit : int, optional
        Keep at most this many rows (or triples); ``result.truncated`` says if more existed.
    allow_remote : bool
        Allow ``SERVICE`` and ``FROM``/``FROM NAMED`` with file or web IRIs (read or fetched).
    endpoint : str, optional
        A SPARQL 1.1 query endpoint URL to send the query to instead.
    headers : mapping, optional
        Extra HTTP headers for the endpoint (authentication).
    engine : {"oxigraph", "rdflib"}
        The local evaluator.

    Returns
    -------
    QueryResult
        An :class:`rdflib.query.Result` with ``rows``, ``to_dicts()`` and ``to_dataframe()``.

    Raises
    ------
    QuerySyntaxError, UnsafeQueryError
        Before anything runs (exit code 2).
    QueryTimeout
        When the time limit is reached (exit code 3).
    EndpointError
        When the endpoint cannot be reached or answers with an error.
    """
    if limit is not None and limit < 0:
        raise InputError(f"--limit must be 0 or more, not {limit}")
    if timeout is not None and timeout < 0:
        raise InputError(f"--timeout must be 0 (no limit) or more, not {timeout:g}")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    info = check_query(text, allow_remote=allow_remote, remote_endpoint=endpoint is not None)
    fn: Callable[[], dict[str, Any]]
    if endpoint is not None:
        from .remote import endpoint_query

        full = prefix_block(info) + text
        hdrs = dict(headers or {})

        def fn() -> dict[str, Any]:
            return payload_of(endpoint_query(endpoint, full, info.form, headers=hdrs, limit=limit,
                                             timeout=timeout))
    elif engine == "oxigraph":
        local = _as_local(source)

        def fn() -> dict[str, Any]:
            return _exec_oxigraph(local, text, info, limit, allow_remote, timeout)

        if local.answers is not None and not (info.services or info.datasets):
            return _kept_or_run(fn, local.answers, text, info, limit, timeout)
    else:
        g = _as_rdflib(source)

        def fn() -> dict[str, Any]:
            return _exec_rdflib(g, text, info, limit, allow_remote)
    start = time.monotonic()
    return _finish(_decode(run_bounded(fn, timeout)), info, start)


def _kept_or_run(fn: Callable[[], dict[str, Any]], folder: Path, text: str, info: QueryInfo,
                 limit: int | None, timeout: float | None) -> QueryResult:
    """The answer kept for ``text`` in ``folder``, else ``fn()``'s, kept when it was slow."""
    from . import answers

    key = answers.answer_key(text, limit)
    start = time.monotonic()
    payload = answers.recall(folder, key)
    if payload is not None:
        return _finish(_decode(payload), info, start, cached=True)
    payload = run_bounded(fn, timeout)
    if time.monotonic() - start >= answers.MIN_SECONDS:
        answers.keep(folder, key, payload)
    return _finish(_decode(payload), info, start)


def _finish(result: QueryResult, info: QueryInfo, start: float, *, cached: bool = False) -> QueryResult:
    if info.select_star and result.type == "SELECT":  # engines sort SELECT * columns; keep the query's order
        order = info.star_order(result.variables)
        if order != result.variables:
            result = result.project(order)
    result.elapsed = time.monotonic() - start
    result.cached = cached
    return result


def fetch_labels(
    iris: Iterable[str],
    source: Source = None,
    *,
    endpoint: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> dict[str, str]:
    """IRI → ``rdfs:label`` (English or untagged first) for the IRIs that have one.

    >>> fetch_labels(["https://w3id.org/clusterkg/ontology#Eurocluster", "https://example.org/none"])
    {'https://w3id.org/clusterkg/ontology#Eurocluster': 'Eurocluster'}
    """
    todo = sorted(set(iris))
    out: dict[str, str] = {}
    for i in range(0, len(todo), 500):
        values = " ".join(f"<{iri}>" for iri in todo[i:i + 500] if ">" not in iri and " " not in iri)
        if not values:
            continue
        q = ("SELECT ?s ?l WHERE { VALUES ?s { " + values + " } ?s rdfs:label ?l "
             "FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) } ORDER BY ?s DESC(LANG(?l)) ?l")
        r = query(q, source, endpoint=endpoint, headers=headers, timeout=timeout)
        for s, label in r.rows:
            out.setdefault(str(s), str(label))
    return out
