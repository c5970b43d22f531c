"""Talk to any SPARQL 1.1 store: run queries on an endpoint, push the graph to it.

- :func:`endpoint_query` sends a query with the SPARQL 1.1 Protocol (HTTP POST, form-encoded)
  and reads SPARQL Results JSON (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE).
- :func:`push` uploads triples with the SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` to replace,
  ``POST`` to add, in batches), falling back to SPARQL Update ``INSERT DATA`` in batches on an
  update endpoint when the store has no Graph Store endpoint.

Fuseki, GraphDB, Virtuoso, QLever, Blazegraph and the Oxigraph server all speak these
protocols. Extra HTTP headers (an ``Authorization`` token, say) go in ``headers``. Only the
URLs the caller names are contacted.

Examples
--------
>>> parse_header("Authorization: Bearer abc")
('Authorization', 'Bearer abc')
>>> gsp_url("http://localhost:7878/store", None)
'http://localhost:7878/store?default'
>>> gsp_url("http://localhost:7878/store", "https://w3id.org/clusterkg/graph")
'http://localhost:7878/store?graph=https%3A%2F%2Fw3id.org%2Fclusterkg%2Fgraph'
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode
from rdflib.term import Node

from ..errors import EndpointError, InputError
from ..textsafe import escape_controls
from .results import QueryResult, parse_results_json

__all__ = ["PushReport", "endpoint_query", "gsp_url", "parse_header", "push", "server_message"]

USER_AGENT = "clusterkg (+https://w3id.org/clusterkg)"
_TIMEOUT = 60.0


def parse_header(text: str) -> tuple[str, str]:
    """Split ``'Name: value'`` (as given to ``--header``)."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c in name for c in " \t\r\n") or "\n" in value or "\r" in value:
        raise InputError(f"bad --header {text!r}: expected 'Name: value'")
    return name.strip(), value.strip()


def _check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"bad endpoint URL {url!r}: expected http://host[:port]/path or https://...")
    return url


def server_message(body: bytes, content_type: str = "", limit: int = 200) -> str:
    """The gist of an error page, on one line: the text of an HTML page (its title and first
    heading or paragraph), or the first line of plain text, cut to ``limit`` characters.

    >>> server_message(b"<html><head><title>500 Oops</title></head><body><h1>Oops</h1>"
    ...                b"<p>The database is down.</p><pre>Traceback ...</pre></body></html>", "text/html")
    '500 Oops: The database is down.'
    >>> server_message(b"Parser error: unexpected '}'\\nat line 3\\n")
    "Parser error: unexpected '}'"
    """
    text = body.decode("utf-8", "replace").strip()
    if "html" in content_type.lower() or re.match(r"(?is)\s*(<!doctype|<html|<head|<body|<h1|<p)", text):
        title = re.search(r"(?is)<title[^>]*>(.*?)</title>", text)
        text = re.sub(r"(?is)<(script|style|head|pre)[^>]*>.*?</\1>", " ", text)
        parts = [re.sub(r"<[^>]+>", " ", m) for m in re.findall(r"(?is)<(?:h[1-6]|p)[^>]*>(.*?)</(?:h[1-6]|p)>", text)]
        parts = [html.unescape(" ".join(p.split())) for p in parts if p.strip()]
        head = html.unescape(" ".join(title.group(1).split())) if title else ""
        parts = [p for p in parts if p and p not in head]
        text = ": ".join(x for x in (head, parts[0] if parts else "") if x) or html.unescape(
            " ".join(re.sub(r"<[^>]+>", " ", text).split()))
    else:
        text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _request(url: str, *, data: bytes | None, method: str, headers: Mapping[str, str],
             timeout: float | None) -> tuple[int, str, bytes]:
    """One HTTP request; returns (status, content type, body). HTTP errors become EndpointError."""
    req = urllib.request.Request(_check_url(url), data=data, method=method)
    req.add_header("User-Agent", USER_AGENT)
    for k, v in headers.items():
        req.add_header(k, v)
    seconds = timeout or _TIMEOUT
    try:
        with urllib.request.urlopen(req, timeout=seconds) as resp:  # http(s) only
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read()
        except OSError:
            body = b""
        status = f"HTTP {exc.code} {exc.reason}".strip()
        message = server_message(body, exc.headers.get("Content-Type", "") if exc.headers else "")
        message = ": ".join(p for p in message.split(": ") if p.strip().casefold() not in status.casefold())
        raise EndpointError(f"{url}: {status}" + (f": {message}" if message else "")) from None
    except TimeoutError:  # connected and sent, no answer (urllib does not wrap this one)
        raise EndpointError(f"{url}: the endpoint accepted the connection but did not answer in {seconds:g} s "
                            "(raise --timeout if it is just slow)") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise EndpointError(f"{url}: no answer in {seconds:g} s (the endpoint did not accept the "
                                "connection, or stopped reading the request)") from None
        raise EndpointError(f"{url}: cannot connect ({exc.reason})") from None
    except OSError as exc:
        raise EndpointError(f"{url}: the connection failed ({exc.strerror or exc})") from None


