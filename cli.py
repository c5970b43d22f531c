"""The ``clusterkg`` command line: parse options, call :mod:`graph`, map errors to exit codes.

Exit codes: 0 success; 1 the data violates the SHACL shapes (or another failed check);
2 unusable input (missing or malformed file, unknown entity, bad option); 3 a query timed out.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

import click

import graph
from graph.errors import ClusterKGError, EntityLookupError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """Global options shared by every command."""

    data: list[str] = field(default_factory=list)
    default_data: bool = True
    infer: str | None = None
    use_cache: bool = True

    def open(self) -> graph.LoadedGraph:
        return graph.open_graph(self.data, default_data=self.default_data, infer=self.infer,
                                use_cache=self.use_cache)


def fail(err: ClusterKGError) -> None:
    """Print one clear message for ``err`` and exit with its code."""
    text = err.describe() if isinstance(err, EntityLookupError) else str(err)
    click.echo(text if isinstance(err, graph.RDFSyntaxError) else f"error: {text}", err=True)
    sys.exit(err.exit_code)


def handles_errors(func: F) -> F:
    """Turn library errors into messages and exit codes (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ClusterKGError as err:
            fail(err)
        except (BrokenPipeError, KeyboardInterrupt):
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def emit_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(graph.__version__, prog_name="clusterkg")
@click.option("--data", "data", multiple=True, type=click.Path(),
              help="Extra RDF file or folder to load with the built-in data (repeatable; any syntax "
                   "rdflib reads: .ttl .nt .nq .trig .jsonld .rdf).")
@click.option("--no-default-data", is_flag=True, help="Use only the --data files (plus the ontology).")
@click.option("--infer", type=click.Choice(["rdfs", "owlrl"]), default=None,
              help="Materialise RDFS or OWL-RL inferences (subclass types, inverse and symmetric links).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the graph cache.")
@click.pass_context
def cli(ctx: click.Context, data: tuple[str, ...], no_default_data: bool, infer: str | None,
        no_cache: bool) -> None:
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
    """
    ctx.obj = Settings(list(data), not no_default_data, infer, not no_cache)


@cli.command()
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False),
              help="Output folder (replaced as a whole).")
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
    s = result.stats
    if fmt == "json":
        emit_json({"out": str(result.out_dir), "triples": result.triples, "entities": s["entities"],
                   "synergies": s["synergies"], "figures": s["figures"],
                   "violations": result.report.count("Violation"),
                   "warnings": result.report.count("Warning"), "conforms": result.conforms,
                   "outputs": ["graph.ttl", "graph.nt", "validation.txt"]})
    else:
        click.echo(f"read {len(result.files)} file(s): {result.triples} triples, {s['entities']} entities, "
                   f"{s['synergies']} synergies, {s['figures']} figures")
        click.echo(f"validation: {result.report.count('Violation')} violation(s), "
                   f"{result.report.count('Warning')} warning(s)")
        for r in [r for r in result.report.results if r.severity == "Violation"][:20]:
            click.echo(f"  {r.line()}")
        click.echo(f"wrote {result.out_dir}/graph.ttl, graph.nt, validation.txt")
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
    loaded = graph.open_graph([*settings.data, *paths], default_data=settings.default_data,
                              infer=settings.infer, use_cache=settings.use_cache)
    report = graph.validate_graph(loaded, warnings=not no_warnings)
    click.echo(report.to_json() if fmt == "json" else report.text(), nl=False)
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
    s = graph.graph_stats(settings.open().graph)
    if fmt == "json":
        emit_json(s)
    else:
        click.echo(graph.format_stats(s), nl=False)


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
    d = graph.describe(settings.open().graph, entity)
    if fmt == "json":
        emit_json(d)
    else:
        click.echo(graph.format_description(d), nl=False)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="clusterkg")
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so in one line, traceback only on request
        if os.environ.get("CLUSTERKG_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set CLUSTERKG_DEBUG=1 for a traceback)",
                   err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
