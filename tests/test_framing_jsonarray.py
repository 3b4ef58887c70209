"""The JSON array decoder: element lines from the scanner, elements from ijson, any chunking."""

from __future__ import annotations

import json

import pytest
from conftest import decode_with, every_split

from validator.framing import FrameDecoder
from validator.framing.jsonarray import MAX_DEPTH
from validator.model import Finding, Frame

EVENTS = [
    {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "output": []}},
    {"type": "response.output_text.delta", "delta": 'tricky [ { " \\ ] } \n "x": [1, {"y": 2}]'},
    {"type": "response.output_text.delta", "delta": "\\", "logprobs": [[], [{}], {"a": [[]]}]},
    {"type": "response.output_text.delta", "delta": "ünïcødé … 𝄞", "n": 1.5, "big": 10**18},
    {"type": "response.completed", "response": {"id": "resp_1", "usage": None}},
]


def decode(chunks: list[bytes], **kw) -> list[Frame | Finding]:
    return decode_with(FrameDecoder("json", **kw), chunks)


def whole(data: bytes, **kw) -> list[Frame | Finding]:
    return decode([data], **kw)


def located(items: list) -> list[tuple]:
    return [(i.index, i.line, i.payload) if type(i) is Frame
            else (i.code, i.line, i.event_index) for i in items]


def element_lines(text: str, indent: int) -> list[int]:
    """Where json.dumps(indent=...) starts each top-level element: lines indented once."""
    return [n for n, line in enumerate(text.splitlines(), 1)
            if line[:indent + 1].strip() and not line[:indent].strip() and line[indent] not in "]}"]


def test_pretty_printed_element_lines() -> None:
    text = json.dumps(EVENTS, indent=2, ensure_ascii=False)
    items = whole(text.encode())
    lines = element_lines(text, 2)
    assert len(lines) == len(EVENTS)
    assert located(items) == [(i, line, e) for i, (line, e) in enumerate(zip(lines, EVENTS,
                                                                              strict=True))]
    assert type(items[3].payload["n"]) is float


def test_pretty_printed_any_chunking_and_crlf() -> None:
    text = json.dumps(EVENTS[:3], indent=1)
    data = text.replace("\n", "\r\n").encode()
    reference = whole(data)
    assert [i.line for i in reference] == element_lines(text, 1) == [2, 10, 14]
    for chunks in every_split(data):
        assert decode(chunks) == reference, chunks


def test_lone_cr_line_breaks() -> None:
    assert [i.line for i in whole(b'[\r{"a": 1},\r\r{"b": 2}\r\n,\n{"c": 3}]')] == [2, 4, 6]


def test_compact_array_is_one_line() -> None:
    data = json.dumps(EVENTS).encode()
    assert located(whole(data)) == [(i, 1, e) for i, e in enumerate(EVENTS)]


def test_scalars_and_empty_arrays() -> None:
    assert whole(b"[]") == [] and whole(b"  \n ") == [] and whole(b"") == []
    items = whole(b'[\n1,\n"s",\n[]\n]')
    assert located(items) == [(0, 2, 1), ("F002", 2, 0), (1, 3, "s"), ("F002", 3, 1),
                              (2, 4, []), ("F002", 4, 2)]


def test_truncated_array() -> None:
    data = b'[\n  {"a": 1},\n  {"b": [1, 2'
    reference = whole(data)
    assert located(reference) == [(0, 2, {"a": 1}), ("F001", 3, None)]
    assert "truncated" in reference[-1].message
    for chunks in every_split(data):
        assert decode(chunks) == reference


@pytest.mark.parametrize(("data", "line"), [
    (b'[\n {"a": 1}\n {"c": 3}\n]', 3),  # missing comma
    (b'[\n {"a": 1},\n {"b": 2,}\n]', 3),  # trailing comma in an object
    (b'[\n {"a": 1},\n {"b": tru}\n]', 3),
    (b'[\n {"a": 1},\n\n ,\n]', 4),
    (b'[\n {"a": 1},\n\n]', 4),  # trailing comma
])
def test_broken_array_stops_at_the_error(data: bytes, line: int) -> None:
    reference = whole(data)
    assert located(reference) == [(0, 2, {"a": 1}), ("F001", line, None)]
    for chunks in every_split(data):
        assert decode(chunks) == reference