def endpoint_query(endpoint: str, text: str, form: str, *, headers: Mapping[str, str] | None = None,
                   limit: int | None = None, timeout: float | None = None) -> QueryResult:
    """Run ``text`` (a query of kind ``form``) on a SPARQL 1.1 query endpoint.

    ``limit`` keeps the first rows (or triples) only and marks the result truncated. The query
    should be checked with :func:`graph.sparql.safety.check_query` first.
    """
    import pyoxigraph as ox

    from ..store.oxstore import from_ox

    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    accept = ("application/n-triples, text/turtle;q=0.9" if graph_form
              else "application/sparql-results+json")
    body = urllib.parse.urlencode({"query": text}).encode()
    hdrs = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    _, ctype, data = _request(endpoint, data=body, method="POST", headers=hdrs, timeout=timeout)
    media = ctype.split(";")[0].strip().lower()
    if graph_form:
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        try:
            triples = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                       for t in ox.parse(data, format=fmt)]
        except SyntaxError as exc:
            raise EndpointError(f"{endpoint}: the answer is not valid {fmt.name}: {exc}") from None
        truncated = limit is not None and len(triples) > limit
        return QueryResult.from_triples(form, triples[:limit] if limit is not None else triples, truncated)
    if "json" not in media:
        raise EndpointError(f"{endpoint}: expected SPARQL results JSON, got {media or 'no content type'}")
    try:
        result = parse_results_json(data)
    except (ValueError, KeyError) as exc:
        raise EndpointError(f"{endpoint}: the answer is not SPARQL results JSON: {exc}") from None
    if limit is not None and result.type == "SELECT" and len(result.rows) > limit:
        result.rows = result.rows[:limit]
        result.truncated = True
    return result


