"""Partner search: organisations to work with, ranked by an explained score, each with its evidence.

``clusterkg partners`` and the explorer's ``/partners`` page answer "who could we work with?" for
an organisation, a curated entity (a cluster partnership or network, an industrial ecosystem, a
project) or a free search, from the imported participations (``clusterkg import``: CORDIS
Horizon 2020 and Horizon Europe, lists of regional-fund operations, the cluster-organisation
template). Every answer carries its method (``result["method"]``) and, for every figure, the rows
it came from: the participations' ``prov:wasDerivedFrom`` passages (file and row of the imported
table) and a SPARQL query that lists all of them.

The method
----------
**Seed.** The organisations the search starts from: the organisation named (by name, PIC, CURIE
or IRI); the members of a partnership or network (``ckg:hasMember``, ``ckg:coordinatedBy``,
``ckg:memberOf``); the organisations of an industrial ecosystem (those that cover it with
``ckg:coversEcosystem`` and the members of partnerships that cover it); the participants of a
project; or, for words that name no entity, the organisations whose name contains them (at most
50). Each is joined by the records of the same organisation (``skos:exactMatch``, as the import
links an imported organisation to a curated one).

**Candidates.** Organisations that took part in a project with a seed organisation (partners,
one step in the co-participation network) and organisations that took part in a project with one
of those partners (two steps). The second step is walked from the strongest partners (most joint
projects) until their projects exceed a budget (:data:`EXPANSION_BUDGET`), so that a hub with
thousands of partners stays fast; the answer says how many partners were walked. With
``region`` or ``ecosystem``, every organisation in that region or ecosystem that has a
participation is a candidate too, at any distance. The filters then keep the candidates located
in the region (the place, or a NUTS region within it), linked to the ecosystem, or with a project
in the programme or programme part; ``new_only`` drops the seed's past partners.

**Score** (0 to 1; the weights are :data:`WEIGHTS`)::

    0.30 × programme parts   Jaccard of the sets of programme parts of the two sides' projects
                             (the parts and operational programmes the projects are part of, and
                             the pillars above them): parts both work in / parts either works in
    0.10 × call topics       Jaccard of the sets of call-topic codes (ckg:topic) of their projects
    0.25 × co-participation  n / (n + 1), n = projects the candidate shares with the seed
    0.15 × activity type     1 when the candidate's CORDIS activity type (HES, REC, PRC, PUB, OTH)
                             differs from every seed organisation's, else 0
    0.20 × network           1 for a partner; 0.5 × k / (k + 1) two steps away, k = the seed's
                             partners it worked with; 0 further

A component the seed has no data for (no topic codes, no activity type) is 0 for everyone and
the answer says so. Ties are broken by IRI.

**Bounded work.** Candidates are scored in full in the order of their best possible score (the
components not yet read counted at their maximum); once the N-th best score is higher than what
any remaining candidate could reach, the search stops: the top N is then exact among the
candidates. Reading more than :data:`PROFILE_BUDGET` participations also stops it, and the answer
says the ranking is bounded.

What "ecosystem" and "topic" can mean on the data
-------------------------------------------------
Industrial ecosystems reach organisations only through the curated partnerships
(``ckg:coversEcosystem``, their members) and the cluster-organisation template (its
``ecosystems`` column); the CORDIS tables name no ecosystem, and no programme part is mapped to
an ecosystem. Call topics come with the Horizon Europe project table and the CORDIS H2020
project table; the eunets participation table has none.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> ds = Dataset(use_cache=False)
>>> r = partner_search(ds, "E-BOOST")
>>> r["seed"]["kind"], len(r["seed"]["organisations"]), r["results"]
('partnership', 6, [])
>>> r["notes"][0].startswith("none of the 6 seed organisations took part in an imported project")
True
"""

from __future__ import annotations

import bisect
import heapq
import re
import textwrap
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..errors import EntityLookupError, EntityNotFound, InputError, NameMatchWarning
from ..namespaces import curie

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["EXPANSION_BUDGET", "PROFILE_BUDGET", "WEIGHTS", "format_partners", "partner_search", "seed_kind"]

#: Weight of each score component (they sum to 1).
WEIGHTS: dict[str, float] = {"programme_parts": 0.30, "topics": 0.10, "co_participation": 0.25,
                             "activity_type": 0.15, "network": 0.20}
#: Projects of the seed's partners read to find partners of partners (strongest partners first).
EXPANSION_BUDGET = 2000
#: Participations read to score candidates in full before the ranking is declared bounded.
PROFILE_BUDGET = 50000
#: Items listed in each evidence list (the totals and the rows query give all of them).
EVIDENCE = 5
#: Projects of a programme above which its filter is checked while scoring instead of before.
PROGRAMME_POOL = 5000
#: Organisations a free search takes as its seed, best matches first.
SEARCH_SEEDS = 50
#: Seeds above which the rows queries are not written out (a URL has to hold them).
QUERY_SEEDS = 40

COMPONENTS: list[dict[str, str]] = [
    {"key": "programme_parts", "label": "programme parts",
     "definition": "Jaccard of the programme parts of the two sides' projects (the parts and operational "
                   "programmes they are part of, and the pillars above them): parts both work in / parts either "
                   "works in"},
    {"key": "topics", "label": "call topics",
     "definition": "Jaccard of the call-topic codes (ckg:topic) of the two sides' projects"},
    {"key": "co_participation", "label": "co-participation",
     "definition": "n / (n + 1), n = projects the candidate shares with the seed"},
    {"key": "activity_type", "label": "complementary activity type",
     "definition": "1 when the candidate's CORDIS activity type differs from every seed organisation's, else 0"},
    {"key": "network", "label": "network proximity",
     "definition": "1 for a partner; 0.5 × k / (k + 1) two steps away (k = the seed's partners it worked with); "
                   "0 further"},
]

_CKG = "https://w3id.org/clusterkg/ontology#"
_DG = ox.DefaultGraph()


def _ckg(local: str) -> ox.NamedNode:
    return ox.NamedNode(_CKG + local)


