"""Human output: findings grouped per file, each with its line and a short quote of the event."""

from __future__ import annotations

from collections.abc import Sequence

import click

from ..engine import StreamReport
from ..rules import LIVE_FAMILIES
from ..violations import Severity, Violation
from ._common import totals
from ._safe import printable

__all__ = ["render"]

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    """The text report of ``reports``."""
    lines: list[str] = []
    for report in reports:
        path = printable(report.path)
        lines.append(_style(f"{path} ({report.format or '?'}, {report.kind or '?'}, "
                            f"profile {report.profile}, {report.events} events"
                            f"{_live(report.check)})", color, bold=True))
        for v in sorted(report.violations, key=Violation.sort_key):
            where = f"{path}:{v.line}:" if v.line is not None else f"{path}:"
            severity = _style(f"[{v.severity}]", color, fg=_COLORS[v.severity])
            lines.append(f"{where} {v.code} {severity} {printable(v.message)} ({v.name})")
            if v.upstream is not None:
                up = v.upstream
                lines.append(f"    upstream: {printable(up.path)}"
                             f"{f':{up.line}' if up.line is not None else ''}")
            if v.excerpt:
                lines.append(f"    {printable(v.excerpt)}")
        if not report.violations:
            lines.append("  no findings")
        elif report.check is not None and (hint := _reproduce(report)):
            lines.append(hint)
    lines.append(_summary(reports))
    return "\n".join(lines) + "\n"


def _live(check: dict | None) -> str:
    """HTTP status and timings of a ``check`` scenario, for its header line."""
    if check is None:
        return ""
    status = check["http_status"]
    first = check["time_to_first_event"]
    return (f", HTTP {status if status is not None else '-'}"
            f", first event {f'{first:.3f} s' if first is not None else '-'}"
            f", total {check['total_time']:.3f} s")


def _reproduce(report: StreamReport) -> str | None:
    """How to see a failing scenario's stream findings again: the saved capture's lint
    command.  Transport and expectation findings (H, X) are only seen live."""
    check = report.check or {}
    if check.get("reproduce"):
        return f"  reproduce: {printable(check['reproduce'])}"
    if check.get("capture"):
        return f"  capture: {printable(check['capture'])}"
    if any(not v.code.startswith(LIVE_FAMILIES) for v in report.violations):
        return "  rerun with --save DIR to keep the capture and get the lint command"
    return None


def _summary(reports: Sequence[StreamReport]) -> str:
    text = totals(reports)
    if any(r.violations for r in reports):
        text += ". Run `stream-validator rule CODE` for what a finding means."
    return text


def _style(text: str, color: bool, **style: object) -> str:
    return click.style(text, **style) if color else text
