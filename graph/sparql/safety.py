"""Check a SPARQL query before it runs: syntax, prefixes, form and safety.

Queries typed by a user are untrusted. :func:`check_query` refuses, before anything is
evaluated:

- SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ...): ``clusterkg query``
  only reads;
- ``SERVICE`` (an outbound request to another server), unless ``allow_remote``;
- ``FROM`` / ``FROM NAMED`` with a ``file:``, ``http(s):``, ``ftp:`` or ``data:`` IRI (rdflib would
  read the file or fetch the URL), unless ``allow_remote`` or the query goes to a remote endpoint,
  where ``FROM`` names a graph of that store.

The check is done twice, independently: a small SPARQL lexer finds the keywords outside strings,
IRIs and comments, and rdflib's parser builds the algebra, which is walked for
``ServiceGraphPattern`` nodes and dataset clauses. A query is refused if either finds something.

Syntax errors become :class:`~graph.errors.QuerySyntaxError` with ``line L, column C`` and the
offending token; an undeclared prefix is named. The project's prefixes
(:data:`graph.namespaces.PREFIXES`) are predeclared; a query may redeclare them.

Examples
--------
>>> info = check_query("SELECT ?x WHERE { ?x a ckg:Eurocluster }")
>>> info.form
'SELECT'
>>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.errors.UnsafeQueryError: line 1, column 18: SERVICE <http://127.0.0.1:9/> is refused: it would send \
the query to another server (use --allow-remote to allow it)
>>> check_query("SELECT * WHERE { ?s foo:p ?o }")
Traceback (most recent call last):
...
graph.errors.QuerySyntaxError: line 1, column 21: undeclared prefix 'foo:' (declare it with PREFIX foo: <...>)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import QuerySyntaxError, UnsafeQueryError
from ..prefixes import PREFIXES

__all__ = ["QUERY_FORMS", "UPDATE_FORMS", "Clause", "QueryInfo", "Token", "check_query", "tokenize"]

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
#: IRI schemes that rdflib (``FROM``) or an HTTP client (``SERVICE``) would read from.
READABLE_SCHEMES = ("file:", "http:", "https:", "ftp:", "data:", "jar:")


@dataclass(frozen=True)
class Token:
    """One lexical token: ``kind`` is iri, string, var, pname, bnode, name, lang, number or punct."""

    kind: str
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Clause:
    """A SERVICE, FROM or FROM NAMED clause and where it is."""

    kind: str
    iri: str
    line: int
    column: int


@dataclass
class QueryInfo:
    """What :func:`check_query` learnt about a query."""

    form: str
    #: Prefixes the query declares itself (prefix → namespace IRI).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: SERVICE clauses (``iri`` is the IRI, or ``?var``).
    services: list[Clause] = field(default_factory=list)
    #: FROM and FROM NAMED clauses.
    datasets: list[Clause] = field(default_factory=list)
    #: ``LIMIT`` given at the end of the query, if any.
    has_limit: bool = False
    #: ``SELECT *`` (or ``SELECT DISTINCT *``): the columns are every variable, in the order
    #: they first appear in the query (:attr:`variables`).
    select_star: bool = False
    #: Every variable name (without ``?``), in order of first appearance.
    variables: list[str] = field(default_factory=list)

    def star_order(self, columns: Sequence[str]) -> list[str]:
        """``columns`` in the order their variables first appear in the query (unknown ones last).

        >>> QueryInfo("SELECT", variables=["z", "a", "m"]).star_order(["a", "m", "z"])
        ['z', 'a', 'm']
        """
        rank = {v: i for i, v in enumerate(self.variables)}
        return sorted(columns, key=lambda c: (rank.get(c, len(rank)), columns.index(c)))

    def missing_prefixes(self, predeclared: Mapping[str, str] = PREFIXES) -> dict[str, str]:
        """The predeclared prefixes the query does not declare itself."""
        return {p: ns for p, ns in predeclared.items() if p not in self.prefixes}


_PN_CHARS_BASE = r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D" \
                 r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
_PN = rf"[{_PN_CHARS_BASE}0-9_\-.\u00B7\u0300-\u036F\u203F-\u2040]"
_PNAME = rf"(?:[{_PN_CHARS_BASE}]{_PN}*)?:(?:{_PN}|:|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*"
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFD]+)
  | (?P<bnode>_:(?:PN|:)*)
  | (?P<pname>PNAME)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||<=|>=|!=|.)
    """.replace("PNAME", _PNAME).replace("PN", _PN),
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """Split a SPARQL text into tokens (whitespace and comments dropped), with 1-based positions.

    >>> [t.text for t in tokenize("SELECT ?x # comment\\nWHERE { ?x rdfs:label 'a b' }")]
    ['SELECT', '?x', 'WHERE', '{', '?x', 'rdfs:label', "'a b'", '}']
    """
    tokens: list[Token] = []
    line, line_start, pos = 1, 0, 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup or "punct"
        value = m.group()
        if kind == "pname" and value.endswith(".") and not value.endswith("\\."):
            value = value.rstrip(".")  # a trailing '.' ends the triple, it is not part of the name
        if kind == "punct" and value in "'\"":
            raise QuerySyntaxError("unterminated string", line, pos - line_start + 1)
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, value, line, pos - line_start + 1))
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = pos + value.rindex("\n") + 1
        pos += len(value)
    return tokens