_PARTICIPATES, _PART_OF, _ACTIVITY = _ckg("participatesIn"), _ckg("partOf"), _ckg("activityType")
_LOCATED, _PARTICIPANT, _PIC, _IN_PROJECT = _ckg("locatedIn"), _ckg("participant"), _ckg("pic"), _ckg("inProject")
_LOCATOR, _IN_DOC, _FILE = _ckg("locator"), _ckg("inDocument"), _ckg("fileName")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_EXACT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")

_KIND_ROOTS = """VALUES (?root ?kind) {
  (ckg:Organisation "organisation") (ckg:Project "project") (ckg:ClusterPartnership "partnership")
  (ckg:Network "partnership") (ckg:IndustrialEcosystem "ecosystem") (ckg:Programme "programme")
  (ckg:ProgrammePart "part") (ckg:OperationalProgramme "part") (ckg:Country "country") (ckg:Region "region")
  (ckg:Place "place") }"""

_SEED_KINDS = ("organisation", "partnership", "ecosystem", "project")


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _r(x: float) -> float:
    return round(x + 0.0, 6)


@dataclass
class _Candidate:
    iri: str
    joint: int = 0          # projects shared with the seed
    bridges: int = 0        # seed partners it worked with (second step)
    step: int | None = None  # 1 partner, 2 partner of a partner, None only through a filter pool
    kind: str | None = None  # activity type IRI
    parts: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)
    projects: int = 0
    score: float = 0.0
    bound: float = 0.0
    components: dict[str, float] = field(default_factory=dict)


