"""The JSON array decoder: element lines and ends from the scanner, elements from orjson, any
chunking."""

from __future__ import annotations

import json
import re

import pytest
from conftest import decode_with, every_split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.framing import FrameDecoder
from validator.model import Finding, Frame

#: orjson's nesting limit, which SSE and JSONL events have too.
MAX_DEPTH = 1024

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
    (b'[\n {"a": 1},\n\n ,\n]', 4),
    (b'[\n {"a": 1},\n\n]', 4),  # trailing comma
    (b'[\n {"a": 1},\n {"b": [1}, {"c": 3}\n]', 3),  # a "}" closes a "["
])
def test_broken_array_stops_at_the_error(data: bytes, line: int) -> None:
    reference = whole(data)
    assert located(reference) == [(0, 2, {"a": 1}), ("F001", line, None)]
    for chunks in every_split(data):
        assert decode(chunks) == reference


@pytest.mark.parametrize("element", [b'{"b": 2,}', b'{"b": tru}', b"tru", b"[1, ]"])
def test_invalid_element_is_reported_like_a_jsonl_line_and_decoding_goes_on(element) -> None:
    data = b'[\n {"a": 1},\n ' + element + b',\n {"c": 3}\n]'
    reference = whole(data)
    assert located(reference) == [(0, 2, {"a": 1}), (1, 3, None), ("F001", 3, 1),
                                  (2, 4, {"c": 3})]
    jsonl = decode_with(FrameDecoder("jsonl"), [b'{"a": 1}\n' + element + b'\n{"c": 3}\n'])
    assert [i.message for i in reference if type(i) is Finding] == \
        [i.message for i in jsonl if type(i) is Finding]
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


def test_invalid_utf8_is_replaced_as_in_jsonl() -> None:
    assert located(whole(b'[{"a": 1},\n{"b": "\xff"}]')) == [
        (0, 1, {"a": 1}), (1, 2, {"b": "\ufffd"}), ("F005", 2, 1)]


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
def test_the_length_limit_does_not_depend_on_the_chunking(limit: int, expected: list) -> None:
    deep = b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5)
    data = b'[{"a": 1},\n{"x": "' + b"y" * 100 + b'", "d": ' + deep + b'},\n{"b": 2}]'
    for size in (1, 2, 3, 7, 64, 100, 1000, len(data)):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert located(decode(chunks, max_line_bytes=limit)) == expected, size


# -- hostile input (issue 18) ------------------------------------------------------------------


def _decode_in_child(data: bytes, seconds: float) -> list:
    """``located(whole(data))`` computed in a child process that must finish within
    ``seconds`` (a hang fails the test instead of hanging it)."""
    import subprocess
    import sys

    code = ("import sys; from validator.framing import FrameDecoder; d = FrameDecoder('json'); "
            "out = d.feed(sys.stdin.buffer.read()) + d.close(); "
            "import json; print(json.dumps([(type(i).__name__, getattr(i, 'code', None), i.line) "
            "for i in out]))")
    try:
        done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                              timeout=seconds, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail(f"decoding {data[:20]!r} did not end within {seconds} s")
    return [tuple(item) for item in json.loads(done.stdout)]


@pytest.mark.parametrize("data", [b"[}", b"[" + b"}" * 1000, b"[1, }", b'[{"a": 1}, ]}'])
def test_a_stray_closing_brace_ends_the_array_at_once(data: bytes) -> None:
    """Issue 18.1: a `}` at the array's top level used to match a zero-length scalar: the
    scanner never advanced (an endless loop with growing memory)."""
    found = _decode_in_child(data, 10)
    assert found[-1][:2] == ("Finding", "F001")
    for chunks in every_split(data[:40]):
        assert decode(chunks) == whole(data[:40])


@pytest.mark.parametrize("text", [
    '{"n": 9223372036854775808}', '{"n": 18446744073709551616}', '{"n": -9223372036854775809}',
    '{"x": 1E400}', '{"s": "\\ud800"}', '{"s": "a\\udfffb"}',
])
def test_elements_are_read_as_jsonl_reads_the_same_line(text: str) -> None:
    """Issue 18.18: the array reader used to reject integers >= 2^63 and 1E400 (and stop
    reading) and turned a lone surrogate into '?'; JSONL accepts them as the clients do."""
    data = f'[{text},\n{{"b": 2}}]'.encode()
    jsonl = decode_with(FrameDecoder("jsonl"), [f"{text}\n{{\"b\": 2}}\n".encode()])
    assert located(whole(data)) == located(jsonl)
    assert whole(data)[0].payload is not None


