"""The SHACL → SPARQL compiler agrees with pySHACL, feature by feature, on a small graph.

Every property shape has an IRI, so that results can be matched by (source shape, constraint
component, focus node, value) across the two engines. pySHACL runs live here: on a graph of a few
dozen triples it takes a fraction of a second.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from graph.namespaces import SH
from graph.store.shacl import UnsupportedShapeError, compile_shapes, run_checks

SHAPES = r"""
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix ex:   <http://example.org/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:not [ sh:class ex:Rock ] ;
    sh:xone ( [ sh:class ex:Student ] [ sh:class ex:Employee ] ) ;
    sh:and ( [ sh:nodeKind sh:IRI ] [ sh:property [ sh:path ex:name ; sh:minCount 1 ] ] ) ;
    sh:or ( [ sh:property [ sh:path ex:email ; sh:minCount 1 ] ]
            [ sh:property [ sh:path ex:phone ; sh:minCount 1 ] ] ) ;
    sh:property ex:name , ex:nameSparql , ex:age , ex:score , ex:email , ex:label , ex:knows , ex:friendName ,
        ex:contact , ex:ancestors , ex:ancestorsOrSelf , ex:spouseOrSelf , ex:status , ex:role , ex:tag , ex:pet ,
        ex:children .

ex:name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 1 ; sh:maxCount 2 ; sh:datatype xsd:string ;
    sh:minLength 2 ; sh:maxLength 6 .
ex:nameSparql a sh:PropertyShape ; sh:path ex:name ;
    sh:sparql [ sh:message "shouty name" ; sh:prefixes ex: ;
                sh:select '''SELECT $this ?value WHERE {
                    $this $PATH ?value . FILTER(UCASE(STR(?value)) = STR(?value)) }''' ] .
ex:age a sh:PropertyShape ; sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 150 .
ex:score a sh:PropertyShape ; sh:path ex:score ; sh:minExclusive 0 ; sh:maxInclusive 10 ; sh:severity sh:Info .
ex:email a sh:PropertyShape ; sh:path ex:email ; sh:pattern "^[a-z]+@EXAMPLE\\.org$" ; sh:flags "i" ;
    sh:nodeKind sh:Literal .
ex:label a sh:PropertyShape ; sh:path rdfs:label ; sh:uniqueLang true ; sh:languageIn ( "en" "fr" ) ;
    sh:datatype rdf:langString .
ex:knows a sh:PropertyShape ; sh:path ex:knows ; sh:class ex:Person ; sh:nodeKind sh:IRI .
ex:friendName a sh:PropertyShape ; sh:path ( ex:knows ex:name ) ; sh:minCount 1 .
ex:contact a sh:PropertyShape ; sh:path [ sh:alternativePath ( ex:email ex:phone ) ] ; sh:maxCount 1 .
ex:ancestors a sh:PropertyShape ; sh:path [ sh:oneOrMorePath ex:childOf ] ; sh:maxCount 3 .
ex:ancestorsOrSelf a sh:PropertyShape ; sh:path [ sh:zeroOrMorePath ex:childOf ] ; sh:class ex:Person .
ex:spouseOrSelf a sh:PropertyShape ; sh:path [ sh:zeroOrOnePath ex:spouse ] ; sh:maxCount 1 ; sh:severity sh:Warning .
ex:status a sh:PropertyShape ; sh:path ex:status ; sh:in ( ex:Active ex:Retired ) .
ex:role a sh:PropertyShape ; sh:path ex:role ; sh:hasValue ex:Member .
ex:tag a sh:PropertyShape ; sh:path ex:tag ;
    sh:qualifiedValueShape [ sh:datatype xsd:integer ] ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 .
ex:pet a sh:PropertyShape ; sh:path ex:pet ; sh:node ex:PetShape .
ex:children a sh:PropertyShape ; sh:path [ sh:inversePath ex:childOf ] ; sh:maxCount 1 .

ex:PetShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .

ex:ChosenShape a sh:NodeShape ; sh:targetNode ex:alice , ex:bob ; sh:in ( ex:alice ) ; sh:severity sh:Info .
ex:OnlyAliceShape a sh:NodeShape ; sh:targetNode ex:bob ; sh:hasValue ex:alice .

ex:BirthShape a sh:NodeShape ; sh:targetSubjectsOf ex:birthDate ; sh:property ex:birthDate .
ex:birthDate a sh:PropertyShape ; sh:path ex:birthDate ; sh:datatype xsd:date ; sh:maxCount 1 ; sh:severity sh:Warning .

ex:KnownShape a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:nodeKind sh:IRI ; sh:pattern "^http://example\\.org/" .

