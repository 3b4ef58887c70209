"""JUnit XML: one test suite, one test case per stream (file or scenario).

A test case fails exactly when its stream makes the run fail: on an error, or on a warning
under ``--strict``; its failure text lists every finding.  A passing stream that has findings
lists them in ``<system-out>``.  Test case names are unique (GitLab keys cases by classname and
name, so duplicates would collapse), and every piece of stream content goes through
:func:`printable`, which removes whatever XML 1.0 forbids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence

from ..result import StreamReport, Violation
from ._common import counts, fails, finding, position
from ._safe import printable

__all__ = ["render"]

SUITE = "stream-validator"


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    """The JUnit XML document of ``reports``."""
    failures = sum(fails(r, strict=strict) for r in reports)
    tally = {"tests": str(len(reports)), "failures": str(failures), "errors": "0",
             "skipped": "0"}
    root = ET.Element("testsuites", {"name": SUITE, **tally})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **tally})
    for report, name in zip(reports, unique_names(r.path for r in reports), strict=True):
        case = ET.SubElement(suite, "testcase", classname=f"{SUITE}.{report.kind or 'unknown'}",
                             name=name)
        details = "\n".join(_lines(report))
        if fails(report, strict=strict):
            failure = ET.SubElement(case, "failure", type="stream-validator",
                                    message=counts([report]))
            failure.text = details
        elif details:
            ET.SubElement(case, "system-out").text = details
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def unique_names(paths: Iterable[str]) -> Iterator[str]:
    """``paths`` escaped, the second and later copies of a name suffixed `` #2``, `` #3``…"""
    seen: set[str] = set()
    for path in paths:
        name = base = printable(path)
        copy = 1
        while name in seen:
            copy += 1
            name = f"{base} #{copy}"
        seen.add(name)
        yield name


def _lines(report: StreamReport) -> Iterator[str]:
    for v in sorted(report.violations, key=Violation.sort_key):
        yield f"{position(v)}: {finding(v)}"
        if v.excerpt:
            yield f"    {printable(v.excerpt)}"
    check = report.check or {}
    if report.violations and check.get("reproduce"):  # `check`: how to see it again
        yield f"reproduce: {printable(check['reproduce'])}"
    if report.violations and check.get("curl"):
        yield f"replay: {printable(check['curl'])}"
