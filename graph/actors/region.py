"""Regional profiles: what a NUTS region (levels 0-3) does with EU research and regional funds.

:func:`region_profile` answers, for one region or country, the questions policy staff bring to
several separate tools (the Observatory's and Eye@RIS3's regional profiles, Kohesio, the cluster
collaboration platform): the region's organisations by type (cluster organisations first), its
participations and EC contribution in Horizon 2020 and Horizon Europe by programme part and by
year, its regional-fund operations (cluster operations marked), its organisations' links to
partnerships and initiatives of the policy graph, the regions it collaborates with most, and the
synergies that may be missing. Every figure carries the key of the rows it was computed from
(:func:`evidence_rows` lists them, each with its source table and row).

How things are counted (the profile's ``method`` says the same):

- an organisation is counted in exactly one place, its ``home`` (see :mod:`graph.actors.tables`):
  the most detailed NUTS region its own location gives, else the region of the regional-fund
  programme it benefits from, else its country. A region's organisations are those whose home is
  the region or inside it, so a NUTS 1 figure is the sum of its NUTS 2 regions plus what is known
  only at NUTS 1 level (``rollup`` lists both);
- a participation counts for the region of its organisation; its EC contribution is the amount
  the participation row gives (none: not added); its year is its project's start year;
- a project in several programme parts counts in each of them (so the parts can add up to more
  than the total, which counts every participation once);
- collaborating regions are ranked by the number of distinct projects shared with the region's
  organisations, at the region's own NUTS level (partners known only by country count for their
  country), then by code;
- missing synergies are :func:`graph.network.gaps.gaps` (Adamic-Adar) on the network of the
  region's organisations (cluster organisations and the 40 with the most EC contribution), the
  programme parts they use and the policy entities they are linked to, keeping pairs whose ends
  are not both organisations.

Examples
--------
>>> from graph.store.dataset import Dataset
>>> p = region_profile(Dataset(use_cache=False), "DE")
>>> p["region"]["label"], p["region"]["level"]
('Germany', 0)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import polars as pl

from ..errors import EntityNotFound, InputError
from ..namespaces import curie
from .tables import FRAMEWORKS, ActorTables, actor_tables

if TYPE_CHECKING:
    from ..store.dataset import Dataset

__all__ = ["evidence_rows", "find_region", "format_region", "region_profile"]

CKG = "https://w3id.org/clusterkg/ontology#"
TOP_ORGS = 15
TOP_PARTNERS = 12
GAP_ORGS = 40
NO_TYPE = "type not given"
CLUSTER_TYPE = "cluster organisation"

METHOD = {
    "home": "each organisation is counted in one place: the most detailed NUTS region its own location gives, "
            "else the region of the regional-fund programme it benefits from, else its country",
    "rollup": "a region's figures are those of the organisations whose home is the region or inside it: a "
              "region's total is the sum of its child regions plus what is known only at its own level",
    "contribution": "EC contribution as each participation row gives it (EUR); rows without an amount are "
                    "counted as participations but add nothing",
    "year": "the start year of the participation's project",
    "parts": "a project in several programme parts counts in each of them; the total counts every "
             "participation once",
    "collaborations": "regions ranked by the number of distinct projects their organisations share with the "
                      "region's organisations, at the region's NUTS level (partners known only by country count "
                      "for their country), then by code",
    "organisations": "organisations ranked by EC contribution, then the eligible cost of their regional-fund "
                     "operations, then participations, then name",
    "gaps": "Adamic-Adar link prediction (graph.network.gaps) on the network of the region's cluster "
            "organisations and its 40 organisations with the most EC contribution, the programme parts they use "
            "and the policy entities they are linked to; pairs of two organisations are left to partner search",
}


# -- which region ----------------------------------------------------------------------------------

def find_region(ds: Dataset, name: str, tables: ActorTables | None = None) -> dict[str, Any]:
    """The region or country ``name`` names: a NUTS code (``DE1``, ``el30``), a country code or ISO
    alpha-3 code, a name the entity index knows, or an IRI.

    Raises :class:`~graph.errors.EntityNotFound` (exit 2) when nothing matches, or
    :class:`~graph.errors.InputError` when the name is an entity that is not a region.
    """
    t = tables or actor_tables(ds)
    text = name.strip()
    if not text:
        raise InputError("give a NUTS code or a region name")
    by_code = {r["code"]: r for r in t.regions.iter_rows(named=True)}
    by_iri = {r["iri"]: r for r in by_code.values()}
    hit = by_code.get(text.upper())
    if hit is None:
        hit = by_iri.get(text)
    if hit is None:
        try:
            iri = ds.resolve(text)
        except EntityNotFound as exc:
            raise EntityNotFound(text, exc.candidates) from None
        hit = by_iri.get(iri)
        if hit is None:
            raise InputError(f"{ds.label(iri)!r} is not a NUTS region or a country (give a NUTS code such as "
                             f"DE1 or a region name)")
    return dict(hit)


def _chain(t: ActorTables, code: str) -> list[dict[str, Any]]:
    """The region and its ancestors, country last."""
    by_code = {r["code"]: r for r in t.regions.iter_rows(named=True)}
    out = []
    seen = set()
    cur = by_code.get(code)
    while cur is not None and cur["code"] not in seen:
        seen.add(cur["code"])
        out.append(cur)
        cur = by_code.get(cur["parent"]) if cur["parent"] else None
    return out


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    return {"code": r["code"], "label": r["label"], "level": r["level"], "iri": r["iri"], "curie": curie(r["iri"])}


# -- evidence keys ---------------------------------------------------------------------------------

def _key(kind: str, code: str, **filters: Any) -> str:
    """The evidence key of a figure: ``KIND?region=CODE&...`` (what :func:`evidence_rows` takes)."""
    q = {"region": code, **{k: v for k, v in filters.items() if v not in (None, "")}}
    return f"{kind}?{urlencode(q)}"


def _in_region(col: str, code: str) -> pl.Expr:
    return pl.col(col).str.starts_with(code)


# -- the profile -----------------------------------------------------------------------------------

def region_profile(ds: Dataset, name: str, *, top: int = TOP_ORGS, partners: int = TOP_PARTNERS,
                   gaps: bool = True) -> dict[str, Any]:
    """The profile of the region or country ``name`` (see the module documentation), as plain data.

    Parameters
    ----------
    ds : Dataset
        The dataset with the imported actors (``clusterkg import``).
    name : str
        A NUTS code, country code, region name or IRI (see :func:`find_region`).
    top : int
        How many organisations to list (all are counted).
    partners : int
        How many collaborating regions to list.
    gaps : bool
        Compute the missing synergies (the slowest part on a large country).
    """
    started = time.perf_counter()
    t = actor_tables(ds)
    reg = find_region(ds, name, t)
    code = reg["code"]
    chain = _chain(t, code)
    children = t.regions.filter(pl.col("parent") == code).sort("code")
    orgs = t.orgs.filter(_in_region("home", code))
    org_set = orgs.select("org")
    parts = t.parts.join(org_set, on="org", how="semi")
    prof: dict[str, Any] = {
        "region": {**_brief(reg), "country": _brief(chain[-1]) if chain else None,
                   "parent": _brief(chain[1]) if len(chain) > 1 else None,
                   "ancestors": [_brief(r) for r in chain[1:]],
                   "children": [_brief(r) for r in children.iter_rows(named=True)]},
        "method": METHOD,
    }
    prof["organisations"] = _organisations(t, orgs, parts, code, top)
    prof["research"] = _research(t, parts, code)
    prof["operations"] = _operations(t, code)
    prof["cohesion"] = _cohesion(t, code)
    prof["policy_links"] = _policy_links(t, orgs, code)
    prof["collaborations"] = _collaborations(t, parts, code, int(reg["level"]), partners)
    prof["rollup"] = _rollup(t, code, children)
    prof["gaps"] = _gaps(t, orgs, parts, code) if gaps else None
    prof["elapsed"] = round(time.perf_counter() - started, 3)
    return prof


def _money(x: Any) -> float:
    return round(float(x or 0.0), 2)


def _organisations(t: ActorTables, orgs: pl.DataFrame, parts: pl.DataFrame, code: str, top: int) -> dict[str, Any]:
    typed = orgs.with_columns(
        pl.when(pl.col("cluster")).then(pl.lit(CLUSTER_TYPE))
        .when(pl.col("activity") == "").then(pl.lit(NO_TYPE))
        .otherwise(pl.col("activity")).alias("type"))
    counts = typed.group_by("type").agg(pl.len().alias("n"))
    order = {CLUSTER_TYPE: 0, NO_TYPE: 2}
    by_type = sorted(((r["type"], r["n"]) for r in counts.iter_rows(named=True)),
                     key=lambda x: (order.get(x[0], 1), -x[1], x[0]))
    per_org = parts.group_by("org").agg(pl.len().alias("participations"),
                                        pl.col("project").n_unique().alias("projects"),
                                        pl.col("contribution").sum().alias("ec_contribution"))
    ops = t.operations.filter(pl.col("org") != "").unique(subset=["operation", "org"]).group_by("org").agg(
        pl.len().alias("operations"), pl.col("cost").sum().alias("operations_cost"))
    ranked = typed.join(per_org, on="org", how="left").join(ops, on="org", how="left").with_columns(
        pl.col("participations").fill_null(0), pl.col("projects").fill_null(0),
        pl.col("ec_contribution").fill_null(0.0), pl.col("operations").fill_null(0),
        pl.col("operations_cost").fill_null(0.0))
    ranked = ranked.sort(["ec_contribution", "operations_cost", "participations", "label", "org"],
                         descending=[True, True, True, False, False])

    def item(r: dict[str, Any]) -> dict[str, Any]:
        return {"iri": r["org"], "curie": curie(r["org"]), "label": r["label"], "type": r["type"],
                "home": r["home"], "basis": r["basis"], "participations": r["participations"],
                "projects": r["projects"], "ec_contribution": _money(r["ec_contribution"]),
                "operations": r["operations"], "operations_cost": _money(r["operations_cost"]),
                "rows": _key("participations", code, org=r["org"])}

    clusters = ranked.filter(pl.col("cluster"))
    return {
        "total": orgs.height,
        "rows": _key("organisations", code),
        "by_type": [{"type": ty, "count": n, "rows": _key("organisations", code, type=ty)} for ty, n in by_type],
        "by_basis": [{"basis": b, "count": n} for b, n in sorted(
            Counter_(orgs.get_column("basis").to_list()).items(), key=lambda kv: (-kv[1], kv[0]))],
        "cluster_organisations": [item(r) for r in clusters.head(50).iter_rows(named=True)],
        "cluster_total": clusters.height,
        "top": [item(r) for r in ranked.head(top).iter_rows(named=True)],
    }


def Counter_(values: list[str]) -> dict[str, int]:  # noqa: N802 - a tiny local helper
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _research(t: ActorTables, parts: pl.DataFrame, code: str) -> dict[str, Any]:
    """Participations and EC contribution: total, by framework, by programme part, by year."""
    proj = t.projects
    one = proj.group_by("project").agg(pl.col("framework").first(), pl.col("year").first())
    p1 = parts.join(one, on="project", how="left").with_columns(pl.col("framework").fill_null(""))

    def figures(df: pl.DataFrame) -> dict[str, Any]:
        return {"participations": df.height, "projects": df.get_column("project").n_unique(),
                "organisations": df.get_column("org").n_unique(),
                "ec_contribution": _money(df.get_column("contribution").sum())}

    total = {**figures(p1), "rows": _key("participations", code)}
    by_fw = []
    for fw in [*FRAMEWORKS, ""]:
        df = p1.filter(pl.col("framework") == fw)
        if df.height:
            by_fw.append({"framework": fw, "label": t.label(fw) if fw else "programme not given", **figures(df),
                          "rows": _key("participations", code, framework=fw or "none")})
    pp = parts.join(proj.select("project", "part", "framework"), on="project", how="left").with_columns(
        pl.col("part").fill_null(""), pl.col("framework").fill_null(""))
    by_part = []
    for (fw, part), df in sorted(pp.group_by(["framework", "part"]), key=lambda kv: (
            FRAMEWORKS.index(kv[0][0]) if kv[0][0] in FRAMEWORKS else 9, kv[0][1] == "", t.label(kv[0][1] or "")
            if kv[0][1] else "")):
        by_part.append({"part": part, "curie": curie(part) if part else "", "label": t.label(part) if part else
                        "programme part not given", "framework": fw, **figures(df),
                        "rows": _key("participations", code, part=part or "none")})
    years = sorted({y for y in p1.get_column("year").to_list() if y is not None})
    by_year = []
    for y in [*years, None]:
        df = p1.filter(pl.col("year").is_null() if y is None else pl.col("year") == y)
        if not df.height:
            continue
        row = {"year": y, **figures(df), "rows": _key("participations", code, year=y if y is not None else "none"),
               "by_framework": []}
        for fw in [*FRAMEWORKS, ""]:
            d2 = df.filter(pl.col("framework") == fw)
            if d2.height:
                row["by_framework"].append({"framework": fw, "label": t.label(fw) if fw else "programme not given",
                                            "participations": d2.height,
                                            "ec_contribution": _money(d2.get_column("contribution").sum()),
                                            "rows": _key("participations", code, framework=fw or "none",
                                                         year=y if y is not None else "none")})
        by_year.append(row)
    by_part_year = []
    for (part, y), df in pp.join(one.select("project", "year"), on="project", how="left").group_by(["part", "year"]):
        by_part_year.append({"part": part, "year": y, "participations": df.height,
                             "ec_contribution": _money(df.get_column("contribution").sum()),
                             "rows": _key("participations", code, part=part or "none",
                                          year=y if y is not None else "none")})
    by_part_year.sort(key=lambda r: (r["part"], r["year"] if r["year"] is not None else 9999))
    return {"total": total, "by_framework": by_fw, "by_part": by_part, "by_year": by_year,
            "by_part_year": by_part_year}


def _operations(t: ActorTables, code: str) -> dict[str, Any]:
    ops = t.operations.filter(_in_region("home", code))
    one = ops.unique(subset=["operation"], keep="first").sort(["cluster", "cost", "operation"],
                                                                descending=[True, True, False])
    bens: dict[str, list[str]] = {}
    for op, org in ops.select("operation", "org").iter_rows():
        if org:
            bens.setdefault(op, []).append(org)
    org_label = dict(t.orgs.select("org", "label").iter_rows())
    items = []
    for r in one.head(100).iter_rows(named=True):
        items.append({"iri": r["operation"], "curie": curie(r["operation"]), "label": r["label"],
                      "cluster": r["cluster"], "eligible_cost": r["cost"], "year": r["year"],
                      "programme": r["programme"], "programme_label": t.label(r["programme"]) if r["programme"] else "",
                      "beneficiaries": [{"iri": o, "label": org_label.get(o, o)} for o in bens.get(r["operation"], [])],
                      "rows": _key("operations", code, operation=r["operation"])})
    clusters = one.filter(pl.col("cluster"))
    programmes = []
    for prog, df in sorted(one.group_by("programme"), key=lambda kv: kv[0][0]):
        programmes.append({"programme": prog[0], "label": t.label(prog[0]) if prog[0] else "",
                           "operations": df.height, "eligible_cost": _money(df.get_column("cost").sum()),
                           "rows": _key("operations", code, programme=prog[0])})
    return {"total": one.height, "eligible_cost": _money(one.get_column("cost").sum()),
            "cluster_operations": clusters.height,
            "cluster_eligible_cost": _money(clusters.get_column("cost").sum()),
            "rows": _key("operations", code), "cluster_rows": _key("operations", code, cluster="yes"),
            "by_programme": programmes, "items": items, "more": max(0, one.height - len(items))}


def _cohesion(t: ActorTables, code: str) -> dict[str, Any]:
    s = t.summaries.filter(_in_region("home", code))
    return {"beneficiaries": s.get_column("org").n_unique(), "rows_count": s.height,
            "eu_contribution": _money(s.get_column("eu").sum()), "total_budget": _money(s.get_column("budget").sum()),
            "projects": int(s.get_column("projects").sum() or 0), "rows": _key("cohesion", code)}


def _policy_links(t: ActorTables, orgs: pl.DataFrame, code: str) -> dict[str, Any]:
    links = t.links.join(orgs.select("org"), on="org", how="semi")
    out = []
    for (entity, pred), df in links.group_by(["entity", "predicate"]):
        out.append({"entity": entity, "curie": curie(entity), "label": t.label(entity), "class": t.class_of(entity),
                    "linkage": t.label(pred) if t.label(pred) != pred.rsplit("/", 1)[-1] else curie(pred),
                    "predicate": curie(pred), "organisations": df.get_column("org").n_unique(),
                    "rows": _key("links", code, entity=entity, predicate=pred)})
    out.sort(key=lambda x: (-x["organisations"], x["label"].casefold(), x["predicate"]))
    here = t.located.filter(_in_region("home", code) | (pl.lit(code).str.starts_with(pl.col("home"))
                                                        & (pl.col("home").str.len_chars() < len(code))))
    located = []
    for (entity,), df in here.group_by(["entity"]):
        homes = sorted(df.get_column("home").to_list())
        located.append({"entity": entity, "curie": curie(entity), "label": t.label(entity),
                        "class": t.class_of(entity), "places": homes,
                        "scope": "here" if any(h.startswith(code) for h in homes) else "in an enclosing region"})
    located.sort(key=lambda x: (x["scope"] != "here", x["label"].casefold()))
    return {"links": out, "located": located}


def _collaborations(t: ActorTables, parts: pl.DataFrame, code: str, level: int, top: int) -> dict[str, Any]:
    projects = parts.select("project").unique()
    width = 2 + level
    everyone = t.parts.join(projects, on="project", how="semi").join(
        t.orgs.select("org", "home"), on="org", how="left").with_columns(pl.col("home").fill_null(""))
    own = everyone.filter(_in_region("home", code))
    others = everyone.filter(~_in_region("home", code) & (pl.col("home") != "")).with_columns(
        pl.col("home").str.slice(0, width).alias("partner"))
    shared = others.group_by("partner").agg(pl.col("project").n_unique().alias("shared_projects"),
                                            pl.col("org").n_unique().alias("partner_organisations"))
    shared = shared.sort(["shared_projects", "partner"], descending=[True, False])
    labels = dict(t.regions.select("code", "label").iter_rows())
    items = [{"code": r["partner"], "label": labels.get(r["partner"], r["partner"]),
              "known_at": "country" if len(r["partner"]) == 2 else f"NUTS {len(r['partner']) - 2}",
              "shared_projects": r["shared_projects"], "partner_organisations": r["partner_organisations"],
              "rows": _key("participations", code, partner=r["partner"])}
             for r in shared.head(top).iter_rows(named=True)]
    unknown = everyone.filter(pl.col("home") == "").get_column("project").n_unique()
    return {"method": METHOD["collaborations"], "level": level, "projects": projects.height,
            "projects_with_partners": others.get_column("project").n_unique(),
            "projects_only_here": projects.height - others.get_column("project").n_unique(),
            "partner_regions": shared.height, "items": items, "projects_with_unlocated_partners": unknown,
            "internal_pairs_rows": _key("participations", code), "own_participations": own.height}


def _figures_of(t: ActorTables, prefix: str, exact: bool = False) -> dict[str, Any]:
    o = t.orgs.filter(pl.col("home") == prefix) if exact else t.orgs.filter(_in_region("home", prefix))
    p = t.parts.join(o.select("org"), on="org", how="semi")
    ops = t.operations.filter(pl.col("home") == prefix) if exact else t.operations.filter(_in_region("home", prefix))
    return {"organisations": o.height, "participations": p.height,
            "ec_contribution": _money(p.get_column("contribution").sum()),
            "operations": ops.get_column("operation").n_unique()}


def _rollup(t: ActorTables, code: str, children: pl.DataFrame) -> dict[str, Any]:
    """The region's figures as the sum of its child regions plus what is known only at its level."""
    rows = [{"code": r["code"], "label": r["label"], **_figures_of(t, r["code"]),
             "rows": _key("participations", r["code"])} for r in children.iter_rows(named=True)]
    here = _figures_of(t, code, exact=True)
    total = _figures_of(t, code)
    # organisations whose home is inside the region but under no listed child (a code the NUTS
    # table does not have): shown, so that the sum still holds
    kids = [r["code"] for r in rows]
    stray_o = t.orgs.filter(_in_region("home", code) & (pl.col("home") != code))
    if kids:
        stray_o = stray_o.filter(~pl.any_horizontal([pl.col("home").str.starts_with(k) for k in kids]))
    stray = {"organisations": stray_o.height, "participations": 0, "ec_contribution": 0.0, "operations": 0}
    if stray_o.height:
        sp = t.parts.join(stray_o.select("org"), on="org", how="semi")
        stray.update(participations=sp.height, ec_contribution=_money(sp.get_column("contribution").sum()))
    return {"children": rows, "at_this_level": here, "elsewhere_inside": stray, "total": total}


