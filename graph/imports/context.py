"""The graph an import links into: ontology, curated data and ``--data`` files in one Oxigraph store.

An import reads its context to reuse what is already there instead of duplicating it: the IRIs of
curated entities (programmes, countries, ecosystems, labels, partnerships) for lookups by label,
the organisations already known (by PIC, VAT or name and country) for entity resolution, which
nodes are defined (so that no link dangles) and which are curated (an import never adds facts
about a curated entity; it links to it). The same store later holds the import's output for
validation (:mod:`graph.imports.validate`).

Examples
--------
>>> from graph.imports.paths import ontology_files, curated_files
>>> ctx = ImportContext(ontology=ontology_files(), curated=curated_files())
>>> ctx.lookup_labels("https://w3id.org/clusterkg/ontology#Programme", ["Horizon 2020", "Nowhere"])
{'Horizon 2020': 'https://w3id.org/clusterkg/id/horizon-2020', 'Nowhere': None}
>>> "http://publications.europa.eu/resource/authority/country/DEU" in ctx.curated_subjects
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl
import pyoxigraph as ox

from ..errors import InputError, MissingInputError, RDFSyntaxError
from .clean import normalise_key

__all__ = ["ContextOrganisation", "ImportContext", "rdf_files"]

G_ONTOLOGY = ox.NamedNode("urn:clusterkg:ontology")
G_CURATED = ox.NamedNode("urn:clusterkg:curated")
G_DATA = ox.NamedNode("urn:clusterkg:data")

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
            ".trig": ox.RdfFormat.TRIG, ".n3": ox.RdfFormat.N3}
_CKG = "https://w3id.org/clusterkg/ontology#"
_IMPORTED = re.compile(r"^https://w3id\.org/clusterkg/id/org-")


def _nt_term(term: object) -> str:
    """The N-Triples form of a pyoxigraph term, as the import writes it."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    assert isinstance(term, ox.Literal)
    value = (term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    if term.language:
        return f'"{value}"@{term.language}'
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return f'"{value}"'
    return f'"{value}"^^<{term.datatype.value}>'


def rdf_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and the RDF files inside folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*") if f.suffix.lower() in _FORMATS))
        elif path.is_file():
            out.append(path)
        else:
            raise MissingInputError(str(p))
    return out


@dataclass(frozen=True)
class ContextOrganisation:
    """An organisation already in the graph, with the keys entity resolution matches on."""

    iri: str
    curated: bool
    pics: tuple[str, ...]
    vats: tuple[str, ...]
    names: tuple[str, ...]  # normalised labels, alternative labels and acronyms
    countries: tuple[str, ...]  # EU authority codes (3 letters)


def _load(store: ox.Store, path: Path, graph: ox.NamedNode) -> None:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: an import links into Turtle, N-Triples, N-Quads or TriG files "
                         f"(.ttl .nt .nq .trig); convert this one first")
    try:
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            store.bulk_load(path=str(path), format=fmt)
        else:
            store.bulk_load(path=str(path), format=fmt, to_graph=graph)
    except SyntaxError as err:
        m = re.search(r"(\d+):(\d+)", str(err))
        line, col = (int(m.group(1)) + 1, int(m.group(2)) + 1) if m else (None, None)
        raise RDFSyntaxError(str(path), line, col, str(err).splitlines()[0]) from None
    except OSError as err:
        raise MissingInputError(str(path), f"cannot read: {err}") from None


