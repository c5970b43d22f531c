"""Fixtures for the tests of ``clusterkg import``: one chain of imports of the real-file excerpts."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import FIXTURES, Chain, real

#: The imports of the real-file excerpts, in the order the README gives: the tables that name projects
#: and organisations before the one that only has their identifiers.
STEPS = [
    ("nuts", "nuts-2021", [real("NUTS2021.xlsx")]),
    ("he", "cordis-horizon-europe", [real("mda_he_organization_df_100.csv"), real("mda_he_project_df_100.csv")]),
    ("projects", "cordis-h2020-projects", [real("cleantechtag_joint_results.excerpt.csv")]),
    ("h2020", "cordis-h2020-participations", [real("eunets_h2020.excerpt.csv.gz"),
                                              real("eunets_programme_parts.excerpt.csv.gz")]),
    ("erdf", "erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")]),
    ("kohesio", "kohesio-beneficiaries", [real("kohesio-data-export.excerpt.tsv")]),
    ("clusters", "cluster-organisations", [FIXTURES / "cluster-organisations.fixture.csv"]),
]


@pytest.fixture(scope="session")
def chain(import_chain: Any) -> Chain:
    """The imports of :data:`STEPS`, each linking into the ones before it (run once per session)."""
    return Chain(*import_chain(STEPS))
