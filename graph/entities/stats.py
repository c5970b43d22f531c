"""Counts that summarise the graph: by class, by synergy type, by period, sources.

Examples
--------
>>> from graph.store.load import load_graph
>>> s = graph_stats(load_graph().graph)
>>> s["by_class"]["country"] >= 27
True
>>> s["sources"]["documents"] > 0
True
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import PROV

from ..namespaces import CKG
from .lookup import entity_classes, label_of

__all__ = ["format_stats", "graph_stats"]


def _counter_dict(c: Counter[str]) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def graph_stats(graph: Graph) -> dict[str, Any]:
    """Count entities by their most specific class, synergies by type, items by period.

    Returns
    -------
    dict
        ``triples``, ``entities``, ``synergies``, ``figures``, ``by_class``, ``by_synergy_type``,
        ``by_period``, ``by_status`` and ``sources`` (documents, passages, passages cited, items
        citing nothing); counts are sorted, largest first.
    """
    classes = entity_classes(graph)
    by_class: Counter[str] = Counter()
    entities: set[URIRef] = set()
    for cls in classes:
        for s in graph.subjects(RDF.type, cls):
            if isinstance(s, URIRef):
                entities.add(s)
    # the most specific asserted class is the one with the most superclasses
    depth: dict = {c: len(set(graph.transitive_objects(c, RDFS.subClassOf))) for c in classes}
    for e in entities:
        own = [t for t in graph.objects(e, RDF.type) if t in classes]
        specific = max(own, key=lambda t: (depth.get(t, 0), str(t)))
        by_class[label_of(graph, specific)] += 1
    synergies = set(graph.subjects(RDF.type, CKG.Synergy))
    by_type: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for syn in synergies:
        for t in graph.objects(syn, CKG.synergyType):
            by_type[label_of(graph, t)] += 1
        for st in graph.objects(syn, CKG.status):
            by_status[label_of(graph, st)] += 1
    by_period: Counter[str] = Counter()
    for _s, period in graph.subject_objects(CKG.inPeriod):
        by_period[label_of(graph, period)] += 1
    figures = {f for cls in (CKG.Figure, CKG.Count, CKG.MonetaryAmount) for f in graph.subjects(RDF.type, cls)}
    items = entities | synergies | figures
    cited = {p for i in items for p in graph.objects(i, PROV.wasDerivedFrom)}
    return {
        "triples": len(graph),
        "entities": len(entities),
        "synergies": len(synergies),
        "figures": len(figures),
        "by_class": _counter_dict(by_class),
        "by_synergy_type": _counter_dict(by_type),
        "by_status": _counter_dict(by_status),
        "by_period": _counter_dict(by_period),
        "sources": {
            "documents": len(set(graph.subjects(RDF.type, CKG.SourceDocument))),
            "passages": len(set(graph.subjects(RDF.type, CKG.SourcePassage))),
            "passages_cited": len(cited),
            "items_without_source": sum(1 for i in items if (i, PROV.wasDerivedFrom, None) not in graph),
        },
    }


def format_stats(s: dict[str, Any]) -> str:
    """Render :func:`graph_stats` as aligned tables."""
    lines = [
        f"triples    {s['triples']:>7}",
        f"entities   {s['entities']:>7}",
        f"synergies  {s['synergies']:>7}",
        f"figures    {s['figures']:>7}",
    ]

    def table(title: str, counts: dict[str, int]) -> None:
        lines.append("")
        lines.append(title)
        if not counts:
            lines.append("  (none)")
            return
        width = max(len(k) for k in counts)
        lines.extend(f"  {k:<{width}}  {v:>6}" for k, v in counts.items())

    table("entities by class", s["by_class"])
    table("synergies by type", s["by_synergy_type"])
    table("synergies by status", s["by_status"])
    table("items by programming period", s["by_period"])
    table("sources", s["sources"])
    return "\n".join(lines) + "\n"