ex:OldShape a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:prefixes ex: ;
                sh:select "SELECT ?this WHERE { ?this ex:age ?a . FILTER(isNumeric(?a) && ?a > 100) }" ] ;
    sh:sparql [ sh:prefixes ex: ; sh:message "too old" ;
                sh:select '''SELECT $this ?value WHERE {
                    $this ex:age ?value . FILTER NOT EXISTS { $this ex:verified true } }''' ] .

ex:Robot a rdfs:Class , sh:NodeShape ; sh:property ex:serial .
ex:serial a sh:PropertyShape ; sh:path ex:serial ; sh:minCount 1 .

ex:OffShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:deactivated true ;
    sh:property [ sh:path ex:nothing ; sh:minCount 1 ] .
"""

DATA = """
@prefix ex:   <http://example.org/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Student rdfs:subClassOf ex:Person .
ex:Employee rdfs:subClassOf ex:Person .

ex:alice a ex:Student ; ex:name "Alice" ; ex:age 30 ; ex:score 5 ; ex:email "alice@example.org" ;
    rdfs:label "Alice"@en , "Alice"@fr ; ex:knows ex:bob ; ex:status ex:Active ; ex:role ex:Member ;
    ex:tag 1 , "x" ; ex:pet ex:rex ; ex:birthDate "1990-01-01"^^xsd:date ; ex:childOf ex:carol .
ex:rex ex:name "Rex" .

ex:bob a ex:Student , ex:Employee , ex:Rock ; ex:name "B" , "BOBBY" , "Roberto" ; ex:age "old" , 200 ;
    ex:score 0 ; ex:email "bob@elsewhere.net" ; ex:phone "123" ;
    rdfs:label "Bob"@en , "Bobby"@en , "Bob"@de , "Bob" ; ex:knows ex:rock , "carol" , <http://other.org/dave> ;
    ex:status ex:Unknown ; ex:tag 1 , 2 , 3 ; ex:pet ex:nameless ;
    ex:birthDate "March 1990"^^xsd:date , "1990-03-01"^^xsd:date ;
    ex:spouse ex:alice ; ex:childOf ex:c1 .
ex:c1 ex:childOf ex:c2 . ex:c2 ex:childOf ex:c3 . ex:c3 ex:childOf ex:c4 .
ex:nameless a ex:Dog .
ex:rock a ex:Rock .

ex:carol a ex:Person , ex:Robot ; ex:name "Carol" ; ex:age 120 ; ex:verified true ; ex:role ex:Member ;
    ex:knows ex:alice ; ex:tag 7 .
