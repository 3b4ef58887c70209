"""JSON array decoder: a capture saved as ``[ {event}, {event}, ... ]``, compact or pretty-printed.

# Strategy

The array is never held whole.  A small string- and escape-aware scanner walks its top level
chunk by chunk: it checks the array's own syntax (``[``, the ``,`` between elements, ``]``),
finds where each element starts (its line, from counting line breaks up to that byte) and where
it ends (following the nesting depth with a regular expression that jumps over whole strings and
everything that is not a bracket).  Each element's bytes — one slice of the chunk, or the
element's earlier chunks plus that slice — then go to ``orjson.loads``, exactly as a JSONL line
does; what orjson refuses is read as JSONL reads it (``Output._rejected``: a lone surrogate, a
number beyond 64 bits or a double, bad UTF-8), so an event reads the same in both formats.

The fast path takes most elements without the scanner, at about what a JSONL line costs: the
common element is an object followed by another, and an array spells the separator between two
(``}`` + blanks + ``,`` + blanks + ``{``) the same way throughout: ``},{``, ``}, {``, ``},\n{``,
``},\n  {`` for ``jq .``.  From an object's start, a window of up to ``_WINDOW`` bytes is cut at
that separator with one ``bytes.split`` (its last occurrence in the window found with ``rfind``);
each piece plus its two braces, one slice of the chunk, goes to ``orjson.loads``, and the
element is handed on as a JSONL line is (``emit``, in push mode straight to the consumer).  A
piece is an element exactly when it parses: a JSON value that parses ends where its start says
it ends, so a longer element cannot have that slice as a complete value, and what follows its
``}`` is the separator, so the next piece starts at the next element.  The first piece that does
not parse (the separator was inside a string or a nested array of objects, or the element is
broken) goes to the scanner, unless the first ``}``, ``,``, ``{`` after it, found with a
regular expression, is spelled otherwise: then that spelling is the separator from there on.

Line numbers stay exact without counting each piece: when no line break lies inside a window's
elements (one ``count``, or one ``find`` for a one-line array), each element is the
separator's line breaks after the one before; otherwise (pretty-printed, remembered for the next
window) each piece's line breaks are counted, and a chunk with a CR counts as the scanner does.
An object that is unfinished at a chunk's end, in the chunk's second half, is not scanned: its
bytes are carried to the front of the next chunk (at most half a chunk each time, so in all the
decoder copies at most twice the bytes it is fed), and ``close`` decodes what is still carried.
A long element is followed by the scanner, which skips its long strings with ``find``
(``_STRING`` only takes short runs: a regular expression costs some 30 times as much a byte).

# Limits and findings

An element longer than ``max_line_bytes`` is not kept: F009 once, the scanner follows it to its
end without buffering.  An element that is not valid JSON is a frame without payload and F001
(as in JSONL); decoding goes on with the next element.  A syntax error of the array itself (no
``,`` between elements, a trailing ``,``, a stray ``}``, data after the ``]``) ends the decoding
with one F001 at its line; its excerpt is the next 40 bytes whatever the chunking (collected
across chunks if need be), so the findings never depend on where the input was cut.
"""

from __future__ import annotations

import re

import orjson

from ._lines import FrameHandler, Item, Output, quote

__all__ = ["JSONArrayDecoder"]

#: A string whose runs without a backslash are short (a long one ends the match at its quote
#: and is skipped with ``find`` in ``_string``: a regular expression costs 30 times as much).
_STRING = rb'"[^"\\]{0,256}(?:\\.[^"\\]{0,256})*"'
# Everything up to the next bracket outside strings (or an unterminated string, or the end).
_INSIDE = re.compile(rb'(?:[^"\[\]{}]+|' + _STRING + rb')*([\[\]{}]|"|\Z)', re.S)
_SCALAR = re.compile(rb'[^ \t\r\n,\[\]{}"]*')
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
#: The likely end of an object element: its "}" and the "," and "{" of the next one.
_NEXT_OBJECT = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_EXCERPT = 40
#: The fast path cuts at most this many bytes at once; after an element it could not take, one
#: element, then twice as many bytes each time (a fallback to the scanner costs no more).
_WINDOW = 16 * 1024
#: Open brackets of an element whose kind is remembered (to find a "]" that closes a "{"):
#: twice orjson's nesting limit, beyond which the element is invalid anyway.
_STACK = 2048
_OPENER = {b"}": 123, b"]": 91}
_BEFORE, _IN, _AFTER, _BROKEN = range(4)  # phases
# Where the top level of the array is (depth 1): after "[", after ",", inside a number or other
# bare word, after a complete value.  Inside a container or a string the depth tells.
_FIRST, _NEXT, _SCALAR_OPEN, _CLOSED = range(4)