class _Search:
    """One partner search: the dataset, memos of what was read, and the steps."""

    def __init__(self, ds: Dataset, *, warn: bool = True) -> None:
        self.ds = ds
        self.warn = warn
        self.taken: list[str] = []
        self.store = ds.store
        self._labels: dict[str, str] = {}
        self._targets: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._docs: dict[str, str] = {}
        rows = ds.select(f"SELECT ?c ?kind WHERE {{ {_KIND_ROOTS} ?c rdfs:subClassOf* ?root }}")
        self.classes: dict[str, set[str]] = defaultdict(set)
        for c, kind in rows:
            self.classes[c.value].add(kind.value)

    # -- small lookups ------------------------------------------------------------------------

    def select(self, q: str) -> list[list[Any]]:
        return self.ds.select(q)

    def objects(self, iri: str, pred: ox.NamedNode) -> list[Any]:
        return [q.object for q in self.store.quads_for_pattern(ox.NamedNode(iri), pred, None, _DG)]

    def kinds(self, iri: str) -> set[str]:
        out: set[str] = set()
        for t in self.objects(iri, _TYPE):
            out |= self.classes.get(t.value, set())
        return out

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            self._labels[iri] = str(self.ds.index.label(iri))
        return self._labels[iri]

    def summary(self, iri: str) -> dict[str, str]:
        return {"iri": iri, "curie": curie(iri), "label": self.label(iri)}

    def target(self, iri: str) -> tuple[frozenset[str], frozenset[str]]:
        """For a ``ckg:partOf`` target of a project: the programme parts it counts for (itself when it is a
        programme part or an operational programme, and the parts above it) and every programme or part it
        is, or sits under (for the programme filter)."""
        got = self._targets.get(iri)
        if got is None:
            above: list[str] = []
            todo, seen = [iri], {iri}
            while todo:
                n = todo.pop()
                above.append(n)
                for o in self.objects(n, _PART_OF):
                    if isinstance(o, ox.NamedNode) and o.value not in seen:
                        seen.add(o.value)
                        todo.append(o.value)
            parts = frozenset(a for a in above if "part" in self.kinds(a)) if "part" in self.kinds(iri) else frozenset()
            scopes = frozenset(a for a in above if self.kinds(a) & {"part", "programme"})
            got = (parts, scopes)
            self._targets[iri] = got
        return got

    def rows(self, iri: str, limit: int | None = None) -> list[dict[str, str]]:
        """The source rows of a node: its ``prov:wasDerivedFrom`` passages with file (or document) and locator."""
        out = []
        for p in sorted(o.value for o in self.objects(iri, _DERIVED) if isinstance(o, ox.NamedNode)):
            loc = next((o.value for o in self.objects(p, _LOCATOR)), "")
            doc = next((o.value for o in self.objects(p, _IN_DOC)), "")
            if doc and doc not in self._docs:
                name = next((o.value for o in self.objects(doc, _FILE)), "") or self.ds.label(doc)
                self._docs[doc] = name
            out.append({"passage": p, "document": doc, "file": self._docs.get(doc, ""), "locator": loc})
        return out[:limit] if limit is not None else out

    def joint_evidence(self, projects: list[str], seeds: list[str], other: str) -> list[dict[str, Any]]:
        """Projects with the source rows of the seed's and of ``other``'s participations in them."""
        rows = self.select(f"""SELECT ?project ?x ?who WHERE {{ VALUES ?project {{ {_values(projects)} }}
            VALUES ?who {{ {_values([*seeds, other])} }} ?x ckg:inProject ?project ; ckg:participant ?who }}""")
        found: dict[str, dict[str, list[str]]] = {p: {"seed": [], "other": []} for p in projects}
        for project, x, who in rows:
            found[project.value]["other" if who.value == other else "seed"].append(x.value)
        return [{**self.summary(p), "seed_rows": [r for x in sorted(found[p]["seed"]) for r in self.rows(x)],
                 "rows": [r for x in sorted(found[p]["other"]) for r in self.rows(x)]} for p in projects]

    def took(self, text: str, match: Any) -> None:
        """Say that ``text`` was taken as the entity of a prefix or near match (a warning, and in the answer)."""
        w = NameMatchWarning(text, str(match.iri), self.ds.index.display(match.iri), match.kind)
        self.taken.append(str(w))
        if self.warn:
            warnings.warn(w, stacklevel=4)

    # -- seed ---------------------------------------------------------------------------------

    def twins(self, orgs: Iterable[str]) -> list[str]:
        """``orgs`` and every organisation linked to one of them by ``skos:exactMatch`` (either way)."""
        found = set(orgs)
        todo = sorted(found)
        while todo:
            n = todo.pop()
            node = ox.NamedNode(n)
            others = [q.object for q in self.store.quads_for_pattern(node, _EXACT, None, _DG)]
            others += [q.subject for q in self.store.quads_for_pattern(None, _EXACT, node, _DG)]
            for o in others:
                if isinstance(o, ox.NamedNode) and o.value not in found and "organisation" in self.kinds(o.value):
                    found.add(o.value)
                    todo.append(o.value)
        return sorted(found)

    def seed(self, query: str) -> dict[str, Any]:
        text = query.strip()
        if not text:
            raise InputError("give an organisation (name, PIC, CURIE or IRI), a partnership, an ecosystem, "
                             "a project, or words to search organisation names for")
        if re.fullmatch(r"[0-9]{9}", text):
            found = sorted(q.subject.value for q in self.store.quads_for_pattern(None, _PIC, ox.Literal(text), _DG)
                           if isinstance(q.subject, ox.NamedNode))
            if found:
                return self._entity_seed(found[0], text, f"the organisation with PIC {text}")
        try:
            match = self.ds.index.match(text)
        except EntityLookupError as err:
            return self._search_seed(text, err)
        iri = str(match.iri)
        if match.kind in ("prefix", "near"):
            self.took(text, match)
        return self._entity_seed(iri, text, "")

    def _entity_seed(self, iri: str, text: str, how: str) -> dict[str, Any]:
        kinds = self.kinds(iri)
        kind = next((k for k in _SEED_KINDS if k in kinds), None)
        label = self.label(iri)
        if kind is None:
            types = sorted(self.label(t.value) for t in self.objects(iri, _TYPE) if isinstance(t, ox.NamedNode))
            what = " and ".join(types) or "entity of no known class"
            what = ("an " if what[:1].lower() in "aeiou" else "a ") + what
            hint = ""
            if kinds & {"country", "region", "place"}:
                hint = "; use the region filter (--region) to look for partners in a place"
            elif kinds & {"programme", "part"}:
                hint = "; use the programme filter (--programme) to keep partners of a programme"
            raise InputError(f"{label!r} is {what}: partner search starts from an organisation, a partnership "
                             f"or network, an industrial ecosystem, a project, or search words{hint}")
        if kind == "organisation":
            base = [iri]
            how = how or "the organisation"
        elif kind == "project":
            base = sorted({q.subject.value for q in self.store.quads_for_pattern(None, _PARTICIPATES,
                                                                                   ox.NamedNode(iri), _DG)
                           if isinstance(q.subject, ox.NamedNode)})
            how = "the participants of the project"
        elif kind == "partnership":
            rows = self.select(f"""SELECT DISTINCT ?m WHERE {{
              {{ <{iri}> ?p ?m . ?p rdfs:subPropertyOf* ckg:hasMember }}
              UNION {{ ?m ?p <{iri}> . ?p rdfs:subPropertyOf* ckg:memberOf }}
              FILTER(isIRI(?m)) }}""")
            base = sorted(r[0].value for r in rows if "organisation" in self.kinds(r[0].value))
            how = "the members of the partnership (ckg:hasMember, ckg:coordinatedBy, ckg:memberOf)"
        else:
            base = self.ecosystem_orgs(iri)
            how = ("the organisations of the ecosystem (ckg:coversEcosystem, and the members of the partnerships "
                   "that cover it)")
        orgs = self.twins(base)
        if len(orgs) > len(base):
            how += f", with {len(orgs) - len(base)} record(s) of the same organisations (skos:exactMatch)"
        return {"query": text, "kind": kind, "entity": {**self.summary(iri), "class": kind}, "how": how,
                "organisations": orgs}

    def _search_seed(self, text: str, err: EntityLookupError) -> dict[str, Any]:
        found = [iri for iri, _, _ in self.ds.index.search(text, limit=100000)
                 if "organisation" in self.kinds(iri)][:SEARCH_SEEDS]
        if not found:
            if isinstance(err, EntityNotFound):
                raise err
            raise EntityNotFound(text, err.candidates) from None
        orgs = self.twins(found)
        how = (f"organisations whose name contains {text!r} ({len(found)}"
               f"{', the best ' + str(SEARCH_SEEDS) if len(found) == SEARCH_SEEDS else ''})")
        return {"query": text, "kind": "search", "entity": None, "how": how, "organisations": orgs}

    def ecosystem_orgs(self, eco: str) -> list[str]:
        rows = self.select(f"""SELECT DISTINCT ?o WHERE {{
          {{ ?o ckg:coversEcosystem <{eco}> }}
          UNION {{ ?x ckg:coversEcosystem <{eco}> . ?x ?p ?o . ?p rdfs:subPropertyOf* ckg:hasMember }}
          UNION {{ ?x ckg:coversEcosystem <{eco}> . ?o ?p ?x . ?p rdfs:subPropertyOf* ckg:memberOf }}
          FILTER(isIRI(?o)) }}""")
        return sorted(r[0].value for r in rows if "organisation" in self.kinds(r[0].value))

    # -- filters ------------------------------------------------------------------------------

    def resolve(self, name: str, kinds: set[str], what: str) -> str:
        text = name.strip()
        iri = None
        if re.fullmatch(r"[A-Z]{2}[A-Z0-9]{1,3}", text) and "region" in kinds:  # a NUTS code
            node = f"http://data.europa.eu/nuts/code/{text}"
            if self.objects(node, _TYPE):
                iri = node
        if iri is None:
            match = self.ds.index.match(text)
            iri = str(match.iri)
            if match.kind in ("prefix", "near"):
                self.took(text, match)
        got = self.kinds(iri)
        if not got & kinds:
            raise InputError(f"{self.label(iri)!r} is not {what} ({', '.join(sorted(got)) or 'no known class'})")
        return iri

    def places_within(self, place: str) -> list[str]:
        rows = self.select(f"""SELECT DISTINCT ?r WHERE {{ ?r ckg:partOf* <{place}> .
          ?r a ?c . ?c rdfs:subClassOf* ckg:Place }}""")
        return sorted({place, *(r[0].value for r in rows)})

    def programme_orgs(self, prog: str) -> set[str] | None:
        """The organisations with a project in ``prog`` (or a part under it), when it has at most
        :data:`PROGRAMME_POOL` projects (a narrow programme: the filter is applied before scoring); else None
        (a broad one: each candidate's programmes are checked when it is scored)."""
        rows = self.select(f"""SELECT DISTINCT ?t WHERE {{ ?t ckg:partOf* <{prog}> . ?t a ?c .
            ?c rdfs:subClassOf* ?root . VALUES ?root {{ ckg:Programme ckg:ProgrammePart }} }}""")
        targets = _values(sorted({prog, *(r[0].value for r in rows)}))
        n = int(self.select(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?t {{ {targets} }} ?p ckg:partOf ?t }}"
                            )[0][0].value)
        if n > PROGRAMME_POOL:
            return None
        return {r[0].value for r in self.select(f"""SELECT DISTINCT ?o WHERE {{ VALUES ?t {{ {targets} }}
            ?p ckg:partOf ?t . ?o ckg:participatesIn ?p }}""")}

    def pool(self, where: str) -> dict[str, int]:
        """Organisations (with their number of projects) matching a graph pattern on ``?o``."""
        rows = self.select(f"SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {where} ?o ckg:participatesIn ?p }} "
                           "GROUP BY ?o")
        return {r[0].value: int(r[1].value) for r in rows if isinstance(r[0], ox.NamedNode)}

    # -- profiles -----------------------------------------------------------------------------

    def profile(self, orgs: list[str], topics: bool) -> dict[str, dict[str, Any]]:
        """For each organisation: its number of projects, programme parts, scopes and call topics.

        Aggregated in the store (a project's part does not depend on its other parts), so a hub with
        thousands of projects costs a few rows.
        """
        out: dict[str, dict[str, Any]] = {o: {"projects": 0, "parts": set(), "scopes": set(), "topics": set()}
                                          for o in orgs}
        for chunk in _chunks(orgs, 400):
            vals = _values(chunk)
            for o, n in self.select(f"""SELECT ?o (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?o {{ {vals} }}
                                       ?o ckg:participatesIn ?p }} GROUP BY ?o"""):
                out[o.value]["projects"] = int(n.value)
            for o, t in self.select(f"""SELECT DISTINCT ?o ?t WHERE {{ VALUES ?o {{ {vals} }}
                                       ?o ckg:participatesIn ?p . ?p ckg:partOf ?t }}"""):
                if isinstance(t, ox.NamedNode):
                    parts, scopes = self.target(t.value)
                    out[o.value]["parts"] |= parts
                    out[o.value]["scopes"] |= scopes
            if topics:
                for o, t in self.select(f"""SELECT DISTINCT ?o ?t WHERE {{ VALUES ?o {{ {vals} }}
                                           ?o ckg:participatesIn ?p . ?p ckg:topic ?t }}"""):
                    out[o.value]["topics"].add(t.value)
        return out

    def part_counts(self, orgs: list[str], parts: Iterable[str]) -> dict[str, int]:
        """How many distinct projects of ``orgs`` are in each of ``parts`` (directly or under it)."""
        wanted = sorted(parts)
        if not orgs or not wanted:
            return {}
        rows = self.select(f"""SELECT ?part (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?o {{ {_values(orgs)} }}
            VALUES ?part {{ {_values(wanted)} }} ?o ckg:participatesIn ?p . ?p ckg:partOf/ckg:partOf* ?part }}
            GROUP BY ?part""")
        return {r[0].value: int(r[1].value) for r in rows}

    def activity(self, iri: str) -> str | None:
        found = sorted(o.value for o in self.objects(iri, _ACTIVITY) if isinstance(o, ox.NamedNode))
        return found[0] if found else None


