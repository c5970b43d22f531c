"""``clusterkg build``: load, optionally infer, validate, and write the merged graph and its store.

Outputs go to a temporary folder next to the target and replace it in one rename, so a failed
build never leaves half-written files behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .dataset import Dataset
from .serialize import store_serializations
from .validate import ValidationReport, validate_graph

__all__ = ["OUTPUTS", "BuildResult", "build"]

#: What a build writes into its output folder.
OUTPUTS = ("graph.ttl", "graph.nt", "validation.txt", "store")


@dataclass
class BuildResult:
    """What :func:`build` produced."""

    out_dir: Path
    files: list[str]
    triples: int
    stats: dict
    report: ValidationReport
    outputs: list[str] = field(default_factory=lambda: list(OUTPUTS))

    @property
    def conforms(self) -> bool:
        """True when the data has no SHACL violation."""
        return self.report.conforms

    def summary(self) -> dict:
        """The result as plain data (what ``build --format json`` prints)."""
        s = self.stats
        return {"out": str(self.out_dir), "triples": self.triples, "entities": s["entities"],
                "synergies": s["synergies"], "figures": s["figures"],
                "violations": self.report.count("Violation"), "warnings": self.report.count("Warning"),
                "conforms": self.conforms, "outputs": list(self.outputs)}


def build(
    out_dir: str | Path = "build",
    paths: Iterable[str | Path] = (),
    *,
    default_data: bool = True,
    infer: str | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build ``out_dir/graph.ttl``, ``graph.nt``, ``validation.txt`` and ``store/``.

    ``store/`` is an Oxigraph (RocksDB) store of the graph, to open with
    ``pyoxigraph.Store.read_only("out/store")`` or to serve with ``oxigraph serve-read-only``.

    Parameters
    ----------
    out_dir : str or Path
        Output folder; replaced as a whole.
    paths : iterable of str or Path
        Extra RDF files or folders.
    default_data : bool
        Include the built-in curated data.
    infer : {None, "rdfs", "owlrl"}
        Materialise inferences into the output.
    use_cache : bool
        Build the dataset in (and leave it in) the cache that read commands use.

    Returns
    -------
    BuildResult
        The outputs are written even when the data violates the shapes (the report says why);
        check :attr:`BuildResult.conforms`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "build"
    >>> result = build(out, use_cache=False)
    >>> result.conforms, sorted(p.name for p in out.iterdir())
    (True, ['graph.nt', 'graph.ttl', 'store', 'validation.txt'])
    """
    ds = Dataset(paths, default_data=default_data, infer=infer, use_cache=use_cache)
    report = validate_graph(ds.loaded())
    target = Path(out_dir)
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        ttl, nt = store_serializations(ds.store)
        (tmp / "graph.ttl").write_text(ttl, encoding="utf-8", newline="\n")
        (tmp / "graph.nt").write_text(nt, encoding="utf-8", newline="\n")
        (tmp / "validation.txt").write_text(report.text(), encoding="utf-8", newline="\n")
        _write_store(ds, tmp / "store")
        os.chmod(tmp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(target, ds.files, len(ds), ds.stats(), report)


def _write_store(ds: Dataset, dest: Path) -> None:
    """A standalone copy of the dataset's Oxigraph store at ``dest``."""
    import pyoxigraph as ox

    if ds.entry is not None:
        ds.store.backup(str(dest))
        return
    store = ox.Store(str(dest))
    store.bulk_extend(ds.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    store.flush()
    del store
