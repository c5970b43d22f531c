"""Outputs and foreseeable failures across commands (issue 8, items 9 and 14).

Foreseeable conditions (a literal larger than the parser's buffer, --out into a folder that cannot
be created or written) are input or environment errors: one line, exit 2, never "internal error"
(exit 70, kept for bugs). Every command that writes --out creates missing folders and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

OUT_COMMANDS = [
    ["query", "SELECT ?e WHERE { ?e a ckg:Eurocluster }", "--out"],
    ["queries", "run", "envisaged-synergies", "--out"],
    ["centrality", "--measure", "degree", "--top", "3", "--out"],
    ["export", "--format", "csv", "--out"],
    ["render", "--max-nodes", "20", "--out"],
]
NAMES = {"query": "a.csv", "queries": "a.csv", "centrality": "c.txt", "export": "n.csv", "render": "m.html"}


def _one_line_error(res, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    assert "internal error" not in res.output and "Traceback" not in res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=lambda a: a[0])
def test_out_creates_missing_folders_and_says_so(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "new" / "deeper" / NAMES[args[0]]
    res = CliRunner().invoke(cli, [*args, str(out)])
    assert res.exit_code == 0, res.output
    assert out.is_file()
    assert f"created folder {tmp_path / 'new'}\n" in res.stderr
    assert f"created folder {tmp_path / 'new' / 'deeper'}\n" in res.stderr
    again = CliRunner().invoke(cli, [*args, str(out)])
    assert "created folder" not in again.stderr


def test_build_says_which_folders_it_created(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "--out", str(tmp_path / "new" / "build")])
    assert res.exit_code == 0, res.output
    assert f"created folder {tmp_path / 'new'}\n" in res.stderr


@pytest.mark.parametrize("args", OUT_COMMANDS, ids=lambda a: a[0])
def test_out_where_no_folder_can_be_made_is_exit_2(tmp_path: Path, args: list[str]) -> None:
    """Regression: exit 70 (internal error) for --out into a folder that cannot exist."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = _one_line_error(CliRunner().invoke(cli, [*args, str(blocker / "sub" / NAMES[args[0]])]))
    assert line.startswith(f"error: {blocker / 'sub' / NAMES[args[0]]}: cannot create the folder {blocker}")


def test_out_into_a_folder_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    line = _one_line_error(CliRunner().invoke(cli, ["render", "--out", "/proc/clusterkg-map.html"]))
    assert "cannot write in /proc" in line


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_a_literal_larger_than_the_parser_buffer_loads(tmp_path: Path, suffix: str) -> None:
    """Regression: a 50 MB literal gave 'internal error: MemoryError' (exit 70). Large files go
    through Oxigraph's bulk loader, which has no such limit, with or without the cache."""
    big = tmp_path / f"big{suffix}"
    with big.open("w") as fh:
        fh.write('<http://e/a> <http://e/p> "')
        fh.write("x" * 20_000_000)
        fh.write('" .\n')
    for args in (["--no-default-data", "--no-cache", "--data", str(big), "query",
                  "SELECT (STRLEN(?o) AS ?n) { ?s <http://e/p> ?o }", "--format", "csv"],
                 ["--no-default-data", "--data", str(big), "query",
                  "SELECT (STRLEN(?o) AS ?n) { ?s <http://e/p> ?o }", "--format", "csv"]):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
        assert res.output.splitlines() == ["n", "20000000"]


def test_exit_codes_are_listed_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "`70`" in readme