def test_scalars_without_comma() -> None:
    data = b'[\n {"a": 1}, 2\n 3,\n 4]'
    reference = whole(data)
    assert located(reference) == [(0, 2, {"a": 1}), (1, 2, 2), ("F002", 2, 1), ("F001", 3, None)]
    for chunks in every_split(data):
        assert decode(chunks) == reference


def test_top_level_not_an_array() -> None:
    items = whole(b'\n{"type": "response.created"}\n')
    assert located(items) == [("F001", 2, None)] and "array" in items[0].message


def test_data_after_the_array() -> None:
    assert located(whole(b'[{"a": 1}]\n[{"b": 2}]')) == [(0, 1, {"a": 1}), ("F001", 2, None)]


def test_invalid_utf8_stops_the_array() -> None:
    assert located(whole(b'[{"a": 1},\n{"b": "\xff"}]')) == [(0, 1, {"a": 1}), ("F005", 2, None)]


def test_deep_nesting_fails_cleanly_and_decoding_goes_on() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    data = b'[{"a": 1},\n' + deep + b',\n{"b": 2}]'
    items = whole(data)
    assert located(items) == [(0, 1, {"a": 1}), (1, 2, None), ("F001", 2, 1), (2, 3, {"b": 2})]
    chunks = [data[i:i + 4096] for i in range(0, len(data), 4096)]
    assert decode(chunks) == items
    # the limit is the one orjson applies to SSE and JSONL events
    limit = whole(b"[" + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"]")
    assert [type(i) for i in limit] == [Frame, Finding] and limit[1].code == "F002"
    payload, depth = limit[0].payload, 0
    while payload is not None:
        payload, depth = payload[0] if payload else None, depth + 1
    assert depth == MAX_DEPTH
    over = whole(b"[" + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"]")
    assert located(over) == [(0, 1, None), ("F001", 1, 0)]


def test_element_too_long_is_skipped_with_bounded_memory() -> None:
    decoder = FrameDecoder("json", max_line_bytes=1024)
    out = decoder.feed(b'[\n{"a": 1},\n{"big": "')
    for _ in range(100):
        out += decoder.feed(b'x\\"[{' * 100)
    out += decoder.feed(b'"},\n{"b": 2}\n]') + decoder.close()
    assert located(out) == [(0, 2, {"a": 1}), ("F009", 3, None), (1, 4, {"b": 2})]


def test_element_too_long_any_chunking() -> None:
    data = b'[{"a": 1},\n{"big": "' + b"x" * 60 + b'"},\n"' + b"y" * 70 + b'", {"b": 2}]'
    reference = whole(data, max_line_bytes=50)
    assert located(reference) == [(0, 1, {"a": 1}), ("F009", 2, None), ("F009", 3, None),
                                  (1, 3, {"b": 2})]
    for chunks in every_split(data):
        assert decode(chunks, max_line_bytes=50) == reference


@pytest.mark.parametrize(("limit", "expected"), [
    (50, [(0, 1, {"a": 1}), ("F009", 2, None), (1, 3, {"b": 2})]),
    (5000, [(0, 1, {"a": 1}), (1, 2, None), ("F001", 2, 1), (2, 3, {"b": 2})]),
])
def test_first_limit_passed_decides(limit: int, expected: list) -> None:
    deep = b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5)
    data = b'[{"a": 1},\n{"x": "' + b"y" * 100 + b'", "d": ' + deep + b'} garbage,\n{"b": 2}]'
    for size in (1, 2, 3, 7, 64, 100, 1000, len(data)):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert located(decode(chunks, max_line_bytes=limit)) == expected, size