class JSONArrayDecoder(Output):
    """Sans-IO decoder of a JSON array of events: ``feed(bytes)`` / ``close()``."""

    def __init__(self, max_line_bytes: int = 64 * 1024 * 1024,
                 handler: FrameHandler | None = None) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        super().__init__(handler)
        self._max = max_line_bytes
        self._index = 0
        # scanner state
        self._phase = _BEFORE
        self._depth = 0
        self._slot = _FIRST
        self._in_string = False
        self._escape = False  # the chunk ended inside a string right after a backslash
        # the open top-level element
        self._open = False
        self._elem_start = 0  # its absolute offset
        self._elem_line = 0
        self._mark = 0  # where its bytes start in the current chunk (0: in an earlier one)
        self._pending = bytearray()  # its bytes from earlier chunks
        self._skipping = False  # it passed max_line_bytes: followed, not kept
        self._stack = bytearray()  # its open brackets (the first _STACK)
        # the fast path
        self._separator = b"},\n{"  # between two objects, as the last one found was spelled
        self._carrying = True  # an unfinished object at a chunk's end may wait for the next
        self._carry = b""  # the bytes of that object, to be scanned again with the next chunk
        self._flat = True  # no line breaks inside the elements of the last window
        self._window = _WINDOW  # the bytes the next window may span
        # a syntax error waiting for its excerpt: [code, message, line, excerpt]
        self._error: list | None = None
        # positions
        self._offset = 0  # absolute offset of the current chunk
        self._line = 1  # line at ``_counted``
        self._counted = 0  # bytes of the current chunk whose line breaks are counted
        self._prev_cr = False  # the previous chunk ended with CR
        self._has_cr = False  # the current chunk holds a CR

    # -- public ----------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Item]:
        if data:
            if self._phase != _BROKEN:
                if self._carry:
                    data, self._carry = self._carry + data, b""
                self._scan(data)
            elif self._error is not None:
                self._excerpt(data, 0)
        return self._take()

    def close(self) -> list[Item]:
        if self._carry:
            self._carrying = False
            data, self._carry = self._carry, b""
            self._scan(data)
        if self._phase == _IN:
            line = self._elem_line if self._open else self._line
            self._findings.add("F001", "the JSON array is truncated (the input ends inside it)",
                               line)
        elif self._error is not None:
            self._report_error()
        self._phase = _BROKEN
        self._findings.summary()
        return self._take()

    # -- scanning --------------------------------------------------------------------------

    def _scan(self, buf: bytes) -> None:
        self._counted = 0
        self._mark = 0
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
        if self._open and not self._skipping:
            if self._offset + end - self._elem_start > self._max:
                self._too_long()
            else:
                self._pending += buf[self._mark:] if self._mark else buf
        end -= len(self._carry)  # the carried bytes are this chunk's no more
        if end:
            self._count(buf, end)
            self._prev_cr = buf[end - 1] == 13
            self._offset += end

    def _string(self, buf: bytes, pos: int) -> int:
        """Inside a string: its end is the next quote after an even run of backslashes (found
        with ``find``: a regular expression backtracks over a long unterminated string)."""
        if self._escape:
            self._escape = False
            pos += 1
        find, end = buf.find, len(buf)
        while True:
            quote_at = find(b'"', pos)
            if quote_at < 0:
                run = end
                while run > pos and buf[run - 1] == 92:
                    run -= 1
                self._escape = (end - run) % 2 == 1
                return end
            run = quote_at
            while run > pos and buf[run - 1] == 92:  # "\\"
                run -= 1
            pos = quote_at + 1
            if (quote_at - run) % 2 == 0:
                break
        self._in_string = False
        if self._depth == 1:
            self._finish(buf, pos)
        return pos

    def _inside(self, buf: bytes, pos: int) -> int:
        """Inside an element's containers: follow the depth from bracket to bracket."""
        match, depth, stack = _INSIDE.match, self._depth, self._stack
        while True:
            found = match(buf, pos)  # the pattern matches everywhere (it may match nothing)
            pos, token = found.end(), found.group(1)  # type: ignore[union-attr]
            if token == b"{" or token == b"[":
                depth += 1
                if len(stack) < _STACK:
                    stack += token
            elif token == b"}" or token == b"]":
                opener = stack.pop() if depth - 1 <= len(stack) else _OPENER[token]
                if opener != _OPENER[token]:
                    self._fail(buf, pos - 1, f"invalid JSON array (a {token.decode()!r} closes "
                                             f"a {chr(opener)!r}), found ")
                    return len(buf)
                depth -= 1
                if depth == 1:
                    self._depth = 1
                    self._finish(buf, pos)
                    return pos
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
        if self._slot == _CLOSED:
            if byte == 44:  # ","
                self._slot = _NEXT
            elif byte == 93:  # "]"
                self._phase, self._depth = _AFTER, 0
            else:
                self._fail(buf, pos, "invalid JSON array (expected ',' or ']' after an element), "
                                     "found ")
            return pos + 1
        if byte == 93 and self._slot == _FIRST:  # "[]"
            self._phase, self._depth = _AFTER, 0
            return pos + 1
        if byte in b",]}":
            self._fail(buf, pos, "invalid JSON array (expected an element), found ")
            return pos + 1
        self._start(buf, pos)
        if byte == 123:  # "{"
            return self._object(buf, pos)
        if byte == 91:  # "["
            self._depth = 2
            self._stack.append(91)
        elif byte == 34:  # '"'
            self._in_string = True
        else:
            return self._scalar(buf, pos)
        return pos + 1

    def _object(self, buf: bytes, pos: int) -> int:
        """An object element (its start is recorded): the fast path (see the module comment)
        for it and the objects after it in this chunk, then the scanner for the first one it
        cannot take, or the unfinished last one carried over to the next chunk."""
        loads, decode_error, emit, line_at = orjson.loads, orjson.JSONDecodeError, self._emit, \
            self._line_at
        limit, index, line, cr = self._max, self._index, self._elem_line, self._has_cr
        run = self._run
        most = limit - 2  # bytes between an element's braces
        separator, window, first, found = self._separator, self._window, pos, None
        while True:
            # The elements of a window, cut at the separator as it was last spelled.
            width, breaks = len(separator), separator.count(b"\n")
            last = buf.rfind(separator, pos, pos + window)
            if last < 0:
                last = buf.find(separator, pos)  # a long element, or none ends in this chunk
            if last >= 0:
                # each element without its braces (and the empty rest after the last separator)
                pieces = buf[pos + 1:last + width].split(separator)
                pieces.pop()
                # No line break inside these elements: each is `breaks` lines after the one
                # before (not tested again while the last window had some: pretty-printed).
                flat = self._flat = not cr and self._flat and (
                    buf.count(b"\n", pos, last) == (len(pieces) - 1) * breaks if breaks
                    else buf.find(b"\n", pos, last) < 0)
                inner = 0
                for piece in pieces:
                    if (size := len(piece)) > most:
                        break
                    end = pos + size + 2
                    # The line breaks inside an element a run took: those of its first one (a
                    # JSON string holds none).
                    inside = -1
                    if run is not None:  # an offered run: its elements go as their fragment
                        fragment = run.fragment(buf[pos:end])
                        if fragment is not None:
                            run.on_fragment(index, line, fragment)
                            inside = run.breaks
                        else:
                            run = self._run = None
                    if inside < 0:
                        try:
                            payload = loads(buf[pos:end])
                        except decode_error:  # a separator inside the element, or a broken one
                            break
                        emit(index, line, payload, None)  # an object: no F002
                        if self._offer is not None:
                            run = self._run = self._adopt(buf[pos:end])
                    index += 1
                    pos += size + width  # the next "{"
                    if flat:
                        line += breaks
                    elif cr:
                        line = line_at(buf, pos)
                    else:
                        inner += (lines := piece.count(b"\n") if inside < 0 else inside)
                        line += lines + breaks
                else:
                    if not flat and not inner:
                        self._flat = True
                    window = min(2 * window, _WINDOW)
                    continue
                window = 1  # a window that ends early was cut in vain: the next ones grow again
            # The element at pos does not end at the separator: maybe at another spelling of it.
            found = _NEXT_OBJECT.search(buf, pos)
            if found is None or found.start() >= pos + limit or found.group() == separator:
                break  # none in this chunk, too long, or the one refused
            separator = found.group()
        self._index, self._separator, self._window = index, separator, window
        if not cr:
            self._line, self._counted = line, pos
        if pos != first:  # the open element is the one at pos
            self._start(buf, pos)
        if found is None and self._carrying and pos >= len(buf) // 2:
            # Its end is in a later chunk: its bytes wait for the next feed.
            self._open = False
            self._carry = buf[pos:]
            return len(buf)
        self._depth = 2
        self._stack.append(123)
        return pos + 1

    def _scalar(self, buf: bytes, pos: int) -> int:
        """A number or bare word at the top level: it ends at a blank or a delimiter."""
        end = _SCALAR.match(buf, pos).end()  # type: ignore[union-attr]  # matches everywhere
        if end == len(buf):
            self._slot = _SCALAR_OPEN
        else:
            self._finish(buf, end)
        return end

    def _outside(self, buf: bytes, pos: int) -> int:
        blank = _NON_BLANK.search(buf, pos)
        if blank is None:
            return len(buf)
        pos = blank.start()
        if self._phase == _BEFORE and buf[pos] == 91:  # "["
            self._phase, self._depth, self._slot = _IN, 1, _FIRST
            return pos + 1
        if self._phase == _BEFORE:
            self._fail(buf, pos, "a JSON input must be an array of events; it starts with ")
        else:
            self._fail(buf, pos, "data after the end of the JSON array: ")
        return len(buf)

    # -- elements --------------------------------------------------------------------------

    def _start(self, buf: bytes, pos: int) -> None:
        self._open = True
        self._stack.clear()
        self._elem_start = self._offset + pos
        self._elem_line = self._line_at(buf, pos)
        self._mark = pos

    def _finish(self, buf: bytes, end: int) -> None:
        """The open element ends at ``end`` of this chunk: parse it (unless it was too long)."""
        self._open = False
        self._slot = _CLOSED
        if self._skipping:
            self._skipping = False
            return
        if self._offset + end - self._elem_start > self._max:
            self._too_long()
            self._skipping = False
            return
        pending = self._pending
        if pending:
            pending += buf[self._mark:end]
            raw = bytes(pending)
            pending.clear()
        else:
            raw = buf[self._mark:end]
        index, line = self._index, self._elem_line
        self._index += 1
        self._run = None  # (a run goes on in the fast path only)
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self._rejected(raw, exc, line, index)
            self._offer = None  # made for a frame off the hot path
            return
        self._emit(index, line, payload, None)
        if self._offer is not None:
            self._run = self._adopt(raw)
        if type(payload) is not dict:
            self._findings.check_object(payload, raw, line, index)

    def _too_long(self) -> None:
        self._pending = bytearray()
        self._skipping = True
        self._findings.add("F009", f"array element longer than {self._max} bytes (the limit, "
                           "--max-line-bytes); skipped", self._elem_line)

    # -- syntax errors ---------------------------------------------------------------------

    def _fail(self, buf: bytes, pos: int, message: str) -> None:
        """A syntax error of the array at ``pos``: decoding ends; the finding (``message`` and
        the excerpt) is reported once
        its excerpt (the next ``_EXCERPT`` bytes, from this chunk and the next) is known."""
        self._phase = _BROKEN
        self._open = False
        self._error = ["F001", message, self._line_at(buf, pos), bytearray()]
        self._excerpt(buf, pos)

    def _excerpt(self, data: bytes, pos: int) -> None:
        excerpt = self._error[3]  # type: ignore[index]
        excerpt += data[pos:pos + _EXCERPT - len(excerpt)]
        if len(excerpt) >= _EXCERPT:
            self._report_error()

    def _report_error(self) -> None:
        code, message, line, excerpt = self._error  # type: ignore[misc]
        self._error = None
        self._findings.add(code, message + quote(bytes(excerpt), _EXCERPT), line)

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
