"""Text from the data never reaches a terminal raw (issue 8, item 3).

`tests/fixtures/terminal-controls.ttl` holds labels, definitions and sources with ESC ] 0 ; ... BEL,
ESC [ 31 m, ESC [ 2 J and the 8-bit CSI. Every human-readable output shows them escaped (``\\x1b``);
JSON escapes them; CSV written to a file (or piped) keeps them byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli as cli_module
from cli import cli
from graph.textsafe import escape_controls, has_controls

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "terminal-controls.ttl"
RAW = ("\x1b", "\x07", "\x9b")
BASE = ["--no-default-data", "--data", str(FIXTURE)]


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, [*BASE, *args])
    return res.exit_code, res.stdout, res.stderr


def _strings(doc: object) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


def _assert_escaped(text: str) -> None:
    assert not has_controls(text), repr(text[:300])
    assert not any(c in text for c in RAW)


@pytest.mark.parametrize("args, shown", [
    (["show", "Evil"], "Evil \\x1b]0;pwned\\x07 programme"),
    (["show", "Hub policy"], "Evil \\x1b]0;pwned\\x07"),
    (["validate"], "Unsourced \\x1b]0;violation\\x07"),
    (["neighbours", "Hub policy"], "Initiative \\x9b31m"),
    (["centrality", "--measure", "degree"], "Evil \\x1b]0;pwned\\x07"),
    (["communities"], "\\x1b"),
    (["gaps"], "\\x1b]0;pwned-locator\\x07"),
    (["path", "Initiative", "Unsourced"], "Initiative \\x9b31m"),
    (["query", "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l", "--format", "table"], "Evil \\x1b]0;pwned"),
    (["stats"], ""),
])
def test_every_text_output_escapes_control_characters(args: list[str], shown: str) -> None:
    code, out, err = _run(*args)
    assert code in (0, 1), err
    _assert_escaped(out)
    _assert_escaped(err)
    assert shown in out


def test_json_outputs_carry_no_raw_control_character() -> None:
    for args in (["show", "Evil", "--format", "json"], ["validate", "--format", "json"],
                 ["centrality", "--format", "json"], ["query", "SELECT ?l WHERE { ?s rdfs:label ?l }",
                                                       "--format", "json"]):
        code, out, _ = _run(*args)
        assert code in (0, 1)
        _assert_escaped(out)
        assert any("\x1b" in v for v in _strings(json.loads(out)))  # the data is all there


def test_csv_to_a_terminal_is_escaped_but_a_file_keeps_the_bytes(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    q = "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l"
    out_file = tmp_path / "labels.csv"
    code, _, err = _run("query", q, "--format", "csv", "--out", str(out_file))
    assert code == 0
    assert "\x1b]0;pwned\x07" in out_file.read_text(encoding="utf-8")
    _assert_escaped(err)
    code, piped, _ = _run("query", q, "--format", "csv")
    assert "\x1b]0;pwned\x07" in piped  # redirected output is data, kept as it is
    monkeypatch.setattr(cli_module, "_to_terminal", lambda: True)
    for args in (["query", q, "--format", "csv"], ["centrality", "--format", "csv"], ["gaps", "--format", "csv"]):
        code, out, _ = _run(*args)
        assert code == 0
        _assert_escaped(out)
        assert "\\x1b" in out


def test_error_messages_escape_what_they_quote(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"@prefix ex: <http://e/> .\nex:a ex:b \x1b]0;title\x07 .\n")
    res = CliRunner().invoke(cli, ["--no-default-data", "--data", str(bad), "stats"])
    assert res.exit_code == 2
    _assert_escaped(res.output)
    assert "\\x1b" in res.output
    code, _, err = _run("show", "Evil\x1b[31m nowhere\x07")
    assert code == 2
    _assert_escaped(err)
    code, _, err = _run("query", "SELECT * WHERE { ?s \x1b[31m ?o }")
    assert code == 2
    _assert_escaped(err)


def test_lookup_error_describe_escapes_candidates() -> None:
    from graph.errors import EntityNotFound

    err = EntityNotFound("x\x1b", [("Evil \x1b]0;t\x07", "https://e/x")])
    _assert_escaped(err.describe())


def test_escape_is_visible_and_idempotent() -> None:
    s = "a\x1b[31mb\x07c\x9bd\r\n"
    once = escape_controls(s)
    assert once == "a\\x1b[31mb\\x07c\\x9bd\r\n"
    assert escape_controls(once) == once