def _co(n: int) -> float:
    return n / (n + 1)


def _net(step: int | None, k: int) -> float:
    if step == 1:
        return 1.0
    if step == 2:
        return 0.5 * k / (k + 1)
    return 0.0


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def seed_kind(ds: Dataset, iri: str) -> str | None:
    """What partner search would take ``iri`` as: ``"organisation"``, ``"partnership"``, ``"ecosystem"``,
    ``"project"``, or None when it cannot start from it (the explorer links only the first four).

    >>> from graph.store.dataset import Dataset
    >>> ds = Dataset(use_cache=False)
    >>> seed_kind(ds, "https://w3id.org/clusterkg/id/e-boost"), seed_kind(ds, "https://w3id.org/clusterkg/id/cosme")
    ('partnership', None)
    """
    try:
        kinds = _Search(ds).kinds(iri)
    except ValueError:  # not an IRI
        return None
    return next((k for k in _SEED_KINDS if k in kinds), None)


def partner_search(ds: Dataset, query: str, *, ecosystem: str | None = None, region: str | None = None,
                   programme: str | None = None, top: int = 10, new_only: bool = False,
                   expansion_budget: int = EXPANSION_BUDGET, profile_budget: int = PROFILE_BUDGET,
                   warn: bool = True) -> dict[str, Any]:
    """Organisations to work with, for the seed ``query``, ranked by an explained score with evidence.

    Parameters
    ----------
    ds : Dataset
        The dataset (with imported participations: ``clusterkg import``).
    query : str
        An organisation (name, PIC, CURIE or IRI), a partnership or network, an industrial
        ecosystem, a project, or words to search organisation names for.
    ecosystem : str, optional
        Keep organisations linked to this industrial ecosystem (and take all of them as candidates).
    region : str, optional
        Keep organisations located in this place: a NUTS code (``DE1``), a region or country name.
    programme : str, optional
        Keep organisations with a project in this programme or programme part.
    top : int
        How many organisations to list.
    new_only : bool
        Leave out the seed's past partners.
    expansion_budget, profile_budget : int
        The bounds of the work (see the module doc).
    warn : bool
        Issue a :class:`~graph.errors.NameMatchWarning` when a name is taken by a prefix or near match
        (the answer's ``taken`` says it either way).

    Returns
    -------
    dict
        ``seed``, ``filters``, ``method`` (text, weights, components, candidate counts, whether the
        ranking is exact), ``results`` (rank, organisation, score, components, evidence with rows),
        ``notes`` and ``taken`` (names taken by a prefix or near match).

    Raises
    ------
    EntityNotFound, AmbiguousEntity, InputError
        An unknown or unusable seed or filter.
    """
    if top < 1:
        raise InputError("top must be at least 1")
    s = _Search(ds, warn=warn)
    seed = s.seed(query)
    seeds: list[str] = seed["organisations"]
    notes: list[str] = []
    filters: dict[str, Any] = {"region": None, "ecosystem": None, "programme": None, "new_only": new_only}
    region_pool: dict[str, int] | None = None
    eco_pool: dict[str, int] | None = None
    scope: set[str] | None = None
    if region:
        place = s.resolve(region, {"country", "region", "place"}, "a place (a NUTS code, region or country)")
        places = s.places_within(place)
        region_pool = s.pool(f"VALUES ?pl {{ {_values(places)} }} ?o ckg:locatedIn ?pl .")
        filters["region"] = {**s.summary(place), "places": len(places), "organisations": len(region_pool)}
    if ecosystem:
        eco = s.resolve(ecosystem, {"ecosystem"}, "an industrial ecosystem")
        members = s.twins(s.ecosystem_orgs(eco))
        eco_pool = s.pool(f"VALUES ?o {{ {_values(members)} }}") if members else {}
        filters["ecosystem"] = {**s.summary(eco), "organisations": len(eco_pool)}
        if not eco_pool:
            notes.append(f"no organisation linked to {s.label(eco)!r} took part in an imported project: ecosystems "
                         "reach organisations only through curated partnerships and the cluster-organisation "
                         "template (the CORDIS tables name none)")
    prog_orgs: set[str] | None = None
    if programme:
        prog = s.resolve(programme, {"programme", "part"}, "a programme or programme part")
        scope = {prog}
        prog_orgs = s.programme_orgs(prog)
        filters["programme"] = s.summary(prog)

    # the seed's own projects, parts, topics and activity types
    seed_prof = s.profile(seeds, topics=True) if seeds else {}
    seed_topics: set[str] = set().union(*(p["topics"] for p in seed_prof.values())) if seed_prof else set()
    seed_projects = int(s.select(f"""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?o {{ {_values(seeds)} }}
                                     ?o ckg:participatesIn ?p }}""")[0][0].value) if seeds else 0
    seed_parts = s.part_counts(seeds, set().union(*(p["parts"] for p in seed_prof.values()))) if seeds else {}
    seed_types = sorted({t for o in seeds if (t := s.activity(o))})
    seed["organisations"] = [{**s.summary(o), "projects": seed_prof[o]["projects"],
                              "activity_type": s.summary(t) if (t := s.activity(o)) else None} for o in seeds]
    seed["projects"] = seed_projects
    seed["programme_parts"] = [{**s.summary(t), "projects": n}
                               for t, n in sorted(seed_parts.items(), key=lambda kv: (-kv[1], kv[0]))]
    seed["topics"] = sorted(seed_topics)
    seed["activity_types"] = [s.summary(t) for t in seed_types]
    seed["rows_query"] = _query([
        "# the seed organisations' projects, with the source rows of their participations",
        "SELECT ?organisation ?project ?row WHERE {",
        f"  VALUES ?organisation {{ {_values(seeds)} }}",
        "  ?x ckg:participant ?organisation ; ckg:inProject ?project . OPTIONAL { ?x prov:wasDerivedFrom ?row }",
        "} ORDER BY ?organisation ?project"]) if seeds and len(seeds) <= QUERY_SEEDS else ""

    seed_set = set(seeds)
    cands: dict[str, _Candidate] = {}
    bridges: list[str] = []
    partner_total = 0
    walked_projects = 0
    if seed_projects:
        rows = s.select(f"""SELECT ?m (COUNT(DISTINCT ?p) AS ?n) WHERE {{ VALUES ?s {{ {_values(seeds)} }}
                            ?s ckg:participatesIn ?p . ?m ckg:participatesIn ?p }} GROUP BY ?m""")
        partners = {r[0].value: int(r[1].value) for r in rows if r[0].value not in seed_set}
        partner_total = len(partners)
        for m, n in partners.items():
            cands[m] = _Candidate(m, joint=n, step=1)
        # second step, from the strongest partners until the budget of their projects is spent
        order = sorted(partners, key=lambda m: (-partners[m], m))
        done = False
        for chunk in _chunks(order, 100):
            degree = {r[0].value: int(r[1].value) for r in s.select(
                f"""SELECT ?m (COUNT(?q) AS ?d) WHERE {{ VALUES ?m {{ {_values(chunk)} }} ?m ckg:participatesIn ?q }}
                    GROUP BY ?m""")}
            for m in chunk:
                d = degree.get(m, 0)
                if bridges and walked_projects + d > expansion_budget:
                    done = True
                    break
                bridges.append(m)
                walked_projects += d
            if done:
                break
        if bridges:
            for c, k in s.select(f"""SELECT ?c (COUNT(DISTINCT ?m) AS ?k) WHERE {{ VALUES ?m {{ {_values(bridges)} }}
                                     ?m ckg:participatesIn ?q . ?c ckg:participatesIn ?q }} GROUP BY ?c"""):
                if c.value not in seed_set and c.value not in partners:
                    cands[c.value] = _Candidate(c.value, bridges=int(k.value), step=2)
        pool_size = 0
        for pool in (region_pool, eco_pool):
            for o in pool or {}:
                if o not in seed_set and o not in cands:
                    cands[o] = _Candidate(o)
                    pool_size += 1
    else:
        pool_size = 0
        if seeds:
            notes.append(f"none of the {len(seeds)} seed organisations took part in an imported project, so there "
                         "is nothing to compare candidates with"
                         + (": curated organisations are linked to imported records only through skos:exactMatch "
                            "(the cluster-organisation template makes these links)" if seed["kind"] != "search"
                            else ""))
        else:
            notes.append("the seed has no organisation")
    reached = {"partners": partner_total, "second_step": sum(1 for c in cands.values() if c.step == 2),
               "through_filters": pool_size}

    # filters
    kept: list[_Candidate] = []
    outside = 0  # left out by the programme filter before scoring
    for cand in cands.values():
        if region_pool is not None and cand.iri not in region_pool:
            continue
        if eco_pool is not None and cand.iri not in eco_pool:
            continue
        if new_only and cand.step == 1:
            continue
        if prog_orgs is not None and cand.iri not in prog_orgs:
            outside += 1
            continue
        kept.append(cand)

    ranking = _rank(s, kept, top, seed_parts, seed_topics, seed_types, scope if prog_orgs is None else None,
                    profile_budget)
    ranking.outside += outside
    ranked = ranking.scored[:top]

    if seed_projects and not partner_total:
        notes.append(f"the seed's {seed_projects} project(s) have no other participant in the graph")
    if cands and not kept:
        notes.append("no candidate is left after the filters")

    method = _method(seed, filters, reached, len(bridges), partner_total, walked_projects, expansion_budget,
                     len(kept), ranking, profile_budget, top, bool(seed_topics), bool(seed_types))
    results = [_result(s, rank, c, seeds, seed_parts, seed_topics, seed_types, bridges)
               for rank, c in enumerate(ranked, 1)]
    return {"query": query, "seed": seed, "filters": filters, "method": method, "results": results,
            "candidates": len(kept), "notes": notes, "taken": s.taken}


