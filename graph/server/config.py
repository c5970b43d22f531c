"""The settings of ``clusterkg serve``, in one place (each documented in ``docs/serve.md``).

Examples
--------
>>> c = ServerConfig()
>>> (c.host, c.port, c.timeout, c.max_rows)
('127.0.0.1', 8000, 10.0, 10000)
>>> [s.name for s in SETTINGS][:3]
['host', 'port', 'timeout']
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["SETTINGS", "ServerConfig", "Setting"]


@dataclass(frozen=True)
class ServerConfig:
    """What the server allows and where it listens.

    Attributes
    ----------
    host : str
        Interface to bind (loopback unless told otherwise).
    port : int
        TCP port (0: any free port).
    timeout : float
        Seconds a SPARQL query (or an analysis) may run before it is stopped.
    analysis_timeout : float
        Seconds a network analysis (centrality, communities, gaps) may run; computed once, then kept.
    max_rows : int
        Most rows (or triples) a SPARQL answer carries; beyond, it is cut and flagged ``truncated``.
    max_body : int
        Largest request body accepted, in bytes.
    page_size : int
        Rows per page in the explorer's long lists.
    map_nodes : int
        Most entities a map in the explorer draws at once.
    cache_entries : int
        SPARQL answers kept in memory (the dataset is read-only, so an answer never goes stale).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    analysis_timeout: float = 120.0
    max_rows: int = 10000
    max_body: int = 1 << 20
    page_size: int = 50
    map_nodes: int = 120
    cache_entries: int = 256


@dataclass(frozen=True)
class Setting:
    """One documented setting: its name, default and meaning."""

    name: str
    default: object
    help: str


_HELP = {
    "host": "interface to bind; 127.0.0.1 (loopback) unless told otherwise",
    "port": "TCP port",
    "timeout": "seconds a SPARQL query or an analysis may run before it is stopped (HTTP 503)",
    "analysis_timeout": "seconds a network analysis (brokers, communities, gaps) may run; its result is kept",
    "max_rows": "most rows (or triples) in one SPARQL answer; more are cut and flagged truncated",
    "max_body": "largest request body in bytes (HTTP 413 beyond)",
    "page_size": "rows per page in the explorer's lists",
    "map_nodes": "most entities a map in the explorer draws at once",
    "cache_entries": "SPARQL answers kept in memory (the data is read-only)",
}

#: Every setting with its default and help text (a test checks each is documented).
SETTINGS = tuple(Setting(f.name, f.default, _HELP[f.name]) for f in fields(ServerConfig))
