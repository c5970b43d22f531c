"""Deterministic serialisation: the same graph always gives the same bytes.

Blank nodes (which only extra user files may bring) are relabelled canonically first; Turtle
comes from rdflib's sorted serialiser with the project's prefixes, N-Triples as sorted lines.

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("http://ex/b"), URIRef("http://ex/p"), Literal("x")))
>>> _ = g.add((URIRef("http://ex/a"), URIRef("http://ex/p"), Literal("y")))
>>> print(to_ntriples(g), end="")
<http://ex/a> <http://ex/p> "y" .
<http://ex/b> <http://ex/p> "x" .
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from ..errors import OutputError
from ..namespaces import bind_prefixes

__all__ = ["canonical", "make_parents", "store_serializations", "to_ntriples", "to_turtle", "write_atomic"]


def canonical(graph: Graph) -> Graph:
    """A copy of ``graph`` in memory with canonical blank-node labels and project prefixes."""
    source = to_canonical_graph(graph) if any(
        isinstance(t, BNode) for triple in graph for t in triple) else graph
    out = Graph()
    for t in source:
        out.add(t)
    return bind_prefixes(out)


def to_turtle(graph: Graph) -> str:
    """Turtle, deterministic for a given set of triples."""
    return canonical(graph).serialize(format="turtle")


def to_ntriples(graph: Graph) -> str:
    """N-Triples with lines sorted."""
    text = canonical(graph).serialize(format="nt")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return "\n".join(lines) + ("\n" if lines else "")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def make_parents(path: str | Path) -> list[Path]:
    """Create the missing folders above ``path``; return them, outermost first.

    Raises
    ------
    OutputError
        A folder cannot be created (a file is in the way, no permission, read-only...).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> [str(p.relative_to(root)) for p in make_parents(root / "a" / "b" / "out.csv")]
    ['a', 'a/b']
    >>> make_parents(root / "a" / "b" / "other.csv")
    []
    """
    parent = Path(path).parent
    missing = []
    for folder in [parent, *parent.parents]:
        if folder.is_dir():
            break
        missing.append(folder)
    missing.reverse()
    for folder in missing:
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise OutputError(str(path), f"cannot create the folder {folder}: a file is in the way") from None
        except OSError as exc:
            raise OutputError(str(path), f"cannot create the folder {folder}: {_reason(exc)}") from None
    return missing


def write_atomic(path: str | Path, text: str) -> list[Path]:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    Missing folders above ``path`` are created; they are returned (outermost first) so that a
    caller can say so. The file gets the permissions a plain ``open(path, "w")`` would give it
    (0666 less the umask), not the private 0600 of a temporary file.

    Raises
    ------
    OutputError
        The file or a folder above it cannot be written (exit code 2: not a bug).
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(str(path), "is a folder; give a file name")
    created = make_parents(p)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    except OSError as exc:
        raise OutputError(str(path), f"cannot write in {p.parent}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(str(path), f"cannot write: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return created


#: An N-Triples line whose object is a blank node (a literal always ends with a quote, a language
#: tag or a datatype IRI, so ``_:label .`` at the end of a line is a blank node).
_BNODE_OBJECT = re.compile(rb" _:\S+ \.$")


def store_serializations(store: object) -> tuple[str, str]:
    """``(turtle, ntriples)`` of an Oxigraph store's default graph, deterministic.

    Without blank nodes this stays in Oxigraph (sorted N-Triples lines; Turtle written by
    Oxigraph's serializer from the triples in that order, with the project's prefixes), so it
    scales to millions of triples. With blank nodes the rdflib path relabels them canonically.

    >>> import pyoxigraph as ox
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://ex/b"), ox.NamedNode("http://ex/p"), ox.Literal("x")))
    >>> s.add(ox.Quad(ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/p"), ox.Literal("y")))
    >>> print(store_serializations(s)[1], end="")
    <http://ex/a> <http://ex/p> "y" .
    <http://ex/b> <http://ex/p> "x" .
    """
    import pyoxigraph as ox

    from ..namespaces import PREFIXES
    from ..terms import from_ox

    assert isinstance(store, ox.Store)
    # Oxigraph writes the N-Triples lines itself (no Python object per triple); UTF-8 bytes sort in
    # code point order, so the lines come out as the sorted text lines they always were
    dumped = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dumped is not None
    lines = dumped.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    if any(line.startswith(b"_:") or _BNODE_OBJECT.search(line) for line in lines):
        g = Graph()
        g.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), g)
               for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        return to_turtle(g), to_ntriples(g)
    lines.sort()
    data = b"\n".join(lines) + (b"\n" if lines else b"")
    del lines
    ordered = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    used = {p: ns for p, ns in PREFIXES.items() if ns.encode() in data}
    ttl = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=dict(sorted(used.items())))
    assert ttl is not None
    return ttl.decode("utf-8"), data.decode("utf-8")
