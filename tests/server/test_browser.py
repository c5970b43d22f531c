"""A person's walk through ``clusterkg serve`` in headless Chromium: search (typeahead) → entity
page → path finder → map (expand a node on click) → query editor. No console error, no request
to anything but the server, no injected script; a screenshot of each page goes to
``test-artifacts/serve-*.png``. With CI=true a missing browser fails; elsewhere it skips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Running, start_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Iterator[Any]:
    with chromium("1440,1000", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", None) as driver:
        yield driver


@pytest.fixture(scope="module")
def site() -> Iterator[Running]:
    with start_server() as running:
        yield running


def requests_seen(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            urls.append(msg["params"].get("request", {}).get("url") or msg["params"].get("url", ""))
    return urls


def assert_clean(driver: Any, site: Running) -> None:
    """No console error, no request leaving the host, no injected script ran."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    outside = [u for u in requests_seen(driver) if not u.startswith((site.url + "/", "data:"))]
    assert outside == []
    assert driver.execute_script("return window.__xss === undefined")


def shot(driver: Any, name: str) -> Path:
    path = ARTIFACTS / f"serve-{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def wait(driver: Any, script: str, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: d.execute_script(script))


def click_node(driver: Any, iri: str) -> None:
    """A real mouse click (Chromium input events) on the node ``iri`` of the page's first map."""
    at = driver.execute_script(
        "var box = document.querySelector('.mapbox'); var c = box.querySelector('canvas');"
        "c.scrollIntoView({block: 'center'}); var n = box.__network;"
        "var p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]); var r = c.getBoundingClientRect();"
        "return {x: r.left + p.x, y: r.top + p.y};", iri)
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": kind, "x": at["x"], "y": at["y"],
                                                            "button": "left", "clickCount": 1})


def type_and_pick(driver: Any, field: Any, text: str, want: str) -> None:
    from selenium.webdriver.common.by import By

    field.clear()
    field.send_keys(text)
    parent = field.find_element(By.XPATH, "..")
    wait(driver, "return [...arguments[0].querySelectorAll('ul.typeahead li')].some(li => li.offsetParent !== null)"
         .replace("arguments[0]", "document"), 10)
    items = [li for li in parent.find_elements(By.CSS_SELECTOR, "ul.typeahead li") if li.is_displayed()]
    choice = next(li for li in items if li.find_element(By.TAG_NAME, "span").text == want)
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).move_to_element(choice).click().perform()


