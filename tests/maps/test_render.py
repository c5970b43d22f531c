"""`clusterkg render` without a browser: the HTML is offline, escaped, deterministic, capped and
says what it shows. (tests/test_render_browser.py opens the maps in headless Chromium.)"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import graph
from cli import cli
from graph.entities.lookup import EntityIndex
from graph.maps.render import CSP, render, vis_assets
from graph.network.projection import project, simple_graph

XSS_TITLE = "<script>window.__xss='title'</script> & \"quotes\""


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of <title> and <h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("title", "h1") else None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.text[self._in] = self.text.get(self._in, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in = None


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


def map_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    assert m, "the page has no map data block"
    return json.loads(m.group(1))


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def full(kg) -> graph.RenderedMap:
    return render(kg)


@pytest.fixture(scope="module")
def xss(fixtures: Path) -> graph.RenderedMap:
    loaded = graph.open_graph([fixtures / "xss.ttl"], default_data=False, use_cache=False)
    return render(loaded, title=XSS_TITLE)


# -- offline and self-contained ------------------------------------------------------------

def test_page_is_self_contained_and_forbids_requests(full: graph.RenderedMap) -> None:
    tags = parse(full.html)
    names = [t for t, _ in tags.tags]
    assert "link" not in names and "iframe" not in names and "img" not in names
    for tag, attrs in tags.tags:
        assert "src" not in attrs, f"<{tag}> loads {attrs['src']}"
        for name, value in attrs.items():
            assert not re.match(r"\s*(https?:)?//", value or ""), f"<{tag} {name}={value}>"
    metas = [a for t, a in tags.tags if t == "meta" and (a.get("http-equiv") or "").lower() ==
             "content-security-policy"]
    assert len(metas) == 1 and metas[0]["content"] == CSP
    assert "default-src 'none'" in CSP and "connect-src" not in CSP  # default-src covers fetch/XHR/WebSocket
    assert names.index("meta") < names.index("script")
    scripts = [a for t, a in tags.tags if t == "script"]
    assert len(scripts) == 3  # map data (JSON), vis-network, the page's own code
    js, css = vis_assets()
    assert js in full.html and css in full.html  # vis-network (from pyvis) inlined verbatim
    for cdn in ("jsdelivr", "cdnjs", "unpkg", "bootstrap", "googleapis"):  # pyvis's template pulls these
        assert cdn not in full.html.lower()


def test_vis_network_comes_from_pyvis() -> None:
    import pyvis

    js, _ = vis_assets()
    shipped = sorted(Path(pyvis.__file__).parent.glob("lib/vis-*/vis-network.min.js"))
    assert shipped and js == shipped[-1].read_text(encoding="utf-8")


# -- safe -----------------------------------------------------------------------------------

def test_labels_titles_and_definitions_are_never_markup(xss: graph.RenderedMap) -> None:
    page = xss.html
    tags = parse(page)
    names = [t for t, _ in tags.tags]
    for bad in ("img", "svg", "a", "b"):
        assert bad not in names, f"a <{bad}> tag was injected"
    assert names.count("script") == 3
    assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs)
    # the heading shows the title as text, escaped in the raw HTML
    assert tags.text["h1"] == XSS_TITLE and tags.text["title"] == XSS_TITLE
    assert "&lt;script&gt;window.__xss=&#x27;title&#x27;&lt;/script&gt;" in page
    # the data block cannot close its <script>: no raw < > & inside it
    block = page.split('id="map-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    # ... and still carries the labels unchanged, as data
    data = map_data(page)
    names_in_data = {n["name"] for n in data["nodes"]}
    assert '"><img src=x onerror=alert(1)>' in names_in_data
    assert any("href" in n for n in names_in_data)
    assert any("<script>window.__xss='definition'</script>" in line for n in data["nodes"] for line in n["tip"])
    # a label that looks like a template placeholder is not expanded
    assert any(n.endswith("%%VIS_JS%%") for n in names_in_data)


def test_tooltips_are_plain_text_lines(xss: graph.RenderedMap) -> None:
    data = map_data(xss.html)
    for item in data["nodes"] + data["edges"]:
        assert isinstance(item["tip"], list) and all(isinstance(x, str) for x in item["tip"])
    assert "innerHTML" not in xss.html.split(vis_assets()[0])[-1]  # the page's own code never uses it


def test_jupyter_repr_is_an_isolated_iframe(xss: graph.RenderedMap) -> None:
    frame = xss._repr_html_()
    tags = parse(frame)
    assert [t for t, _ in tags.tags] == ["iframe"]
    attrs = tags.tags[0][1]
    assert attrs["sandbox"] == "allow-scripts"  # scripts run, but not with the notebook's origin
    assert attrs["srcdoc"] == xss.html


# -- deterministic --------------------------------------------------------------------------

def test_same_graph_and_options_give_the_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    args = ["render", "--size-by", "pagerank", "--colour-by", "community", "--max-nodes", "120"]
    invoke(runner, *args, "--out", str(tmp_path / "a.html"))
    invoke(runner, *args, "--out", str(tmp_path / "b.html"))
    a, b = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert a == b


def test_the_seed_drives_the_layout(kg) -> None:
    one, two = render(kg, seed=1), render(kg, seed=2)
    pos1 = {n["iri"]: (n["x"], n["y"]) for n in map_data(one.html)["nodes"]}
    pos2 = {n["iri"]: (n["x"], n["y"]) for n in map_data(two.html)["nodes"]}
    assert pos1.keys() == pos2.keys() and pos1 != pos2
    assert render(kg, seed=1).html == one.html


# -- what it shows --------------------------------------------------------------------------

def test_full_map_shows_every_entity_and_linked_pair(kg, full: graph.RenderedMap) -> None:
    entities = {str(e) for e in EntityIndex(kg.graph).entities}
    data = map_data(full.html)
    assert {n["iri"] for n in data["nodes"]} == entities
    # expected pairs straight from the projection's multigraph, merged by hand
    net = project(kg.graph)
    pairs = {frozenset((u, v)) for u, v in net.edges() if u != v}
    assert full.edges == len(pairs) == len(data["edges"])
    assert full.linkages == sum(1 for u, v in net.edges() if u != v)
    assert full.left_out == 0 and full.header[2] == "Nothing left out."
    assert sum(item["count"] for item in data["legend"]["items"]) == len(entities)
    classes = {d["class"] for _, d in net.nodes(data=True)}
    assert {item["label"] for item in data["legend"]["items"]} == classes
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert data["options"]["physics"]["enabled"] is False


def test_tooltips_say_type_definition_and_source(kg, full: graph.RenderedMap) -> None:
    from graph.entities.describe import provenance_of

    data = map_data(full.html)
    idx = EntityIndex(kg.graph)
    een = str(idx.resolve("Enterprise Europe Network"))
    node = next(n for n in data["nodes"] if n["iri"] == een)
    assert node["tip"][0] == "Enterprise Europe Network"
    assert node["tip"][1] == "Type: network"
    assert any(line.startswith("Definition: ") for line in node["tip"])
    source = next(line for line in node["tip"] if line.startswith("Source: "))
    for p in provenance_of(kg.graph, idx.resolve("Enterprise Europe Network")):
        assert p["locator"] in source
    synergy_edges = [e for e in data["edges"] if e["style"] != "p"]
    assert synergy_edges
    for e in synergy_edges:
        text = "\n".join(e["tip"])
        assert "synergy" in text and "source:" in text


def test_focus_shows_that_neighbourhood_only(kg, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "een.html"
    res = invoke(runner, "render", "--focus", "Enterprise Europe Network", "--depth", "2", "--out", str(out))
    assert res.exit_code == 0, res.output
    net = project(kg.graph)
    centre = str(EntityIndex(kg.graph).resolve("Enterprise Europe Network"))
    expected = set(nx.ego_graph(net.to_undirected(as_view=True), centre, radius=2))
    data = map_data(out.read_text(encoding="utf-8"))
    assert {n["iri"] for n in data["nodes"]} == expected
    assert [n["iri"] for n in data["nodes"] if n.get("centre")] == [centre]
    assert "Enterprise Europe Network" in res.output or "left out" in res.output.lower()


def test_path_is_laid_out_left_to_right_with_sources(kg, runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "path.html"
    invoke(runner, "render", "--path", "COSME", "Horizon Europe", "--out", str(out))
    data = map_data(out.read_text(encoding="utf-8"))
    idx = EntityIndex(kg.graph)
    src, dst = str(idx.resolve("COSME")), str(idx.resolve("Horizon Europe"))
    hops = nx.shortest_path_length(simple_graph(project(kg.graph)), src, dst)
    levels = {n["iri"]: n["level"] for n in data["nodes"]}
    assert len(levels) == hops + 1 and levels[src] == 0 and levels[dst] == hops
    assert sorted(levels.values()) == list(range(hops + 1))
    assert data["options"]["layout"]["hierarchical"]["direction"] == "LR"
    assert len(data["edges"]) == hops
    for e in data["edges"]:
        assert e["label"] and "[" in "\n".join(e["tip"])  # linkage words on the line, [source] in the tooltip


def test_max_nodes_keeps_the_top_entities(kg) -> None:
    m = render(kg, max_nodes=25)
    data = map_data(m.html)
    simple = simple_graph(project(kg.graph))
    shown = {n["iri"] for n in data["nodes"]}
    assert len(shown) == m.nodes == 25 and m.left_out == simple.number_of_nodes() - 25
    dropped = set(simple) - shown
    assert min(simple.degree(n) for n in shown) >= max(simple.degree(n) for n in dropped)
    assert {frozenset(e) for e in simple.subgraph(shown).edges()} == {
        frozenset((data["nodes"][e["from"]]["iri"], data["nodes"][e["to"]]["iri"])) for e in data["edges"]}
    assert f"Left out: {simple.number_of_nodes() - 25} entities with the lowest degree" in m.header[2]
    assert "--focus" in m.header[2] and "--max-nodes" in m.header[2]


def test_type_and_period_filters(kg) -> None:
    m = render(kg, types=["programme"])
    data = map_data(m.html)
    assert data["nodes"] and {n["cls"] for n in data["nodes"]} <= {"programme", "cluster programme"}
    assert "only classes programme" in m.header[1]
    p = render(kg, period="2014-2020")
    assert "only period Programming period 2014-2020" in p.header[1]
    from graph.namespaces import CKG

    idx = EntityIndex(kg.graph)
    earlier, later = idx.resolve("Programming period 2014-2020"), idx.resolve("Programming period 2021-2027")
    only_later = {str(s) for s in kg.graph.subjects(CKG.inPeriod, later)
                  if s in idx.entities and earlier not in set(kg.graph.objects(s, CKG.inPeriod))}
    shown = {n["iri"] for n in map_data(p.html)["nodes"]}
    assert only_later and not only_later & shown
    assert str(earlier) in shown


def test_size_by_betweenness_and_pagerank(kg) -> None:
    for measure in ("betweenness", "pagerank"):
        m = render(kg, size_by=measure, max_nodes=10)
        assert f"size: {measure}" in m.header[0]
        assert m.nodes == 10


# -- CLI ------------------------------------------------------------------------------------

def test_default_out_is_map_html(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(runner, "render", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["out"] == "map.html" and (tmp_path / "map.html").is_file()
    assert doc["entities"] == doc["entities_in_scope"] and doc["left_out"] == 0


@pytest.mark.parametrize("args", [
    ["--focus", "Nowhereland"],
    ["--path", "COSME", "Nowhereland"],
    ["--type", "programs"],
])
def test_unknown_names_exit_2_with_one_clear_message(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "m.html"
    res = runner.invoke(cli, ["render", *args, "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.startswith("error: no ")
    assert "Traceback" not in res.output and not out.exists()


def test_focus_and_path_together_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["render", "--focus", "COSME", "--path", "COSME", "Horizon Europe",
                              "--out", str(tmp_path / "m.html")])
    assert res.exit_code == 2 and "not both" in res.output


@pytest.mark.parametrize("code, says", [(3, True), (0, False)])
def test_render_open_without_a_browser_says_so_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capfd: pytest.CaptureFixture[str], fixtures: Path,
                                                       code: int, says: bool) -> None:
    """Regression (issue 8.13): `render --open` with no browser printed xdg-open's noise."""
    import os
    import sys

    if sys.platform == "darwin" or os.name == "nt":
        pytest.skip("xdg-open is the opener on Linux and BSD")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "xdg-open"
    fake.write_text(f"#!/bin/sh\necho 'xdg-open: no method available for opening' >&2\necho noise\nexit {code}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "m.html"
    res = CliRunner().invoke(cli, ["--no-default-data", "--data", str(fixtures / "network.ttl"), "render",
                                   "--out", str(out), "--open"])
    assert res.exit_code == 0, res.output
    assert out.is_file()
    captured = capfd.readouterr()
    assert "no method available" not in captured.err + captured.out + res.output
    assert "noise" not in captured.err + captured.out + res.output
    assert (f"wrote {out}; no browser found to open it" in res.stderr) is says


class _WholeProjection:
    """A dataset seen without its topology: render() takes the whole-projection route."""

    def __init__(self, ds: graph.Dataset) -> None:
        self.network, self.index, self.schema, self.files = ds.network, ds.index, ds.schema, ds.files


@pytest.mark.parametrize("focus, options", [
    ("COSME", {"depth": 1}),
    ("Horizon Europe", {"depth": 2}),
    ("Horizon Europe", {"depth": 2, "max_nodes": 15}),
    ("France", {"depth": 2, "size_by": "pagerank", "max_nodes": 25}),
    ("European Cluster Collaboration Platform", {"depth": 2, "size_by": "betweenness", "max_nodes": 30}),
    ("COSME", {"depth": 2, "types": ["programme", "initiative"], "colour_by": "community"}),
    ("Horizon Europe", {"depth": 1, "period": "2021-2027"}),
])
def test_focus_from_the_topology_gives_the_same_page_as_from_the_whole_projection(focus: str, options: dict) -> None:
    # the focus route finds the neighbourhood on the cached topology and projects only it
    ds = graph.open_dataset(use_cache=False)
    fast = graph.render(ds, focus=focus, **options)
    whole = graph.render(_WholeProjection(ds), focus=focus, **options)
    assert fast.html == whole.html
    assert fast.nodes > 1 and fast.mode == "focus"
    if "max_nodes" in options:
        assert fast.left_out > 0 and fast.nodes == options["max_nodes"]


def test_focus_left_out_by_the_filters_is_said_on_both_routes() -> None:
    ds = graph.open_dataset(use_cache=False)
    for source in (ds, _WholeProjection(ds)):
        with pytest.raises(graph.InputError, match="is not on this map"):
            graph.render(source, focus="COSME", period="2021-2027")
