"""The JSONL decoder: one event a line, findings off the hot path, any chunking."""

from __future__ import annotations

import pytest
from conftest import decode_with, every_split

from validator.framing import FrameDecoder
from validator.model import Finding, Frame


def decode(chunks: list[bytes], **kw) -> list[Frame | Finding]:
    return decode_with(FrameDecoder("jsonl", **kw), chunks)


def whole(data: bytes, **kw) -> list[Frame | Finding]:
    return decode([data], **kw)


def located(items: list) -> list[tuple]:
    """Frames as (index, line, payload, done), findings as (code, line, event_index)."""
    return [(i.index, i.line, i.payload, i.done) if type(i) is Frame
            else (i.code, i.line, i.event_index) for i in items]


MIXED = (b'{"a": 1}\r\n\n  \t\n[DONE]\n"text"\n{broken\n'
         b'{"t": "caf\xe9"}\r{"b": "\xe2\x80\xa6"}\n data: {"c": 3}\n{"d": 4}')


def test_mixed_input() -> None:
    assert located(whole(MIXED)) == [
        (0, 1, {"a": 1}, False),
        (1, 4, None, True),
        (2, 5, "text", False), ("F002", 5, 2),
        (3, 6, None, False), ("F001", 6, 3),
        (4, 7, {"t": "caf\ufffd"}, False), ("F005", 7, 4),
        (5, 8, {"b": "…"}, False),
        (6, 9, None, False), ("F001", 9, 6),
        (7, 10, {"d": 4}, False),
    ]


def test_mixed_input_any_chunking() -> None:
    reference = whole(MIXED)
    for chunks in every_split(MIXED):
        assert decode(chunks) == reference, chunks


def test_frame_fields() -> None:
    assert whole(b'{"type": "response.created"}\n') == [
        Frame(0, 1, {"type": "response.created"}, None, False)]


def test_blank_lines_only() -> None:
    assert whole(b"\n \n\t\r\n\n") == []


def test_invalid_json_message_is_short() -> None:
    items = whole(b'{"delta": "' + b"y" * 1000 + b"\n")
    assert [type(i) for i in items] == [Frame, Finding]
    assert "unexpected end of data" in items[1].message and len(items[1].message) < 160


@pytest.mark.parametrize("line", [b"[1]", b"3", b"null", b'"hi"'])
def test_event_not_object(line: bytes) -> None:
    assert [i.code for i in whole(line + b"\n") if type(i) is Finding] == ["F002"]


def test_deep_nesting_fails_cleanly() -> None:
    items = whole(b"[" * 100_000 + b"]" * 100_000 + b'\n{"ok": 1}\n')
    assert located(items) == [(0, 1, None, False), ("F001", 1, 0), (1, 2, {"ok": 1}, False)]


def test_invalid_utf8_split_across_chunks() -> None:
    data = b'{"a": "\xe2\x82"}\n{"b": "\xf0\x9d\x84\x9e"}\n'
    reference = whole(data)
    assert located(reference) == [(0, 1, {"a": "\ufffd"}, False), ("F005", 1, 0),
                                  (1, 2, {"b": "𝄞"}, False)]
    for chunks in every_split(data):
        assert decode(chunks) == reference


def test_line_too_long_is_skipped_with_bounded_memory() -> None:
    decoder = FrameDecoder("jsonl", max_line_bytes=1024)
    out = decoder.feed(b'{"a": 1}\n{"big": "')
    for _ in range(200):
        out += decoder.feed(b"z" * 500)
        assert len(decoder.decoder._tail) <= 1024 + 500
    out += decoder.feed(b'"}\r\n{"b": 2}') + decoder.close()
    assert located(out) == [(0, 1, {"a": 1}, False), ("F009", 2, None), (1, 3, {"b": 2}, False)]


def test_line_too_long_any_chunking() -> None:
    data = b'{"a": 1}\n' + b"x" * 40 + b'\r{"b": 2}\n' + b"y" * 41
    reference = whole(data, max_line_bytes=40)
    assert located(reference) == [(0, 1, {"a": 1}, False), (1, 2, None, False),
                                  ("F001", 2, 1), (2, 3, {"b": 2}, False), ("F009", 4, None)]
    for chunks in every_split(data):
        assert decode(chunks, max_line_bytes=40) == reference


def test_last_line_without_newline_is_parsed() -> None:
    assert located(whole(b'{"a": 1}\n{"b": 2}')) == [(0, 1, {"a": 1}, False),
                                                     (1, 2, {"b": 2}, False)]


def test_unicode_line_separators_are_not_line_breaks() -> None:
    items = whole('{"t": "a\u2028b\u0085c"}\n'.encode())
    assert located(items) == [(0, 1, {"t": "a\u2028b\u0085c"}, False)]


@pytest.mark.parametrize("fmt", ["jsonl", "sse"])
def test_json_that_orjson_refuses_but_the_grammar_allows(fmt: str) -> None:
    # An escaped lone surrogate and a number beyond a double are JSON (RFC 8259), and the
    # clients' parsers read them; NaN and Infinity are not JSON.
    lines = [b'{"type": "x", "id": "r\\ud800"}', b'{"type": "x", "n": 1e400}',
             b'{"type": "x", "n": NaN}', b'{"type": "x", "n": -Infinity}']
    data = b"".join((b"data: " + line + b"\n\n") if fmt == "sse" else line + b"\n"
                    for line in lines)
    items = decode_with(FrameDecoder(fmt), [data])
    payloads = [i.payload for i in items if type(i) is Frame]
    assert payloads[:2] == [{"type": "x", "id": "r\ud800"}, {"type": "x", "n": float("inf")}]
    assert [i.code for i in items if type(i) is Finding] == ["F001", "F001"]
