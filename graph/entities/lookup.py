"""Find an entity by label, acronym, CURIE or IRI — the one lookup every command shares.

Matching, in order: an IRI (``<...>`` or ``http(s)://...``) or a CURIE with a project prefix;
an exact name (label, alternative label, acronym or code; case-, space- and dash-insensitive),
which always wins; a unique prefix of a name; a unique near match. Anything else raises
:class:`~graph.errors.EntityNotFound` or :class:`~graph.errors.AmbiguousEntity`, both carrying the
closest candidates. A prefix or near match is never silent: :meth:`EntityIndex.resolve` issues a
:class:`~graph.errors.NameMatchWarning` ("taking 'Interreg' as 'Interregional Innovation
Investments (I3)'"), which the CLI prints on standard error, and :meth:`EntityIndex.match` says
how a name matched.

Examples
--------
>>> from graph.store.load import load_graph
>>> idx = EntityIndex(load_graph().graph)
>>> idx.resolve("germany")
rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/DEU')
>>> idx.resolve("country:FRA") == idx.resolve("France")
True
>>> idx.match("Luxemb")
Match(iri=rdflib.term.URIRef('http://publications.europa.eu/resource/authority/country/LUX'), kind='prefix')
>>> idx.resolve("Nowhereland")
Traceback (most recent call last):
...
graph.errors.EntityNotFound: no entity named 'Nowhereland'
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from ..errors import AmbiguousEntity, EntityNotFound, NameMatchWarning
from ..namespaces import CKG, expand_curie

__all__ = ["EntityIndex", "Match", "entity_classes", "label_of", "normalise", "write_index"]

_NAME_PROPS = (RDFS.label, SKOS.altLabel, CKG.acronym, CKG.code, SKOS.prefLabel)


_PUNCTUATION = str.maketrans({**dict.fromkeys([chr(c) for c in range(0x2010, 0x2016)] + ["\u2212"], "-"),
                              **dict.fromkeys("\u2018\u2019\u201a\u201b", "'"),
                              **dict.fromkeys("\u201c\u201d\u201e\u201f", '"')})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold case, accents, dashes, quotes and spaces so that names compare loosely.

    >>> normalise("  Pôles de  Compétitivité – Phase IV ")
    'poles de competitivite - phase iv'
    """
    t = unicodedata.normalize("NFKD", text)
    if not t.isascii():  # most names are plain ASCII: skip the per-character work
        t = "".join(c for c in t if not unicodedata.combining(c)).translate(_PUNCTUATION)
    return _SPACES.sub(" ", t).strip().casefold()


