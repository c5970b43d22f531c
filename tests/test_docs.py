"""README and --help stay true: every CLI command is documented in the README, and every example
in the README and in every command's --help runs and gives a result."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        names.append(full)
        if isinstance(cmd, click.Group):
            names.extend(_commands(cmd, full + " "))
    return names


def test_every_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(cli) if f"clusterkg {c}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_global_option_is_in_the_readme() -> None:
    for param in cli.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help", "--version"):
                assert opt in README, opt


def _readme_command(block_number: int) -> str:
    """The command line (comments left out) of the README's first or second bash block."""
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    lines = [line for line in blocks[block_number - 1].splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1, lines
    return lines[0]


def test_readme_two_commands() -> None:
    assert _readme_command(1).endswith("pip install . && clusterkg build")
    assert _readme_command(2).endswith("pip install -e '.[test]' && pytest")


@pytest.mark.parametrize("number", [1, 2])
def test_each_readme_command_works_in_a_fresh_shell(number: int) -> None:
    """Regression (issue 8.16): the second command installed into whatever pip came first on PATH.

    Each command must make (or reuse) the project's venv and activate it before pip runs.
    """
    command = _readme_command(number)
    steps = [s.strip() for s in command.split("&&")]
    assert steps[0] == "python3 -m venv .venv" and steps[1] == ". .venv/bin/activate", command
    assert all(not s.startswith("pip") for s in steps[:2])


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    runnable = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert _readme_command(2) in runnable
    assert not any("pip install" in line and line != _readme_command(2) for line in runnable)


def test_every_command_has_help_with_an_example() -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    for command in _commands(cli):
        res = runner.invoke(cli, [*command.split(), "--help"])
        assert res.exit_code == 0, command
        assert "Example" in res.output, f"clusterkg {command} --help has no example"


# -- every example runs and gives a result (issue 8, item 11) ------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _help_examples() -> list[str]:
    from click.testing import CliRunner

    found = []
    for command in ["", *_commands(cli)]:
        text = CliRunner().invoke(cli, [*command.split(), "--help"]).output
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^\s*Examples?:\s*$", line):
                pending = ""
                for ex in lines[i + 1:]:
                    if not ex.strip():
                        break
                    if ex.rstrip().endswith("\\"):  # continued on the next line
                        pending += ex.strip()[:-1] + " "
                        continue
                    ex, pending = pending + ex.strip(), ""
                    if "clusterkg" in ex:
                        found.append(ex)
    return list(dict.fromkeys(found))


def _readme_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) from the README's bash and console blocks."""
    found: list[tuple[str, list[str]]] = []
    for lang, block in re.findall(r"```(bash|console)\n(.*?)```", README, flags=re.S):
        text = block.replace("\\\n", " ")
        if lang == "bash":
            for line in text.splitlines():
                for part in line.split("&&"):
                    if part.strip().startswith("clusterkg "):
                        found.append((part.strip(), []))
            continue
        current: tuple[str, list[str]] | None = None
        for line in text.splitlines():
            if line.startswith("$ "):
                current = (line[2:].strip(), [])
                found.append(current)
            elif current is not None and line.strip() not in ("", "..."):
                current[1].append(line.strip())
    return found


