"""The ASGI application of ``clusterkg serve`` (Starlette, served by uvicorn).

:func:`create_app` wires the explorer pages (HTML and their ``.json`` twins), the SPARQL
endpoint, the static files and the protections every response gets:

- a Content-Security-Policy on every response (scripts, styles, images and requests only from
  this server; no inline script; no frames), ``X-Content-Type-Options: nosniff``, no referrer;
- a request-body cap (HTTP 413 beyond ``max_body``);
- a Host check when bound to loopback (a web page cannot reach the server through DNS rebinding);
- generic errors: a client sees one line (404, 400, 403, 503 or 500 "internal error"); the
  details go to the server log, never to the client;
- static files from the package's ``static/`` folder only (``/static/../x`` is a 404).

:func:`serve` opens the dataset once, computes what every page needs, and runs uvicorn.

Examples
--------
>>> "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
True
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AmbiguousEntity, ClusterKGError, EntityLookupError, EntityNotFound, InputError, QueryTimeout
from .config import ServerConfig
from .sparql import (
    GRAPH_TYPES,
    AnswerCache,
    EndpointError,
    negotiate,
    pick_format,
    prefers_html,
    run_endpoint_query,
    serialise,
    service_description,
)
from .views import Explorer

__all__ = ["CSP", "create_app", "serve"]

log = logging.getLogger("clusterkg.server")

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

#: The Content-Security-Policy of every response: everything from this server only, no inline
#: script, no plug-ins, no frames, forms post only here.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: The query editor's: YASGUI (CodeMirror) sets inline styles.
CSP_EDITOR = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# -- middleware -----------------------------------------------------------------------------

class _HTTPMiddleware:
    """An ASGI middleware for the HTTP requests it :meth:`applies` to; anything else passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def applies(self, scope: Scope) -> bool:
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(_HTTPMiddleware):
    """Adds the CSP (unless the route set its own) and the other security headers to every response."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


class ErrorBoundary(_HTTPMiddleware):
    """Turns any exception into a generic 500 (JSON, or a short page for browsers); details go to the log."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            log.error("internal error on %s %s: %r", scope.get("method"), scope.get("path"), exc, exc_info=exc)
            if started:
                return
            accept = dict(scope.get("headers", [])).get(b"accept", b"")
            if b"text/html" in accept and not str(scope.get("path", "")).endswith(".json"):
                resp: Response = HTMLResponse(_ERROR_PAGE, status_code=500)
            else:
                resp = JSONResponse({"error": "internal error", "status": 500}, status_code=500)
            await resp(scope, receive, send)


_ERROR_PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error · clusterkg</title>"
               "<link rel=\"stylesheet\" href=\"/static/explorer.css\"></head><body><main><h1>Error</h1>"
               "<p class=\"error\">internal error</p><p><a href=\"/\">Back to the start page</a></p></main>"
               "</body></html>")