def _gaps(t: ActorTables, orgs: pl.DataFrame, parts: pl.DataFrame, code: str) -> dict[str, Any]:
    """Missing synergies around the region's actors (see the module documentation)."""
    import networkx as nx

    from ..network.gaps import gaps

    per_org = parts.group_by("org").agg(pl.col("contribution").sum().alias("c"))
    ranked = orgs.join(per_org, on="org", how="left").with_columns(pl.col("c").fill_null(0.0)).sort(
        ["c", "org"], descending=[True, False])
    chosen = pl.concat([ranked.filter(pl.col("cluster")), ranked.head(GAP_ORGS)]).unique(subset=["org"],
                                                                                         keep="first")
    net = nx.MultiDiGraph()

    def node(iri: str, label: str, cls: str, cls_curie: str) -> None:
        if iri not in net:
            net.add_node(iri, label=label, curie=curie(iri), **{"class": cls}, class_curie=cls_curie,
                         classes=[cls_curie])

    for r in chosen.iter_rows(named=True):
        node(r["org"], r["label"], CLUSTER_TYPE if r["cluster"] else "organisation",
             "ckg:ClusterOrganisation" if r["cluster"] else "ckg:Organisation")
    ids = chosen.select("org")
    used = t.parts.join(ids, on="org", how="semi").join(t.projects.select("project", "part"), on="project",
                                                         how="left")
    used = used.filter(pl.col("part").is_not_null() & (pl.col("part") != ""))
    for (org, part), df in used.group_by(["org", "part"]):
        node(part, t.label(part), t.class_of(part) or "programme part", "ckg:ProgrammePart")
        n = df.get_column("project").n_unique()
        net.add_edge(org, part, key="ckg:participatesIn", kind="property", predicate="ckg:participatesIn",
                     linkage="takes part in projects of", label=f"takes part in {n} project(s) of",
                     provenance=[], source_text=f"{n} participation row(s)")
    for org, pred, ent in t.links.join(ids, on="org", how="semi").iter_rows():
        node(ent, t.label(ent), t.class_of(ent) or "entity", "ckg:Entity")
        plabel = t.label(pred)
        net.add_edge(org, ent, key=curie(pred), kind="property", predicate=curie(pred), linkage=plabel,
                     label=plabel, provenance=[], source_text="")
    if net.number_of_nodes() < 3:
        return {"method": METHOD["gaps"], "candidates": 0, "suggestions": [], "network": {
            "entities": net.number_of_nodes(), "linkages": net.number_of_edges()}}
    res = gaps(net, types=(), top=None, method="adamic-adar", default_exclusions=False)
    org_classes = {"organisation", CLUSTER_TYPE}
    keep = [s for s in res["suggestions"] if not (s["a"]["class"] in org_classes and s["b"]["class"] in org_classes)]
    for i, s in enumerate(keep, 1):
        s["rank"] = i
    return {"method": METHOD["gaps"], "candidates": len(keep), "suggestions": keep[:20],
            "network": {"entities": net.number_of_nodes(), "linkages": net.number_of_edges()}}


