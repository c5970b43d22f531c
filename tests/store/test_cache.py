"""The dataset cache: built once, reused when nothing changed, rebuilt when any input changes,
never executing anything it finds (no pickle), private to the user."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import graph
from graph.store.cache import CacheWarning, cache_dir, usable_cache_dir
from graph.store.dataset import Dataset

SUBJ = "https://w3id.org/clusterkg/id/fixture-cached"


def _write(path: Path, label: str) -> None:
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        f'<{SUBJ}> a ckg:Cluster ; rdfs:label "{label}"@en .\n'
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(d))
    return d


def test_built_once_then_opened_from_the_store(tmp_path: Path, cache: Path, monkeypatch) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "first")
    first = Dataset([f])
    assert first.resolve("first") == SUBJ
    entry = first.entry
    assert entry is not None and (entry / "store").is_dir() and (entry / "index.sqlite").is_file()
    calls = []
    monkeypatch.setattr("graph.store.dataset._fill", lambda *a, **k: calls.append(1))
    second = Dataset([f])
    assert second.resolve("first") == SUBJ
    assert not calls, "the second open must come from the built store"
    assert second.stats() == first.stats()


def test_curated_subjects_are_recorded_in_the_entry(tmp_path: Path, cache: Path, monkeypatch) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "mine")
    built = Dataset([f]).curated_subjects()
    assert built == Dataset([f], use_cache=False).curated_subjects()
    assert "https://w3id.org/clusterkg/id/horizon-2020" in built and SUBJ not in built  # --data is not curated
    assert Dataset([f], default_data=False).curated_subjects() == frozenset()
    monkeypatch.setattr("graph.store.dataset._curated_subjects", lambda *a: pytest.fail("parsed again"))
    assert Dataset([f]).curated_subjects() == built  # read from the entry


def test_changed_input_is_never_served_stale(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "before")
    assert Dataset([f]).label(SUBJ) == "before"
    _write(f, "after")
    ds = Dataset([f])
    assert ds.label(SUBJ) == "after"
    with pytest.raises(graph.EntityNotFound):
        ds.resolve("before")


def test_damaged_entry_is_rebuilt(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "x")
    entry = Dataset([f]).entry
    assert entry is not None
    (entry / "meta.json").write_text("garbage")
    assert Dataset([f]).resolve("x") == SUBJ


def test_counts_need_no_store_and_a_damaged_store_is_rebuilt(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "x")
    built = Dataset([f])
    counts, n = built.stats(), len(built)
    entry = built.entry
    assert entry is not None
    del built
    (entry / "store" / "CURRENT").write_text("garbage")
    ds = Dataset([f])
    assert (ds.stats(), len(ds)) == (counts, n)  # from meta.json: `clusterkg stats` does not open the store
    assert (entry / "store" / "CURRENT").read_text() == "garbage"
    assert ds.label(SUBJ) == "x"  # the store is needed: rebuilt
    assert (entry / "store" / "CURRENT").read_text() != "garbage"


def test_cache_holds_no_pickle_and_planted_pickle_never_runs(tmp_path: Path, cache: Path) -> None:
    """Regression (issue 8.2): a pickle planted in the cache folder ran on the next command."""
    marker = tmp_path / "pwned"
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    ds = Dataset()
    ds.stats()
    entry = ds.entry
    assert entry is not None
    root = entry.parent
    for name in (f"{ds.key}.pickle", f"net-{ds.key}.pickle", "x.pickle"):
        (root / name).write_bytes(payload)
        (entry / name).write_bytes(payload)
    for f in (root / "a", entry / "b"):
        f.write_bytes(payload)
    env = {**os.environ, "CLUSTERKG_CACHE_DIR": str(cache)}
    for cmd in (["stats"], ["show", "COSME"], ["centrality", "--top", "3"], ["path", "COSME", "Horizon Europe"]):
        subprocess.run([sys.executable, "-m", "cli", *cmd], env=env, capture_output=True, check=True,
                       cwd=Path(__file__).resolve().parents[2])
    assert not marker.exists()
    written = [p for p in root.rglob("*") if p.is_file() and p.read_bytes()[:1] == b"\x80"]
    assert not written, f"pickle-like files in the cache: {written}"


def test_shared_world_writable_folder_gets_a_private_subfolder(tmp_path: Path, monkeypatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(shared))
    d = usable_cache_dir()
    assert d == shared / f"u{os.getuid()}"
    assert d.stat().st_mode & 0o777 == 0o700


def test_entry_writable_by_others_is_ignored(tmp_path: Path, cache: Path) -> None:
    f = tmp_path / "x.ttl"
    _write(f, "mine")
    entry = Dataset([f]).entry
    assert entry is not None
    os.chmod(entry / "meta.json", 0o666)  # someone else could have changed it
    ds = Dataset([f])
    assert ds.resolve("mine") == SUBJ
    assert (entry / "meta.json").stat().st_mode & 0o022 == 0, "the entry was rebuilt privately"


def test_unwritable_cache_warns_and_runs_without(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLUSTERKG_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(CacheWarning, match="running without a cache"):
        ds = Dataset()
        assert ds.resolve("COSME").endswith("/cosme")
    assert ds.entry is None


def test_unwritable_cache_cli_exit_0(tmp_path: Path, runner) -> None:
    from cli import cli

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CacheWarning)
        res = runner.invoke(cli, ["stats"], env={"CLUSTERKG_CACHE_DIR": str(blocker / "c")})
    assert res.exit_code == 0, res.output
    assert "entities" in res.output


def test_clear_cache(cache: Path) -> None:
    Dataset().stats()
    assert graph.clear_cache() == 1
    assert graph.clear_cache() == 0


def test_typed_literals_keep_their_value_through_the_store(tmp_path: Path, cache: Path) -> None:
    """Oxigraph keeps typed literals in canonical form ("P36M"^^xsd:duration is stored as the
    equal "P3Y"); the value, not the spelling, is what survives, and it is the same every time."""
    f = tmp_path / "d.ttl"
    f.write_text(f'<{SUBJ}> <https://w3id.org/clusterkg/ontology#duration> '
                 '"P36M"^^<http://www.w3.org/2001/XMLSchema#duration> .\n')
    first = set(Dataset([f], default_data=False).triples())
    second = set(Dataset([f], default_data=False).triples())
    assert first == second
    (dur,) = [o for s, _, o in second if str(s) == SUBJ]
    assert str(dur) == "P3Y" and str(dur.datatype).endswith("#duration")


def test_built_store_opens_read_only_while_another_process_reads(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "build"
    graph.build(out)
    # the reader keeps the store open until its stdin is closed (after this process has read it too)
    code = ("import sys, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); "
            "print(len(list(s.query('SELECT * WHERE { ?s ?p ?o }')))); sys.stdout.flush(); sys.stdin.read(); "
            "print(len(list(s.query('SELECT * WHERE { ?s ?p ?o }'))))")
    import pyoxigraph as ox

    with subprocess.Popen([sys.executable, "-c", code, str(out / "store")], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as reader:
        assert reader.stdin is not None and reader.stdout is not None
        first = reader.stdout.readline()
        mine = ox.Store.read_only(str(out / "store"))  # while the other process holds it open
        assert int(first) == len(list(mine.query("SELECT * WHERE { ?s ?p ?o }"))) > 1000
        reader.stdin.close()
        assert int(reader.stdout.readline()) == int(first)  # and it still reads it
    assert reader.returncode == 0


def test_cache_dir_default(monkeypatch) -> None:
    monkeypatch.delenv("CLUSTERKG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert cache_dir() == Path("/somewhere/clusterkg")


def _planted_violation(path: Path) -> None:
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ckg: <https://w3id.org/clusterkg/ontology#> .\n"
        f'<{SUBJ}> a ckg:Cluster ; rdfs:label "FIXTURE \\u2028 cluster\\u0007"@en ; ckg:inPeriod "not an IRI" .\n'
    )


def test_the_report_is_kept_and_read_back_not_validated_again(tmp_path: Path, cache: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs that did not change are not validated again: the report is kept in the cache entry."""
    import graph.store.validate as validate

    f = tmp_path / "x.ttl"
    _planted_violation(f)
    first = Dataset([f]).validate()
    assert not first.conforms and any(r.focus_label.startswith("FIXTURE") for r in first.results)
    [kept] = cache.glob("**/ds-*/report-*.json")
    assert kept.stat().st_mode & 0o077 == 0

    def boom(*args, **kwargs):
        raise AssertionError("validated again")

    real = validate.validate_store
    monkeypatch.setattr(validate, "validate_store", boom)
    again = Dataset([f]).validate()
    assert again == first and again.text() == first.text()
    with pytest.raises(AssertionError, match="validated again"):  # another set of shapes, another name
        Dataset([f]).validate(warnings=False)
    with pytest.raises(AssertionError, match="validated again"):  # other data: another entry
        _write(f, "changed")
        Dataset([f]).validate()
    _planted_violation(f)
    import json

    doc = json.loads(first.to_cache())
    for damage in (json.dumps({**doc, "format": 2}), json.dumps({**doc, "results": [["Violation", "x"]]}),
                   '{"format": 1, "results": [{"severity": 1}]}', "not json"):
        kept.write_text(damage)
        with pytest.raises(AssertionError, match="validated again"):
            Dataset([f]).validate()
    monkeypatch.setattr(validate, "validate_store", real)
    kept.write_text(first.to_cache())
    kept.chmod(0o666)  # others could have written it: not read
    assert Dataset([f]).validate() == first
    assert kept.stat().st_mode & 0o077 == 0  # written again, private


def test_a_change_of_shapes_gives_another_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.store.validate as validate
    from graph.resources import shape_files

    before = validate.report_version()
    copies = {}
    for sev, f in shape_files().items():
        copies[sev] = tmp_path / f.name
        copies[sev].write_bytes(f.read_bytes())
    copies["violation"].write_bytes(copies["violation"].read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(validate, "shape_files", lambda: copies)
    assert validate.report_version() != before