@dataclass
class _Ranking:
    scored: list[_Candidate]
    profiled: int = 0
    outside: int = 0
    read: int = 0
    bounded: bool = False


def _rank(s: _Search, kept: list[_Candidate], top: int, seed_parts: dict[str, int], seed_topics: set[str],
          seed_types: list[str], scope: set[str] | None, profile_budget: int) -> _Ranking:
    """Score candidates in full in the order of their best possible score, until no other can enter the top.

    A candidate's bound is its known components plus the others at their maximum. It is tightened in
    two steps: the activity type (one lookup), then the programme parts and topics (its projects,
    read in batches). The search stops when the best bound left is below the ``top``-th score, or
    after ``profile_budget`` participations (then the ranking is bounded).
    """
    w = WEIGHTS
    open_max = (w["programme_parts"] if seed_parts else 0.0) + (w["topics"] if seed_topics else 0.0)
    type_max = w["activity_type"] if seed_types else 0.0
    heap: list[tuple[float, str, int]] = []
    by_iri = {c.iri: c for c in kept}
    for c in kept:
        c.components = {"co_participation": _co(c.joint), "network": _net(c.step, c.bridges), "activity_type": 0.0}
        known = w["co_participation"] * c.components["co_participation"] + w["network"] * c.components["network"]
        heap.append((-_r(known + type_max + open_max), c.iri, 0))
    heapq.heapify(heap)
    out = _Ranking([])
    best: list[float] = []  # the final scores, best first
    pending: list[_Candidate] = []
    batch = top + 10

    def threshold() -> float:
        return -best[top - 1] if len(best) >= top else -1.0

    def flush() -> None:
        nonlocal pending, batch
        group = [c for c in pending if c.bound >= threshold()]
        pending = []
        if not group:
            return
        prof = s.profile([c.iri for c in group], topics=bool(seed_topics))
        out.profiled += len(group)
        for c in group:
            pr = prof[c.iri]
            out.read += pr["projects"]
            c.parts, c.topics, c.scopes, c.projects = pr["parts"], pr["topics"], pr["scopes"], pr["projects"]
            if scope is not None and not (scope & c.scopes):
                out.outside += 1
                continue
            c.components["programme_parts"] = _jaccard(seed_parts, c.parts) if seed_parts else 0.0
            c.components["topics"] = _jaccard(seed_topics, c.topics) if seed_topics else 0.0
            c.score = _r(sum(w[k] * c.components[k] for k in w))
            out.scored.append(c)
            bisect.insort(best, -c.score)
        best[:] = best[:top]
        batch = min(400, batch * 2)

    while True:
        if out.read > profile_budget:
            out.bounded = bool(pending) or bool(heap and -heap[0][0] >= threshold())
            break
        if heap and -heap[0][0] >= threshold() and len(pending) < batch:
            bound, iri, stage = heapq.heappop(heap)
            c = by_iri[iri]
            if stage == 0:
                c.kind = s.activity(iri)
                c.components["activity_type"] = 1.0 if seed_types and c.kind and c.kind not in seed_types else 0.0
                bound = -bound - type_max + w["activity_type"] * c.components["activity_type"]
                heapq.heappush(heap, (-_r(bound), iri, 1))
            else:
                c.bound = -bound
                pending.append(c)
        elif pending:
            flush()
        else:
            break
    out.scored.sort(key=lambda c: (-c.score, c.iri))
    return out


