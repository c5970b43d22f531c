"""``clusterkg build``: load, optionally infer, validate, and write the merged graph and its store.

The output folder is never a place where a user's files can be lost:

- a folder that does not exist yet is written as a temporary folder next to it (``.NAME.tmp-*``)
  and renamed into place in one step, so a failed build leaves nothing half-written;
- a folder an earlier build wrote (it holds the marker file :data:`MARKER`, or only the
  outputs) is replaced the same way when it holds nothing else, else each output file is
  replaced on its own (through a temporary file and a rename) and every other file stays;
- an empty folder, or the working folder, gets the outputs written into it, file by file;
- a non-empty folder that is not a clusterkg output is refused
  (:class:`~graph.errors.OutputError`, exit code 2) before anything is loaded or written.

Temporary folders and files left by a build that was killed are removed by the next build
into the same place (only those of processes that no longer run, and only if they hold nothing
but build outputs).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError
from .dataset import Dataset
from .serialize import make_parents, store_serializations
from .validate import ValidationReport

__all__ = ["MARKER", "OUTPUTS", "BuildResult", "build", "check_out_dir", "write_outputs"]

#: The file that marks a folder as written by ``clusterkg build``.
MARKER = ".clusterkg-build"
#: The files (and the one folder, ``store``) a build writes.
OUTPUTS = ("graph.ttl", "graph.nt", "validation.txt", "store")
_OLD_OUTPUTS = frozenset(OUTPUTS[:3])  # what builds wrote before the store was added
_MARKER_TEXT = ("This folder was written by `clusterkg build`. The next build into it replaces\n"
                "graph.ttl, graph.nt, validation.txt and store/ and leaves any other file alone.\n")
#: An output is text, or a function that writes a folder at the path it is given.
Output = str | Callable[[Path], None]
_OURS = frozenset((*OUTPUTS, MARKER))
_STALE_EMPTY = 600.0  # seconds after which an empty temporary folder of unknown owner is stale


@dataclass
class BuildResult:
    """What :func:`build` produced."""

    out_dir: Path
    files: list[str]
    triples: int
    stats: dict
    report: ValidationReport
    #: Folders above ``out_dir`` that the build created (outermost first).
    created: list[Path] = field(default_factory=list)
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
    warm: bool | None = None,
) -> BuildResult:
    """Build ``out_dir/graph.ttl``, ``graph.nt``, ``validation.txt`` and ``store/``.

    With the cache on, the network's topology is also prepared in the dataset's cache entry, so
    that the first ``centrality`` or ``render --focus`` after a build reads it instead of making it.

    Parameters
    ----------
    out_dir : str or Path
        Output folder: created if missing; an earlier build's outputs in it are replaced, other
        files are left alone; a non-empty folder that no build wrote is refused.
    paths : iterable of str or Path
        Extra RDF files or folders.
    default_data : bool
        Include the built-in curated data.
    infer : {None, "rdfs", "owlrl"}
        Materialise inferences into the output.
    use_cache : bool
        Reuse (and refresh) the graph cache that read commands use.
    warm : bool or None
        Ask the library's questions once while building and keep their answers in the cache, so
        that each answers at once afterwards (:mod:`graph.sparql.answers`); None (default) does it
        for graphs of :data:`~graph.sparql.answers.WARM_MIN_TRIPLES` triples or more. Needs the cache.

    Returns
    -------
    BuildResult
        The outputs are written even when the data violates the shapes (the report says why);
        check :attr:`BuildResult.conforms`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "build"
    >>> result = build(out, default_data=False, use_cache=False)  # the ontology alone; build(out): the curated data too
    >>> result.conforms, sorted(p.name for p in out.iterdir())
    (True, ['.clusterkg-build', 'graph.nt', 'graph.ttl', 'store', 'validation.txt'])
    """
    from ..sparql.answers import WARM_MIN_TRIPLES, start_warming

    target = Path(out_dir)
    check_out_dir(target)  # refuse a foreign folder before the (slow) load
    ds = Dataset(paths, default_data=default_data, infer=infer, use_cache=use_cache)
    report = ds.validate()  # on every core
    warming = None
    if ds.entry is not None and (warm if warm is not None else len(ds) >= WARM_MIN_TRIPLES):
        # the library's questions are asked once, on the core the writing below leaves free,
        # and their answers kept for the read commands
        warming = start_warming(ds.entry)
    try:
        ttl, nt = store_serializations(ds.store)
        created = make_parents(Path(os.path.abspath(target)))
        write_outputs(target, {"graph.ttl": ttl, "graph.nt": nt, "validation.txt": report.text(),
                               "store": lambda dest: _write_store(ds, dest)})
        if ds.entry is not None:
            # the read commands' global measures and focus maps start from the network's topology:
            # built now, in the dataset's cache entry, instead of by the first of them
            ds.topology()
        if warming is not None:
            warming.wait()
    finally:
        if warming is not None and warming.poll() is None:
            warming.kill()
            warming.wait()
    return BuildResult(target, ds.files, len(ds), ds.stats(), report, created)


def _write_store(ds: Dataset, dest: Path) -> None:
    """A standalone copy of the dataset's Oxigraph store at ``dest`` (which must not exist)."""
    import pyoxigraph as ox

    if ds.entry is not None:
        ds.store.backup(str(dest))
        return
    store = ox.Store(str(dest))
    store.bulk_extend(ds.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    store.flush()
    del store


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as another user
        return True
    return True


_TEMP_NAME = re.compile(r"\.(?P<name>.*)\.(?P<kind>tmp|old)-(?:(?P<pid>\d+)-)?[^/]*$")


def _stale(entry: Path) -> bool:
    """True when ``entry`` (a temporary folder or file of ours) belongs to no running build."""
    m = _TEMP_NAME.match(entry.name)
    if not m:
        return False
    if m.group("pid"):
        return not _pid_alive(int(m.group("pid")))
    try:  # written by an older clusterkg that did not record its process
        return time.time() - entry.lstat().st_mtime > _STALE_EMPTY
    except OSError:
        return False


def _only_outputs(folder: Path) -> bool:
    """True when ``folder`` holds nothing but build outputs (and the marker)."""
    try:
        return all(p.name in _OURS and not p.is_symlink() and (p.is_dir() if p.name == "store" else p.is_file())
                   for p in folder.iterdir())
    except OSError:
        return False


def _clean_leftovers(parent: Path, name: str) -> None:
    """Remove what killed builds left next to ``parent/name`` and inside it."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(f".{name}.") or entry.is_symlink() or not entry.is_dir():
            continue
        if not _stale(entry):
            continue
        if ".tmp-" in entry.name:  # a new output, written before its rename
            ours = _only_outputs(entry)
        else:  # .NAME.old-*: holds the previous output folder, NAME, on its way out
            try:
                ours = all(p.name == name and p.is_dir() and not p.is_symlink() and _only_outputs(p)
                           for p in entry.iterdir())
            except OSError:
                ours = False
        if ours:
            shutil.rmtree(entry, ignore_errors=True)
    target = parent / name
    if target.is_dir() and (target / MARKER).is_file():
        for entry in target.iterdir():
            if (entry.is_file() and not entry.is_symlink() and _stale(entry)
                    and any(entry.name.startswith(f".{o}.tmp-") for o in OUTPUTS)):
                entry.unlink(missing_ok=True)


def _holds_cwd(folder: Path) -> bool:
    try:
        cwd = Path.cwd().resolve()
        real = folder.resolve()
    except OSError:
        return True
    return cwd == real or real in cwd.parents


def check_out_dir(target: str | Path) -> str:
    """Check that a build may write into ``target``; say how.

    Returns
    -------
    str
        ``"new"`` (the folder does not exist: written elsewhere, renamed into place),
        ``"replace"`` (an earlier build's folder holding nothing else: replaced in one rename) or
        ``"in-place"`` (an empty folder, the working folder, a link, or an earlier build's
        folder with other files in it: each output replaced on its own, nothing else touched).

    Raises
    ------
    OutputError
        ``target`` is a file, or a non-empty folder that no build wrote (nothing is touched).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_out_dir(d / "build")
    'new'
    >>> _ = (d / "thesis.docx").write_text("years of work")
    >>> check_out_dir(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.OutputError: ...: the folder is not empty and was not written by clusterkg build (it has no \
.clusterkg-build file); nothing was changed: choose a new or empty folder
    """
    target = Path(target)
    if not target.exists() and not target.is_symlink():
        return "new"
    if not target.is_dir():
        raise OutputError(str(target), "exists and is not a folder")
    try:
        names = {p.name for p in target.iterdir()}
    except OSError as exc:
        raise OutputError(str(target), f"cannot read the folder ({exc.strerror or exc})") from None
    if names and MARKER not in names and names not in (set(OUTPUTS), _OLD_OUTPUTS):
        raise OutputError(str(target), f"the folder is not empty and was not written by clusterkg build (it has "
                                       f"no {MARKER} file); nothing was changed: choose a new or empty folder")
    if names and names <= _OURS and not target.is_symlink() and not _holds_cwd(target):
        return "replace"
    return "in-place"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def write_outputs(target: str | Path, files: Mapping[str, Output]) -> str:
    """Write ``files`` (name → text, or a function that writes a folder) into the build folder
    ``target``, safely (see the module).

    Returns
    -------
    str
        How: ``"new"``, ``"replace"`` or ``"in-place"`` (see :func:`check_out_dir`).

    Raises
    ------
    OutputError
        ``target`` holds files that no build wrote, or cannot be written.
    """
    target = Path(os.path.abspath(target))
    parent = target.parent
    mode = check_out_dir(target)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(parent, target.name)
        if mode == "in-place":
            _write_in_place(target, files)
        else:
            _write_by_rename(target, files, replace=mode == "replace")
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(target)
        raise OutputError(where, f"cannot write the build output ({exc.strerror or exc})") from None
    return mode


def _write_by_rename(target: Path, files: Mapping[str, Output], *, replace: bool) -> None:
    parent = target.parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=parent))
    try:
        _write(tmp / MARKER, _MARKER_TEXT)
        for name, text in files.items():
            if callable(text):
                text(tmp / name)
            else:
                _write(tmp / name, text)
        os.chmod(tmp, 0o777 & ~_umask())
        if replace:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=parent))
            os.replace(target, old / target.name)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_in_place(target: Path, files: Mapping[str, Output]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    marker = target / MARKER
    if not marker.exists():
        _write(marker, _MARKER_TEXT)
    staged: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():  # all written first, then renamed one after the other
            if callable(text):
                folder = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=target))
                staged.append((name, folder))
                folder.rmdir()  # the writer creates it
                text(folder)
                continue
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=target)
            staged.append((name, Path(tmp_name)))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.chmod(tmp_name, 0o666 & ~_umask())
        for name, staged_file in staged:
            dest = target / name
            if staged_file.is_dir() and dest.is_dir() and not dest.is_symlink():
                old = Path(tempfile.mkdtemp(prefix=f".{name}.old-{os.getpid()}-", dir=target))
                os.replace(dest, old / name)
                os.replace(staged_file, dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staged_file, dest)
    except BaseException:
        for _, staged_file in staged:
            if staged_file.is_dir():
                shutil.rmtree(staged_file, ignore_errors=True)
            else:
                staged_file.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
