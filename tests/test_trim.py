"""Free memory is given back before a long line is held (``validator/framing/trim.py``)."""

from __future__ import annotations

import platform

import pytest

from validator.framing import FrameDecoder, _lines, trim
from validator.model import Frame


def test_glibc_trim_is_found_and_runs() -> None:
    trim.release_free_memory()  # a no-op under another C library
    if platform.libc_ver()[0] == "glibc":
        assert trim._malloc_trim() is not None


def _stream(fmt: str, text_bytes: int) -> bytes:
    event = b'{"type": "long", "text": "' + b"x" * text_bytes + b'"}'
    lines = [b'{"type": "short"}', event, b'{"type": "after"}']
    if fmt == "jsonl":
        return b"\n".join(lines) + b"\n"
    return b"".join(b"data: " + line + b"\n\n" for line in lines)


@pytest.mark.parametrize("fmt", ["jsonl", "sse"])
@pytest.mark.parametrize(("text_bytes", "trims"), [(trim.TRIM_BYTES, 1),
                                                   (trim.TRIM_BYTES // 2, 0)])
def test_a_line_over_the_threshold_trims_once(fmt, text_bytes, trims, monkeypatch) -> None:
    calls: list[None] = []
    monkeypatch.setattr(_lines, "release_free_memory", lambda: calls.append(None))
    data = _stream(fmt, text_bytes)
    decoder = FrameDecoder(fmt)
    out = []
    for start in range(0, len(data), 64 * 1024):  # chunks far shorter than the long line
        out += decoder.feed(data[start:start + 64 * 1024])
    out += decoder.close()
    assert len(calls) == trims
    assert [f.payload["type"] for f in out if type(f) is Frame] == ["short", "long", "after"]
    whole = FrameDecoder(fmt)
    assert out == whole.feed(data) + whole.close()
