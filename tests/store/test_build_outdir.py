"""``build --out``: never deletes a user's files (issue 8, item 1).

A build replaces only what a build wrote; a non-empty folder that is not a clusterkg output is
refused (exit 2) with nothing touched; leftovers of killed builds are cleaned up next time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.errors import OutputError
from graph.store.build import MARKER, check_out_dir, write_outputs

FILES = {"graph.ttl": "ttl\n", "graph.nt": "nt\n", "validation.txt": "CONFORMS\n"}


def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_folder_with_a_users_files_is_refused_and_untouched(runner: CliRunner, tmp_path: Path) -> None:
    v = tmp_path / "v"
    (v / "sub").mkdir(parents=True)
    (v / "thesis.docx").write_text("years of work")
    (v / "sub" / "notes.txt").write_text("notes")
    before = _tree(tmp_path)
    res = runner.invoke(cli, ["build", "--out", str(v)])
    assert res.exit_code == 2, res.output
    assert "not written by clusterkg build" in res.output and "nothing was changed" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert _tree(tmp_path) == before


def test_the_working_folder_is_refused_when_it_holds_other_files(runner: CliRunner, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "work.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    for out in (".", str(tmp_path)):
        res = runner.invoke(cli, ["build", "--out", out])
        assert res.exit_code == 2, res.output
        assert _tree(tmp_path) == before
    assert _tree(tmp_path.parent / tmp_path.name) == before


def test_an_empty_working_folder_gets_the_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `--out .` failed with exit 70 and left an empty `..old-*` folder."""
    monkeypatch.chdir(tmp_path)
    assert write_outputs(".", FILES) == "in-place"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "graph.nt", "graph.ttl", "validation.txt"]
    assert write_outputs(".", {**FILES, "graph.ttl": "new\n"}) == "in-place"
    assert (tmp_path / "graph.ttl").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, "graph.nt", "graph.ttl", "validation.txt"]


def test_a_build_folder_is_replaced_and_other_files_in_it_stay(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert write_outputs(out, FILES) == "new"
    assert (out / MARKER).is_file()
    assert write_outputs(out, {**FILES, "graph.nt": "nt 2\n"}) == "replace"
    assert (out / "graph.nt").read_text() == "nt 2\n"
    (out / "README.md").write_text("my notes on this build")
    assert write_outputs(out, {**FILES, "graph.nt": "nt 3\n"}) == "in-place"
    assert (out / "graph.nt").read_text() == "nt 3\n"
    assert (out / "README.md").read_text() == "my notes on this build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no temporary folder left


def test_an_output_of_an_older_version_without_marker_is_still_ours(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    for name in FILES:
        (out / name).write_text("old")
    assert check_out_dir(out) == "replace"
    write_outputs(out, FILES)
    assert (out / "graph.ttl").read_text() == "ttl\n"


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "build"
    f.write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        write_outputs(f, FILES)
    assert f.read_text() == "x"


def test_leftovers_of_killed_builds_are_removed(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    tmp_dead = tmp_path / f".build.tmp-{dead}-abc"
    tmp_alive = tmp_path / f".build.tmp-{alive}-def"
    old_dead = tmp_path / f".build.old-{dead}-ghi"
    foreign = tmp_path / f".build.tmp-{dead}-jkl"
    for d in (tmp_dead, tmp_alive, foreign):
        d.mkdir()
        (d / "graph.ttl").write_text("half")
    (foreign / "thesis.docx").write_text("not ours")
    (old_dead / "build").mkdir(parents=True)
    (old_dead / "build" / "graph.nt").write_text("previous")
    out = tmp_path / "build"
    write_outputs(out, FILES)
    staged = out / f".graph.ttl.tmp-{dead}-xyz"
    staged.write_text("half")
    write_outputs(out, FILES)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["build", tmp_alive.name, foreign.name])  # a running build's and a foreign one stay
    assert not staged.exists()
    assert (foreign / "thesis.docx").read_text() == "not ours"
