"""How an import behaves: rejects, --strict, summary, provenance, linking, determinism, atomic writes."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from graph.errors import InputError, RowsRejected, ValidationFailed
from graph.imports import assign_inputs, import_tables, parse_mapping
from graph.imports.run import find_mapping

from .helpers import FIXTURES, RUN_DATE, Chain, count, real, store_of

TEMPLATE = FIXTURES / "cluster-organisations.fixture.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_rejects_file_names_file_row_column_reason(chain: Chain) -> None:
    rejects = _rows(chain.out("clusters").with_suffix(".rejects.csv"))
    assert list(rejects[0]) == ["file", "row", "column", "reason", "value", "outcome"]
    got = {(r["file"], r["row"], r["column"], r["outcome"]) for r in rejects}
    assert got == {("cluster-organisations.fixture.csv", "8", "country_code", "rejected"),
                   ("cluster-organisations.fixture.csv", "9", "ecosystems", "rejected")}
    reason = next(r["reason"] for r in rejects if r["column"] == "ecosystems")
    assert reason == "no IndustrialEcosystem named 'Space tourism' in the graph"
    # the good rows went on
    assert chain.results["clusters"].triples > 0 and chain.results["clusters"].rejected_rows == 2


def test_strict_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "clusters.nt"
    with pytest.raises(RowsRejected) as err:
        import_tables("cluster-organisations", [TEMPLATE], out=out, strict=True, progress=False)
    assert err.value.exit_code == 1
    assert "cluster-organisations.fixture.csv:8: country_code: required value is missing" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    # a clean input passes --strict
    res = import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=out, strict=True,
                        run_date=RUN_DATE, progress=False)
    assert res.rejects == [] and out.is_file()


def test_summary_line(chain: Chain) -> None:
    text = chain.results["clusters"].summary()
    assert text.startswith("read 6 rows from 1 table; wrote ")
    assert "rejected 2 rows" in text and "merged " in text and "1 linked to curated entities" in text
    assert chain.results["nuts"].summary().endswith("rejected 1 rows")  # no organisations: no merge part


def test_output_is_sorted_deterministic_and_atomic(tmp_path: Path, chain: Chain) -> None:
    a, b = tmp_path / "a.nt", tmp_path / "b.nt"
    for out in (a, b):
        import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=out, run_date=RUN_DATE,
                      progress=False)
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    keys = [tuple(line[:-2].split(" ", 2)) for line in lines]
    assert keys == sorted(keys) and len(set(lines)) == len(lines)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    # a failing import leaves an existing output untouched
    before = a.read_bytes()
    with pytest.raises(InputError):
        import_tables("erdf-operations-de", [tmp_path / "missing.csv"], out=a, progress=False)
    assert a.read_bytes() == before


def test_source_date_epoch_sets_the_run_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.nt",
                  progress=False)
    assert '"2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date>' in (tmp_path / "x.nt").read_text(encoding="utf-8")


def test_provenance_of_nodes_links_tables_and_run(chain: Chain) -> None:
    store = store_of(chain.out("h2020"))
    # every subject the mappings made derives from a row of an imported table
    assert count(store, "?s a ?c . FILTER(STRSTARTS(STR(?s), 'https://w3id.org/clusterkg/id/')) "
                        "FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?row . ?row a ckg:SourcePassage ; "
                        "ckg:locator ?loc ; ckg:inDocument ?doc . ?doc a ckg:ImportedTable }") == 0
    # one row per participation: the link records its own row
    assert count(store, "?p a ckg:Participation ; prov:wasDerivedFrom ?row") == count(
        store, "?p a ckg:Participation")
    # the tables record file name, checksum and mapping; the run its date and inputs
    import hashlib

    sha = hashlib.sha256(real("eunets_h2020.excerpt.csv.gz").read_bytes()).hexdigest()
    assert count(store, f"?t a ckg:ImportedTable ; ckg:fileName 'eunets_h2020.excerpt.csv.gz' ; ckg:sha256 '{sha}' ; "
                        "ckg:importedWith ?m ; ckg:rowsRead 683 . ?m a ckg:Mapping ; ckg:sha256 ?msha") == 1
    assert count(store, "?r a ckg:ImportRun ; <http://purl.org/dc/terms/date> '2026-01-01'^^"
                        "<http://www.w3.org/2001/XMLSchema#date> ; prov:used ?t . ?t a ckg:ImportedTable") == 4
    # the reference tables the mapping used are inputs of the run too
    assert count(store, "?t a ckg:ImportedTable ; ckg:fileName 'programme-parts.csv'") == 1


def test_curated_entities_are_linked_not_redefined(chain: Chain) -> None:
    store = store_of(*[chain.out(n) for n in chain.results])
    for curated in ("ckr:horizon-2020", "ckr:horizon-europe", "ckr:erdf", "ckr:cohesion-policy", "country:DEU",
                    "ckr:european-innovation-council", "ckr:vdi-vde-it", "ckr:gold-label"):
        assert count(store, f"{curated} ?p ?o") == 0, curated  # nothing said about them...
    assert count(store, "?x ?p ckr:horizon-2020") > 0  # ...but linked to
    # countries the curated data lacks come from the CORDIS reference table, with an English label
    assert count(store, "country:ISR a ckg:Country ; rdfs:label 'Israel'@en") == 1


def test_one_label_and_one_class_per_entity(chain: Chain) -> None:
    for name in chain.results:
        store = store_of(chain.out(name))
        assert count(store, "?s rdfs:label ?a, ?b FILTER(?a != ?b && LANG(?a) = 'en' && LANG(?b) = 'en')") == 0, name
        assert count(store, "?s a ckg:Organisation, ckg:ClusterOrganisation") == 0, name


def test_dangling_links_are_left_out_and_reported(tmp_path: Path) -> None:
    res = import_tables("cordis-horizon-europe", [real("mda_he_organization_df_100.csv"),
                                                  real("mda_he_project_df_100.csv")], out=tmp_path / "he.nt",
                        run_date=RUN_DATE, progress=False)
    left = [r for r in res.rejects if r.outcome == "link left out"]
    assert left and all(r.column == "region" and r.value.startswith("nuts:") for r in left)
    assert "import or --data it first" in left[0].reason
    assert count(store_of(tmp_path / "he.nt"), "?o ckg:locatedIn ?r FILTER(STRSTARTS(STR(?r), "
                                                "'http://data.europa.eu/nuts/'))") == 0


def test_inputs_are_matched_to_sources(tmp_path: Path) -> None:
    spec = parse_mapping(find_mapping("cordis-h2020-participations"))
    e, pp = real("eunets_h2020.excerpt.csv.gz"), real("eunets_programme_parts.excerpt.csv.gz")
    assert assign_inputs(spec, [pp, e]) == {"participations": e, "programme_parts": pp}
    other = tmp_path / "parts.csv"
    assert assign_inputs(spec, [e, f"programme_parts={other}"])["programme_parts"] == other
    with pytest.raises(InputError, match="needs an input for source 'programme_parts'"):
        assign_inputs(spec, [e])
    with pytest.raises(InputError, match="which source of mapping"):
        assign_inputs(spec, [e, pp, tmp_path / "extra.csv"])


def test_validation_failure_writes_nothing(tmp_path: Path) -> None:
    text = find_mapping("erdf-operations-de").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"  # a mapping that forgets to link operations to their programme
    broken.write_text(text.replace("      - [ckg:partOf, ckr:op-2014de16rfop001~iri]\n", ""), encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        import_tables(broken, [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.nt", progress=False)
    assert "an operation must be ckg:partOf its ckg:OperationalProgramme" in str(err.value)
    assert err.value.exit_code == 1 and not (tmp_path / "x.nt").exists()


def test_progress_bar_is_silent_off_a_terminal(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.nt",
                  run_date=RUN_DATE)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_progress_bar_on_request(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.nt",
                  run_date=RUN_DATE, progress=True)
    assert "import erdf-operations-de" in capfd.readouterr().err


def test_output_must_be_ntriples(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"name the output file \*\.nt"):
        import_tables("erdf-operations-de", [real("osdata_ERDF_BaWue_2014-2020.csv")], out=tmp_path / "x.ttl")


def test_context_from_earlier_imports_reuses_organisations(chain: Chain) -> None:
    # The H2020 import ran with the Horizon Europe import as --data: shared PICs are one node, named
    # by Horizon Europe (the H2020 table has no names).
    both = store_of(chain.out("he"), chain.out("h2020"))
    shared = count(both, "SELECT DISTINCT ?o { ?o ckg:pic ?p ; ckg:participatesIn ?a, ?b . "
                         "?a ckg:partOf ckr:horizon-europe . ?b ckg:partOf+ ckr:horizon-2020 }")
    assert shared >= 8
    assert count(both, "?o ckg:pic ?p ; rdfs:label ?l FILTER(STRSTARTS(?l, 'organisation with PIC')) "
                       "FILTER EXISTS { ?o ckg:vatNumber ?v }") == 0
    # the cluster template found the cleantech participant and the ERDF beneficiary by name
    everything = store_of(*[chain.out(n) for n in chain.results])
    assert count(everything, "?o a ckg:ClusterOrganisation ; ckg:participatesIn ?p . ?p ckg:partOf+ "
                             "ckr:horizon-2020") == 3
    assert count(everything, "?o a ckg:ClusterOrganisation ; rdfs:label 'Photonics BW e.V.'@en ; "
                             "ckg:participatesIn ?op . ?op a ckg:ClusterOperation") == 1


def test_no_default_data_means_no_curated_context(tmp_path: Path) -> None:
    res = import_tables("cluster-organisations", [TEMPLATE], out=tmp_path / "x.nt", default_data=False,
                       progress=False)
    # without the curated graph, ecosystems, partnerships and labels are unknown names
    assert res.rejected_rows > 2
    assert os.path.exists(tmp_path / "x.nt")


def test_one_value_where_the_shapes_allow_one(chain: Chain) -> None:
    # The eunets table (CORDIS release of 2020-12) and the 2019-2020 project file disagree on some end
    # dates; the project file came first, so its value stays and the other is reported.
    dropped = [r for r in chain.results["h2020"].rejects if r.outcome == "value dropped"]
    assert any(r.column == "end_date" and "ckr:project-rcn-210137 already has ckg:endDate 2020-05-31" in r.reason
               for r in dropped)
    everything = store_of(*[chain.out(n) for n in chain.results])
    for prop in ("ckg:endDate", "ckg:startDate", "ckg:totalCost", "ckg:ecMaxContribution", "ckg:pic"):
        assert count(everything, f"SELECT DISTINCT ?s {{ ?s {prop} ?a, ?b FILTER(?a != ?b) }}") == 0, prop


def test_the_context_is_the_dataset_every_command_opens(chain: Chain, tmp_path: Path, runner,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import cli
    from graph.store.dataset import Dataset

    regions = tmp_path / "regions.nt"  # a context no other test uses: its dataset is built here, once
    regions.write_bytes(chain.out("nuts").read_bytes())
    built: list[Path] = []
    build = Dataset._build_entry
    monkeypatch.setattr(Dataset, "_build_entry", lambda self, root, entry: (built.append(entry),
                                                                            build(self, root, entry))[1])
    ops = real("osdata_ERDF_BaWue_2014-2020.csv")
    first = import_tables("erdf-operations-de", [ops], out=tmp_path / "a.nt", data=[regions], run_date=RUN_DATE,
                          progress=False)
    again = runner.invoke(cli, ["--data", str(regions), "import", "erdf-operations-de", str(ops), "--out",
                                str(tmp_path / "b.nt"), "--run-date", RUN_DATE])
    assert again.exit_code == 0, again.output
    assert runner.invoke(cli, ["--data", str(regions), "stats"]).exit_code == 0
    assert built == [Dataset([regions]).entry]  # built by the first import, opened by the second and by stats
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes() and first.triples > 0
