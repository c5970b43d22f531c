"""The ``clusterkg`` command line: parse options, call :mod:`graph`, map errors to exit codes.

Exit codes: 0 success; 1 the data violates the SHACL shapes (or another failed check);
2 unusable input (missing or malformed file, unknown entity, bad option, an output that cannot
be written); 3 a query timed out; 70 an internal error (a bug: please report it).

Everything printed for people goes through :func:`say`, which escapes terminal control
characters (:mod:`graph.textsafe`); machine formats written with ``--out`` keep every byte.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

import click

import graph
from graph.errors import ClusterKGError, EntityLookupError, NameMatchWarning
from graph.network.limits import DEFAULT_SAMPLE, EXACT_LIMIT
from graph.textsafe import escape_controls, json_safe

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """Global options shared by every command."""

    data: list[str] = field(default_factory=list)
    default_data: bool = True
    infer: str | None = None
    use_cache: bool = True
    endpoint: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def open(self) -> graph.Dataset:
        """The dataset every command reads (built on first use, then opened from the cache), or
        the graph held by ``--endpoint``."""
        return graph.Dataset(self.data, default_data=self.default_data, infer=self.infer,
                             use_cache=self.use_cache, endpoint=self.endpoint, headers=self.headers)


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text meant for people, with terminal control characters escaped."""
    click.echo(escape_controls(text), err=err, nl=nl)


def fail(err: ClusterKGError) -> None:
    """Print one clear message for ``err`` and exit with its code."""
    text = err.describe() if isinstance(err, EntityLookupError) else str(err)
    say(text if isinstance(err, graph.RDFSyntaxError) else f"error: {text}", err=True)
    sys.exit(err.exit_code)


def handles_errors(func: F) -> F:
    """Turn library errors into messages and exit codes (no traceback); say which entity a near
    name was taken as (:class:`~graph.errors.NameMatchWarning`) on standard error."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("always", NameMatchWarning)
            original = warnings.showwarning

            def show(message: Warning | str, category: type[Warning], *rest: Any, **kw: Any) -> None:
                if issubclass(category, NameMatchWarning):
                    say(str(message), err=True)  # "taking 'Interreg' as '...'"
                else:
                    original(message, category, *rest, **kw)

            warnings.showwarning = show
            try:
                return func(*args, **kwargs)
            except ClusterKGError as err:
                fail(err)
            except (BrokenPipeError, KeyboardInterrupt):
                sys.exit(130)

    return wrapper  # type: ignore[return-value]


def emit_json(doc: Any) -> None:
    click.echo(json_safe(json.dumps(doc, indent=2, ensure_ascii=False)))


def _say_created(folders: list[Any]) -> None:
    """Say which missing folders writing an output created (every command does the same)."""
    for folder in folders:
        say(f"created folder {folder}", err=True)


def _to_terminal() -> bool:
    """True when standard output is a terminal."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit(text: str, *, machine: bool = False) -> None:
    """Print a command's output: text for people always escaped; a machine format (CSV, RDF, ...)
    escaped only when it goes to a terminal (piped or redirected, it keeps every byte)."""
    if not machine or _to_terminal():
        text = escape_controls(text)
    click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(graph.__version__, prog_name="clusterkg")
@click.option("--data", "data", multiple=True, type=click.Path(),
              help="Extra RDF file or folder to load with the built-in data (repeatable; any syntax "
                   "rdflib reads: .ttl .nt .nq .trig .jsonld .rdf).")
@click.option("--no-default-data", is_flag=True, help="Use only the --data files (plus the ontology).")
@click.option("--infer", type=click.Choice(["rdfs", "owlrl"]), default=None,
              help="Materialise RDFS or OWL-RL inferences (subclass types, inverse and symmetric links).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the graph cache.")
@click.option("--endpoint", "endpoint", metavar="URL", default=None,
              help="Read the graph held by this SPARQL 1.1 query endpoint (after `clusterkg push`) instead "
                   "of local files: stats, show, path, neighbours, centrality, ... run against it.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="HTTP header for --endpoint, e.g. 'Authorization: Bearer TOKEN' (repeatable).")
@click.pass_context
def cli(ctx: click.Context, data: tuple[str, ...], no_default_data: bool, infer: str | None,
        no_cache: bool, endpoint: str | None, headers: tuple[str, ...]) -> None:
    """clusterkg: EU cluster policy as a knowledge graph.

    Build, validate and explore a sourced RDF graph of EU cluster policy: clusters, cluster
    organisations and partnerships, policies, programmes, instruments, platforms and the
    synergies between them.

    \b
    Examples:
      clusterkg build                      # validate and write build/graph.ttl
      clusterkg stats                      # what is in the graph
      clusterkg show "Joint Cluster Initiatives"
      clusterkg --data my-clusters.ttl validate
      clusterkg --endpoint http://localhost:7878/query show COSME
    """
    hdrs: dict[str, str] = {}
    if headers:
        from graph.sparql.remote import parse_header

        try:
            hdrs = dict(parse_header(h) for h in headers)
        except ClusterKGError as err:
            fail(err)
    ctx.obj = Settings(list(data), not no_default_data, infer, not no_cache, endpoint, hdrs)


@cli.command()
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False),
              help="Output folder: created if missing; a folder an earlier build wrote gets its outputs "
                   "replaced (other files in it stay); a non-empty folder no build wrote is refused (exit 2).")
