"""What the read commands import (issue 9: a read command answers in under a second, start-up included).

Importing rdflib, networkx, pyshacl, pyvis, igraph or numpy costs tens of milliseconds each; most read
commands use none of them. Each command runs here in a fresh interpreter (as the ``clusterkg``
script does) on the built curated dataset, and the test fails when a module it does not need is
imported again: a behaviour test of the import chains, not a timing.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import graph

ROOT = Path(__file__).resolve().parent.parent

#: Never needed by a read command (maps, SHACL engine, fast centrality, tables, server).
NEVER = {"pyvis", "jinja2", "pyshacl", "owlrl", "igraph", "numpy", "scipy", "pandas", "polars", "starlette",
         "uvicorn"}
#: Needed only where entities are cut from the graph as rdflib graphs, or results are rdflib Results.
RDFLIB = {"rdflib", "pyparsing"}
#: Needed only by the commands that walk the linkage network.
NETWORK = {"networkx"}

# The command, and the top-level modules it must not import.
READ_COMMANDS = [
    pytest.param(args, forbidden, id=" ".join(args)) for args, forbidden in [
        (["--help"], NEVER | RDFLIB | NETWORK),
        (["stats"], NEVER | RDFLIB | NETWORK),
        (["queries", "list"], NEVER | RDFLIB | NETWORK),
        (["queries", "show", "acronyms"], NEVER | RDFLIB | NETWORK),
        (["query", "ASK { ?s ?p ?o }"], NEVER | NETWORK),
        (["queries", "run", "acronyms"], NEVER | NETWORK),
        (["show", "France"], NEVER | NETWORK),
        (["neighbours", "COSME"], NEVER),
        (["path", "COSME", "Horizon Europe"], NEVER),
    ]
]

_PROBE = """
import json, sys
import cli
sys.argv = ["clusterkg", *json.loads(sys.argv[1])]
try:
    cli.main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print("\\n@@modules=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + f"@@exit={code}")
"""


def _imported(args: list[str]) -> tuple[set[str], int]:
    """The top-level modules a fresh ``clusterkg ARGS`` has imported when it ends, and its exit code."""
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    tail = done.stdout.rsplit("\n@@modules=", 1)
    assert len(tail) == 2, done.stderr
    modules, code = tail[1].strip().split("@@exit=")
    return set(json.loads(modules)), int(code) if code not in ("None", "") else 0


@pytest.mark.parametrize(("args", "forbidden"), READ_COMMANDS)
def test_read_command_imports_only_what_it_uses(args: list[str], forbidden: set[str],
                                                dataset_once: Callable[..., Any]) -> None:
    dataset_once([])  # the curated dataset is built: the command only reads it
    modules, code = _imported(args)
    assert code == 0
    assert sorted(modules & forbidden) == []


def test_import_graph_is_cheap_and_names_load_on_use() -> None:
    probe = ("import sys, graph; before = sorted(m for m in ('rdflib', 'networkx', 'pyoxigraph') if m in sys.modules); "
             "graph.Dataset; print(before, 'graph.store.dataset' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["[]", "True"], done.stderr


def test_every_public_name_is_listed_and_found() -> None:
    assert set(graph.__all__) <= set(dir(graph))
    assert all(getattr(graph, name) is not None for name in graph.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        graph.nothing_here  # noqa: B018


def test_version_is_the_installed_one() -> None:
    # the cache key names graph.__version__ (importing importlib.metadata costs every command 25 ms)
    assert graph.__version__ == importlib.metadata.version("clusterkg")


def test_plain_prefixes_are_the_rdflib_namespaces() -> None:
    from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

    from graph.prefixes import PREFIXES

    known = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV,
             "foaf": FOAF}
    assert {p: PREFIXES[p] for p in known} == {p: str(ns) for p, ns in known.items()}
