"""Files written in one step: a reader (or a crash, or a signal) sees the old file or the new
one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` in one step: a temporary file beside it, renamed over it (a crash or a
    signal leaves the old file or the new one, never half of one)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part",
                                     delete=False) as out:
        try:
            out.write(data)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    os.replace(out.name, path)
