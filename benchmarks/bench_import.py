"""Benchmark: the full H2020 participation table imported, resolved, validated and written.

Usage::

    python benchmarks/bench_import.py [--realdata DIR] [--baseline] [--other-engines PYTHON] [--read-commands]

Runs, each in a fresh process (wall time, CPU time and peak resident memory of that process):

1. ``clusterkg import cordis-h2020-participations`` on every H2020 participation (144,726 rows) and
   the programme parts (37,441 rows): read, clean, resolve, map, link, validate, write;
2. with ``--baseline``, the plain way: pandas reads the tables, a Python loop adds the same kind of
   triples to an rdflib graph, rdflib writes N-Triples (no validation, no resolution);
3. with ``--other-engines PYTHON`` (a Python that has morph-kgc and maplib, which cannot be installed
   beside clusterkg: see docs/imports.md), morph-kgc 2.x on a YARRRML mapping of the participations
   and maplib on an OTTR template of them (both on the same pre-cleaned CSV, no validation);
4. with ``--read-commands``, ``clusterkg --data h2020.nt stats`` and ``show`` on the result.

It first checks that the test excerpts in tests/imports/fixtures/real are byte-for-byte those of the
full files. Figures go to docs/imports.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def realdata(arg: str | None) -> Path:
    return Path(arg or os.environ.get("CLUSTERKG_REALDATA") or REPO.parent / "shared" / "realdata")


def measure(label: str, argv: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> dict:
    """Run ``argv`` in a fresh process; its wall seconds, CPU seconds (user + system: steadier than wall
    time on a shared machine) and peak RSS (MB), from wait4."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})})
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    row = {"what": label, "seconds": round(wall, 1), "cpu": round(usage.ru_utime + usage.ru_stime, 1),
           "peak_mb": round(usage.ru_maxrss / 1024),
           "ok": proc.returncode == 0, "out": (stdout.strip().splitlines() or [""])[-1][:160],
           "err": stderr.strip()[-300:]}
    if proc.returncode:
        row["out"] = f"exit {proc.returncode}: {row['err']}"
    return row


BASELINE = textwrap.dedent('''
    import sys, pandas as pd
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, RDFS, XSD
    CKG = Namespace("https://w3id.org/clusterkg/ontology#"); CKR = "https://w3id.org/clusterkg/id/"
    parts, out = sys.argv[1], sys.argv[3]
    df = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False, na_values=["NA"])
    pp = pd.read_csv(parts, dtype=str)
    g = Graph()
    for r in df.itertuples(index=False):
        org, proj = URIRef(CKR + "org-pic-" + r.pic), URIRef(CKR + "project-rcn-" + r.rcn)
        p = URIRef(CKR + "participation-rcn-" + r.rcn + "-" + r.pic)
        g.add((org, RDF.type, CKG.Organisation))
        g.add((org, RDFS.label, Literal("organisation with PIC " + r.pic, lang="en")))
        g.add((org, CKG.pic, Literal(r.pic))); g.add((org, CKG.participatesIn, proj))
        if isinstance(r.country, str):
            g.add((org, CKG.locatedIn, URIRef("http://publications.europa.eu/resource/authority/country/" + r.country)))
        g.add((proj, RDF.type, CKG.Project)); g.add((proj, CKG.rcn, Literal(r.rcn)))
        if isinstance(r.start_date, str):
            g.add((proj, CKG.startDate, Literal(r.start_date, datatype=XSD.date)))
        if isinstance(r.max_contribution, str):
            g.add((proj, CKG.ecMaxContribution, Literal(r.max_contribution, datatype=XSD.decimal)))
        g.add((p, RDF.type, CKG.Participation)); g.add((p, CKG.participant, org)); g.add((p, CKG.inProject, proj))
        g.add((p, CKG.role, CKG[r.role.capitalize()]))
        if isinstance(r.contribution, str):
            g.add((p, CKG.ecContribution, Literal(r.contribution, datatype=XSD.decimal)))
    for r in pp.itertuples(index=False):
        part = URIRef(CKR + "part-" + r.programme_part.replace(" ", "-"))
        g.add((URIRef(CKR + "project-rcn-" + r.rcn), CKG.partOf, part))
    data = g.serialize(format="nt")
    lines = sorted(set(data.splitlines()))
    open(out, "w", encoding="utf-8").write("\\n".join(lines) + "\\n")
    print(f"{len(lines):,} triples")
''')

MORPH = textwrap.dedent('''
    import sys, morph_kgc
    csv, mapping, out = sys.argv[1], sys.argv[2], sys.argv[3]
    config = "\\n".join(["[CONFIGURATION]", "na_values=,NA", "number_of_processes=2", "[DataSource1]",
                         "mappings=" + mapping])
    triples = morph_kgc.materialize_set(config)
    lines = sorted(triples)
    open(out, "w", encoding="utf-8").write("\\n".join(lines) + "\\n")
    print(f"{len(lines):,} triples")
''')

YARRRML = textwrap.dedent('''
    prefixes:
      ckg: https://w3id.org/clusterkg/ontology#
      ckr: https://w3id.org/clusterkg/id/
      rdfs: http://www.w3.org/2000/01/rdf-schema#
      xsd: http://www.w3.org/2001/XMLSchema#
    mappings:
      organisation:
        sources: [[CSV~csv]]
        s: ckr:org-pic-$(pic)
        po:
          - [a, ckg:Organisation]
          - [rdfs:label, "organisation with PIC $(pic)", en~lang]
          - [ckg:pic, $(pic)]
          - [ckg:locatedIn, http://publications.europa.eu/resource/authority/country/$(country)~iri]
          - [ckg:participatesIn, ckr:project-rcn-$(rcn)~iri]
      project:
        sources: [[CSV~csv]]
        s: ckr:project-rcn-$(rcn)
        po:
          - [a, ckg:Project]
          - [ckg:rcn, $(rcn)]
          - [ckg:startDate, $(start_date), xsd:date]
          - [ckg:ecMaxContribution, $(max_contribution), xsd:decimal]
      participation:
        sources: [[CSV~csv]]
        s: ckr:participation-rcn-$(rcn)-$(pic)
        po:
          - [a, ckg:Participation]
          - [ckg:participant, ckr:org-pic-$(pic)~iri]
          - [ckg:inProject, ckr:project-rcn-$(rcn)~iri]
          - [ckg:role, ckg:$(role)~iri]
          - [ckg:ecContribution, $(contribution), xsd:decimal]
''')

