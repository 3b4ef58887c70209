"""GitHub Actions: workflow-command annotations, and a Markdown step summary.

``::error file=…,line=…,title=…::message`` (``::warning``, ``::notice`` for lower severities),
one ``::group::`` per stream.  GitHub shows only the first 10 annotations of each level in a
step, so later findings are printed as plain log lines (starting with the severity word, never
with ``::``, so stream content cannot forge a command) and one notice counts them.  Message data
escapes ``%``, CR and LF; property values also ``:`` and ``,`` (the workflow-command rules).

:func:`summary` is the Markdown for ``$GITHUB_STEP_SUMMARY``; the shell appends it to that file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..result import Severity, StreamReport, Violation
from ._common import counts, finding, position, totals
from ._safe import printable

__all__ = ["ANNOTATIONS_PER_LEVEL", "SUMMARY_FINDINGS", "render", "summary"]

ANNOTATIONS_PER_LEVEL = 10
#: Findings listed in the step summary (GitHub caps a step summary at 1 MiB).
SUMMARY_FINDINGS = 500
_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    """The workflow commands for ``reports``, one per line."""
    budget = dict.fromkeys(_COMMANDS.values(), ANNOTATIONS_PER_LEVEL)
    lines: list[str] = []
    unannotated = 0
    for report in reports:
        lines.append(f"::group::{escape_data(report.path)} ({counts([report])})")
        for v in sorted(report.violations, key=Violation.sort_key):
            command = _COMMANDS[v.severity]
            if budget[command]:
                budget[command] -= 1
                lines.append(_annotation(command, report.path, v))
            else:
                unannotated += 1
                lines.append(f"{v.severity}: {printable(report.path)}: {position(v)}: {finding(v)}")
        lines.append("::endgroup::")
    if unannotated:
        lines.append(f"::notice::{unannotated} more finding{'s' * (unannotated != 1)} not "
                     f"annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} per level); see the log")
    lines.append(totals(reports))
    return "\n".join(lines) + "\n"


def _annotation(command: str, path: str, v: Violation) -> str:
    properties = {"file": path, "line": v.line, "title": f"{v.code} {v.name}"}
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{command} {props}::{escape_data(v.message)}"


def escape_data(text: str) -> str:
    """Message text: escaped for the terminal, then ``%``, CR, LF as GitHub decodes them."""
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: like message text, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(reports: Sequence[StreamReport]) -> str:
    """A Markdown step summary: a table of streams, then the findings (at most 500)."""
    lines = ["## stream-validator", "", f"**{totals(reports)}**", "",
             "| stream | kind | events | errors | warnings | info |", "|---|---|--:|--:|--:|--:|"]
    lines += [f"| {_cell(r.path)} | {r.kind or '?'} | {r.events} | {r.errors} | {r.warnings} "
              f"| {r.infos} |" for r in reports]
    rows = list(_finding_rows(reports))
    if rows:
        lines += ["", "| stream | where | code | severity | message |", "|---|---|---|---|---|",
                  *rows[:SUMMARY_FINDINGS]]
        if len(rows) > SUMMARY_FINDINGS:
            lines += ["", f"…and {len(rows) - SUMMARY_FINDINGS} more findings."]
    return "\n".join(lines) + "\n"


def _finding_rows(reports: Sequence[StreamReport]) -> Iterator[str]:
    for r in reports:
        for v in sorted(r.violations, key=Violation.sort_key):
            yield (f"| {_cell(r.path)} | {position(v)} | {v.code} `{v.name}` | {v.severity} "
                   f"| {_cell(v.message)} |")


# Backslash-escaping ASCII punctuation is always literal in CommonMark: no emphasis, links,
# images, HTML or extra table cells can come out of stream content.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&!#"})


def _cell(text: str) -> str:
    return printable(text).translate(_MARKDOWN)