def gsp_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of the default graph or of a named graph."""
    sep = "&" if "?" in endpoint else "?"
    if graph is None:
        return f"{endpoint}{sep}default"
    return f"{endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"


@dataclass
class PushReport:
    """What :func:`push` did."""

    triples: int
    requests: int
    method: str  # "graph-store" or "update"
    url: str
    graph: str | None

    def text(self) -> str:
        where = f"graph <{self.graph}>" if self.graph else "the default graph"
        how = "Graph Store Protocol" if self.method == "graph-store" else "SPARQL Update INSERT DATA"
        return escape_controls(f"pushed {self.triples} triples to {where} of {self.url} "
                               f"in {self.requests} request(s) ({how})\n")


def _batches(lines: Sequence[tuple[str, bool]], size: int) -> list[list[str]]:
    """Lines in batches of ``size``; every line with a blank node goes in one last batch.

    A blank node means the same node only within one request, so all the triples that mention
    blank nodes travel together.
    """
    plain = [text for text, has_bnode in lines if not has_bnode]
    with_bnodes = [text for text, has_bnode in lines if has_bnode]
    out = [plain[i:i + size] for i in range(0, len(plain), size)]
    if with_bnodes:
        out.append(with_bnodes)
    return out or [[]]


def _nt_lines(triples: Iterable[tuple[Node, Node, Node]]) -> list[tuple[str, bool]]:
    from ..store.oxstore import nt_term

    lines = [(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .", isinstance(s, BNode) or isinstance(o, BNode))
             for s, p, o in triples]
    lines.sort()
    return lines


def push(
    triples: Iterable[tuple[Node, Node, Node]],
    endpoint: str | None = None,
    *,
    graph: str | None = None,
    replace: bool = False,
    update_endpoint: str | None = None,
    headers: Mapping[str, str] | None = None,
    batch_size: int = 100_000,
    update_batch_size: int = 5_000,
    timeout: float | None = None,
) -> PushReport:
    """Upload ``triples`` to a SPARQL 1.1 store.

    Parameters
    ----------
    triples : iterable of (s, p, o)
        rdflib terms, e.g. an rdflib graph.
    endpoint : str, optional
        The Graph Store HTTP Protocol endpoint (Oxigraph: ``http://host:7878/store``; Fuseki:
        ``http://host:3030/DATASET/data``).
    graph : str, optional
        The named graph to write to (default: the default graph).
    replace : bool
        Replace what the graph holds (first request ``PUT``, the rest ``POST``); otherwise add.
    update_endpoint : str, optional
        A SPARQL Update endpoint, used when ``endpoint`` is not given or its Graph Store
        requests fail (HTTP 404, 405, 415, 501 or no connection).
    headers : mapping, optional
        Extra HTTP headers (authentication).
    batch_size, update_batch_size : int
        Triples per Graph Store request and per ``INSERT DATA`` request.
    timeout : float, optional
        Seconds to wait for each request.

    Returns
    -------
    PushReport
    """
    if endpoint is None and update_endpoint is None:
        raise InputError("push needs --endpoint (Graph Store Protocol) or --update-endpoint (SPARQL Update)")
    if graph is not None:
        import pyoxigraph as ox

        try:
            ox.NamedNode(graph)
        except ValueError:
            raise InputError(f"bad graph IRI {graph!r}: expected an absolute IRI") from None
    lines = _nt_lines(triples)
    hdrs = dict(headers or {})
    if endpoint is not None:
        try:
            return _push_gsp(lines, endpoint, graph, replace, hdrs, batch_size, timeout)
        except EndpointError as exc:
            if update_endpoint is None or not _gsp_unsupported(str(exc)):
                raise
    assert update_endpoint is not None
    return _push_update(lines, update_endpoint, graph, replace, hdrs, update_batch_size, timeout)


def _gsp_unsupported(message: str) -> bool:
    return any(f"HTTP {code}" in message for code in (404, 405, 415, 501)) or "cannot connect" in message


def _push_gsp(lines: Sequence[tuple[str, bool]], endpoint: str, graph: str | None, replace: bool,
              headers: Mapping[str, str], batch_size: int, timeout: float | None) -> PushReport:
    url = gsp_url(endpoint, graph)
    # N-Triples is a subset of Turtle: text/turtle is accepted by every Graph Store implementation.
    hdrs = {"Content-Type": "text/turtle; charset=utf-8", **headers}
    requests = 0
    for i, batch in enumerate(_batches(lines, batch_size)):
        body = ("\n".join(batch) + "\n").encode() if batch else b""
        method = "PUT" if (replace and i == 0) else "POST"
        _request(url, data=body, method=method, headers=hdrs, timeout=timeout)
        requests += 1
    return PushReport(len(lines), requests, "graph-store", endpoint, graph)


def _push_update(lines: Sequence[tuple[str, bool]], endpoint: str, graph: str | None, replace: bool,
                 headers: Mapping[str, str], batch_size: int, timeout: float | None) -> PushReport:
    hdrs = {"Content-Type": "application/sparql-update; charset=utf-8", **headers}
    requests = 0
    if replace:
        target = f"GRAPH <{graph}>" if graph else "DEFAULT"
        _request(endpoint, data=f"DROP SILENT {target}".encode(), method="POST", headers=hdrs, timeout=timeout)
        requests += 1
    for batch in _batches(lines, batch_size):
        if not batch:
            continue
        data = "\n".join(batch)
        if graph:
            data = f"GRAPH <{graph}> {{\n{data}\n}}"
        _request(endpoint, data=f"INSERT DATA {{\n{data}\n}}".encode(), method="POST", headers=hdrs,
                 timeout=timeout)
        requests += 1
    return PushReport(len(lines), requests, "update", endpoint, graph)