# -- evidence ----------------------------------------------------------------------------------

_Q_SOURCES = """
SELECT ?x ?locator ?file WHERE {
  VALUES ?x { %s }
  ?x prov:wasDerivedFrom ?passage .
  OPTIONAL { ?passage ckg:locator ?locator }
  OPTIONAL { ?passage ckg:inDocument ?doc . OPTIONAL { ?doc ckg:fileName ?file } }
}"""

EVIDENCE_KINDS = ("participations", "organisations", "operations", "cohesion", "links")


def parse_key(key: str) -> tuple[str, dict[str, str]]:
    """``"participations?region=DE&year=2016"`` → ``("participations", {"region": "DE", "year": "2016"})``."""
    kind, _, query = key.partition("?")
    if kind not in EVIDENCE_KINDS:
        raise InputError(f"unknown kind of rows {kind!r} (one of {', '.join(EVIDENCE_KINDS)})")
    filters = dict(parse_qsl(query, keep_blank_values=False))
    if "region" not in filters:
        raise InputError("the rows key needs region=CODE")
    return kind, filters


def evidence_frame(ds: Dataset, key: str) -> tuple[str, pl.DataFrame]:
    """The rows behind a figure (its evidence key), as a frame, before their sources are looked up."""
    t = actor_tables(ds)
    kind, f = parse_key(key)
    code = find_region(ds, f["region"], t)["code"]
    orgs = t.orgs.filter(_in_region("home", code))
    if kind == "organisations":
        df = orgs
        if "type" in f:
            ty = f["type"]
            df = df.filter(pl.col("cluster") if ty == CLUSTER_TYPE else
                           (~pl.col("cluster") & (pl.col("activity") == ("" if ty == NO_TYPE else ty))))
        return kind, df.sort(["label", "org"]).select("org", "label", "cluster", "activity", "home", "basis")
    if kind == "operations":
        df = t.operations.filter(_in_region("home", code))
        if f.get("cluster") == "yes":
            df = df.filter(pl.col("cluster"))
        if "programme" in f:
            df = df.filter(pl.col("programme") == f["programme"])
        if "operation" in f:
            df = df.filter(pl.col("operation") == f["operation"])
        return kind, df.sort("operation")
    if kind == "cohesion":
        return kind, t.summaries.filter(_in_region("home", code)).sort("summary")
    if kind == "links":
        df = t.links.join(orgs.select("org"), on="org", how="semi")
        if "entity" in f:
            df = df.filter(pl.col("entity") == f["entity"])
        if "predicate" in f:
            df = df.filter(pl.col("predicate") == f["predicate"])
        return kind, df.sort(["org", "entity"])
    parts = t.parts.join(orgs.select("org"), on="org", how="semi")
    if "org" in f:
        parts = parts.filter(pl.col("org") == f["org"])
    one = t.projects.group_by("project").agg(pl.col("framework").first(), pl.col("year").first())
    parts = parts.join(one, on="project", how="left").with_columns(pl.col("framework").fill_null(""))
    if "framework" in f:
        parts = parts.filter(pl.col("framework") == ("" if f["framework"] == "none" else f["framework"]))
    if "year" in f:
        parts = parts.filter(pl.col("year").is_null() if f["year"] == "none" else
                             pl.col("year") == _int(f["year"]))
    if "part" in f:
        want = "" if f["part"] == "none" else f["part"]
        pp = t.projects.with_columns(pl.col("part").fill_null("")).filter(pl.col("part") == want).select("project")
        parts = parts.join(pp.unique(), on="project", how="semi")
    if "partner" in f:
        partner = f["partner"]
        pr = t.parts.join(t.orgs.select("org", "home"), on="org", how="left").filter(
            pl.col("home").is_not_null() & pl.col("home").str.starts_with(partner)
            & ~pl.col("home").str.starts_with(code)).select("project").unique()
        parts = parts.join(pr, on="project", how="semi")
    labels = t.orgs.select("org", pl.col("label").alias("org_label"))
    parts = parts.join(labels, on="org", how="left")
    return kind, parts.sort(["project", "participation"])


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"not a year: {text!r}") from None