def test_walk_search_entity_path_map_editor(browser: Any, site: Running) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    d.get_log("browser")
    d.get_log("performance")

    # 1. search with typeahead, from the start page
    d.get(site.url + "/")
    box = d.find_element(By.ID, "typeahead")
    box.send_keys("enterprise eur")
    wait(d, "var l = document.getElementById('typeahead-list'); return !l.hidden && l.children.length > 0;", 10)
    assert "Enterprise Europe Network" in d.find_element(By.ID, "typeahead-list").text
    shot(d, "1-search")
    first = next(li for li in d.find_elements(By.CSS_SELECTOR, "#typeahead-list li")
                 if li.text.startswith("Enterprise Europe Network"))
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(d).move_to_element(first).click().perform()

    # 2. the entity page: label, type, linkages with sources, linked actors, neighbourhood map
    wait(d, "return location.pathname === '/entity' && (window.__mapReady || 0) >= 1")
    assert d.find_element(By.ID, "entity-label").text == "Enterprise Europe Network"
    assert "network" in d.find_element(By.CSS_SELECTOR, "p.meta .type").text
    assert len(d.find_elements(By.CSS_SELECTOR, "table.linkages tbody tr")) >= 3
    assert d.find_elements(By.CSS_SELECTOR, "ul.actors li")
    n_before = d.execute_script("return document.querySelector('.mapbox').__network.body.data.nodes.length")
    assert 1 < n_before <= site.config.map_nodes
    shot(d, "2-entity")
    assert_clean(d, site)

    # 3. the path finder, entities picked with the typeahead
    d.get(site.url + "/path")
    fields = d.find_elements(By.CSS_SELECTOR, "input.entity-input")
    type_and_pick(d, fields[0], "COSME", "Programme for the Competitiveness of Enterprises and SMEs")
    type_and_pick(d, fields[1], "Horizon Eur", "Horizon Europe")
    d.find_element(By.CSS_SELECTOR, "form.pathform button").click()
    wait(d, "return location.pathname === '/path' && (window.__mapReady || 0) >= 1")
    hops = d.find_elements(By.CSS_SELECTOR, "ol.hops > li")
    assert hops and "Competitiveness" in d.find_element(By.CSS_SELECTOR, "section.path h2").text
    drawn = d.execute_script("return document.querySelector('.mapbox').__network.body.data.nodes.length")
    assert drawn == len(hops) + 1
    shot(d, "3-path")
    assert_clean(d, site)

    # 4. a map: click a node to expand its neighbourhood (as the WDQS graph view does)
    een = "https://w3id.org/clusterkg/id/enterprise-europe-network"
    d.get(site.url + "/map?focus=" + een)
    wait(d, "return (window.__mapReady || 0) >= 1")
    before = d.execute_script("return document.querySelector('.mapbox').__network.body.data.nodes.getIds()")
    doc = d.execute_script(
        "return fetch('/map.json?focus=' + encodeURIComponent(arguments[0])).then(r => r.json());", een)
    # expand a neighbour that has neighbours of its own off the map
    target = None
    for n in doc["nodes"]:
        if n["iri"] == een:
            continue
        around = d.execute_script(
            "return fetch('/map.json?focus=' + encodeURIComponent(arguments[0])).then(r => r.json())"
            ".then(x => x.nodes.map(m => m.iri));", n["iri"])
        if set(around) - set(before):
            target = n["iri"]
            break
    assert target is not None
    click_node(d, target)
    wait(d, "return (window.__mapExpanded || 0) >= 1", 20)
    after = d.execute_script("return document.querySelector('.mapbox').__network.body.data.nodes.getIds()")
    assert set(before) < set(after)
    assert not d.find_element(By.CSS_SELECTOR, ".map-details").get_attribute("hidden")
    wait(d, "return !document.querySelector('.mapbox').__network.physics.physicsEnabled", 20)
    d.execute_script("document.querySelectorAll('div.vis-tooltip').forEach(t => t.style.visibility = 'hidden')")
    shot(d, "4-map")
    assert_clean(d, site)

    # 5. the query editor (YASGUI), run a library question
    d.get(site.url + "/sparql")
    wait(d, "return !!window.__yasgui && !!document.querySelector('.yasqe .CodeMirror')")
    d.find_element(By.CSS_SELECTOR, "button.example[data-name='envisaged-synergies']").click()
    wait(d, "return document.querySelectorAll('.yasr table tbody tr').length > 0", 30)
    rows = d.execute_script("return document.querySelectorAll('.yasr table tbody tr').length")
    assert rows > 0
    shot(d, "5-editor")
    assert_clean(d, site)


def test_markup_in_labels_never_runs_in_the_browser(browser: Any) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    with start_server([fixtures / "xss.ttl"], default_data=False) as xs:
        d = browser
        d.get_log("browser")
        d.get_log("performance")
        for path in ("/search?q=img", "/entity?iri=https://example.org/clusterkg-xss/href",
                     "/map?focus=https://example.org/clusterkg-xss/href", "/brokers", "/communities"):
            d.get(xs.url + path)
            if path.startswith("/map"):
                wait(d, "return (window.__mapReady || 0) >= 1")
            assert d.execute_script("return window.__xss === undefined"), path
            assert not d.find_elements("css selector", "img[src='x']"), path
        shot(d, "xss-entity")
        assert [u for u in requests_seen(d) if not u.startswith((xs.url + "/", "data:"))] == []
