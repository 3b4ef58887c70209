"""JSONL (NDJSON) decoder: one event per line.

# Strategy

The shared ``LineReader`` cuts the bytes into lines; the hot loop hands each line, still bytes,
straight to ``orjson.loads`` and wraps the result in a ``Frame``.  Everything unusual — blank
lines (ignored), a bare ``[DONE]`` (the SSE terminator, taken as such), bytes that are not UTF-8,
invalid JSON, a line over the limit — surfaces as an orjson error or a separate call and is
sorted out off the hot path, so a well-formed file costs one ``loads`` and one ``emit`` a line
(a ``Frame``, or in push mode a direct call of the consumer: see ``FrameHandler``).
A last line without a final newline is an ordinary line.

A run of lines that differ in one string only (text deltas) is cheaper still once the consumer
offers it (``offer_run``, see ``runs.py``): each such line costs two byte comparisons and the
``loads`` of its fragment.
"""

from __future__ import annotations

import orjson

from ..model import Frame
from ._lines import FrameHandler, LineReader

__all__ = ["JSONLDecoder"]

_BLANK = b" \t"


class JSONLDecoder(LineReader):
    """Sans-IO JSONL decoder: ``feed(bytes)`` / ``close()`` return frames and findings."""

    def __init__(self, max_line_bytes: int = 64 * 1024 * 1024,
                 handler: FrameHandler | None = None) -> None:
        super().__init__(max_line_bytes, handler)
        self._line = 0  # lines read so far
        self._index = 0  # frames emitted so far

    def _lines(self, lines: list[bytes]) -> None:
        emit = self._emit
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        n, index = self._line, self._index
        run = self._run
        for line in lines:
            n += 1
            if not line:  # blank: ignored (cheaper than orjson's exception)
                continue
            if run is not None:
                fragment = run.fragment(line, 0, len(line))
                if fragment is not None:
                    run.on_fragment(index, n, fragment)
                    index += 1
                    continue
                run = self._run = None
            try:
                payload = loads(line)
            except decode_error as exc:
                index = self._unusual(line, exc, n, index)
                self._offer = None  # made for a frame off the hot path: its line is not here
                continue
            emit(index, n, payload, None)
            if self._offer is not None:
                run = self._run = self._adopt(line)
            if type(payload) is not dict:
                self._findings.check_object(payload, line, n, index)
            index += 1
        self._line, self._index = n, index

    def _unusual(self, line: bytes, exc: ValueError, n: int, index: int) -> int:
        """A line orjson rejected: blank, ``[DONE]`` or a broken event; return the next index."""
        text = line.strip(_BLANK)
        if not text:
            return index
        if text == b"[DONE]":
            self._out.append(Frame(index, n, None, None, True))
            return index + 1
        self._rejected(line, exc, n, index)
        return index + 1

    def _too_long(self, head: bytes) -> None:
        self._line += 1
        self._findings.add("F009", self._too_long_message(head), self._line)

    def _eof(self, partial: bytes | None) -> None:
        if partial is not None:
            self._lines([partial])
