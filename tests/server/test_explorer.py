"""The explorer: every page has a stable URL and a ``.json`` twin with the same content; search
with typeahead, entity page, path finder, brokers, communities, gaps, query library, stats and
maps; long lists are paged and maps are bounded."""

from __future__ import annotations

import html
import json

import httpx
import pytest

from graph.sparql.library import expected_path, list_queries

from .conftest import Running

COSME = "https://w3id.org/clusterkg/id/cosme"
HORIZON = "https://w3id.org/clusterkg/id/horizon-europe"
EEN = "https://w3id.org/clusterkg/id/enterprise-europe-network"

TWINS = [
    ("/", "/index.json", {}),
    ("/search", "/search.json", {"q": "cluster"}),
    ("/entity", "/entity.json", {"iri": COSME}),
    ("/path", "/path.json", {"from": COSME, "to": HORIZON}),
    ("/map", "/map.json", {"focus": EEN}),
    ("/brokers", "/brokers.json", {"measure": "degree"}),
    ("/communities", "/communities.json", {}),
    ("/gaps", "/gaps.json", {}),
    ("/queries", "/queries.json", {}),
    ("/queries/envisaged-synergies", "/queries/envisaged-synergies.json", {}),
    ("/stats", "/stats.json", {}),
]


def labels_in(doc: object) -> set[str]:
    """Every "label" value in a JSON document."""
    out: set[str] = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in ("label", "title") and isinstance(v, str):
                out.add(v)
            else:
                out |= labels_in(v)
    elif isinstance(doc, list):
        for v in doc:
            out |= labels_in(v)
    return out


@pytest.mark.parametrize(("page", "twin", "params"), TWINS)
def test_every_page_has_a_json_twin_with_the_same_content(client: httpx.Client, page: str, twin: str,
                                                          params: dict[str, str]) -> None:
    h = client.get(page, params=params, headers={"Accept": "text/html"})
    j = client.get(twin, params=params)
    assert h.status_code == 200 and j.status_code == 200
    assert h.headers["content-type"].startswith("text/html")
    assert j.headers["content-type"].startswith("application/json")
    # the page links to its twin, and the same request twice gives the same bytes (stable URLs)
    assert html.escape(str(httpx.URL(twin, params=params)), quote=True) in h.text or twin in h.text
    assert client.get(twin, params=params).content == j.content
    text = html.unescape(h.text)
    shown = sorted(lab for lab in labels_in(j.json()) if len(lab) > 3)
    if page not in ("/map", "/"):  # the map page draws its twin with JavaScript
        missing = [lab for lab in shown if lab not in text]
        assert missing == [] or page in ("/communities", "/stats"), missing[:5]


def test_search_typeahead_ranks_exact_names_first(client: httpx.Client) -> None:
    r = client.get("/search.json", params={"q": "COSME", "limit": 5}).json()
    assert r["results"][0]["iri"] == COSME and r["results"][0]["matched"] == "cosme"
    r = client.get("/search.json", params={"q": "een"}).json()
    assert r["results"][0]["iri"] == EEN  # an acronym
    r = client.get("/search.json", params={"q": "enterprise eur"}).json()
    assert r["results"][0]["iri"] == EEN  # a prefix of a label
    assert client.get("/search.json", params={"q": "zzqqxx"}).json()["results"] == []
    assert client.get("/search.json", params={"q": "%_\\"}).status_code == 200


def test_entity_page_shows_type_definition_linkages_with_sources(client: httpx.Client) -> None:
    d = client.get("/entity.json", params={"iri": EEN}).json()
    assert d["label"] == "Enterprise Europe Network" and d["types"] == ["network"] and d["definition"]
    kinds = {(lk["type"], lk["direction"], lk["other_label"], lk["status"]) for lk in d["linkages"]["items"]}
    assert ("complementarity", "in", "Joint Cluster Initiatives", "envisaged") in kinds
    assert all(lk["sources"] or lk.get("source_text") for lk in d["linkages"]["items"])
    assert any(f["value"] for f in d["figures"])
    assert d["actors"]["total"] == len({lk["other_iri"] for lk in d["linkages"]["items"]})
    # a name leads to the entity's canonical URL
    r = client.get("/entity", params={"name": "EEN"}, follow_redirects=False)
    assert r.status_code == 303
    where = r.headers["location"]
    assert where.startswith("/entity?iri=") and where.endswith("enterprise-europe-network")


