"""The SSE decoder: WPT/spec vectors under every chunking, then each framing finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import decode_with, every_split

from validator.framing import FrameDecoder
from validator.framing.sse import SSEDecoder
from validator.model import Finding, Frame

VECTORS = sorted((Path(__file__).resolve().parents[1] / "samples" / "sse-vectors").glob("*.json"))


def decode(chunks: list[bytes], *, trace: list | None = None, **kw) -> list[Frame | Finding]:
    decoder = FrameDecoder("sse", **kw)
    if trace is not None:
        decoder.decoder.trace = trace
    return decode_with(decoder, chunks)


def whole(data: bytes, **kw) -> list[Frame | Finding]:
    return decode([data], **kw)


def frames(items: list) -> list[Frame]:
    return [item for item in items if type(item) is Frame]


def codes(items: list) -> list[str]:
    return [item.code for item in items if type(item) is Finding]


def load(path: Path) -> tuple[bytes, list[dict]]:
    vector = json.loads(path.read_text(encoding="utf-8"))
    data = bytes.fromhex(vector["input_hex"]) if "input_hex" in vector \
        else vector["input"].encode("utf-8")
    return data, vector["expected"]


# -- vectors -------------------------------------------------------------------------------------


def test_vectors_are_there() -> None:
    assert len(VECTORS) >= 25
    for path in VECTORS:
        vector = json.loads(path.read_text(encoding="utf-8"))
        assert vector["description"] and vector["expected"], path.name


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    data, expected = load(path)
    trace: list = []
    reference = whole(data, trace=trace)
    assert trace == expected
    for chunks in every_split(data):
        again: list = []
        assert decode(chunks, trace=again) == reference, chunks
        assert again == expected


# -- line endings, BOM, comments, field syntax --------------------------------------------------


def test_frame_fields() -> None:
    items = whole(b'event: response.created\ndata: {"type": "response.created"}\n\n')
    assert items == [Frame(0, 1, {"type": "response.created"}, "response.created", False)]


def test_line_numbers_with_mixed_line_endings() -> None:
    data = (b'data: {"a": 1}\r\n\r\ndata: {"b": 2}\r\rdata: {"c": 3}\n\n'
            b": c\r\nevent: x\rdata: {}\n\n")
    found = frames(whole(data))
    assert [(f.line, f.payload, f.event) for f in found] == [
        (1, {"a": 1}, None), (3, {"b": 2}, None), (5, {"c": 3}, None), (8, {}, "x")]
    for chunks in every_split(data):
        assert decode(chunks) == whole(data)


def test_cr_at_chunk_end_waits_for_lf() -> None:
    # CR then LF in the next chunk is ONE line break: one blank line, one event, line 3 next.
    items = decode([b'data: {"a": 1}\r', b'\n\r', b'\ndata: {"b": 2}\r', b'\r'])
    assert [(f.line, f.payload) for f in frames(items)] == [(1, {"a": 1}), (3, {"b": 2})]
    assert codes(items) == []


def test_bom_stripped_once_and_reported() -> None:
    items = whole(b'\xef\xbb\xbfdata: {"a": 1}\n\n')
    assert codes(items) == ["F010"]
    assert frames(items) == [Frame(0, 1, {"a": 1})]
    assert items[0].line == 1
    # WPT format-bom-2: a second BOM belongs to the field name, which is then unknown.
    items = whole(b'\xef\xbb\xbf\xef\xbb\xbfdata: {"a": 1}\n\ndata: {"b": 2}\n\n')
    assert codes(items) == ["F010", "F011"]
    assert [f.payload for f in frames(items)] == [{"b": 2}]


def test_bom_split_over_chunks() -> None:
    items = decode([b"\xef", b"\xbb", b"\xbfdata: {}\n\n"])
    assert codes(items) == ["F010"] and frames(items) == [Frame(0, 1, {})]


def test_comments_count_for_lines_but_do_not_start_a_block() -> None:
    items = whole(b': keep-alive\n\n: another\nevent: a\n: inside\ndata: {}\n\n')
    assert frames(items) == [Frame(0, 4, {}, "a")]
    assert codes(items) == []


def test_field_without_colon_and_single_leading_space() -> None:
    trace: list = []
    whole(b"data\ndata:  two\ndata:\tthree\n\nevent\ndata\n\n", trace=trace)
    assert [m["data"] for m in trace] == ["\n two\n\tthree", ""]
    assert [m["event"] for m in trace] == ["message", "message"]


def test_multi_line_data_is_joined() -> None:
    items = whole(b'data: {"a":\ndata: [1,\ndata: 2]}\n\n')
    assert items == [Frame(0, 1, {"a": [1, 2]})]


def test_id_and_retry_are_tracked() -> None:
    decoder = FrameDecoder("sse")
    items = decoder.feed(b"id: 7\nretry: 1500\ndata: {}\n\nid: 8\x00\ndata: {}\n\nretry: 10s\n")
    items += decoder.close()
    sse = decoder.decoder
    assert isinstance(sse, SSEDecoder)
    assert sse.last_event_id == "7"  # the id holding U+0000 is ignored
    assert sse.retry == 1500  # "10s" is ignored
    assert codes(items) == ["F013", "F012", "F004"]  # F013 once only
    assert [f.line for f in items if type(f) is Finding] == [1, 8, 8]


def test_done_sentinel() -> None:
    items = whole(b'data: {}\n\ndata:  [DONE] \n\n')
    assert items == [Frame(0, 1, {}), Frame(1, 3, None, None, True)]


# -- findings ------------------------------------------------------------------------------------


def test_unterminated_last_block_is_dropped() -> None:
    items = whole(b'data: {"a": 1}\n\nevent: x\ndata: {"b": 2}\n')
    assert frames(items) == [Frame(0, 1, {"a": 1})]
    assert [(f.code, f.line, f.event_index) for f in items[1:]] == [("F004", 3, None)]
    # a partial last line without a newline belongs to the block too
    items = whole(b'data: {"a": 1}\n\ndata: {"b": 2}')
    assert codes(items) == ["F004"] and len(frames(items)) == 1
    # a trailing comment is not a block
    assert codes(whole(b'data: {}\n\n: bye')) == []


def test_invalid_json_keeps_the_frame_and_its_index() -> None:
    long = b'{"type": "response.output_text.delta", "delta": "' + b"x" * 500
    items = whole(b"data: " + long + b"\n\ndata: {}\n\n")
    assert frames(items) == [Frame(0, 1, None), Frame(1, 3, {})]
    finding = items[1]
    assert (finding.code, finding.line, finding.event_index) == ("F001", 1, 0)
    assert "unexpected end of data" in finding.message
    assert len(finding.message) < 160 and '{"type": "response.output_text.delta"' in finding.message


def test_empty_data_is_invalid_json() -> None:
    items = whole(b"data:\n\n")
    assert frames(items) == [Frame(0, 1, None)] and codes(items) == ["F001"]


@pytest.mark.parametrize("data", [b'"hi"', b"[1]", b"3", b"null", b"true"])
def test_event_not_object(data: bytes) -> None:
    items = whole(b"data: " + data + b"\n\n")
    assert frames(items)[0].payload == json.loads(data)
    assert codes(items) == ["F002"]


def test_deep_nesting_fails_cleanly() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    items = whole(b"data: " + deep + b"\n\n")
    assert frames(items) == [Frame(0, 1, None)]
    assert codes(items) == ["F001"] and "depth" in items[1].message


def test_invalid_utf8_is_replaced_and_reported_once_per_line() -> None:
    data = b'event: caf\xe9\ndata: {"t": "caf\xe9", "u": "\xff"}\n\n'
    reference = whole(data)
    assert frames(reference) == [Frame(0, 1, {"t": "caf\ufffd", "u": "\ufffd"}, "caf\ufffd")]
    assert [(f.code, f.line) for f in reference if type(f) is Finding] == [("F005", 1), ("F005", 2)]
    for chunks in every_split(data):
        assert decode(chunks) == reference


def test_invalid_utf8_in_second_data_line_is_located() -> None:
    items = whole(b'data: {"a":\ndata: "\xff"}\n\n')
    assert frames(items) == [Frame(0, 1, {"a": "\ufffd"})]
    assert [(f.code, f.line, f.event_index) for f in items[1:]] == [("F005", 2, 0)]


def test_invalid_utf8_reports_are_capped() -> None:
    items = whole(b": \xff\n" * 100)
    assert codes(items) == ["F005"] * 21
    assert items[-1].line is None and "80 more" in items[-1].message


def test_multibyte_character_split_across_chunks() -> None:
    data = 'data: {"t": "a…b€𝄞"}\n\n'.encode()
    reference = whole(data)
    assert reference == [Frame(0, 1, {"t": "a…b€𝄞"})]
    for chunks in every_split(data):
        assert decode(chunks) == reference


def test_block_without_data() -> None:
    items = whole(b"event: ping\n\n: comment only\n\nfoo: bar\n\nid: 1\n\n")
    assert frames(items) == []
    assert [(f.code, f.line) for f in items] == [("F008", 1), ("F011", 5), ("F013", 7), ("F008", 7)]


def test_unknown_field_once_per_name_with_hint() -> None:
    items = whole(b"Data: {}\nData: {}\nfoo: 1\ndata: {}\n\n")
    assert codes(items) == ["F011", "F011"]
    assert "did you mean 'data'" in items[0].message and items[1].line == 3


def test_line_too_long_drops_the_block_with_bounded_memory() -> None:
    decoder = FrameDecoder("sse", max_line_bytes=1024)
    out = decoder.feed(b"data: {}\n\nevent: big\n")
    for _ in range(100):  # a 100 kB data line, in 1 kB chunks
        out += decoder.feed(b"x" * 1000)
        assert len(decoder.decoder._tail) <= 2048
    out += decoder.feed(b'\ndata: {"b": 1}\n\ndata: {"c": 1}\n\n') + decoder.close()
    assert [(f.code, f.line) for f in out if type(f) is Finding] == [("F009", 4)]
    assert [(f.index, f.line, f.payload) for f in frames(out)] == [(0, 1, {}), (1, 7, {"c": 1})]


def test_line_too_long_same_result_whole_or_chunked() -> None:
    data = (b"data: {}\n\n: " + b"c" * 3000 + b"\r\ndata: {}\n\ndata: " + b"y" * 3000
            + b"\n\ndata: {}\n\n")
    reference = whole(data, max_line_bytes=1024)
    assert codes(reference) == ["F009", "F009"]
    assert [f.line for f in frames(reference)] == [1, 4, 8]  # a long comment spoils no block
    for size in (1, 7, 1000, 1024, 1025, 4096):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert decode(chunks, max_line_bytes=1024) == reference


def test_line_just_over_the_limit_ended_by_a_short_chunk() -> None:
    # The line is under the limit until its last piece, which comes in a chunk shorter than the
    # line: the line then goes on alone (``_line_alone``) and must still be found too long.
    line = b"data: " + b"y" * 1020
    data = b"data: {}\n\n" + line + b"\n\ndata: {}\n\n"
    reference = whole(data, max_line_bytes=1024)
    assert codes(reference) == ["F009"]
    cut = data.index(line) + 1000
    assert decode([data[:cut], data[cut:]], max_line_bytes=1024) == reference


def test_many_data_lines_are_bounded_too() -> None:
    items = whole(b"data: 1234567\n" * 300 + b"\ndata: {}\n\n", max_line_bytes=1024)
    assert codes(items) == ["F009"] and frames(items) == [Frame(0, 302, {})]


def test_index_counts_done_and_broken_events() -> None:
    items = whole(b'data: {}\n\ndata: nope\n\ndata: [DONE]\n\ndata: {"late": 1}\n\n')
    assert [(f.index, f.done) for f in frames(items)] == [(0, False), (1, False), (2, True),
                                                         (3, False)]


def test_repeated_event_names() -> None:
    data = b"event: a\ndata: {}\n\ndata: {}\nevent: a\n\nevent:a\n\nevent: b\r\ndata: {}\n\n"
    items = whole(data)
    assert [(i.index, i.line, i.event) if type(i) is Frame else (i.code, i.line) for i in items] \
        == [(0, 1, "a"), (1, 4, "a"), ("F008", 7), (2, 9, "b")]
