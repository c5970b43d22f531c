"""``clusterkg import`` on the command line, and the existing commands on imported actors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli import cli

from .helpers import FIXTURES, Chain, real

TEMPLATE = str(FIXTURES / "cluster-organisations.fixture.csv")


def test_list(runner: CliRunner) -> None:
    res = runner.invoke(cli, ["import", "--list"])
    assert res.exit_code == 0
    for name in ("cordis-h2020-participations", "cordis-horizon-europe", "nuts-2021", "erdf-operations-de",
                 "kohesio-beneficiaries", "cluster-organisations", "cordis-h2020-projects"):
        assert name in res.output


def test_import_prints_one_summary_line(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "erdf.nt"
    res = runner.invoke(cli, ["import", "erdf-operations-de", str(real("osdata_ERDF_BaWue_2014-2020.csv")),
                              "--out", str(out), "--run-date", "2026-01-01"])
    assert res.exit_code == 0, res.output
    assert res.output.count("\n") == 1 and res.output.startswith("read 91 rows from 1 table; wrote ")
    assert out.is_file() and out.with_suffix(".merges.csv").is_file()


def test_exit_codes_and_one_line_errors(runner: CliRunner, tmp_path: Path) -> None:
    strict = runner.invoke(cli, ["import", "cluster-organisations", TEMPLATE, "--out", str(tmp_path / "c.nt"),
                                 "--strict"])
    assert strict.exit_code == 1 and strict.output.startswith("error: --strict: ")
    assert "cluster-organisations.fixture.csv:8: country_code: required value is missing" in strict.output
    assert not (tmp_path / "c.nt").exists()
    missing = runner.invoke(cli, ["import", "erdf-operations-de", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv: no such file or directory" in missing.output
    unknown = runner.invoke(cli, ["import", "erdf-operation", "x.csv"])
    assert unknown.exit_code == 2 and "did you mean erdf-operations-de" in unknown.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("mapping: bad\nsources:\n  s: {file: '*', citation: 'x', delimitr: ';'}\n", encoding="utf-8")
    res = runner.invoke(cli, ["import", str(bad), TEMPLATE])
    assert res.exit_code == 2 and res.output.startswith(f"error: {bad}:3:") and "delimitr" in res.output
    assert "Traceback" not in res.output and res.output.count("\n") == 1
    usage = runner.invoke(cli, ["import"])
    assert usage.exit_code == 2


def test_control_characters_are_escaped(runner: CliRunner, tmp_path: Path) -> None:
    evil = tmp_path / "evil\x07\x1b[31m.csv"  # a bell and a colour code in a file name
    evil.write_text("x\n", encoding="utf-8")
    res = runner.invoke(cli, ["import", "erdf-operations-de", str(evil)], color=True)
    assert res.exit_code == 2 and "\x1b" not in res.output and "\x07" not in res.output
    assert "evil\\x07\\x1b[31m.csv" in res.output


def test_show_names_the_rows_an_actor_came_from(runner: CliRunner, chain: Chain) -> None:
    res = runner.invoke(cli, [*chain.data_args, "show", "Photonics BW e.V.", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    sources = {(p["document_label"], p["locator"]) for p in doc["provenance"]}
    assert ("osdata_ERDF_BaWue_2014-2020.csv, imported with mapping erdf-operations-de on 2026-01-01",
            "row 36") in sources
    assert ("cluster-organisations.fixture.csv, imported with mapping cluster-organisations on 2026-01-01",
            "row 5") in sources


def test_network_commands_on_imported_actors(runner: CliRunner, chain: Chain, tmp_path: Path) -> None:
    data = chain.data_args
    top = runner.invoke(cli, [*data, "centrality", "--type", "organisation", "--top", "5", "--format", "json"])
    assert top.exit_code == 0, top.output
    ranked = json.loads(top.output)
    rows = ranked["rows"] if isinstance(ranked, dict) else ranked
    assert len(rows) == 5
    path = runner.invoke(cli, [*data, "path", "GREEN TECH CLUSTER STYRIA GMBH", "Horizon 2020"])
    assert path.exit_code == 0, path.output
    assert "Horizon 2020" in path.output and "BioEnergyTrain" in path.output
    near = runner.invoke(cli, [*data, "neighbours", "Photonics BW e.V.", "--depth", "1"])
    assert near.exit_code == 0 and "Photonics4Industry" in near.output
    html = tmp_path / "map.html"
    render = runner.invoke(cli, [*data, "render", "--focus", "CLUSTER VIOOIKONOMIAS KAI PERIVALLONTOS DYTIKIS "
                                 "MAKEDONIAS", "--depth", "2", "--out", str(html)])
    assert render.exit_code == 0, render.output
    assert "SCALIBUR" in html.read_text(encoding="utf-8")
