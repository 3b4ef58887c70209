"""What the line-based decoders (SSE, JSONL) share: line splitting, bounded lines, findings.

# Strategy

Bytes are cut into lines *in bulk*: a chunk is split with ``bytes.split(b"\\n")`` and the
unfinished last piece is kept for the next chunk.  Lines end in LF, CRLF or a lone CR (the
WHATWG SSE rule, used for JSONL too so that line numbers agree everywhere).  Chunks without a CR
(nearly all of them) go straight to ``split``; a chunk with a CR is normalised first
(``CRLF -> LF``, then ``CR -> LF``).  A CR that ends a chunk ends its line at once, and a LF that
starts the next chunk is then dropped (``_skip_lf``): the CRLF pair counts as one line break
whatever the chunking.  Splitting on bytes never breaks a line at U+2028, U+2029 or U+0085, and
it keeps multi-byte UTF-8 characters whole, because a line is only handed on once complete.

Lines stay ``bytes``: orjson validates UTF-8 itself, so the decoders only decode text on their
slow paths (see ``Findings.utf8``).

# Bounded memory

A line longer than ``max_line_bytes`` is never held: once the unfinished piece grows past the
limit it is dropped, ``_too_long`` is called once (in stream order: every earlier line has been
delivered) and the bytes up to the next line break are discarded as they arrive.  A long line
that arrives complete inside one chunk is treated the same, so the result does not depend on the
chunking.  A line longer than the chunk that ends it (a `*.done` event repeating a long text) is
joined from its pieces alone and handed on alone: it is held once while its event is handled,
not also inside a joined chunk nor, in SSE, beside its data: SSE cuts such a data line's field
name off the buffer in place (``_line_alone``), so the line is never copied into its value.
Before a line of ``TRIM_BYTES`` or more is handed on, the heap's free pages are given back to
the system (``trim.py``): the blocks the last long event freed would stay resident otherwise.

# Subclass contract

``LineReader`` subclasses implement ``_lines(lines)`` (complete lines, in order),
``_too_long(head)`` (one over-long line, ``head`` its first bytes) and ``_eof(partial)`` (end of
input, with the unterminated last line or ``None``).  They count lines themselves and append
frames and findings to ``self._out``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import orjson

from ..model import Finding, Frame
from .runs import OnFragment, Run, template
from .trim import TRIM_BYTES, release_free_memory

__all__ = ["CAP", "Findings", "FrameHandler", "Item", "LineReader", "Output", "quote"]

Item = Frame | Finding

_HEAD_BYTES = 80
_QUOTE_CHARS = 80
#: Findings of one code reported per stream before the rest are only counted (bounded output
#: for a random or hostile file).
CAP = 20


_KINDS = {str: "a string", list: "an array", int: "a number", float: "a number",
          bool: "true/false", type(None): "null"}
_ORJSON_MESSAGE = r"(.*): line (\d+) column (\d+) \(char \d+\)"  # (compiled on first use)


def _reason(exc: ValueError) -> str:
    """orjson's message, shortened: ``unexpected end of data at column 7``."""
    match = re.fullmatch(_ORJSON_MESSAGE, str(exc), re.S)
    if match is None:
        return str(exc)[:120]
    reason, line, column = match.groups()
    where = f"column {column}" if line == "1" else f"line {line} of the data, column {column}"
    return f"{reason} at {where}"


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _rfc_loads(text: str) -> Any:
    """JSON text that orjson refuses although RFC 8259's grammar allows it, read as the
    clients' parsers read it (Python's ``json``, JavaScript's ``JSON.parse``): an escaped lone
    surrogate (``"\\ud800"``), a number beyond a double (``1e400``).  ``ValueError`` for
    anything else, ``NaN`` and ``Infinity`` included."""
    return json.loads(text, parse_constant=_not_json)


def quote(data: bytes | str, limit: int = _QUOTE_CHARS) -> str:
    """``data`` as a short quoted excerpt for a message (at most ``limit`` characters)."""
    if isinstance(data, bytes):
        data = data[: limit * 4].decode("utf-8", "replace")
    if len(data) > limit:
        data = data[: limit - 1] + "…"
    return repr(data)


class FrameHandler(Protocol):
    """Where a decoder in push mode sends what it decodes, in stream order, as it decodes it.

    ``on_event`` takes the common case without building a ``Frame``: an event whose data parsed
    (``name`` is the SSE ``event:`` name or ``None``); ``on_item`` takes every other frame and
    every finding.
    """

    def on_event(self, index: int, line: int, payload: Any, name: str | None) -> None: ...

    def on_item(self, item: Item) -> None: ...


class _Push:
    """A decoder's output in push mode: ``append`` hands the item on at once."""

    __slots__ = ("append",)

    def __init__(self, append: Callable[[Item], None]) -> None:
        self.append = append


