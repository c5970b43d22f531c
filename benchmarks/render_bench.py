"""How fast `clusterkg render` builds a map, and how fast headless Chromium draws it.

Synthetic data only (made here, never written to data/): a projection-shaped network of N
entities in 12 classes with about 5 linkages each (preferential attachment, so a few hubs), a
tenth of them synergies with a period and a status.

Targets (issue 5): build a 10,000-entity render in under 1 s; a 1,500-entity map drawn and
still in under 2 s in headless Chromium. Ratios below 1 meet the target.

Usage::

    python benchmarks/render_bench.py                 # build times + browser times
    python benchmarks/render_bench.py --no-browser    # build times only
    python benchmarks/render_bench.py --pyvis         # also pyvis's add_node/add_edge route at 10k
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.maps.render import render

CLASSES = [("ckg:Programme", "programme"), ("ckg:Initiative", "initiative"), ("ckg:Cluster", "cluster"),
           ("ckg:ClusterOrganisation", "cluster organisation"), ("ckg:Policy", "policy"),
           ("ckg:Platform", "platform"), ("ckg:Network", "network"), ("ckg:Call", "call"),
           ("ckg:Region", "region"), ("ckg:Country", "country"), ("ckg:Theme", "theme"),
           ("ckg:Event", "event")]
PREDICATES = [("ckg:partOf", "part of"), ("ckg:fundedBy", "funded by"), ("ckg:locatedIn", "located in"),
              ("ckg:memberOf", "member of"), ("ckg:hasTheme", "has theme"), ("ckg:supports", "supports")]


def synthetic(n: int, seed: int = 7) -> nx.MultiDiGraph:
    """A projection-shaped MultiDiGraph (see graph/project.py) of ``n`` entities (benchmark only)."""
    base = nx.barabasi_albert_graph(n, 5, seed=seed)
    net = nx.MultiDiGraph()
    net.graph.update({"classes": dict(CLASSES), "periods": {"ckr:p1": "Programming period 2014-2020",
                                                             "ckr:p2": "Programming period 2021-2027"},
                      "filters": {}})
    prov = [{"passage": "src:bench", "document": "src:bench-doc", "document_label": "Benchmark",
             "locator": "synthetic"}]
    for i in range(n):
        cc, cl = CLASSES[(i * 7) % len(CLASSES)]
        net.add_node(f"https://example.org/bench/e{i}", label=f"Synthetic entity {i} ({cl})", curie=f"bx:e{i}",
                     **{"class": cl, "class_curie": cc, "classes": ["ckg:Entity", cc],
                        "definition": f"Benchmark entity number {i}.", "provenance": prov,
                        "source_text": 'Benchmark: "synthetic"'})
    for j, (u, v) in enumerate(sorted(base.edges())):
        a, b = f"https://example.org/bench/e{u}", f"https://example.org/bench/e{v}"
        if j % 10 == 0:
            key = f"bx:synergy-{j}"
            net.add_edge(a, b, key=key, kind="synergy", predicate="ckg:Synergy", linkage="coordination",
                         label=f"synergy {j}", synergy=key, synergy_type="coordination",
                         direction="bidirectional" if j % 20 == 0 else "directed",
                         status=("active", "envisaged", "ended")[j % 3],
                         period=("Programming period 2014-2020", "Programming period 2021-2027")[j % 2],
                         period_curie=("ckr:p1", "ckr:p2")[j % 2], strength=None, provenance=prov,
                         source_text='Benchmark: "synthetic"')
        else:
            pc, pl = PREDICATES[j % len(PREDICATES)]
            net.add_edge(a, b, key=pc, kind="property", predicate=pc, linkage=pl, label=pl, inverse_label="",
                         provenance=prov, source_text='Benchmark: "synthetic"')
    return net


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def pyvis_route(net: nx.MultiDiGraph, path: Path) -> None:
    """The same nodes and edges through pyvis's public add_node/add_edge API (the slow route)."""
    from pyvis.network import Network

    vis = Network(cdn_resources="in_line")
    for n, d in net.nodes(data=True):
        vis.add_node(n, label=d["label"], title=d["definition"])
    for u, v, d in net.edges(data=True):
        vis.add_edge(u, v, title=d["linkage"])
    vis.write_html(str(path))


def browser_times(pages: dict[str, Path], runs: int = 3) -> dict[str, float]:
    """Median ms from navigation start to the first drawing (physics off: the map is then still)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.TemporaryDirectory(prefix="clusterkg-bench-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1600,1000",
                "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile.name}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    out = {}
    try:
        for name, page in pages.items():
            samples = []
            for _ in range(runs):
                driver.get("about:blank")
                driver.get(page.as_uri())
                WebDriverWait(driver, 120).until(lambda d: d.execute_script("return !!window.__mapReady"))
                drawn = driver.execute_script("return window.__mapReady.drawn;")
                before = driver.execute_script("return clusterkgMap.network.getPositions();")
                time.sleep(0.2)
                still = driver.execute_script("return clusterkgMap.network.getPositions();") == before
                if not still:
                    raise SystemExit(f"{name}: the map still moves after drawing")
                samples.append(drawn)
            out[name] = statistics.median(samples)
    finally:
        driver.quit()
        profile.cleanup()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-browser", action="store_true", help="skip the headless Chromium measurements")
    ap.add_argument("--pyvis", action="store_true", help="also time pyvis's add_node/add_edge route at 10k")
    args = ap.parse_args()

    rows = []
    net10k = synthetic(10_000)
    print(f"synthetic network: {net10k.number_of_nodes()} entities, {net10k.number_of_edges()} linkages")
    t, m = timed(lambda: render(net10k))
    rows.append(("build: 10,000 entities, default (top 1,500 shown)", t, 1.0, "s", m))
    t, m = timed(lambda: render(net10k, max_nodes=10_000), repeat=1)
    rows.append(("build: 10,000 entities, all shown (--max-nodes 10000)", t, None, "s", m))
    net1500 = synthetic(1_500)
    t, m1500 = timed(lambda: render(net1500))
    rows.append(("build: 1,500 entities", t, None, "s", m1500))
    if args.pyvis:
        with tempfile.TemporaryDirectory() as tmp:
            t, _ = timed(lambda: pyvis_route(net10k, Path(tmp) / "pyvis.html"), repeat=1)
        rows.append(("pyvis add_node/add_edge + write_html, 10,000 entities", t, None, "s", None))

    if not args.no_browser:
        with tempfile.TemporaryDirectory() as tmp:
            pages = {}
            for name, net, kw in (("1,500", net1500, {}), ("1,000", synthetic(1_000), {}),
                                  ("10,000 (top 1,500 shown)", net10k, {})):
                path = Path(tmp) / f"map-{len(pages)}.html"
                render(net, out=path, **kw)
                pages[name] = path
            for name, ms in browser_times(pages).items():
                target = 2.0 if name == "1,500" else None
                rows.append((f"browser: {name} entities drawn and still", ms / 1000, target, "s", None))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':>9}  {'target':>7}  {'ratio':>6}  map")
    for name, value, target, unit, m in rows:
        ratio = f"{value / target:6.2f}" if target else "     -"
        tgt = f"{target:6.1f}{unit}" if target else "      -"
        size = f"{m.nodes} nodes, {m.edges} pairs, {len(m.html) / 1e6:.1f} MB" if m is not None else ""
        print(f"{name:<{width}}  {value:8.3f}{unit}  {tgt}  {ratio}  {size}")


if __name__ == "__main__":
    main()
