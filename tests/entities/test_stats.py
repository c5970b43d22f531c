"""`stats`: counts by class include subclasses where the issue says so, readable keys, a "no status" row."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import cli
from graph.entities.stats import format_stats, graph_stats
from graph.sparql.query import query
from graph.store.dataset import Dataset


def test_figures_count_every_subclass_of_figure() -> None:
    """Regression (issue 8.4): 98 figures were counted where the graph has 101 (ckg:Share left out)."""
    ds = Dataset(use_cache=False)
    expected = query("SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a/rdfs:subClassOf* ckg:Figure }", ds)
    assert ds.stats()["figures"] == int(expected.rows[0][0]) > 0


def test_by_class_says_it_counts_the_most_specific_class() -> None:
    text = format_stats(Dataset(use_cache=False).stats())
    assert "entities by class (most specific)" in text


def test_synergies_without_status_get_a_row(tmp_path: Path) -> None:
    """Regression (issue 8.14): the status counts had no row for synergies that state none."""
    f = tmp_path / "s.ttl"
    f.write_text("@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
                 "<http://ex/s> a ckg:Synergy ; ckg:synergySource <http://ex/a> ; ckg:synergyTarget <http://ex/b> .\n")
    s = graph_stats(Dataset([f], default_data=False, use_cache=False).store)
    assert s["by_status"] == {"(no status)": 1}


def test_source_counts_have_readable_names() -> None:
    """Regression (issue 8.14): stats printed raw keys such as passages_cited."""
    res = CliRunner().invoke(cli, ["stats"])
    assert res.exit_code == 0
    assert "passages_cited" not in res.output and "items_without_source" not in res.output
    assert "passages cited" in res.output


def test_stats_are_the_same_from_the_cache_and_in_memory() -> None:
    assert Dataset().stats() == Dataset(use_cache=False).stats()
