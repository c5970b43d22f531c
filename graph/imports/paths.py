"""Where the shipped mappings, reference tables, ontology and shapes are.

In a source checkout they are the top-level ``mappings/``, ``ontology/`` and ``data/`` folders; in
an installed wheel they ship inside the package as ``graph/_mappings``, ``graph/_ontology`` and
``graph/_data`` (see ``pyproject.toml``), exactly as :mod:`graph.resources` finds the others.

>>> (mappings_dir() / "reference").is_dir()
True
>>> [p.name for p in ontology_files()]
['clusterkg.ttl', 'actors.ttl']
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["actor_shapes_file", "curated_files", "mappings_dir", "ontology_files"]

_PACKAGE = Path(__file__).resolve().parent.parent
_REPO = _PACKAGE.parent


def _locate(installed: str, repo_folder: str) -> Path:
    candidate = _REPO / repo_folder
    if candidate.is_dir() and (_REPO / "pyproject.toml").is_file():
        return candidate
    return _PACKAGE / installed


def mappings_dir() -> Path:
    """The folder of the shipped mappings (``*.yaml``) and their ``reference/`` tables."""
    return _locate("_mappings", "mappings")


def ontology_files() -> list[Path]:
    """The ontology an import needs: the policy ontology and the actors' terms."""
    d = _locate("_ontology", "ontology")
    return [d / "clusterkg.ttl", d / "actors.ttl"]


def actor_shapes_file() -> Path:
    """The SHACL shapes every import is checked against."""
    return _locate("_ontology", "ontology") / "shapes-actors.ttl"


def curated_files() -> list[Path]:
    """The curated data files (what ``clusterkg`` loads by default)."""
    return sorted(_locate("_data", "data").glob("*.ttl"))
