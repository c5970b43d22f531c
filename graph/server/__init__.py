"""``clusterkg serve``: a local explorer for policy staff and a read-only SPARQL 1.1 endpoint.

:func:`serve` opens the dataset once and serves it with uvicorn; :func:`create_app` returns the
Starlette application (for tests, or to mount elsewhere). See ``docs/serve.md``.
"""

from __future__ import annotations

from .app import CSP, create_app, serve
from .config import SETTINGS, ServerConfig

__all__ = ["CSP", "SETTINGS", "ServerConfig", "create_app", "serve"]