def _method(seed: dict[str, Any], filters: dict[str, Any], reached: dict[str, int], walked: int, partners: int,
            walked_projects: int, expansion_budget: int, kept: int, ranking: _Ranking, profile_budget: int, top: int,
            topics: bool, types: bool) -> dict[str, Any]:
    exact_walk = walked == partners
    profiled, outside, bounded = ranking.profiled, ranking.outside, ranking.bounded
    lines = [
        f"Seed: {seed['how']}.",
        "Candidates: organisations that took part in a project with a seed organisation (partners) and "
        "organisations that took part in a project with one of those partners (two steps); "
        + (f"all {partners:,} partners were walked." if exact_walk else
           f"the second step was walked from the {walked:,} strongest of {partners:,} partners (most joint "
           f"projects first) until their projects exceeded {expansion_budget:,} ({walked_projects:,} read).")]
    pools = [f"every organisation located in {filters['region']['label']}" if filters["region"] else "",
             f"every organisation linked to {filters['ecosystem']['label']}" if filters["ecosystem"] else ""]
    pools = [p for p in pools if p]
    if pools:
        lines.append("Also candidates, at any distance: " + " and ".join(pools) + " that took part in a project.")
    kept_by = [f"located in {filters['region']['label']} (or a NUTS region within it)" if filters["region"] else "",
               f"linked to {filters['ecosystem']['label']}" if filters["ecosystem"] else "",
               f"with a project in {filters['programme']['label']}" if filters["programme"] else "",
               "not yet partners of the seed" if filters["new_only"] else ""]
    kept_by = [k for k in kept_by if k]
    if kept_by:
        lines.append("Kept: organisations " + "; ".join(kept_by) + ".")
    lines.append("Score = " + " + ".join(f"{WEIGHTS[c['key']]:.2f} × {c['label']} ({c['definition']})"
                                         for c in COMPONENTS) + "; ties by IRI.")
    if not topics:
        lines.append("The seed's projects have no call-topic codes (the imports give them for Horizon Europe and "
                     "the CORDIS H2020 project table only): the topics component is 0 for everyone.")
    if not types:
        lines.append("No seed organisation has a CORDIS activity type: the activity-type component is 0 for "
                     "everyone.")
    if not kept:
        lines.append("No candidate to score.")
    elif bounded:
        lines.append(f"Bounded: scoring stopped after {profiled:,} of {kept:,} candidates (more than "
                     f"{profile_budget:,} participations read); the ranking is the best of those scored, in the "
                     "order of their network evidence.")
    elif profiled == kept:
        lines.append(f"All {kept:,} candidates were scored in full: the ranking is exact among them.")
    else:
        lines.append(f"{profiled:,} of {kept:,} candidates were scored in full (best possible score first); the "
                     f"others could not reach the top {top}: the ranking is exact among the candidates.")
    return {"text": lines, "weights": dict(WEIGHTS), "components": COMPONENTS,
            "candidates": {**reached, "kept": kept, "scored": profiled, "outside_programme": outside,
                           "participations_read": ranking.read,
                           "partners_walked": walked, "partner_projects_read": walked_projects,
                           "expansion_budget": expansion_budget, "profile_budget": profile_budget},
            "exact": not bounded, "complete_second_step": exact_walk}


