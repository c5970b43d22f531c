"""``clusterkg build``: load, optionally infer, validate, and write the merged graph.

Outputs go to a temporary folder next to the target and replace it in one rename, so a failed
build never leaves half-written files behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..entities.stats import graph_stats
from .cache import open_graph
from .serialize import to_ntriples, to_turtle
from .validate import ValidationReport, validate_graph

__all__ = ["BuildResult", "build"]


@dataclass
class BuildResult:
    """What :func:`build` produced."""

    out_dir: Path
    files: list[str]
    triples: int
    stats: dict
    report: ValidationReport

    @property
    def conforms(self) -> bool:
        """True when the data has no SHACL violation."""
        return self.report.conforms


def build(
    out_dir: str | Path = "build",
    paths: Iterable[str | Path] = (),
    *,
    default_data: bool = True,
    infer: str | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build ``out_dir/graph.ttl``, ``graph.nt`` and ``validation.txt``.

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
        Reuse (and refresh) the graph cache that read commands use.

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
    (True, ['graph.nt', 'graph.ttl', 'validation.txt'])
    """
    loaded = open_graph(paths, default_data=default_data, infer=infer, use_cache=use_cache)
    report = validate_graph(loaded)
    target = Path(out_dir)
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        (tmp / "graph.ttl").write_text(to_turtle(loaded.graph), encoding="utf-8", newline="\n")
        (tmp / "graph.nt").write_text(to_ntriples(loaded.graph), encoding="utf-8", newline="\n")
        (tmp / "validation.txt").write_text(report.text(), encoding="utf-8", newline="\n")
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
    return BuildResult(target, loaded.files, len(loaded.graph), graph_stats(loaded.graph), report)