MAPLIB = textwrap.dedent('''
    import sys, polars as pl
    from maplib import Model
    df = pl.read_csv(sys.argv[1], infer_schema=False, null_values=["", "NA"])
    CKR = "https://w3id.org/clusterkg/id/"
    df = df.with_columns(
        (pl.lit(CKR + "participation-rcn-") + pl.col("rcn") + "-" + pl.col("pic")).alias("p"),
        (pl.lit(CKR + "org-pic-") + pl.col("pic")).alias("org"),
        (pl.lit(CKR + "project-rcn-") + pl.col("rcn")).alias("project"),
        (pl.lit("https://w3id.org/clusterkg/ontology#") + pl.col("role")).alias("role_iri"))
    template = """@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ckg:Part [ ?p, ?org, ?project, ?role_iri, ??contribution ] :: {
      ottr:Triple(?p, rdf:type, ckg:Participation),
      ottr:Triple(?p, ckg:participant, ?org),
      ottr:Triple(?p, ckg:inProject, ?project),
      ottr:Triple(?p, ckg:role, ?role_iri),
      ottr:Triple(?org, ckg:participatesIn, ?project),
      ottr:Triple(?org, rdf:type, ckg:Organisation),
      ottr:Triple(?project, rdf:type, ckg:Project)
    } ."""
    m = Model()
    m.add_template(template)
    m.map("https://w3id.org/clusterkg/ontology#Part", df.select("p", "org", "project", "role_iri",
          pl.col("contribution").cast(pl.Float64)))
    m.write(sys.argv[2], format="ntriples")
    print(f"{sum(1 for _ in open(sys.argv[2], encoding='utf-8')):,} triples")
''')


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--realdata")
    ap.add_argument("--baseline", action="store_true", help="also run the pandas + rdflib loop")
    ap.add_argument("--other-engines", metavar="PYTHON", help="a Python with morph-kgc and maplib")
    ap.add_argument("--read-commands", action="store_true", help="time stats and show with the import loaded")
    args = ap.parse_args()
    src = realdata(args.realdata)
    e, pp = src / "eunets_h2020.csv.gz", src / "eunets_programme_parts.csv.gz"
    for f in (e, pp):
        if not f.is_file():
            print(f"missing {f} (set --realdata or $CLUSTERKG_REALDATA)", file=sys.stderr)
            return 2
    check = subprocess.run([sys.executable, str(REPO / "tests/imports/fixtures/real/make_excerpts.py"), "--check",
                            str(src)], capture_output=True, text=True, check=False)
    print("test excerpts:", "byte-for-byte those of the full files" if check.returncode == 0 else check.stderr.strip())
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    rows = []
    clusterkg = [sys.executable, "-c", "from cli import main; main()"]
    env = {"SOURCE_DATE_EPOCH": "1767225600", "PYTHONPATH": str(REPO)}
    rows.append(measure("clusterkg import (read, clean, resolve, map, link, validate, write)",
                        [*clusterkg, "import", "cordis-h2020-participations", str(e), str(pp), "--out",
                         str(work / "h2020.nt")], env))
    if args.baseline:
        rows.append(measure("baseline: pandas + rdflib loop (no validation, no resolution)",
                            [sys.executable, "-c", BASELINE, str(pp), str(e), str(work / "baseline.nt")]))
    if args.other_engines:
        plain = work / "participations.csv"
        subprocess.run([sys.executable, "-c", textwrap.dedent(f'''
            import polars as pl, gzip
            df = pl.read_csv({str(e)!r}, infer_schema=False, null_values=["NA"])
            df = df.with_columns(pl.col("role").str.to_titlecase())
            df.write_csv({str(plain)!r})''')], check=True)
        (work / "mapping.yml").write_text(YARRRML.replace("CSV", str(plain)), encoding="utf-8")
        rows.append(measure("morph-kgc 2.x: YARRRML, participations only (no cleaning, no validation)",
                            [args.other_engines, "-c", MORPH, str(plain), str(work / "mapping.yml"),
                             str(work / "morph.nt")]))
        rows.append(measure("maplib: OTTR template, participations only (no cleaning, no validation)",
                            [args.other_engines, "-c", MAPLIB, str(plain), str(work / "maplib.nt")]))
    if args.read_commands and (work / "h2020.nt").is_file():
        data = ["--data", str(work / "h2020.nt")]
        rows.append(measure("clusterkg --data h2020.nt stats (first run: loads the graph)",
                            [*clusterkg, *data, "stats"], env, timeout=3600))
        rows.append(measure("clusterkg --data h2020.nt show 'Horizon 2020' (cached)",
                            [*clusterkg, *data, "show", "Horizon 2020"], env, timeout=3600))
    print()
    print(f"{'what':<80} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}  result")
    for r in rows:
        print(f"{r['what']:<80} {r['seconds']:>8} {r['cpu']:>8} {r['peak_mb']:>8}  {r['out']}")
    print(f"\noutputs in {work}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