def evidence_rows(ds: Dataset, key: str, *, page: int = 1, size: int = 100) -> dict[str, Any]:
    """One page of the rows behind a figure, each with the source table and row it was imported from."""
    kind, df = evidence_frame(ds, key)
    total = df.height
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = df.slice((page - 1) * size, size).to_dicts()
    id_col = {"participations": "participation", "organisations": "org", "operations": "operation",
              "cohesion": "summary", "links": "org"}[kind]
    ids = sorted({r[id_col] for r in rows})
    sources: dict[str, list[dict[str, str]]] = {}
    if ids:
        for x, loc, file in ds.select(_Q_SOURCES % " ".join(f"<{i}>" for i in ids)):
            sources.setdefault(x.value, []).append({"file": file.value if file is not None else "",
                                                    "row": loc.value if loc is not None else ""})
    for r in rows:
        r["sources"] = sorted(sources.get(r[id_col], []), key=lambda s: (s["file"], s["row"]))
        for k, v in list(r.items()):
            if isinstance(v, float):
                r[k] = round(v, 2)
    ids_all = df.get_column(id_col).unique().to_list() if total <= 2000 else None
    columns = [c for c in df.columns if not c.endswith("_label")]
    return {"key": key, "kind": kind, "region": parse_key(key)[1]["region"].upper(), "columns": columns,
            "total": total, "page": page, "pages": pages, "size": size, "rows": rows,
            "sparql": evidence_sparql(kind, ids_all) if ids_all is not None else None,
            "ec_contribution": _money(df.get_column("contribution").sum()) if "contribution" in df.columns else None}


