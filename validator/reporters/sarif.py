"""SARIF 2.1.0: the catalogue as ``tool.driver.rules``, one result per finding.

Levels map error/warning/info to SARIF's error/warning/note.  A result points at its file
(``artifactLocation.uri``, relative to ``%SRCROOT%`` when the path is relative) and, when the
finding belongs to an event, at the line where that event starts.  Capture files are not source
code, so line-based fingerprinting by code-scanning uploads is fragile: every result carries its
own ``partialFingerprints`` (rule, path, event index, pointer).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import quote

from .. import __version__
from ..result import Severity, StreamReport, Violation
from ..rules import RULES, Rule
from ._safe import printable

__all__ = ["SCHEMA", "document", "render"]

SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json")
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_INDEX = {code: i for i, code in enumerate(RULES)}


def document(reports: Sequence[StreamReport]) -> dict:
    """The SARIF log as a dict.  Rule default levels follow the profile of the first report."""
    profile = reports[0].profile if reports else "default"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "stream-validator", "version": __version__,
                                "rules": [_descriptor(rule, profile) for rule in RULES.values()]}},
            "results": [_result(report, v) for report in reports
                        for v in sorted(report.violations, key=Violation.sort_key)],
        }],
    }


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    return json.dumps(document(reports), ensure_ascii=True, indent=2) + "\n"


def _descriptor(rule: Rule, profile: str) -> dict:
    severity = rule.severity_in(profile)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what_it_does(rule)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": ({"level": _LEVELS[severity]} if severity is not None
                                 else {"enabled": False}),
        "properties": {"kind": rule.kind},
    }


def what_it_does(rule: Rule) -> str:
    """The *What it does* section of a rule's doc (every doc starts with it)."""
    return rule.doc.split("\n\n## ", 1)[0].removeprefix("## What it does\n").strip()


def _result(report: StreamReport, v: Violation) -> dict:
    physical: dict = {"artifactLocation": artifact_location(report.path)}
    if v.line is not None:
        physical["region"] = {"startLine": v.line}
    where = {"eventIndex": v.event_index, "sequenceNumber": v.sequence_number,
             "pointer": v.pointer}
    result = {
        "ruleId": v.code,
        "ruleIndex": _INDEX[v.code],
        "level": _LEVELS[v.severity],
        "message": {"text": printable(v.message)},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"streamValidator/v1": _fingerprint(report.path, v)},
        "properties": {key: value for key, value in where.items() if value is not None},
    }
    if v.upstream is not None:  # a `diff` finding: where the upstream stream has it
        related: dict = {"artifactLocation": artifact_location(v.upstream.path)}
        if v.upstream.line is not None:
            related["region"] = {"startLine": v.upstream.line}
        result["relatedLocations"] = [{"id": 1, "physicalLocation": related,
                                       "message": {"text": "upstream"}}]
    return result


def artifact_location(path: str) -> dict:
    """``{"uri": …}`` for a report path: percent-encoded, ``file:`` when absolute."""
    posix = PurePosixPath(path.replace("\\", "/"))
    try:
        raw = posix.as_posix().encode("utf-8", "surrogateescape")  # undecodable file names
    except UnicodeEncodeError:  # a lone surrogate no file name can hold
        raw = posix.as_posix().encode("utf-8", "surrogatepass")
    if posix.is_absolute():
        return {"uri": "file://" + quote(raw)}
    return {"uri": quote(raw), "uriBaseId": "%SRCROOT%"}


def _fingerprint(path: str, v: Violation) -> str:
    key = "\0".join((v.code, path, str(v.event_index), v.pointer or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
