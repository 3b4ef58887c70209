"""Format sniffing, the public face of ``validator.framing``, and the real captures."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, capture_id

from validator.framing import FrameDecoder, read_frames, sniff_format
from validator.framing.formats import FORMATS
from validator.model import Finding, Frame

CAPTURES = sorted(path for folder in CORPUS if folder.is_dir()
                  for path in [*folder.glob("*.sse"), *folder.glob("*.jsonl")])


@pytest.mark.parametrize(("head", "expected"), [
    (b"", None), (b" \r\n\t", None), (b"\xef", None), (b"\xef\xbb", None), (b"\xef\xbb\xbf", None),
    (b"\xef\xbb\xbf \n{", "jsonl"), (b"\n\n{", "jsonl"), (b"[", "json"), (b"  [{", "json"),
    (b"data: {}", "sse"), (b":", "sse"), (b"event", "sse"), (b"\xefx", "sse"), (b"\xff", "sse"),
])
def test_sniff_format(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected


@pytest.mark.parametrize(("data", "fmt"), [
    (b'\n\n{"a": 1}\n', "jsonl"), (b'[{"a": 1}]', "json"), (b'data: {"a": 1}\n\n', "sse"),
    (b'\xef\xbb\xbf{"a": 1}\n', "jsonl"),
])
def test_auto_sniffs_one_byte_at_a_time(data: bytes, fmt: str) -> None:
    decoder = FrameDecoder()
    assert decoder.format is None
    out = []
    for i in range(len(data)):
        out += decoder.feed(data[i:i + 1])
    out += decoder.close()
    assert decoder.format == fmt
    assert [f.payload for f in out if type(f) is Frame] == [{"a": 1}]
    explicit = FrameDecoder(fmt)
    assert out == explicit.feed(data) + explicit.close()


def test_auto_equals_explicit_format() -> None:
    data = b'\xef\xbb\xbf\n{"a": 1}\n{"b"\n'
    auto, explicit = FrameDecoder(), FrameDecoder("jsonl")
    items = auto.feed(data) + auto.close()
    assert items == explicit.feed(data) + explicit.close()
    assert [(i.code, i.line) for i in items if type(i) is Finding] == [("F010", 1), ("F001", 3)]


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\r\n \t\n", b"\r\r\n\n"])
def test_empty_input_has_no_frames_and_no_findings(data: bytes) -> None:
    for fmt in FORMATS:
        if fmt == "sse" and data.strip(b"\r\n"):
            continue  # in SSE a line of spaces is a field named by them (F011), as the spec says
        decoder = FrameDecoder(fmt)
        assert decoder.feed(data) + decoder.close() == [], fmt


def test_a_lone_bom_is_still_reported() -> None:
    decoder = FrameDecoder()
    assert [i.code for i in decoder.feed(b"\xef\xbb\xbf") + decoder.close()] == ["F010"]


def test_misuse() -> None:
    assert FORMATS == ("auto", "sse", "jsonl", "json")
    with pytest.raises(ValueError, match="input format"):
        FrameDecoder("xml")
    decoder = FrameDecoder()
    decoder.close()
    assert decoder.close() == []
    with pytest.raises(RuntimeError):
        decoder.feed(b"{}")


def test_read_frames_matches_feeding_whole() -> None:
    data = b"".join(b'event: e\ndata: {"n": %d}\n\n' % i for i in range(5000))
    decoder = FrameDecoder()
    reference = decoder.feed(data) + decoder.close()
    assert len(reference) == 5000
    for chunk_size in (1, 1000, 1 << 20):
        assert list(read_frames(io.BytesIO(data), chunk_size=chunk_size)) == reference


def test_read_frames_options() -> None:
    stream = io.BytesIO(b'{"a": 1}\n' + b"x" * 2000 + b"\n")
    items = list(read_frames(stream, "jsonl", max_line_bytes=1024))
    assert [type(i) for i in items] == [Frame, Finding] and items[1].code == "F009"


@pytest.mark.skipif(not CAPTURES, reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("path", CAPTURES, ids=capture_id)
def test_real_capture_decodes_cleanly(path: Path) -> None:
    data = path.read_bytes()
    decoder = FrameDecoder()
    items = decoder.feed(data) + decoder.close()
    assert decoder.format == path.suffix[1:]
    found = Counter(i.code for i in items if type(i) is Finding)
    assert not found.keys() & {"F001", "F004", "F005"}, found
    lines = data.splitlines()
    if path.suffix == ".sse":
        expected = sum(1 for line in lines if line.startswith(b"data:"))
    else:
        expected = sum(1 for line in lines if line.strip())
    frames = [i for i in items if type(i) is Frame]
    assert len(frames) == expected > 0
    assert [f.index for f in frames] == list(range(expected))
    assert all(type(f.payload) is dict or f.done for f in frames)
    firsts = [n for n, line in enumerate(lines, 1) if line.startswith((b"data:", b"event:", b"{"))]
    assert {f.line for f in frames} <= set(firsts)


def test_the_format_table_sniffs_each_format_and_names_its_files(tmp_path):
    from validator.framing.formats import INPUT_FORMATS, STREAM_SUFFIXES, done_applies
    from validator.testing import _save
    from validator.walk import is_stream_file

    assert [f.name for f in INPUT_FORMATS.values() if f.sniff is None] == ["sse"]  # the fallback
    assert len(set(STREAM_SUFFIXES)) == len(STREAM_SUFFIXES)
    assert [name for name in INPUT_FORMATS if done_applies(name)] == ["sse"]
    assert not done_applies("events") and not done_applies(None)
    streams = {"sse": b'data: {"a": 1}\n\n', "jsonl": b'{"a": 1}\n', "json": b'[{"a": 1}]'}
    assert set(streams) == set(INPUT_FORMATS)
    for name, data in streams.items():
        assert sniff_format(data) == name
        saved = _save(data, tmp_path, f"stream-{name}")
        assert saved.suffix == INPUT_FORMATS[name].suffixes[0] and is_stream_file(saved)
        assert isinstance(FrameDecoder(name).decoder, INPUT_FORMATS[name].decoder)
