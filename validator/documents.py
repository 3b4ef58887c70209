"""Which JSON documents are captures: content tests on the first bytes of a ``.json`` file.

A repository holds ``.json`` files that are not streams (``package.json``, ``tsconfig.json``) and
the tool's own reports; linting them as streams gives thousands of meaningless errors.  Pure:
the shell reads the head of the file.
"""

from __future__ import annotations

import re

import orjson

from .engine import detect_kind

__all__ = ["HEAD_BYTES", "is_event_document", "is_own_report"]

#: How much of a file the content tests read.
HEAD_BYTES = 4096
# (compiled at their first use by `re`'s cache: most lints read no `.json` file)
_OWN_JSON = rb'\A\{\s*"version": \d+,\s*"files": \['
_OWN_SARIF = rb'\A\{\s*"\$schema": "[^"]*sarif[^"]*",.*"name": "stream-validator"'


def is_own_report(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a JSON or SARIF report this tool wrote."""
    return bool(re.match(_OWN_JSON, head) or re.match(_OWN_SARIF, head, re.S))


def is_event_document(head: bytes) -> bool:
    """Whether a ``.json`` file starting with ``head`` may hold events: a JSON array whose first
    element is an object, or JSON Lines whose first line is a Responses event or a chat chunk.
    Anything else that is not a JSON object (SSE, binary junk, an empty file) counts as events:
    the stream rules say what is wrong with it."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return text[1:].lstrip()[:1] in (b"{", b"]", b"")
    if not text.startswith(b"{"):
        return True
    first, newline, _ = text.partition(b"\n")
    try:
        return detect_kind(orjson.loads(first)) is not None
    except orjson.JSONDecodeError:
        # A first event longer than the head is a capture; an object spread over several lines
        # is a document (a configuration file, a report).
        return not newline
