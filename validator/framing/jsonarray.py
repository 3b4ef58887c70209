"""JSON array decoder: a capture saved as ``[ {event}, {event}, ... ]``, compact or pretty-printed.

# Strategy

Two readers run over the same bytes, chunk by chunk, so that the array is never held whole:

- ijson (``items_coro``, push style, ``use_float=True``) parses the elements and yields each one
  when it is complete.  It validates the syntax but knows no positions.
- ``_scan``, a small string- and escape-aware scanner, walks the structure only: it follows the
  nesting depth with a regular expression that jumps over whole strings and everything that is not
  a bracket, and records where each top-level element starts (its line, from counting line breaks
  up to that byte).  ijson yields elements in order, so the k-th element is paired with the k-th
  recorded start (``_starts``).

The scanner also guards ijson, which has no limits of its own (nesting 20000 deep costs it a GB):
an element nested deeper than ``MAX_DEPTH`` (F001) or longer than ``max_line_bytes`` (F009) is cut
off at an exact byte position, the ijson parser is dropped and the scanner skips to the element's
end; a fresh parser is then primed with ``[0`` (a dummy element, discarded) and fed from the comma
on.  Cutting at a fixed byte, not where the chunk happened to end, keeps the result independent
of the chunking.  Anything ijson rejects ends the decoding: one F001 (F005 for bad UTF-8) at the
line of the element it was reading.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import ijson
import orjson

from ..model import Frame
from ._lines import Findings, Item, quote

__all__ = ["MAX_DEPTH", "JSONArrayDecoder"]

#: Nesting allowed inside one element (orjson's limit, used for SSE and JSONL, is the same).
MAX_DEPTH = 1024

_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
# Everything up to the next bracket outside strings (or an unterminated string, or the end).
_INSIDE = re.compile(rb'(?:[^"\[\]{}]+|' + _STRING + rb')*([\[\]{}]|"|\Z)', re.S)
_SCALAR = re.compile(rb'[^ \t\r\n,\[\]{}"]*')
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
_BEFORE, _IN, _AFTER, _BROKEN = range(4)  # phases
# Where the top level of the array is (depth 1): after "[", after ",", inside a number or other
# bare word, after a complete value.  Inside a container or a string the depth tells.
_FIRST, _NEXT, _SCALAR_OPEN, _CLOSED = range(4)


def _dumps(payload: Any) -> str:
    """``payload`` as JSON text for a message (orjson gives up past 254 levels: then a stub)."""
    try:
        return orjson.dumps(payload, default=str).decode()
    except TypeError:
        return "[…]" if isinstance(payload, list) else type(payload).__name__


class JSONArrayDecoder:
    """Sans-IO decoder of a JSON array of events: ``feed(bytes)`` / ``close()``."""

    def __init__(self, max_line_bytes: int = 64 * 1024 * 1024) -> None:
        self._max = max_line_bytes
        self._out: list[Item] = []
        self._findings = Findings(self._out)
        self._items: list[Any] = ijson.sendable_list()
        self._coro: Any = ijson.items_coro(self._items, "item", use_float=True)
        self._dummy = False  # the parser was primed with "[0": drop its first item
        self._index = 0
        self._starts: deque[int] = deque()  # lines of started elements ijson has not yielded
        # scanner state
        self._phase = _BEFORE
        self._depth = 0
        self._slot = _FIRST
        self._in_string = False
        self._escape = False  # the chunk ended inside a string right after a backslash
        self._elem_start = -1  # absolute offset of the open top-level element, -1: none
        self._elem_line = 0
        self._skipping = False  # the open element was cut off: feed nothing until its end
        # positions
        self._offset = 0  # absolute offset of the current chunk
        self._fed = 0  # bytes of the current chunk already sent to ijson (or skipped)
        self._line = 1  # line at ``_counted``
        self._counted = 0  # bytes of the current chunk whose line breaks are counted
        self._prev_cr = False  # the previous chunk ended with CR
        self._has_cr = False  # the current chunk holds a CR

    # -- public ----------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Item]:
        if data and self._phase != _BROKEN:
            self._scan(data)
        return self._take()

    def close(self) -> list[Item]:
        if self._phase == _IN:
            self._drain()
            self._report("F001", "the JSON array is truncated (the input ends inside it)")
        elif self._phase == _AFTER:
            self._send(None)  # the array is complete: this only lets ijson finish
        self._phase = _BROKEN
        self._findings.summary()
        return self._take()

    # -- scanning --------------------------------------------------------------------------

    def _scan(self, buf: bytes) -> None:
        self._fed = self._counted = 0
        self._has_cr = b"\r" in buf
        pos, end = 0, len(buf)
        while pos < end and self._phase != _BROKEN:
            if self._in_string:
                pos = self._string(buf, pos)
            elif self._depth >= 2:
                pos = self._inside(buf, pos)
            elif self._depth == 1:
                pos = self._between(buf, pos)
            else:
                pos = self._outside(buf, pos)
        if self._phase != _BROKEN:
            if self._elem_start >= 0 and not self._skipping \
                    and self._offset + end - self._elem_start > self._max:
                self._too_long(buf)
            if not self._skipping:
                self._send(buf[self._fed:])
            self._count(buf, end)
        self._prev_cr = buf[-1] == 13
        self._offset += end

    def _string(self, buf: bytes, pos: int) -> int:
        if self._escape:
            self._escape = False
            pos += 1
            if pos >= len(buf):
                return pos
        match = _STRING_REST.match(buf, pos)
        if match is None:
            rest = buf[pos:]
            self._escape = (len(rest) - len(rest.rstrip(b"\\"))) % 2 == 1
            return len(buf)
        self._in_string = False
        if self._depth == 1:
            self._slot = _CLOSED
        return match.end()

    def _inside(self, buf: bytes, pos: int) -> int:
        """Inside an element's containers: follow the depth from bracket to bracket."""
        match, depth, limit = _INSIDE.match, self._depth, MAX_DEPTH + 1
        while True:
            found = match(buf, pos)
            pos, token = found.end(), found.group(1)
            if token == b"{" or token == b"[":
                depth += 1
                if depth > limit and not self._skipping:
                    self._depth = depth
                    if self._offset + pos - 1 - self._elem_start < self._max:
                        self._too_deep(buf, pos - 1)
                    else:  # the length limit was passed first, whatever the chunking
                        self._too_long(buf)
                    return pos
            elif token == b"}" or token == b"]":
                depth -= 1
                if depth == 1:
                    self._slot = _CLOSED
                    break
            else:  # a string that goes on in the next chunk, or the end of this one
                self._in_string = token == b'"'
                break
        self._depth = depth
        return pos

    def _between(self, buf: bytes, pos: int) -> int:
        """The top level of the array: element starts, and the "," or "]" after each element."""
        if self._slot == _SCALAR_OPEN:
            return self._scalar(buf, pos)
        blank = _NON_BLANK.search(buf, pos)
        if blank is None:
            return len(buf)
        pos = blank.start()
        byte = buf[pos]
        if self._slot == _CLOSED and byte in b",]":
            self._end_element(buf, pos, byte)
            return pos + 1
        if byte == 93 and self._slot == _FIRST:  # "[]"
            self._phase, self._depth = _AFTER, 0
            return pos + 1
        # A value starts (after "[" or ","; anywhere else it is a syntax error, and recording
        # a start there too is what lets the error be reported at its line).
        self._start(buf, pos)
        if byte in b"[{":
            self._depth = 2
        elif byte == 34:  # '"'
            self._in_string = True
        elif byte in b",]":  # a missing value: ijson reports it
            self._end_element(buf, pos, byte)
        else:
            return self._scalar(buf, pos)
        return pos + 1

    def _scalar(self, buf: bytes, pos: int) -> int:
        """A number or bare word at the top level: it ends at a blank or a delimiter."""
        end = _SCALAR.match(buf, pos).end()
        self._slot = _SCALAR_OPEN if end == len(buf) else _CLOSED
        return end

    def _outside(self, buf: bytes, pos: int) -> int:
        blank = _NON_BLANK.search(buf, pos)
        if blank is None:
            return len(buf)
        pos = blank.start()
        if self._phase == _BEFORE and buf[pos] == 91:  # "["
            self._phase, self._depth, self._slot = _IN, 1, _FIRST
            return pos + 1
        self._cut(buf, pos)
        self._drain()
        self._line_at(buf, pos)
        if self._phase == _BEFORE:
            self._report("F001", "a JSON input must be an array of events; it starts with "
                         f"{quote(buf[pos:pos + 40], 40)}")
        else:
            self._report("F001", f"data after the end of the JSON array: {quote(buf[pos:])}")
        self._phase = _BROKEN
        return len(buf)

    # -- elements --------------------------------------------------------------------------

    def _start(self, buf: bytes, pos: int) -> None:
        if self._skipping:  # whatever follows a cut-off element up to its "," is skipped too
            return
        self._elem_start = self._offset + pos
        self._elem_line = self._line_at(buf, pos)
        self._starts.append(self._elem_line)

    def _end_element(self, buf: bytes, at: int, byte: int) -> None:
        if self._elem_start >= 0 and not self._skipping \
                and self._offset + at - self._elem_start > self._max:
            self._too_long(buf)
        self._elem_start = -1
        if self._skipping:
            self._resume(buf, at)
        if byte == 44:  # ","
            self._slot = _NEXT
        else:  # "]"
            self._phase, self._depth = _AFTER, 0

    def _too_long(self, buf: bytes) -> None:
        """The open element passed ``max_line_bytes``: cut it at exactly that byte."""
        if not self._abandon(buf, self._elem_start + self._max + 1 - self._offset):
            return
        self._findings.add("F009", f"array element longer than {self._max} bytes (the limit, "
                           "--max-line-bytes); skipped", self._elem_line)

    def _too_deep(self, buf: bytes, at: int) -> None:
        if not self._abandon(buf, at):
            return
        self._out.append(Frame(self._index, self._elem_line))
        self._findings.add("F001", f"invalid JSON: nested deeper than {MAX_DEPTH} levels",
                           self._elem_line, self._index)
        self._index += 1

    def _abandon(self, buf: bytes, cut: int) -> bool:
        """Feed up to ``cut``, then drop the parser (and the element it was building).

        ``False`` if the parser failed on those bytes first (the decoding is over).
        """
        self._cut(buf, cut)
        if self._phase == _BROKEN:
            return False
        if self._starts:
            self._starts.pop()
        self._coro = None
        self._skipping = True
        return True

    def _resume(self, buf: bytes, at: int) -> None:
        """The skipped element ended at ``at`` (a "," or "]"): a new parser takes over there."""
        self._items.clear()
        self._coro = ijson.items_coro(self._items, "item", use_float=True)
        self._skipping = False
        self._fed = at
        self._dummy = True
        self._send(b"[0")

    # -- ijson -----------------------------------------------------------------------------

    def _cut(self, buf: bytes, pos: int) -> None:
        if not self._skipping and pos > self._fed:
            self._send(buf[self._fed:pos])
        self._fed = pos

    def _send(self, data: bytes | None) -> None:
        """Feed ijson (``None``: end of input), then collect the elements it completed."""
        if self._coro is None:
            return
        try:
            if data is None:
                self._coro.close()
            elif data:
                self._coro.send(data)
        except (ijson.JSONError, ValueError) as exc:
            self._drain()
            self._coro = None
            self._broken(exc)
        else:
            self._drain()

    def _drain(self) -> None:
        items = self._items
        if not items:
            return
        out, starts = self._out, self._starts
        for payload in items:
            if self._dummy:
                self._dummy = False
                continue
            line = starts.popleft() if starts else None
            out.append(Frame(self._index, line, payload, None, False))
            if type(payload) is not dict:
                self._findings.check_object(payload, _dumps(payload), line, self._index)
            self._index += 1
        items.clear()

    def _broken(self, exc: Exception) -> None:
        text = exc.args[0] if exc.args else ""
        if isinstance(text, bytes):  # the C backend's lexical errors
            text = text.decode("utf-8", "replace")
        message = str(text).strip().split("\n", 1)[0] or type(exc).__name__
        if "UTF8" in message:
            self._report("F005", "invalid UTF-8 in the JSON array; the rest is not read")
        else:
            self._report("F001", f"invalid JSON array ({message}); the rest is not read")
        self._phase = _BROKEN

    def _report(self, code: str, message: str) -> None:
        line = self._starts[0] if self._starts else self._line
        self._findings.add(code, message, line)

    # -- lines -----------------------------------------------------------------------------

    def _line_at(self, buf: bytes, pos: int) -> int:
        self._count(buf, pos)
        return self._line

    def _count(self, buf: bytes, pos: int) -> None:
        """Advance ``_line`` over ``buf[_counted:pos]`` (LF, CRLF and lone CR: one break each)."""
        start = self._counted
        if pos <= start:
            return
        breaks = buf.count(b"\n", start, pos)
        if self._has_cr:
            breaks += buf.count(b"\r", start, pos) - buf.count(b"\r\n", start, pos)
        if buf[start] == 10 and (buf[start - 1] == 13 if start else self._prev_cr):
            breaks -= 1  # the LF of a CRLF whose CR was counted already
        self._line += breaks
        self._counted = pos

    def _take(self) -> list[Item]:
        out = self._out
        if not out:
            return []
        taken = out.copy()
        out.clear()
        return taken
