"""Mapping files: YARRRML shortcuts parse as RML terms; every mistake is one FILE:LINE:COL error."""

from __future__ import annotations

import pytest

from graph.errors import InputError, MappingError
from graph.imports import list_mappings, parse_mapping
from graph.imports.spec import parse_mapping_text

HEAD = """mapping: t
sources:
  s: {file: "*.csv", citation: "a test"}
"""


def _parse(body: str) -> object:
    return parse_mapping_text(HEAD + body, "t.yaml")


def test_yarrrml_terms() -> None:
    m = parse_mapping_text(HEAD + """mappings:
  x:
    source: s
    s: ckr:x-$(id)
    po:
      - [a, ckg:Organisation]
      - [rdfs:label, $(name), en~lang]
      - [ckg:startDate, $(d), xsd:date]
      - [ckg:locatedIn, country:$(c)~iri]
      - p: skos:note
        o: {value: "note $(id)", language: en, fallback: true}
        when: {column: id, matches: "^[0-9]+$"}
""", "t.yaml")
    po = m.maps[0].po  # type: ignore[attr-defined]
    assert po[0].objects[0].kind == "iri" and po[0].objects[0].template.endswith("#Organisation")
    assert po[1].objects[0].language == "en"
    assert po[2].objects[0].datatype == "http://www.w3.org/2001/XMLSchema#date"
    assert po[3].objects[0].kind == "iri" and po[3].objects[0].template.endswith("/country/$(c)")
    assert po[4].objects[0].fallback and po[4].when[0].matches == "^[0-9]+$"


@pytest.mark.parametrize(("body", "where", "message"), [
    ("mappings:\n  x: {source: s, s: ckr:x, po: [], sorce: s}\n", "t.yaml:5:", "unknown key 'sorce'"),
    ("mappings:\n  x: {source: t, s: ckr:x}\n", "t.yaml:5:", "'source' must name one of the sources"),
    ("mappings:\n  x: {source: s, s: nope:x}\n", "t.yaml:5:", "unknown prefix 'nope'"),
    ("mappings:\n  x:\n    source: s\n    s: ckr:x\n    po:\n      - [a]\n", "t.yaml:9:",
     "a po entry is [predicate, object]"),
])
def test_mapping_errors_have_positions(body: str, where: str, message: str) -> None:
    with pytest.raises(MappingError) as err:
        _parse(body)
    assert str(err.value).startswith(where) and message in str(err.value)
    assert isinstance(err.value, InputError) and err.value.exit_code == 2


@pytest.mark.parametrize(("columns", "message"), [
    ("a: {type: money}", "unknown type 'money'"),
    ("a: {replace: {'(?!x)': ''}}", "no look-around"),
    ("a: {pattern: '('}", "bad regular expression"),
    ("a: {lookup: {table: nope}}", "unknown lookup table 'nope'"),
    ("a: {on_error: skip}", "'on_error' is 'reject'"),
    ("a: {map_other: null}", "YAML reads null"),
])
def test_column_rule_errors(columns: str, message: str) -> None:
    text = f"""mapping: t
sources:
  s:
    file: "*.csv"
    citation: "a test"
    columns:
      {columns}
mappings:
  x: {{source: s, s: ckr:x}}
"""
    with pytest.raises(MappingError) as err:
        parse_mapping_text(text, "t.yaml")
    assert message in str(err.value) and str(err.value).startswith("t.yaml:")


def test_null_key_and_bad_yaml() -> None:
    with pytest.raises(MappingError, match="write 'missing'"):
        parse_mapping_text(HEAD.replace('citation: "a test"', 'citation: "a test", null: [NA]')
                           + "mappings:\n  x: {source: s, s: ckr:x}\n", "t.yaml")
    with pytest.raises(MappingError, match=r"t\.yaml:\d+:\d+: not valid YAML"):
        parse_mapping_text("mapping: t\nsources: [\n", "t.yaml")


def test_shipped_mappings_parse_and_cite_their_sources() -> None:
    for m in list_mappings():
        assert m.title and len(m.description.split()) > 20, m.name
        assert all(len(s.citation) > 30 for s in m.sources), m.name


def test_missing_mapping_file(tmp_path: object) -> None:
    with pytest.raises(InputError, match="no such file"):
        parse_mapping("/nonexistent/mapping.yaml")
