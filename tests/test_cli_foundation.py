"""The foundation commands through click's CliRunner: build, validate, stats, show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli


def run(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_build_writes_outputs(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run(runner, "build", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [".clusterkg-build", "graph.nt", "graph.ttl", "store",
                                                     "validation.txt"]
    assert "0 violation(s)" in res.output
    assert (out / "validation.txt").read_text().startswith("CONFORMS")


def test_build_json(runner: CliRunner, tmp_path: Path) -> None:
    res = run(runner, "build", "--out", str(tmp_path / "b"), "--format", "json")
    doc = json.loads(res.output)
    assert doc["conforms"] is True and doc["violations"] == 0
    assert doc["entities"] >= 250 and doc["synergies"] > 0


def test_broken_file_exits_2_with_location_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                              fixtures: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(cli, ["--data", str(fixtures / "broken.ttl"), "build", "--out", str(out)])
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"{fixtures / 'broken.ttl'}:7:")
    assert "Traceback" not in res.output
    assert not out.exists()


def test_broken_file_leaves_previous_build_untouched(runner: CliRunner, tmp_path: Path,
                                                     fixtures: Path) -> None:
    out = tmp_path / "out"
    assert run(runner, "build", "--out", str(out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    res = runner.invoke(cli, ["--data", str(fixtures / "broken.ttl"), "build", "--out", str(out)])
    assert res.exit_code == 2
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["--data", str(tmp_path / "nope.ttl"), "stats"])
    assert res.exit_code == 2
    assert "nope.ttl: no such file or directory" in res.output


def test_violating_data_exits_1_with_report(runner: CliRunner, tmp_path: Path, fixtures: Path) -> None:
    res = runner.invoke(cli, ["--data", str(fixtures / "violating.ttl"), "build", "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "violation(s)" in res.output and "violating.ttl" in res.output
    res = runner.invoke(cli, ["validate", str(fixtures / "violating.ttl"), "--format", "json"])
    assert res.exit_code == 1
    doc = json.loads(res.output)
    assert doc["conforms"] is False
    assert all(r["source_file"].endswith("violating.ttl") for r in doc["results"] if r["severity"] == "Violation")


def test_validate_clean(runner: CliRunner) -> None:
    res = run(runner, "validate")
    assert res.exit_code == 0
    assert res.output.startswith("CONFORMS: 0 violation(s)")


def test_validate_unusable_input_exits_2(runner: CliRunner, fixtures: Path) -> None:
    res = runner.invoke(cli, ["validate", str(fixtures / "bomb.rdf")])
    assert res.exit_code == 2
    assert "entity" in res.output


def test_stats_table_and_json(runner: CliRunner) -> None:
    res = run(runner, "stats")
    assert res.exit_code == 0
    assert "entities by class" in res.output and "synergies by type" in res.output
    doc = json.loads(run(runner, "stats", "--format", "json").output)
    assert doc["by_class"]["country"] >= 27
    assert doc["sources"]["items_without_source"] == 0
    assert sum(doc["by_synergy_type"].values()) >= doc["synergies"]


def test_show_json_and_text(runner: CliRunner) -> None:
    res = run(runner, "show", "COSME", "--format", "json")
    doc = json.loads(res.output)
    assert doc["curie"] == "ckr:cosme"
    assert "programme" in doc["types"]
    assert doc["provenance"]
    text = run(runner, "show", "ckr:cosme").output
    assert text.startswith(doc["label"])


def test_show_unknown_entity(runner: CliRunner) -> None:
    res = runner.invoke(cli, ["show", "Nowhere"])
    assert res.exit_code == 2
    assert "no entity named 'Nowhere'" in res.output
    assert "closest matches:" in res.output
    assert "Traceback" not in res.output


JCI_TARGETS = {
    "ckr:smart-specialisation-strategies",
    "ckr:cohesion-policy",
    "ckr:digital-innovation-hubs",
    "ckr:horizon-europe",
    "ckr:european-innovation-council",
    "ckr:erasmus-plus",
    "ckr:cities-and-regions",
    "ckr:enterprise-europe-network",
}


def test_show_joint_cluster_initiatives_lists_every_policy_linkage(runner: CliRunner) -> None:
    """Acceptance: the JCI's linkages to the eight policies of the founding document, each sourced."""
    doc = json.loads(run(runner, "show", "Joint Cluster Initiatives", "--format", "json").output)
    linked = {s["other"]: s for s in doc["synergies"]}
    assert set(linked) >= JCI_TARGETS
    for target in JCI_TARGETS:
        prov = linked[target]["provenance"]
        assert any(p["document"] == "src:seed" and "linkages with other policies" in p["locator"]
                   for p in prov), target
    text = run(runner, "show", "Joint Cluster Initiatives").output
    for label in ("Horizon Europe", "European Innovation Council", "Enterprise Europe Network", "Erasmus"):
        assert label in text


@pytest.mark.parametrize("command", ["build", "validate", "stats", "show"])
def test_every_command_has_help_with_example(runner: CliRunner, command: str) -> None:
    res = run(runner, command, "--help")
    assert res.exit_code == 0
    assert "Example" in res.output


def test_extra_data_and_no_default_data(runner: CliRunner, fixtures: Path) -> None:
    res = run(runner, "--data", str(fixtures / "extra.ttl"), "show", "Fixture Cluster Alpha")
    assert res.exit_code == 0 and "Germany" in res.output
    doc = json.loads(run(runner, "--no-default-data", "--data", str(fixtures / "extra.ttl"),
                         "stats", "--format", "json").output)
    assert doc["entities"] == 1


def test_show_with_inference_lists_most_specific_types_and_links(runner: CliRunner) -> None:
    """Regression: with --infer, show listed every superclass and every ckg:linkedTo duplicate."""
    doc = json.loads(run(runner, "--infer", "owlrl", "show", "Horizon Europe", "--format", "json").output)
    assert doc["types"] == ["programme"]
    preds = [link["predicate"] for link in doc["outgoing"]]
    assert "ckg:linkedTo" not in preds
    assert "ckg:hasPart" in preds  # the inverse of the asserted ckg:partOf is inferred