class Findings:
    """Reports capped per code: the first ``CAP`` as given, the rest counted for ``close``."""

    __slots__ = ("_counts", "_out")

    def __init__(self, out: Any) -> None:
        self._out = out
        self._counts: dict[str, int] = {}

    @contextmanager
    def after(self, frame: Frame) -> Iterator[None]:
        """Findings added inside the block are emitted after ``frame`` (which the block may
        still complete, e.g. with the payload whose parsing gave them)."""
        out = self._out
        pending: list[Any] = []
        self._out = pending
        try:
            yield
        finally:
            self._out = out
            out.append(frame)
            for finding in pending:
                out.append(finding)

    def add(self, code: str, message: str, line: int | None, index: int | None = None,
            *, capped: bool = False) -> None:
        if capped:
            count = self._counts.get(code, 0) + 1
            self._counts[code] = count
            if count > CAP:
                return
        self._out.append(Finding(code, message, line, index))

    def utf8(self, raw: bytes, line: int | None, index: int | None = None) -> str:
        """``raw`` decoded as the spec does (U+FFFD for bad bytes); F005 if it was not UTF-8."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start: exc.end].hex(" ")
            where = f"after {quote(raw[max(0, exc.start - 30): exc.start], 30)}" if exc.start \
                else "at the start"
            self.add("F005", f"invalid UTF-8: byte {bad} {where} (decoded as U+FFFD)",
                     line, index, capped=True)
            return raw.decode("utf-8", "replace")

    def payload(self, raw: bytes, exc: ValueError, line: int | None, index: int,
                bad_line: int | None = None) -> Any:
        """The payload of event data that ``orjson.loads`` rejected with ``exc``, or ``None``.

        Follows the spec's order: bytes that are not UTF-8 are replaced (F005, at ``bad_line``)
        and the text is parsed again; what still does not parse is F001.
        """
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = self.utf8(raw, line if bad_line is None else bad_line, index)
            try:
                payload = orjson.loads(text)
            except orjson.JSONDecodeError as again:
                exc = again
            else:
                self.check_object(payload, raw, line, index)
                return payload
        try:
            payload = _rfc_loads(text)
        except (ValueError, RecursionError):
            if not self._counts.get("F001") and raw.strip() in (b"{", b"["):
                # A pretty-printed capture (`jq .`): one cause, so one finding; the lines
                # after it are only counted.
                self.add("F001", f"invalid JSON: the line is only {quote(raw.strip())}: the "
                         "capture looks pretty-printed (`jq .`); write one JSON event per line "
                         "(`jq -c .`)", line, index, capped=True)
                self._counts["F001"] = CAP
                return None
            self.add("F001", f"invalid JSON: {_reason(exc)}: {quote(raw)}", line, index,
                     capped=True)
            return None
        self.check_object(payload, raw, line, index)
        return payload

    def check_object(self, payload: Any, raw: bytes | str, line: int | None,
                     index: int) -> None:
        """F002 unless ``payload`` is a JSON object."""
        if type(payload) is not dict:
            kind = _KINDS.get(type(payload), type(payload).__name__)
            self.add("F002", f"event data is JSON but not an object ({kind}): {quote(raw)}",
                     line, index, capped=True)

    def summary(self) -> None:
        """One closing finding per capped code that went over the cap."""
        for code, count in self._counts.items():
            if count > CAP:
                self._out.append(Finding(code, f"{count - CAP} more {code} findings in this "
                                         "stream were not reported one by one"))


class Output:
    """Where a decoder puts what it decodes: a list ``_take`` hands out, or in push mode
    (a ``FrameHandler``) straight to the handler; ``_emit`` is the hot path of a parsed event."""

    def __init__(self, handler: FrameHandler | None = None) -> None:
        self._pushing = handler is not None
        self._out: Any
        #: ``emit(index, line, payload, name)``: a frame whose data parsed (the hot path).
        self._emit: Callable[[int, int, Any, str | None], None]
        if handler is None:
            self._out = out = []

            def emit(index: int, line: int, payload: Any, name: str | None) -> None:
                out.append(Frame(index, line, payload, name, False))
            self._emit = emit
        else:
            self._out = _Push(handler.on_item)
            self._emit = handler.on_event
        self._findings = Findings(self._out)
        #: The run the consumer offered while it handled the current event, then the run that
        #: event starts: the events after it that differ only in the fragment go to its
        #: ``on_fragment``, parsed no further; any other event ends it.
        self._offer: tuple[str, str, int, OnFragment] | None = None
        self._run: Run | None = None

    def offer_run(self, field: str, fragment: str, nesting: int,
                  on_fragment: OnFragment) -> None:
        """Called by the consumer while it handles a pushed event: that event's bytes start a
        run of events that differ only in the string ``fragment``, the value of ``field`` in
        the object ``nesting`` braces from the event's end (``runs.py``)."""
        self._offer = (field, fragment, nesting, on_fragment)

    def end_run(self) -> None:
        """The consumer's run ended without an event of ours (it was fed one directly)."""
        self._offer = self._run = None

    def _adopt(self, raw: bytes, name: str | None = None) -> Run | None:
        """The run offered while the consumer handled the event of ``raw`` (SSE: named
        ``name``), if ``raw`` has its shape."""
        assert self._offer is not None
        field, fragment, nesting, on_fragment = self._offer
        self._offer = None
        cut = template(raw, field, nesting)
        if cut is None or orjson.loads(cut[1]) != fragment:
            return None
        return Run(cut[0], cut[2], on_fragment, name)

    def _take(self) -> list[Item]:
        out = self._out
        if self._pushing or not out:
            return []
        taken = out.copy()
        out.clear()
        return taken

    def _rejected(self, raw: bytes, exc: ValueError, line: int, index: int,
                  bad_line: int | None = None) -> None:
        """Event data that ``orjson.loads`` rejected: its frame, with the payload read the way
        the clients read it (``Findings.payload``), and the findings after it."""
        frame = Frame(index, line)
        with self._findings.after(frame):
            frame.payload = self._findings.payload(raw, exc, line, index, bad_line)


