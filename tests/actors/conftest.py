"""Fixtures of the region-profile tests: one chain of imports of real rows, and its dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.imports import import_tables

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REAL = HERE.parent / "imports" / "fixtures" / "real"
RUN_DATE = "2026-01-01"


def real(name: str) -> Path:
    for folder in (FIXTURES, REAL):
        if (folder / name).is_file():
            return folder / name
    raise AssertionError(f"missing real-data fixture {name}")


@pytest.fixture(scope="session")
def region_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Path]]:
    """The N-Triples files of the imports, in order: NUTS, Horizon Europe, H2020 (region excerpt), ERDF."""
    folder = tmp_path_factory.mktemp("region-imports")
    outs: list[Path] = []

    def run(name: str, mapping: str, inputs: list[Path]) -> None:
        out = folder / f"{name}.nt"
        import_tables(mapping, inputs, out=out, data=list(outs), run_date=RUN_DATE, progress=False)
        outs.append(out)

    run("nuts", "nuts-2021", [real("NUTS2021.xlsx")])
    run("he", "cordis-horizon-europe", [real("mda_he_organization_df_100.csv"), real("mda_he_project_df_100.csv")])
    run("h2020", "cordis-h2020-participations", [real("eunets_h2020.region.csv.gz"),
                                                 real("eunets_programme_parts.region.csv.gz")])
    run("erdf", "erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")])
    yield outs


@pytest.fixture(scope="session")
def region_ds(region_chain: list[Path]):
    import graph

    return graph.open_dataset(region_chain)


@pytest.fixture(scope="session")
def data_args(region_chain: list[Path]) -> list[str]:
    return [a for p in region_chain for a in ("--data", str(p))]
