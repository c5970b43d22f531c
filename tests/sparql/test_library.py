"""The competency questions in queries/: documented, valid, and answering what they expect.

Expected answers live in queries/expected/NAME.srj; after a data change that moves them, check the
new answers by eye and run ``python -m graph.sparql.library --regenerate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from cli import cli
from graph.namespaces import CKG, PREFIXES
from graph.resources import ontology_files
from graph.sparql.library import expected_path, get_query, list_queries
from graph.sparql.results import parse_results_json, row_multiset

QUERIES = list_queries()
NAMES = [q.name for q in QUERIES]
# actors-*: questions about imported actors, answered on a fixture import (tests/imports/test_questions.py)
CURATED = [n for n in NAMES if not n.startswith("actors-")]


def test_at_least_twenty_questions() -> None:
    assert len(QUERIES) >= 20


@pytest.mark.parametrize("name", CURATED)
def test_query_matches_expected(name: str, library_answers) -> None:
    path = expected_path(name)
    assert path.is_file(), f"no {path}; run python -m graph.sparql.library --regenerate {name}"
    expected = parse_results_json(path.read_text(encoding="utf-8"))
    actual = library_answers[name]
    assert actual.type == expected.type
    if actual.type == "SELECT":
        assert actual.variables == expected.variables
    assert row_multiset(actual) == row_multiset(expected), (
        f"{name}: the answer changed; check it and run python -m graph.sparql.library --regenerate {name}")


@pytest.mark.parametrize("name", NAMES)
def test_query_is_documented(name: str) -> None:
    q = get_query(name)
    assert q.title and q.title[0].isupper()
    assert len(q.description.split()) >= 15, "the description is one paragraph"
    assert q.shape.startswith("one row per"), "the shape says what a row is"


def test_queries_use_only_ontology_terms() -> None:
    ontology = Graph()
    for f in ontology_files():
        ontology.parse(f)
    defined = {str(s) for s in ontology.subjects() if str(s).startswith(str(CKG))}
    unknown = {}
    for q in QUERIES:
        body = "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#"))
        for local_name in re.findall(r"\bckg:([A-Za-z][\w-]*)", body):
            if PREFIXES["ckg"] + local_name not in defined:
                unknown.setdefault(q.name, set()).add(local_name)
    assert not unknown, f"terms not in ontology/clusterkg.ttl: {unknown}"


def test_expected_answers_are_not_empty() -> None:
    # An empty answer usually means a wrong query; every question has answers in the curated data.
    for q in QUERIES:
        if q.name not in CURATED:
            continue
        doc = json.loads(expected_path(q.name).read_text(encoding="utf-8"))
        assert doc.get("boolean") is not None or doc["results"]["bindings"], q.name


def test_cli_lists_shows_and_runs(runner, library_answers) -> None:
    listing = runner.invoke(cli, ["queries"])
    assert listing.exit_code == 0
    for q in QUERIES:
        assert f"{q.name}  " in listing.output or listing.output.count(q.name) >= 1
        assert q.title in listing.output
    as_json = json.loads(runner.invoke(cli, ["queries", "--format", "json"]).output)
    assert [d["name"] for d in as_json] == NAMES and all(d["shape"] for d in as_json)
    shown = runner.invoke(cli, ["queries", "show", "envisaged-synergies"])
    assert shown.exit_code == 0 and shown.output == get_query("envisaged-synergies").text
    ran = runner.invoke(cli, ["queries", "run", "envisaged-synergies", "--format", "json"])
    assert ran.exit_code == 0
    got = parse_results_json(ran.output)
    assert row_multiset(got) == row_multiset(library_answers["envisaged-synergies"])
    assert all(isinstance(row[0], URIRef) for row in got.rows)


def test_unknown_query_name_suggests(runner) -> None:
    res = runner.invoke(cli, ["queries", "run", "envisaged-synergy"])
    assert res.exit_code == 2 and "envisaged-synergies" in res.output
    res = runner.invoke(cli, ["queries", "show", "no-such-question-at-all"])
    assert res.exit_code == 2 and "clusterkg queries" in res.output


def test_expected_files_have_no_stray_entries() -> None:
    stray = [p.name for p in Path(expected_path("x").parent).glob("*.srj") if p.stem not in NAMES]
    assert not stray


@pytest.mark.parametrize("name", ["../tests/hygiene/items-without-provenance-violation",
                                  "../tests/hygiene/items-without-provenance-violation.rq",
                                  "/etc/passwd", "sub/x", "..", "expected/../envisaged-synergies"])
def test_a_library_name_is_never_a_path(name: str) -> None:
    """Regression (issue 8.7): `queries run ../tests/hygiene/X` ran a file outside queries/."""
    from click.testing import CliRunner

    for args in (["queries", "run", name], ["queries", "show", name]):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2, res.output
        assert "is not a query name" in res.output and "clusterkg query FILE" in res.output


def test_queries_list_is_the_listing_people_type(runner) -> None:
    """Regression (issue 8.14): `clusterkg queries list` was not a command."""
    listed = runner.invoke(cli, ["queries", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output == runner.invoke(cli, ["queries"]).output
    as_json = json.loads(runner.invoke(cli, ["queries", "list", "--format", "json"]).output)
    assert [q["name"] for q in as_json] == [q.name for q in list_queries()]
