"""Make stream content safe to print: no terminal escape sequences, no broken lines."""

from __future__ import annotations

import re
from functools import cache

__all__ = ["printable"]

# C0 and C1 control characters (ESC among them), DEL, the Unicode line/paragraph separators
# and the bidirectional controls are shown escaped, so that echoed stream content can neither
# drive (or reorder) the terminal nor forge extra report lines.  With the noncharacters
# U+FFFE/U+FFFF and lone surrogates this also covers every character XML 1.0 forbids, so
# escaped text is safe in JUnit XML too.  (A pattern, not a translation table: building
# the table of 2,000 surrogates cost a small lint a fifth of a Python start-up.)
_UNSAFE = (r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
           # Bidirectional controls (embeddings, overrides, isolates, marks): U+202E reorders
           # the rest of a report line on screen ("Trojan Source", CVE-2021-42574).
           r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
           r"\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@cache
def _unsafe() -> re.Pattern[str]:
    return re.compile(_UNSAFE)  # (~1 ms: compiled when a text needs it, not at start-up)


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped."""
    if text.isprintable():  # every character of _UNSAFE is unprintable: nothing to escape
        return text
    return _unsafe().sub(_escaped, text)
