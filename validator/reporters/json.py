"""The machine-readable contract of design.md: ``{"version": 1, "files": […], "summary": …}``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..result import StreamReport

__all__ = ["document", "render"]

VERSION = 1


def document(reports: Sequence[StreamReport]) -> dict:
    """The JSON document as a dict."""
    return {
        "version": VERSION,
        "files": [report.to_dict() for report in reports],
        "summary": {
            "files": len(reports),
            "errors": sum(r.errors for r in reports),
            "warnings": sum(r.warnings for r in reports),
            "infos": sum(r.infos for r in reports),
        },
    }


def render(reports: Sequence[StreamReport], *, color: bool = False, strict: bool = False) -> str:
    # ensure_ascii: lone surrogates and control characters from stream content stay escaped,
    # so the document is valid JSON and valid UTF-8 whatever the stream held.
    return json.dumps(document(reports), ensure_ascii=True, indent=2) + "\n"
