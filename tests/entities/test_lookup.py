"""Entity lookup shared by every command."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from graph.entities.lookup import EntityIndex, normalise
from graph.errors import AmbiguousEntity, EntityNotFound

DEU = URIRef("http://publications.europa.eu/resource/authority/country/DEU")


@pytest.fixture(scope="module")
def idx(kg) -> EntityIndex:
    return EntityIndex(kg.graph)


@pytest.mark.parametrize(
    "name",
    ["Germany", "germany", "  GERMANY ", "Deutschland", "country:DEU",
     "<http://publications.europa.eu/resource/authority/country/DEU>",
     "http://publications.europa.eu/resource/authority/country/DEU", "Germny"],
)
def test_resolves_labels_curies_iris_and_near_matches(idx: EntityIndex, name: str) -> None:
    assert idx.resolve(name) == DEU


def test_unique_prefix(idx: EntityIndex) -> None:
    assert idx.resolve("Luxemb") == URIRef("http://publications.europa.eu/resource/authority/country/LUX")


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
