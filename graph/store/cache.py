"""Where built datasets live, and the key that says when one can be reused.

A :class:`~graph.store.dataset.Dataset` is built once per set of inputs into a folder of the
cache (an on-disk Oxigraph store, the entity index as SQLite, the statistics and projections as
JSON) and opened read-only afterwards. The folder is named by :func:`content_key`: a hash of
every input file's name and bytes, the inference regime and the versions of the code that parse
and project them. Any change gives a new key, so nothing stale is ever served.

Safety (as pip and git do it)
-----------------------------
- The cache holds **no format that can execute code**: no pickle, no marshal, nothing imported.
- It lives in ``$CLUSTERKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/clusterkg``, else
  ``~/.cache/clusterkg``, created with mode 0700. A folder that is not owned by the current user
  or that others can write (a shared ``/tmp``-like folder) is not used as it is: a private
  ``u<uid>`` folder is made inside it instead.
- An entry that is not owned by the current user, or that others can write, is ignored.
- A cache folder that cannot be written gives a warning, and the command runs without a cache.

Examples
--------
>>> import os, tempfile
>>> os.environ["CLUSTERKG_CACHE_DIR"] = tempfile.mkdtemp()
>>> d = usable_cache_dir()
>>> oct(d.stat().st_mode & 0o777)
'0o700'
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = [
    "CacheWarning",
    "cache_dir",
    "clear_cache",
    "content_key",
    "file_digest",
    "is_private",
    "new_entry",
    "read_private",
    "trusted_entry",
    "usable_cache_dir",
    "write_private",
]

T = TypeVar("T")

#: Bump when the layout of a cache entry changes.
CACHE_FORMAT = 6


class CacheWarning(UserWarning):
    """The cache cannot be used; the command runs without it."""


def cache_dir() -> Path:
    """The configured cache folder (it may not exist yet)."""
    if os.environ.get("CLUSTERKG_CACHE_DIR"):
        return Path(os.environ["CLUSTERKG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clusterkg"


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else -1


def is_private(path: Path) -> bool:
    """Whether ``path`` is owned by the current user and nobody else can write it.

    >>> import tempfile, pathlib
    >>> is_private(pathlib.Path(tempfile.mkdtemp()))
    True
    """
    try:
        st = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode):
        return False
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == _uid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _warn(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=3)


def usable_cache_dir() -> Path | None:
    """The private cache folder to use, created 0700 if needed; None if there is none.

    Returns None (after a :class:`CacheWarning`) when the folder cannot be created or written.
    """
    base = cache_dir()
    try:
        if not base.exists():
            base.mkdir(parents=True, mode=0o700)
        if not base.is_dir():
            raise NotADirectoryError(str(base))
        d = base
        if not is_private(base):
            d = base / f"u{_uid()}"
            if not d.exists():
                d.mkdir(mode=0o700)
            if not is_private(d):
                _warn(f"cache folder {d} is not private to this user; running without a cache")
                return None
        if not os.access(d, os.W_OK | os.X_OK):
            raise PermissionError(str(d))
        return d
    except OSError as exc:
        _warn(f"cannot use the cache folder {base} ({exc.strerror or exc}); running without a cache")
        return None


def trusted_entry(path: Path) -> bool:
    """Whether an existing cache entry may be read: ours, private, complete (has ``meta.json``)."""
    return path.is_dir() and is_private(path) and is_private(path / "meta.json")


def new_entry(root: Path, name: str) -> Path:
    """A fresh private temporary folder in ``root`` to build the entry ``name`` in.

    Leftovers of killed builds (``.tmp-*`` older than an hour) are removed first.
    """
    cutoff = time.time() - 3600
    for old in root.glob(".tmp-*"):
        try:
            if is_private(old) and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))


def read_private(path: Path, parse: Callable[[str], T]) -> T | None:
    """``parse(text)`` of a cache file this user wrote (private), else None.

    None also when the file is missing, cannot be read, or ``parse`` rejects it (``ValueError``,
    ``KeyError``, ``TypeError``): a damaged cache file is only a miss. Only data formats are parsed
    here (JSON); nothing read from the cache can run.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> write_private(f, '{"a": 1}')
    >>> read_private(f, json.loads), read_private(f.with_name("none.json"), json.loads)
    ({'a': 1}, None)
    """
    if not (path.is_file() and is_private(path)):
        return None
    was = gc.isenabled()
    gc.disable()  # parsing a large JSON document makes many containers: no collection meanwhile
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    finally:
        if was:
            gc.enable()


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step: a private temporary file beside it, then a rename.

    Readers see the old file or the new one, never half of one. Temporary files left by a
    writer that was killed (``.tmp-w-*``, older than an hour) are removed first.
    """
    cutoff = time.time() - 3600
    for old in path.parent.glob(".tmp-w-*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    fd, tmp = tempfile.mkstemp(prefix=".tmp-w-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _hash_file(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


_MEMO_MIN = 8 << 20  # files above this have their digest remembered


def file_digest(path: Path) -> bytes:
    """SHA-256 of a file's bytes.

    For large files the digest is remembered in the private cache (``digests.json``: path →
    size, modification time in nanoseconds, inode, digest), as git's index does, so that opening
    a dataset of millions of triples does not re-read hundreds of megabytes each time; any change
    of size, time or inode hashes the file again.
    """
    try:
        st = path.stat()
    except OSError:
        return _hash_file(path)
    if st.st_size < _MEMO_MIN:
        return _hash_file(path)
    stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
    root = usable_cache_dir()
    memo_file = root / "digests.json" if root is not None else None
    memo: dict[str, list] = {}
    if memo_file is not None and memo_file.is_file() and is_private(memo_file):
        try:
            memo = json.loads(memo_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            memo = {}
    key = str(path.resolve())
    got = memo.get(key)
    if isinstance(got, list) and len(got) == 4 and got[:3] == stamp:
        with contextlib.suppress(ValueError):
            return bytes.fromhex(str(got[3]))
    digest = _hash_file(path)
    if memo_file is not None:
        memo[key] = [*stamp, digest.hex()]
        with contextlib.suppress(OSError):
            fd, tmp = tempfile.mkstemp(prefix=".tmp-digests-", dir=memo_file.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(memo, fh, sort_keys=True)
            os.replace(tmp, memo_file)
    return digest


def _versions() -> str:
    import pyoxigraph

    from .. import __version__  # the package's version (a test keeps it equal to the installed one)

    return f"fmt={CACHE_FORMAT};clusterkg={__version__};oxigraph={pyoxigraph.__version__};py={sys.version_info[:2]}"


def content_key(files: Iterable[tuple[str, Path]], *, infer: str | None = None, extra: str = "") -> str:
    """The hash that names one set of inputs: file names and bytes, inference, code versions.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.ttl"
    >>> _ = f.write_text("<http://ex/a> <http://ex/p> 1 .")
    >>> k1 = content_key([("a.ttl", f)])
    >>> _ = f.write_text("<http://ex/a> <http://ex/p> 2 .")
    >>> k1 != content_key([("a.ttl", f)])
    True
    """
    h = hashlib.sha256()
    h.update(f"{_versions()};infer={infer};{extra}".encode())
    for name, f in files:
        h.update(str(f.resolve()).encode())
        h.update(b"\0")
        h.update(name.encode())
        h.update(b"\0")
        h.update(file_digest(f))
    return h.hexdigest()[:32]


def clear_cache() -> int:
    """Delete every cache entry of this user; return how many were deleted."""
    n = 0
    base = cache_dir()
    for d in {base, base / f"u{_uid()}"}:
        if not d.is_dir() or not is_private(d):
            continue
        for entry in d.iterdir():
            if entry.name.startswith(("ds-", ".tmp-")) and is_private(entry):
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
                n += not entry.name.startswith(".tmp-")
    return n