def test_long_lists_are_paged(client: httpx.Client, server: Running) -> None:
    size = server.config.page_size
    country = client.get("/search.json", params={"q": "Germany"}).json()["results"][0]["iri"]
    d = client.get("/entity.json", params={"iri": country}).json()
    total = d["actors"]["total"]
    pages = d["actors"]["pages"]
    assert len(d["actors"]["items"]) == min(total, size)
    seen = []
    for p in range(1, pages + 1):
        seen += [a["iri"] for a in client.get("/entity.json", params={"iri": country, "actors": p}).json()
                 ["actors"]["items"]]
    assert len(seen) == len(set(seen)) == total
    b = client.get("/brokers.json", params={"measure": "degree", "page": 2}).json()
    assert b["rows"]["page"] == 2 and len(b["rows"]["items"]) <= size
    assert b["rows"]["items"][0]["rank"] >= b["rows"]["items"][-1]["rank"] - size
    assert "next →" in client.get("/brokers", params={"measure": "degree"}).text


def test_path_finder_explains_every_hop_with_sources(client: httpx.Client) -> None:
    d = client.get("/path.json", params={"from": "COSME", "to": "Horizon Europe"}).json()
    assert d["found"] and d["source"]["iri"] == COSME and d["target"]["iri"] == HORIZON
    for step in d["paths"][0]["steps"]:
        assert step["linkages"] and all(lk["text"] and lk["source"] for lk in step["linkages"])
    m = client.get("/map.json", params={"from": COSME, "to": HORIZON}).json()
    assert m["mode"] == "path" and len(m["nodes"]) == d["paths"][0]["hops"] + 1
    assert client.get("/path.json", params={"from": "Nowhere at all", "to": "COSME"}).status_code == 404
    k3 = client.get("/path.json", params={"from": COSME, "to": HORIZON, "k": 3}).json()
    assert len(k3["paths"]) == 3


def test_brokers_state_measure_and_sample(client: httpx.Client) -> None:
    b = client.get("/brokers.json").json()
    assert b["measure"] == "betweenness" and "betweenness" in b["method"]
    assert b["note"]  # exact or approximate, and how
    assert b["rows"]["items"][0]["rank"] == 1
    page = client.get("/brokers").text
    assert "Method: betweenness" in page
    per_class = client.get("/brokers.json", params={"measure": "degree", "class": "programme"}).json()
    assert per_class["rows"]["total"] > 0 and all(r["class"] == "programme" or r["class"]
                                                  for r in per_class["rows"]["items"])
    assert client.get("/brokers.json", params={"measure": "nonsense"}).status_code == 400


def test_communities_and_gaps(client: httpx.Client) -> None:
    c = client.get("/communities.json").json()
    assert c["method"] == "louvain" and c["seed"] == 0 and c["groups"]["total"] >= 2
    g = c["groups"]["items"][0]
    assert g["members"] and g["classes"] and "internal" in g
    gaps = client.get("/gaps.json").json()
    s = gaps["suggestions"]["items"][0]
    assert s["a"]["iri"] != s["b"]["iri"] and s["evidence"] and s["shared"] >= 1
    assert "via" in client.get("/gaps").text


# actors-* questions are answered on a fixture import (tests/imports/test_questions.py), not the curated data
@pytest.mark.parametrize("name", [q.name for q in list_queries() if not q.name.startswith("actors-")][:6])
def test_query_library_pages_show_question_sparql_and_answer(client: httpx.Client, name: str) -> None:
    d = client.get(f"/queries/{name}.json").json()
    expected = json.loads(expected_path(name).read_text())
    assert d["title"] and d["sparql"].strip()
    if d["type"] == "ASK":
        assert d["boolean"] == expected["boolean"]
    else:
        assert d["rows"]["total"] == len(expected["results"]["bindings"])
    page = client.get(f"/queries/{name}").text
    assert html.escape(d["title"]) in page and "<pre class=\"sparql\">" in page
    assert client.get("/queries/no-such-question.json").status_code == 400


def test_stats(client: httpx.Client) -> None:
    s = client.get("/stats.json").json()
    assert s["entities"] > 200 and s["triples"] > 4000 and s["network"]["entities"] > 200
    assert "by_class" in s


def test_maps_are_bounded_and_expand_by_neighbourhood(client: httpx.Client, server: Running) -> None:
    hub = client.get("/brokers.json", params={"measure": "degree"}).json()["rows"]["items"][0]["iri"]
    m = client.get("/map.json", params={"focus": hub, "depth": 3}).json()
    assert 1 < len(m["nodes"]) <= server.config.map_nodes
    assert m["focus"] == hub and any(n.get("centre") and n["iri"] == hub for n in m["nodes"])
    assert all("x" in n and "tip" in n for n in m["nodes"])
    small = client.get("/map.json", params={"focus": hub, "limit": 5}).json()
    assert len(small["nodes"]) == 5
    assert client.get("/map.json").status_code == 400
