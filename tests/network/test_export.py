"""Exports read back into networkx with the same nodes, edges and attributes."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from cli import cli
from graph.network.export import decode_attributes, export_network, read_export
from graph.network.projection import project
from graph.store.load import load_graph


@pytest.fixture(scope="module")
def fx_net(fixtures):
    return project(load_graph([fixtures / "network.ttl"], default_data=False).graph)


@pytest.fixture(scope="module")
def real_net(kg):
    return project(kg.graph)


def content(g: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Nodes and edges with their attributes; absent values (None) do not count."""
    nodes = {n: {k: v for k, v in d.items() if v is not None} for n, d in g.nodes(data=True)}
    edges = {(u, v, k): {a: x for a, x in d.items() if x is not None}
             for u, v, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("which", ["fx_net", "real_net"])
def test_round_trip(fmt: str, which: str, request: pytest.FixtureRequest) -> None:
    net = request.getfixturevalue(which)
    text = export_network(net, fmt)
    back = read_export(text, fmt)
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.number_of_edges() == net.number_of_edges()
    assert content(decode_attributes(back)) == content(net)
    assert export_network(net, fmt) == text  # deterministic


def test_plain_networkx_readers(fx_net) -> None:
    """The files load with networkx's own readers and the documented options only."""
    doc = json.loads(export_network(fx_net, "json"))
    g = nx.node_link_graph(doc, edges="edges")
    assert g.is_multigraph() and g.is_directed()
    assert g.edges["https://example.org/clusterkg-fixture/alpha-fund",
                   "https://example.org/clusterkg-fixture/alpha", "ckg:partOf"]["provenance"][0][
        "locator"] == "Funding chapter"
    gm = nx.read_graphml(io.BytesIO(export_network(fx_net, "graphml").encode()), force_multigraph=True)
    assert json.loads(gm.nodes["https://example.org/clusterkg-fixture/alpha"]["classes"]) == [
        "ckg:Entity", "ckg:Programme"]
    gx = nx.read_gexf(io.BytesIO(export_network(fx_net, "gexf").encode()))
    assert sorted(d["edge_key"] for _, _, d in gx.edges(data=True)) == sorted(k for _, _, k in fx_net.edges(keys=True))
    assert "lastmodifieddate" not in export_network(fx_net, "gexf")


def test_csv_tables(fx_net) -> None:
    edges = list(csv.DictReader(io.StringIO(export_network(fx_net, "csv"))))
    nodes = list(csv.DictReader(io.StringIO(export_network(fx_net, "csv", table="nodes"))))
    assert len(edges) == fx_net.number_of_edges() and len(nodes) == fx_net.number_of_nodes()
    assert {(r["source"], r["target"], r["key"]) for r in edges} == set(fx_net.edges(keys=True))
    assert {r["id"] for r in nodes} == set(fx_net.nodes)
    row = next(r for r in nodes if r["label"] == "Alpha Programme")
    assert row["acronym"] == "ALPHA" and json.loads(row["classes"]) == ["ckg:Entity", "ckg:Programme"]
    syn = next(r for r in edges if r["kind"] == "synergy" and r["synergy_type"] == "funding")
    assert float(syn["strength"]) == pytest.approx(0.9)
    back = read_export(export_network(fx_net, "csv"), "csv")
    assert set(back.edges(keys=True)) == set(fx_net.edges(keys=True))


@pytest.mark.parametrize("ext,fmt", [("graphml", "graphml"), ("gexf", "gexf"), ("json", "json")])
def test_cli_export_out(runner, fixtures, tmp_path, fx_net, ext: str, fmt: str) -> None:
    out = tmp_path / f"network.{ext}"
    res = runner.invoke(cli, ["--no-default-data", "--data", str(fixtures / "network.ttl"), "--no-cache",
                              "export", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file left
    back = decode_attributes(read_export(out.read_text(encoding="utf-8"), fmt))
    assert content(back) == content(fx_net)


def test_cli_export_filters(runner, fixtures) -> None:
    res = runner.invoke(cli, ["--no-default-data", "--data", str(fixtures / "network.ttl"), "--no-cache",
                              "export", "--format", "json", "--include-linkage", "synergy"])
    assert res.exit_code == 0, res.output
    g = nx.node_link_graph(json.loads(res.output), edges="edges")
    assert g.number_of_edges() == 2 and {d["kind"] for _, _, d in g.edges(data=True)} == {"synergy"}
