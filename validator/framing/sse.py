"""Sans-IO server-sent events decoder (WHATWG HTML §9.2.6), with framing findings.

# Strategy

The shared ``LineReader`` cuts the bytes into lines (LF, CRLF or lone CR; one leading BOM was
already stripped by ``FrameDecoder``).  ``_lines`` is the hot loop and only knows the three lines
a well-formed stream is made of: ``data:<json>`` (the first data line of a block), an ASCII
``event:<name>`` and the blank line that dispatches the block; the data goes to ``orjson.loads``
as bytes.  Every other line — comments, ``id``/``retry``, unknown fields, fields without a colon,
a second ``data`` line — and every dispatch that is not a plain JSON event goes to a slow method
working on the same state kept on ``self``; the loop copies its locals to ``self`` before such a
call and back after it.

# Spec rules kept (and where they are)

- field name = text before the first colon, value = the rest minus ONE leading space; a line
  without a colon is a field with an empty value (``_field``);
- ``data`` appends value + LF, the last LF is dropped at dispatch (``_data_field``, ``_dispatch``);
- ``event`` sets the type, ``id`` sets the last event ID unless it holds U+0000, ``retry`` only
  if all ASCII digits; other names are ignored (``_FIELDS``);
- a blank line dispatches if data was seen, else only resets the block (``_dispatch``);
- at EOF an unterminated block is dropped (``_eof``).

# Findings made here

F001/F002/F005 on event data, F004 unterminated last block, F008 block with fields but no data,
F009 over-long line (the whole block is dropped, as its data is unknown) or event data over
``max_line_bytes`` or ``MAX_DATA_LINES``, F011 unknown field
(once per name), F012 bad ``retry``, F013 ``id`` used (once).  Field findings carry the line of
the field and no event index (the block may never become an event).

# Invariants of the block state

``_block`` is the line of the block's first field (``None``: no field yet, comments do not
count).  ``_data`` is ``None`` (no data field), ``bytes`` (one data line), a ``_Lines`` (several)
or ``_DROPPED`` (the block lost a line: it will not be dispatched).  ``_event`` is ``None`` until
an ``event``, ``id`` or ``retry`` field is seen (``""``: seen but no event name) — the F008 test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from ..model import Frame
from ._lines import CAP, FrameHandler, LineReader, quote

__all__ = ["MAX_DATA_LINES", "SSEDecoder"]

_DROPPED: Any = object()
_KNOWN = ("data", "event", "id", "retry")
_NAMES = 512  # distinct event names remembered
#: Data lines one event may have: past them it is skipped (F009), whatever their bytes.
MAX_DATA_LINES = 100_000


class _Lines:
    """The data of a block with more than one data line, joined as it arrives (its bytes and
    nothing per line: bounded by ``max_line_bytes`` and ``MAX_DATA_LINES``)."""

    __slots__ = ("bad_line", "count", "data")

    def __init__(self, first: bytes, first_line: int) -> None:
        self.data = bytearray(first)
        self.count = 1
        self.bad_line: int | None = None  # the first data line that is not UTF-8
        self.check(first, first_line)

    def add(self, value: bytes, line: int) -> None:
        self.data += b"\n"
        self.data += value
        self.count += 1
        if self.bad_line is None:
            self.check(value, line)

    def check(self, value: bytes, line: int) -> None:
        if not value.isascii():
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_line = line


class SSEDecoder(LineReader):
    """Sans-IO SSE decoder: ``feed(bytes)`` / ``close()`` return frames and findings.

    ``last_event_id`` and ``retry`` follow the spec's last-event-ID buffer and reconnection time.
    Set ``trace`` to a list to also record every dispatched message as the spec sees it
    (``{"event", "data", "id", "retry"}``), for conformance tests.
    """

    def __init__(self, max_line_bytes: int = 64 * 1024 * 1024,
                 handler: FrameHandler | None = None) -> None:
        super().__init__(max_line_bytes, handler)
        self.last_event_id = ""
        self.retry: int | None = None
        self.trace: list[dict[str, Any]] | None = None
        self._line = 0
        self._index = 0
        self._block: int | None = None
        self._data: Any = None
        self._data_line = 0
        self._event: str | None = None
        self._id_seen = False
        self._unknown: set[str] = set()
        # "event: x" lines already decoded, and their name
        self._names: dict[bytes, str | None] = {}

    # -- hot loop ------------------------------------------------------------------------------

    def _lines(self, lines: list[bytes]) -> None:
        emit = self._emit
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        trace, names = self.trace, self._names
        n, index = self._line, self._index
        block, data, data_line, event = self._load()
        run = self._run
        for line in lines:
            n += 1
            if not line:
                if block is None:
                    continue
                if data.__class__ is bytes and trace is None:
                    if run is not None:  # an offered run: its events go as their fragment
                        fragment = run.fragment(data) if (event or None) == run.name else None
                        if fragment is not None:
                            run.on_fragment(index, block, fragment)
                            index += 1
                            block = data = event = None
                            continue
                        run = self._run = None
                    try:
                        payload = loads(data)
                    except decode_error:
                        pass
                    else:
                        emit(index, block, payload, event or None)
                        if self._offer is not None:
                            run = self._run = self._adopt(data, event or None)
                        if payload.__class__ is not dict:
                            self._findings.check_object(payload, data, block, index)
                        index += 1
                        block = data = event = None
                        continue
                self._save(block, data, data_line, event)
                self._index = index
                run = self._run = None
                self._dispatch()
                self._offer = None  # made for a frame off the hot path
                block = data = event = None
                index = self._index
            elif data is None and line.startswith(b"data:"):
                data, data_line = line[6:] if line[5:6] == b" " else line[5:], n
                if block is None:
                    block = n
            elif line in names:  # an event: line seen before (the names repeat a lot)
                event = names[line]
                if block is None:
                    block = n
            else:
                self._save(block, data, data_line, event)
                self._field(line, n)
                block, data, data_line, event = self._load()
                if line.startswith(b"event:") and line.isascii() and len(names) < _NAMES:
                    names[line] = event
        self._line, self._index = n, index
        self._save(block, data, data_line, event)

    def _save(self, block: int | None, data: Any, data_line: int, event: str | None) -> None:
        self._block, self._data, self._data_line, self._event = block, data, data_line, event

    def _load(self) -> tuple[int | None, Any, int, str | None]:
        return self._block, self._data, self._data_line, self._event

    # -- slow paths ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        """A blank line ended a block that the hot loop did not turn into a plain event."""
        data, block, event = self._data, self._block, self._event
        self._block = self._data = self._event = None
        if data is _DROPPED:
            return
        if data is None:
            if event is not None:
                self._findings.add("F008", "SSE block with fields but no data: spec clients drop "
                                   "it, openai-python/httpx-sse yield an event with empty data",
                                   block)
            return
        raw = data if data.__class__ is bytes else bytes(data.data)
        if self.trace is not None:
            self.trace.append({"event": event or "message", "data": raw.decode("utf-8", "replace"),
                               "id": self.last_event_id, "retry": self.retry})
        index = self._index
        self._index += 1
        if raw.strip() == b"[DONE]":
            self._out.append(Frame(index, block, None, event or None, True))
            return
        frame = Frame(index, block, None, event or None)
        with self._findings.after(frame):
            try:
                frame.payload = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                frame.payload = self._findings.payload(raw, exc, block, index,
                                                       self._bad_line(data))
            else:
                self._findings.check_object(frame.payload, raw, block, index)

    def _bad_line(self, data: bytes | _Lines) -> int:
        """The line of the first data line that is not UTF-8 (for F005)."""
        if isinstance(data, bytes) or data.bad_line is None:  # None: not reached (UTF-8
            return self._data_line                               # lines joined by LF are UTF-8)
        return data.bad_line

    def _field(self, line: bytes, n: int) -> None:
        """Any non-blank line the hot loop does not handle: comments and all fields."""
        if line[0] == 58:  # ":" comment: ignored, but openai-python decodes it strictly
            if not line.isascii():
                self._findings.utf8(line, n)
            return
        colon = line.find(b":")
        if colon < 0:
            name, value = line, b""
        else:
            name, value = line[:colon], line[colon + 1:]
            if value[:1] == b" ":
                value = value[1:]
        if self._block is None:
            self._block = n
        handler = _FIELDS.get(name)
        if handler is None:
            self._unknown_field(line, colon, n)
        else:
            handler(self, value, n)

    def _data_field(self, value: bytes, n: int) -> None:
        data = self._data
        if data is None:
            self._data, self._data_line = value, n
            return
        if data is _DROPPED:
            return
        if data.__class__ is bytes:
            data = self._data = _Lines(data, self._data_line)
        data.add(value, n)
        if len(data.data) > self._max:
            self._drop(f"event data longer than {self._max} bytes (the limit, --max-line-bytes) "
                       "over several data lines; event skipped")
        elif data.count > MAX_DATA_LINES:
            self._drop(f"event data over more than {MAX_DATA_LINES} data lines (the limit); "
                       "event skipped")

    def _drop(self, message: str) -> None:
        self._data = _DROPPED
        self._findings.add("F009", message, self._block)

    def _event_field(self, value: bytes, n: int) -> None:
        self._event = self._findings.utf8(value, n)

    def _id_field(self, value: bytes, n: int) -> None:
        text = self._findings.utf8(value, n)
        if "\0" not in text:
            self.last_event_id = text
        if self._event is None:
            self._event = ""
        if not self._id_seen:
            self._id_seen = True
            self._findings.add("F013", f"the SSE stream sets id: {quote(text)} (Open Responses: "
                               "servers SHOULD NOT; resume with sequence_number)", n)

    def _retry_field(self, value: bytes, n: int) -> None:
        text = self._findings.utf8(value, n)
        if value.isdigit() and len(value) < 4000:  # bytes.isdigit: ASCII digits only
            self.retry = int(value)
        else:
            self._findings.add("F012", f"retry: {quote(text)} is not all ASCII digits; ignored",
                               n, capped=True)
        if self._event is None:
            self._event = ""

    def _unknown_field(self, line: bytes, colon: int, n: int) -> None:
        text = self._findings.utf8(line, n)
        name = text if colon < 0 else text.split(":", 1)[0]
        if name in self._unknown:
            return
        if len(self._unknown) < CAP:  # past the cap the names are only counted: bounded memory
            self._unknown.add(name)
        hint = next((f"; did you mean {k!r}?" for k in _KNOWN if name.strip().lower() == k), "")
        self._findings.add("F011", f"unknown SSE field {quote(name, 40)}: clients ignore the "
                           f"line{hint}", n, capped=True)

    # -- line reader hooks ---------------------------------------------------------------------

    def _too_long(self, head: bytes) -> None:
        self._line += 1
        self._findings.add("F009", self._too_long_message(head), self._line)
        if head[:1] != b":":  # a comment is harmless; a field of unknown content spoils its block
            if self._block is None:
                self._block = self._line
            self._data = _DROPPED

    def _line_alone(self, tail: bytearray) -> None:
        if len(tail) <= self._max and tail.startswith(b"data:"):
            # The value is cut from the buffer in place (a bytearray only moves its start), so
            # a `*.done` event's long line is never held beside a copy of its data.
            del tail[:6 if tail[5:6] == b" " else 5]
            self._line += 1
            if self._block is None:
                self._block = self._line
            self._data_field(self._joined(), self._line)
        else:
            super()._line_alone(tail)

    def _eof(self, partial: bytes | None) -> None:
        if partial is not None:
            self._lines([partial])
        if self._block is None:
            return
        data = self._data
        what = f": data {quote(data)}" if data.__class__ is bytes else ""
        self._findings.add("F004", "the stream ends inside an SSE block (no blank line after it); "
                           f"spec clients discard it{what}", self._block)


_FIELDS: dict[bytes, Callable[[SSEDecoder, bytes, int], None]] = {
    b"data": SSEDecoder._data_field,
    b"event": SSEDecoder._event_field,
    b"id": SSEDecoder._id_field,
    b"retry": SSEDecoder._retry_field,
}