def _query(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _result(s: _Search, rank: int, c: _Candidate, seeds: list[str], seed_parts: dict[str, int],
            seed_topics: set[str], seed_types: list[str], bridges: list[str]) -> dict[str, Any]:
    iri = c.iri
    with_queries = len(seeds) <= QUERY_SEEDS
    seed_values = _values(seeds)
    places = sorted(o.value for o in s.objects(iri, _LOCATED) if isinstance(o, ox.NamedNode))
    where = [{**s.summary(p), "class": next((k for k in ("region", "country", "place") if k in s.kinds(p)), "")}
             for p in places]
    comps: dict[str, Any] = {}

    # programme parts
    counts = s.part_counts([iri], set(seed_parts) & c.parts)
    shared = sorted(counts, key=lambda t: (-(seed_parts[t] + counts[t]), t))
    comps["programme_parts"] = {
        "value": _r(c.components["programme_parts"]), "weight": WEIGHTS["programme_parts"],
        "shared": [{**s.summary(t), "seed_projects": seed_parts[t], "projects": counts[t]} for t in shared],
        "seed_parts": len(seed_parts), "parts": len(c.parts), "either": len(set(seed_parts) | c.parts),
        "rows_query": _query([
            "# the seed's and the candidate's projects in the shared programme parts, with their source rows",
            "SELECT ?organisation ?project ?part ?row WHERE {",
            f"  VALUES ?organisation {{ {_values([*seeds, iri])} }}",
            f"  VALUES ?part {{ {_values(shared)} }}",
            "  ?organisation ckg:participatesIn ?project . ?project ckg:partOf+ ?part .",
            "  OPTIONAL { ?project prov:wasDerivedFrom ?row } } ORDER BY ?part ?organisation ?project"])
        if shared and with_queries else ""}
    # topics
    tshared = sorted(seed_topics & c.topics)
    comps["topics"] = {
        "value": _r(c.components["topics"]), "weight": WEIGHTS["topics"], "shared": tshared,
        "seed_topics": len(seed_topics), "topics": len(c.topics),
        "rows_query": _query([
            "# the candidate's projects under the shared call topics, with their source rows",
            "SELECT ?project ?topic ?row WHERE {",
            "  VALUES ?topic { " + " ".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in tshared)
            + " }",
            f"  <{iri}> ckg:participatesIn ?project . ?project ckg:topic ?topic .",
            "  OPTIONAL { ?project prov:wasDerivedFrom ?row } } ORDER BY ?topic ?project"]) if tshared else ""}
    # co-participation: the joint projects, each with both sides' participation rows
    joint: list[dict[str, Any]] = []
    if c.joint:
        rows = s.select(f"""SELECT DISTINCT ?project WHERE {{ VALUES ?s {{ {seed_values} }}
            ?s ckg:participatesIn ?project . <{iri}> ckg:participatesIn ?project . }}""")
        order = sorted((r[0].value for r in rows), key=lambda p: (s.label(p).casefold(), p))
        joint = s.joint_evidence(order[:EVIDENCE], seeds, iri)
    comps["co_participation"] = {
        "value": _r(c.components["co_participation"]), "weight": WEIGHTS["co_participation"], "projects": c.joint,
        "listed": joint,
        "rows_query": _query([
            "# the projects the candidate shares with the seed, with both participations' source rows",
            "SELECT ?project ?seed ?seedRow ?candidateRow WHERE {",
            f"  VALUES ?seed {{ {seed_values} }}",
            f"  ?b ckg:participant <{iri}> ; ckg:inProject ?project .",
            "  ?a ckg:inProject ?project ; ckg:participant ?seed .",
            "  OPTIONAL { ?a prov:wasDerivedFrom ?seedRow } OPTIONAL { ?b prov:wasDerivedFrom ?candidateRow }",
            "} ORDER BY ?project"]) if c.joint and with_queries else ""}
    # activity type
    comps["activity_type"] = {
        "value": _r(c.components["activity_type"]), "weight": WEIGHTS["activity_type"],
        "type": s.summary(c.kind) if c.kind else None, "seed_types": [s.summary(t) for t in seed_types],
        "rows": s.rows(iri, EVIDENCE),
        "rows_query": _query([
            "# the candidate's activity type and the rows the organisation comes from",
            f"SELECT ?type ?row WHERE {{ <{iri}> ckg:activityType ?type .",
            f"  OPTIONAL {{ <{iri}> prov:wasDerivedFrom ?row }} }}"]) if c.kind else ""}
    # network: through which partners
    via: list[dict[str, Any]] = []
    between: list[str] = []
    if c.step == 2 and c.bridges:
        rows = s.select(f"""SELECT ?m (MIN(STR(?q)) AS ?project) WHERE {{ VALUES ?m {{ {_values(bridges)} }}
            ?m ckg:participatesIn ?q . <{iri}> ckg:participatesIn ?q }} GROUP BY ?m ORDER BY ?m""")
        between = [m.value for m, _ in rows]
        for m, q in rows[:EVIDENCE]:
            first = s.select(f"""SELECT (MIN(STR(?p)) AS ?project) WHERE {{ VALUES ?s {{ {seed_values} }}
                ?s ckg:participatesIn ?p . <{m.value}> ckg:participatesIn ?p }}""")
            sp = first[0][0].value if first and first[0][0] is not None else ""
            via.append({"partner": s.summary(m.value),
                        "with_seed": s.summary(sp) if sp else None, "with_candidate": s.summary(q.value)})
    comps["network"] = {
        "value": _r(c.components["network"]), "weight": WEIGHTS["network"], "steps": c.step,
        "via_partners": c.bridges, "listed": via,
        "rows_query": _query([
            "# the seed's partners the candidate worked with: the projects with the candidate, and with the seed",
            "SELECT DISTINCT ?partner ?project ?seedProject WHERE {",
            f"  VALUES ?partner {{ {_values(between)} }}",
            f"  <{iri}> ckg:participatesIn ?project . ?partner ckg:participatesIn ?project .",
            "  ?partner ckg:participatesIn ?seedProject .",
            f"  FILTER EXISTS {{ VALUES ?seed {{ {seed_values} }} ?seed ckg:participatesIn ?seedProject }}",
            "} ORDER BY ?partner ?project ?seedProject"]) if between and with_queries else ""}
    return {"rank": rank, **s.summary(iri), "activity_type": s.summary(c.kind) if c.kind else None,
            "located_in": where, "projects": c.projects, "score": c.score, "components": comps}


