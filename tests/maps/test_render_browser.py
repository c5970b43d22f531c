"""Maps in a real browser: headless Chromium (Debian's /usr/bin/chromium with chromedriver) opens
each map from a file:// URL with every other request blocked, and checks what a user would see.

One browser session serves the whole module. Screenshots go to test-artifacts/ at the repository
root. With CI=true a missing browser fails these tests; elsewhere they are skipped.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import cli
from graph.entities.lookup import EntityIndex
from graph.network.projection import project

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
XSS_TITLE = "<script>window.__xss='title'</script>"
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]

def expected_map(g: Any) -> tuple[set[str], set[frozenset[str]]]:
    """Entities and linked pairs straight from the triples (independently of graph.network.projection)."""
    from rdflib import RDF

    from graph.namespaces import CKG

    entities = {e for e in EntityIndex(g).entities if (e, RDF.type, CKG.Synergy) not in g}
    pairs = {frozenset((str(s), str(o))) for s, p, o in g
             if s in entities and o in entities and p != RDF.type and s != o}
    for syn in g.subjects(RDF.type, CKG.Synergy):
        for s in g.objects(syn, CKG.synergySource):
            for o in g.objects(syn, CKG.synergyTarget):
                if s in entities and o in entities and s != o:
                    pairs.add(frozenset((str(s), str(o))))
    return {str(e) for e in entities}, pairs


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Iterator[Any]:
    with chromium("1600,1000", "MAP * ~NOTFOUND", BLOCKED) as driver:
        yield driver


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory, fixtures: Path) -> dict[str, Path]:
    """The acceptance maps, made through the CLI."""
    out = tmp_path_factory.mktemp("maps")
    runner = CliRunner()
    jobs = {
        "full": ["render", "--out", str(out / "map.html")],
        "path": ["render", "--path", "COSME", "Horizon Europe", "--out", str(out / "path.html")],
        "focus": ["render", "--focus", "Enterprise Europe Network", "--depth", "2", "--out", str(out / "een.html")],
        "xss": ["--no-default-data", "--data", str(fixtures / "xss.ttl"), "render", "--title", XSS_TITLE,
                "--out", str(out / "xss.html")],
    }
    for name, args in jobs.items():
        res = runner.invoke(cli, args, catch_exceptions=False)
        assert res.exit_code == 0, f"{name}: {res.output}"
    return {name: Path(args[args.index("--out") + 1]) for name, args in jobs.items()}


# -- helpers --------------------------------------------------------------------------------

def open_map(driver: Any, path: Path) -> None:
    """Load ``path`` and wait until vis-network has drawn it once."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drain what earlier pages left
    driver.get_log("performance")
    driver.get(path.as_uri())
    WebDriverWait(driver, 30, poll_frequency=0.05).until(lambda d: d.execute_script("return !!window.__mapReady"))


def assert_clean(driver: Any) -> None:
    """No console error and no request other than the file itself (and inline data: images)."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            urls.append(msg["params"].get("request", {}).get("url") or msg["params"].get("url", ""))
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in resources if not u.startswith(("file:", "data:"))] == []


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def shown_iris(driver: Any) -> set[str]:
    return set(js(driver, "var m = clusterkgMap; return m.network.body.nodeIndices.map(i => m.data.nodes[i].iri);"))


def node_id(driver: Any, iri: str) -> int:
    return js(driver, "return clusterkgMap.data.nodes.find(n => n.iri === arguments[0]).id;", iri)


def hover(driver: Any, x: float, y: float) -> str:
    """Move the mouse to canvas point (x, y) and return the tooltip's text."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    canvas = driver.find_element(By.CSS_SELECTOR, "#map canvas")
    dom = js(driver, "return clusterkgMap.network.canvasToDOM({x: arguments[0], y: arguments[1]});", x, y)
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(dom["x"] - size["width"] / 2), int(dom["y"] - size["height"] / 2)).perform()
    WebDriverWait(driver, 5, poll_frequency=0.05).until(lambda d: d.execute_script(
        "var t = document.querySelector('div.vis-tooltip'); return t && t.style.visibility === 'visible';"))
    text = js(driver, "return document.querySelector('div.vis-tooltip').textContent;")
    ActionChains(driver).move_by_offset(0, 0).perform()
    return text


def screenshot(driver: Any, name: str) -> Path:
    path = ARTIFACTS / f"render-{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


# -- acceptance -----------------------------------------------------------------------------