@click.option("--data", "more_data", multiple=True, type=click.Path(),
              help="Extra RDF file or folder (same as the global --data).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@handles_errors
def build(settings: Settings, out_dir: str, more_data: tuple[str, ...], fmt: str) -> None:
    """Validate the graph and write OUT/graph.ttl, graph.nt and validation.txt.

    The outputs are byte-identical for the same inputs. Exit 1 if the data violates the
    SHACL shapes (the outputs and the report are still written), 2 for unusable input
    (nothing is written).

    \b
    Example:
      clusterkg build --out build/
    """
    result = graph.build(out_dir, [*settings.data, *more_data], default_data=settings.default_data,
                         infer=settings.infer, use_cache=settings.use_cache)
    _say_created(result.created)
    s = result.stats
    if fmt == "json":
        emit_json(result.summary())
    else:
        say(f"read {len(result.files)} file(s): {result.triples} triples, {s['entities']} entities, "
            f"{s['synergies']} synergies, {s['figures']} figures")
        say(f"validation: {result.report.count('Violation')} violation(s), "
            f"{result.report.count('Warning')} warning(s)")
        for r in [r for r in result.report.results if r.severity == "Violation"][:20]:
            say(f"  {r.line()}")
        say(f"wrote {result.out_dir}/{', '.join(result.outputs)}")
    if not result.conforms:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-warnings", is_flag=True, help="Check only the violation shapes.")
@click.pass_obj
@handles_errors
def validate(settings: Settings, paths: tuple[str, ...], fmt: str, no_warnings: bool) -> None:
    """Check the graph (plus PATHS) against the SHACL shapes.

    Exit 0 when there is no violation (warnings allowed), 1 when there are violations,
    2 when an input cannot be used.

    \b
    Examples:
      clusterkg validate
      clusterkg validate my-data.ttl --format json
    """
    ds = graph.Dataset([*settings.data, *paths], default_data=settings.default_data, infer=settings.infer,
                       use_cache=settings.use_cache, endpoint=settings.endpoint, headers=settings.headers)
    report = ds.validate(warnings=not no_warnings)
    say(report.to_json() if fmt == "json" else report.text(), nl=False)
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
@handles_errors
def stats(settings: Settings, fmt: str) -> None:
    """Count entities by class, synergies by type and status, items by period, and sources.

    \b
    Example:
      clusterkg stats --format json
    """
    s = settings.open().stats()
    if fmt == "json":
        emit_json(s)
    else:
        say(graph.format_stats(s), nl=False)


@cli.command()
@click.argument("entity")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@handles_errors
def show(settings: Settings, entity: str, fmt: str) -> None:
    """Show ENTITY: its type, labels, definition, figures and every linkage in and out,
    each with its type, period, status and source.

    ENTITY is a label (case-insensitive; a unique prefix or a near match will do), an
    acronym, a CURIE (ckr:cosme) or an IRI.

    \b
    Examples:
      clusterkg show "Joint Cluster Initiatives"
      clusterkg show COSME --format json
    """
    d = settings.open().describe(entity)
    if fmt == "json":
        emit_json(d)
    else:
        say(graph.format_description(d), nl=False)


# -- SPARQL: query, queries, push ----------------------------------------------------------

_RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]


def _query_options(func: F) -> F:
    """Options shared by `query` and `queries run`."""
    for option in reversed([
        click.option("--format", "fmt", type=click.Choice(_RESULT_FORMATS), default=None,
                     help="SELECT/ASK: table (default on a terminal), csv (default otherwise), tsv, "
                          "json (SPARQL 1.1 Results JSON), xml. CONSTRUCT/DESCRIBE: turtle (default), nt, "
                          "jsonld. With --out and no --format, the file extension picks it: .csv .tsv "
                          ".json/.srj .xml/.srx .txt (table) for SELECT/ASK, .ttl .nt .jsonld for "
                          "CONSTRUCT/DESCRIBE; any other extension is refused (exit 2)."),
        click.option("--out", type=click.Path(dir_okay=False), default=None,
                     help="Write the result to this file (atomically) instead of standard output."),
        click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
                     help="Seconds before the query is stopped (exit 3); 0 for no limit."),
        click.option("--limit", type=click.IntRange(min=0), default=None,
                     help="Return at most N rows (or triples)."),
        click.option("--labels", is_flag=True, help="table: show IRIs by their rdfs:label instead of CURIEs."),
        click.option("--endpoint", metavar="URL", default=None,
                     help="Run on this SPARQL 1.1 query endpoint instead of the local graph."),
        click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
                     help="HTTP header for --endpoint, e.g. 'Authorization: Bearer TOKEN' (repeatable)."),
    ]):
        func = option(func)
    return func


