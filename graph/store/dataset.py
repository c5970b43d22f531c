"""One way in: the :class:`Dataset` every command, the Python API and the server open.

A dataset is named by its sources (the ontology, the built-in data, extra ``--data`` files or
folders, and the inference choice). The first time a set of sources is opened it is **built**:
the files go through the strict, safe parsers into an on-disk Oxigraph store (RocksDB, bulk
loaded), and the entity index (SQLite) and the statistics (JSON) are computed from the store.
The result is a private cache entry named by :func:`~graph.store.cache.content_key`; every later
command with the same sources opens it read-only in milliseconds. Nothing is re-parsed and
nothing is unpickled.

Everything else is derived lazily, from the store:

``ds.store``          the Oxigraph store (SPARQL, quad scans)
``ds.index``          the one entity resolver (labels, acronyms, aliases)
``ds.stats()``        the counts ``clusterkg stats`` prints
``ds.describe(x)``    what ``clusterkg show`` prints (from a small subgraph around ``x``)
``ds.network(...)``   the networkx projection, with class/linkage filters (cached as JSON)
``ds.subgraph(iris)`` a small rdflib graph around some entities (for maps and ego networks)
``ds.rdflib()``       the whole graph in rdflib, only where a library needs it (small graphs)
``ds.curated_subjects()``  the IRIs the built-in curated data defines (recorded when built)
``ds.validate_addition(store)``  SHACL for new triples as they will be in this dataset (imports)

Examples
--------
>>> ds = Dataset(use_cache=False)
>>> ds.resolve("COSME")
'https://w3id.org/clusterkg/id/cosme'
>>> ds.stats()["by_class"]["country"] >= 27
True
>>> ds.describe("Germany")["types"]
['country']
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..errors import InputError
from ..prefixes import PREFIXES
from .cache import content_key, new_entry, trusted_entry, usable_cache_dir
from .load import LoadedGraph, input_files, make_graph, parse_errors, read_source

if TYPE_CHECKING:  # rdflib and networkx are imported where they are used: reading needs neither
    import networkx as nx
    from rdflib import Graph, URIRef

    from ..network.topology import Topology
    from .oxstore import LocalStore
    from .validate import ValidationReport

__all__ = ["Dataset", "open_dataset", "open_graph"]

_BULK_BYTES = 1 << 20  # files above this go through the bulk loader

_Q_NAMES = """
SELECT DISTINCT ?e ?p ?n WHERE {
  VALUES ?p { rdfs:label skos:altLabel ckg:acronym ckg:code skos:prefLabel }
  ?e ?p ?n .
  FILTER(isLiteral(?n) && isIRI(?e))
}"""  # every name; the entities' are kept in Python (faster than the join at a million triples)
_Q_ENTITIES = """
SELECT DISTINCT ?e WHERE { ?c rdfs:subClassOf* ckg:Entity . ?e a ?c . FILTER(isIRI(?e)) }"""
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class _Sources:
    paths: tuple[str, ...]
    default_data: bool
    infer: str | None

    def files(self) -> list[tuple[str, Path]]:
        return input_files(self.paths, default_data=self.default_data)


def _filter_key(filters: Mapping[str, Any]) -> str:
    """The cache key of a set of projection filters (empty ones ignored, lists sorted)."""
    norm = {k: sorted(v) if not isinstance(v, (bool, str)) else v for k, v in sorted(filters.items()) if v}
    return hashlib.sha256(json.dumps(norm, sort_keys=True).encode()).hexdigest()[:16]


def _load_file(store: ox.Store, path: Path, display: str, *, bulk: bool) -> None:
    fmt, data = read_source(path, display)
    base = path.resolve().as_uri()
    with parse_errors(display, data):
        if fmt.supports_datasets:  # named graphs are merged into the one graph
            quads = (ox.Quad(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt, base_iri=base))
            if bulk:
                store.bulk_extend(quads)
            else:
                store.extend(quads)
        elif len(data) > _BULK_BYTES:  # no 16 MiB limit on one literal, and faster
            store.bulk_load(data, format=fmt, base_iri=base)
        else:
            store.load(data, format=fmt, base_iri=base)


def _fill(store: ox.Store, sources: _Sources, files: list[tuple[str, Path]], *, bulk: bool) -> None:
    if sources.infer:
        from ..terms import to_ox
        from .infer import materialise
        from .load import load_graph

        loaded = load_graph(sources.paths, default_data=sources.default_data)
        materialise(loaded.graph, sources.infer)  # type: ignore[arg-type]
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in loaded.graph)  # type: ignore[arg-type]
        if bulk:
            store.bulk_extend(quads)
        else:
            store.extend(quads)
        return
    for name, f in files:
        _load_file(store, f, name, bulk=bulk)


def _curated_subjects(files: list[tuple[str, Path]]) -> list[str]:
    """The IRIs that the curated data files give an ``rdf:type`` (small files: parsed once more)."""
    out: set[str] = set()
    for name, f in files:
        fmt, data = read_source(f, name)
        with parse_errors(name, data):
            for q in ox.parse(data, format=fmt, base_iri=f.resolve().as_uri()):
                if q.predicate == _TYPE and isinstance(q.subject, ox.NamedNode):
                    out.add(q.subject.value)
    return sorted(out)


def _select(store: ox.Store, q: str) -> Iterator[list[Any]]:
    res: Any = store.query(q, prefixes=dict(PREFIXES))
    n = len(res.variables)
    for sol in res:
        yield [sol[i] for i in range(n)]


def _index_rows(store: ox.Store) -> tuple[list[str], list[tuple[str, str, str, str | None]]]:
    ents = [r[0].value for r in _select(store, _Q_ENTITIES)]
    known = set(ents)
    rows = [(e.value, p.value, n.value, n.language) for e, p, n in _select(store, _Q_NAMES) if e.value in known]
    return ents, rows


class Dataset:
    """The graph as built from its sources, opened once and shared by every command.

    Parameters
    ----------
    paths : iterable of str or Path
        Extra RDF files or folders (``--data``).
    default_data : bool
        Include the built-in curated data.
    infer : {None, "rdfs", "owlrl"}
        Materialise inferences when building.
    use_cache : bool
        Build into (and reuse) the private cache; without it everything stays in memory.
    endpoint : str, optional
        Read the graph held by this SPARQL 1.1 query endpoint instead (see
        :mod:`graph.store.remote`); nothing is loaded locally.
    headers : mapping, optional
        HTTP headers for the endpoint (authentication).

    Raises
    ------
    MissingInputError, RDFSyntaxError, UnsafeInputError
        When a source cannot be used (on first access to the store).
    """

    def __init__(self, paths: Iterable[str | Path] = (), *, default_data: bool = True,
                 infer: str | None = None, use_cache: bool = True, endpoint: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.sources = _Sources(tuple(str(p) for p in paths), default_data, infer)
        self.use_cache = use_cache
        self.endpoint = endpoint
        self.headers = dict(headers or {})
        if endpoint is not None and (self.sources.paths or infer):
            raise InputError("--endpoint reads the graph held by the server: do not combine it with --data or --infer")
        self._files = self.sources.files() if endpoint is None else []
        self._key: str | None = None
        self._store: ox.Store | None = None
        self._entry: Path | None = None
        self._meta: dict[str, Any] | None = None
        self._index: Any = None
        self._nets: dict[str, nx.MultiDiGraph] = {}
        self._topos: dict[str, Topology] = {}
        self._schema: Graph | None = None
        self._schema_quads: list[ox.Quad] | None = None
        self._curated: frozenset[str] | None = None

    # -- identity ------------------------------------------------------------------------------

    @property
    def files(self) -> list[str]:
        """The input files, in load order, named as in messages."""
        return [name for name, _ in self._files]

    @property
    def key(self) -> str:
        """The content key: input names and bytes, inference, code versions."""
        if self._key is None:
            self._key = (content_key(self._files, infer=self.sources.infer) if self.endpoint is None
                         else hashlib.sha256(f"endpoint={self.endpoint}".encode()).hexdigest()[:32])
        return self._key

    @property
    def entry(self) -> Path | None:
        """The cache folder this dataset lives in (None when in memory)."""
        self._open()
        return self._entry

    # -- the store -----------------------------------------------------------------------------

    def _open(self, *, store: bool = True) -> None:
        """Open the cache entry (built on first use) and, unless ``store`` is False, the store in it
        (what only ``meta.json`` answers, the counts, needs no store)."""
        if self._store is not None or (not store and self._meta is not None):
            return
        if self.endpoint is not None:
            from .remote import RemoteStore

            self._store = RemoteStore(self.endpoint, self.headers)  # type: ignore[assignment]
            return
        entry = self._entry
        if entry is None:
            root = usable_cache_dir() if self.use_cache else None
            if root is None:
                memory = ox.Store()
                _fill(memory, self.sources, self._files, bulk=False)
                self._store = memory
                return
            entry = root / f"ds-{self.key}"
            if not trusted_entry(entry):
                if entry.exists() or entry.is_symlink():  # not ours, damaged or tampered with: never read
                    shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() and not entry.is_symlink() \
                        else entry.unlink()
                self._build_entry(root, entry)
            try:
                self._meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):  # damaged: rebuild once
                self._rebuild(entry)
            self._entry = entry
            if not store:
                return
        try:
            self._store = ox.Store.read_only(str(entry / "store"))
        except (OSError, ValueError, RuntimeError):  # damaged (RocksDB says "Corruption" with a RuntimeError)
            self._rebuild(entry)
            self._store = ox.Store.read_only(str(entry / "store"))

    def _rebuild(self, entry: Path) -> None:
        shutil.rmtree(entry, ignore_errors=True)
        self._build_entry(entry.parent, entry)
        self._meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))

    def _build_entry(self, root: Path, entry: Path) -> None:
        from ..entities.lookup import write_index
        from ..entities.stats import store_stats

        tmp = new_entry(root, f"ds-{self.key}")
        try:
            store = ox.Store(str(tmp / "store"))
            _fill(store, self.sources, self._files, bulk=True)
            store.optimize()
            ents, rows = _index_rows(store)
            db = sqlite3.connect(str(tmp / "index.sqlite"))
            write_index(db, ents, rows)
            db.execute("CREATE TABLE curated (iri TEXT PRIMARY KEY) WITHOUT ROWID")
            db.executemany("INSERT INTO curated VALUES (?)", ((i,) for i in _curated_subjects(self._curated_files())))
            db.commit()
            db.close()
            meta = {"key": self.key, "files": self.files, "triples": len(store), "stats": store_stats(store)}
            del store
            gc.collect()  # closes RocksDB before the folder moves
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")  # counts keep their order
            try:
                os.replace(tmp, entry)
            except OSError:  # another process finished the same entry first
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @property
    def store(self) -> ox.Store:
        """The Oxigraph store holding ontology and data in its default graph."""
        self._open()
        assert self._store is not None
        return self._store

    def local(self) -> LocalStore:
        """The store as the SPARQL layer takes it (keeping answers in the cache entry, when there is one)."""
        from .oxstore import LocalStore

        store = self.store
        answers = self._entry / "answers" if self._entry is not None else None
        return LocalStore(store, None, self.files, answers)

    def __len__(self) -> int:
        self._open(store=False)
        if self._meta is not None:
            return int(self._meta["triples"])
        return len(self.store)

    def triples(self) -> Iterator[tuple[Any, Any, Any]]:
        """Every triple, as rdflib terms."""
        from ..terms import from_ox

        for q in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)

    def select(self, q: str) -> list[list[Any]]:
        """Run a trusted internal SELECT (the project's prefixes predeclared); rows of Oxigraph terms."""
        return list(_select(self.store, q))

    # -- derived views -------------------------------------------------------------------------

    @property
    def index(self) -> Any:
        """The entity index (:class:`~graph.entities.lookup.EntityIndex`) over the store."""
        if self._index is None:
            from ..entities.lookup import EntityIndex, write_index

            self._open()
            if self._entry is not None:
                self._index = EntityIndex.open(self._entry / "index.sqlite", exists=self._exists,
                                               label_fn=self.label)
            else:
                db = sqlite3.connect(":memory:", check_same_thread=False)
                write_index(db, *_index_rows(self.store))
                self._index = EntityIndex(db=db, exists=self._exists, label_fn=self.label)
        return self._index

    def _curated_files(self) -> list[tuple[str, Path]]:
        if not self.sources.default_data:
            return []
        from ..resources import default_data_files

        built_in = {f.resolve() for f in default_data_files()}
        return [(name, f) for name, f in self._files if f.resolve() in built_in]

    def curated_subjects(self) -> frozenset[str]:
        """The IRIs the built-in curated data defines (gives a type); empty without the default data.

        An import links to these and never adds facts about them. Recorded in the cache entry
        when the dataset is built.

        >>> "https://w3id.org/clusterkg/id/horizon-2020" in Dataset(use_cache=False).curated_subjects()
        True
        >>> Dataset(default_data=False, use_cache=False).curated_subjects()
        frozenset()
        """
        if self._curated is None:
            self._open()
            if self._entry is not None:
                db = sqlite3.connect(f"{(self._entry / 'index.sqlite').resolve().as_uri()}?mode=ro", uri=True)
                try:
                    self._curated = frozenset(r[0] for r in db.execute("SELECT iri FROM curated"))
                finally:
                    db.close()
            else:
                self._curated = frozenset(_curated_subjects(self._curated_files()))
        return self._curated

    def _exists(self, iri: URIRef) -> bool:
        node = ox.NamedNode(str(iri))
        return (next(iter(self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())), None) is not None
                or next(iter(self.store.quads_for_pattern(None, None, node, ox.DefaultGraph())), None) is not None)

    def label(self, iri: Any) -> str:
        """The English label of any IRI (else any label, else its last segment)."""
        best = ""
        for q in self.store.quads_for_pattern(ox.NamedNode(str(iri)),
                                              ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                              None, ox.DefaultGraph()):
            lit = q.object
            if not isinstance(lit, ox.Literal):
                continue
            if lit.language == "en":
                return lit.value
            if not best or lit.value < best:
                best = lit.value
        if best:
            return best
        s = str(iri)
        return s.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] or s

    def resolve(self, name: str) -> str:
        """The IRI of the entity ``name`` (label, acronym, alias, CURIE or IRI)."""
        return str(self.index.resolve(name))

    def stats(self) -> dict[str, Any]:
        """What ``clusterkg stats`` reports (computed once, when the dataset was built)."""
        self._open(store=False)
        if self._meta is not None:
            return dict(self._meta["stats"])
        from ..entities.stats import store_stats

        return store_stats(self.store)

    def schema(self) -> Graph:
        """The ontology as a small rdflib graph (class and property labels, hierarchies)."""
        if self._schema is None:
            from ..resources import ontology_files
            from .load import parse_file

            g = make_graph()
            for f in ontology_files():
                parse_file(f, g, display=f"ontology/{f.name}")
            self._schema = g
        return self._schema

    def schema_quads(self) -> list[ox.Quad]:
        """The ontology as Oxigraph quads (parsed once per dataset)."""
        if self._schema_quads is None:
            from ..resources import ontology_files

            self._schema_quads = [
                ox.Quad(q.subject, q.predicate, q.object)
                for f in ontology_files() for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE,
                                                          base_iri=f.resolve().as_uri())]
        return self._schema_quads

    def subgraph(self, iris: Iterable[str], *, full: Iterable[str] = ()) -> Graph:
        """A small rdflib graph about some entities: what the entity-level views need.

        For every IRI in ``iris`` (and in ``full``): all its triples, in and out, the synergies
        and figures attached to it (whole), and for every node these mention its types, labels
        and provenance (passages and their documents). Plus the ontology.
        """
        from ..network.subgraph import extract

        return extract(self, set(iris) | set(full))

    def describe(self, name: str) -> dict[str, Any]:
        """What ``clusterkg show`` prints about ``name``, as plain data."""
        from ..entities.describe import describe

        iri = self.resolve(name)
        return describe(self.subgraph([iri]), f"<{iri}>", self.index)

    def network(self, **filters: Any) -> nx.MultiDiGraph:
        """The networkx projection (filters as :func:`graph.network.projection.project`)."""
        from ..network.projection import project
        from ..network.store import cached_projection

        fkey = _filter_key(filters)
        net = self._nets.get(fkey)
        if net is None:
            self._open()
            if self._entry is not None:
                net = cached_projection(self, fkey, filters)
            elif self.endpoint is not None:
                net = project(self.store.snapshot(), **filters)  # type: ignore[attr-defined]
            else:
                net = project(self.store, **filters)
            self._nets[fkey] = net
        return net

    def topology(self, **filters: Any) -> Topology:
        """The projection's :class:`~graph.network.topology.Topology` (entities and linked pairs as
        arrays, for global measures such as centrality): cheaper to build and to read than
        :meth:`network` on a large dataset. Same filters as :meth:`network`."""
        from ..network.projection import project_topology
        from ..network.store import cached_topology
        from ..network.topology import Topology

        fkey = _filter_key(filters)
        topo = self._topos.get(fkey)
        if topo is None:
            if fkey in self._nets:
                topo = Topology.from_network(self._nets[fkey])
            else:
                self._open()
                if self._entry is not None:
                    topo = cached_topology(self, fkey, filters)
                elif self.endpoint is not None:
                    topo = project_topology(self.store.snapshot(), **filters)  # type: ignore[attr-defined]
                else:
                    topo = project_topology(self.store, **filters)
            self._topos[fkey] = topo
        return topo

    def rdflib(self) -> Graph:
        """The whole graph as an rdflib graph in memory (use only where a library needs it)."""
        g = make_graph()
        g.addN((s, p, o, g) for s, p, o in self.triples())
        return g

    def origin(self) -> Any:
        """A function naming the input file that first states a subject (for validation reports).

        The files are read again only when it is first asked (a report with results), and only
        their subjects are kept.
        """
        table: dict[str, str] = {}
        done = False

        def find(iri: str) -> str:
            nonlocal done
            if not done and self.endpoint is None:
                for name, f in self._files:
                    for subject in _subjects(f, name):
                        table.setdefault(subject, name)
                done = True
            return table.get(iri, "")

        return find

    def validate(self, *, warnings: bool = True) -> Any:
        """The SHACL report of the whole dataset (shapes compiled to SPARQL, run on the store).

        With a cache entry the report is kept there (JSON, named by the shapes and the validating
        code), so inputs that did not change are not validated again (a second ``build``, a
        ``validate`` after a ``build``)."""
        from .validate import ValidationReport, report_version, validate_store

        if self.endpoint is not None:
            from .validate import validate_graph

            return validate_graph(self.loaded(), warnings=warnings)
        store = self.store
        if self._entry is None:
            return validate_store(store, origin=self.origin(), warnings=warnings)
        from .cache import read_private, write_private

        path = self._entry / f"report-{report_version(warnings=warnings)}.json"
        report = read_private(path, ValidationReport.from_cache)
        if report is None:
            report = validate_store(store, origin=self.origin(), warnings=warnings)
            with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
                write_private(path, report.to_cache())
        return report

    def validate_addition(self, added: ox.Store, **options: Any) -> ValidationReport:
        """The SHACL report of new triples (``added``, a writable store) as they will be in this
        dataset, without copying it: see :func:`graph.store.validate.validate_addition` (the
        options are its ``focus``, ``nodes``, ``shapes``, ``warnings`` and ``origin``)."""
        from .validate import validate_addition

        if self.endpoint is not None:
            raise InputError("new triples are validated against local files, not against --endpoint")
        return validate_addition(self.store, added, **options)

    def loaded(self) -> LoadedGraph:
        """The whole graph with the file each subject was first stated in (for validation reports)."""
        from .load import load_graph

        if self.endpoint is not None:
            return LoadedGraph(self.rdflib(), [self.endpoint], {})
        if self.sources.infer:
            g = self.rdflib()
            origin = load_graph(self.sources.paths, default_data=self.sources.default_data).origin
            return LoadedGraph(g, self.files, origin)
        return load_graph(self.sources.paths, default_data=self.sources.default_data)


