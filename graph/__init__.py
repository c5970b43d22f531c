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

from .entities.describe import describe, format_description
from .entities.lookup import EntityIndex
from .entities.stats import format_stats, graph_stats
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
