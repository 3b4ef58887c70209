"""Value types the engine consumes: frames, findings, and the context the checks see.

Framing turns bytes into :class:`Frame` objects (one per event, with the line where it
starts) and :class:`Finding` objects (problems of the framing itself).  :class:`Finding` is the
one internal shape of a problem before it is a :class:`~validator.result.Violation`: framing
makes them (with their line and event), the schema check makes them (with their JSON Pointer,
no location: the engine knows which event it checked), and so does the verdict on a live
exchange (``validator.live.verdict``: code and message only).  Checks do not build findings:
they call the ``report`` of the context they are given (code, message, pointer).  The engine
(or the ``check``/``gate`` shell, for the verdict) stamps rule name, severity and location and
turns them into a :class:`~validator.result.Violation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

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


class Finding(NamedTuple):
    """A problem found in a stream or an exchange, before it is stamped with rule name and
    severity.

    ``line``/``event_index`` locate the event the finding belongs to, where its producer knows
    it (framing); ``None`` otherwise (end of stream, the schema check, the verdict).
    ``pointer`` is a JSON Pointer into that event (``""``: the whole event), or ``None``.
    Immutable: the schema check hands the same findings to every event that repeats a defect
    (``SchemaChecker.explain_failed``), so no consumer may change one.  (A ``NamedTuple``: a
    frozen dataclass costs a lint's start-up ~3M instructions more to define.)
    """

    code: str
    message: str
    line: int | None = None
    event_index: int | None = None
    pointer: str | None = None


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

    def offer_run(self, field: str, fragment: str, nesting: int,
                  append: Callable[[str], object]) -> None: ...
