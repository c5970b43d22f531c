"""The explorer's partner search page (/partners and /partners.json) and its link from entity pages, served
by a real ``clusterkg serve`` application (uvicorn on loopback), and walked in headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

FORTH = "https://w3id.org/clusterkg/id/org-pic-999995893"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(actors: Any) -> Iterator[str]:
    """The imports of real rows plus the markup fixture, served on a free loopback port."""
    from tests.server.conftest import start_server

    with start_server(dataset=actors) as running:
        yield running.url


@pytest.fixture(scope="module")
def client(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, timeout=60) as c:
        yield c


def html(client: httpx.Client, url: str) -> httpx.Response:
    return client.get(url, headers={"accept": "text/html"})


def test_the_page_and_its_json_twin_show_the_same_ranking(client: httpx.Client) -> None:
    doc = client.get("/partners.json", params={"q": "999995893", "top": 5}).json()
    res = doc["result"]
    assert doc["form"]["q"] == "999995893" and len(res["results"]) == 5 and res["method"]["text"]
    page = html(client, "/partners?q=999995893&top=5")
    assert page.status_code == 200 and 'href="/partners.json?q=999995893&amp;top=5"' in page.text
    ranked = re.findall(r'<li class="partner" id="partner-(\d+)">\s*<h3>\d+\. <a href="/entity\?iri=([^"]+)"',
                        page.text)
    assert [(int(n), i.replace("%3A", ":").replace("%2F", "/")) for n, i in ranked] == [
        (r["rank"], r["iri"]) for r in res["results"]]
    assert "Method" in page.text and "ties by IRI" in page.text


def test_every_figure_links_to_a_query_that_gives_back_its_rows(client: httpx.Client) -> None:
    res = client.get("/partners.json", params={"q": "999995893", "top": 3}).json()["result"]
    page = html(client, "/partners?q=999995893&top=3").text
    links = re.findall(r'<a class="rows" href="(/sparql\?[^"]+)"', page)
    assert len(links) >= 2 * len(res["results"])
    first = res["results"][0]["components"]["co_participation"]
    query = next(parse_qs(urlparse(link.replace("&amp;", "&")).query)["query"][0] for link in links
                 if "shares with the seed" in parse_qs(urlparse(link.replace("&amp;", "&")).query)["query"][0])
    assert query == first["rows_query"]
    rows = client.get("/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert rows.status_code == 200
    assert len({b["project"]["value"] for b in rows.json()["results"]["bindings"]}) == first["projects"] > 0


def test_entity_pages_of_seeds_link_to_the_search(client: httpx.Client) -> None:
    page = html(client, "/entity?" + httpx.QueryParams({"iri": FORTH}).__str__()).text
    assert 'class="find-partners"' in page and "Find partners for this organisation" in page
    assert 'class="find-partners"' not in html(client, "/entity?iri=https://w3id.org/clusterkg/id/cosme").text
    assert "Find partners for this partnership" in html(client, "/entity?iri=https://w3id.org/clusterkg/id/e-boost").text


def test_bad_input_is_one_clear_line(client: httpx.Client) -> None:
    got = client.get("/partners.json", params={"q": "Germany"})
    assert got.status_code == 400 and "is a country" in got.json()["error"]
    got = client.get("/partners.json", params={"q": "Nowhere Institute of Nothing"})
    assert got.status_code == 404 and "candidates" in got.json()
    assert html(client, "/partners").status_code == 200  # the empty form


def test_labels_are_text_never_markup(client: httpx.Client) -> None:
    page = html(client, "/partners?q=" + "https%3A%2F%2Fexample.org%2Fclusterkg-xss%2Forg-a").text
    assert "Fixture partner" in page and "&lt;script&gt;window.__xss=&#39;partner&#39;&lt;/script&gt;" in page
    assert "<script>window.__xss" not in page and "<img src=x" not in page and "<b onmouseover" not in page
    doc = json.loads(client.get("/partners.json", params={"q": "https://example.org/clusterkg-xss/org-a"}).text)
    assert doc["result"]["results"][0]["label"].startswith("<script>")  # JSON keeps the data as it is


@pytest.mark.browser
def test_a_person_finds_partners_in_a_real_browser(site: str, chromium: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium("1360,1500", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", None) as driver:
        driver.get(f"{site}/entity?iri=https%3A%2F%2Fexample.org%2Fclusterkg-xss%2Forg-a")
        driver.find_element(By.CSS_SELECTOR, "a.find-partners").click()
        WebDriverWait(driver, 30, poll_frequency=0.05).until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.partner"))
        assert driver.execute_script("return window.__xss === undefined")
        driver.get(f"{site}/partners")
        form = driver.find_element(By.CSS_SELECTOR, "form.partnerform")
        form.find_element(By.NAME, "q").send_keys("IDRYMA TECHNOLOGIAS KAI EREVNAS")
        form.find_element(By.NAME, "region").send_keys("EL")
        driver.find_element(By.CSS_SELECTOR, "form.partnerform button").click()
        WebDriverWait(driver, 30, poll_frequency=0.05).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.partner")) > 3)
        assert "region=EL" in driver.current_url
        cards = driver.find_elements(By.CSS_SELECTOR, "li.partner")
        assert all("Greece" in c.text for c in cards)
        assert driver.find_element(By.CSS_SELECTOR, "section.method").is_displayed()
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
        assert driver.execute_script("return window.__xss === undefined")
        path = ROOT / "test-artifacts" / "serve-partners.png"
        driver.save_screenshot(str(path))
        assert path.stat().st_size > 10_000


def test_the_command_line_shows_control_characters_never_obeys_them(actor_data: list[Path]) -> None:
    from click.testing import CliRunner

    from cli import cli

    data = [a for f in actor_data for a in ("--data", str(f))]
    res = CliRunner().invoke(cli, [*data, "partners", "https://example.org/clusterkg-xss/org-a"])
    assert res.exit_code == 0, res.output
    assert "Fixture partner \\x1b]0;pwned\\x07 \\x1b[31mred" in res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
