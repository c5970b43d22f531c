"""The result path of local queries: rows travel and are written as plain string tuples
(:data:`graph.sparql.results.EncodedTerm`), and a plain ``ORDER BY`` is sorted in Python
(:mod:`graph.sparql.order`). Both must give exactly what the rdflib-term path and Oxigraph's own
``ORDER BY`` gave.

``tests/fixtures/result-terms/`` holds the answers the earlier path (rdflib terms in every row,
every ``ORDER BY`` by Oxigraph) wrote for two queries on ``tests/fixtures/result-terms.ttl``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, URIRef

from graph.errors import InputError
from graph.namespaces import PREFIXES
from graph.sparql.library import list_queries
from graph.sparql.order import plan_order, sort_solutions
from graph.sparql.query import query, run_bounded
from graph.sparql.results import QueryResult, encode_term
from graph.terms import from_ox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EX = "http://example.org/"
QUERIES = {
    # ?v mixes dates, numbers, strings, IRIs and a blank node: Oxigraph sorts it
    "mixed": f"SELECT ?s ?v ?w WHERE {{ ?s <{EX}v> ?v OPTIONAL {{ ?v <{EX}v> ?w }} }} ORDER BY ?s ?v",
    # IRIs, a blank node, strings with and without language, unbound: sorted in Python
    "strings": (f"SELECT * WHERE {{ ?s <{EX}v> ?v OPTIONAL {{ ?v <{EX}v> ?w }} "
                "FILTER(!isLiteral(?v) || DATATYPE(?v) IN (xsd:string, rdf:langString)) } ORDER BY DESC(?w) ?v"),
}
FORMATS = ["csv", "tsv", "json", "xml", "table", "table-labels"]


def _store(path: Path) -> ox.Store:
    """The file in a store, its blank nodes named _:n1, _:n2... (labels are part of the answers)."""
    store, names = ox.Store(), {}

    def fix(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return names.setdefault(t.value, ox.BlankNode(f"n{len(names) + 1}")) if isinstance(t, ox.BlankNode) else t

    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        store.add(ox.Quad(fix(t.subject), t.predicate, fix(t.object)))
    return store


def _write(result: QueryResult, fmt: str) -> str:
    if fmt == "table-labels":  # labels stand in for IRIs; a control character in one stays escaped
        labels = {str(t): f"label of {t}\x1b" for row in result.rows for t in row if isinstance(t, URIRef)}
        return result.serialize_as("table", labels)
    return result.serialize_as(fmt)


@pytest.mark.parametrize("timeout", [30, None], ids=["query-process", "in-process"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_format_is_byte_identical_to_the_earlier_path(name: str, fmt: str, timeout: float | None) -> None:
    result = query(QUERIES[name], _store(FIXTURES / "result-terms.ttl"), timeout=timeout)
    expected = (FIXTURES / "result-terms" / f"{name}.{fmt}").read_bytes().decode("utf-8")
    assert _write(result, fmt) == expected


def test_terminal_output_escapes_controls_and_machine_formats_keep_them() -> None:
    result = query(QUERIES["mixed"], _store(FIXTURES / "result-terms.ttl"))
    table = result.serialize_as("table")
    assert "esc \\x1b]0;pwned\\x07 bell" in table and "c1 \\x9b csi \\x7f del" in table
    assert not any(c in table for c in "\x1b\x07\x9b\x7f")
    assert "esc \x1b]0;pwned\x07 bell" in result.serialize_as("csv")
    assert "\\u009b" in result.serialize_as("json")  # valid JSON, no C1 byte on a terminal


@pytest.fixture(scope="module")
def local():
    from graph.sparql.query import open_store

    return open_store()


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_rdflib_rows_and_encoded_rows_write_the_same(name: str, library_answers) -> None:
    """A result read from the store keeps encoded rows; one built from rdflib terms (an endpoint's,
    rdflib's engine) writes the same text."""
    fast = library_answers[name]
    if fast.type != "SELECT":
        return
    slow = QueryResult.select(fast.variables, list(fast.rows))
    for fmt in ("csv", "tsv", "json", "xml", "table"):
        assert slow.serialize_as(fmt) == fast.serialize_as(fmt), fmt


def _oxigraph_rows(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    res = store.query(text, prefixes=dict(PREFIXES))
    names = [v.value for v in res.variables]
    return names, [tuple(encode_term(None if s[v] is None else from_ox(s[v])) for v in names) for s in res]


def _same_order(text: str, names: list[str], python: list[tuple], oxigraph: list[tuple]) -> None:
    """Same rows, and the same sequence of sort keys (rows that tie on every key may differ)."""
    plan = plan_order(text)
    assert plan is not None
    idx = [names.index(v) for v, _ in plan.keys]
    assert Counter(python) == Counter(oxigraph)
    assert [tuple(r[i] for i in idx) for r in python] == [tuple(r[i] for i in idx) for r in oxigraph]


@pytest.mark.parametrize("name", [q.name for q in list_queries() if plan_order(q.text) and " LIMIT " not in q.text])
def test_python_order_is_oxigraph_order_on_the_library(name: str, local, library_answers) -> None:
    text = next(q.text for q in list_queries() if q.name == name)
    names, oxigraph = _oxigraph_rows(local.store, text)
    python = library_answers[name].encoded_rows()
    _same_order(text, names, python, oxigraph)


ORDERS = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:r1 ex:k "b"@en ; ex:n 10 .
ex:r2 ex:k "b"@fr ; ex:n "10.0"^^xsd:decimal .
ex:r3 ex:k "b" ; ex:n 9 .
ex:r4 ex:k "B"@en ; ex:n "-1.5"^^xsd:decimal .
ex:r5 ex:k "é" ; ex:n 100 .
ex:r6 ex:k ex:iri ; ex:n 0 .
ex:r7 ex:k _:blank .
ex:r8 ex:n 3 .
ex:r9 ex:k "" ; ex:n 3 .
ex:r10 ex:k "b"^^xsd:string ; ex:n "3"^^xsd:integer .
"""


@pytest.mark.parametrize("order", ["?k", "DESC(?k)", "?n", "DESC(?n) ?k", "?k DESC(?n) ?r", "ASC(?n) DESC(?r)"])
def test_python_order_is_oxigraph_order_on_every_kind_of_term(order: str, tmp_path: Path) -> None:
    """Unbound, blank nodes, IRIs, strings with and without language or xsd:string, integers and
    decimals of equal value; ascending and descending."""
    (tmp_path / "orders.ttl").write_text(ORDERS, encoding="utf-8")
    store = _store(tmp_path / "orders.ttl")
    rows = f"{{ SELECT DISTINCT ?r WHERE {{ ?r ?p [] FILTER(STRSTARTS(STR(?r), '{EX}r')) }} }}"
    text = (f"SELECT ?r ?k ?n WHERE {{ {rows} OPTIONAL {{ ?r <{EX}k> ?k }} OPTIONAL {{ ?r <{EX}n> ?n }} }} "
            f"ORDER BY {order}")
    names, oxigraph = _oxigraph_rows(store, text)
    plan = plan_order(text)
    assert plan is not None and sort_solutions(names, oxigraph, plan) is not None  # sorted in Python
    _same_order(text, names, query(text, store).encoded_rows(), oxigraph)


def test_columns_python_does_not_order_are_left_to_oxigraph() -> None:
    store = ox.Store()
    for i, value in enumerate([ox.Literal("2024-01-02", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                               ox.Literal("2023-12-31", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))]):
        store.add(ox.Quad(ox.NamedNode(f"{EX}d{i}"), ox.NamedNode(f"{EX}on"), value))
    text = f"SELECT ?d ?on WHERE {{ ?d <{EX}on> ?on }} ORDER BY ?on"
    names, oxigraph = _oxigraph_rows(store, text)
    plan = plan_order(text)
    assert plan is not None and sort_solutions(names, oxigraph, plan) is None  # dates: not here
    assert [r[0][1] for r in query(text, store).encoded_rows()] == [f"{EX}d1", f"{EX}d0"]


@pytest.mark.parametrize(("text", "keys", "offset", "limit"), [
    ("SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a", [("a", False)], 0, None),
    ("select ?a where { ?a ?b ?c } order by desc(?a) asc(?b) $c limit 5 offset 2",
     [("a", True), ("b", False), ("c", False)], 2, 5),
    ("SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?c LIMIT 3 } } ORDER BY ?a # end\n",
     [("a", False)], 0, None),
])
def test_plain_orderings_are_planned(text: str, keys: list, offset: int, limit: int | None) -> None:
    plan = plan_order(text)
    assert plan is not None and (plan.keys, plan.offset, plan.limit) == (keys, offset, limit)
    assert "ORDER" not in plan.text.upper().rsplit("}", 1)[-1]


@pytest.mark.parametrize("text", [
    "SELECT ?a WHERE { ?a ?b ?c }",
    "SELECT ?a WHERE { ?a ?b ?c } ORDER BY STR(?a)",
    "SELECT ?a WHERE { ?a ?b ?c } ORDER BY (?a)",
    "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a } }",
    "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 2 LIMIT 3",
    "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a VALUES ?a { <http://ex/a> }",
    "SELECT ?a WHERE { ?a ?b 'unterminated } ORDER BY ?a",
])
def test_other_orderings_are_left_to_oxigraph(text: str) -> None:
    assert plan_order(text) is None


def test_a_key_that_is_not_a_column_is_left_to_oxigraph(local) -> None:
    text = "SELECT ?e WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label } ORDER BY DESC(?label)"
    plan = plan_order(text)
    assert plan is not None and sort_solutions(["e"], [], plan) is None
    labels = dict(query("SELECT ?e ?label WHERE { ?e a ckg:Eurocluster ; rdfs:label ?label }", local).rows)
    got = [labels[e] for (e,) in query(text, local).rows]
    assert got == sorted(got, key=str, reverse=True)


def test_the_query_process_returns_built_in_values_and_others_unchanged() -> None:
    rows = {"rows": [(("u", "http://ex/a"), None, ("l", "x", "dt", "en"))], "truncated": False}
    assert run_bounded(lambda: rows, timeout=10) == rows
    back = run_bounded(lambda: [URIRef("http://ex/a"), BNode("b")], timeout=10)  # not only built-in types
    assert [type(t) for t in back] == [URIRef, BNode]
    with pytest.raises(InputError, match="boom"):
        run_bounded(lambda: (_ for _ in ()).throw(InputError("boom")), timeout=10)