def _unique(examples: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Each example once: a command that both --help and the README show runs once (the README's
    copy, which may also show its output)."""
    seen: set[str] = set()
    out = []
    for ex, expected in reversed(examples):  # the README's come last: they are the ones kept
        key = " ".join(shlex.split(ex, comments=True))
        if key in seen:
            continue
        seen.add(key)
        out.append((ex, expected))
    return out[::-1]


EXAMPLES = _unique([(ex, []) for ex in _help_examples()] + _readme_examples())


@pytest.fixture(scope="module")
def example_server(oxigraph_server: str) -> str:
    """A real Oxigraph server on loopback standing in for the examples' localhost:7878 and :3030."""
    from click.testing import CliRunner

    res = CliRunner().invoke(cli, ["push", "--endpoint", f"{oxigraph_server}/store", "--replace"])
    assert res.exit_code == 0, res.output
    return oxigraph_server


@pytest.fixture(scope="module")
def clusterkg_server() -> Iterator[str]:
    """What `clusterkg serve` serves (its application with its default settings, on the built-in data) on a
    free loopback port, for the README's examples that talk to it (the command itself runs a server in
    tests/server/test_install_serve.py)."""
    from tests.server.conftest import start_server

    with start_server() as running:
        yield running.url


def _example_files(d: Path) -> Path:
    """Put the files the examples name into ``d``."""
    for name in ("my-data.ttl", "my-clusters.ttl"):
        shutil.copy(FIXTURES / "extra.ttl", d / name)
    real = Path(__file__).resolve().parent / "imports" / "fixtures" / "real"  # excerpts of the real tables
    for src, name in (("NUTS2021.xlsx", "NUTS2021.xlsx"), ("mda_he_organization_df_100.csv", "organization.csv"),
                      ("mda_he_project_df_100.csv", "project.csv"),
                      ("eunets_h2020.excerpt.csv.gz", "eunets_h2020.csv.gz"),
                      ("eunets_programme_parts.excerpt.csv.gz", "eunets_programme_parts.csv.gz")):
        shutil.copy(real / src, d / name)
    for name in ("my-question.rq", "q.rq"):
        (d / name).write_text("SELECT ?e ?label WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label } ORDER BY ?e\n")
    return d


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with the files the examples name."""
    return _example_files(tmp_path_factory.mktemp("examples"))


@pytest.fixture(scope="module")
def made_inputs(session_share: Any) -> Any:
    """The session's shared working folder in which the examples that write other examples' ``--data``
    files run (once per session, whichever xdist worker needs the file first), and its lock."""
    folder = session_share.folder("example-inputs")
    with session_share.lock("example-inputs"):
        if not (folder / "q.rq").is_file():
            _example_files(folder)
    return folder, session_share.lock


def _gave_a_result(args: list[str], stdout: str, folder: Path) -> str | None:
    """Why the output is not a result (None when it is one)."""
    out = args[args.index("--out") + 1] if "--out" in args else None
    if args[0] == "build" or (args[:1] == ["--data"] and "build" in args):
        out = str(Path(out or "build") / "graph.nt")
    text = (folder / out).read_text(encoding="utf-8") if out else stdout
    if out and not (folder / out).is_file():
        return f"{out} was not written"
    if not text.strip():
        return "empty output"
    if "(0 rows)" in text or re.search(r'"bindings": \[\s*\]', text) or '"found": false' in text:
        return "an empty answer"
    if out and out.endswith(".csv") and len(text.strip().splitlines()) < 2:
        return "a CSV with no row"
    return None


def _make_inputs(args: list[str], folder: Path, made: tuple[Path, Any]) -> None:
    """Put into ``folder`` the ``--data`` files ``args`` read, when they are not there yet: each is
    written by the example that writes it (the README's import examples feed its later ones, and the
    test workers run examples in any order), run once per session in the shared folder ``made``."""
    shared, lock = made
    for name in [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--data"]:
        if (folder / name).exists():
            continue
        _make_shared(name, shared, lock)
        shutil.copy(shared / name, folder / name)


def _make_shared(name: str, shared: Path, lock: Any) -> None:
    import contextlib

    from click.testing import CliRunner

    if (shared / name).exists():
        return
    commands = (shlex.split(ex, comments=True) for ex, _ in EXAMPLES)
    maker = next((c for c in commands if "--out" in c and c[c.index("--out") + 1] == name), None)
    assert maker is not None, f"no example writes {name}"
    for data in [maker[i + 1] for i, a in enumerate(maker[:-1]) if a == "--data"]:
        _make_shared(data, shared, lock)
    with lock(f"example-input-{name}"):
        if (shared / name).exists():
            return
        with contextlib.chdir(shared):
            res = CliRunner().invoke(cli, maker[1:])
        assert res.exit_code == 0, f"{' '.join(maker)}: exit {res.exit_code}\n{res.output}"


@pytest.mark.slow
@pytest.mark.parametrize("example, expected", EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_every_example_runs_and_gives_a_result(example: str, expected: list[str], example_dir: Path,
                                               made_inputs: Any, example_server: str, clusterkg_server: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    monkeypatch.chdir(example_dir)
    stdin = None
    if "|" in example:  # echo '...' | clusterkg ...
        left, example = (p.strip() for p in example.split("|", 1))
        stdin = shlex.split(left)[1] + "\n"
    example = (example.replace("http://localhost:7878", example_server)
               .replace("http://127.0.0.1:8000", clusterkg_server)
               .replace("http://localhost:3030/ckg/data", f"{example_server}/store"))
    args = shlex.split(example, comments=True)
    assert args[0] == "clusterkg", example
    _make_inputs(args, example_dir, made_inputs)
    if "serve" in args:  # runs until stopped: check the options reach the server, which tests/server runs
        started: list[object] = []
        monkeypatch.setattr("graph.server.serve", lambda *a, **kw: started.append(a))
        res = CliRunner().invoke(cli, args[1:])
        assert res.exit_code == 0 and len(started) == 1, f"{example}: exit {res.exit_code}\n{res.output}"
        return
    res = CliRunner().invoke(cli, args[1:], input=stdin)
    if expected:  # a console example: the output shown in the README
        for line in expected:
            assert line in res.output, f"{example}: {line!r} not in the output:\n{res.output}"
        return
    assert res.exit_code == 0, f"{example}: exit {res.exit_code}\n{res.output}"
    why = _gave_a_result(args[1:], res.stdout, example_dir)
    assert why is None, f"{example}: {why}\n{res.output[:2000]}"


def test_the_examples_are_found() -> None:
    names = [e for e, _ in EXAMPLES]
    assert len(names) >= 40
    assert any("--avoid" in e for e in names) and any(e.startswith("echo") for e in names)
    assert any("--exclude-class place" in e for e in names)  # the README's multi-line example
    assert ("clusterkg show Nowhere", ["error: no entity named 'Nowhere'", "closest matches:",
                                       "Norway  <http://publications.europa.eu/resource/authority/country/NOR>"]) \
        in EXAMPLES


def test_the_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       clusterkg_server: str) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    client = next(b for b in blocks if "SPARQLWrapper" in b)
    scope_client: dict[str, object] = {}
    exec(compile(client.replace("http://127.0.0.1:8000", clusterkg_server), "README.md", "exec"), scope_client)
    sw = scope_client["sw"]
    assert sw.queryAndConvert()["results"]["bindings"]  # type: ignore[attr-defined]
    block = re.search(r"```python\n(import graph\n.*?)```", README, flags=re.S)
    assert block
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), scope)
    assert (tmp_path / "een.html").is_file()
    assert json.dumps(scope["result"].to_dicts())  # type: ignore[attr-defined]


def test_readme_timings_say_what_they_measure() -> None:
    """Regression (issue 8.15): the README quoted 0.17 s / 3 s / 4 s with no way to check them."""
    section = README.split("## Responsiveness", 1)[1].split("\n## ", 1)[0]
    figures = re.findall(r"\b\d+(?:\.\d+)?\s?(?:s|ms|seconds?)\b", section)
    assert not figures or "benchmarks/cli_timings.py" in section, figures
    assert "benchmarks/cli_timings.py" in section


@pytest.mark.slow
def test_the_timing_benchmark_runs_and_says_what_it_ran_on(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cli_timings.py"), "--commands", "stats",
                           "--runs", "1", "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["machine"]["cores"] and doc["machine"]["python"] and doc["graph"]["triples"] > 1000
    assert doc["timings"][0]["command"] == "clusterkg stats" and doc["timings"][0]["cold_s"] > 0
    assert done.stdout.startswith("on ")
