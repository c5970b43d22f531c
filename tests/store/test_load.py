"""Loading: every RDF syntax, folders, and every kind of bad input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import RDFS, Literal, URIRef

import graph
from graph.errors import InputError, MissingInputError, RDFSyntaxError, UnsafeInputError
from graph.store.load import collect_files, load_graph

CKR = "https://w3id.org/clusterkg/id/"


def test_default_load_has_ontology_and_data() -> None:
    loaded = load_graph()
    assert loaded.files[0] == "ontology/clusterkg.ttl"
    assert "data/sources.ttl" in loaded.files
    assert len(loaded.graph) > 1000


@pytest.mark.parametrize(
    ("name", "subject", "label"),
    [
        ("extra.ttl", "fixture-cluster-alpha", "Fixture Cluster Alpha"),
        ("extra.nt", "fixture-nt", "Fixture from N-Triples"),
        ("extra.jsonld", "fixture-jsonld", "Fixture from JSON-LD"),
        ("extra.rdf", "fixture-rdfxml", "Fixture from RDF/XML"),
        ("extra.trig", "fixture-trig", "Fixture from TriG"),
    ],
)
def test_every_syntax_loads(fixtures: Path, name: str, subject: str, label: str) -> None:
    loaded = load_graph([fixtures / name], default_data=False)
    assert (URIRef(CKR + subject), RDFS.label, Literal(label, lang="en")) in loaded.graph
    assert loaded.origin[URIRef(CKR + subject)] == str(fixtures / name)


def test_folder_is_expanded_sorted(tmp_path: Path, fixtures: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.ttl").write_bytes((fixtures / "extra.ttl").read_bytes())
    (tmp_path / "a.nt").write_bytes((fixtures / "extra.nt").read_bytes())
    (tmp_path / "notes.txt").write_text("not RDF")
    files = collect_files([tmp_path])
    assert [f.name for f in files] == ["a.nt", "b.ttl"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match="no such file"):
        load_graph([tmp_path / "nope.ttl"])


def test_turtle_syntax_error_names_file_line_column(fixtures: Path) -> None:
    with pytest.raises(RDFSyntaxError) as info:
        load_graph([fixtures / "broken.ttl"], default_data=False)
    err = info.value
    assert err.path.endswith("broken.ttl")
    assert err.line == 7
    assert err.column is not None and err.column > 1
    assert str(err).startswith(f"{fixtures / 'broken.ttl'}:7:{err.column}: ")


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        (".nt", '<http://a> <http://b> <http://c> .\n<http://a> <http://b> "open\n', 2),
        (".jsonld", '{"@id": "http://a",\n "http://b": [1,}\n', 2),
        (".trig", "<http://g> {\n <http://a> <http://b> <http://c> \n", 3),
        (".ttl", "@prefix ex: <http://ex/> .\nex:a ex:b undeclared:c .\n", 2),
        (".ttl", "<http://ex/a> <http://ex/b> <not an iri> .\n", 1),
    ],
)
def test_syntax_errors_in_other_syntaxes(tmp_path: Path, suffix: str, text: str, line: int) -> None:
    f = tmp_path / f"bad{suffix}"
    f.write_text(text)
    with pytest.raises(RDFSyntaxError) as info:
        load_graph([f], default_data=False)
    assert info.value.line == line
    assert str(info.value).startswith(f"{f}:{line}:")


def test_undeclared_prefix_is_named(tmp_path: Path) -> None:
    f = tmp_path / "p.ttl"
    f.write_text("@prefix ex: <http://ex/> .\nex:a ex:b undeclared:c .\n")
    with pytest.raises(RDFSyntaxError, match="undeclared"):
        load_graph([f], default_data=False)


def test_rdfxml_syntax_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.rdf"
    f.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                 '<rdf:Description rdf:about="http://a">\n</rdf:RDF>\n')
    with pytest.raises(RDFSyntaxError) as info:
        load_graph([f], default_data=False)
    assert info.value.line == 4


def test_entity_bomb_is_refused_quickly(fixtures: Path) -> None:
    start = time.monotonic()
    with pytest.raises(UnsafeInputError, match="entity"):
        load_graph([fixtures / "bomb.rdf"], default_data=False)
    # a regression guard, not a speed goal: expanding this document would take minutes and GBs
    assert time.monotonic() - start < 5


def test_remote_jsonld_context_is_refused_without_fetching(fixtures: Path) -> None:
    with pytest.raises(UnsafeInputError, match="remote @context"):
        load_graph([fixtures / "remote-context.jsonld"], default_data=False)


def test_unknown_extension(tmp_path: Path) -> None:
    f = tmp_path / "data.csv"
    f.write_text("a,b\n")
    with pytest.raises(InputError, match="unknown RDF file extension"):
        load_graph([f], default_data=False)


def _plain(triples):
    """RDF 1.1: a simple literal is an xsd:string; oxrdflib returns the explicit datatype."""
    xsd_string = URIRef("http://www.w3.org/2001/XMLSchema#string")

    def norm(o):
        if not isinstance(o, Literal):
            return o
        if o.datatype in (None, xsd_string):
            return Literal(str(o), lang=o.language)
        # Oxigraph keeps typed values canonically ("36.0"^^xsd:decimal becomes "36"): compare values
        return ("literal", o.datatype, o.language, o.value if o.value is not None else str(o))

    return {(s, p, norm(o)) for s, p, o in triples}


def test_store_seam_oxigraph_gives_same_triples(fixtures: Path) -> None:
    mem = load_graph([fixtures / "extra.ttl"], store="memory").graph
    oxi = load_graph([fixtures / "extra.ttl"], store="oxigraph").graph
    assert len(mem) == len(oxi)
    assert _plain(mem) == _plain(oxi)


def test_public_api_is_exported() -> None:
    for name in graph.__all__:
        assert hasattr(graph, name), name


# -- issue 8, items 6 and 12: nothing loads silently as nothing ------------------------------


@pytest.mark.parametrize("content", ["empty", "dangling-symlink", "text-only"])
def test_a_folder_without_rdf_files_is_an_error(tmp_path: Path, content: str) -> None:
    from click.testing import CliRunner

    from cli import cli

    d = tmp_path / "mine"
    d.mkdir()
    if content == "dangling-symlink":
        (d / "gone.ttl").symlink_to(tmp_path / "nowhere.ttl")
    elif content == "text-only":
        (d / "notes.txt").write_text("not RDF")
    with pytest.raises(MissingInputError, match="no RDF files in this folder"):
        collect_files([d])
    res = CliRunner().invoke(cli, ["--data", str(d), "stats"])
    assert res.exit_code == 2
    assert res.output.startswith(f"error: {d}: no RDF files in this folder")
    res = CliRunner().invoke(cli, ["--data", str(d), "query", "ASK { ?s ?p ?o }"])
    assert res.exit_code == 2


def test_a_jsonld_id_that_is_not_an_iri_is_reported_with_its_place(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonld"
    f.write_text('{\n  "@id": "http://example.org/a",\n  "http://example.org/p": [{"@id": "http://exa mple/b"}]\n}\n')
    with pytest.raises(RDFSyntaxError) as info:
        load_graph([f], default_data=False, ontology=False)
    assert str(info.value).startswith(f"{f}:3:36: @id 'http://exa mple/b' is not a valid IRI")
    from graph.sparql.query import open_store

    with pytest.raises(RDFSyntaxError):  # the query path reads files on its own
        open_store([f], default_data=False)


def test_relative_and_blank_ids_in_jsonld_are_fine(tmp_path: Path) -> None:
    f = tmp_path / "ok.jsonld"
    f.write_text('[{"@id": "a", "http://example.org/p": {"@id": "_:b"}}, {"@id": "#c", "http://example.org/p": "x"}]')
    assert len(load_graph([f], default_data=False, ontology=False).graph) == 2


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".n3", ".jsonld", ".rdf", ".xml"])
def test_an_empty_file_loads_as_nothing_in_every_syntax(tmp_path: Path, suffix: str) -> None:
    """Regression: empty .jsonld and .rdf failed while empty .ttl and .nt loaded."""
    f = tmp_path / f"empty{suffix}"
    f.write_text("\n  \n")
    assert len(load_graph([f], default_data=False, ontology=False).graph) == 0
    from graph.store.dataset import Dataset

    ontology_only = len(Dataset(default_data=False, use_cache=False))
    assert len(Dataset([f], default_data=False, use_cache=False)) == ontology_only
