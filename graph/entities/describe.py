"""Everything the graph says about one entity: what ``clusterkg show`` prints.

Examples
--------
>>> from graph.store.load import load_graph
>>> g = load_graph().graph
>>> d = describe(g, "Germany")
>>> d["label"], d["types"]
('Germany', ['country'])
>>> [link["target_label"] for link in d["outgoing"] if link["predicate"] == "ckg:partOf"]
['European Union']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import PROV

from ..namespaces import CKG, curie
from ..textsafe import escape_controls
from .lookup import EntityIndex, label_of

__all__ = ["describe", "format_description", "format_sources", "provenance_of"]

_SYNERGY_ATTRS = {
    "type": CKG.synergyType,
    "status": CKG.status,
    "period": CKG.inPeriod,
    "direction": CKG.direction,
}
_SKIP_OUT = {RDF.type, RDFS.label, SKOS.definition, PROV.wasDerivedFrom, CKG.hasFigure}


def provenance_of(graph: Graph, node: object) -> list[dict[str, str]]:
    """The passages ``node`` is derived from: passage, document, locator, sorted.

    Each item is ``{"passage", "document", "document_label", "locator"}``.
    """
    out = []
    for passage in graph.objects(node, PROV.wasDerivedFrom):  # type: ignore[arg-type]
        doc = graph.value(passage, CKG.inDocument)
        out.append(
            {
                "passage": curie(str(passage)),
                "document": curie(str(doc)) if doc is not None else "",
                "document_label": label_of(graph, doc) if doc is not None else "",
                "locator": str(graph.value(passage, CKG.locator) or ""),
            }
        )
    return sorted(out, key=lambda p: (p["document"], p["locator"], p["passage"]))


def _value(graph: Graph, node: Any) -> str:
    if isinstance(node, Literal):
        return str(node)
    return curie(str(node))


def _value_label(graph: Graph, node: Any) -> str:
    """What people read for a value: a resource's label when it has one (``European``, not
    ``ckg:EuropeanScope``), else as :func:`_value`."""
    if not isinstance(node, Literal) and (node, RDFS.label, None) in graph:
        return label_of(graph, node)
    return _value(graph, node)


def _most_specific(graph: Graph, terms: set, parent: URIRef) -> set:
    """Drop every term that is a (transitive) super-term of another term in ``terms``."""
    supers: set = set()
    for t in terms:
        supers.update(u for u in graph.transitive_objects(t, parent) if u != t)
    return {t for t in terms if t not in supers}


def _types(graph: Graph, node: URIRef) -> list[str]:
    ckg_types = {t for t in graph.objects(node, RDF.type) if str(t).startswith(str(CKG))}
    if ckg_types:
        return sorted(label_of(graph, t) for t in _most_specific(graph, ckg_types, RDFS.subClassOf))
    return sorted(curie(str(t)) for t in graph.objects(node, RDF.type))


def _drop_super_links(graph: Graph, links: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Keep, for each pair, only the most specific properties (inference adds ckg:linkedTo etc.)."""
    by_other: dict[Any, set] = {}
    for p, o in links:
        by_other.setdefault(o, set()).add(p)
    keep = {o: _most_specific(graph, ps, RDFS.subPropertyOf) for o, ps in by_other.items()}
    return [(p, o) for p, o in links if p in keep[o]]


def _synergy(graph: Graph, syn: URIRef, entity: URIRef) -> dict[str, Any]:
    src = graph.value(syn, CKG.synergySource)
    tgt = graph.value(syn, CKG.synergyTarget)
    outgoing = src == entity
    other = tgt if outgoing else src
    item: dict[str, Any] = {
        "synergy": curie(str(syn)),
        "label": label_of(graph, syn),
        "role": "source" if outgoing else "target",
        "other": curie(str(other)),
        "other_label": label_of(graph, other) if other is not None else "",
    }
    for key, prop in _SYNERGY_ATTRS.items():
        vals = sorted(label_of(graph, v) for v in graph.objects(syn, prop))
        item[key] = ", ".join(vals)
    strength = graph.value(syn, CKG.strength)
    item["strength"] = float(str(strength)) if strength is not None else None
    item["provenance"] = provenance_of(graph, syn)
    return item


def _figure(graph: Graph, fig: URIRef) -> dict[str, Any]:
    currency = graph.value(fig, CKG.currency)
    return {
        "figure": curie(str(fig)),
        "label": label_of(graph, fig),
        "value": str(graph.value(fig, CKG.value) or ""),
        "currency": curie(str(currency)) if currency is not None else "",
        "verification": label_of(graph, graph.value(fig, CKG.verification))
        if graph.value(fig, CKG.verification) is not None
        else "",
        "provenance": provenance_of(graph, fig),
    }