def test_full_map_shows_every_entity_with_legend_and_no_requests(browser: Any, maps: dict[str, Path], kg) -> None:
    open_map(browser, maps["full"])
    entities, pairs = expected_map(kg.graph)
    assert shown_iris(browser) == entities
    assert js(browser, "return clusterkgMap.network.body.edgeIndices.length;") == len(pairs)
    legend = js(browser, "return [...document.querySelectorAll('#legend .legend-items li')].map(li => li.textContent);")
    net = project(kg.graph)
    classes = {d["class"] for _, d in net.nodes(data=True)}
    assert len(legend) == len(classes) and all(any(c in item for c in classes) for item in legend)
    # drawn once and still: physics off, positions do not move
    before = js(browser, "return clusterkgMap.network.getPositions();")
    time.sleep(0.3)
    assert js(browser, "return clusterkgMap.network.physics.physicsEnabled;") is False
    assert js(browser, "return clusterkgMap.network.getPositions();") == before
    screenshot(browser, "full")
    assert_clean(browser)


def test_search_focuses_the_entity_it_finds(browser: Any, maps: dict[str, Path], kg) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    open_map(browser, maps["full"])
    een = node_id(browser, str(EntityIndex(kg.graph).resolve("Enterprise Europe Network")))
    box = browser.find_element(By.ID, "search")
    for query in ("enterprise europe network", "EEN"):  # the label (any case), then the acronym
        js(browser, "var n = clusterkgMap.network; n.unselectAll(); n.moveTo({position: {x: 0, y: 0}, scale: 0.2});")
        box.clear()
        box.send_keys(query, Keys.ENTER)
        WebDriverWait(browser, 5, poll_frequency=0.05).until(lambda d: d.execute_script(
            "return clusterkgMap.network.getSelectedNodes();") == [een])

        def centred(d: Any) -> bool:
            view = d.execute_script("return clusterkgMap.network.getViewPosition();")
            pos = d.execute_script("return clusterkgMap.network.getPositions([arguments[0]])[arguments[0]];", een)
            return math.dist((view["x"], view["y"]), (pos["x"], pos["y"])) < 2

        WebDriverWait(browser, 5, poll_frequency=0.05).until(centred)
        assert js(browser, "return clusterkgMap.network.getScale();") >= 1.19
        status = browser.find_element(By.ID, "search-status").text
        assert status.startswith("Found Enterprise Europe Network (network)")
        details = browser.find_element(By.ID, "details")
        assert details.is_displayed()
        assert details.find_element(By.TAG_NAME, "h2").text == "Enterprise Europe Network"
    box.clear()
    box.send_keys("no such entity xyz", Keys.ENTER)
    assert "No entity on this map matches" in browser.find_element(By.ID, "search-status").text
    screenshot(browser, "search")
    assert_clean(browser)


def test_class_and_period_filters(browser: Any, maps: dict[str, Path], kg) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_map(browser, maps["full"])
    net = project(kg.graph)
    countries = {n for n, d in net.nodes(data=True) if d["class"] == "country"}
    total = len(shown_iris(browser))
    box = browser.find_element(By.CSS_SELECTOR, "#legend input[data-key='ckg:Country']")
    box.click()
    assert shown_iris(browser) == set(net.nodes) - countries and total == len(net.nodes)
    box.click()
    assert len(shown_iris(browser)) == total
    data = js(browser, "return clusterkgMap.data.nodes.map(n => [n.iri, n.periods]);")
    period = js(browser, "return clusterkgMap.data.periods[0].id;")
    Select(browser.find_element(By.ID, "period-filter")).select_by_value(period)
    expected = {iri for iri, periods in data if not periods or period in periods}
    assert shown_iris(browser) == expected and len(expected) < total
    Select(browser.find_element(By.ID, "period-filter")).select_by_value("")
    assert len(shown_iris(browser)) == total
    assert_clean(browser)


