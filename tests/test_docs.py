"""README and --help stay true: every CLI command is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click

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


def test_readme_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    assert any("pip install . && clusterkg build" in b for b in blocks)
    assert any("pip install -e '.[test]' && pytest" in b for b in blocks)
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "pip install -e '.[test]' && pytest" in ci


def test_every_command_has_help_with_an_example() -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    for command in _commands(cli):
        res = runner.invoke(cli, [*command.split(), "--help"])
        assert res.exit_code == 0, command
        assert "Example" in res.output, f"clusterkg {command} --help has no example"
