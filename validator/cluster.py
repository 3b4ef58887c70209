"""Lint captures on a Dask cluster: ``validate_file`` mapped over paths by Dask's scheduler.

A gateway that samples its production traffic collects more captures than one machine lints in
time.  This module adds no scheduler of its own: ``lint_on_dask`` submits one task per capture
to a ``distributed.Client`` (a ``LocalCluster`` or a real one) and gathers the reports in the
order of the paths; ``findings_jsonl`` and ``rule_summary`` turn them into one JSON line per
finding and a count per rule.  The workers open the paths themselves, so they must see the same
files (a shared volume, a mounted bucket).  Install it with ``pip install
'stream-validator[dask]'``; this module imports Dask only through the client it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["findings_jsonl", "lint_on_dask", "rule_summary"]


def lint_path(path: str, options: dict[str, Any]) -> dict:
    """One task: the JSON report of one capture (``StreamReport.to_dict()``), as ``lint``
    builds it (gzip-compressed captures are read decompressed)."""
    from .cli import Unreadable, _lint_one  # the shell's reader: gzip as lint has it

    try:
        return _lint_one(path, "<stdin>", options).to_dict()
    except Unreadable as exc:
        raise OSError(f"cannot read {path}: {exc}") from None


def lint_on_dask(client: Any, paths: Sequence[str], **options: Any) -> list[dict]:
    """The report of each path (``StreamReport.to_dict()``), in order, each linted by a task on
    ``client``'s cluster.  ``options`` are ``validate_stream``'s (``profile``, ``select``, …)."""
    futures = client.map(lint_path, list(paths), options=options, pure=False)
    return client.gather(futures)


def findings_jsonl(reports: Iterable[dict]) -> str:
    """One JSON object per finding, with the path of its capture, one per line."""
    return "".join(json.dumps({"path": report["path"], **violation}, ensure_ascii=False) + "\n"
                   for report in reports for violation in report["violations"])


def rule_summary(reports: Iterable[dict]) -> dict[str, dict]:
    """Per rule code: its name and severity, how many findings and in how many captures."""
    summary: dict[str, dict] = {}
    for report in reports:
        for code in {v["code"] for v in report["violations"]}:
            summary.setdefault(code, {"files": 0})["files"] += 1
        for violation in report["violations"]:
            entry = summary[violation["code"]]
            entry.update(name=violation["name"], severity=violation["severity"])
            entry["findings"] = entry.get("findings", 0) + 1
    return dict(sorted(summary.items()))