def _check_brackets(tokens: list[Token]) -> None:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[Token] = []
    for t in tokens:
        if t.kind != "punct":
            continue
        if t.text in "([{":
            stack.append(t)
        elif t.text in pairs:
            if not stack or stack[-1].text != pairs[t.text]:
                raise QuerySyntaxError(f"syntax error at {t.text!r}: no matching opening bracket",
                                       t.line, t.column)
            stack.pop()
    if stack:
        t = stack[-1]
        raise QuerySyntaxError(f"{t.text!r} is never closed", t.line, t.column)


def _lex_analysis(tokens: list[Token], predeclared: Mapping[str, str]) -> tuple[QueryInfo, list[Token]]:
    """Prologue, form, SERVICE and FROM clauses, and prefixed names whose prefix is not declared."""
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        word = tokens[i].text.upper() if tokens[i].kind == "name" else ""
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            i += 2
        elif (word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname"
              and tokens[i + 1].text.endswith(":") and tokens[i + 2].kind == "iri"):
            prefixes[tokens[i + 1].text[:-1]] = tokens[i + 2].text[1:-1]
            i += 3
        else:
            break
    if i == len(tokens):
        at = tokens[-1] if tokens else Token("punct", "", 1, 1)
        raise QuerySyntaxError("empty query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", at.line, at.column)
    first = tokens[i]
    form = first.text.upper() if first.kind == "name" else ""
    if form in UPDATE_FORMS:
        raise UnsafeQueryError(
            f"line {first.line}, column {first.column}: SPARQL Update ({form}) is refused: "
            "`clusterkg query` only reads the graph (use SELECT, ASK, CONSTRUCT or DESCRIBE)")
    if form not in QUERY_FORMS:
        raise QuerySyntaxError(f"syntax error at {first.text!r}: expected SELECT, ASK, CONSTRUCT or DESCRIBE",
                               first.line, first.column)
    info = QueryInfo(form, prefixes)
    undeclared: list[Token] = []
    body = tokens[i:]
    if form == "SELECT":
        k = 1
        while k < len(body) and body[k].kind == "name" and body[k].text.upper() in ("DISTINCT", "REDUCED"):
            k += 1
        info.select_star = k < len(body) and body[k].text == "*"
    seen: dict[str, None] = {}
    for j, t in enumerate(body):
        if t.kind == "var":
            seen.setdefault(t.text[1:], None)
        if t.kind == "pname":
            prefix = t.text.split(":", 1)[0]
            if prefix not in prefixes and prefix not in predeclared:
                undeclared.append(t)
        elif t.kind == "name":
            word = t.text.upper()
            # Oxigraph also reads keywords glued together or to a boolean ("trueSERVICE" is true then
            # SERVICE, "SERVICESILENT" is SERVICE SILENT, "FROMNAMED" is FROM NAMED); no bare word of
            # SPARQL holds SERVICE or FROM otherwise.
            glued = word
            if "SERVICE" in word:
                word = "SERVICE"
            elif "FROM" in word:
                word = "FROM"
            if word == "SERVICE":
                k = j + 1
                if k < len(body) and body[k].kind == "name" and body[k].text.upper() == "SILENT":
                    k += 1
                target = body[k].text if k < len(body) else ""
                info.services.append(Clause("SERVICE", _expand(target, prefixes, predeclared), t.line, t.column))
            elif word == "FROM":
                k = j + 1
                kind = "FROM NAMED" if "NAMED" in glued.split("FROM", 1)[1] else "FROM"
                if k < len(body) and body[k].kind == "name" and body[k].text.upper() == "NAMED":
                    kind, k = "FROM NAMED", k + 1
                target = body[k].text if k < len(body) else ""
                info.datasets.append(Clause(kind, _expand(target, prefixes, predeclared), t.line, t.column))
            elif word == "LIMIT":
                info.has_limit = True
            elif word in UPDATE_FORMS and j > 0 and body[j - 1].text == ";":
                raise UnsafeQueryError(
                    f"line {t.line}, column {t.column}: SPARQL Update ({word}) is refused: "
                    "`clusterkg query` only reads the graph")
    info.variables = list(seen)
    return info, undeclared