# -- text ----------------------------------------------------------------------------------------

def _rows_text(rows: list[dict[str, str]]) -> str:
    return "; ".join(f"{r['file'] or r['document']} {r['locator']}".strip() for r in rows)


def format_partners(result: dict[str, Any]) -> str:
    """The answer of :func:`partner_search` as text for people (method, ranking, evidence)."""
    seed = result["seed"]
    out: list[str] = []
    head = seed["entity"]["label"] if seed["entity"] else f"search {seed['query']!r}"
    kind = seed["kind"] if seed["entity"] else "free search"
    out.append(f"Partners for {head} ({kind}): {len(seed['organisations'])} seed organisation(s), "
               f"{seed.get('projects', 0)} project(s), {len(seed.get('programme_parts', []))} programme part(s)")
    f = result["filters"]
    shown = [f"region {f['region']['label']}" if f["region"] else "",
             f"ecosystem {f['ecosystem']['label']}" if f["ecosystem"] else "",
             f"programme {f['programme']['label']}" if f["programme"] else "",
             "new partners only" if f["new_only"] else ""]
    if any(shown):
        out.append("filters: " + ", ".join(x for x in shown if x))
    out.append("method:")
    for line in result["method"]["text"]:
        out.extend(textwrap.wrap(line, width=100, initial_indent="  ", subsequent_indent="    "))
    for note in result["notes"]:
        out.append(f"note: {note}")
    if not result["results"]:
        out.append("no partner found")
        return "\n".join(out) + "\n"
    out.append(f"{len(result['results'])} of {result['candidates']:,} candidates:")
    for r in result["results"]:
        typ = r["activity_type"]["label"] if r["activity_type"] else "activity type unknown"
        place = ", ".join(p["label"] for p in r["located_in"])
        out.append("")
        out.append(f"{r['rank']:>3}. {r['label']}  score {r['score']:.3f}")
        out.append(f"     {typ}{' · ' + place if place else ''} · {r['projects']} project(s) · {r['curie']}")
        c = r["components"]
        pp = c["programme_parts"]
        names = ", ".join(x["label"] for x in pp["shared"][:4]) + (" ..." if len(pp["shared"]) > 4 else "")
        out.append(f"     programme parts {pp['value']:.2f}: {len(pp['shared'])} shared of {pp['either']}"
                   + (f" ({names})" if names else ""))
        tp = c["topics"]
        if tp["seed_topics"]:
            out.append(f"     call topics {tp['value']:.2f}: {len(tp['shared'])} shared"
                       + (f" ({', '.join(tp['shared'][:4])})" if tp["shared"] else ""))
        co = c["co_participation"]
        out.append(f"     co-participation {co['value']:.2f}: {co['projects']} joint project(s)")
        for p in co["listed"]:
            out.append(f"       {p['label']} ({p['curie']}): seed {_rows_text(p['seed_rows']) or '-'}; "
                       f"partner {_rows_text(p['rows']) or '-'}")
        at = c["activity_type"]
        seed_types = ", ".join(t["label"] for t in at["seed_types"]) or "none"
        out.append(f"     activity type {at['value']:.2f}: {at['type']['label'] if at['type'] else 'unknown'} "
                   f"(seed: {seed_types}){'; ' + _rows_text(at['rows'][:2]) if at['rows'] else ''}")
        nw = c["network"]
        where = ("a partner" if nw["steps"] == 1 else
                 f"two steps away, through {nw['via_partners']} partner(s)" if nw["steps"] == 2 else
                 "not within two steps")
        out.append(f"     network {nw['value']:.2f}: {where}")
        for v in nw["listed"]:
            ws = v["with_seed"]["label"] if v["with_seed"] else "?"
            out.append(f"       via {v['partner']['label']}: {ws} / {v['with_candidate']['label']}")
    return "\n".join(out) + "\n"