def test_a_long_element_costs_what_the_same_jsonl_line_costs() -> None:
    """Issue 18.10: ijson rescanned an incomplete token on every 16 KiB feed, so one long
    element took time quadratic in its length (a 32 MiB element: 55x its JSONL time)."""
    import time

    delta = "x" * (8 * 1024 * 1024)
    event = json.dumps({"type": "response.output_text.delta", "delta": delta}).encode()

    def cpu(decoder: FrameDecoder, data: bytes) -> float:
        start = time.process_time()
        items = list(decoder.feed_sliced(data)) + decoder.close()
        assert items[0].payload["delta"] == delta
        return time.process_time() - start

    jsonl = min(cpu(FrameDecoder("jsonl"), event + b"\n") for _ in range(3))
    array = min(cpu(FrameDecoder("json"), b"[" + event + b"]") for _ in range(3))
    assert array < 4 * jsonl + 0.05, (array, jsonl)


# -- the fast path (issue 17.4): every layout, every chunking, the lines of JSONL ---------------

#: What may stand between two elements, and what may indent an element's start.
GAPS = [b",", b", ", b",\n", b"\n,\n", b",\r\n", b" ,\t", b",\r", b",\n  "]
TRICKY = ["},{", "},\n{", '"}, {"', "\\", "x" * 300, "ünï 𝄞"]

events = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.sampled_from(TRICKY)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner,
                                                                 max_size=3),
    max_leaves=8)
objects = st.dictionaries(st.sampled_from(["type", "delta", "n", "items"]), events, max_size=4)


def breaks(data: bytes) -> int:
    """Line breaks as the SSE rule counts them (LF, CRLF, a lone CR)."""
    return len(re.findall(rb"\r\n|\r|\n", data))


def layout(elements: list[dict], indents: list[int | None], gaps: list[bytes]) -> tuple:
    """An array of ``elements``, each dumped with its indent, joined with ``gaps``; and each
    element's expected (index, line, payload)."""
    parts, expected, line = [b"["], [], 1
    for n, (element, indent) in enumerate(zip(elements, indents, strict=True)):
        if n:
            parts.append(gaps[n - 1])
            line += breaks(gaps[n - 1])
        text = json.dumps(element, indent=indent, ensure_ascii=indent is None).encode()
        expected.append((n, line, element))
        parts.append(text)
        line += breaks(text)
    return b"".join(parts) + b"]", expected


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(elements=st.lists(objects, min_size=1, max_size=8), data=st.data())
def test_any_layout_any_chunking_gives_the_elements_at_their_lines(elements, data) -> None:
    indents = [data.draw(st.sampled_from([None, None, 1, 2])) for _ in elements]
    gaps = [data.draw(st.sampled_from(GAPS)) for _ in elements[1:]]
    array, expected = layout(elements, indents, gaps)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(array)), max_size=4)))
    chunks = [array[a:b] for a, b in zip([0, *cuts], [*cuts, len(array)], strict=True)]
    assert located(decode(chunks)) == expected


def big_array(indent: int | None, crlf: bool) -> tuple:
    """Thousands of events across many 16 KiB feeds and windows: small ones, ones longer than
    a feed, nested arrays of objects spelled as the separator, and a change of layout."""
    elements = []
    for n in range(3000):
        element: dict = {"type": "response.output_text.delta", "sequence_number": n,
                         "delta": TRICKY[n % len(TRICKY)]}
        if n % 97 == 0:
            element["delta"] = "y" * (n * 13 % 40_000)
        if n % 31 == 0:
            element["items"] = [{"a": n}, {"b": [{"c": "},{"}, {}]}]
        elements.append(element)
    indents = [indent if n < 2000 else 1 for n in range(len(elements))]
    gaps = [b",\n" if n < 1500 else b", " for n in range(len(elements) - 1)]
    array, expected = layout(elements, indents, gaps)
    if crlf:
        array = array.replace(b"\n", b"\r\n")  # one break each: the same lines
    return array, expected


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("indent", [None, 2])
def test_a_long_array_in_any_feed_size_reads_as_its_jsonl(indent, crlf) -> None:
    array, expected = big_array(indent, crlf)
    for size in (16 * 1024, 1000, 1 << 20, len(array)):
        decoder = FrameDecoder("json")
        items = [i for start in range(0, len(array), size)
                 for i in decoder.feed_sliced(array[start:start + size])] + decoder.close()
        assert located(items) == expected, size
    jsonl = b"".join(json.dumps(e).encode() + b"\n" for (_, _, e) in expected)
    assert [i.payload for i in whole(array)] == [i.payload for i in whole_jsonl(jsonl)]


def whole_jsonl(data: bytes) -> list:
    return decode_with(FrameDecoder("jsonl"), [data])
