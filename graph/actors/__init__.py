"""Actor questions: regional profiles and partner search over the imported actors.

The modules here answer the questions policy staff bring about real actors (organisations,
participations, regional-fund operations) once they are imported (``clusterkg import``): a region's
profile (:mod:`graph.actors.region`) and partner search (:mod:`graph.actors.partners`). Both read the
one :class:`graph.Dataset` and return plain data that the CLI and the explorer format.
"""

from __future__ import annotations
