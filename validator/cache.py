"""The persistent cache of the compiled schema predicates: one file per profile and kind.

A lint generates Python predicates from the schema files (``validator.schemas``) and compiles
them; ``compile()`` is most of what a small lint pays once (~5 ms a kind).  This cache keeps
the compiled code objects (``marshal``) between runs, under the user's cache folder:
``$STREAM_VALIDATOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/stream-validator``, else
``~/.cache/stream-validator``; ``STREAM_VALIDATOR_NO_CACHE=1`` (``lint --no-cache``) turns it
off.

It can never give a wrong result: a code object is found by the exact source text it was
compiled from, and an entry file is named by a checksum of everything its sources derive from (the
kind's schema files, the profile, the compiler's own file, the Python and package versions),
so a changed input starts a new file and the old ones of that profile and kind are deleted
(the folder holds one file per profile and kind).  A file that cannot be read, is truncated or
corrupt, or was written by another version is ignored (and rewritten); a folder that is
missing is created, and one that cannot be written is left alone: the lint then compiles as
if there were no cache.  Writes go to a temporary file renamed over the entry
(``validator.atomic``), so concurrent writers (``lint --jobs``) never leave a torn file: the last
one wins, and what it lacks is compiled again by the next run.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Iterable
from types import CodeType
from typing import Any

from . import __version__

__all__ = ["ENV_DIR", "ENV_OFF", "CodeCache", "cache_folder", "flush", "parsed_once"]

ENV_DIR = "STREAM_VALIDATOR_CACHE_DIR"
ENV_OFF = "STREAM_VALIDATOR_NO_CACHE"
#: An entry that grows past this (sources named in another order by other streams) starts over.
MAX_ENTRY_BYTES = 2 << 20
_MAGIC = "stream-validator predicates 1"
_SUFFIX = ".marshal"
#: The file of :func:`parsed_once`, and how many texts it keeps (the last ones parsed).
_PARSED, _PARSED_MAGIC, MAX_PARSED = "configuration.marshal", "stream-validator parsed 1", 16


def cache_folder() -> str | None:
    """The cache folder, or ``None`` when the cache is off (``STREAM_VALIDATOR_NO_CACHE``
    set to anything but ``""``/``0``, or no home folder to put it in)."""
    if os.environ.get(ENV_OFF, "") not in ("", "0"):
        return None
    folder = os.environ.get(ENV_DIR)
    if folder:
        return folder
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "stream-validator") if os.path.isabs(base) else None


def _load(path: str, magic: str, key: str) -> dict | None:
    """The dict of the entry ``(magic, key, dict)`` in the file ``path``; ``None`` if it is
    missing, unreadable, truncated, corrupt or another entry."""
    try:
        with open(path, "rb") as file:
            entry = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == magic
            and entry[1] == key and isinstance(entry[2], dict)):
        return None
    return entry[2]


def _save(folder: str, path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` in ``folder`` in one step; whether it was written."""
    from pathlib import Path

    from .atomic import write_atomic  # (imported by a run that writes, only)

    try:
        os.makedirs(folder, exist_ok=True)
        write_atomic(Path(path), data)
    except OSError:
        return False
    return True


def _digest(parts: Iterable[bytes]) -> str:
    """A 64-bit checksum of ``parts`` (CRC-32 and Adler-32 of their framed concatenation).
    It only tells entries apart: a code object is found by its exact source, so even two
    inputs with one checksum could not give a wrong predicate.  (``zlib`` is loaded already;
    importing a hash module would cost a small lint ~1 ms.)"""
    crc, adler = 0, 1
    for part in parts:
        for piece in (len(part).to_bytes(8, "little"), part):  # unambiguous concatenation
            crc, adler = zlib.crc32(piece, crc), zlib.adler32(piece, adler)
    return f"{crc:08x}{adler:08x}"


class CodeCache:
    """The compiled predicates of one profile and kind: source text -> code object.

    ``name`` says what the entry is for (``default-anthropic``; ``None``: kept in memory
    only); ``inputs`` are the bytes its sources derive from (checksummed with the Python and
    package versions into the file name), read only when the cache is on.
    """

    def __init__(self, name: str | None = None, inputs: Iterable[bytes] = ()) -> None:
        self.codes: dict[str, CodeType] = {}
        self.folder = cache_folder() if name is not None else None
        self.prefix = f"predicates-{name}-"
        self.key = ""
        self._dirty = False
        if self.folder is None or name is None:
            return
        self.key = _digest([sys.version.encode(), marshal.version.to_bytes(4, "little"),
                            __version__.encode(), name.encode(), *inputs])
        self.codes = self._read()

    @property
    def path(self) -> str:
        return os.path.join(self.folder or "", self.prefix + self.key + _SUFFIX)

    def _read(self) -> dict[str, CodeType]:
        codes = _load(self.path, _MAGIC, self.key)
        if codes is None or not all(type(k) is str and type(v) is CodeType
                                    for k, v in codes.items()):
            return {}  # compiled again
        return codes

    def compile(self, source: str) -> CodeType:
        """The code object of ``source``: from the cache, else compiled (and kept)."""
        code = self.codes.get(source)
        if code is None:
            code = self.codes[source] = compile(source, "<string>", "exec")
            if self.folder is not None and not self._dirty:
                self._dirty = True
                _DIRTY.append(self)
        return code

    def store(self) -> None:
        """Write the entry if this run compiled something new (every error ignored)."""
        if not self._dirty or self.folder is None:
            return
        self._dirty = False
        data = marshal.dumps((_MAGIC, self.key, self.codes))
        if len(data) > MAX_ENTRY_BYTES:
            self.codes = {}  # the next run starts a fresh entry
            data = marshal.dumps((_MAGIC, self.key, {}))
        if _save(self.folder, self.path, data):
            self._prune()

    def _prune(self) -> None:
        """Delete this profile and kind's entries of other keys (stale inputs)."""
        try:
            names = os.listdir(self.folder or "")
        except OSError:
            return
        keep = self.prefix + self.key + _SUFFIX
        for name in names:
            if name.startswith(self.prefix) and name.endswith(_SUFFIX) and name != keep:
                with contextlib.suppress(OSError):  # another process pruned it first
                    os.remove(os.path.join(self.folder or "", name))


#: Caches that compiled something since the last ``flush``.
_DIRTY: list[CodeCache] = []


def flush() -> None:
    """Write every cache that compiled something new (a lint calls it when a stream ends)."""
    while True:
        try:
            dirty = _DIRTY.pop()  # (atomic: `check` lints in threads)
        except IndexError:
            return
        dirty.store()


def parsed_once(text: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, kept between runs in the cache folder and found by the exact ``text``
    and Python version: a lint in a project reads its pyproject.toml, and importing tomllib and
    parsing the file would cost a small lint ~5 ms.  What ``parse`` raises is not kept (an
    invalid file fails every time), nor a value marshal cannot write (a TOML date); the cache
    off, a file that cannot be read or written: ``parse(text)`` as if there were no cache."""
    folder = cache_folder()
    if folder is None:
        return parse(text)
    path = os.path.join(folder, _PARSED)
    kept = _load(path, _PARSED_MAGIC, sys.version) or {}
    if text in kept:
        return kept[text]
    value = parse(text)
    kept = dict([*list(kept.items())[1 - MAX_PARSED:], (text, value)])
    try:
        data = marshal.dumps((_PARSED_MAGIC, sys.version, kept))
    except ValueError:  # a type marshal does not write
        return value
    _save(folder, path, data)
    return value
