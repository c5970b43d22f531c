"""Fixtures of the actor tests: imports of real rows, once per session, and the datasets that hold them.

The imports run through the session's ``import_chain`` (tests/conftest.py), so their first steps are
the import tests' own (run once for both).

Two chains: the region profiles read every participation of the projects with a Maltese or Icelandic
partner plus the ERDF list (``region_chain``); partner search reads the excerpts the import tests use,
the H2020 projects with names and a marked cluster-organisation fixture (``actor_files``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
IMPORTS = HERE.parent / "imports" / "fixtures"
REAL = IMPORTS / "real"
#: Invented organisations whose labels hold markup and terminal escapes (a marked fixture), kept apart
#: from the real ones: nothing links them.
XSS = FIXTURES / "partners-xss.ttl"

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


def real(name: str) -> Path:
    for folder in (FIXTURES, REAL):
        if (folder / name).is_file():
            return folder / name
    raise AssertionError(f"missing real-data fixture {name}")


@pytest.fixture(scope="session")
def region_chain(import_chain: Any) -> list[Path]:
    """The N-Triples files of the imports, in order: NUTS, Horizon Europe, H2020 (region excerpt), ERDF."""
    outs, _ = import_chain([
        ("nuts", "nuts-2021", [real("NUTS2021.xlsx")]),
        ("he", "cordis-horizon-europe", [real("mda_he_organization_df_100.csv"), real("mda_he_project_df_100.csv")]),
        ("h2020", "cordis-h2020-participations", [real("eunets_h2020.region.csv.gz"),
                                                  real("eunets_programme_parts.region.csv.gz")]),
        ("erdf", "erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")]),
    ])
    return list(outs.values())


@pytest.fixture(scope="session")
def region_ds(region_chain: list[Path], dataset_once: Any) -> Any:
    return dataset_once(region_chain)


@pytest.fixture(scope="session")
def data_args(region_chain: list[Path]) -> list[str]:
    return [a for p in region_chain for a in ("--data", str(p))]


@pytest.fixture(scope="session")
def actor_files(import_chain: Any) -> list[Path]:
    """The N-Triples files of the imports (real rows; the cluster-organisation rows are a marked fixture)."""
    outs, _ = import_chain(STEPS)
    return list(outs.values())


@pytest.fixture(scope="session")
def actor_data(actor_files: list[Path]) -> list[Path]:
    """The files of the dataset the actor tests read: the imports and the markup fixture."""
    return [*actor_files, XSS]


@pytest.fixture(scope="session")
def actors(actor_data: list[Path], dataset_once: Any) -> Any:
    """The dataset of the curated data, the imports and the markup fixture (built once into the session's cache)."""
    return dataset_once(actor_data)