def evidence_sparql(kind: str, ids: list[str]) -> str:
    """A SPARQL query listing these rows with their source (table file and row), for ``clusterkg query``."""
    values = " ".join(f"<{i}>" for i in sorted(ids))
    if kind == "participations":
        return ("SELECT ?participation ?organisation ?project ?contribution ?file ?row WHERE {\n"
                f"  VALUES ?participation {{ {values} }}\n"
                "  ?participation ckg:participant ?organisation ; ckg:inProject ?project .\n"
                "  OPTIONAL { ?participation ckg:ecContribution ?contribution }\n"
                "  OPTIONAL { ?participation prov:wasDerivedFrom ?p . ?p ckg:locator ?row ; ckg:inDocument ?t .\n"
                "             ?t ckg:fileName ?file }\n} ORDER BY ?project ?participation")
    return ("SELECT ?x ?file ?row WHERE {\n"
            f"  VALUES ?x {{ {values} }}\n"
            "  OPTIONAL { ?x prov:wasDerivedFrom ?p . ?p ckg:locator ?row ; ckg:inDocument ?t .\n"
            "             ?t ckg:fileName ?file }\n"
            "} ORDER BY ?x")


# -- text --------------------------------------------------------------------------------------

def _eur(x: float | None) -> str:
    return "—" if x is None else f"€{x:,.0f}"


