"""SHACL validation with pySHACL, reported as typed results.

The shapes are split by severity (as DCAT-AP does): ``ontology/shapes.ttl`` holds violations,
``ontology/shapes-recommended.ttl`` warnings. A report conforms when it has no violation.

Examples
--------
>>> from graph.store.load import load_graph
>>> report = validate_graph(load_graph())
>>> report.conforms
True
>>> report.count("Violation")
0
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from ..namespaces import SH, curie
from ..resources import shape_files
from ..textsafe import escape_controls, json_safe
from .load import LoadedGraph

__all__ = ["ValidationReport", "ValidationResult", "load_shapes", "validate_graph"]

_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result.

    Attributes
    ----------
    severity : str
        ``"Violation"``, ``"Warning"`` or ``"Info"``.
    source_file : str
        The file that states the focus node ("" if unknown).
    focus : str
        The focus node, as a CURIE or IRI.
    focus_label : str
        Its English label, if it has one.
    path : str
        The property path the result is about, as a CURIE ("" for node-level results).
    message : str
        What is wrong.
    value : str
        The offending value, if any.
    """

    severity: str
    source_file: str
    focus: str
    focus_label: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        """One readable line: ``file: severity: focus (label) path: message`` (control characters
        escaped)."""
        where = f"{self.source_file}: " if self.source_file else ""
        label = f" ({self.focus_label})" if self.focus_label else ""
        path = f" {self.path}" if self.path else ""
        value = f" [value: {self.value}]" if self.value else ""
        return escape_controls(f"{where}{self.severity}: {self.focus}{label}{path}: {self.message}{value}")


@dataclass
class ValidationReport:
    """All results of one validation run, sorted (violations first, then by file and focus)."""

    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings allowed)."""
        return self.count("Violation") == 0

    def count(self, severity: str) -> int:
        """Number of results of ``severity``."""
        return sum(1 for r in self.results if r.severity == severity)

    def text(self) -> str:
        """A readable report: a summary line, then one line per result (control characters escaped)."""
        head = (
            f"{'CONFORMS' if self.conforms else 'DOES NOT CONFORM'}: "
            f"{self.count('Violation')} violation(s), {self.count('Warning')} warning(s)"
        )
        return "\n".join([head, *(r.line() for r in self.results)]) + "\n"

    def to_json(self) -> str:
        """The report as JSON: ``{"conforms", "violations", "warnings", "results": [...]}``."""
        doc = {
            "conforms": self.conforms,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "results": [asdict(r) for r in self.results],
        }
        return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def load_shapes(severities: tuple[str, ...] = ("violation", "warning")) -> Graph:
    """The shapes graph for the given severities (``"violation"``, ``"warning"``)."""
    g = Graph()
    files = shape_files()
    for sev in severities:
        g.parse(Path(files[sev]), format="turtle")
    return g


def _label(graph: Graph, node: Node) -> str:
    best = ""
    for lab in graph.objects(node, RDFS.label):
        lang = getattr(lab, "language", None)
        if lang == "en":
            return str(lab)
        best = best or str(lab)
    return best


def _path_text(report: Graph, path: Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return curie(str(path))
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{curie(str(inverse))}"
    return "(complex path)"


def validate_graph(loaded: LoadedGraph, *, warnings: bool = True) -> ValidationReport:
    """Validate ``loaded`` against the project's SHACL shapes.

    Parameters
    ----------
    loaded : LoadedGraph
        Ontology and data (the ontology's subclass axioms are used by ``sh:class``).
    warnings : bool
        Also check the recommended shapes (severity Warning).

    Returns
    -------
    ValidationReport
    """
    from pyshacl import validate

    shapes = load_shapes(("violation", "warning") if warnings else ("violation",))
    _conforms, report_graph, _text = validate(
        loaded.graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report_graph, Graph)
    results = []
    for res in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(res, SH.focusNode)
        sev_node = report_graph.value(res, SH.resultSeverity)
        severity = _SEVERITY.get(sev_node, "Info") if isinstance(sev_node, URIRef) else "Info"
        message = report_graph.value(res, SH.resultMessage)
        value = report_graph.value(res, SH.value)
        results.append(
            ValidationResult(
                severity=severity,
                source_file=loaded.origin.get(focus, "") if focus is not None else "",
                focus=curie(str(focus)) if focus is not None else "",
                focus_label=_label(loaded.graph, focus) if focus is not None else "",
                path=_path_text(report_graph, report_graph.value(res, SH.resultPath)),
                message=str(message) if message is not None else "",
                value=curie(str(value)) if value is not None else "",
            )
        )
    results.sort(key=lambda r: (_ORDER[r.severity], r.source_file, r.focus, r.path, r.message, r.value))
    return ValidationReport(results)
