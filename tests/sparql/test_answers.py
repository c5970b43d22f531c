"""Answers kept in the dataset's cache entry (graph.sparql.answers): read back the same, byte for
byte, in every output format; never for what could change (SERVICE, FROM, endpoints, rdflib);
never from a file that is not private; invalidated by the inputs and by the code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graph.errors import QueryTimeout
from graph.sparql import answers
from graph.sparql.answers import keep, recall, warm
from graph.sparql.query import query
from graph.store.dataset import Dataset

FIXTURE = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ckg: <https://w3id.org/clusterkg/ontology#> .
<https://w3id.org/clusterkg/id/fixture-answers-a> a ckg:Cluster ; rdfs:label "FIXTURE answers A"@en .
<https://w3id.org/clusterkg/id/fixture-answers-b> a ckg:Cluster ; rdfs:label "FIXTURE answers B \\"quoted\\""@en .
"""

Q = "SELECT ?c ?label WHERE { ?c a ckg:Cluster ; rdfs:label ?label } ORDER BY ?label"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(d))
    return d


@pytest.fixture
def ds(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    """A small dataset in a private cache of its own; every answer counts as slow enough to keep."""
    monkeypatch.setattr(answers, "MIN_SECONDS", 0.0)
    f = tmp_path / "fixture.ttl"
    f.write_text(FIXTURE, encoding="utf-8")
    return Dataset([f], default_data=False)


def _kept(ds: Dataset) -> list[Path]:
    assert ds.entry is not None
    folder = ds.entry / "answers"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_an_answer_read_back_is_the_same_in_every_format(ds: Dataset, fmt: str) -> None:
    live = query(Q, ds)
    assert not live.cached and len(_kept(ds)) == 1
    again = query(Q, ds)
    assert again.cached
    assert again.serialize_as(fmt) == live.serialize_as(fmt)
    assert again.rows == live.rows and again.variables == live.variables


def test_ask_construct_and_limits_are_kept_apart(ds: Dataset) -> None:
    ask = "ASK { ?c a ckg:Cluster }"
    construct = "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c rdfs:label ?l }"
    first = [query(ask, ds), query(construct, ds), query(Q, ds, limit=1), query(Q, ds)]
    assert len(_kept(ds)) == 4
    second = [query(ask, ds), query(construct, ds), query(Q, ds, limit=1), query(Q, ds)]
    assert all(r.cached for r in second)
    assert second[0].askAnswer is True
    assert second[1].serialize_as("nt") == first[1].serialize_as("nt")
    assert len(second[2].rows) == 1 and second[2].truncated
    assert len(second[3].rows) == 2 and not second[3].truncated


def test_select_star_keeps_the_column_order_of_the_query(ds: Dataset) -> None:
    text = "SELECT * WHERE { ?z a ckg:Cluster ; rdfs:label ?a }"
    assert query(text, ds).variables == ["z", "a"]
    again = query(text, ds)
    assert again.cached and again.variables == ["z", "a"]


def test_what_could_change_is_never_kept(ds: Dataset, tmp_path: Path) -> None:
    other = tmp_path / "other.ttl"
    other.write_text("<http://ex/a> <http://ex/p> <http://ex/b> .\n", encoding="utf-8")
    text = f"SELECT ?o FROM <{other.as_uri()}> WHERE {{ ?s ?p ?o }}"
    assert len(query(text, ds, allow_remote=True).rows) == 1
    other.write_text("<http://ex/a> <http://ex/p> <http://ex/b>, <http://ex/c> .\n", encoding="utf-8")
    assert len(query(text, ds, allow_remote=True).rows) == 2  # read again, not kept
    query(Q, ds, engine="rdflib")
    assert _kept(ds) == []


def test_an_error_or_timeout_is_not_kept(ds: Dataset) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    with pytest.raises(QueryTimeout):
        query(slow, ds, timeout=0.05)
    assert _kept(ds) == []


def test_no_cache_no_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "MIN_SECONDS", 0.0)
    ds = Dataset(default_data=False, use_cache=False)
    assert ds.local().answers is None
    assert not query(Q, ds).cached and not query(Q, ds).cached


