"""Fixtures of the actor tests: imports of real rows (the excerpts of ``tests/imports/fixtures/real``), once
per session, and the dataset that holds them with the curated data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

IMPORTS = Path(__file__).resolve().parents[1] / "imports" / "fixtures"
REAL = IMPORTS / "real"
#: Invented organisations whose labels hold markup and terminal escapes (a marked fixture), kept apart
#: from the real ones: nothing links them.
XSS = Path(__file__).resolve().parent / "fixtures" / "partners-xss.ttl"

#: (name, mapping, inputs) in the order the README gives: the tables that name organisations and
#: projects before the one that only has their identifiers.
STEPS = [
    ("nuts", "nuts-2021", [REAL / "NUTS2021.xlsx"]),
    ("he", "cordis-horizon-europe", [REAL / "mda_he_organization_df_100.csv", REAL / "mda_he_project_df_100.csv"]),
    ("projects", "cordis-h2020-projects", [REAL / "cleantechtag_joint_results.excerpt.csv"]),
    ("h2020", "cordis-h2020-participations", [REAL / "eunets_h2020.excerpt.csv.gz",
                                              REAL / "eunets_programme_parts.excerpt.csv.gz"]),
    ("clusters", "cluster-organisations", [IMPORTS / "cluster-organisations.fixture.csv"]),
]


@pytest.fixture(scope="session")
def actor_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The N-Triples files of the imports (real rows; the cluster-organisation rows are a marked fixture)."""
    from graph.imports import import_tables

    folder = tmp_path_factory.mktemp("actor-imports")
    done: list[Path] = []
    for name, mapping, inputs in STEPS:
        for f in inputs:
            assert f.is_file(), f"missing real-data fixture {f}"
        out = folder / f"{name}.nt"
        import_tables(mapping, inputs, out=out, data=list(done), run_date="2026-01-01", progress=False)
        done.append(out)
    return done


@pytest.fixture(scope="session")
def actor_data(actor_files: list[Path]) -> list[Path]:
    """The files of the dataset the actor tests read: the imports and the markup fixture."""
    return [*actor_files, XSS]


@pytest.fixture(scope="session")
def actors(actor_data: list[Path]) -> Any:
    """The dataset of the curated data, the imports and the markup fixture (built once into the session's cache)."""
    import graph

    return graph.open_dataset(actor_data)
