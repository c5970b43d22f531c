"""One node per real organisation: entity resolution across the sources of an import and the graph.

Every row (or every item of a multi-valued cell) that names an organisation is a *mention*. Mentions
are grouped by the strongest key they share, in this order:

1. **PIC** (the EU Participant Identification Code): mentions with the same PIC are one organisation;
   two different PICs are never merged.
2. **VAT number**: a mention without a PIC joins the one PIC group that has its VAT number; mentions
   with the same VAT number and no PIC are one organisation.
3. **Normalised name + country (+ town)**: a mention with neither joins the one group that has the
   same normalised name in the same country; if the sources give towns and they differ, the
   mentions stay apart. Names are compared after case-folding, stripping accents and punctuation
   (``Photonics BW e.V.`` = ``PHOTONICS BW EV``); legal forms are kept (``X GmbH`` ≠ ``X AG``).

A group takes the IRI of the organisation the graph already has with the same PIC, VAT or name
(an earlier import), else a new one (``ckr:org-pic-999981634``, ``ckr:org-vat-DE129517720`` or
``ckr:org-<name>-<country>-<hash>``). Curated organisations (in ``data/``) are never merged into:
an imported organisation with the same name (and country, when both have one) is linked to
them with ``skos:exactMatch``. Near misses (names in the same country whose similarity is at
least ``near_miss``, by rapidfuzz's token-sort ratio) and ambiguous cases are reported, not
merged. The merge report has one row per decision: kept id, merged ids, rule, score.

Examples
--------
>>> import polars as pl
>>> from graph.imports.spec import Mention, ResolverSpec
>>> frame = pl.DataFrame({"pic": ["999981634", None, None], "vat": ["NL811383696B01", "NL811383696B01", None],
...                       "name": ["WAGENINGEN UNIVERSITY", "Wageningen University", "Wageningen Universiteit"],
...                       "cc": ["NLD", "NLD", "NLD"], "__row": [2, 3, 4]})
>>> spec = ResolverSpec("organisation", "https://w3id.org/clusterkg/id/org-",
...                     [Mention("orgs", "org", pic="pic", vat="vat", name="name", country="cc")], near_miss=90)
>>> res = resolve(spec, {"orgs": frame}, [])
>>> res.frames["orgs"]["org"].to_list()  # doctest: +NORMALIZE_WHITESPACE
['https://w3id.org/clusterkg/id/org-pic-999981634', 'https://w3id.org/clusterkg/id/org-pic-999981634',
 'https://w3id.org/clusterkg/id/org-wageningen-universiteit-nld-...']
>>> [(m.rule, m.score) for m in res.report]
[('near miss (not merged)', 90.9), ('vat', 100.0)]
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from .clean import normalise_key
from .context import ContextOrganisation
from .spec import ResolverSpec

__all__ = ["MergeRow", "Resolution", "resolve"]

_CKR = "https://w3id.org/clusterkg/id/"


@dataclass(frozen=True, order=True)
class MergeRow:
    """One row of the merge report."""

    kept_id: str
    merged_ids: str
    rule: str
    score: float


@dataclass
class Resolution:
    """What entity resolution did: frames with id columns, the report and the links to curated entities."""

    frames: dict[str, pl.DataFrame]
    report: list[MergeRow] = field(default_factory=list)
    curated_links: list[tuple[str, str]] = field(default_factory=list)  # (imported IRI, curated IRI)
    groups: int = 0
    mentions: int = 0
    merged: int = 0  # distinct mention ids merged into another group


def _slug(text: str, limit: int) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", normalise_key(text)).strip("-")
    return s[:limit].rstrip("-") or "x"


#: Legal forms and similar boilerplate left out when names are compared for near misses (not for
#: merging: ``X GmbH`` and ``X AG`` stay two organisations, reported as a near miss).
LEGAL_FORMS = (
    "spolka z ograniczona odpowiedzialnoscia", "spolka akcyjna", "sp z o o", "sp zoo", "spolka komandytowa",
    "korlatolt felelossegu tarsasag", "kereskedelmi es szolgaltato", "zartkoruen mukodo reszvenytarsasag",
    "drustvo s ogranicenom odgovornoscu", "d o o", "doo", "dd", "eood", "ood", "ead", "ad", "et",
    "spolecnost s rucenim omezenym", "s r o", "sro", "a s", "z s", "uab", "ab", "oy", "oyj", "as", "sia", "ou",
    "gmbh", "ggmbh", "mbh", "ag", "kg", "ev", "e v", "se", "sa", "sas", "sarl", "srl", "spa", "sl", "slu", "bv",
    "nv", "ltd", "limited", "plc", "inc", "llc", "kft", "bt", "zrt", "nyrt", "ug", "co", "company", "aps", "asbl",
    "vzw", "ike", "epe", "lda", "scrl",
)
_LEGAL = re.compile(r"\b(?:" + "|".join(sorted((re.escape(x) for x in LEGAL_FORMS), key=len, reverse=True))
                    + r")\b")


def _fuzzy_key(nkey: str) -> str:
    """A normalised name without legal forms, for near-miss comparison."""
    return " ".join(_LEGAL.sub(" ", nkey).split())


def _vat_key(v: str) -> str:
    return re.sub(r"[^0-9A-Z+*]", "", v.upper())


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if (_rank(rb), rb) < (_rank(ra), ra):  # the strongest id (pic, vat, name), then the smallest, is the root
            ra, rb = rb, ra
        self.parent[rb] = ra


def _rank(mid: str) -> int:
    return {"pic": 0, "vat": 1, "name": 2}[mid.split(":", 1)[0]]


def _mentions(spec: ResolverSpec, frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """All mentions as one frame: m (mention index), rid, pos, row, pic, vat, name, country, town."""
    parts = []
    for i, m in enumerate(spec.mentions):
        f = frames[m.source].with_row_index("rid")
        cols = {k: getattr(m, k) for k in ("pic", "vat", "name", "country", "town")}
        sel = [pl.col("rid").cast(pl.Int64), pl.col("__row").alias("row")]
        for k, c in cols.items():
            sel.append(pl.col(c).alias(k) if c else pl.lit(None, dtype=pl.Utf8).alias(k))
        if m.each:
            each = list(m.each)
            f = (f.select("rid", "__row", *each).filter(pl.col(each[0]).list.len() > 0)
                 .with_columns(pl.int_ranges(pl.col(each[0]).list.len()).alias("pos")))
            f = f.explode([*each, "pos"])
            sel.append(pl.col("pos").cast(pl.Int64))
        else:
            sel.append(pl.lit(0, dtype=pl.Int64).alias("pos"))
        part = f.select(sel).with_columns(pl.lit(i, dtype=pl.Int64).alias("m"))
        parts.append(part.select("m", "rid", "pos", "row", "pic", "vat", "name", "country", "town"))
    out = pl.concat(parts, how="vertical_relaxed")
    out = out.with_columns(
        pl.col("pic").str.replace_all(r"\D", ""),
        pl.col("vat").map_elements(_vat_key, return_dtype=pl.Utf8),
        pl.col("name").map_elements(normalise_key, return_dtype=pl.Utf8).alias("nkey"),
        pl.col("town").map_elements(normalise_key, return_dtype=pl.Utf8).alias("tkey"),
        pl.col("country").str.to_uppercase(),
    ).with_columns(
        pl.when(pl.col("pic") == "").then(None).otherwise(pl.col("pic")).alias("pic"),
        pl.when(pl.col("vat") == "").then(None).otherwise(pl.col("vat")).alias("vat"),
        pl.when(pl.col("nkey") == "").then(None).otherwise(pl.col("nkey")).alias("nkey"),
    )
    mid = (pl.when(pl.col("pic").is_not_null()).then(pl.lit("pic:") + pl.col("pic"))
           .when(pl.col("vat").is_not_null()).then(pl.lit("vat:") + pl.col("vat"))
           .when(pl.col("nkey").is_not_null()).then(
               pl.lit("name:") + pl.col("nkey") + pl.lit("|") + pl.col("country").fill_null("")
               + pl.lit("|") + pl.col("tkey").fill_null(""))
           .otherwise(None))
    return out.with_columns(mid.alias("mid"))


def resolve(spec: ResolverSpec, frames: Mapping[str, pl.DataFrame],
            context: Sequence[ContextOrganisation]) -> Resolution:
    """Resolve the organisations ``spec`` finds in ``frames``; add the id columns it declares."""
    ments = _mentions(spec, frames)
    uf = _UnionFind()
    report: list[MergeRow] = []
    rules: dict[str, set[str]] = defaultdict(set)  # root-independent: mid -> rules that joined it

    # Facts per distinct mention id.
    facts = (ments.filter(pl.col("mid").is_not_null())
             .group_by("mid").agg(pl.col("pic").drop_nulls().unique(), pl.col("vat").drop_nulls().unique(),
                                  pl.col("nkey").drop_nulls().unique(), pl.col("country").drop_nulls().unique(),
                                  pl.col("tkey").drop_nulls().unique(), pl.col("name").drop_nulls().first(),
                                  pl.col("name").drop_nulls().unique().sort().alias("spellings"))
             .sort("mid"))
    mids = facts["mid"].to_list()
    info = {r["mid"]: r for r in facts.iter_rows(named=True)}
    for m in mids:
        uf.find(m)

    # 2. VAT numbers: a PIC group owns the VAT numbers its mentions carry.
    vat_owner: dict[str, set[str]] = defaultdict(set)
    for m in mids:
        if m.startswith("pic:"):
            for v in info[m]["vat"]:
                vat_owner[v].add(m)
    for v, owners in sorted(vat_owner.items()):
        if len(owners) > 1:
            report.append(MergeRow(sorted(owners)[0], " ".join(sorted(owners)[1:]),
                                   f"conflict: VAT {v} on several PICs (not merged)", 100.0))
    for m in mids:
        if m.startswith("vat:"):
            owners = vat_owner.get(m[4:], set())
            if len(owners) == 1:
                uf.union(next(iter(owners)), m)
                rules[m].add("vat")

    # 3. Names within a country.
    groups_by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    towns_of: dict[str, set[str]] = defaultdict(set)
    for m in mids:
        if not m.startswith("name:"):
            root = uf.find(m)
            for n in info[m]["nkey"]:
                for c in info[m]["country"] or [""]:
                    groups_by_name[(n, c)].add(root)
            towns_of[root] |= set(info[m]["tkey"])
    name_blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in mids:
        if m.startswith("name:"):
            _, rest = m.split(":", 1)
            n, c, _t = rest.split("|")
            name_blocks[(n, c)].append(m)
    countryless = {k: v for k, v in name_blocks.items() if not k[1]}
    for (n, c), block in sorted(name_blocks.items()):
        if not c:
            continue
        towns = sorted({m.rsplit("|", 1)[1] for m in block} - {""})
        candidates = sorted({uf.find(g) for g in groups_by_name.get((n, c), set())})
        if len(towns) <= 1:
            for m in block[1:]:
                uf.union(block[0], m)
                rules[m].add("name+country")
            town = towns[0] if towns else ""
            fits = [g for g in candidates if not town or not towns_of[g] or town in towns_of[g]]
            if len(fits) == 1:
                for m in block:
                    uf.union(fits[0], m)
                    rules[m].add("name+country+town" if town else "name+country")
            elif len(fits) > 1:
                report.append(MergeRow(fits[0], " ".join([*fits[1:], *block]),
                                       "ambiguous: same name and country, several identifiers (not merged)", 100.0))
        else:
            by_town: dict[str, list[str]] = defaultdict(list)
            for m in block:
                by_town[m.rsplit("|", 1)[1]].append(m)
            for t, ms in by_town.items():
                if not t:
                    report.append(MergeRow(ms[0], " ".join(ms[1:]),
                                           "ambiguous: same name and country in several towns (not merged)", 100.0))
                    continue
                for m in ms[1:]:
                    uf.union(ms[0], m)
                    rules[m].add("name+country+town")
                fits = [g for g in candidates if t in towns_of[g]]
                if len(fits) == 1:
                    for m in ms:
                        uf.union(fits[0], m)
                        rules[m].add("name+country+town")

    # Names without a country join the one organisation of that name in any country.
    by_name: dict[str, set[str]] = defaultdict(set)
    for m in mids:
        for n in info[m]["nkey"]:
            if info[m]["country"]:
                by_name[n].add(uf.find(m))
    for (n, _c), block in sorted(countryless.items()):
        for m in block[1:]:
            uf.union(block[0], m)
            rules[m].add("name (country unknown)")
        roots = sorted({uf.find(r) for r in by_name.get(n, set())})
        if len(roots) == 1:
            for m in block:
                uf.union(roots[0], m)
                rules[m].add("name (country unknown)")
        elif len(roots) > 1:
            report.append(MergeRow(roots[0], " ".join([*roots[1:], *block]),
                                   "ambiguous: same name in several countries, no country given (not merged)", 100.0))

    # Groups, and their IRIs (reusing the graph's).
    members: dict[str, list[str]] = defaultdict(list)
    for m in mids:
        members[uf.find(m)].append(m)
    ctx_pic: dict[str, str] = {}
    ctx_vat: dict[str, str] = {}
    ctx_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    curated_name: dict[str, list[ContextOrganisation]] = defaultdict(list)
    for org in context:
        if org.curated:
            for n in org.names:
                curated_name[n].append(org)
            continue
        for p in org.pics:
            ctx_pic.setdefault(p, org.iri)
        for v in org.vats:
            ctx_vat.setdefault(v, org.iri)
        for n in org.names:
            for c in org.countries or ("",):
                ctx_name[(n, c)].add(org.iri)
    iri_of: dict[str, str] = {}
    used: set[str] = set()
    spelled = 0
    for root in sorted(members):
        ms = sorted(members[root])
        pics = sorted({p for m in ms for p in info[m]["pic"]})
        vats = sorted({v for m in ms for v in info[m]["vat"]})
        names = sorted({n for m in ms for n in info[m]["nkey"]})
        countries = sorted({c for m in ms for c in info[m]["country"]})
        iri = next((ctx_pic[p] for p in pics if p in ctx_pic), None) or \
            next((ctx_vat[v] for v in vats if v in ctx_vat), None)
        if iri is None and not pics and not vats:
            hits = {i for n in names for c in (countries or [""]) for i in ctx_name.get((n, c), ())}
            rule = "name+country (organisation already in the graph)"
            if not hits and countries:
                hits = {i for n in names for i in ctx_name.get((n, ""), ())}
                rule = "name (organisation already in the graph, without a country)"
            if len(hits) == 1:
                iri = next(iter(hits))
                report.append(MergeRow(iri, " ".join(ms), rule, 100.0))
        if iri is None:
            if pics:
                iri = f"{spec.iri_prefix}pic-{pics[0]}"
            elif vats:
                iri = f"{spec.iri_prefix}vat-{vats[0]}"
            else:
                first = info[ms[0]]
                key = ms[0].split(":", 1)[1]
                digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
                country = (countries[0].lower() + "-") if countries else ""
                iri = f"{spec.iri_prefix}{_slug(first['name'] or key, 48)}-{country}{digest}"
        while iri in used:  # two groups reached the same graph IRI: keep them apart
            iri += "-2"
        used.add(iri)
        for m in ms:
            iri_of[m] = iri
        if len(ms) > 1:
            why = sorted({r for m in ms for r in rules.get(m, ())}) or ["same identifier"]
            report.append(MergeRow(iri, " ".join(ms), "+".join(why), 100.0))
        for m in ms:
            spellings = [str(x) for x in info[m]["spellings"]]
            if m.startswith("name:") and len(spellings) > 1:
                report.append(MergeRow(iri, " | ".join(spellings), "same name once normalised (case, accents, "
                                                                     "punctuation)", 100.0))
                spelled += len(spellings) - 1
        # Links to curated organisations with the same name (and country when both have one).
        linked = set()
        for n in names:
            for org in curated_name.get(n, ()):
                if org.countries and countries and not set(org.countries) & set(countries):
                    continue
                linked.add(org.iri)
        for target in sorted(linked):
            report.append(MergeRow(iri, target, "same name as a curated organisation: skos:exactMatch", 100.0))

    res_curated = sorted({(r.kept_id, r.merged_ids) for r in report if r.rule.endswith("skos:exactMatch")})
    report.extend(_near_misses(spec, info, iri_of, context))

    # Id columns back onto the frames.
    ments = ments.with_columns(pl.col("mid").replace_strict(iri_of, default=None, return_dtype=pl.Utf8).alias("iri"))
    out = dict(frames)
    for i, m in enumerate(spec.mentions):
        mine = ments.filter(pl.col("m") == i)
        f = out[m.source]
        if m.each:
            agg = mine.sort("rid", "pos").group_by("rid", maintain_order=True).agg(pl.col("iri"))
            col = (pl.DataFrame({"rid": pl.Series(range(f.height), dtype=pl.Int64)})
                   .join(agg, on="rid", how="left", maintain_order="left")["iri"])
        else:
            col = (pl.DataFrame({"rid": pl.Series(range(f.height), dtype=pl.Int64)})
                   .join(mine.select("rid", "iri"), on="rid", how="left", maintain_order="left")["iri"])
        out[m.source] = f.with_columns(col.alias(m.column))
    merged = sum(len(v) - 1 for v in members.values()) + spelled
    return Resolution(out, sorted(set(report)), res_curated, len(members), ments.height, merged)


def _near_misses(spec: ResolverSpec, info: Mapping[str, Mapping[str, object]], iri_of: Mapping[str, str],
                 context: Sequence[ContextOrganisation]) -> list[MergeRow]:
    """Pairs of different organisations whose names are close in the same country (reported only)."""
    from rapidfuzz import fuzz, process

    names: dict[tuple[str, str], set[str]] = defaultdict(set)  # (country, fuzzy name) -> IRIs
    for m, i in info.items():
        for n in i["nkey"]:  # type: ignore[attr-defined]
            for c in i["country"] or [""]:  # type: ignore[attr-defined]
                names[(c, _fuzzy_key(n))].add(iri_of[m])
    for org in context:
        for n in org.names:
            for c in org.countries or ("",):
                names[(c, _fuzzy_key(n))].add(org.iri)
    by_country: dict[str, list[str]] = defaultdict(list)
    for c, n in sorted(names):
        if len(n) >= 4:
            by_country[c].append(n)
    mine = set(iri_of.values())
    out: set[MergeRow] = set()
    for c, keys in sorted(by_country.items()):
        if len(keys) < 2:
            continue
        for start in range(0, len(keys), 2000):
            chunk = keys[start:start + 2000]
            scores = process.cdist(chunk, keys, scorer=fuzz.token_sort_ratio, score_cutoff=spec.near_miss,
                                   dtype="uint8", workers=1)
            rows, cols = scores.nonzero()
            for r, k in zip(rows.tolist(), cols.tolist(), strict=True):
                a, b = chunk[r], keys[k]
                if a > b:
                    continue
                ia, ib = names[(c, a)], names[(c, b)]
                if a == b:  # the same name but for the legal form
                    ia, ib = ia, set(ia)
                elif ia & ib:
                    continue
                score = round(fuzz.token_sort_ratio(a, b), 1)
                for x in sorted(ia):
                    for y in sorted(ib):
                        if x != y and (x in mine or y in mine):  # pairs within the graph were reported before
                            kept, other = sorted((x, y))
                            out.add(MergeRow(kept, other, "near miss (not merged)", score))
    return sorted(out)
