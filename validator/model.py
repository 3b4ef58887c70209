"""Value types of the framing layer: frames and framing findings, for the engine.

Framing turns bytes into :class:`Frame` objects (one per event, with the line where it
starts) and :class:`Finding` objects (problems of the framing itself).  Checks do not build
findings: they call the ``report`` of the context they are given (code, message, pointer).  The
engine stamps rule name and severity on both and turns them into a
:class:`~validator.result.Violation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["DONE", "Context", "Finding", "Frame"]

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


class Context(Protocol):
    """What a kind's checker and its checks see of the engine (``engine._Context``): the
    protocol state, the profile, where the current event is, and ``report``.

    ``precheck(event, failed=False)`` runs the engine's checks of every event (the schema test,
    the SSE event name) and returns whether the compiled schema test accepted it; ``run_test``
    and ``run_test_after`` give the test of a run of same-shape events (see the engine).
    """

    state: Any
    profile: str
    line: int | None
    index: int | None
    payload: Any
    name: str | None  # the SSE event name
    done_seen: bool  # `data: [DONE]` was read
    precheck: Callable[..., bool]

    @property
    def input_format(self) -> str | None: ...

    def report(self, code: str, message: str, pointer: str | None = None, *,
               key: Any = None, at: Any = ...) -> None: ...

    def run_test(self, type_name: str, fields: tuple[str, ...],
                 passed: bool) -> Callable[[dict], bool] | None: ...

    def run_test_after(self, type_name: str,
                       test: Callable[[dict], bool]) -> Callable[[dict], bool]: ...
