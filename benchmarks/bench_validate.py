"""SHACL validation: the project's validator (shapes compiled to SPARQL on pyoxigraph) side by side with
pySHACL (the baseline) and the compiled SHACL engines from PyPI that are installed.

Two graphs: the curated graph (ontology + ``data/``) and a SYNTHETIC graph of about a million triples
(``benchmarks/synthetic.py 170000`` + the curated graph) with the defects of
``tests/fixtures/violating.ttl`` planted in it. Each engine runs in its own process, under a time limit
(``> limit`` when it does not finish). For each run: wall time (load + validate), peak memory of the
process, number of results, how many of the 9 planted violations it reports, and whether its results
(severity, focus, path, message, value) are the same as the reference's (pySHACL where it finishes, else
the project's validator).

Usage::

    python benchmarks/bench_validate.py                      # every installed engine, both graphs
    python benchmarks/bench_validate.py --entities 17000     # a 100k-triple graph instead of 1M
    python benchmarks/bench_validate.py --engines clusterkg,pyshacl --limit 120
    python benchmarks/bench_validate.py --shapes my-shapes.ttl other.ttl   # other shape files

Optional engines (``pip install shacl pyshifty pyshacl-turbo pyrudof``) are skipped when not installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: engine name → module that must be importable for it to run
ENGINES = {
    "clusterkg": "pyoxigraph",
    "pyshacl": "pyshacl",
    "shacl": "shacl",
    "shifty": "shifty",
    "pyshacl-turbo": "pyshacl_turbo",
    "pyrudof": "pyrudof",
}
PLANTED = {
    ("ckr:fixture-baddate", "ckg:startDate"), ("ckr:fixture-baddate", "ckg:supports"),
    ("ckr:fixture-money", "ckg:currency"), ("ckr:fixture-money", "ckg:value"),
    ("ckr:fixture-nolabel", "prov:wasDerivedFrom"), ("ckr:fixture-nolabel", "rdfs:label"),
    ("ckr:fixture-region", ""), ("ckr:fixture-synergy", "ckg:synergyTarget"),
    ("ckr:fixture-synergy", "ckg:synergyType"),
}

Row = tuple[str, str, str, str, str]  # severity, focus, path, message, value


# ------------------------------------------------------------------------------------------------
# In the child process: one engine on one data file
# ------------------------------------------------------------------------------------------------


def _from_report_graph(g: object) -> list[Row]:
    from rdflib import RDF, Graph, URIRef

    from graph.namespaces import SH, curie

    assert isinstance(g, Graph)
    sev = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
    rows: list[Row] = []
    for r in g.objects(None, SH.result):
        if (r, RDF.type, SH.ValidationResult) not in g:
            continue
        focus, value, msg = g.value(r, SH.focusNode), g.value(r, SH.value), g.value(r, SH.resultMessage)
        path = g.value(r, SH.resultPath)
        if path is None:
            ptext = ""
        elif isinstance(path, URIRef):
            ptext = curie(str(path))
        else:
            inv = g.value(path, SH.inversePath)
            ptext = "^" + curie(str(inv)) if inv is not None else "(complex path)"
        rows.append((sev.get(g.value(r, SH.resultSeverity), "Info"), curie(str(focus)), ptext,  # type: ignore[call-overload]
                     "" if msg is None else str(msg), "" if value is None else curie(str(value))))
    return rows


def _run_engine(engine: str, data: str, shapes: list[str]) -> list[Row]:
    """Validate ``data`` (N-Triples) against ``shapes`` (Turtle files) with ``engine``."""
    combined = "\n".join(Path(s).read_text(encoding="utf-8") for s in shapes)
    if engine == "clusterkg":
        import pyoxigraph as ox

        from graph.store.validate import validate_store

        store = ox.Store()
        store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
        ours = validate_store(store, shapes=[Path(s) for s in shapes])
        return [(r.severity, r.focus, r.path, r.message, r.value) for r in ours.results]
    if engine in ("pyshacl", "pyshacl-turbo"):
        from rdflib import Graph

        module = __import__("pyshacl" if engine == "pyshacl" else "pyshacl_turbo")
        dg = Graph().parse(data, format="nt")
        sg = Graph().parse(data=combined, format="turtle")
        _c, report, _t = module.validate(dg, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
        return _from_report_graph(report)
    if engine == "shacl":
        import shacl
        from rdflib import Graph

        compiled = shacl.Shapes.from_turtle(combined)
        out = compiled.validate_file(data, allow_warnings=True)
        return _from_report_graph(Graph().parse(data=out.serialize("ntriples"), format="nt"))
    if engine == "shifty":
        import shifty

        _c, shifty_report, _t = shifty.validate(Path(data), shacl_graph=combined.encode())
        return _from_report_graph(shifty_report)
    if engine == "pyrudof":
        import pyrudof
        from rdflib import Graph

        r = pyrudof.Rudof(pyrudof.RudofConfig())
        r.read_data(data, format=pyrudof.RDFFormat.NTriples)
        r.read_shacl(combined)
        r.validate_shacl()
        nt = r.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
        return _from_report_graph(Graph().parse(data=nt, format="nt"))
    raise SystemExit(f"unknown engine {engine}")


def _child(engine: str, data: str, shapes: list[str], out: str) -> None:
    t0 = time.perf_counter()
    rows = _run_engine(engine, data, shapes)
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps({"seconds": seconds, "rss_mb": rss, "rows": rows}), encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# In the parent: data files, one child per run, the table
# ------------------------------------------------------------------------------------------------


def _write_graphs(folder: Path, entities: int) -> dict[str, Path]:
    import pyoxigraph as ox

    from graph.resources import default_data_files, ontology_files

    spec = importlib.util.spec_from_file_location("clusterkg_synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)

    store = ox.Store()
    for f in [*ontology_files(), *default_data_files()]:
        store.load(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=f.resolve().as_uri())
    curated = folder / "curated.nt"
    store.dump(output=str(curated), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    graphs = {"curated": curated}
    if entities > 0:
        planted = ox.Store()
        planted.load(path=str(ROOT / "tests" / "fixtures" / "violating.ttl"), format=ox.RdfFormat.TURTLE)
        planted_nt = folder / "planted.nt"
        planted.dump(output=str(planted_nt), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        syn = synthetic.write(entities, out=folder / "synthetic.nt")
        big = folder / "big.nt"
        with big.open("w", encoding="utf-8") as out:
            for part in (curated, planted_nt, syn):
                out.write(part.read_text(encoding="utf-8"))
        graphs["big"] = big
    return graphs


def _measure(engine: str, data: Path, shapes: list[str], limit: float, folder: Path) -> dict[str, object]:
    out = folder / f"{engine}-{data.stem}.json"
    cmd = [sys.executable, __file__, "--child", engine, str(data), str(out), "--shapes", *shapes]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, timeout=limit, capture_output=True, text=True, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "limit", "seconds": time.perf_counter() - start}
    if proc.returncode != 0 or not out.exists():
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"status": "error", "error": err[:80]}
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["status"] = "ok"
    doc["rows"] = {tuple(r) for r in doc["rows"]}
    return doc


def _cell_time(run: dict[str, object], limit: float) -> str:
    if run["status"] == "limit":
        return f"> {limit:.0f} s"
    if run["status"] == "error":
        return "error"
    seconds = float(run["seconds"])  # type: ignore[arg-type]
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"


def _agreement(run: dict[str, object], ref: dict[str, object] | None, ref_name: str) -> str:
    if run["status"] != "ok":
        return "-"
    if ref is None or ref is run:
        return "reference"
    rows, ref_rows = run["rows"], ref["rows"]
    assert isinstance(rows, set) and isinstance(ref_rows, set)
    conforms = not any(r[0] == "Violation" for r in rows)
    ref_conforms = not any(r[0] == "Violation" for r in ref_rows)
    if rows == ref_rows:
        return f"same as {ref_name}"
    note = "" if conforms == ref_conforms else ", conformance differs"
    return f"differs from {ref_name}: -{len(ref_rows - rows)} +{len(rows - ref_rows)}{note}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, default=170000, help="synthetic entities (170000: ~1M triples; 0: none)")
    ap.add_argument("--limit", type=float, default=300, help="seconds each engine gets on each graph")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, from: " + ", ".join(ENGINES))
    ap.add_argument("--shapes", nargs="+", default=None, help="shape files (default: the project's)")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "DATA", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    from graph.resources import shape_files

    shapes = args.shapes or [str(p) for p in shape_files().values()]
    if args.child:
        _child(args.child[0], args.child[1], shapes, args.child[2])
        return 0

    wanted = [e for e in args.engines.split(",") if e]
    engines = [e for e in wanted if importlib.util.find_spec(ENGINES[e]) is not None]
    skipped = sorted(set(wanted) - set(engines))
    with tempfile.TemporaryDirectory(prefix="clusterkg-bench-validate-") as tmp:
        folder = Path(tmp)
        graphs = _write_graphs(folder, args.entities)
        sizes = {name: sum(1 for line in p.open(encoding="utf-8") if line.strip() and not line.startswith("#"))
                 for name, p in graphs.items()}
        runs: dict[tuple[str, str], dict[str, object]] = {}
        for name, path in graphs.items():
            for engine in engines:
                print(f"... {engine} on {name} ({sizes[name]:,} triples)", file=sys.stderr, flush=True)
                runs[engine, name] = _measure(engine, path, shapes, args.limit, folder)

    print(f"# SHACL validation, {os.cpu_count()} cores; limit {args.limit:.0f} s per run; "
          f"shapes: {', '.join(Path(s).name for s in shapes)}")
    print(f"# curated: {sizes['curated']:,} triples" +
          (f"; big: {sizes['big']:,} triples (synthetic + curated + violating.ttl planted)" if "big" in sizes else ""))
    header = ["engine", "curated time", "curated results", "curated agreement"]
    if "big" in graphs:
        header += ["big time", "big peak memory", "big results", "planted found", "big agreement"]
    table = [header]
    refs = {}
    for name in graphs:
        for ref_name in ("pyshacl", "clusterkg"):
            run = runs.get((ref_name, name))
            if run is not None and run["status"] == "ok":
                refs[name] = (run, ref_name)
                break
    for engine in engines:
        cur = runs[engine, "curated"]
        ref, ref_name = refs.get("curated", (None, ""))
        line = [engine, _cell_time(cur, args.limit),
                str(len(cur["rows"])) if cur["status"] == "ok" else "-",  # type: ignore[arg-type]
                _agreement(cur, ref, ref_name)]
        if "big" in graphs:
            big = runs[engine, "big"]
            ref, ref_name = refs.get("big", (None, ""))
            ok = big["status"] == "ok"
            found = len(PLANTED & {(r[1], r[2]) for r in big["rows"] if r[0] == "Violation"}) if ok else 0  # type: ignore[attr-defined]
            line += [_cell_time(big, args.limit), f"{big['rss_mb']:.0f} MB" if ok else "-",
                     str(len(big["rows"])) if ok else "-", f"{found}/{len(PLANTED)}" if ok else "-",  # type: ignore[arg-type]
                     _agreement(big, ref, ref_name)]
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    if skipped:
        print(f"# not installed, skipped: {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
