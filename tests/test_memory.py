"""Memory stays flat: a Responses lint holds a long text a bounded number of times.

OpenAI repeats a message's whole text in `output_text.done`, `content_part.done`,
`output_item.done` and `response.completed`: four events of the text's size after its deltas.
What a lint holds while it handles one of them is the event's line (or SSE data), the parsed
event and the one copy of the text the state keeps for the later comparisons: three times the
text.  Holding more (the joined chunk beside the line, the SSE line beside its data, one copy
per done event) is what made the peak grow with the stream (``bench/run.py``'s memory row).

Measured with ``tracemalloc``'s current size (not its peak: orjson reserves a multiple of the
input for its parse and releases it at once), at every event, through the public push API.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import pytest

from validator.engine import StreamValidator
from validator.framing import FrameDecoder

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import generate

#: One delta of the stream: 1,700 characters, some of them not ASCII.
_DELTA = "café, naïve über " * 100
_DELTAS = 1000  # a text of 1.7 MB
_CHUNK = 64 * 1024


class _Watch:
    """A ``FrameHandler`` that validates each event, then notes the memory traced by then."""

    def __init__(self, validator: StreamValidator) -> None:
        self.validator = validator
        self.most = 0

    def on_event(self, index: int, line: int, payload: object, name: str | None) -> None:
        self.validator.feed_event(payload, line=line)  # type: ignore[arg-type]
        self.most = max(self.most, tracemalloc.get_traced_memory()[0])

    def on_item(self, item: object) -> None:
        raise AssertionError(f"a clean stream gave {item}")


@pytest.mark.parametrize("fmt", ["jsonl", "sse"])
def test_a_long_text_is_held_at_most_three_times(fmt, monkeypatch):
    monkeypatch.setattr(generate._Pieces, "delta", lambda self: _DELTA)
    events = list(generate.events(_DELTAS, "message"))
    data = b"".join(generate.encode(event, fmt) for event in events)
    text = len(_DELTA) * _DELTAS
    assert sum(event["type"] == "response.output_text.done" and len(event["text"]) == text
               for event in events) == 1
    # What the first events of each type compile (schemas) is not the stream's memory.
    warm = StreamValidator()
    warm.feed(b"".join(generate.encode(event, fmt) for event in generate.events(3, "message")))
    warm.close()
    assert not warm.violations

    validator = StreamValidator()
    watch = _Watch(validator)
    decoder = FrameDecoder(fmt, handler=watch)
    tracemalloc.start()
    try:
        for start in range(0, len(data), _CHUNK):
            for _ in decoder.feed_sliced(data[start:start + _CHUNK]):
                pass
        decoder.close()
    finally:
        tracemalloc.stop()
    assert validator.events == len(events)
    assert not validator.close()
    assert not validator.violations
    # 3 copies, and a margin for the small objects (before: 5.2 for JSONL, 6.4 for SSE).
    assert watch.most / text < 3.5
