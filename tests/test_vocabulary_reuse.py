"""Reuse of EURIO and W3C ORG at property level (issue 12, point 13): a CORDIS/EURIO user's usual query
shapes run on the graph materialised with RDFS inference (``--infer rdfs``)."""

from __future__ import annotations

import pytest

EURIO = "PREFIX eurio: <http://data.europa.eu/s66#>\nPREFIX org: <http://www.w3.org/ns/org#>\n"
PREFIXES = EURIO + """PREFIX ckg: <https://w3id.org/clusterkg/ontology#>
PREFIX ckr: <https://w3id.org/clusterkg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def inferred():
    import graph

    return graph.open_graph(infer="rdfs").graph  # through the session's cache: built once per session


def ask(g, body: str) -> bool:
    return bool(g.query(PREFIXES + "ASK {" + body + "}").askAnswer)


def test_property_mappings_are_declared(kg) -> None:
    for prop, parent in (("startDate", "eurio:startDate"), ("endDate", "eurio:endDate"), ("value", "eurio:value"),
                         ("fundedBy", "eurio:isFundedBy"), ("subSchemeOf", "eurio:isSubSchemeOf"),
                         ("memberOf", "org:memberOf"), ("hasMember", "org:hasMember"), ("heads", "org:headOf")):
        assert ask(kg.graph, f"ckg:{prop} rdfs:subPropertyOf {parent} ."), prop


def test_funding_schemes_are_eu_research_funding_only(kg) -> None:
    assert not ask(kg.graph, "ckg:Programme rdfs:subClassOf eurio:FundingScheme .")
    assert ask(kg.graph, "ckr:horizon-europe a eurio:FundingScheme . ckr:innosup-1 a eurio:FundingScheme .")
    for national in ("go-cluster", "poles-de-competitivite", "canada-superclusters", "cosme"):
        assert not ask(kg.graph, f"ckr:{national} a eurio:FundingScheme ."), national


def test_eurio_query_shapes_on_the_inferred_graph(inferred) -> None:
    # scheme nesting, Programme -> topic, as in CORDIS
    assert ask(inferred, """ckr:call-innosup-01-2018-2020 eurio:isSubSchemeOf ckr:innosup-1 .
                            ckr:innosup-1 eurio:isSubSchemeOf ckr:horizon-2020 .
                            ckr:horizon-2020 a eurio:FundingScheme .""")
    # funded-by and ORG membership
    assert ask(inferred, "ckr:amulet a eurio:Project ; eurio:isFundedBy ckr:innosup-1 .")
    assert ask(inferred, """ckr:euroboostex org:hasMember ckr:ateval , ckr:citeve .
                            ckr:ateval a org:FormalOrganization .""")
    assert ask(inferred, "ckr:euroboostex a org:OrganizationalCollaboration .")


def test_literal_eurio_properties_on_the_inferred_graph(inferred) -> None:
    """Regression: --infer kept only inferred triples between IRIs, so eurio:startDate and
    eurio:value (super-properties of ckg:startDate and ckg:value) were missing."""
    assert ask(inferred, 'ckr:amulet eurio:startDate ?d . ?f eurio:value ?v .')
