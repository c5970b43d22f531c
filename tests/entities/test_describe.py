"""`show`: what people read (issue 8, item 14)."""

from __future__ import annotations

from click.testing import CliRunner

from cli import cli
from graph.entities.describe import describe, format_description


def test_a_value_with_a_label_is_shown_by_its_label(kg) -> None:
    """Regression: `show` printed `scope: ckg:EuropeanScope` where the value has the label 'European'."""
    d = describe(kg.graph, "European Cluster Collaboration Platform")
    scope = next(a for a in d["attributes"] if a["property"] == "ckg:scope")
    assert scope["value"] == "ckg:EuropeanScope"  # JSON keeps the CURIE
    assert scope["value_label"] == "European"
    text = format_description(d)
    assert "  scope: European\n" in text and "ckg:EuropeanScope" not in text
    res = CliRunner().invoke(cli, ["show", "European Cluster Collaboration Platform"])
    assert "  scope: European\n" in res.output