def _run_query(settings: Settings, text: str, *, fmt: str | None, out: str | None, timeout: float,
               limit: int | None, labels: bool, endpoint: str | None, headers: tuple[str, ...],
               allow_remote: bool = False, engine: str = "oxigraph") -> None:
    from graph.sparql.query import fetch_labels
    from graph.sparql.results import format_for_out
    from graph.sparql.safety import check_query

    hdrs: dict[str, str] = {}
    if headers:
        from graph.sparql.remote import parse_header

        hdrs = dict(parse_header(h) for h in headers)
    if endpoint is None and settings.endpoint is not None:
        endpoint, hdrs = settings.endpoint, {**settings.headers, **hdrs}
    if out and fmt is None:  # a file name that picks no fitting format fails before the query runs
        format_for_out(out, check_query(text, allow_remote=True, parse=False).form)
    source: Any = None
    if endpoint is None:
        source = settings.open()
    result = graph.query(text, source, timeout=timeout or None, limit=limit, allow_remote=allow_remote,
                         endpoint=endpoint, headers=hdrs, engine=engine)
    rdf = result.type in ("CONSTRUCT", "DESCRIBE")
    if fmt is None:
        fmt = format_for_out(out, result.type) if out else ("turtle" if rdf else "table" if _to_terminal() else "csv")
    names: dict[str, str] = {}
    if labels and fmt == "table" and result.type == "SELECT":
        from rdflib import URIRef

        iris = {str(t) for row in result.rows for t in row if isinstance(t, URIRef)}
        names = fetch_labels(iris, source, endpoint=endpoint, headers=hdrs, timeout=timeout or None)
    output = result.serialize_as(fmt, names)
    if out:
        from graph.store.serialize import write_atomic

        _say_created(write_atomic(out, output))
        size = f"{len(result.graph or ())} triples" if rdf else (
            f"{len(result.rows)} rows" if result.type == "SELECT" else str(result.askAnswer).lower())
        say(f"wrote {out} ({size})", err=True)
    else:
        emit(output, machine=fmt != "table")
    if result.truncated and fmt != "table":
        say(f"note: the answer was cut to {limit} by --limit", err=True)


@cli.command()
@click.argument("query_arg", metavar="QUERY")
@_query_options
@click.option("--allow-remote", is_flag=True,
              help="Allow SERVICE and FROM/FROM NAMED with file: or http(s): IRIs (refused by default).")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="Local evaluator (rdflib is much slower; for comparison).")
