"""Human output: findings grouped per file, each with its line and a short quote of the event."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import click

from ..engine import StreamReport
from ..rules import LIVE_FAMILIES
from ..violations import Severity, Violation
from ._common import totals
from ._safe import printable

__all__ = ["CLEAN_LISTED", "render", "statistics"]

#: With more files than this, `lint` lists only those with findings (as ruff does).
CLEAN_LISTED = 5
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False,
           quiet: int = 0) -> str:
    """The text report of ``reports``: a header per file, its findings, the totals.  Clean
    files are not listed when there are more than :data:`CLEAN_LISTED` of them (``check``'s
    scenarios always are); ``quiet`` prints the findings only."""
    lines: list[str] = []
    many = len(reports) > CLEAN_LISTED
    for report in reports:
        if (quiet or many) and not report.violations and report.check is None:
            continue
        path = printable(report.path)
        if not quiet:
            lines.append(_style(f"{path} ({report.format or '?'}, {report.kind or '?'}, "
                                f"profile {report.profile}, {report.events} events"
                                f"{_live(report.check)})", color, bold=True))
        for v in sorted(report.violations, key=Violation.sort_key):
            where = f"{path}:{v.line}:" if v.line is not None else f"{path}:"
            severity = _style(f"[{v.severity}]", color, fg=_COLORS[v.severity])
            lines.append(f"{where} {v.code} {severity} {printable(v.message)} ({v.name})")
            if v.excerpt:
                lines.append(f"    {printable(v.excerpt)}")
        if quiet:
            continue
        if not report.violations:
            lines.append("  no findings")
        elif report.check is not None:
            lines += _reproduce(report)
    if not quiet:
        lines.append(_summary(reports, many))
    return "".join(line + "\n" for line in lines)


def statistics(reports: Sequence[StreamReport]) -> str:
    """``--statistics``: one line per rule that fired, most frequent first, then the totals."""
    tally = Counter((v.code, v.name, v.severity) for r in reports for v in r.violations)
    lines = [f"{count:>7}  {code}  {name:<36} [{severity}]"
             for (code, name, severity), count in sorted(tally.items(),
                                                         key=lambda kv: (-kv[1], kv[0][0]))]
    return "".join(line + "\n" for line in [*lines, totals(reports)])


def _live(check: dict | None) -> str:
    """HTTP status and timings of a ``check`` scenario, for its header line."""
    if check is None:
        return ""
    status = check["http_status"]
    first = check["time_to_first_event"]
    return (f", HTTP {status if status is not None else '-'}"
            f", first event {f'{first:.3f} s' if first is not None else '-'}"
            f", total {check['total_time']:.3f} s")


def _reproduce(report: StreamReport) -> list[str]:
    """How to see a failing scenario again: the saved capture's lint command (its stream
    findings; transport and expectation findings, H and X, are only seen live) and the curl
    command that sends its request again."""
    check = report.check or {}
    lines = []
    if check.get("reproduce"):
        lines.append(f"  reproduce: {printable(check['reproduce'])}")
    elif check.get("capture"):
        lines.append(f"  capture: {printable(check['capture'])}")
    elif any(not v.code.startswith(LIVE_FAMILIES) for v in report.violations):
        lines.append("  rerun with --save DIR to keep the capture and get the lint command")
    if check.get("curl"):
        lines.append(f"  replay: {printable(check['curl'])}")
    return lines


def _summary(reports: Sequence[StreamReport], many: bool) -> str:
    text = totals(reports)
    clean = sum(1 for r in reports if not r.violations and r.check is None)
    if many and clean:
        text += f" ({clean} without findings not listed)"
    if any(r.violations for r in reports):
        text += ". Run `stream-validator rule CODE` for what a finding means."
    return text


def _style(text: str, color: bool, **style: object) -> str:
    return click.style(text, **style) if color else text
