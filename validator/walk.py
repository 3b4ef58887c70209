"""What ``lint DIR`` lints: the captures below a directory, as a linter of a repository finds them.

A directory walk skips hidden folders (``.venv``, ``.git``, ``.hypothesis``…), what the
``.gitignore`` files of the tree (and of its parents up to the repository root) ignore, the
``exclude`` patterns (by default the folders of :data:`DEFAULT_EXCLUDE`) and ``extend-exclude``,
the ``NAME.request.json`` files ``check --save`` writes, and the tool's own JSON and SARIF
reports.  A folder that cannot be listed is not skipped silently: it is returned as a problem
(the command reports it and exits 2 once the rest is linted).  A file named on the command line
is always linted, whatever the patterns say, and a directory named there is walked even if it
is ignored or excluded itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from .documents import HEAD_BYTES, is_own_report
from .framing.formats import STREAM_SUFFIXES, needs_content_test

if TYPE_CHECKING:
    from pathlib import Path

    import pathspec  # imported by the first directory walk: a lint of files needs none

__all__ = ["DEFAULT_EXCLUDE", "Walk", "expand", "is_stream_file", "matches"]

GZIP_SUFFIX = ".gz"
#: Folders never walked unless ``exclude`` replaces this list (ruff's, less the hidden ones,
#: which are always skipped).
DEFAULT_EXCLUDE = ("__pypackages__", "_build", "buck-out", "dist", "node_modules",
                   "site-packages", "venv")


class Walk:
    """The files to lint, in order; the folders that could not be listed (path, reason); the
    directory arguments that hold no capture.  (A plain class: a dataclass costs a lint's
    start-up ~2M instructions to define.)"""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.unreadable: list[tuple[str, str]] = []
        self.empty: list[str] = []


def is_stream_file(path: Path) -> bool:
    """A capture by its name (a suffix of ``validator.framing.formats``: ``x.sse``, ``x.jsonl``…),
    or one of those gzip-compressed; not the ``NAME.request.json`` that ``check --save`` writes
    beside each capture."""
    suffix = path.with_suffix("").suffix if path.suffix == GZIP_SUFFIX else path.suffix
    from .live.scenarios import REQUEST_SUFFIX  # (a lint of files needs no scenario)

    return suffix in STREAM_SUFFIXES and not path.name.endswith(REQUEST_SUFFIX)


def expand(paths: Sequence[str], *, exclude: Iterable[str] = DEFAULT_EXCLUDE,
           root: str | None = None) -> Walk:
    """The files ``paths`` stand for: a file as it is, a directory by a walk (module doc).
    ``exclude`` patterns are gitignore-style, relative to ``root`` (the configuration file's
    folder; default: the current directory)."""
    walk = Walk()
    for path in paths:
        if path != "-" and os.path.isdir(path):
            from pathlib import Path  # (a walk only: pathlib costs a lint of files ~1.5 ms)

            _walk(Path(path), _spec(tuple(exclude)), Path(root or os.getcwd()).resolve(), walk)
        else:
            walk.files.append(path)
    return walk


def _walk(top: Path, excluded: pathspec.PathSpec, base: Path, walk: Walk) -> None:
    from pathlib import Path

    def unreadable(exc: OSError) -> None:
        walk.unreadable.append((exc.filename or str(top), exc.strerror or str(exc)))

    ignores = [spec for parent in _parents_in_repository(top.resolve())
               if (spec := _gitignore(parent)) is not None]
    if _skipped(top, True, excluded, base, ignores):
        # Named on the command line although ignored or excluded (`lint captures/` with
        # `/captures/` in .gitignore): walked, as ruff and ripgrep walk a named folder; below
        # it the exclude patterns apply from it and its own .gitignore files.
        ignores, base = [], top.resolve()
    found = []
    for folder, dirs, files in os.walk(top, onerror=unreadable):
        here = Path(folder)
        if (spec := _gitignore(here.resolve())) is not None:
            ignores.append(spec)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not _skipped(here / d, True, excluded, base, ignores))
        found += [str(here / name) for name in files
                  if is_stream_file(here / name) and not _own_report(here / name)
                  and not _skipped(here / name, False, excluded, base, ignores)]
    walk.files += sorted(found)
    if not found and not walk.unreadable:
        walk.empty.append(str(top))


def _own_report(path: Path) -> bool:
    if not needs_content_test(path.name):
        return False
    try:
        with open(path, "rb") as stream:
            return is_own_report(stream.read(HEAD_BYTES))
    except OSError:
        return False  # linting it reports why it cannot be read


def matches(path: str, pattern: str, root: str) -> bool:
    """Whether the file ``path`` matches the gitignore-style ``pattern`` relative to ``root``
    (by name when it lies outside ``root``), as ``per-file-ignores`` uses them."""
    from pathlib import Path  # (with per-file-ignores only)

    return _excluded(Path(path).resolve(), False, _spec((pattern,)), Path(root).resolve(),
                     Path(path).name)


@cache
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _excluded(absolute: Path, is_dir: bool, spec: pathspec.PathSpec, base: Path,
              name: str) -> bool:
    suffix = "/" if is_dir else ""
    try:
        return spec.match_file(absolute.relative_to(base).as_posix() + suffix)
    except ValueError:  # outside the base: the patterns match by name only
        return spec.match_file(name + suffix)


def _skipped(path: Path, is_dir: bool, excluded: pathspec.PathSpec, base: Path,
             ignores: list[tuple[Path, pathspec.PathSpec]]) -> bool:
    absolute = path.resolve()
    if _excluded(absolute, is_dir, excluded, base, path.name):
        return True
    suffix = "/" if is_dir else ""
    for folder, spec in ignores:
        try:
            relative = absolute.relative_to(folder).as_posix()
        except ValueError:
            continue
        if spec.match_file(relative + suffix):
            return True
    return False


def _parents_in_repository(folder: Path) -> list[Path]:
    """The folders above ``folder`` up to the repository root (the one holding ``.git``),
    outermost first; none outside a repository."""
    parents = []
    for parent in folder.parents:
        parents.append(parent)
        if (parent / ".git").exists():
            return parents[::-1]
    return []


@cache
def _gitignore(folder: Path) -> tuple[Path, pathspec.PathSpec] | None:
    try:
        lines = (folder / ".gitignore").read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    import pathspec

    return folder, pathspec.GitIgnoreSpec.from_lines(lines)