class LineReader(Output):
    """Bytes in, complete lines out to ``_lines``; see the module comment."""

    def __init__(self, max_line_bytes: int, handler: FrameHandler | None = None) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        super().__init__(handler)
        self._max = max_line_bytes
        self._tail = bytearray()  # the unfinished last line (no line break inside)
        self._skip_lf = False  # the last chunk ended with CR: a LF starting the next is its pair
        self._discarding = False  # inside an over-long line: drop bytes up to the next break

    # -- public ----------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Item]:
        """Decode a chunk (any size, any split point); return the frames and findings it ended."""
        if data:
            self._split(data)
        return self._take()

    def close(self) -> list[Item]:
        """End of input: the unterminated last line, if any, then end-of-stream findings."""
        partial = bytes(self._tail) if self._tail and not self._discarding else None
        self._tail = bytearray()
        self._eof(partial)
        self._findings.summary()
        return self._take()

    # -- splitting -------------------------------------------------------------------------

    def _split(self, data: bytes) -> None:
        if self._skip_lf:
            self._skip_lf = False
            if data[0] == 10:
                data = data[1:]
        if self._discarding:
            data = self._discard(data)
        if not data:
            return
        has_cr = b"\r" in data
        tail = self._tail
        if not has_cr and b"\n" not in data:
            tail += data
            if len(tail) > self._max:
                self._overflow()
            return
        if has_cr:
            self._skip_lf = data[-1] == 13
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = data.split(b"\n")
        last = lines.pop()
        size = len(tail) + len(data)  # the unfinished line has no CR: as if joined, then split
        if tail:
            # The first line completes the unfinished one; a long line goes on alone (see
            # "Bounded memory").
            tail += lines[0]
            if len(tail) > len(data):
                del lines[0]
                if len(tail) >= TRIM_BYTES:
                    release_free_memory()
                self._line_alone(tail)
            else:
                lines[0] = self._joined()
        if size > self._max:
            self._long_lines(lines)
        else:
            self._lines(lines)
        if last:
            tail += last
            if len(tail) > self._max:
                self._overflow()

    def _joined(self) -> bytes:
        """The unfinished line, now complete, as bytes; its buffer is emptied."""
        line = bytes(self._tail)
        self._tail.clear()
        return line

    def _line_alone(self, tail: bytearray) -> None:
        """The unfinished line, now complete and longer than the chunk that ended it: handed
        on alone (a subclass may take it from ``tail`` itself; see "Bounded memory")."""
        self._long_lines([self._joined()])

    def _discard(self, data: bytes) -> bytes:
        """Drop the rest of an over-long line; return what follows its line break."""
        lf, cr = data.find(b"\n"), data.find(b"\r")
        end = lf if cr < 0 else cr if lf < 0 else min(lf, cr)
        if end < 0:
            return b""
        self._discarding = False
        if data[end] == 13:
            if end + 1 == len(data):
                self._skip_lf = True
            elif data[end + 1] == 10:
                end += 1
        return data[end + 1:]

    def _long_lines(self, lines: list[bytes]) -> None:
        """``_lines`` for a batch that may hold lines over the limit (rare: a huge chunk)."""
        start = 0
        for i, line in enumerate(lines):
            if len(line) > self._max:
                self._lines(lines[start:i])
                self._too_long(line[:_HEAD_BYTES])
                start = i + 1
        self._lines(lines[start:] if start else lines)

    def _overflow(self) -> None:
        head = bytes(self._tail[:_HEAD_BYTES])
        self._tail = bytearray()
        self._discarding = True
        self._too_long(head)

    def _too_long_message(self, head: bytes) -> str:
        return (f"line longer than {self._max} bytes (the limit, --max-line-bytes); skipped; "
                f"it starts {quote(head, 40)}")

    # -- for subclasses --------------------------------------------------------------------

    def _lines(self, lines: list[bytes]) -> None:
        raise NotImplementedError

    def _too_long(self, head: bytes) -> None:
        raise NotImplementedError

    def _eof(self, partial: bytes | None) -> None:
        raise NotImplementedError
