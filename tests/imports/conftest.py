"""Fixtures for the tests of ``clusterkg import``: one chain of imports of the real-file excerpts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.imports import ImportResult, import_tables
from graph.store.dataset import Dataset

from .helpers import FIXTURES, RUN_DATE, Chain, real


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    folder = tmp_path_factory.mktemp("imports")
    results: dict[str, ImportResult] = {}

    def run(name: str, mapping: str, inputs: list[Path]) -> None:
        # each step links into the earlier ones; a graph used once is built in memory (the CLI tests
        # build and reuse cache entries)
        graph = Dataset([folder / f"{n}.nt" for n in results], use_cache=False)
        results[name] = import_tables(mapping, inputs, out=folder / f"{name}.nt", dataset=graph, run_date=RUN_DATE,
                                      progress=False)

    run("nuts", "nuts-2021", [real("NUTS2021.xlsx")])
    run("he", "cordis-horizon-europe", [real("mda_he_organization_df_100.csv"), real("mda_he_project_df_100.csv")])
    # tables that name projects and organisations before the one that only has their identifiers
    run("projects", "cordis-h2020-projects", [real("cleantechtag_joint_results.excerpt.csv")])
    run("h2020", "cordis-h2020-participations", [real("eunets_h2020.excerpt.csv.gz"),
                                                 real("eunets_programme_parts.excerpt.csv.gz")])
    run("erdf", "erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")])
    run("kohesio", "kohesio-beneficiaries", [real("kohesio-data-export.excerpt.tsv")])
    run("clusters", "cluster-organisations", [FIXTURES / "cluster-organisations.fixture.csv"])
    yield Chain(folder, results)