def entity_classes(graph: Graph) -> set[URIRef]:
    """``ckg:Entity`` and every class below it (by ``rdfs:subClassOf`` in ``graph``)."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, CKG.Entity) if isinstance(c, URIRef)}


def label_of(graph: Graph, node: object) -> str:
    """The English label of ``node`` (else any label, else its IRI's last segment)."""
    best = ""
    for lab in graph.objects(node, RDFS.label):  # type: ignore[arg-type]
        if getattr(lab, "language", None) == "en":
            return str(lab)
        best = best or str(lab)
    if best:
        return best
    s = str(node)
    return re.split(r"[/#]", s.rstrip("/#"))[-1] or s


class _NameTable:
    """``normalised name -> set of IRIs`` backed by the SQLite index (a read-only mapping)."""

    def __init__(self, db: sqlite3.Connection, labels_only: bool) -> None:
        self._db = db
        self._sql = "SELECT DISTINCT iri FROM name WHERE norm = ?" + (" AND is_label = 1" if labels_only else "")

    def get(self, key: str, default: set[URIRef] | None = None) -> set[URIRef]:
        found = {URIRef(r[0]) for r in self._db.execute(self._sql, (key,))}
        return found if found else (default if default is not None else set())

    def __getitem__(self, key: str) -> set[URIRef]:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return bool(self.get(str(key)))


class _EntitySet:
    """The set of entity IRIs, backed by the SQLite index."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __contains__(self, iri: object) -> bool:
        return self._db.execute("SELECT 1 FROM entity WHERE iri = ?", (str(iri),)).fetchone() is not None

    def among(self, iris: Iterable[str]) -> set[str]:
        """The entities among ``iris``, looked up 500 at a time (one query per IRI costs 15 µs each)."""
        todo = sorted(set(iris))
        found: set[str] = set()
        for i in range(0, len(todo), 500):
            chunk = todo[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.execute(f"SELECT iri FROM entity WHERE iri IN ({marks})", chunk))
        return found

    def __iter__(self) -> Iterator[URIRef]:
        return (URIRef(r[0]) for r in self._db.execute("SELECT iri FROM entity ORDER BY iri"))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM entity").fetchone()[0])


_SCHEMA = """
CREATE TABLE entity (iri TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE name (norm TEXT NOT NULL, iri TEXT NOT NULL, is_label INTEGER NOT NULL);
CREATE TABLE acronym (iri TEXT NOT NULL, text TEXT NOT NULL);
"""
_INDEXES = "CREATE INDEX name_norm ON name (norm); CREATE INDEX acronym_iri ON acronym (iri);"


def _best_labels(rows: Iterable[tuple[str, str, str, str | None]]) -> dict[str, str]:
    """IRI -> English label (else the smallest other label) from ``(iri, prop, text, lang)`` rows."""
    best: dict[str, tuple[int, str]] = {}
    label = str(RDFS.label)
    for iri, prop, text, lang in rows:
        if prop != label:
            continue
        rank = 0 if lang == "en" else 1
        cur = best.get(iri)
        if cur is None or (rank, text) < cur:
            best[iri] = (rank, text)
    return {iri: text for iri, (_, text) in best.items()}


def write_index(db: sqlite3.Connection, entities: Iterable[str],
                names: Iterable[tuple[str, str, str, str | None]]) -> None:
    """Fill an empty SQLite database with the entity index.

    ``names`` are ``(iri, property IRI, text, language)`` rows for the name properties.
    """
    ents = sorted(set(entities))
    rows = list(names)
    labels = _best_labels(rows)
    db.executescript(_SCHEMA)
    db.executemany("INSERT INTO entity VALUES (?, ?)", ((e, labels.get(e, _local(e))) for e in ents))
    label = str(RDFS.label)
    db.executemany("INSERT INTO name VALUES (?, ?, ?)",
                   sorted({(k, iri, int(prop == label)) for iri, prop, text, _ in rows
                           if (k := normalise(text))}))
    acronym = str(CKG.acronym)
    db.executemany("INSERT INTO acronym VALUES (?, ?)",
                   sorted({(iri, text) for iri, prop, text, _ in rows if prop == acronym}))
    db.executescript(_INDEXES)
    db.commit()


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


class Match(NamedTuple):
    """How a name picked an entity: ``kind`` is ``"iri"`` (an IRI or CURIE), ``"exact"`` (a label,
    alternative label, acronym or code), ``"prefix"`` or ``"near"`` (a close spelling)."""

    iri: URIRef
    kind: str


class EntityIndex:
    """An index of every entity's names (labels, alternative labels, acronyms, codes).

    Backed by SQLite: in memory when built from an rdflib graph, or a file that a
    :class:`~graph.store.dataset.Dataset` builds once and opens read-only afterwards (so that
    looking up a name in a graph of millions of triples does not read the graph).

    Parameters
    ----------
    graph : rdflib.Graph, optional
        Ontology and data to index (omit when opening a database with :meth:`open`).
    """

    def __init__(self, graph: Graph | None = None, *, db: sqlite3.Connection | None = None,
                 exists: Callable[[URIRef], bool] | None = None,
                 label_fn: Callable[[URIRef], str] | None = None) -> None:
        self.graph = graph
        if db is None:
            if graph is None:
                raise ValueError("EntityIndex needs a graph or a database")
            db = sqlite3.connect(":memory:")
            classes = entity_classes(graph)
            ents = {str(s) for cls in classes for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
            rows = [(str(e), str(prop), str(n), getattr(n, "language", None))
                    for e in sorted(ents) for prop in _NAME_PROPS for n in graph.objects(URIRef(e), prop)]
            write_index(db, ents, rows)
        self._db = db
        self._exists = exists
        self._label_fn = label_fn
        self.entities = _EntitySet(db)
        self._names = _NameTable(db, labels_only=False)
        self._by_label = _NameTable(db, labels_only=True)
        self._sorted: list[str] | None = None

    @classmethod
    def open(cls, path: str | Path, *, exists: Callable[[URIRef], bool] | None = None,
             label_fn: Callable[[URIRef], str] | None = None) -> EntityIndex:
        """Open an index database written by :func:`write_index` (read-only)."""
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        return cls(db=db, exists=exists, label_fn=label_fn)

    @property
    def _sorted_names(self) -> list[str]:
        if self._sorted is None:
            self._sorted = [r[0] for r in self._db.execute("SELECT DISTINCT norm FROM name ORDER BY norm")]
        return self._sorted

    def _known(self, iri: URIRef) -> bool:
        if iri in self.entities:
            return True
        if self._exists is not None:
            return self._exists(iri)
        return self.graph is not None and (iri, None, None) in self.graph

    def label(self, iri: URIRef) -> str:
        """The English label of ``iri``."""
        row = self._db.execute("SELECT label FROM entity WHERE iri = ?", (str(iri),)).fetchone()
        if row is not None:
            return str(row[0])
        if self._label_fn is not None:
            return self._label_fn(iri)
        return label_of(self.graph, iri) if self.graph is not None else _local(str(iri))

    def _candidates(self, entities: set[URIRef] | list[URIRef], limit: int = 8) -> list[tuple[str, str]]:
        pairs = sorted({(self.label(e), str(e)) for e in entities}, key=lambda p: (p[0].casefold(), p[1]))
        return pairs[:limit]

    def _closest(self, key: str, limit: int = 5) -> list[tuple[str, str]]:
        found: list[URIRef] = []
        for name in difflib.get_close_matches(key, self._sorted_names, n=limit * 2, cutoff=0.5):
            found.extend(sorted(self._names[name]))
        for name in self._sorted_names:
            if key and key in name:
                found.extend(sorted(self._names[name]))
        seen: list[URIRef] = []
        for e in found:
            if e not in seen:
                seen.append(e)
        return [(self.label(e), str(e)) for e in seen[:limit]]

    def search(self, text: str, *, limit: int = 20, scan: int = 20000) -> list[tuple[str, str, int]]:
        """Entities with a name (label, alternative label, acronym or code) that contains ``text``.

        Best first: ``(iri, label, tier)`` with tier 0 for an exact name, 1 a name that starts
        with ``text``, 2 a word that starts with it, 3 anywhere; a label ranks before another
        name of the same tier (tier ``2 * t`` for a label, ``2 * t + 1`` otherwise); then shorter
        labels, then labels and IRIs in order. At most ``scan`` matching names are read.

        >>> from graph.store.load import load_graph
        >>> EntityIndex(load_graph().graph).search("cosme", limit=1)[0][:2]
        ('https://w3id.org/clusterkg/id/cosme', 'Programme for the Competitiveness of Enterprises and SMEs')
        """
        key = normalise(text)[:200]
        if not key:
            return []
        like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._db.execute(
            """SELECT n.iri, e.label, n.norm, n.is_label FROM name n JOIN entity e ON e.iri = n.iri
               WHERE n.norm LIKE ? ESCAPE '\\' LIMIT ?""", (f"%{like}%", scan)).fetchall()
        best: dict[str, tuple[int, str]] = {}
        word = re.compile(r"(^|[\s\-/(])" + re.escape(key))
        for iri, label, norm, is_label in rows:
            tier = 0 if norm == key else 1 if norm.startswith(key) else 2 if word.search(norm) else 3
            tier = tier * 2 + (0 if is_label else 1)
            if iri not in best or tier < best[iri][0]:
                best[iri] = (tier, str(label))
        order = sorted(best, key=lambda i: (best[i][0], len(best[i][1]), best[i][1].casefold(), i))
        return [(str(i), best[i][1], best[i][0]) for i in order[:limit]]

    def display(self, iri: URIRef) -> str:
        """The label of ``iri`` with its acronym, as in "Interregional Innovation Investments (I3)"."""
        label = self.label(iri)
        found = (r[0] for r in self._db.execute("SELECT text FROM acronym WHERE iri = ?", (str(iri),)))
        acronyms = sorted(a for a in found if normalise(a) != normalise(label))
        return f"{label} ({acronyms[0]})" if acronyms else label

    def resolve(self, name: str) -> URIRef:
        """The one entity ``name`` refers to.

        A prefix or near match issues a :class:`~graph.errors.NameMatchWarning` that says which
        entity was taken; :meth:`match` gives the kind of match without warning.

        Raises
        ------
        EntityNotFound
            Nothing matches; ``candidates`` holds the closest names.
        AmbiguousEntity
            Several entities match equally well.
        """
        found = self.match(name)
        if found.kind in ("prefix", "near"):
            warnings.warn(NameMatchWarning(name, str(found.iri), self.display(found.iri), found.kind), stacklevel=2)
        return found.iri

    def match(self, name: str) -> Match:
        """The one entity ``name`` refers to, and how it matched (see :class:`Match`).

        Raises
        ------
        EntityNotFound, AmbiguousEntity
            As :meth:`resolve`.
        """
        text = name.strip()
        if not text:
            raise EntityNotFound(name)
        iri: URIRef | None = None
        if text.startswith("<") and text.endswith(">"):
            iri = URIRef(text[1:-1])
        elif re.match(r"^(https?|urn|file):", text):
            iri = URIRef(text)
        else:
            iri = expand_curie(text)
        if iri is not None:
            if self._known(iri):
                return Match(iri, "iri")
            raise EntityNotFound(name, self._closest(normalise(text.rsplit("/", 1)[-1])))
        key = normalise(text)
        exact = self._names.get(key, set())
        if len(exact) == 1:
            return Match(next(iter(exact)), "exact")
        if len(exact) > 1:
            by_label = self._by_label.get(key, set())
            if len(by_label) == 1:
                return Match(next(iter(by_label)), "exact")
            raise AmbiguousEntity(name, self._candidates(exact), len(exact))
        prefixed = {URIRef(r[0]) for r in self._db.execute(
            "SELECT DISTINCT iri FROM name WHERE norm >= ? AND norm < ?", (key, key + "\U0010ffff"))}
        if len(prefixed) == 1:
            return Match(next(iter(prefixed)), "prefix")
        if len(prefixed) > 1:
            raise AmbiguousEntity(name, self._candidates(prefixed), len(prefixed))
        near = difflib.get_close_matches(key, self._sorted_names, n=3, cutoff=0.88)
        near_entities = set().union(*(self._names[n] for n in near)) if near else set()
        if len(near_entities) == 1:
            return Match(next(iter(near_entities)), "near")
        raise EntityNotFound(name, self._closest(key))
