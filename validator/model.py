"""Value types of the framing layer: frames and framing findings, for the engine.

Framing turns bytes into :class:`Frame` objects (one per event, with the line where it
starts) and :class:`Finding` objects (problems of the framing itself).  Checks do not build
findings: they call the ``report`` of the context they are given (code, message, pointer).  The
engine stamps rule name and severity on both and turns them into a
:class:`~validator.result.Violation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DONE", "Finding", "Frame"]

#: The payload of ``data: [DONE]``: the terminator, not JSON.
DONE = "[DONE]"


@dataclass(slots=True)
class Frame:
    """One event of a stream, as framing read it.

    ``index`` counts every frame of the stream from 0, the ``[DONE]`` sentinel included.
    ``payload`` is the parsed JSON value (normally a dict); it is ``None`` when the data did not
    parse (framing then reports why) and for the ``[DONE]`` sentinel (``done`` is true).
    ``event`` is the SSE ``event:`` name when the block had one, else ``None``.
    """

    index: int
    line: int | None
    payload: Any = None
    event: str | None = None
    done: bool = False


@dataclass(slots=True)
class Finding:
    """A problem found in a stream, before the engine stamps name and severity on it.

    ``line``/``event_index`` locate the event the finding belongs to (``None`` for end-of-stream
    findings); ``pointer`` is a JSON Pointer into that event, or ``None``.
    """

    code: str
    message: str
    line: int | None = None
    event_index: int | None = None
    pointer: str | None = None
    sequence_number: int | None = None
    excerpt: str | None = None
