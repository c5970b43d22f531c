"""Fixtures of the actor tests: imports of real rows, once per session, and the datasets that hold them.

Two chains: the region profiles read every participation of the projects with a Maltese or Icelandic
partner plus the ERDF list (``region_chain``); partner search reads the excerpts the import tests use,
the H2020 projects with names and a marked cluster-organisation fixture (``actor_files``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.imports import import_tables

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
IMPORTS = HERE.parent / "imports" / "fixtures"
REAL = IMPORTS / "real"
RUN_DATE = "2026-01-01"
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


def _chain(share: Any, name: str, steps: list[tuple[str, str, list[Path]]]) -> list[Path]:
    """Run the imports in order, each reading the outputs before it; their N-Triples files.

    The chain runs once per test session: the first xdist worker to get here runs it (holding a
    lock), the others read its files."""
    folder = share.folder(f"actor-imports-{name}")
    outs = [folder / f"{step}.nt" for step, _, _ in steps]
    with share.lock(f"actor-imports-{name}"):
        if not all(p.is_file() for p in outs):
            done: list[Path] = []
            for (_, mapping, inputs), out in zip(steps, outs, strict=True):
                for f in inputs:
                    assert f.is_file(), f"missing real-data fixture {f}"
                import_tables(mapping, inputs, out=out, data=list(done), run_date=RUN_DATE, progress=False)
                done.append(out)
    return outs


@pytest.fixture(scope="session")
def region_chain(session_share: Any) -> Iterator[list[Path]]:
    """The N-Triples files of the imports, in order: NUTS, Horizon Europe, H2020 (region excerpt), ERDF."""
    yield _chain(session_share, "region", [
        ("nuts", "nuts-2021", [real("NUTS2021.xlsx")]),
        ("he", "cordis-horizon-europe", [real("mda_he_organization_df_100.csv"), real("mda_he_project_df_100.csv")]),
        ("h2020", "cordis-h2020-participations", [real("eunets_h2020.region.csv.gz"),
                                                  real("eunets_programme_parts.region.csv.gz")]),
        ("erdf", "erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")]),
    ])


@pytest.fixture(scope="session")
def region_ds(region_chain: list[Path]):
    import graph

    return graph.open_dataset(region_chain)


@pytest.fixture(scope="session")
def data_args(region_chain: list[Path]) -> list[str]:
    return [a for p in region_chain for a in ("--data", str(p))]


@pytest.fixture(scope="session")
def actor_files(session_share: Any) -> list[Path]:
    """The N-Triples files of the imports (real rows; the cluster-organisation rows are a marked fixture)."""
    return _chain(session_share, "partners", STEPS)


@pytest.fixture(scope="session")
def actor_data(actor_files: list[Path]) -> list[Path]:
    """The files of the dataset the actor tests read: the imports and the markup fixture."""
    return [*actor_files, XSS]


@pytest.fixture(scope="session")
def actors(actor_data: list[Path]) -> Any:
    """The dataset of the curated data, the imports and the markup fixture (built once into the session's cache)."""
    import graph

    return graph.open_dataset(actor_data)
