"""When betweenness is computed exactly and how large its sample is otherwise.

Kept apart from :mod:`graph.network.centrality` (which re-exports them) so that the command line can
name them in its help without importing networkx.
"""

from __future__ import annotations

__all__ = ["DEFAULT_SAMPLE", "EXACT_LIMIT"]

#: Largest network (entities) whose betweenness is computed exactly when no ``sample`` is given,
#: per route: an exact run costs one BFS per entity.
EXACT_LIMIT = {"igraph": 5000, "networkx": 1000}

#: Sources sampled for betweenness above :data:`EXACT_LIMIT` (the accuracy this gives is
#: measured in ``docs/analysis.md``).
DEFAULT_SAMPLE = 600
