"""Entity lookup shared by every command."""

from __future__ import annotations

import warnings

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from cli import cli
from graph.entities.lookup import EntityIndex, normalise
from graph.errors import AmbiguousEntity, EntityNotFound, NameMatchWarning

DEU = URIRef("http://publications.europa.eu/resource/authority/country/DEU")


@pytest.fixture(scope="module")
def idx(kg) -> EntityIndex:
    return EntityIndex(kg.graph)


@pytest.mark.parametrize(
    "name",
    ["Germany", "germany", "  GERMANY ", "Deutschland", "country:DEU",
     "<http://publications.europa.eu/resource/authority/country/DEU>",
     "http://publications.europa.eu/resource/authority/country/DEU"],
)
def test_resolves_labels_curies_and_iris_silently(idx: EntityIndex, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert idx.resolve(name) == DEU


def test_a_near_match_resolves_and_says_so(idx: EntityIndex) -> None:
    with pytest.warns(NameMatchWarning, match="taking 'Germny' as 'Germany'"):
        assert idx.resolve("Germny") == DEU
    assert idx.match("Germny").kind == "near"


def test_unique_prefix(idx: EntityIndex) -> None:
    with pytest.warns(NameMatchWarning, match="taking 'Luxemb' as 'Luxembourg'"):
        assert idx.resolve("Luxemb") == URIRef("http://publications.europa.eu/resource/authority/country/LUX")


def test_a_prefix_of_another_programme_is_never_silent(idx: EntityIndex) -> None:
    """Regression (issue 8.5): 'Interreg' silently became Interregional Innovation Investments."""
    assert idx.match("Interreg").kind == "prefix"
    with pytest.warns(NameMatchWarning) as caught:
        idx.resolve("Interreg")
    assert str(caught[0].message) == "taking 'Interreg' as 'Interregional Innovation Investments (I3)'"


def test_an_exact_name_wins_over_a_longer_one_it_starts(idx: EntityIndex) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jci = idx.resolve("Joint Cluster Initiatives")
        assert idx.resolve("I3") == idx.resolve("Interregional Innovation Investments")
    assert jci == URIRef("https://w3id.org/clusterkg/id/joint-cluster-initiatives")


@pytest.mark.parametrize("args", [["show", "Interreg"], ["path", "Interreg", "COSME"],
                                  ["neighbours", "Interreg"]])
def test_the_cli_says_which_entity_a_near_name_was_taken_as(args: list[str]) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code in (0, 1), res.output
    assert "taking 'Interreg' as 'Interregional Innovation Investments (I3)'" in res.stderr
    assert "taking" not in res.stdout
    exact = CliRunner().invoke(cli, ["show", "COSME"])
    assert exact.exit_code == 0 and exact.stderr == ""


def test_ambiguous_prefix_lists_candidates(idx: EntityIndex) -> None:
    with pytest.raises(AmbiguousEntity) as info:
        idx.resolve("S")
    assert len(info.value.candidates) > 1


def test_not_found_lists_closest(idx: EntityIndex) -> None:
    with pytest.raises(EntityNotFound) as info:
        idx.resolve("Nowhereland")
    assert str(info.value) == "no entity named 'Nowhereland'"
    assert info.value.candidates
    assert "closest matches:" in info.value.describe()


def test_unknown_curie_and_iri(idx: EntityIndex) -> None:
    with pytest.raises(EntityNotFound):
        idx.resolve("ckr:no-such-thing")
    with pytest.raises(EntityNotFound):
        idx.resolve("https://example.org/nothing")


def test_normalise_folds_accents_dashes_and_case() -> None:
    assert normalise("Pôles  de compétitivité — IV") == normalise("poles de competitivite - iv")


def test_empty_name_is_not_found_not_ambiguous(idx: EntityIndex) -> None:
    """Regression: an empty name used to be reported as ambiguous."""
    with pytest.raises(EntityNotFound):
        idx.resolve("   ")


def test_ambiguity_message_counts_every_match(idx: EntityIndex) -> None:
    """Regression: the count was that of the (capped) candidate list."""
    with pytest.raises(AmbiguousEntity) as info:
        idx.resolve("S")
    total = int(str(info.value).split(" names ")[1].split()[0])
    assert total > len(info.value.candidates)


@pytest.mark.parametrize(("iri", "expected"), [
    ("https://w3id.org/clusterkg/id/cosme", "ckr:cosme"),
    ("https://w3id.org/clusterkg/ontology#Cluster", "ckg:Cluster"),
    ("https://w3id.org/clusterkg/id/a.b", "ckr:a.b"),
    ("https://w3id.org/clusterkg/id/a.", "https://w3id.org/clusterkg/id/a."),  # a local name ends with no "."
    ("https://w3id.org/clusterkg/id/", "https://w3id.org/clusterkg/id/"),  # no local name
    ("https://w3id.org/clusterkg/id/a/b", "https://w3id.org/clusterkg/id/a/b"),
    ("https://w3id.org/clusterkg/id/Ωmega~1", "ckr:Ωmega~1"),
    ("http://publications.europa.eu/resource/authority/country/DEU", "country:DEU"),
    ("https://example.org/x", "https://example.org/x"),
])
def test_curie(iri: str, expected: str) -> None:
    from graph.namespaces import curie

    assert curie(iri) == expected