def test_a_file_that_is_not_private_is_not_read(ds: Dataset) -> None:
    live = query(Q, ds)
    (kept,) = _kept(ds)
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["terms"] = [["l", "PLANTED", "http://www.w3.org/2001/XMLSchema#string", None]] * len(data["terms"])
    kept.write_text(json.dumps(data), encoding="utf-8")
    assert "PLANTED" in query(Q, ds).serialize_as("csv")  # private: read (the test planted it as the user)
    os.chmod(kept, 0o666)  # others could have written it
    again = query(Q, ds)
    assert not again.cached and again.rows == live.rows


@pytest.mark.parametrize("damage", [None, {"format": 0}, {"cells": [0, 1, 2, 99]}, {"cells": [0, 1, 2]},
                                    {"cells": [-1, 0, 1, 2]}, {"vars": ["c"]}, {"type": "UPDATE"}])
def test_a_damaged_file_is_a_miss_and_is_replaced(ds: Dataset, damage: dict | None) -> None:
    live = query(Q, ds)
    (kept,) = _kept(ds)
    text = '{"type": "SELECT", "vars": ' if damage is None else json.dumps({**json.loads(kept.read_text()), **damage})
    kept.write_text(text, encoding="utf-8")
    again = query(Q, ds)
    assert not again.cached and again.rows == live.rows
    assert query(Q, ds).cached  # written again


def test_other_inputs_never_see_an_answer(tmp_path: Path, ds: Dataset) -> None:
    assert len(query(Q, ds).rows) == 2
    f = Path(ds.files[-1])
    f.write_text(FIXTURE.replace('"FIXTURE answers A"@en', '"FIXTURE answers C"@en'), encoding="utf-8")
    changed = Dataset([f], default_data=False)
    r = query(Q, changed)
    assert not r.cached and "FIXTURE answers C" in {str(row[1]) for row in r.rows}


def test_other_code_never_sees_an_answer(ds: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    query(Q, ds)
    assert query(Q, ds).cached
    monkeypatch.setattr(answers, "_version", "another-version-of-the-code")
    assert not query(Q, ds).cached


def test_fast_answers_are_not_kept(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "MIN_SECONDS", 3600.0)
    f = tmp_path / "fixture.ttl"
    f.write_text(FIXTURE, encoding="utf-8")
    ds = Dataset([f], default_data=False)
    query(Q, ds)
    assert _kept(ds) == []


def test_the_least_recently_used_go_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "MAX_FILES", 2)
    folder = tmp_path / "answers"
    payload = {"type": "ASK", "boolean": True}
    for i, name in enumerate(["a", "b", "c"]):
        assert keep(folder, name, payload)
        os.utime(folder / f"{name}.json", ns=(i * 10**9, i * 10**9))
        if name == "b":
            assert recall(folder, "a") == payload  # a is used again: b is now the oldest
    assert sorted(p.stem for p in folder.glob("*.json")) == ["a", "c"]


def test_the_answers_of_a_dataset_stay_under_a_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries sent to a server by anyone cannot fill the disk: past the total size, the least
    recently used answers go (the newest is always kept)."""
    folder = tmp_path / "answers"
    payload = {"type": "SELECT", "vars": ["s"], "truncated": False, "rows": [(("u", "http://ex/" + "a" * 200),)]}
    assert keep(folder, "first", payload)
    size = (folder / "first.json").stat().st_size
    monkeypatch.setattr(answers, "MAX_TOTAL_BYTES", 2 * size)
    for i, name in enumerate(["second", "third"], start=1):
        os.utime(folder / ("first.json" if i == 1 else "second.json"), ns=(i * 10**9, i * 10**9))
        assert keep(folder, name, payload)
    assert sorted(p.stem for p in folder.glob("*.json")) == ["second", "third"]
    monkeypatch.setattr(answers, "MAX_TOTAL_BYTES", 1)
    assert keep(folder, "fourth", payload)
    assert [p.stem for p in folder.glob("*.json")] == ["fourth"]


def test_too_large_an_answer_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "MAX_BYTES", 10)
    assert not keep(tmp_path / "answers", "k", {"type": "ASK", "boolean": True})
    assert recall(tmp_path / "answers", "k") is None


def test_warm_reads_no_foreign_entry(tmp_path: Path) -> None:
    foreign = tmp_path / "ds-x"
    (foreign / "store").mkdir(parents=True)
    os.chmod(foreign, 0o777)
    assert warm(foreign) == []
    assert not (foreign / "answers").exists()
