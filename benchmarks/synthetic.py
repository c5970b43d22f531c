"""SYNTHETIC test networks shaped like clusterkg's curated data, for benchmarks only.

Everything this writes is invented: entity IRIs live under ``https://example.org/synthetic/``,
every label starts with "SYNTHETIC", and the files go to a temporary folder (never into
``data/``). The shape follows the curated graph: a few fixed hubs (countries, programming
periods, industrial ecosystems, value chains, themes), policies and programmes with their
instruments and calls, many cluster organisations, clusters and partnerships linked by
preferential attachment (so a few entities broker many linkages), reified synergies with type,
direction, status, period and strength, and provenance on every entity and synergy.

Usage::

    python benchmarks/synthetic.py 10000            # prints the path of the N-Triples file
    python benchmarks/synthetic.py 100000 --seed 2 --out /tmp/x.nt
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

CKG = "https://w3id.org/clusterkg/ontology#"
SYN = "https://example.org/synthetic/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"

# class → share of the generated entities (the rest of the shape is fixed hubs)
SHARES = [
    ("ClusterOrganisation", 0.34),
    ("Cluster", 0.18),
    ("ClusterPartnership", 0.08),
    ("Eurocluster", 0.02),
    ("Project", 0.10),
    ("Call", 0.05),
    ("Region", 0.04),
    ("FundingInstrument", 0.02),
    ("Programme", 0.01),
    ("ClusterProgramme", 0.01),
    ("Policy", 0.006),
    ("Strategy", 0.006),
    ("LegalAct", 0.008),
    ("Initiative", 0.02),
    ("Platform", 0.01),
    ("Network", 0.005),
    ("Event", 0.04),
    ("Publication", 0.03),
    ("PublicAuthority", 0.02),
    ("ExpertGroup", 0.004),
    ("Forum", 0.004),
]
SYNERGY_TYPES = ["Funding", "Implementation", "Alignment", "Membership", "Coordination", "Complementarity",
                 "Succession", "Governance", "Support", "Acceleration"]
STATUSES = ["Envisaged", "Active", "Ended"]


def _iri(kind: str, i: int) -> str:
    return f"<{SYN}{kind.lower()}-{i}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


class _Attach:
    """Preferential attachment: pick a target with probability growing with its degree."""

    def __init__(self, rng: random.Random, items: list[str]) -> None:
        self.rng = rng
        self.pool = list(items)

    def pick(self) -> str:
        target = self.rng.choice(self.pool)
        self.pool.append(target)
        return target


def generate(n: int, seed: int = 0) -> list[str]:
    """N-Triples lines of a synthetic network of about ``n`` entities (deterministic for a seed)."""
    rng = random.Random(seed)
    lines: list[str] = []
    add = lines.append

    def entity(cls: str, iri: str, label: str, passage: str) -> None:
        add(f"{iri} {RDF_TYPE} <{CKG}{cls}> .")
        add(f"{iri} {LABEL} {_lit('SYNTHETIC ' + label)} .")
        add(f"{iri} {DERIVED} {passage} .")

    def link(s: str, p: str, o: str) -> None:
        add(f"{s} <{CKG}{p}> {o} .")

    # sources: one document per 200 entities, ten passages per document
    docs = max(1, n // 200)
    passages = []
    for d in range(docs):
        doc = _iri("document", d)
        add(f"{doc} {RDF_TYPE} <{CKG}SourceDocument> .")
        add(f"{doc} {LABEL} {_lit(f'SYNTHETIC source document {d}')} .")
        for j in range(10):
            p = _iri("passage", d * 10 + j)
            passages.append(p)
            add(f"{p} {RDF_TYPE} <{CKG}SourcePassage> .")
            add(f"{p} <{CKG}inDocument> {doc} .")
            add(f'{p} <{CKG}locator> "SYNTHETIC section {j}" .')

    def src() -> str:
        return rng.choice(passages)

    # fixed hubs
    hubs: dict[str, list[str]] = {}
    for cls, count in (("Country", 45), ("ProgrammingPeriod", 3), ("IndustrialEcosystem", 14),
                       ("StrategicValueChain", 9), ("Theme", max(10, n // 500))):
        hubs[cls] = [_iri(cls, i) for i in range(count)]
        for i, iri in enumerate(hubs[cls]):
            entity(cls, iri, f"{cls} {i}", src())
    eu = _iri("Place", 0)
    entity("Place", eu, "union", src())
    for c in hubs["Country"]:
        link(c, "partOf", eu)

    made: dict[str, list[str]] = {}
    for cls, share in SHARES:
        made[cls] = [_iri(cls, i) for i in range(max(2, int(n * share)))]
        for i, iri in enumerate(made[cls]):
            entity(cls, iri, f"{cls} {i}", src())

    def attach(*classes: str) -> _Attach:
        return _Attach(rng, [x for c in classes for x in made.get(c, hubs.get(c, []))])

    periods = hubs["ProgrammingPeriod"]
    countries, ecos, chains, themes = (_Attach(rng, hubs[c]) for c in
                                       ("Country", "IndustrialEcosystem", "StrategicValueChain", "Theme"))
    regions = attach("Region")
    policies = attach("Policy", "Strategy")
    programmes = attach("Programme", "ClusterProgramme")
    instruments = attach("FundingInstrument")
    calls = attach("Call")
    partnerships = attach("ClusterPartnership", "Eurocluster")
    orgs = attach("ClusterOrganisation")
    bodies = attach("PublicAuthority", "ExpertGroup", "Forum")
    initiatives = attach("Initiative", "Platform", "Network")
    acts = attach("LegalAct")

    for r in made["Region"]:
        link(r, "partOf", countries.pick())
    for p in made["Policy"] + made["Strategy"]:
        if rng.random() < 0.6:
            other = policies.pick()
            if other != p:
                link(p, "partOf", other)
        link(p, "managedBy", bodies.pick())
    for p in made["Programme"] + made["ClusterProgramme"]:
        link(p, "implements", policies.pick())
        link(p, "hasLegalBasis", acts.pick())
        link(p, "inPeriod", rng.choice(periods))
        if p in made["ClusterProgramme"]:
            link(p, "locatedIn", countries.pick())
    for f in made["FundingInstrument"]:
        link(f, "partOf", programmes.pick())
    for c in made["Call"]:
        link(c, "partOf", instruments.pick() if rng.random() < 0.5 else programmes.pick())
        link(c, "inPeriod", rng.choice(periods))
    for cp in made["ClusterPartnership"] + made["Eurocluster"]:
        link(cp, "selectedThrough", calls.pick())
        link(cp, "coversEcosystem", ecos.pick())
        link(cp, "hasTheme", themes.pick())
    for o in made["ClusterOrganisation"]:
        link(o, "locatedIn", regions.pick())
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            link(o, "memberOf", partnerships.pick())
    for c in made["Cluster"]:
        link(c, "managedBy", orgs.pick())
        link(c, "coversEcosystem", ecos.pick())
        if rng.random() < 0.3:
            link(c, "targetsValueChain", chains.pick())
    for p in made["Project"]:
        link(p, "fundedBy", instruments.pick())
        link(p, "operatedBy", orgs.pick())
    for i in made["Initiative"] + made["Platform"] + made["Network"]:
        link(i, "supports", partnerships.pick())
        link(i, "managedBy", bodies.pick())
        link(i, "hasTheme", themes.pick())
    for e in made["Event"]:
        link(e, "organisedBy", bodies.pick() if rng.random() < 0.5 else initiatives.pick())
        link(e, "hasTheme", themes.pick())
    for p in made["Publication"]:
        link(p, "publishedBy", bodies.pick())
    for b in made["PublicAuthority"] + made["ExpertGroup"] + made["Forum"]:
        link(b, "locatedIn", countries.pick())

    # synergies between programmes, policies, initiatives and partnerships
    actors = attach("Programme", "ClusterProgramme", "Policy", "Strategy", "Initiative", "Platform",
                    "ClusterPartnership", "Eurocluster", "FundingInstrument")
    for i in range(max(5, n // 20)):
        a, b = actors.pick(), actors.pick()
        if a == b:
            continue
        s = _iri("synergy", i)
        add(f"{s} {RDF_TYPE} <{CKG}Synergy> .")
        add(f"{s} {LABEL} {_lit(f'SYNTHETIC synergy {i}')} .")
        link(s, "synergySource", a)
        link(s, "synergyTarget", b)
        link(s, "synergyType", f"<{CKG}{rng.choice(SYNERGY_TYPES)}>")
        link(s, "direction", f"<{CKG}{'Bidirectional' if rng.random() < 0.3 else 'Directed'}>")
        link(s, "status", f"<{CKG}{rng.choice(STATUSES)}>")
        link(s, "inPeriod", rng.choice(periods))
        if rng.random() < 0.3:
            add(f'{s} <{CKG}strength> "{rng.randint(1, 10) / 10}"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
        add(f"{s} {DERIVED} {src()} .")
    return lines


def write(n: int, seed: int = 0, out: str | Path | None = None) -> Path:
    """Write :func:`generate`'s triples to ``out`` (default: a new temporary folder); return the path."""
    path = Path(out) if out else Path(tempfile.mkdtemp(prefix="clusterkg-synthetic-")) / f"synthetic-{n}.nt"
    if "data" in path.resolve().parts and (path.resolve().parent / "sources.ttl").exists():
        raise SystemExit("refusing to write synthetic data next to the curated data")
    path.write_text("# SYNTHETIC benchmark data, not facts\n" + "\n".join(generate(n, seed)) + "\n",
                    encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("entities", type=int, help="about how many entities")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="file to write (default: a new temporary folder)")
    args = ap.parse_args(argv)
    print(write(args.entities, args.seed, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
