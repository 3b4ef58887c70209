"""What a validation produces: severities, the violation record and the per-stream report.

Every reporter and the public API consume these types; nothing here knows how a stream is
validated (the engine, the kinds' checks) or where it came from (files, HTTP).
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

__all__ = ["Counterpart", "Severity", "StreamReport", "Violation"]


class Severity(str, enum.Enum):
    """How bad a finding is: ``error`` breaks a client or loses data, ``warning`` is fragile."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


class Counterpart(NamedTuple):
    """Where the other stream of a ``diff`` has what a `D` finding is about: the upstream
    file and the line (and event index) of its responsible event, ``None`` where none is.
    (A ``NamedTuple``: a frozen dataclass costs a lint's start-up ~3M instructions more to
    define.)"""

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
        else:
            data["upstream"] = self.upstream._asdict()
        return data

    def sort_key(self) -> tuple:
        """File order: by line (framing findings between events have a line but no event
        index), then event index (events fed as dicts have no line); end-of-stream findings,
        with neither, last."""
        at_end = self.line is None and self.event_index is None
        return (at_end, self.line or 0, self.event_index or 0, self.code)


@dataclass
class StreamReport:
    """The result of validating one stream."""

    path: str
    format: str | None
    kind: str | None
    profile: str
    events: int
    violations: list[Violation] = field(default_factory=list)
    #: What the stream built, per output item (Responses), per choice (chat) or per content
    #: block (anthropic).
    output: list[dict] = field(default_factory=list)
    #: Facts of a live run (`stream-validator check`): scenario, URL, HTTP status, timings.
    #: Written to the JSON report as the file entry's extra ``check`` field; ``None`` for lint.
    check: dict | None = None
    #: The answer reduced to what a translation must keep (``validator.content.Answer``), when
    #: it was asked for (``validate_stream(content=True)``); not part of the JSON report.
    answer: Any = None

    def count(self, severity: Severity) -> int:
        return sum(1 for v in self.violations if v.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def infos(self) -> int:
        return self.count(Severity.INFO)

    @property
    def is_conformant(self) -> bool:
        return self.errors == 0

    @property
    def output_text(self) -> str:
        """The text a client shows: every `output_text` part of the message items (Responses)
        or the content of choice 0 (chat), as streamed."""
        if self.kind == "chat":
            return next((c.get("content") or "" for c in self.output if c.get("index") == 0), "")
        if self.kind == "anthropic":
            return "".join(block["text"] for block in self.output if block.get("type") == "text")
        return "".join(part["text"] for item in self.output if item.get("type") == "message"
                       for part in item.get("content", ()) if part.get("type") == "output_text")

    def to_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "kind": self.kind,
                "profile": self.profile, "events": self.events,
                "violations": [v.to_dict() for v in
                               sorted(self.violations, key=Violation.sort_key)],
                **({"check": self.check} if self.check is not None else {})}