class BodyLimit(_HTTPMiddleware):
    """Refuses request bodies above ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    def applies(self, scope: Scope) -> bool:
        return scope["method"] not in ("GET", "HEAD", "OPTIONS")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    if int(v) > self.limit:
                        await _too_large(self.limit, scope, receive, send)
                        return
                except ValueError:
                    await _plain(400, "bad Content-Length", scope, receive, send)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(self.limit, scope, receive, send)
                return
            chunks.append(chunk)
            if not msg.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _plain(status: int, text: str, scope: Scope, receive: Receive, send: Send) -> None:
    await Response(text + "\n", status_code=status, media_type="text/plain; charset=utf-8")(scope, receive, send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    await _plain(413, f"request body too large (the limit is {limit:,} bytes)", scope, receive, send)


# -- the application ------------------------------------------------------------------------

def templates() -> Environment:
    """The Jinja environment: autoescaping on for every template, undefined names are errors."""
    from jinja2 import StrictUndefined

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    env.globals["urlencode"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
    return env


def _int(request: Request, name: str, default: int, lo: int = 1, hi: int = 1_000_000) -> int:
    try:
        return max(lo, min(hi, int(request.query_params.get(name, default))))
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number") from None


class App:
    """Route handlers around one :class:`~graph.server.views.Explorer`."""

    def __init__(self, explorer: Explorer, config: ServerConfig) -> None:
        self.x = explorer
        self.config = config
        self.env = templates()
        self.cache = AnswerCache(config.cache_entries)
        self.slots = threading.BoundedSemaphore(max(2, 2 * (os.cpu_count() or 1)))

    # -- rendering helpers -------------------------------------------------------------------

    def page(self, request: Request, template: str, data: dict[str, Any], *, title: str,
             status: int = 200, csp: str | None = None, extra: dict[str, Any] | None = None) -> Response:
        path = request.url.path
        twin = None if path.endswith(".json") or path == "/sparql" else (
            ("/index" if path == "/" else path) + ".json" + (f"?{request.url.query}" if request.url.query else ""))
        text = self.env.get_template(template).render(
            data=data, title=title, json_url=twin, request_path=path, params=dict(request.query_params),
            config=self.config, **(extra or {}))
        resp = HTMLResponse(text, status_code=status)
        if csp:
            resp.headers["content-security-policy"] = csp
        return resp

    def error(self, request: Request, status: int, message: str, extra: dict[str, Any] | None = None) -> Response:
        doc = {"error": message, "status": status, **(extra or {})}
        if request.url.path.endswith(".json") or not _wants_html(request):
            return JSONResponse(doc, status_code=status)
        return self.page(request, "error.html", doc, title="Error", status=status)

    async def view(self, request: Request, fn: Callable[[], dict[str, Any]], template: str,
                   title: Callable[[dict[str, Any]], str],
                   extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Response:
        as_json = request.url.path.endswith(".json")
        try:
            data = await run_in_threadpool(fn)
        except EntityNotFound as exc:
            cands = [{"label": lab, "iri": iri} for lab, iri in exc.candidates]
            return self.error(request, 404, f"no entity named {exc.name!r}", {"candidates": cands})
        except AmbiguousEntity as exc:
            cands = [{"label": lab, "iri": iri} for lab, iri in exc.candidates]
            return self.error(request, 404, str(exc).split(";")[0] + "; pick one", {"candidates": cands})
        except QueryTimeout:
            return self.error(request, 503, "the computation was stopped at the server's time limit")
        except EndpointError as exc:
            return self.error(request, exc.status, exc.message)
        except (InputError, EntityLookupError) as exc:
            return self.error(request, 400, str(exc).splitlines()[0][:300])
        if as_json:
            return JSONResponse(data)
        return self.page(request, template, data, title=title(data), extra=extra(data) if extra else None)

    # -- explorer ----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        def fn() -> dict[str, Any]:
            s = self.x.stats()
            return {"stats": {k: s[k] for k in ("entities", "synergies", "figures", "triples") if k in s},
                    "network": s["network"], "queries": self.x.queries()["queries"][:8]}

        return await self.view(request, fn, "home.html", lambda d: "clusterkg explorer")

    async def search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        limit = _int(request, "limit", 20, 1, 100)
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.search(q, limit=limit, page=page), "search.html",
                               lambda d: f"Search: {q}" if q else "Search")

    def _iri(self, request: Request, name: str = "iri") -> str | None:
        iri = request.query_params.get(name)
        if iri:
            return iri.strip()
        return None

    async def entity(self, request: Request) -> Response:
        iri = self._iri(request)
        name = request.query_params.get("name")
        if iri is None and name:  # a name → the canonical URL of the entity it names
            try:
                found = await run_in_threadpool(self.x.resolve, name)
            except EntityLookupError:
                return RedirectResponse(f"/search?{urlencode({'q': name})}", status_code=303)
            suffix = ".json" if request.url.path.endswith(".json") else ""
            return RedirectResponse(f"/entity{suffix}?{urlencode({'iri': found})}", status_code=303)
        if iri is None:
            return self.error(request, 400, "give ?iri= (or ?name=)")
        page, actors = _int(request, "page", 1), _int(request, "actors", 1)

        def fn() -> dict[str, Any]:
            if iri not in self.x.ds.index.entities:
                raise EntityNotFound(iri)
            return self.x.entity(iri, page=page, actors_page=actors)

        return await self.view(request, fn, "entity.html", lambda d: str(d["label"]))

    def _end(self, value: str) -> str:
        """An end of a path: an IRI, or a name the index resolves."""
        if value.startswith(("http://", "https://", "urn:")):
            return value
        return self.x.resolve(value)

    async def path(self, request: Request) -> Response:
        a, b = request.query_params.get("from", "").strip(), request.query_params.get("to", "").strip()
        k = _int(request, "k", 1, 1, 5)

        def fn() -> dict[str, Any]:
            if not a or not b:
                return {"found": None, "from": a, "to": b, "paths": [], "reason": "", "k": k}
            s, t = self._end(a), self._end(b)
            res = self.x.path(s, t, k=k)
            return {**res, "from": s, "to": t}

        return await self.view(request, fn, "path.html",
                               lambda d: (f"Path: {d['source']['label']} → {d['target']['label']}"
                                          if d.get("source") else "Path finder"))

    async def map(self, request: Request) -> Response:
        focus = self._iri(request, "focus")
        a, b = request.query_params.get("from"), request.query_params.get("to")
        depth = _int(request, "depth", 1, 1, 3)
        limit = _int(request, "limit", self.config.map_nodes, 1, self.config.map_nodes)

        def fn() -> dict[str, Any]:
            if a and b:
                return self.x.map_data(path=(self._end(a), self._end(b)))
            if not focus:
                raise InputError("give ?focus=IRI (or ?from=&to=)")
            iri = self._end(focus)
            return self.x.map_data(iri, depth=depth, limit=limit)

        return await self.view(request, fn, "map.html", lambda d: str(d.get("title", "Map")))

    async def brokers(self, request: Request) -> Response:
        measure = request.query_params.get("measure", "betweenness")
        cls = request.query_params.get("class", "")
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.brokers(measure=measure, cls=cls, page=page),
                               "brokers.html", lambda d: "Brokers")

    async def communities(self, request: Request) -> Response:
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.communities(page=page), "communities.html",
                               lambda d: "Communities")

    async def gaps(self, request: Request) -> Response:
        cls = request.query_params.get("class", "")
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.gaps(cls=cls, page=page), "gaps.html",
                               lambda d: "Gaps: missing synergies")

    async def queries(self, request: Request) -> Response:
        return await self.view(request, self.x.queries, "queries.html", lambda d: "Query library")

    async def library_query(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name.endswith(".json"):  # /queries/NAME.json: the twin (the view sees the suffix in the path)
            name = name[:-5]
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.library_query(name, page=page), "query.html",
                               lambda d: str(d["title"]))

    async def region(self, request: Request) -> Response:
        code = request.path_params["code"]
        if code.endswith(".json"):  # /region/CODE.json: the twin
            code = code[:-5]

        def extra(d: dict[str, Any]) -> dict[str, Any]:
            from ..actors.page import region_charts, rows_url

            return {"charts": region_charts(d), "base": "", "rows_url": rows_url}

        return await self.view(request, lambda: self.x.region(code), "region.html",
                               lambda d: f"{d['region']['label']} ({d['region']['code']})", extra)

    async def regions(self, request: Request) -> Response:
        return await self.view(request, self.x.regions, "regions.html", lambda d: "Regional profiles")

    async def rows(self, request: Request) -> Response:
        key = request.query_params.get("key", "")
        page = _int(request, "page", 1)
        return await self.view(request, lambda: self.x.rows(key, page=page), "rows.html",
                               lambda d: "Rows behind a figure")

    async def stats(self, request: Request) -> Response:
        return await self.view(request, self.x.stats, "stats.html", lambda d: "Statistics")

    async def partners(self, request: Request) -> Response:
        p = request.query_params
        q = p.get("q", "")[:500]
        top = _int(request, "top", 20, 1, 100)
        args = {k: p.get(k, "")[:200] for k in ("region", "programme", "ecosystem")}
        new_only = p.get("new_only", "") not in ("", "0", "false")

        def title(d: dict[str, Any]) -> str:
            r = d["result"]
            if r is None:
                return "Partner search"
            return f"Partners: {r['seed']['entity']['label'] if r['seed']['entity'] else q}"

        return await self.view(request, lambda: self.x.partners(q, top=top, new_only=new_only, **args),
                               "partners.html", title)

    # -- SPARQL ------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        try:
            return await self._sparql(request)
        except EndpointError as exc:
            return Response(exc.message + "\n", status_code=exc.status, media_type="text/plain; charset=utf-8")

    async def _sparql(self, request: Request) -> Response:
        params: dict[str, list[str]] = {}
        for k, v in request.query_params.multi_items():
            params.setdefault(k, []).append(v)
        text: str | None = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if ctype == "application/sparql-update":
                raise EndpointError(403, "the endpoint is read-only: SPARQL Update is refused")
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                except UnicodeDecodeError:
                    raise EndpointError(400, "the form is not UTF-8") from None
                for k, vs in form.items():
                    params.setdefault(k, []).extend(vs)
            elif ctype == "application/sparql-query":
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise EndpointError(400, "the query is not UTF-8") from None
            else:
                raise EndpointError(415, "send the query as application/sparql-query or as a form "
                                         "(application/x-www-form-urlencoded, field 'query')")
        if "update" in params:
            raise EndpointError(403, "the endpoint is read-only: SPARQL Update is refused")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            raise EndpointError(403, "default-graph-uri and named-graph-uri are refused: the endpoint "
                                     "serves one default graph")
        if text is None:
            qs = params.get("query", [])
            if len(qs) > 1:
                raise EndpointError(400, "give one query parameter, not several")
            text = qs[0] if qs else None
        accept = request.headers.get("accept")
        explicit: str | None = (params.get("format") or params.get("output") or [""])[0] or None
        if text is None or (not explicit and request.method == "GET" and prefers_html(accept)):
            if prefers_html(accept) and not explicit:
                return self.editor(request, text or "")
            fmt = (pick_format("CONSTRUCT", accept, explicit)[0] if explicit else
                   negotiate(accept, GRAPH_TYPES) or "turtle")
            base = str(request.url.replace(query=""))
            body_text = await run_in_threadpool(service_description, base, len(self.x.ds), fmt)
            return Response(body_text, media_type=GRAPH_TYPES[fmt][0] + "; charset=utf-8")
        if not text.strip():
            raise EndpointError(400, "the query is empty")
        return await run_in_threadpool(self._answer, text, accept, explicit)

    def _answer(self, text: str, accept: str | None, explicit: str | None) -> Response:
        from ..sparql.safety import check_query

        key = (text, f"{accept or ''}|{explicit or ''}")
        hit = self.cache.get(key)  # the data never changes: the same request gets the same answer
        if hit is None:
            try:
                form = check_query(text).form
            except ClusterKGError:
                form = "SELECT"  # run_endpoint_query reports the problem
            pick_format(form, accept, explicit)  # an unknown format= fails before the query runs
            with self.slots:
                result = run_endpoint_query(self.x.ds, text, timeout=self.config.timeout,
                                            max_rows=self.config.max_rows)
            fmt, media = pick_format(result.type, accept, explicit)
            hit = (serialise(result, fmt).encode("utf-8"), media, bool(result.truncated))
            self.cache.put(key, hit)
        body, media, truncated = hit
        headers = {"x-clusterkg-truncated": "true" if truncated else "false", "vary": "Accept"}
        if media.startswith("text/") or media.endswith(("json", "xml")):
            media += "; charset=utf-8"
        return Response(body, media_type=media, headers=headers)

    def editor(self, request: Request, text: str) -> Response:
        """The YASGUI page, with the query library as examples (and ``text`` in the editor)."""
        data = {"query": text, "examples": [{"name": q["name"], "title": q["title"], "query": _query_text(q["name"])}
                                             for q in self.x.queries()["queries"]]}
        return self.page(request, "sparql.html", data, title="SPARQL query editor", csp=CSP_EDITOR)

    # -- static ------------------------------------------------------------------------------

    async def vis(self, request: Request) -> Response:
        from ..maps.render import vis_assets

        js, css = vis_assets()
        if request.path_params["file"] == "vis-network.min.js":
            return Response(js, media_type="text/javascript; charset=utf-8",
                            headers={"cache-control": "public, max-age=3600"})
        if request.path_params["file"] == "vis-network.css":
            return Response(css, media_type="text/css; charset=utf-8",
                            headers={"cache-control": "public, max-age=3600"})
        return self.error(request, 404, "not found")


def _query_text(name: str) -> str:
    """A library query with PREFIX lines for the predeclared prefixes it uses (for the editor,
    whose syntax check and result table do not know the server's predeclared prefixes)."""
    import re

    from ..namespaces import PREFIXES
    from ..sparql.library import get_query

    text = get_query(name).text
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = [(p, ns) for p, ns in PREFIXES.items() if re.search(rf"(?<![\w:]){re.escape(p)}:", body)]
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in used)
    return head + body.strip() + "\n"


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def create_app(ds: Any, config: ServerConfig | None = None, *, allowed_hosts: list[str] | None = None,
               warm: bool = True) -> Starlette:
    """The ASGI application serving ``ds`` (a :class:`~graph.store.dataset.Dataset`).

    Parameters
    ----------
    ds : Dataset
        The dataset, opened once and only read.
    config : ServerConfig, optional
        Limits, host and port.
    allowed_hosts : list of str, optional
        Host header values accepted (default: the loopback names when bound to loopback, else any).
    warm : bool
        Open the store, index, projection and statistics now rather than on the first request.
    """
    config = config or ServerConfig()
    explorer = Explorer(ds, config)
    if warm:
        explorer.warm()
    app_ = App(explorer, config)

    def both(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> list[Route]:
        return [Route(path, endpoint), Route(("/index" if path == "/" else path) + ".json", endpoint)]

    routes = [
        *both("/", app_.home),
        *both("/search", app_.search),
        *both("/entity", app_.entity),
        *both("/path", app_.path),
        *both("/map", app_.map),
        *both("/brokers", app_.brokers),
        *both("/communities", app_.communities),
        *both("/gaps", app_.gaps),
        *both("/queries", app_.queries),
        Route("/queries/{name}", app_.library_query),
        *both("/stats", app_.stats),
        *both("/regions", app_.regions),
        Route("/region/{code}", app_.region),
        *both("/rows", app_.rows),
        *both("/partners", app_.partners),
        Route("/sparql", app_.sparql, methods=["GET", "POST"]),
        Route("/static/vis/{file}", app_.vis),
        Mount("/static", app=StaticFiles(directory=str(STATIC), follow_symlink=False), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        detail = getattr(exc, "detail", "") if status != 404 else "not found"
        return app_.error(request, status, str(detail or "not found")[:300])

    hosts = allowed_hosts
    if hosts is None:
        hosts = [*LOOPBACK, config.host] if config.host in LOOPBACK else ["*"]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(ErrorBoundary),
        Middleware(BodyLimit, limit=config.max_body),
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
    ]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: not_found})
    app.state.explorer = explorer
    app.state.config = config
    return app


def serve(ds: Any, config: ServerConfig | None = None, *, open_browser: bool = False,
          log_level: str = "info") -> None:
    """Serve ``ds`` with uvicorn until interrupted (what ``clusterkg serve`` runs).

    Parameters
    ----------
    ds : Dataset
        The dataset to serve (opened once, read-only).
    config : ServerConfig, optional
        Host (default 127.0.0.1), port (default 8000) and limits.
    open_browser : bool
        Open the explorer in the default browser once the server listens.
    log_level : str
        uvicorn's log level.
    """
    import uvicorn

    config = config or ServerConfig()
    app = create_app(ds, config)
    host = config.host
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{config.port}/"
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=config.port, log_level=log_level,
                                           server_header=False, access_log=log_level == "debug"))
    if open_browser:
        import webbrowser

        async def opener() -> None:
            while not server.started:
                await asyncio.sleep(0.05)
            webbrowser.open(url)

        async def main() -> None:
            await asyncio.gather(server.serve(), opener())

        asyncio.run(main())
    else:
        server.run()


def escape(text: str) -> str:
    """HTML-escape ``text`` (quotes included)."""
    return html.escape(text, quote=True)