def test_path_map_reads_left_to_right_with_sources(browser: Any, maps: dict[str, Path], kg) -> None:
    from graph.network.paths import linkage_paths
    from graph.network.projection import simple_graph

    open_map(browser, maps["path"])
    idx = EntityIndex(kg.graph)
    src, dst = str(idx.resolve("COSME")), str(idx.resolve("Horizon Europe"))
    net = project(kg.graph)
    expected = linkage_paths(net, src, dst)["paths"][0]
    order = [n["iri"] for n in expected["nodes"]]
    import networkx as nx

    assert len(order) - 1 == nx.shortest_path_length(simple_graph(net), src, dst)
    assert shown_iris(browser) == set(order)
    xs = js(browser, """var m = clusterkgMap, pos = m.network.getPositions();
        return Object.fromEntries(m.data.nodes.map(n => [n.iri, pos[n.id]]));""")
    assert [xs[i]["x"] for i in order] == sorted(xs[i]["x"] for i in order)  # left to right
    assert len({xs[i]["y"] for i in order}) == 1
    # every step's tooltip names its source; hover the first one for real
    tips = js(browser, """var m = clusterkgMap, e = m.network.body.edges;
        return Object.keys(e).map(k => [m.data.nodes[e[k].fromId].iri, m.data.nodes[e[k].toId].iri,
                                        e[k].options.title.textContent]);""")
    tip_of = {frozenset((a, b)): text for a, b, text in tips}
    assert len(tip_of) == len(order) - 1
    for step in expected["steps"]:
        tip = tip_of[frozenset((step["from"]["iri"], step["to"]["iri"]))]
        for lk in step["linkages"]:
            assert lk["source"] and lk["source"] in tip
    a, b = xs[order[0]], xs[order[1]]
    text = hover(browser, (a["x"] + b["x"]) / 2, a["y"])
    assert expected["steps"][0]["linkages"][0]["source"] in text
    screenshot(browser, "path")
    assert_clean(browser)


def test_focus_map_shows_that_neighbourhood_only(browser: Any, maps: dict[str, Path], kg) -> None:
    import networkx as nx

    open_map(browser, maps["focus"])
    centre = str(EntityIndex(kg.graph).resolve("Enterprise Europe Network"))
    net = project(kg.graph)
    expected = set(nx.ego_graph(net.to_undirected(as_view=True), centre, radius=2))
    assert shown_iris(browser) == expected
    assert js(browser, "return document.getElementById('map-title').textContent;") == \
        "Enterprise Europe Network and its neighbourhood"
    screenshot(browser, "focus")
    assert_clean(browser)


def test_xss_labels_are_plain_text(browser: Any, maps: dict[str, Path]) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def no_script_ran() -> None:
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert  # noqa: B018 - raises when no alert() ran
        assert js(browser, "return typeof window.__xss;") == "undefined"

    open_map(browser, maps["xss"])
    no_script_ran()
    assert js(browser, "return document.getElementById('map-title').textContent;") == XSS_TITLE
    assert js(browser, "return document.title;") == XSS_TITLE
    assert js(browser, "return document.querySelectorAll('img, iframe, a, script[src]').length;") == 0
    assert js(browser, """return [...document.querySelectorAll('*')].filter(
        e => [...e.attributes].some(a => a.name.startsWith('on'))).length;""") == 0
    # hover every entity: its tooltip shows the raw label as text
    nodes = js(browser, "var m = clusterkgMap, p = m.network.getPositions(); "
                        "return m.data.nodes.map(n => [n.name, p[n.id].x, p[n.id].y]);")
    assert any(name == '"><img src=x onerror=alert(1)>' for name, _, _ in nodes)
    for name, x, y in nodes:
        assert hover(browser, x, y).startswith(name)
        no_script_ran()
    # search for the label with "href": the details panel shows it as text
    box = browser.find_element(By.ID, "search")
    href = next(name for name, _, _ in nodes if "href" in name)
    box.send_keys(href, Keys.ENTER)
    assert browser.find_element(By.CSS_SELECTOR, "#details h2").text == href
    details = browser.find_element(By.ID, "details").text
    assert "<script>window.__xss='definition'</script>" not in details  # href's own definition is plain
    js(browser, "clusterkgMap.focusNode(clusterkgMap.data.nodes.find(n => n.name === 'Plain policy').id);")
    assert "<script>window.__xss='definition'</script>" in browser.find_element(By.ID, "details").text
    no_script_ran()
    screenshot(browser, "xss")
    assert_clean(browser)


def test_blocked_requests_are_caught(browser: Any, maps: dict[str, Path]) -> None:
    """The checks above can fail: a request made from the page is refused and shows in the log."""
    open_map(browser, maps["xss"])
    outcome = browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        fetch('https://example.org/').then(() => done('fetched'), e => done('refused: ' + e));""")
    assert outcome.startswith("refused")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert any("Content Security Policy" in m for m in errors)
