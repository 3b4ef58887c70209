"""Severities and the violation record every reporter and the public API speak."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass

__all__ = ["Counterpart", "Severity", "Violation"]


class Severity(str, enum.Enum):
    """How bad a finding is: ``error`` breaks a client or loses data, ``warning`` is fragile."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Counterpart:
    """Where the other stream of a ``diff`` has what a `D` finding is about: the upstream
    file and the line (and event index) of its responsible event, ``None`` where none is."""

    path: str
    line: int | None = None
    event_index: int | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """One place where a stream breaks the protocol.

    ``line`` is the 1-based line of the file where the offending event starts and
    ``event_index`` its 0-based index in the stream; both are ``None`` for end-of-stream
    findings.  ``pointer`` is a JSON Pointer into the event.  ``excerpt`` is a short quote of the
    offending event for human output (not part of the JSON contract).  ``upstream`` is set on
    the findings of ``diff`` (family `D`) only: where the upstream stream has it.
    """

    code: str
    name: str
    severity: Severity
    message: str
    line: int | None = None
    event_index: int | None = None
    sequence_number: int | None = None
    pointer: str | None = None
    excerpt: str | None = None
    upstream: Counterpart | None = None

    def to_dict(self) -> dict:
        """The violation as the JSON contract of design.md spells it (no excerpt); the
        ``upstream`` object only on `D` findings, so every other finding reads as before."""
        data = asdict(self)
        data["severity"] = self.severity.value
        del data["excerpt"]
        if self.upstream is None:
            del data["upstream"]
        return data

    def sort_key(self) -> tuple:
        """File order: by line (framing findings between events have a line but no event
        index), then event index (events fed as dicts have no line); end-of-stream findings,
        with neither, last."""
        at_end = self.line is None and self.event_index is None
        return (at_end, self.line or 0, self.event_index or 0, self.code)
