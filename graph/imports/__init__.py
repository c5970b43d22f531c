"""Import tables (CSV, TSV, gzipped, XLSX) into the graph with declarative mapping files.

``clusterkg import MAPPING INPUT...`` is :func:`import_tables`. A mapping is a YAML file: YARRRML
mappings plus a declared source block (how to read the table and clean its columns) and entity
resolution; ``docs/imports.md`` teaches how to write one. Shipped mappings (``mappings/``) cover
CORDIS participations (H2020 and Horizon Europe layouts), NUTS 2021 regions, ERDF lists of
operations, Kohesio beneficiaries and the cluster-organisation template.

>>> sorted(m.name for m in list_mappings())[:3]
['cluster-organisations', 'cordis-h2020-participations', 'cordis-h2020-projects']
"""

from __future__ import annotations

from .context import ImportContext
from .read import Reject
from .resolve import MergeRow
from .run import ImportResult, assign_inputs, find_mapping, import_tables, list_mappings
from .spec import MappingSpec, parse_mapping

__all__ = [
    "ImportContext",
    "ImportResult",
    "MappingSpec",
    "MergeRow",
    "Reject",
    "assign_inputs",
    "find_mapping",
    "format_mapping_list",
    "import_tables",
    "list_mappings",
    "parse_mapping",
]


def format_mapping_list() -> str:
    """The shipped mappings, one per line: name, title and the files each source expects."""
    lines = []
    for m in list_mappings():
        inputs = ", ".join(f"{s.name}={s.file}" + (" (optional)" if s.optional else "")
                           for s in m.sources if not s.shipped)
        lines.append(f"{m.name}  {m.title}\n    inputs: {inputs}")
    return "\n".join(lines) + "\n"