def _expand(text: str, prefixes: Mapping[str, str], predeclared: Mapping[str, str]) -> str:
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if ":" in text and not text.startswith(("?", "$")):
        p, _, local = text.partition(":")
        ns = prefixes.get(p, predeclared.get(p))
        if ns is not None:
            return ns + local
    return text


def _readable(iri: str) -> bool:
    return iri.lower().startswith(READABLE_SCHEMES)


_MAY_HAVE_CLAUSES = re.compile(r"service|from", re.IGNORECASE)
_RDFLIB_POS = re.compile(r"found (?P<found>'[^']*'|end of text).*\(line:(?P<line>\d+), col:(?P<col>\d+)\)")
_OX_POS = re.compile(r"error at (?P<line>\d+):(?P<col>\d+): (?P<rest>.*)", re.DOTALL)


def _token_at(tokens: list[Token], line: int, column: int) -> str:
    for t in tokens:
        if (t.line, t.column) >= (line, column):
            return t.text
    return ""


def _oxigraph_error(text: str, tokens: list[Token], predeclared: Mapping[str, str]) -> QuerySyntaxError | None:
    """Parse with Oxigraph (the engine that runs local queries); None if it accepts the query."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text, prefixes=dict(predeclared))
    except SyntaxError as exc:
        msg = str(exc)
        m = _OX_POS.match(msg)
        if not m:
            return QuerySyntaxError(msg)
        line, col = int(m.group("line")), int(m.group("col"))
        token = _token_at(tokens, line, col)
        rest = m.group("rest")
        # Oxigraph lists what it expected; a sentence among them is a semantic error.
        sentence = re.search(r"(?:^|, )((?:The|A|Variable|Aggregate)\b[^,\[]*)", rest)
        if sentence:
            reason = sentence.group(1).strip()
        else:
            reason = f"syntax error at {token!r}" if token else "syntax error at the end of the query"
            expected = [e for e in re.split(r",\s*", re.sub(r"^expected (one of )?", "", rest))
                        if e and not e.startswith(("[", "'", "\\")) and len(e) < 20]
            if expected:
                reason += f" (expected {' or '.join(expected[:6])}{', ...' if len(expected) > 6 else ''})"
        return QuerySyntaxError(reason, line, col)
    except OSError:
        return None  # evaluation touched something: parsing went fine
    return None


def _rdflib_check(text: str, tokens: list[Token], predeclared: Mapping[str, str],
                  allow_service: bool, allow_from: bool) -> QuerySyntaxError | None:
    """Parse with rdflib and walk the algebra for SERVICE and dataset clauses.

    Returns rdflib's syntax error (or None); raises :class:`UnsafeQueryError` for what the
    algebra shows. A query rdflib cannot translate (it misses a few SPARQL 1.1 corners) is left to
    the lexical check.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        m = _RDFLIB_POS.search(str(exc))
        line, col = (int(m.group("line")), int(m.group("col"))) if m else (exc.lineno, exc.col)
        token = _token_at(tokens, line, col)
        return QuerySyntaxError(f"syntax error at {token!r}" if token else "unexpected end of the query",
                                line, col)
    except Exception:
        return None
    try:
        query = translateQuery(parsed, initNs=dict(predeclared))
    except Exception:
        return None

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern" and not allow_service:
                raise UnsafeQueryError(f"SERVICE <{node.get('term')}> is refused: it would send the query "
                                       "to another server (use --allow-remote to allow it)")
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(query.algebra)
    for clause in query.algebra.get("datasetClause") or []:
        iri = str(clause.get("default") or clause.get("named") or "")
        if _readable(iri) and not allow_from:
            raise UnsafeQueryError(f"FROM <{iri}> is refused: it would read a file or fetch a URL "
                                   "(use --allow-remote to allow it)")
    return None


