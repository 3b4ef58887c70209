"""Human output: findings grouped per file, each with its line and a short quote of the event;
for ``check``, findings grouped by cause across scenarios (one entry, N places), errors first,
then one verdict line per scenario."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import click

from ..result import Severity, StreamReport, Violation
from ..rules import LIVE_FAMILIES
from ._common import totals
from ._safe import printable

__all__ = ["CLEAN_LISTED", "render", "statistics"]

#: With more files than this, `lint` lists only those with findings (as ruff does).
CLEAN_LISTED = 5
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False,
           quiet: int = 0) -> str:
    """The text report of ``reports``: a header per file, its findings, the totals.  Clean
    files are not listed when there are more than :data:`CLEAN_LISTED` of them; ``quiet``
    prints the findings only."""
    if reports and all(r.check is not None for r in reports):
        return _render_check(reports, color, quiet)
    lines: list[str] = []
    many = len(reports) > CLEAN_LISTED
    for report in reports:
        if (quiet or many) and not report.violations:
            continue
        path = printable(report.path)
        if not quiet:
            lines.append(_style(f"{path} ({report.format or '?'}, {report.kind or '?'}, "
                                f"profile {report.profile}, {report.events} events)", color,
                                bold=True))
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


def _render_check(reports: Sequence[StreamReport], color: bool, quiet: int) -> str:
    """``check``'s report: each cause once with every place it occurs (errors first), then
    each scenario's verdict, timings and reproduce commands (``quiet``: the causes only)."""
    from ..causes import cause_key  # (`check` only: not at a lint's start-up)

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
        at = Counter(printable(f"{(r.check or {}).get('scenario')}"
                               + (f":{p.line}" if p.line else ""))
                     for r, p in places)
        where = ", ".join(place + (f" (x{n})" if n > 1 else "") for place, n in at.items())
        count = f" ({len(places)} places)" if len(places) > 1 else ""
        lines.append(f"    at {where}{count}")
    if quiet:
        return "".join(line + "\n" for line in lines)
    if causes:
        lines.append("")
    for report in reports:
        check = report.check or {}
        verdict = _style(check.get("verdict", "?"), color, bold=True)
        lines.append(f"{printable(check['scenario'])}: {verdict} ({_counts(report)}"
                     f"{_live(check)}) {printable(report.path)}")
        if report.violations:
            lines += _reproduce(report)
    lines.append(_summary(reports, False))
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
    clean = sum(1 for r in reports if not r.violations)
    if many and clean:
        text += f" ({clean} without findings not listed)"
    if any(r.violations for r in reports):
        text += ". Run `stream-validator rule CODE` for what a finding means."
    return text


def _style(text: str, color: bool, **style: Any) -> str:
    return click.style(text, **style) if color else text
