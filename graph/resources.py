"""Where the built-in ontology and data live.

In a source checkout they are the top-level ``ontology/`` and ``data/`` folders; in an installed
distribution they ship inside the package as ``graph/_ontology`` and ``graph/_data`` (see
``pyproject.toml``). Both layouts are found the same way.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "default_data_files", "locate", "ontology_dir", "ontology_files", "shape_files"]

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def locate(installed: str, repo_folder: str) -> Path:
    """A shipped folder: ``repo_folder`` in a source checkout, ``graph/<installed>`` in a wheel."""
    candidate = _REPO / repo_folder
    if candidate.is_dir() and (_REPO / "pyproject.toml").is_file():
        return candidate  # a source checkout (or an editable install)
    return _PACKAGE / installed  # a wheel: shipped inside the package


def ontology_dir() -> Path:
    """The folder that holds ``clusterkg.ttl`` and the SHACL shapes."""
    return locate("_ontology", "ontology")


def data_dir() -> Path:
    """The folder that holds the curated data (``*.ttl``)."""
    return locate("_data", "data")


def queries_dir() -> Path:
    """The folder of the SPARQL query library (``*.rq`` and ``expected/``)."""
    return locate("_queries", "queries")


def ontology_files() -> list[Path]:
    """The ontology proper (not the shapes): the policy ontology and the imported actors."""
    return [ontology_dir() / "clusterkg.ttl", ontology_dir() / "actors.ttl"]


def shape_files() -> dict[str, Path]:
    """SHACL shape files by severity: ``violation`` and ``warning``; ``actors``: the shapes
    every table import is checked against (:meth:`graph.store.dataset.Dataset.validate_addition`)."""
    d = ontology_dir()
    return {"violation": d / "shapes.ttl", "warning": d / "shapes-recommended.ttl",
            "actors": d / "shapes-actors.ttl"}


def default_data_files() -> list[Path]:
    """Every curated data file, sorted by name."""
    return sorted(data_dir().glob("*.ttl"))