class ImportContext:
    """The ontology, curated data and other data files an import links into."""

    def __init__(self, *, ontology: Sequence[Path], curated: Sequence[Path] = (), data: Sequence[Path] = ()) -> None:
        self.store = ox.Store()
        self.files = [*ontology, *curated, *data]
        for f in ontology:
            _load(self.store, Path(f), G_ONTOLOGY)
        for f in curated:
            _load(self.store, Path(f), G_CURATED)
        for f in data:
            _load(self.store, Path(f), G_DATA)

    def select(self, query: str) -> list[tuple[str | None, ...]]:
        """Run a SELECT over every graph; terms come back as plain strings (IRIs, literal values)."""
        res = self.store.query(query, use_default_graph_as_union=True)
        assert isinstance(res, ox.QuerySolutions)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            out.append(tuple(None if sol[n] is None else sol[n].value for n in names))
        return out

    # -- the ontology ---------------------------------------------------------------------

    @cached_property
    def superclasses(self) -> dict[str, frozenset[str]]:
        """Every class's strict superclasses (transitively)."""
        direct: dict[str, set[str]] = defaultdict(set)
        for sub, sup in self.select("SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?o "
                                    "FILTER(isIRI(?o)) }"):
            assert sub is not None and sup is not None
            direct[sub].add(sup)
        out: dict[str, frozenset[str]] = {}
        for cls in list(direct):
            seen: set[str] = set()
            stack = list(direct[cls])
            while stack:
                c = stack.pop()
                if c not in seen:
                    seen.add(c)
                    stack.extend(direct.get(c, ()))
            out[cls] = frozenset(seen - {cls})
        return out

    @cached_property
    def subclasses(self) -> dict[str, frozenset[str]]:
        """Every class with itself and all its subclasses (the inverse of :attr:`superclasses`)."""
        out: dict[str, set[str]] = defaultdict(set)
        for sub, sups in self.superclasses.items():
            out[sub].add(sub)
            for sup in sups:
                out[sup].update((sup, sub))
        return {k: frozenset(v) for k, v in out.items()}

    @cached_property
    def types(self) -> pl.DataFrame:
        """Every ``rdf:type`` of the context as N-Triples IRIs (columns ``node``, ``cls``)."""
        rows = self.select("SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }")
        return pl.DataFrame({"node": [f"<{r[0]}>" for r in rows], "cls": [f"<{r[1]}>" for r in rows]},
                            schema={"node": pl.Utf8, "cls": pl.Utf8})

    @cached_property
    def entity_classes(self) -> frozenset[str]:
        """The classes below ``ckg:Entity``."""
        entity = _CKG + "Entity"
        return frozenset(c for c, sups in self.superclasses.items() if entity in sups)

    @cached_property
    def link_properties(self) -> frozenset[str]:
        """The ontology's object properties (links whose target must be defined), plus skos:exactMatch."""
        rows = self.select("SELECT ?p WHERE { GRAPH <urn:clusterkg:ontology> { ?p a "
                           "<http://www.w3.org/2002/07/owl#ObjectProperty> } }")
        props = {r[0] for r in rows if r[0] and r[0].startswith(_CKG)}
        props -= {_CKG + "homepage", _CKG + "sourceUrl", _CKG + "currency"}
        props.add("http://www.w3.org/2004/02/skos/core#exactMatch")
        return frozenset(p for p in props if p)

    # -- the data -------------------------------------------------------------------------

    @cached_property
    def typed_subjects(self) -> frozenset[str]:
        """Every IRI that has an ``rdf:type`` in the context (defined nodes)."""
        rows = self.select("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }")
        return frozenset(r[0] for r in rows if r[0])

    @cached_property
    def curated_subjects(self) -> frozenset[str]:
        """The IRIs the curated data defines (an import links to them and adds nothing about them)."""
        rows = self.select("SELECT DISTINCT ?s WHERE { GRAPH <urn:clusterkg:curated> { ?s a ?t } "
                           "FILTER(isIRI(?s)) }")
        return frozenset(r[0] for r in rows if r[0])

    @cached_property
    def english_labels(self) -> dict[str, str]:
        """Subject → English label, for every subject outside the ontology that has one."""
        rows = self.select('SELECT ?s ?l WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } '
                           'FILTER(?g != <urn:clusterkg:ontology> && LANG(?l) = "en") }')
        out: dict[str, str] = {}
        for s, lab in sorted(rows, key=lambda r: (r[0] or "", r[1] or "")):
            if s and lab is not None:
                out.setdefault(s, lab)
        return out

    def values_of(self, prop: str) -> pl.DataFrame:
        """Subject and value of ``prop`` in the context's data, as N-Triples terms (``s``, ``__ctx``)."""
        res = self.store.query(f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{prop}> ?o }} "
                               f"FILTER(?g != <urn:clusterkg:ontology> && isIRI(?s)) }}")
        assert isinstance(res, ox.QuerySolutions)
        rows = [(f"<{sol['s'].value}>", _nt_term(sol["o"])) for sol in res]
        frame = pl.DataFrame(rows, schema={"s": pl.Utf8, "__ctx": pl.Utf8}, orient="row")
        return frame.unique("s", keep="first")

    def lookup_labels(self, class_iri: str, values: Iterable[str]) -> dict[str, str | None]:
        """Resolve names to the IRIs of entities of ``class_iri`` (or a subclass) by label, alternative
        label, acronym or code (normalised); ``""`` marks a name that fits several entities."""
        index: dict[str, set[str]] = defaultdict(set)
        q = f"""SELECT ?e ?n WHERE {{
            ?e a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{class_iri}> .
            ?e ?p ?n .
            VALUES ?p {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#altLabel>
                        <{_CKG}acronym> <{_CKG}code> }}
        }}"""
        for e, n in self.select(q):
            if e and n:
                index[normalise_key(n)].add(e)
        out: dict[str, str | None] = {}
        for v in values:
            hits = index.get(normalise_key(v), set())
            out[v] = next(iter(hits)) if len(hits) == 1 else ("" if hits else None)
        return out

    @cached_property
    def organisations(self) -> list[ContextOrganisation]:
        """The organisations in the context, with their PICs, VAT numbers, names and countries."""
        q = f"""SELECT ?o ?key ?v WHERE {{
            ?o a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{_CKG}Organisation> .
            {{ ?o <{_CKG}pic> ?v BIND("pic" AS ?key) }}
            UNION {{ ?o <{_CKG}vatNumber> ?v BIND("vat" AS ?key) }}
            UNION {{ ?o <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#altLabel>
                        |<{_CKG}acronym> ?v
                     BIND("name" AS ?key) }}
            UNION {{ ?o <{_CKG}locatedIn> ?v FILTER(STRSTARTS(STR(?v),
                     "http://publications.europa.eu/resource/authority/country/")) BIND("country" AS ?key) }}
        }}"""
        acc: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for o, key, v in self.select(q):
            if o and key and v:
                if key == "name":
                    v = normalise_key(v)
                elif key == "country":
                    v = v.rsplit("/", 1)[-1]
                acc[o][key].add(v)
        curated = self.curated_subjects
        out = []
        for o, k in sorted(acc.items()):
            # A label made from the organisation's own identifier ("organisation with PIC 999...") is no name.
            names = tuple(sorted(n for n in k["name"] if not any(i in n for i in (*k["pic"], *k["vat"]))))
            out.append(ContextOrganisation(o, o in curated and not _IMPORTED.match(o), tuple(sorted(k["pic"])),
                                           tuple(sorted(k["vat"])), names, tuple(sorted(k["country"]))))
        return out
