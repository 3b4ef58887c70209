"""Make stream content safe to print: no terminal escape sequences, no broken lines."""

from __future__ import annotations

__all__ = ["printable"]

# C0 and C1 control characters (ESC among them), DEL, the Unicode line/paragraph separators
# and the bidirectional controls are shown escaped, so that echoed stream content can neither
# drive (or reorder) the terminal nor forge extra report lines.  With the noncharacters
# U+FFFE/U+FFFF and lone surrogates this also covers every character XML 1.0 forbids, so
# escaped text is safe in JUnit XML too.
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))}
_ESCAPES.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, 0xFFFE, 0xFFFF)})
# Bidirectional controls (embeddings, overrides, isolates, marks): U+202E reorders the rest of
# a report line on screen ("Trojan Source", CVE-2021-42574).
_ESCAPES.update({c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                            *range(0x2066, 0x206A))})
_SURROGATES = {c: f"\\u{c:04x}" for c in range(0xD800, 0xE000)}
_TABLE = str.maketrans({**_ESCAPES, **_SURROGATES})


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped."""
    return text.translate(_TABLE)