def describe(graph: Graph, name: str, index: EntityIndex | None = None) -> dict[str, Any]:
    """Describe the entity ``name`` (label, CURIE or IRI) as plain data.

    Parameters
    ----------
    graph : rdflib.Graph
    name : str
        Resolved with :class:`~graph.entities.lookup.EntityIndex`.
    index : EntityIndex, optional
        Reuse an index built earlier.

    Returns
    -------
    dict
        ``iri``, ``curie``, ``label``, ``labels``, ``types``, ``definition``, ``attributes``
        (``property``, ``property_label``, ``value``: text or CURIE, ``value_label``: the
        value's label when it has one), ``figures``, ``provenance``, ``outgoing``, ``incoming``
        (plain linkages) and ``synergies``; lists are sorted.
    """
    idx = index or EntityIndex(graph)
    node = idx.resolve(name)
    labels = sorted(
        {(str(lab), getattr(lab, "language", None) or "") for p in (RDFS.label, SKOS.altLabel)
         for lab in graph.objects(node, p)}
    )
    definition = next(
        (str(d) for d in graph.objects(node, SKOS.definition) if getattr(d, "language", None) == "en"), ""
    )
    attributes, outgoing, incoming = [], [], []
    out_links = []
    for p, o in graph.predicate_objects(node):
        if p in _SKIP_OUT or p == SKOS.altLabel:
            continue
        if o in idx.entities:
            out_links.append((p, o))
        else:
            attributes.append({"property": curie(str(p)), "property_label": label_of(graph, p),
                               "value": _value(graph, o), "value_label": _value_label(graph, o)})
    for p, o in _drop_super_links(graph, out_links):
        outgoing.append({"predicate": curie(str(p)), "predicate_label": label_of(graph, p),
                         "target": curie(str(o)), "target_label": label_of(graph, o)})
    synergies = []
    in_links = []
    for s, p in graph.subject_predicates(node):
        if p in (CKG.synergySource, CKG.synergyTarget):
            synergies.append(_synergy(graph, s, node))  # type: ignore[arg-type]
        elif p not in (RDF.type, PROV.wasDerivedFrom) and s in idx.entities:
            in_links.append((p, s))
    for p, s in _drop_super_links(graph, in_links):
        incoming.append({"predicate": curie(str(p)), "predicate_label": label_of(graph, p),
                         "source": curie(str(s)), "source_label": label_of(graph, s)})
    figures = [_figure(graph, f) for f in graph.objects(node, CKG.hasFigure)]  # type: ignore[arg-type]
    return {
        "iri": str(node),
        "curie": curie(str(node)),
        "label": idx.label(node),
        "labels": [{"value": v, "lang": lang} for v, lang in labels],
        "types": _types(graph, node),
        "definition": definition,
        "attributes": sorted(attributes, key=lambda a: (a["property"], a["value"])),
        "figures": sorted(figures, key=lambda f: f["figure"]),
        "provenance": provenance_of(graph, node),
        "outgoing": sorted(outgoing, key=lambda a: (a["predicate"], a["target_label"], a["target"])),
        "incoming": sorted(incoming, key=lambda a: (a["predicate"], a["source_label"], a["source"])),
        "synergies": sorted(synergies, key=lambda s: (s["role"], s["type"], s["other_label"], s["synergy"])),
    }


def format_sources(provenance: Iterable[Mapping[str, str]]) -> str:
    """The provenance list in words, as ``clusterkg show`` prints it (without brackets).

    >>> format_sources([{"passage": "src:seed-x", "document": "src:seed", "document_label": "S",
    ...                  "locator": "EU cluster initiatives"}])
    'seed: "EU cluster initiatives"'
    >>> format_sources([])
    ''
    """
    parts = []
    for p in provenance:
        doc = "seed" if p["document"] == "src:seed" else (p["document_label"] or p["document"])
        parts.append(f'{doc}: "{p["locator"]}"' if p["locator"] else doc)
    return "; ".join(parts)


def _prov_text(prov: list[dict[str, str]]) -> str:
    return f"[{format_sources(prov)}]" if prov else "[no source]"


def format_description(d: dict[str, Any]) -> str:
    """Render :func:`describe`'s result as readable text (control characters escaped)."""
    lines = [f"{d['label']}  <{d['iri']}>", f"  type: {', '.join(d['types'])}"]
    others = [f"{lab['value']}" + (f" @{lab['lang']}" if lab["lang"] else "")
              for lab in d["labels"] if lab["value"] != d["label"]]
    if others:
        lines.append(f"  also: {'; '.join(others)}")
    if d["definition"]:
        lines.append(f"  definition: {d['definition']}")
    for a in d["attributes"]:
        lines.append(f"  {a['property_label']}: {a.get('value_label', a['value'])}")
    lines.append(f"  source: {_prov_text(d['provenance'])}")
    if d["figures"]:
        lines.append("figures:")
        for f in d["figures"]:
            flag = f"  ({f['verification'].upper()})" if f["verification"] == "unverified" else ""
            lines.append(f"  {f['label']}{flag}  {_prov_text(f['provenance'])}")
    if d["synergies"]:
        lines.append("synergies:")
        for s in d["synergies"]:
            arrow = "→" if s["role"] == "source" else "←"
            extra = ", ".join(x for x in (s["status"], s["period"]) if x)
            extra = f" ({extra})" if extra else ""
            lines.append(f"  {arrow} {s['type'] or 'linked'}{extra} {s['other_label']}  {_prov_text(s['provenance'])}")
    if d["outgoing"]:
        lines.append("linkages out:")
        lines.extend(f"  —{a['predicate_label']}→ {a['target_label']}" for a in d["outgoing"])
    if d["incoming"]:
        lines.append("linkages in:")
        lines.extend(f"  ←{a['predicate_label']}— {a['source_label']}" for a in d["incoming"])
    return escape_controls("\n".join(lines) + "\n")