def _subjects(f: Path, name: str) -> set[str]:
    """The subjects an RDF file states (IRIs, and blank nodes as ``_:id``)."""
    fmt, data = read_source(f, name)
    with parse_errors(name, data):
        return {"_:" + q.subject.value if isinstance(q.subject, ox.BlankNode) else str(q.subject.value)
                for q in ox.parse(data, format=fmt, base_iri=f.resolve().as_uri())}


def open_dataset(paths: Iterable[str | Path] = (), *, default_data: bool = True, infer: str | None = None,
                 use_cache: bool = True) -> Dataset:
    """Open (building on first use) the dataset of these sources; see :class:`Dataset`.

    >>> open_dataset(use_cache=False).resolve("Horizon Europe")
    'https://w3id.org/clusterkg/id/horizon-europe'
    """
    return Dataset(paths, default_data=default_data, infer=infer, use_cache=use_cache)


def open_graph(paths: Iterable[str | Path] = (), *, default_data: bool = True, infer: str | None = None,
               use_cache: bool = True) -> LoadedGraph:
    """The whole graph in rdflib (with each subject's file), for libraries that need rdflib.

    Read commands use :class:`Dataset` instead; this parses the files each time (fine for the
    curated data, slow for millions of triples).

    >>> len(open_graph().graph) > 1000
    True
    """
    return Dataset(paths, default_data=default_data, infer=infer, use_cache=use_cache).loaded()
