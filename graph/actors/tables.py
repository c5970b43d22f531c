"""The actor tables: a compact, columnar copy of the imported actors that region profiles read.

A region profile needs, for every organisation, the one region it is counted in, and for every
participation its organisation, project and EC contribution. On the full Horizon 2020 import (2.1
million triples, 145,000 participations) a SPARQL aggregate per question takes seconds for a large
country (see ``benchmarks/bench_actors.py``), so the facts are read from the store **once per
dataset** by a few SPARQL SELECTs and kept as Arrow IPC files in the dataset's cache entry
(``actors-<version>/``), keyed like the network projection by the dataset key and the code that
made them. Later commands read them in milliseconds. A dataset without a cache entry (``--no-cache``,
an endpoint) computes them in memory once per process.

The tables (polars frames):

``orgs``          one row per organisation: ``org``, ``label``, ``cluster`` (a ckg:ClusterOrganisation),
                  ``activity`` (activity type label or ""), ``home`` (the NUTS code it is counted in,
                  or its country's code), ``basis`` (how ``home`` was found)
``parts``         one row per participation in a research project: ``participation``, ``org``,
                  ``project``, ``role``, ``contribution`` (EUR, null when the source gives none)
``projects``      one row per project and programme part: ``project``, ``framework`` (IRI of Horizon
                  2020, Horizon Europe, ... or ""), ``part`` (IRI or ""), ``year`` (start year or null)
``operations``    one row per regional-fund operation and beneficiary: ``operation``, ``label``,
                  ``programme``, ``home`` (the programme's NUTS code, else its country's code),
                  ``cluster``, ``cost``, ``year``, ``org`` (beneficiary or "")
``summaries``     one row per Kohesio beneficiary total: ``summary``, ``org``, ``home``, ``region_name``,
                  ``eu``, ``budget``, ``projects``
``links``         one row per linkage of an organisation to a policy entity: ``org``, ``predicate``,
                  ``entity``
``located``       one row per curated entity located in a region or country: ``entity``, ``home``
``regions``       one row per NUTS region and country: ``code``, ``iri``, ``label``, ``level``, ``parent``
``labels``        ``iri``, ``label``, ``class`` of every policy entity, programme and part named above

**Where an organisation is counted.** Its ``home`` is the most detailed place its own location
statements give (``ckg:locatedIn`` a NUTS region, or a ``ckg:nutsCode``); if several at the same
level, the first code in sorted order. Without one, the region of the regional-fund programmes it
benefits from when they all name the same NUTS code inside its country; else its country. Each
organisation has exactly one home, so regional totals roll up without double counting: a NUTS 1
total is the sum of its NUTS 2 regions plus what is known only at NUTS 1 level.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..store.cache import is_private

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["ActorTables", "actor_tables", "tables_version"]

NAMES = ("orgs", "parts", "projects", "operations", "summaries", "links", "located", "regions", "labels")

#: Frameworks a project's programme parts roll up to (partOf*), in the order profiles list them.
FRAMEWORKS = ("https://w3id.org/clusterkg/id/horizon-2020", "https://w3id.org/clusterkg/id/horizon-europe")

#: Linkages of organisations that are bookkeeping, not policy links.
_NOT_POLICY = ("ckg:participatesIn", "ckg:locatedIn", "ckg:activityType", "rdf:type", "prov:wasDerivedFrom",
               "ckg:homepage", "ckg:beneficiaryOf")

_Q_ORGS = """
SELECT ?org ?cluster WHERE {
  ?c rdfs:subClassOf* ckg:Organisation . ?org a ?c . FILTER(isIRI(?org))
  BIND(EXISTS { ?org a ckg:ClusterOrganisation } AS ?cluster)
}"""
_Q_LABELS = """
SELECT ?e ?l WHERE {
  ?c rdfs:subClassOf* ckg:Organisation . ?e a ?c ; rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "en"))
}"""
_Q_ACTIVITY = """
SELECT ?org ?l WHERE { ?org ckg:activityType ?t . ?t rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "en")) }"""
_Q_PLACES = """
SELECT ?org ?code ?level ?country WHERE {
  { ?org ckg:locatedIn ?p . ?p a ckg:Region ; ckg:nutsCode ?code . OPTIONAL { ?p ckg:nutsLevel ?level } }
  UNION { ?org ckg:locatedIn ?p . ?p a ckg:Country ; ckg:code ?code . BIND(0 AS ?level) }
  UNION { ?org ckg:locatedIn ?country . ?country a ckg:Country . FILTER NOT EXISTS { ?country ckg:code ?x } }
  UNION { ?c rdfs:subClassOf* ckg:Organisation . ?org a ?c ; ckg:nutsCode ?code }
}"""
_Q_PARTS = """
SELECT ?p ?org ?proj ?role ?c WHERE {
  ?p a ckg:Participation ; ckg:participant ?org ; ckg:inProject ?proj .
  OPTIONAL { ?p ckg:role ?role }
  OPTIONAL { ?p ckg:ecContribution ?c }
}"""
_Q_PROJECTS = """
SELECT ?proj ?t ?fw ?start WHERE {
  ?proj a ckg:Project .
  OPTIONAL { ?proj ckg:partOf ?t .
             OPTIONAL { ?t ckg:partOf* ?fw . VALUES ?fw { ckr:horizon-2020 ckr:horizon-europe } } }
  OPTIONAL { ?proj ckg:startDate ?start }
}"""
_Q_OPERATIONS = """
SELECT ?op ?label ?prog ?code ?cc ?cluster ?cost ?start ?org WHERE {
  ?oc rdfs:subClassOf* ckg:Operation . ?op a ?oc .
  OPTIONAL { ?op rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?op ckg:partOf ?prog .
             OPTIONAL { ?prog ckg:nutsCode ?code }
             OPTIONAL { ?prog ckg:locatedIn ?ctry . ?ctry a ckg:Country ; ckg:code ?cc } }
  BIND(EXISTS { ?op a ckg:ClusterOperation } AS ?cluster)
  OPTIONAL { ?op ckg:totalCost ?cost }
  OPTIONAL { ?op ckg:startDate ?start }
  OPTIONAL { ?org ckg:participatesIn ?op }
}"""
_Q_SUMMARIES = """
SELECT ?s ?org ?region ?eu ?budget ?n WHERE {
  ?s a ckg:FundingSummary ; ckg:beneficiary ?org .
  OPTIONAL { ?s ckg:regionName ?region }
  OPTIONAL { ?s ckg:euContribution ?eu }
  OPTIONAL { ?s ckg:totalBudget ?budget }
  OPTIONAL { ?s ckg:projectCount ?n }
}"""
_Q_LINKS = """
SELECT ?org ?p ?x WHERE {
  ?c rdfs:subClassOf* ckg:Organisation . ?org a ?c . ?org ?p ?x .
  FILTER(isIRI(?x) && ?p NOT IN (NOT_POLICY))
}""".replace("NOT_POLICY", ", ".join(_NOT_POLICY))
_Q_LOCATED = """
SELECT DISTINCT ?x ?code WHERE {
  ?x ckg:locatedIn ?p .
  { ?p a ckg:Region ; ckg:nutsCode ?code } UNION { ?p a ckg:Country ; ckg:code ?code }
}"""
_Q_REGIONS = """
SELECT ?r ?code ?level ?parent ?pcode WHERE {
  { ?r a ckg:Region ; ckg:nutsCode ?code . OPTIONAL { ?r ckg:nutsLevel ?level }
    OPTIONAL { ?r ckg:partOf ?parent .
               { ?parent ckg:nutsCode ?pcode } UNION { ?parent a ckg:Country ; ckg:code ?pcode } } }
  UNION { ?r a ckg:Country ; ckg:code ?code . BIND(0 AS ?level) }
  UNION { ?r a ckg:Country . FILTER NOT EXISTS { ?r ckg:code ?x } BIND(0 AS ?level) }
}"""
_Q_ENTITY_LABELS = """
SELECT ?e ?l ?cl WHERE {
  VALUES ?e { %s }
  OPTIONAL { ?e rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "en")) }
  OPTIONAL { ?e a ?c . FILTER(STRSTARTS(STR(?c), STR(ckg:))) ?c rdfs:label ?cl . FILTER(LANGMATCHES(LANG(?cl), "en")) }
}"""


def tables_version() -> str:
    """Hash of this module and the polars version (part of the tables' folder name)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"polars={pl.__version__}".encode())
    return h.hexdigest()[:12]


@dataclass
class ActorTables:
    """The actor tables of one dataset (see the module documentation)."""

    orgs: pl.DataFrame
    parts: pl.DataFrame
    projects: pl.DataFrame
    operations: pl.DataFrame
    summaries: pl.DataFrame
    links: pl.DataFrame
    located: pl.DataFrame
    regions: pl.DataFrame
    labels: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        return {n: getattr(self, n) for n in NAMES}

    def label(self, iri: str) -> str:
        hit = self._label_map().get(iri)
        if hit:
            return hit[0]
        return iri.rstrip("/#").rsplit("/", 1)[-1]

    def class_of(self, iri: str) -> str:
        hit = self._label_map().get(iri)
        return hit[1] if hit else ""

    def _label_map(self) -> dict[str, tuple[str, str]]:
        m = getattr(self, "_labels_cache", None)
        if m is None:
            m = {r[0]: (r[1], r[2]) for r in self.labels.iter_rows()}
            self._labels_cache = m
        return m


# -- reading the store -------------------------------------------------------------------------

def _v(term: Any) -> Any:
    return None if term is None else term.value


def _num(term: Any) -> float | None:
    if term is None:
        return None
    try:
        return float(term.value)
    except ValueError:
        return None


def _year(term: Any) -> int | None:
    if term is None:
        return None
    try:
        return int(str(term.value)[:4])
    except ValueError:
        return None


def _country_codes() -> dict[str, str]:
    """Country IRI → CORDIS/EU code, from the shipped reference table (for countries the graph
    states without ``ckg:code``: the curated data names some countries by label only)."""
    import csv

    from ..imports.paths import mappings_dir

    out: dict[str, str] = {}
    with (mappings_dir() / "reference" / "countries.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("authority"):
                out.setdefault(f"http://publications.europa.eu/resource/authority/country/{row['authority']}",
                               row["code"])
    return out


def build_tables(ds: Dataset) -> ActorTables:
    """Read the actor tables from the dataset's store (a few SPARQL SELECTs, one pass each)."""
    sel = ds.select
    iso = _country_codes()

    # regions and countries
    regions: dict[str, dict[str, Any]] = {}
    for r, code, level, _parent, pcode in sel(_Q_REGIONS):
        if code is None and r.value not in iso:
            continue
        c = code.value if code is not None else iso[r.value]
        if code is None and c in regions:
            continue
        row = regions.setdefault(c, {"code": c, "iri": r.value, "label": "", "level": int(level.value) if level else
                                     len(c) - 2, "parent": ""})
        if pcode is not None and not row["parent"]:
            row["parent"] = pcode.value
    for row in regions.values():
        if row["level"] > 0 and not row["parent"]:
            row["parent"] = row["code"][:-1] if row["level"] > 1 else row["code"][:2]
        row["label"] = ds.label(row["iri"])

    # organisations and their home
    orgs: dict[str, dict[str, Any]] = {}
    for org, cluster in sel(_Q_ORGS):
        o = orgs.setdefault(org.value, {"org": org.value, "label": "", "cluster": False, "activity": "",
                                        "home": "", "basis": ""})
        o["cluster"] = o["cluster"] or cluster.value == "true"
    for e, lab in sel(_Q_LABELS):
        rec = orgs.get(e.value)
        if rec is not None and (not rec["label"] or lab.value < rec["label"]):
            rec["label"] = lab.value
    for org, lab in sel(_Q_ACTIVITY):
        rec = orgs.get(org.value)
        if rec is not None and (not rec["activity"] or lab.value < rec["activity"]):
            rec["activity"] = lab.value
    places: dict[str, list[str]] = {}
    for org, code, _level, country in sel(_Q_PLACES):
        value = code.value if code is not None else iso.get(country.value) if country is not None else None
        if org.value in orgs and value:
            places.setdefault(org.value, []).append(value)
    for iri, codes in places.items():
        o = orgs[iri]
        nuts = sorted({c for c in codes if len(c) > 2}, key=lambda c: (-len(c), c))
        if nuts:
            o["home"], o["basis"] = nuts[0], "NUTS region"
        else:
            o["home"], o["basis"] = sorted(set(codes))[0], "country"

    # participations in research projects, and projects
    raw_ops = sel(_Q_OPERATIONS)
    op_iris = {r[0].value for r in raw_ops}
    parts = [(p.value, org.value, proj.value, role.value.rsplit("#", 1)[-1] if role is not None else "", _num(c))
             for p, org, proj, role, c in sel(_Q_PARTS) if proj.value not in op_iris]
    proj_rows: dict[tuple[str, str], tuple[str, str, str, int | None]] = {}
    part_of: dict[str, set[str]] = {}
    for proj, t, fw, start in sel(_Q_PROJECTS):
        pv, tv = proj.value, (t.value if t is not None else "")
        part_of.setdefault(pv, set())
        if tv:
            part_of[pv].add(tv)
        key = (pv, tv)
        old = proj_rows.get(key)
        fwv = fw.value if fw is not None else (tv if tv in FRAMEWORKS else "")
        if old is None or (fwv and not old[2]):
            proj_rows[key] = (pv, tv, fwv, _year(start))
    projects = []
    for (pv, tv), (_, _, fwv, year) in sorted(proj_rows.items()):
        others = part_of.get(pv, set()) - {tv}
        if tv and tv in FRAMEWORKS and others:
            continue  # the framework itself, when a part is given too
        projects.append((pv, fwv, "" if tv in FRAMEWORKS else tv, year))
    # a project's framework: the one any of its rows found
    fw_of: dict[str, str] = {}
    for pv, fwv, _, _ in projects:
        if fwv:
            fw_of.setdefault(pv, fwv)
    projects = [(pv, fw_of.get(pv, fwv), tv, year) for pv, fwv, tv, year in projects]

    # regional-fund operations
    operations = []
    op_regions: dict[str, set[str]] = {}
    for op, label, prog, code, cc, cluster, cost, start, org in raw_ops:
        home = code.value if code is not None else (cc.value if cc is not None else "")
        operations.append((op.value, _v(label) or "", _v(prog) or "", home, cluster.value == "true", _num(cost),
                           _year(start), _v(org) or ""))
        if org is not None and home:
            op_regions.setdefault(org.value, set()).add(home)
    for iri, homes in op_regions.items():  # beneficiaries known only by country: the programme's region
        ben = orgs.get(iri)
        if ben is None or ben["basis"] == "NUTS region" or len(homes) != 1:
            continue
        (h,) = homes
        if len(h) > 2 and (not ben["home"] or h.startswith(ben["home"])):
            ben["home"], ben["basis"] = h, "region of its regional-fund programme"

    summaries = [(s.value, org.value, orgs.get(org.value, {}).get("home", ""), _v(region) or "", _num(eu),
                  _num(budget), int(n.value) if n is not None else None)
                 for s, org, region, eu, budget, n in sel(_Q_SUMMARIES)]
    entities = ds.index.entities
    region_iris = {r["iri"] for r in regions.values()}
    not_policy = op_iris | set(part_of) | region_iris
    links = sorted({(org.value, p.value, x.value) for org, p, x in sel(_Q_LINKS)
                    if org.value in orgs and x.value not in not_policy and x.value in entities})
    located = sorted({(x.value, code.value) for x, code in sel(_Q_LOCATED)
                      if x.value not in orgs and x.value not in not_policy and x.value in entities})

    named = {x for _, _, x in links} | {x for x, _ in located} | {t for _, _, t, _ in projects if t} | \
        {f for _, f, _, _ in projects if f} | {p for _, _, p, *_ in operations if p} | set(FRAMEWORKS) | \
        {p for _, p, _ in links}
    labels: dict[str, tuple[str, str]] = {}
    todo = sorted(named)
    for i in range(0, len(todo), 400):
        chunk = todo[i:i + 400]
        for e, lab, cl in sel(_Q_ENTITY_LABELS % " ".join(f"<{x}>" for x in chunk)):
            prev = labels.get(e.value, ("", ""))
            labels[e.value] = (prev[0] or (lab.value if lab is not None else ""),
                               prev[1] or (cl.value if cl is not None else ""))
    for x in todo:
        if not labels.get(x, ("", ""))[0]:
            labels[x] = (ds.label(x), labels.get(x, ("", ""))[1])

    return ActorTables(
        orgs=pl.DataFrame(list(orgs.values()) or None,
                          schema={"org": pl.Utf8, "label": pl.Utf8, "cluster": pl.Boolean, "activity": pl.Utf8,
                                  "home": pl.Utf8, "basis": pl.Utf8}, orient="row"
                          ).with_columns(pl.col("label").replace("", None).fill_null(pl.col("org"))),
        parts=pl.DataFrame(parts, schema={"participation": pl.Utf8, "org": pl.Utf8, "project": pl.Utf8,
                                          "role": pl.Utf8, "contribution": pl.Float64}, orient="row"),
        projects=pl.DataFrame(projects, schema={"project": pl.Utf8, "framework": pl.Utf8, "part": pl.Utf8,
                                                "year": pl.Int32}, orient="row"),
        operations=pl.DataFrame(operations, schema={"operation": pl.Utf8, "label": pl.Utf8, "programme": pl.Utf8,
                                                    "home": pl.Utf8, "cluster": pl.Boolean, "cost": pl.Float64,
                                                    "year": pl.Int32, "org": pl.Utf8}, orient="row"),
        summaries=pl.DataFrame(summaries, schema={"summary": pl.Utf8, "org": pl.Utf8, "home": pl.Utf8,
                                                  "region_name": pl.Utf8, "eu": pl.Float64, "budget": pl.Float64,
                                                  "projects": pl.Int64}, orient="row"),
        links=pl.DataFrame(links, schema={"org": pl.Utf8, "predicate": pl.Utf8, "entity": pl.Utf8}, orient="row"),
        located=pl.DataFrame(located, schema={"entity": pl.Utf8, "home": pl.Utf8}, orient="row"),
        regions=pl.DataFrame(sorted(regions.values(), key=lambda r: r["code"]) or None,
                             schema={"code": pl.Utf8, "iri": pl.Utf8, "label": pl.Utf8, "level": pl.Int32,
                                     "parent": pl.Utf8}, orient="row"),
        labels=pl.DataFrame([(k, a, b) for k, (a, b) in sorted(labels.items())],
                            schema={"iri": pl.Utf8, "label": pl.Utf8, "class": pl.Utf8}, orient="row"),
    )


# -- the cache -----------------------------------------------------------------------------------

_MEMORY: weakref.WeakKeyDictionary[Any, ActorTables] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _read(folder: Path) -> ActorTables | None:
    if not (folder.is_dir() and is_private(folder)):
        return None
    try:
        frames = {}
        for n in NAMES:
            f = folder / f"{n}.arrow"
            if not is_private(f):
                return None
            frames[n] = pl.read_ipc(f)
        return ActorTables(**frames)
    except (OSError, ValueError, TypeError, pl.exceptions.PolarsError):
        return None


def _write(folder: Path, tables: ActorTables) -> None:
    for old in folder.parent.glob("actors-*"):  # made by an older version of this code
        if old.name != folder.name and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-actors-", dir=folder.parent))
    try:
        for n, frame in tables.frames().items():
            frame.write_ipc(tmp / f"{n}.arrow")
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.is_dir():
            raise


def actor_tables(ds: Dataset) -> ActorTables:
    """The actor tables of ``ds``: from its cache entry, else built (and written there) once."""
    with _LOCK:
        hit = _MEMORY.get(ds)
        if hit is not None:
            return hit
        entry = ds.entry if ds.endpoint is None else None
        folder = entry / f"actors-{tables_version()}" if entry is not None else None
        tables = _read(folder) if folder is not None else None
        if tables is None:
            tables = build_tables(ds)
            if folder is not None:
                with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
                    _write(folder, tables)
        _MEMORY[ds] = tables
        return tables
