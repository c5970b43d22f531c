"""The one exception hierarchy of clusterkg.

Every error the library raises on purpose is a :class:`ClusterKGError`. The CLI maps the two
families to exit codes: :class:`InputError` (unusable input, exit 2) and
:class:`ValidationFailed` (the data breaks the shapes, exit 1).

Examples
--------
>>> from graph.errors import RDFSyntaxError, InputError
>>> err = RDFSyntaxError("broken.ttl", 3, 7, "expected '.'")
>>> str(err)
"broken.ttl:3:7: expected '.'"
>>> isinstance(err, InputError)
True
"""

from __future__ import annotations

from collections.abc import Sequence

from .textsafe import escape_controls

__all__ = [
    "AmbiguousEntity",
    "ClusterKGError",
    "EndpointError",
    "EntityLookupError",
    "EntityNotFound",
    "InputError",
    "LocatedInputError",
    "MappingError",
    "MissingInputError",
    "NameMatchWarning",
    "OutputError",
    "QuerySyntaxError",
    "QueryTimeout",
    "RDFSyntaxError",
    "RowsRejected",
    "TermNotFound",
    "UnsafeInputError",
    "UnsafeQueryError",
    "ValidationFailed",
]


class ClusterKGError(Exception):
    """Base class of every error clusterkg raises on purpose."""

    exit_code = 1


class InputError(ClusterKGError):
    """The input cannot be used (missing, unreadable, malformed or unsafe). Exit code 2."""

    exit_code = 2


class MissingInputError(InputError):
    """A file or folder the user named does not exist or cannot be read."""

    def __init__(self, path: str, reason: str = "no such file or directory") -> None:
        self.path = path
        self.reason = reason
        super().__init__(escape_controls(f"{path}: {reason}"))


class OutputError(InputError):
    """An output cannot be written where the user asked: a folder that does not exist and cannot be
    created, a file that cannot be written, or a folder that holds files clusterkg did not write.
    Exit code 2 (an environment or input problem, not a bug).

    >>> str(OutputError("out/map.html", "permission denied"))
    'out/map.html: permission denied'
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(escape_controls(f"{path}: {reason}"))


class LocatedInputError(InputError):
    """Unusable input at a place in a file. ``str()`` is ``FILE:LINE:COL: message`` (control
    characters escaped: the message is printed on a terminal)."""

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(escape_controls(f"{where}: {message}"))


class RDFSyntaxError(LocatedInputError):
    """An RDF file does not parse. ``str()`` is ``FILE:LINE:COL: message``."""


class UnsafeInputError(InputError):
    """Input refused for safety: XML entity declarations, remote JSON-LD contexts and the like."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(escape_controls(f"{path}: {message}"))


class EntityLookupError(InputError):
    """A name given by the user does not pick exactly one entity."""

    def __init__(self, message: str, name: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.name = name
        #: ``(label, iri)`` pairs of the closest entities, best first.
        self.candidates = list(candidates)
        super().__init__(message)

    def describe(self) -> str:
        """The message followed by one line per candidate (control characters escaped)."""
        lines = [str(self)]
        if self.candidates:
            lines.append("closest matches:")
            lines.extend(f"  {label}  <{iri}>" for label, iri in self.candidates)
        return escape_controls("\n".join(lines))


class EntityNotFound(EntityLookupError):
    """No entity has that label, CURIE or IRI."""

    def __init__(self, name: str, candidates: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"no entity named {name!r}", name, candidates)


class AmbiguousEntity(EntityLookupError):
    """Several entities match the name equally well."""

    def __init__(self, name: str, candidates: Sequence[tuple[str, str]], total: int | None = None) -> None:
        count = total if total is not None else len(candidates)
        super().__init__(
            f"{name!r} names {count} entities; use a longer name, a CURIE or an IRI",
            name,
            candidates,
        )


class TermNotFound(EntityLookupError):
    """A class, linkage type, period or status name given by the user matches nothing.

    >>> str(TermNotFound("class", "programs", [("programme", "ckg:Programme")]))
    "no class named 'programs'"
    """

    def __init__(self, kind: str, name: str, candidates: Sequence[tuple[str, str]] = ()) -> None:
        self.kind = kind
        super().__init__(f"no {kind} named {name!r}", name, candidates)


class ValidationFailed(ClusterKGError):
    """The data violates the SHACL shapes. Exit code 1. ``report`` holds the results."""

    exit_code = 1

    def __init__(self, report: object, message: str = "the data violates the shapes") -> None:
        self.report = report
        super().__init__(message)


class QuerySyntaxError(InputError):
    """A SPARQL query does not parse (or is not a query). ``str()`` is ``line L, column C: message``."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        self.message = message
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        super().__init__(escape_controls(f"{where}{message}"))


class UnsafeQueryError(InputError):
    """A query was refused for safety: SPARQL Update, ``SERVICE``, or ``FROM`` a file or web IRI."""


class QueryTimeout(ClusterKGError):
    """A query ran past its time limit and was stopped. Exit code 3."""

    exit_code = 3

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the query was stopped after {seconds:g} s (time limit; raise it with --timeout)")


class EndpointError(InputError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""


class NameMatchWarning(UserWarning):
    """A name picked an entity by a prefix or a near match, not by an exact name.

    Not an error: the command goes on with that entity, and the CLI prints the message
    ("taking 'Interreg' as 'Interregional Innovation Investments (I3)'") on standard error so
    that nobody is misled about which entity an answer is about. ``name`` is what was typed,
    ``iri`` and ``label`` the entity taken, ``kind`` ``"prefix"`` or ``"near"``.
    """

    def __init__(self, name: str, iri: str, label: str, kind: str) -> None:
        self.name = name
        self.iri = iri
        self.label = label
        self.kind = kind
        super().__init__(f"taking {name!r} as {label!r}")


class MappingError(LocatedInputError):
    """A mapping file (``clusterkg import``) is malformed. ``str()`` is ``FILE:LINE:COL: message``.

    >>> str(MappingError("m.yaml", 4, 3, "unknown key 'sorce'"))
    "m.yaml:4:3: unknown key 'sorce'"
    """


class RowsRejected(ClusterKGError):
    """``clusterkg import --strict`` found bad rows and wrote nothing. Exit code 1.

    ``rejects`` holds the rejected rows (file, row, column, reason, value).
    """

    exit_code = 1

    def __init__(self, rejects: Sequence[object], message: str) -> None:
        self.rejects = list(rejects)
        super().__init__(message)
