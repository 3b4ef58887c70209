"""Human output: findings grouped per file, each with its line and a short quote of the event;
for ``check``, findings grouped by cause across scenarios (one entry, N places), errors first,
then one verdict line per scenario."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import click

from ..causes import cause_key
from ..engine import StreamReport
from ..rules import LIVE_FAMILIES
from ..violations import Severity, Violation
from ._common import totals
from ._safe import printable

__all__ = ["render"]

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    """The text report of ``reports``."""
    if reports and all(r.check is not None for r in reports):
        return _render_check(reports, color)
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
            if v.excerpt:
                lines.append(f"    {printable(v.excerpt)}")
        if not report.violations:
            lines.append("  no findings")
        elif report.check is not None and (hint := _reproduce(report)):
            lines.append(hint)
    lines.append(_summary(reports))
    return "\n".join(lines) + "\n"


def _render_check(reports: Sequence[StreamReport], color: bool) -> str:
    """``check``'s report: each cause once with every place it occurs (errors first), then
    each scenario's verdict, timings and reproduce command."""
    causes: dict[tuple, list[tuple[StreamReport, Violation]]] = {}
    for report in reports:
        for v in sorted(report.violations, key=Violation.sort_key):
            causes.setdefault(cause_key(v), []).append((report, v))
    lines: list[str] = []
    for places in sorted(causes.values(), key=lambda p: (_RANK[p[0][1].severity], p[0][1].code)):
        report, v = places[0]
        severity = _style(f"[{v.severity}]", color, fg=_COLORS[v.severity])
        lines.append(f"{v.code} {severity} {printable(v.message)} ({v.name})")
        if v.excerpt:
            lines.append(f"    {printable(v.excerpt)}")
        at = Counter(printable(f"{r.check['scenario']}" + (f":{p.line}" if p.line else ""))
                     for r, p in places)
        where = ", ".join(place + (f" (x{n})" if n > 1 else "") for place, n in at.items())
        count = f" ({len(places)} places)" if len(places) > 1 else ""
        lines.append(f"    at {where}{count}")
    if causes:
        lines.append("")
    for report in reports:
        check = report.check or {}
        verdict = _style(check.get("verdict", "?"), color, bold=True)
        lines.append(f"{printable(check['scenario'])}: {verdict} ({_counts(report)}"
                     f"{_live(check)}) {printable(report.path)}")
        if report.violations and (hint := _reproduce(report)):
            lines.append(hint)
    lines.append(_summary(reports))
    return "\n".join(lines) + "\n"


def _counts(report: StreamReport) -> str:
    return (f"{report.errors} error{'s' * (report.errors != 1)}, {report.warnings} "
            f"warning{'s' * (report.warnings != 1)}")


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
