"""clusterkg: EU cluster policy as a sourced, validated knowledge graph.

The library behind the ``clusterkg`` command. Everything the CLI does is a function here:

>>> import graph
>>> ds = graph.open_dataset()
>>> ds.describe("France")["types"]
['country']
>>> graph.query("ASK { ckr:cosme a ckg:Programme }", ds).askAnswer
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AmbiguousEntity,
    ClusterKGError,
    EntityLookupError,
    EntityNotFound,
    InputError,
    MissingInputError,
    RDFSyntaxError,
    UnsafeInputError,
    ValidationFailed,
)

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and IDEs
    from .entities.describe import describe, format_description
    from .entities.lookup import EntityIndex
    from .entities.stats import format_stats, graph_stats
    from .maps.render import RenderedMap, render
    from .sparql.query import query
    from .sparql.results import QueryResult
    from .store.build import BuildResult, build
    from .store.cache import clear_cache
    from .store.dataset import Dataset, open_dataset, open_graph
    from .store.infer import materialise
    from .store.load import LoadedGraph, load_graph, make_graph
    from .store.validate import ValidationReport, ValidationResult, validate_graph, validate_store

__version__ = "0.1.0"

__all__ = [
    "AmbiguousEntity",
    "BuildResult",
    "ClusterKGError",
    "Dataset",
    "EntityIndex",
    "EntityLookupError",
    "EntityNotFound",
    "InputError",
    "LoadedGraph",
    "MissingInputError",
    "QueryResult",
    "RDFSyntaxError",
    "RenderedMap",
    "UnsafeInputError",
    "ValidationFailed",
    "ValidationReport",
    "ValidationResult",
    "build",
    "clear_cache",
    "describe",
    "format_description",
    "format_stats",
    "graph_stats",
    "load_graph",
    "make_graph",
    "materialise",
    "open_dataset",
    "open_graph",
    "query",
    "render",
    "validate_graph",
    "validate_store",
]

# The public names above are imported on first use (PEP 562), as scipy and networkx import their
# optional parts: ``import graph`` stays cheap, so that a read command does not pay for rdflib,
# networkx, pyshacl or pyvis when it does not use them.
_LAZY = {
    "describe": ".entities.describe",
    "format_description": ".entities.describe",
    "EntityIndex": ".entities.lookup",
    "format_stats": ".entities.stats",
    "graph_stats": ".entities.stats",
    "RenderedMap": ".maps.render",
    "render": ".maps.render",
    "query": ".sparql.query",
    "QueryResult": ".sparql.results",
    "BuildResult": ".store.build",
    "build": ".store.build",
    "clear_cache": ".store.cache",
    "Dataset": ".store.dataset",
    "open_dataset": ".store.dataset",
    "open_graph": ".store.dataset",
    "materialise": ".store.infer",
    "LoadedGraph": ".store.load",
    "load_graph": ".store.load",
    "make_graph": ".store.load",
    "ValidationReport": ".store.validate",
    "ValidationResult": ".store.validate",
    "validate_graph": ".store.validate",
    "validate_store": ".store.validate",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
