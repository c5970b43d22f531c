"""The actor questions of the query library (queries/actors-*.rq), answered on the fixture imports.

Their expected answers (queries/expected/actors-*.srj) are computed on the chain of fixture imports
of ``conftest.py`` (real rows), with the curated data. After a change that moves them, check the new
answers by eye and rewrite them with ``CLUSTERKG_REGENERATE=1 pytest tests/imports/test_questions.py``
(``python -m graph.sparql.library --regenerate`` would answer them on the curated data alone: empty).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from graph.sparql.library import expected_path, list_queries

from .helpers import Chain

ACTORS = [q.name for q in list_queries() if q.name.startswith("actors-")]


def _rows(doc: dict) -> list[tuple]:
    out = []
    for b in doc["results"]["bindings"]:
        out.append(tuple(sorted((k, v["type"], v["value"], v.get("datatype", ""), v.get("xml:lang", ""))
                                for k, v in b.items())))
    return sorted(out)


def test_there_are_actor_questions() -> None:
    assert {"actors-top-sme-beneficiaries", "actors-cluster-operations", "actors-cluster-organisations-in-horizon",
            "actors-programme-brokers"} <= set(ACTORS)


@pytest.mark.parametrize("name", ACTORS)
def test_actor_question_answers(name: str, chain: Chain) -> None:
    res = CliRunner().invoke(cli, [*chain.data_args, "queries", "run", name, "--format", "json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["results"]["bindings"], f"{name} has no answer on the fixture imports"
    path = Path(expected_path(name))
    if os.environ.get("CLUSTERKG_REGENERATE"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got["head"]["vars"] == expected["head"]["vars"]
    assert _rows(got) == _rows(expected), f"{name}: the answer changed; check it and regenerate (see module doc)"


def test_top_sme_beneficiaries_have_country_and_region(chain: Chain) -> None:
    doc = json.loads(Path(expected_path("actors-top-sme-beneficiaries")).read_text(encoding="utf-8"))
    rows = doc["results"]["bindings"]
    assert len(rows) == 10 and all("country" in r for r in rows)
    assert any("region" in r for r in rows)  # names and regions from the Horizon Europe and NUTS imports
    amounts = [float(r["ecContribution"]["value"]) for r in rows]
    assert amounts == sorted(amounts, reverse=True)