@click.pass_obj
@handles_errors
def query(settings: Settings, query_arg: str, fmt: str | None, out: str | None, timeout: float,
          limit: int | None, labels: bool, endpoint: str | None, headers: tuple[str, ...],
          allow_remote: bool, engine: str) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph or an endpoint.

    QUERY is the query text, a path to a .rq file, or - for standard input. The prefixes
    ckg: ckr: src: rdf: rdfs: owl: xsd: skos: dcterms: prov: org: foaf: eurio: cpov:
    country: currency: nuts: eli: sh: are predeclared (a query may redeclare them).
    SPARQL Update is refused, and so are SERVICE and FROM <file:/http:> unless
    --allow-remote. Exit 2 for a malformed or refused query, 3 on timeout.

    \b
    Examples:
      clusterkg query 'SELECT ?e ?label WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label }'
      clusterkg query my-question.rq --format json --out answer.srj
      echo 'ASK { ckr:cosme ?p ?o }' | clusterkg query -
      clusterkg query 'DESCRIBE ckr:cosme' --format nt
      clusterkg query q.rq --endpoint http://localhost:7878/query --header 'Authorization: Bearer T'
    """
    from graph.sparql.query import read_query_text

    text = read_query_text(query_arg)
    _run_query(settings, text, fmt=fmt, out=out, timeout=timeout, limit=limit, labels=labels,
               endpoint=endpoint, headers=headers, allow_remote=allow_remote, engine=engine)


@cli.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to list the queries.")
@click.pass_context
@handles_errors
def queries(ctx: click.Context, fmt: str) -> None:
    """The library of policy questions in queries/: list them (no subcommand), show one, run one.

    \b
    Examples:
      clusterkg queries
      clusterkg queries show envisaged-synergies
      clusterkg queries run envisaged-synergies --format csv --out envisaged.csv
      clusterkg queries run envisaged-synergies --endpoint http://localhost:7878/query
    """
    if ctx.invoked_subcommand is not None:
        return
    _list_queries(fmt)


@queries.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to list the queries.")
@handles_errors
def queries_list(fmt: str) -> None:
    """List the stored queries: name and title (the same as `clusterkg queries`).

    \b
    Example:
      clusterkg queries list --format json
    """
    _list_queries(fmt)


def _list_queries(fmt: str) -> None:
    from graph.sparql.library import list_queries

    found = list_queries()
    if fmt == "json":
        emit_json([{"name": q.name, "title": q.title, "description": q.description, "shape": q.shape}
                   for q in found])
        return
    width = max((len(q.name) for q in found), default=4)
    for q in found:
        say(f"{q.name.ljust(width)}  {q.title}")


@queries.command("show")
@click.argument("name")
@handles_errors
def queries_show(name: str) -> None:
    """Print the stored query NAME (its header comment says what it asks).

    \b
    Example:
      clusterkg queries show envisaged-synergies
    """
    from graph.sparql.library import get_query

    say(get_query(name).text, nl=False)


@queries.command("run")
@click.argument("name")
@_query_options
@click.pass_obj
@handles_errors
def queries_run(settings: Settings, name: str, fmt: str | None, out: str | None, timeout: float,
                limit: int | None, labels: bool, endpoint: str | None, headers: tuple[str, ...]) -> None:
    """Run the stored query NAME on the graph (or on --endpoint).

    \b
    Examples:
      clusterkg queries run envisaged-synergies
      clusterkg queries run envisaged-synergies --format json --out envisaged.srj
    """
    from graph.sparql.library import get_query

    _run_query(settings, get_query(name).text, fmt=fmt, out=out, timeout=timeout, limit=limit,
               labels=labels, endpoint=endpoint, headers=headers)


@cli.command()
@click.option("--endpoint", metavar="URL", default=None,
              help="SPARQL 1.1 Graph Store HTTP Protocol endpoint (Oxigraph: http://HOST:7878/store; "
                   "Fuseki: http://HOST:3030/DATASET/data).")
@click.option("--graph", "graph_iri", metavar="IRI", default=None,
              help="Named graph to write to (default: the default graph).")
@click.option("--replace", is_flag=True, help="Replace the graph's content (default: add to it).")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="SPARQL Update endpoint used when --endpoint is missing or has no Graph Store "
                   "support (INSERT DATA in batches).")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="HTTP header, e.g. 'Authorization: Bearer TOKEN' (repeatable).")
@click.option("--batch-size", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Triples per Graph Store request.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds to wait for the answer to each HTTP request; past it, push stops with exit 2 "
                   "and says whether the endpoint could not be reached or did not answer.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@handles_errors
def push(settings: Settings, endpoint: str | None, graph_iri: str | None, replace: bool,
         update_endpoint: str | None, headers: tuple[str, ...], batch_size: int, timeout: float,
         fmt: str) -> None:
    """Upload the graph (ontology + data + --data, inferred with --infer) to a SPARQL 1.1 store.

    Uses the Graph Store HTTP Protocol (PUT with --replace, else POST), falling back to SPARQL
    Update INSERT DATA on --update-endpoint. Then query it with --endpoint.

    \b
    Examples:
      clusterkg push --endpoint http://localhost:7878/store --replace
      clusterkg push --endpoint http://localhost:3030/ckg/data --graph https://w3id.org/clusterkg/graph
      clusterkg push --update-endpoint http://localhost:7878/update --header 'Authorization: Bearer T'
    """
    from graph.sparql.remote import parse_header
    from graph.sparql.remote import push as push_graph

    hdrs = dict(parse_header(h) for h in headers)
    report = push_graph(settings.open().triples(), endpoint, graph=graph_iri, replace=replace,
                        update_endpoint=update_endpoint, headers=hdrs, batch_size=batch_size,
                        timeout=timeout)
    if fmt == "json":
        emit_json({"triples": report.triples, "requests": report.requests, "method": report.method,
                   "url": report.url, "graph": report.graph})
    else:
        say(report.text(), nl=False)


# -- network analysis: path, centrality, communities, neighbours, gaps, export ----------------

def _network_options(func: F) -> F:
    """Projection filters shared by the network commands (see graph.network.projection.project)."""
    for option in reversed([
        click.option("--include-class", "include_classes", multiple=True, metavar="CLASS",
                     help="Network filter: keep only entities of CLASS (label, plural or CURIE; subclasses "
                          "count; repeatable)."),
        click.option("--exclude-class", "exclude_classes", multiple=True, metavar="CLASS",
                     help="Network filter: leave out entities of CLASS (repeatable)."),
        click.option("--include-linkage", "include_predicates", multiple=True, metavar="TYPE",
                     help="Network filter: keep only linkages of TYPE: a property ('part of', ckg:fundedBy), "
                          "a synergy type ('coordination') or 'synergy' (repeatable)."),
        click.option("--exclude-linkage", "exclude_predicates", multiple=True, metavar="TYPE",
                     help="Network filter: leave out linkages of TYPE (repeatable)."),
        click.option("--period", "periods", multiple=True, metavar="PERIOD",
                     help="Network filter: keep only synergies and entities of PERIOD ('2021-2027'); "
                          "items that state no period stay (repeatable)."),
        click.option("--status", "statuses", multiple=True, metavar="STATUS",
                     help="Network filter: keep only synergies and entities with STATUS (active, envisaged, "
                          "ended); items that state none stay (repeatable)."),
    ]):
        func = option(func)
    return func


def _network(settings: Settings, filters: dict[str, Any]) -> tuple[graph.Dataset, Any]:
    """The dataset and its projection with the network filters."""
    import gc

    ds = settings.open()
    net = ds.network(**{k: list(v) for k, v in filters.items()})
    gc.freeze()  # lives until exit: keep the collector from rescanning it
    return ds, net


def _emit(text: str, out: str | None, what: str = "", *, machine: bool = False) -> None:
    """Print ``text`` (see :func:`emit`), or write it atomically to ``out`` as it is."""
    if out:
        from graph.store.serialize import write_atomic

        _say_created(write_atomic(out, text))
        say(f"wrote {out}{what}", err=True)
    else:
        emit(text, machine=machine)


def _json_text(doc: Any) -> str:
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


_OUT_OPTION = click.option("--out", type=click.Path(dir_okay=False), default=None,
                           help="Write the output to this file (atomically) instead of standard output.")


def _network_command(*formats: str) -> Callable[[F], F]:
    """The options every network command ends with: ``--format`` (``formats``, the first is the
    default), ``--out``, the network filters; then the settings object and the error mapping."""
    def decorate(func: F) -> F:
        wrapped: Any = _network_options(click.pass_obj(handles_errors(func)))
        return cast(F, click.option("--format", "fmt", type=click.Choice(list(formats)), default=formats[0],
                                    show_default=True)(_OUT_OPTION(wrapped)))

    return decorate


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--k", "k", type=click.IntRange(min=1), default=1, show_default=True,
              help="Show the K shortest simple paths.")
@click.option("--max-hops", type=click.IntRange(min=1), default=None, help="Ignore paths longer than N hops.")
@click.option("--via", multiple=True, metavar="CLASS",
              help="Only paths that pass through an entity of CLASS (repeatable: any of them).")
@click.option("--avoid", multiple=True, metavar="ENTITY", help="Never pass through ENTITY (repeatable).")
@click.option("--directed", is_flag=True,
              help="Follow linkages only in their stated direction (bidirectional synergies both ways).")
@_network_command("text", "json")
def path(settings: Settings, source: str, target: str, k: int, max_hops: int | None, via: tuple[str, ...],
         avoid: tuple[str, ...], directed: bool, fmt: str, out: str | None, **filters: Any) -> None:
    """How is SOURCE linked to TARGET? The shortest linkage path (or the K shortest), each hop
    explained with its linkage type, synergy status and period, and its source.

    SOURCE and TARGET are names as for `clusterkg show`. Linkages are followed both ways
    unless --directed. Exit 1 when there is no path (the output says what each side is
    linked to), 2 for an unknown name.

    \b
    Examples:
      clusterkg path COSME "Horizon Europe"
      clusterkg path COSME "Horizon Europe" --k 3 --max-hops 5 --format json
      clusterkg path Euroclusters "Horizon Europe" --via policy --avoid "Enterprise Europe Network"
    """
    from graph.network.local import find_paths
    from graph.network.paths import format_paths

    result = find_paths(settings.open(), source, target, k=k, max_hops=max_hops, via=via, avoid=avoid,
                        directed=directed, **filters)
    _emit(_json_text(result) if fmt == "json" else format_paths(result), out)
    if not result["found"]:
        sys.exit(1)


@cli.command()
@click.option("--measure", type=click.Choice(["degree", "betweenness", "closeness", "eigenvector", "pagerank",
                                              "all"]), default="betweenness", show_default=True)
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="List only entities of CLASS (scores still use the whole network; repeatable).")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many entities.")
@click.option("--sample", type=click.IntRange(min=2), default=None, metavar="K",
              help="Estimate betweenness from K sampled source entities (default: exact up to "
                   f"{EXACT_LIMIT['igraph']} entities with igraph, {EXACT_LIMIT['networkx']} without, else "
                   f"{DEFAULT_SAMPLE} samples). The output says so.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--backend", type=click.Choice(["auto", "igraph", "networkx"]), default="auto", show_default=True,
              help="Where betweenness and closeness run: igraph's C core (the 'fast' extra) or networkx.")
@_network_command("table", "csv", "json")
def centrality(settings: Settings, measure: str, types: tuple[str, ...], top: int, sample: int | None,
               seed: int, backend: str, fmt: str, out: str | None, **filters: Any) -> None:
    """Which entities broker the most linkages? Rank entities by centrality.

    Measures run on the undirected network of entities (one edge per linked pair): degree,
    betweenness (share of shortest paths through the entity), closeness, eigenvector and
    PageRank (weighted by the number and strength of linkages). `all` ranks by every measure
    (rows sorted by mean rank). The method (exact or sampled, seed, backend) is in every output.

    \b
    Examples:
      clusterkg centrality --measure betweenness --top 10
      clusterkg centrality --measure all --type programme --format csv
      clusterkg centrality --sample 500 --seed 1 --format json
    """
    from graph.network import analysis

    net = settings.open().topology(**{k: list(v) for k, v in filters.items()})
    result = analysis.centrality(net, measure, types=analysis.resolve_classes(net, types), top=top,
                                 sample=sample, seed=seed, backend=backend)
    _emit(_json_text(result) if fmt == "json" else analysis.format_centrality(result, fmt), out,
          machine=fmt != "table")


@cli.command()
@click.option("--method", type=click.Choice(["louvain", "label-propagation"]), default="louvain",
              show_default=True)
@click.option("--resolution", type=float, default=1.0, show_default=True,
              help="Louvain resolution: above 1 gives smaller groups, below 1 larger ones.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same groups).")
@click.option("--members", type=click.IntRange(min=1), default=12, show_default=True,
              help="text: names shown per group.")
@_network_command("text", "csv", "json")
def communities(settings: Settings, method: str, resolution: float, seed: int, members: int, fmt: str,
                out: str | None, **filters: Any) -> None:
    """Which entities work together? Groups of entities more linked to each other than to the
    rest, with their members, size and the linkage types that bind each group.

    \b
    Examples:
      clusterkg communities --seed 1
      clusterkg communities --method label-propagation --format json
      clusterkg communities --resolution 1.5 --format csv --out groups.csv
    """
    from graph.network import analysis
    from graph.network.communities import communities_csv

    _, net = _network(settings, filters)
    result = analysis.communities(net, method=method, resolution=resolution, seed=seed)
    if fmt == "json":
        text = _json_text(result)
    elif fmt == "csv":
        text = communities_csv(result)
    else:
        text = analysis.format_communities(result, members=members)
    _emit(text, out, machine=fmt != "text")


@cli.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many linkages away.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Walk only through entities of CLASS (repeatable).")
@_network_command("text", "json")
def neighbours(settings: Settings, entity: str, depth: int, types: tuple[str, ...], fmt: str,
               out: str | None, **filters: Any) -> None:
    """The ego network of ENTITY: every entity within --depth linkages, grouped by linkage type,
    each linkage with its source.

    \b
    Examples:
      clusterkg neighbours "Horizon Europe"
      clusterkg neighbours Euroclusters --depth 2 --type programme --format json
    """
    from graph.network.local import ego
    from graph.network.paths import format_neighbours

    result = ego(settings.open(), entity, depth=depth, types=types, **filters)
    _emit(_json_text(result) if fmt == "json" else format_neighbours(result), out)


@cli.command()
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Both ends of a suggestion must be of CLASS (repeatable: any of them). Default: any "
                   "entity but places, programming periods, themes, ecosystems and value chains.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many suggestions.")
@click.option("--method", type=click.Choice(["adamic-adar", "jaccard", "common-neighbours"]),
              default="adamic-adar", show_default=True)
@_network_command("text", "csv", "json")
def gaps(settings: Settings, types: tuple[str, ...], top: int, method: str, fmt: str, out: str | None,
         **filters: Any) -> None:
    """Where is a synergy missing? Pairs of entities that are not linked but share neighbours,
    each with its evidence: the shared neighbours and the sourced linkages to them.

    \b
    Examples:
      clusterkg gaps --top 10
      clusterkg gaps --type programme --type initiative --method jaccard --format json
    """
    from graph.network import analysis
    from graph.network.gaps import gaps_csv

    _, net = _network(settings, filters)
    result = analysis.gaps(net, types=analysis.resolve_classes(net, types), top=top, method=method)
    if fmt == "json":
        text = _json_text(result)
    elif fmt == "csv":
        text = gaps_csv(result)
    else:
        text = analysis.format_gaps(result)
    _emit(text, out, machine=fmt != "text")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "csv"]), default=None,
              help="graphml, gexf (Gephi), json (networkx node-link) or csv (Cytoscape table). "
                   "Default: from the --out extension, else graphml.")
@click.option("--table", type=click.Choice(["edges", "nodes"]), default="edges", show_default=True,
              help="csv: which table.")
@_OUT_OPTION
@_network_options
@click.pass_obj
@handles_errors
def export(settings: Settings, fmt: str | None, table: str, out: str | None, **filters: Any) -> None:
    """Write the linkage network (entities, linkages and synergies with their attributes and
    sources) for Gephi, Cytoscape or networkx. List attributes (classes, provenance) are JSON
    text in GraphML, GEXF and CSV.

    \b
    Examples:
      clusterkg export --format graphml --out network.graphml
      clusterkg export --out network.gexf --period 2021-2027
      clusterkg export --format csv --table nodes --out nodes.csv
    """
    from graph.network.analysis import export_network
    from graph.network.export import format_for_extension

    fmt = fmt or format_for_extension(out)
    _, net = _network(settings, filters)
    text = export_network(net, fmt, table=table)
    _emit(text, out, f" ({fmt}: {net.number_of_nodes()} entities, {net.number_of_edges()} linkages)",
          machine=True)



# -- maps -----------------------------------------------------------------------------------

@cli.command()
@click.option("--out", type=click.Path(dir_okay=False), default="map.html", show_default=True,
              help="The HTML file to write (atomically).")
@click.option("--focus", metavar="ENTITY", default=None,
              help="Show only ENTITY and the entities within --depth linkages of it.")
@click.option("--depth", type=click.IntRange(min=1), default=2, show_default=True,
              help="Linkages around --focus.")
@click.option("--path", "path_ends", nargs=2, metavar="SOURCE TARGET", default=None,
              help="Show only the shortest linkage path from SOURCE to TARGET, left to right.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Keep only entities of CLASS (label, plural or CURIE; subclasses count; repeatable).")
@click.option("--period", metavar="P", default=None,
              help="Keep only what belongs to programming period P ('2021-2027'); items with no period stay.")
@click.option("--size-by", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree",
              show_default=True, help="Node size (area) follows this centrality.")
@click.option("--colour-by", "--color-by", "colour_by", type=click.Choice(["class", "community"]),
              default="class", show_default=True, help="Colour by class (shape: subclass) or by community.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=1500, show_default=True,
              help="Above this, show the top entities by --size-by with their linkages.")
@click.option("--title", default=None, help="Heading of the map (default: says what it shows).")
@click.option("--open", "open_after", is_flag=True, help="Open the map in the default browser.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to report what was written.")
@click.pass_obj
@handles_errors
def render(settings: Settings, out: str, focus: str | None, depth: int, path_ends: tuple[str, str] | None,
           types: tuple[str, ...], period: str | None, size_by: str, colour_by: str, max_nodes: int,
           title: str | None, open_after: bool, fmt: str) -> None:
    """Draw an interactive map of the linkages: one self-contained HTML file that opens offline
    with a double click (pan, zoom, search, filter by class and period; tooltips give each
    entity's type, definition and source, and each linkage's type, period, status and source).

    Beyond --max-nodes the map keeps the top entities by --size-by and its header says what was
    left out. The same graph and options always give the same file. Exit 2 for an unknown
    entity, class or period, or when --path finds no path.

    \b
    Examples:
      clusterkg render --out map.html
      clusterkg render --focus "Enterprise Europe Network" --depth 2 --out een.html
      clusterkg render --path COSME "Horizon Europe" --out path.html
      clusterkg render --type programme --type initiative --period 2021-2027 --colour-by community
    """
    result = graph.render(settings.open(), out=out, focus=focus, depth=depth, path=path_ends, types=types,
                          period=period, size_by=size_by, colour_by=colour_by, max_nodes=max_nodes,
                          title=title)
    _say_created(result.created)
    if fmt == "json":
        emit_json({"out": out, "title": result.title, "mode": result.mode, "entities": result.nodes,
                   "linked_pairs": result.edges, "linkages": result.linkages,
                   "entities_in_scope": result.available, "left_out": result.left_out,
                   "header": result.header})
    else:
        say(f"wrote {out}: {result.nodes} entities, {result.edges} linked pairs "
            f"({result.linkages} linkages)")
        say(result.header[2])
    if open_after:
        from graph.maps.render import open_in_browser

        if not open_in_browser(out):
            say(f"wrote {out}; no browser found to open it", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (loopback: only this machine can connect).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True, help="TCP port.")
@click.option("--data", "more_data", multiple=True, type=click.Path(),
              help="Extra RDF file or folder (same as the global --data).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a SPARQL query may run before it is stopped.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10000, show_default=True,
              help="Most rows (or triples) in one SPARQL answer; more are cut and flagged truncated.")
@click.option("--open", "open_browser", is_flag=True, help="Open the explorer in the default browser.")
@click.pass_obj
@handles_errors
def serve(settings: Settings, host: str, port: int, more_data: tuple[str, ...], timeout: float, max_rows: int,
          open_browser: bool) -> None:
    """Serve the explorer and a read-only SPARQL 1.1 endpoint (/sparql) on http://HOST:PORT/.

    The dataset is opened once and only read. SPARQL Update is refused (403), and so are
    SERVICE and FROM; a query stops after --timeout seconds. Stop the server with Ctrl-C.

    \b
    Examples:
      clusterkg serve                       # http://127.0.0.1:8000/
      clusterkg serve --port 8080 --open
      clusterkg --data my-clusters.ttl serve
    """
    from graph.server import ServerConfig
    from graph.server import serve as run_server

    ds = graph.Dataset([*settings.data, *more_data], default_data=settings.default_data, infer=settings.infer,
                       use_cache=settings.use_cache, endpoint=settings.endpoint, headers=settings.headers)
    config = ServerConfig(host=host, port=port, timeout=timeout, max_rows=max_rows)
    click.echo(f"clusterkg: serving on http://{f'[{host}]' if ':' in host else host}:{port}/ "
               f"(SPARQL endpoint: /sparql; Ctrl-C to stop)", err=True)
    run_server(ds, config, open_browser=open_browser)



@cli.command()
@click.argument("name", metavar="NUTS_CODE_OR_NAME")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text for people, json (every figure with the key of its rows), or html (one offline page "
                   "with charts and data tables).")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True,
              help="How many organisations to list (all are counted).")
@click.option("--rows", "rows_key", metavar="KEY", default=None,
              help="Instead of the profile, list the rows behind one figure (its key from --format json, e.g. "
                   "'participations?region=DE1&year=2016') with the source table and row of each, as CSV.")
@click.option("--no-gaps", is_flag=True, help="Skip the missing-synergy suggestions (faster on a large country).")
@_OUT_OPTION
@click.pass_obj
@handles_errors
def region(settings: Settings, name: str, fmt: str, top: int, rows_key: str | None, no_gaps: bool,
           out: str | None) -> None:
    """Profile a NUTS region or country: its organisations by type (cluster organisations first),
    Horizon 2020 / Horizon Europe participations and EC contribution by programme part and year,
    regional-fund operations (cluster operations marked), links to the policy graph, the regions
    it collaborates with most, and missing synergies. Every figure names the rows it came from.

    NUTS_CODE_OR_NAME is a NUTS code of levels 0-3 (DE, DE1, DE11, DE111), a country code, or a
    region or country name. The profile reads the imported actors (`clusterkg import`, passed with
    --data); the first call on a dataset reads them into a compact table in its cache entry.

    With imports: clusterkg --data nuts.nt --data he.nt --data h2020.nt region DE1

    \b
    Examples:
      clusterkg region DE
      clusterkg region Norway --format json --out no.json
      clusterkg region Germany --format html --out de.html
      clusterkg region DE --rows 'participations?region=DE&year=2016'
    """
    from graph.actors.region import format_region, region_profile

    ds = settings.open()
    if rows_key:
        text = _rows_csv(ds, rows_key)
        _emit(text, out, machine=True)
        return
    prof = region_profile(ds, name, top=top, gaps=not no_gaps)
    if fmt == "json":
        text = _json_text(prof)
    elif fmt == "html":
        from graph.actors.page import region_html

        text = region_html(prof)
    else:
        text = format_region(prof)
    _emit(text, out, machine=fmt != "text")


def _rows_csv(ds: graph.Dataset, key: str) -> str:
    """Every row behind a figure, with its source table and row, as CSV."""
    import csv
    import io

    from graph.actors.region import evidence_rows

    first = evidence_rows(ds, key, page=1, size=5000)
    rows = list(first["rows"])
    for page in range(2, first["pages"] + 1):
        rows += evidence_rows(ds, key, page=page, size=5000)["rows"]
    buf = io.StringIO()
    cols = [c for c in (rows[0].keys() if rows else []) if c != "sources"]
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*cols, "source_file", "source_row"])
    for r in rows:
        src = r.get("sources") or [{"file": "", "row": ""}]
        for s in src:
            w.writerow([*(r[c] for c in cols), s["file"], s["row"]])
    return buf.getvalue()


@cli.command("import")
@click.argument("mapping", required=False)
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="N-Triples file to write (default MAPPING.nt); load it with --data FILE.")
@click.option("--rejects", type=click.Path(dir_okay=False), default=None,
              help="CSV of bad rows and dropped values: file, row, column, reason (default OUT.rejects.csv).")
@click.option("--merges", type=click.Path(dir_okay=False), default=None,
              help="CSV merge report of entity resolution: kept id, merged ids, rule, score (default OUT.merges.csv).")
@click.option("--strict", is_flag=True, help="Write nothing (exit 1) if any row is bad.")
@click.option("--run-date", metavar="YYYY-MM-DD", default=None,
              help="Date recorded for the import run (default $SOURCE_DATE_EPOCH or today).")
@click.option("--list", "list_mappings", is_flag=True, help="List the shipped mappings and exit.")
@click.pass_obj
@handles_errors
def import_tables(settings: Settings, mapping: str | None, inputs: tuple[str, ...], out: str | None,
                  rejects: str | None, merges: str | None, strict: bool, run_date: str | None,
                  list_mappings: bool) -> None:
    """Import tables (CSV, TSV, gzipped, XLSX) with a declarative MAPPING into N-Triples.

    MAPPING is a shipped mapping (see --list) or a mapping file (docs/imports.md); each INPUT
    feeds the source whose file pattern it matches, or the one named as SOURCE=PATH. The global
    --data files (earlier imports, the NUTS regions) are the graph the import links into.

    \b
    Examples:
      clusterkg import --list
      clusterkg import nuts-2021 NUTS2021.xlsx --out nuts.nt
      clusterkg --data nuts.nt import cordis-h2020-participations eunets_h2020.csv.gz \\
          eunets_programme_parts.csv.gz --out h2020.nt
      clusterkg --data h2020.nt build
    """
    from graph.imports import format_mapping_list
    from graph.imports import import_tables as run_import

    if list_mappings:
        click.echo(format_mapping_list(), nl=False)
        return
    if mapping is None or not inputs:
        raise click.UsageError("give a MAPPING and at least one INPUT (or --list)")
    result = run_import(mapping, inputs, out=out, rejects=rejects, merges=merges, strict=strict,
                        dataset=settings.open(), run_date=run_date)
    click.echo(result.summary())


# -- actors: partner search ------------------------------------------------------------------

@cli.command()
@click.argument("seed", metavar="ORGANISATION_OR_QUERY")
@click.option("--ecosystem", metavar="ECOSYSTEM", default=None,
              help="Keep organisations linked to this industrial ecosystem (curated partnerships, the "
                   "cluster-organisation template); all of them are candidates.")
@click.option("--region", metavar="PLACE", default=None,
              help="Keep organisations located in this place: a NUTS code (DE1), a region or a country; all of "
                   "them are candidates.")
@click.option("--programme", metavar="PROGRAMME", default=None,
              help="Keep organisations with a project in this programme or programme part (LEIT, 'Horizon "
                   "Europe', ...).")
@click.option("--top", type=click.IntRange(min=1, max=500), default=10, show_default=True,
              help="How many organisations.")
@click.option("--new-only", is_flag=True, help="Leave out the seed's past partners.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_OUT_OPTION
@click.pass_obj
@handles_errors
def partners(settings: Settings, seed: str, ecosystem: str | None, region: str | None, programme: str | None,
             top: int, new_only: bool, fmt: str, out: str | None) -> None:
    """Organisations to work with: partners for ORGANISATION_OR_QUERY, ranked by an explained score
    (shared programme parts and call topics, past co-participation, complementary activity type,
    distance in the co-participation network), each with its evidence (the projects and source rows).

    ORGANISATION_OR_QUERY is an organisation (name, PIC, CURIE or IRI), a partnership or network (its
    members), an industrial ecosystem (its organisations), a project (its participants), or words
    to search organisation names for. The method, with the bounds of the search, is in every
    output. Needs imported participations (clusterkg import).

    \b
    Examples:
      clusterkg --data nuts.nt --data h2020.nt partners 999995893 --top 5
      clusterkg --data nuts.nt --data h2020.nt partners 999995893 --region Germany --new-only --format json
    """
    from graph.actors.partners import format_partners, partner_search

    result = partner_search(settings.open(), seed, ecosystem=ecosystem, region=region, programme=programme,
                            top=top, new_only=new_only)
    _emit(_json_text(result) if fmt == "json" else format_partners(result), out)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="clusterkg")
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so in one line, traceback only on request
        if os.environ.get("CLUSTERKG_DEBUG"):
            raise
        say(f"internal error: {type(exc).__name__}: {exc} (set CLUSTERKG_DEBUG=1 for a traceback)", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