ex:dan a ex:Robot ; ex:serial "R2" .
ex:eve a ex:Person ; ex:name "Eve" ; ex:age 101 ; ex:knows ex:alice ; ex:role ex:Member ; ex:tag 1 ; ex:phone "1" .
ex:dan2 ex:childOf ex:eve . ex:dan3 ex:childOf ex:eve . ex:eve ex:score 11 .
ex:frank a ex:Employee ; ex:tag "y" ; ex:email "frank@example.org" .
"""

Key = tuple[str, str, str, str, str]


def _pyshacl_results() -> set[Key]:
    from pyshacl import validate

    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=SHAPES, format="turtle")
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                        allow_warnings=True)
    assert isinstance(report, Graph)
    out: set[Key] = set()
    # top-level results only: pySHACL also types the nested sh:detail of a sh:node result
    for r in report.objects(None, SH.result):
        shape = report.value(r, SH.sourceShape)
        comp = report.value(r, SH.sourceConstraintComponent)
        value = report.value(r, SH.value)
        sev = report.value(r, SH.resultSeverity)
        assert isinstance(shape, URIRef), "every top-level shape in SHAPES has an IRI"
        out.add((str(shape), str(comp).rsplit("#", 1)[1], str(report.value(r, SH.focusNode)),
                 "" if value is None else str(value), str(sev).rsplit("#", 1)[1]))
    return out


def _our_results() -> set[Key]:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    out: set[Key] = set()
    for hit in run_checks(store, compile_shapes(SHAPES)):
        shape = hit.check.shape.strip("<>")
        out.add((shape, hit.check.component, hit.focus.value, "" if hit.value is None else hit.value.value,
                 hit.check.severity))
    return out


@pytest.fixture(scope="module")
def both() -> tuple[set[Key], set[Key]]:
    return _pyshacl_results(), _our_results()


def test_same_results_as_pyshacl(both: tuple[set[Key], set[Key]]) -> None:
    theirs, ours = both
    missing = sorted(theirs - ours)
    extra = sorted(ours - theirs)
    assert not missing and not extra, f"missing (pySHACL only): {missing}\nextra (ours only): {extra}"


def test_every_feature_is_exercised(both: tuple[set[Key], set[Key]]) -> None:
    """Each supported constraint component finds at least one result here, so the agreement above
    covers them all."""
    _theirs, ours = both
    components = {k[1] for k in ours}
    expected = {
        "ClassConstraintComponent", "DatatypeConstraintComponent", "NodeKindConstraintComponent",
        "MinCountConstraintComponent", "MaxCountConstraintComponent", "MinInclusiveConstraintComponent",
        "MaxInclusiveConstraintComponent", "MinExclusiveConstraintComponent", "MaxExclusiveConstraintComponent",
        "MinLengthConstraintComponent", "MaxLengthConstraintComponent", "PatternConstraintComponent",
        "LanguageInConstraintComponent", "UniqueLangConstraintComponent", "InConstraintComponent",
        "HasValueConstraintComponent", "NodeConstraintComponent", "NotConstraintComponent",
        "AndConstraintComponent", "OrConstraintComponent", "XoneConstraintComponent",
        "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent",
        "SPARQLConstraintComponent",
    }
    assert expected <= components, sorted(expected - components)
    severities = {k[4] for k in ours}
    assert severities == {"Violation", "Warning", "Info"}
    shapes = {k[0] for k in ours}
    assert "http://example.org/OffShape" not in shapes  # deactivated
    assert {"http://example.org/serial", "http://example.org/OldShape", "http://example.org/KnownShape",
            "http://example.org/birthDate", "http://example.org/ChosenShape"} <= shapes  # every kind of target


def test_ill_formed_literal_fails_datatype(both: tuple[set[Key], set[Key]]) -> None:
    _theirs, ours = both
    assert ("http://example.org/birthDate", "DatatypeConstraintComponent", "http://example.org/bob", "March 1990",
            "Warning") in ours


def test_focus_restriction(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    checks = compile_shapes(SHAPES)
    all_foci = {hit.focus.value for hit in run_checks(store, checks)}
    assert {"http://example.org/bob", "http://example.org/carol"} <= all_foci
    only = [(h.check, h.focus, h.value) for h in run_checks(store, checks, focus=["http://example.org/carol"])]
    assert {focus.value for _, focus, _ in only} == {"http://example.org/carol"}
    # a focus set too large for a VALUES clause: every target is checked and only these are kept
    monkeypatch.setattr("graph.store.shacl.FOCUS_IN_QUERY", 0)
    kept = [(h.check, h.focus, h.value) for h in run_checks(store, checks, focus=["http://example.org/carol"])]
    assert kept == only
    # either way on request (validate_addition checks every target of its small store)
    for way in (True, False):
        chosen = run_checks(store, checks, focus=["http://example.org/carol"], focus_in_query=way)
        assert [(h.check, h.focus, h.value) for h in chosen] == only


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S sh:targetClass ex:C ; sh:closed true .",
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] .",
        "ex:S sh:targetClass ex:C ; ex:myParam 3 ; sh:fancy 1 .",
        "ex:S sh:targetClass ex:C ; sh:sparql [ sh:select \"SELECT $this WHERE { $this ?p $currentShape }\" ] .",
        "ex:S sh:target [ sh:filterShape ex:T ] .",
        "ex:S sh:targetClass ex:C ; sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .",
    ],
)
def test_unsupported_features_are_refused_not_skipped(shape: str) -> None:
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(prefixes + shape)


def test_scan_form_gives_the_per_node_form_results() -> None:
    """Each check's :attr:`Check.scan_query` (the property scanned on its own and joined with the
    targets) finds the same rows as its per-node query, constraint by constraint."""
    from graph.store.shacl import _focus_placeholder, class_closures, expand_class_paths

    store = ox.Store()
    store.load(DATA, format=ox.RdfFormat.TURTLE)
    checks = compile_shapes(SHAPES)
    closures = class_closures(store, [q for c in checks for q in (c.query, c.scan_query)])

    def rows(query: str) -> set[tuple[str, ...]]:
        return {tuple(str(t) for t in row) for row in store.query(expand_class_paths(query, closures))}

    scanned = [c for c in checks if c.scan_query]
    assert {c.component for c in scanned} >= {
        "ClassConstraintComponent", "DatatypeConstraintComponent", "MinCountConstraintComponent",
        "MaxCountConstraintComponent", "UniqueLangConstraintComponent", "HasValueConstraintComponent",
        "PatternConstraintComponent", "InConstraintComponent", "QualifiedMinCountConstraintComponent",
        "QualifiedMaxCountConstraintComponent"}
    found = 0
    for c in scanned:
        per_node = rows(c.query.replace(_focus_placeholder(), "", 1))
        assert rows(c.scan_query) == per_node, (c.shape, c.component)
        found += bool(per_node)
    assert found >= 15  # most of them find something here, so the agreement means something
