"""One node per real organisation: PIC, then VAT, then name + country (+ town); near misses reported."""

from __future__ import annotations

import polars as pl

from graph.imports.context import ContextOrganisation
from graph.imports.resolve import resolve
from graph.imports.spec import Mention, ResolverSpec

ORG = "https://w3id.org/clusterkg/id/org-"


def _run(rows: list[dict[str, object]],
         context: list[ContextOrganisation] | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    frame = pl.DataFrame(rows, schema={k: pl.Utf8 for k in ("pic", "vat", "name", "cc", "town")}).with_columns(
        pl.Series("__row", range(2, 2 + len(rows)), dtype=pl.Int64))
    spec = ResolverSpec("organisation", ORG, [Mention("t", "org", pic="pic", vat="vat", name="name", country="cc",
                                                      town="town")])
    res = resolve(spec, {"t": frame}, list(context or []))
    return res.frames["t"]["org"].to_list(), [(m.rule, m.merged_ids) for m in res.report]


def row(pic: str | None = None, vat: str | None = None, name: str | None = None, cc: str | None = None,
        town: str | None = None) -> dict[str, object]:
    return {"pic": pic, "vat": vat, "name": name, "cc": cc, "town": town}


def test_pic_first_and_never_two_pics() -> None:
    ids, _ = _run([row("999999999", name="A GmbH", cc="DEU"), row("888888888", name="A GmbH", cc="DEU"),
                        row("999999999", name="A G.m.b.H.", cc="DEU")])
    assert ids == [ORG + "pic-999999999", ORG + "pic-888888888", ORG + "pic-999999999"]


def test_vat_joins_the_pic_that_has_it() -> None:
    ids, report = _run([row("999999999", "DE 129 517 720", "A", "DEU"), row(None, "DE129517720", "A AG", "DEU")])
    assert ids[0] == ids[1] == ORG + "pic-999999999"
    assert ("vat", "pic:999999999 vat:DE129517720") in report


def test_name_country_town() -> None:
    ids, _ = _run([row(name="Photonics BW e.V.", cc="DEU", town="Oberkochen"),
                        row(name="PHOTONICS BW EV", cc="DEU"),
                        row(name="Photonics BW e.V.", cc="AUT"),
                        row(name="Stadtwerke", cc="DEU", town="Ulm"), row(name="Stadtwerke", cc="DEU", town="Bonn")])
    assert ids[0] == ids[1] != ids[2]
    assert ids[3] != ids[4]  # same name, same country, different towns: two organisations


def test_name_without_country_joins_the_only_match() -> None:
    ids, _ = _run([row(name="CLUSTER DE ENERGIA", cc="ESP"), row(name="Cluster de Energía")])
    assert ids[0] == ids[1]


def test_near_misses_are_reported_not_merged() -> None:
    ids, report = _run([row(name="Wageningen Universiteit", cc="NLD"), row(name="Universiteit Wageningen", cc="NLD"),
                        row(name="Bimerg Sp. z o.o.", cc="POL"), row(name="Biom Sp. z o.o.", cc="POL")])
    assert len(set(ids)) == 4
    near = [r for r in report if r[0] == "near miss (not merged)"]
    assert len(near) == 1 and "wageningen" in near[0][1]  # legal forms do not make names look alike


def test_graph_organisations_are_reused_and_curated_ones_linked() -> None:
    ctx = [ContextOrganisation(ORG + "pic-999999999", False, ("999999999",), (), ("a gmbh",), ("DEU",)),
           ContextOrganisation("https://w3id.org/clusterkg/id/vdi-vde-it", True, (), (),
                               ("vdi vde innovation technik",), ())]
    ids, report = _run([row(name="A GmbH", cc="DEU"), row(name="VDI/VDE Innovation + Technik", cc="DEU")], ctx)
    assert ids[0] == ORG + "pic-999999999"
    assert ids[1].startswith(ORG) and ids[1] != "https://w3id.org/clusterkg/id/vdi-vde-it"
    assert ("same name as a curated organisation: skos:exactMatch",
            "https://w3id.org/clusterkg/id/vdi-vde-it") in report