def check_query(
    text: str,
    *,
    allow_remote: bool = False,
    remote_endpoint: bool = False,
    predeclared: Mapping[str, str] = PREFIXES,
    parse: bool = True,
) -> QueryInfo:
    """Check ``text`` and say what kind of query it is; raise if it is malformed or refused.

    Parameters
    ----------
    text : str
        The SPARQL query.
    allow_remote : bool
        Allow ``SERVICE`` and ``FROM``/``FROM NAMED`` with file or web IRIs.
    remote_endpoint : bool
        The query goes to a remote SPARQL endpoint, where ``FROM`` names a graph of that store:
        ``FROM`` is then allowed (``SERVICE`` still needs ``allow_remote``).
    predeclared : mapping
        Prefixes the query may use without declaring them.
    parse : bool
        Also parse with Oxigraph and rdflib (off only where the caller parses itself).

    Returns
    -------
    QueryInfo

    Raises
    ------
    QuerySyntaxError
        ``line L, column C: ...`` for a malformed query or an undeclared prefix.
    UnsafeQueryError
        For SPARQL Update, ``SERVICE`` or ``FROM`` with a file or web IRI (not allowed).

    Examples
    --------
    >>> check_query("ASK { ?s ?p ?o }").form
    'ASK'
    >>> check_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    Traceback (most recent call last):
    ...
    graph.errors.UnsafeQueryError: line 1, column 1: SPARQL Update (INSERT) is refused: `clusterkg query` \
only reads the graph (use SELECT, ASK, CONSTRUCT or DESCRIBE)
    >>> check_query("SELECT * WHERE {\\n  ?s ?p ?o .\\n  FILTER(?o > )\\n}")
    Traceback (most recent call last):
    ...
    graph.errors.QuerySyntaxError: line 3, column 3: syntax error at 'FILTER'
    """
    if not text.strip():
        raise QuerySyntaxError("empty query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", 1, 1)
    tokens = tokenize(text)
    info, undeclared = _lex_analysis(tokens, predeclared)
    if undeclared:
        t = undeclared[0]
        prefix = t.text.split(":", 1)[0]
        raise QuerySyntaxError(f"undeclared prefix '{prefix}:' (declare it with PREFIX {prefix}: <...>)",
                               t.line, t.column)
    _check_brackets(tokens)
    if info.services and not allow_remote:
        c = info.services[0]
        shown = c.iri if c.iri.startswith(("?", "$")) else f"<{c.iri}>"
        raise UnsafeQueryError(f"line {c.line}, column {c.column}: SERVICE {shown} is refused: it would send "
                               "the query to another server (use --allow-remote to allow it)")
    allow_from = allow_remote or remote_endpoint
    for c in info.datasets:
        if _readable(c.iri) and not allow_from:
            raise UnsafeQueryError(f"line {c.line}, column {c.column}: {c.kind} <{c.iri}> is refused: it would "
                                   "read a file or fetch a URL (use --allow-remote to allow it)")
    if parse:
        ox_error = None
        if not (info.services and allow_remote):
            # Oxigraph parses on an empty store; with no SERVICE nothing can be read or fetched.
            ox_error = _oxigraph_error(text, tokens, predeclared)
        # rdflib's parser (10-70 ms) runs when it can matter: for a better syntax error message,
        # and to walk the algebra whenever the text could hold a SERVICE or FROM clause (keywords
        # cannot be escaped in SPARQL, so a text without these letters cannot hold one).
        if ox_error is not None or _MAY_HAVE_CLAUSES.search(text):
            rd_error = _rdflib_check(text, tokens, predeclared, allow_service=allow_remote, allow_from=allow_from)
            if ox_error is not None:
                raise rd_error or ox_error
    return info
