"""What several reporters share: the verdict of a stream, one finding on one line, totals."""

from __future__ import annotations

from collections.abc import Sequence

from ..result import StreamReport, Violation
from ._safe import printable

__all__ = ["counts", "fails", "finding", "position", "totals"]


def fails(report: StreamReport, *, strict: bool = False) -> bool:
    """Whether ``report`` fails the run: an error, or a warning under ``--strict``."""
    return bool(report.errors or (strict and report.warnings))


def position(v: Violation) -> str:
    """Where a finding is: ``line 7`` or ``end of stream``."""
    return f"line {v.line}" if v.line is not None else "end of stream"


def finding(v: Violation) -> str:
    """``I003 [error] message (item-id-mismatch)``, stream content escaped."""
    return f"{v.code} [{v.severity}] {printable(v.message)} ({v.name})"


def counts(reports: Sequence[StreamReport]) -> str:
    """``1 error, 0 warnings, 2 info`` over ``reports``."""
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    infos = sum(r.infos for r in reports)
    return (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
            f"{infos} info")


def totals(reports: Sequence[StreamReport]) -> str:
    """``2 files: 1 error, 0 warnings, 0 info`` (``scenarios`` for the reports of ``check``)."""
    unit = "scenario" if reports and all(r.check is not None for r in reports) else "file"
    return f"{len(reports)} {unit}{'s' * (len(reports) != 1)}: {counts(reports)}"