def format_region(p: dict[str, Any]) -> str:
    """The profile as text for people (what ``clusterkg region`` prints)."""
    r = p["region"]
    lines = [f"{r['label']} ({r['code']}, {'country' if r['level'] == 0 else 'NUTS ' + str(r['level'])})"]
    if r["ancestors"]:
        lines.append("part of: " + " < ".join(f"{a['label']} ({a['code']})" for a in r["ancestors"]))
    if r["children"]:
        kids = ", ".join(f"{c['code']} {c['label']}" for c in r["children"][:12])
        more = f" and {len(r['children']) - 12} more" if len(r["children"]) > 12 else ""
        lines.append(f"regions in it: {kids}{more}")
    o = p["organisations"]
    lines += ["", f"Organisations: {o['total']:,}"]
    for b in o["by_type"]:
        lines.append(f"  {b['count']:>8,}  {b['type']}")
    if o["by_basis"]:
        lines.append("  counted here by: " + "; ".join(f"{b['basis']} {b['count']:,}" for b in o["by_basis"]))
    if o["cluster_organisations"]:
        lines.append(f"  cluster organisations ({o['cluster_total']:,}):")
        for c in o["cluster_organisations"][:10]:
            lines.append(f"    {c['label']} [{c['home']}]  {c['participations']} participation(s), "
                         f"{_eur(c['ec_contribution'])}; {c['operations']} regional-fund operation(s), "
                         f"{_eur(c['operations_cost'])}")
    if o["top"]:
        lines.append(f"  top organisations ({p['method']['organisations']}):")
        for i, c in enumerate(o["top"], 1):
            ops = f"; {c['operations']} operation(s), {_eur(c['operations_cost'])}" if c["operations"] else ""
            lines.append(f"  {i:>3}. {c['label']} ({c['type']}, {c['home']}): {c['participations']} "
                         f"participation(s) in {c['projects']} project(s), {_eur(c['ec_contribution'])}{ops}")
    rs = p["research"]
    tot = rs["total"]
    lines += ["", f"Research and innovation (Horizon 2020, Horizon Europe): {tot['participations']:,} participations "
              f"in {tot['projects']:,} projects by {tot['organisations']:,} organisations, "
              f"EC contribution {_eur(tot['ec_contribution'])}"]
    for f in rs["by_framework"]:
        lines.append(f"  {f['label']}: {f['participations']:,} participations, {_eur(f['ec_contribution'])}")
    if rs["by_part"]:
        lines.append(f"  by programme part ({p['method']['parts']}):")
        for b in rs["by_part"]:
            lines.append(f"    {b['label'][:60]:<60} {b['participations']:>7,} {_eur(b['ec_contribution']):>16}")
    if rs["by_year"]:
        lines.append("  by start year of the project:")
        for b in rs["by_year"]:
            y = b["year"] if b["year"] is not None else "unknown"
            lines.append(f"    {y!s:<8} {b['participations']:>7,} participations {_eur(b['ec_contribution']):>16}")
    op = p["operations"]
    lines += ["", f"Regional-fund operations: {op['total']:,} (cluster operations: {op['cluster_operations']:,}), "
              f"eligible cost {_eur(op['eligible_cost'])}"]
    for it in op["items"][:10]:
        mark = "[cluster] " if it["cluster"] else ""
        lines.append(f"  {mark}{it['label']}: {_eur(it['eligible_cost'])}")
    if op["more"] or op["total"] > 10:
        lines.append(f"  ... {op['total'] - min(10, len(op['items'])):,} more")
    c = p["cohesion"]
    if c["rows_count"]:
        lines.append(f"Cohesion Policy beneficiaries (Kohesio totals): {c['beneficiaries']:,}, EU contribution "
                     f"{_eur(c['eu_contribution'])} in {c['projects']:,} projects")
    pl_ = p["policy_links"]
    lines += ["", f"Links to the policy graph: {len(pl_['links'])} entities linked to the region's organisations"]
    for li in pl_["links"][:12]:
        lines.append(f"  {li['label']} ({li['class']}): {li['linkage']}, {li['organisations']} organisation(s)")
    if pl_["located"]:
        lines.append(f"  policy entities located here or in an enclosing region: {len(pl_['located'])}")
        for li in pl_["located"][:12]:
            lines.append(f"    {li['label']} ({li['class']}; {li['scope']})")
    col = p["collaborations"]
    lines += ["", f"Collaborates most with ({col['method']}):"]
    for i, it in enumerate(col["items"], 1):
        lines.append(f"  {i:>3}. {it['label']} ({it['code']}): {it['shared_projects']:,} shared projects")
    if not col["items"]:
        lines.append("  no shared project with another region")
    ru = p["rollup"]
    if ru["children"]:
        lines += ["", "Roll-up (child regions + known only here = total):"]
        for ch in ru["children"]:
            lines.append(f"  {ch['code']:<6} {ch['label'][:40]:<40} {ch['organisations']:>7,} orgs "
                         f"{ch['participations']:>8,} participations {_eur(ch['ec_contribution']):>16}")
        h = ru["at_this_level"]
        lines.append(f"  {'here':<6} {'known only at this level':<40} {h['organisations']:>7,} orgs "
                     f"{h['participations']:>8,} participations {_eur(h['ec_contribution']):>16}")
        tt = ru["total"]
        lines.append(f"  {'total':<6} {'':<40} {tt['organisations']:>7,} orgs {tt['participations']:>8,} "
                     f"participations {_eur(tt['ec_contribution']):>16}")
    g = p.get("gaps")
    if g is not None:
        lines += ["", f"Missing synergies ({g['method']}):"]
        for s in g["suggestions"][:8]:
            via = ", ".join(e["via"]["label"] for e in s["evidence"][:3])
            lines.append(f"  {s['rank']:>3}. {s['a']['label']} — {s['b']['label']}  score {s['score']:.3f} "
                         f"(via {via})")
        if not g["suggestions"]:
            lines.append("  none found")
    lines += ["", "Every figure's rows: clusterkg region CODE --rows KEY (keys in --format json), or the explorer's "
              "region page."]
    return "\n".join(lines) + "\n"
