"""Where the shipped mappings and the actor shapes are (found as :mod:`graph.resources` finds the rest).

In a source checkout the mappings are the top-level ``mappings/`` folder; in an installed wheel
they ship inside the package as ``graph/_mappings`` (see ``pyproject.toml``). The ontology and
curated data an import links into come with the :class:`~graph.store.dataset.Dataset`.

>>> (mappings_dir() / "reference").is_dir()
True
>>> actor_shapes_file().name
'shapes-actors.ttl'
"""

from __future__ import annotations

from pathlib import Path

from ..resources import locate, shape_files

__all__ = ["actor_shapes_file", "mappings_dir"]


def mappings_dir() -> Path:
    """The folder of the shipped mappings (``*.yaml``) and their ``reference/`` tables."""
    return locate("_mappings", "mappings")


def actor_shapes_file() -> Path:
    """The SHACL shapes every import is checked against."""
    return shape_files()["actors"]
