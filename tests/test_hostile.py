"""Hostile input: whatever a broken or malicious server sends, `lint` answers with findings
(exit 1) or one line of error (exit 2), never a traceback, and its memory stays bounded.

The big inputs run the real console entry point in a child process, which reports its own
peak memory (``VmHWM``: ``ru_maxrss`` would carry the pytest parent's peak across ``fork``).
"""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from streams import sequential

from validator.cli import main

VALID = SAMPLES / "valid" / "text.sse"
MB = 1024 * 1024

#: The console entry point (``run``: internal errors become one line), reporting its peak
#: resident memory on stderr when the process exits.
_CHILD = """
import atexit, sys

def peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    sys.stderr.write("PEAK_KB=" + line.split()[1] + "\\n")
    except OSError:
        pass

atexit.register(peak)
from validator.cli import run
sys.argv = ["stream-validator", *sys.argv[1:]]
run()
"""


def lint_child(*args: str) -> tuple[int, str, str, int | None]:
    """Exit code, stdout, stderr (without the peak line) and peak memory in MB (or None)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, "lint", *args], capture_output=True,
                          text=True, timeout=120)
    lines = done.stderr.splitlines()
    peak = next((int(line[8:]) // 1024 for line in lines if line.startswith("PEAK_KB=")), None)
    stderr = "\n".join(line for line in lines if not line.startswith("PEAK_KB="))
    return done.returncode, done.stdout, stderr, peak


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.output


def lint_json(path: Path, *args: str) -> tuple[int, list[dict]]:
    code, output = lint("--format", "json", *args, str(path))
    return code, json.loads(output)["files"][0]["violations"]


def lint_events(tmp_path: Path, events: list[dict], *, expect: int, max_mb: int) -> None:
    """Lint ``events`` as JSONL in a child process: exit code ``expect``, peak under
    ``max_mb``."""
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    code, output, stderr, peak = lint_child(str(path))
    assert_clean_failure(code, output, stderr)
    assert code == expect, output
    if peak is not None:
        assert peak < max_mb, f"{peak} MB"


def assert_clean_failure(code: int, *texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    assert code in (0, 1, 2), code


def found(violations: list[dict]) -> set[str]:
    return {v["code"] for v in violations}


# -- bytes that are not a stream -----------------------------------------------------------------

def test_random_bytes(tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(random.Random(7).randbytes(256 * 1024))
    code, violations = lint_json(path)
    assert code == 1
    assert "F005" in found(violations)  # random bytes are mostly not UTF-8
    # Findings of one code are capped: the report stays small whatever the input.
    assert sum(v["code"] == "F005" for v in violations) <= 21


def test_gzip_capture_is_read_decompressed(tmp_path):
    seed = SAMPLES / "seeds" / "responses-mismatched-ids.jsonl"
    path = tmp_path / "capture.jsonl.gz"
    path.write_bytes(gzip.compress(seed.read_bytes()))
    plain = [(v["code"], v["line"]) for v in lint_json(seed)[1]]
    code, violations = lint_json(path)
    assert code == 1 and [(v["code"], v["line"]) for v in violations] == plain
    # A directory argument finds it too, and a gzip file named like plain text is still read.
    disguised = tmp_path / "capture.sse"
    disguised.write_bytes(gzip.compress(VALID.read_bytes()))
    code, output = lint(str(tmp_path))
    assert code == 1 and "capture.jsonl.gz" in output and "capture.sse (sse" in output


def test_gzip_file_cut_short(tmp_path):
    path = tmp_path / "capture.sse.gz"
    path.write_bytes(gzip.compress(VALID.read_bytes())[:-20])
    code, output = lint(str(path))
    assert_clean_failure(code, output)
    assert code == 2 and "broken gzip data" in output


def test_invalid_utf8_inside_an_event(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"type":"response.created","sequence_number":0,"response":{"id":"r\xff"}}\n')
    code, violations = lint_json(path)
    assert code == 1
    [bad] = [v for v in violations if v["code"] == "F005"]
    assert bad["line"] == 1 and "ff" in bad["message"]


@pytest.mark.parametrize("where", ["jsonl", "sse"])
def test_nul_byte(tmp_path, where):
    if where == "jsonl":
        data = b'{"type":"response.created",\x00"sequence_number":0}\n'
    else:
        data = VALID.read_bytes().replace(b"data: ", b"data: \x00", 1)
    path = tmp_path / f"nul.{where}"
    path.write_bytes(data)
    code, output = lint(str(path))
    assert code == 1 and "F001" in output
    assert "\\x00" in output and "\x00" not in output  # shown escaped, never raw


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    code, violations = lint_json(path)
    assert (code, found(violations)) == (1, {"L010"})


def test_sse_stream_of_only_comments(tmp_path):
    path = tmp_path / "pings.sse"
    path.write_bytes(b": ping\n\n" * 10_000)
    code, violations = lint_json(path)
    assert (code, found(violations)) == (1, {"L010"})


def test_directory_without_streams_is_a_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a stream")
    code, output = lint(str(tmp_path))
    assert code == 2 and "no .sse/.jsonl" in output and len(output.strip().splitlines()) == 1


def test_missing_path(tmp_path):
    code, output = lint(str(tmp_path / "nope.sse"))
    assert code == 2 and "cannot read" in output and len(output.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "sse"])
def test_stream_cut_inside_a_multibyte_character(tmp_path, fmt):
    event = '{"type":"response.created","sequence_number":0,"response":{"id":"café"}}'.encode()
    cut = event[: event.index("é".encode()) + 1]  # the first byte of the two of "é"
    path = tmp_path / f"cut.{fmt}"
    path.write_bytes(cut if fmt == "jsonl" else b"data: " + cut)
    code, violations = lint_json(path)
    assert code == 1
    # JSONL: the last line does not parse; SSE: the block never ends.
    assert found(violations) & {"F001", "F004"}, violations


# -- hostile JSON --------------------------------------------------------------------------------

@pytest.mark.parametrize(("opening", "closing"), [(b'{"a":', b"}"), (b"[", b"]")])
def test_json_nested_100000_deep(tmp_path, opening, closing):
    path = tmp_path / "deep.jsonl"
    path.write_bytes(opening * 100_000 + b"1" * (opening != b"[") + closing * 100_000 + b"\n")
    code, output = lint(str(path))
    assert_clean_failure(code, output)
    assert code == 1 and "F001" in output
    assert "depth limit exceeded" in output or "nested deeper than" in output


def test_ten_megabyte_delta_is_validated_like_any_other(tmp_path):
    events = sequential([("message", [["Hello", "x" * (10 * MB), "!"]])])
    lint_events(tmp_path, events, expect=0, max_mb=300)


def test_fifty_megabyte_single_line(tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"type":"response.created","x":"' + b"a" * (50 * MB) + b'"}\n')
    code, output, stderr, peak = lint_child(str(path))
    assert_clean_failure(code, output, stderr)
    assert code == 1  # parsed (under the 64 MB default) and found wanting: no response object
    if peak is not None:
        assert peak < 450, f"{peak} MB for a 50 MB line"
    code, output, stderr, peak = lint_child("--max-line-bytes", str(MB), str(path))
    assert code == 1 and "F009" in output and "line longer than 1048576 bytes" in output
    if peak is not None:
        assert peak < 100, f"{peak} MB with a 1 MB line limit"


def test_a_million_events_of_an_unknown_type(tmp_path):
    path = tmp_path / "unknown.jsonl"
    with open(path, "wb") as out:
        out.write(b"".join(b'{"type":"x.unknown","sequence_number":%d}\n' % i
                           for i in range(1_000_000)))
    code, output, stderr, peak = lint_child("--format", "json", str(path))
    assert_clean_failure(code, output, stderr)
    report = json.loads(output)["files"][0]
    assert report["events"] == 1_000_000
    # One finding per root cause, not a million: a stream whose first event is of no known
    # kind is another wire format (L013), reported once.
    assert [v["code"] for v in report["violations"]] == ["L013"]
    assert len(report["violations"]) < 10
    if peak is not None:
        assert peak < 100, f"{peak} MB for 10^6 small events"


@pytest.mark.parametrize("event", [
    # indexes far beyond anything added: no placeholder list of that size
    {"type": "response.output_item.added", "output_index": 10**9,
     "item": {"id": "m", "type": "message"}},
    {"type": "response.content_part.added", "output_index": 0, "content_index": 10**9,
     "item_id": "m", "part": {"type": "output_text", "text": ""}},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": -3,
     "item_id": "m", "delta": "x"},
    # objects where ids and types belong
    {"type": "response.output_item.added", "output_index": 1,
     "item": {"id": {"a": 1}, "type": ["message"], "call_id": {}}},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
     "item_id": {"not": "an id"}, "delta": "x"},
])
@pytest.mark.parametrize("resumed", [False, True])
def test_absurd_indexes_and_ids(tmp_path, event, resumed):
    """A resumed stream (first sequence_number > 0) adopts items it did not see opened; a
    hostile index must not make it allocate them all."""
    events = [json.loads(line) for line in (SAMPLES / "valid" / "text.jsonl").read_text()
              .splitlines()]
    if resumed:
        events = [e for e in events if e["type"] != "response.created"]
        events[0]["response"]["background"] = True
    events.insert(4, dict(event, sequence_number=events[3]["sequence_number"]))
    lint_events(tmp_path, events, expect=1, max_mb=100)


# -- issue 18: crashes on hostile values ---------------------------------------------------------

CHUNK = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
         "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}]}


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [977, 1000, 1023])
@pytest.mark.parametrize("fmt", ["sse", "jsonl", "json"])
def test_events_nested_a_thousand_deep_are_a_finding_not_a_crash(tmp_path, depth, fmt):
    """Issue 18.2: orjson reads up to 1024 levels, but the engine's excerpt (json.dumps) and
    jsonschema's message (repr) recurse: RecursionError ended the whole run."""
    delta = ('{"type":"response.output_text.delta","item_id":"m","output_index":0,'
             f'"content_index":0,"delta":{_deep(depth)},"sequence_number":0}}')
    chunk = json.dumps(CHUNK).replace('"x"', _deep(depth - 4))  # 4 levels above the content
    for event in (delta, chunk):
        data = {"sse": f"data: {event}\n\n", "jsonl": f"{event}\n", "json": f"[{event}]"}[fmt]
        path = tmp_path / f"deep.{fmt}"
        path.write_text(data)
        code, violations = lint_json(path)
        assert code == 1
        assert "F020" in found(violations)


@pytest.mark.parametrize("reason", [["stop"], {"a": 1}, 3, True, _deep(990)])
def test_a_finish_reason_of_any_json_type_is_a_finding(tmp_path, reason):
    """Issue 18.3: a list or object as `finish_reason` raised TypeError (unhashable)."""
    chunk = json.dumps({**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": 0}]})
    chunk = chunk.replace('"finish_reason": 0', '"finish_reason": ' + (
        reason if isinstance(reason, str) else json.dumps(reason)))
    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps(CHUNK) + "\n" + chunk + "\n" + chunk + "\n")
    code, violations = lint_json(path)
    assert code == 1
    assert {"C016", "C017"} <= found(violations) or "F020" in found(violations)
    assert all(len(v["message"]) < 400 for v in violations)


# -- issue 18: time and memory bounds ------------------------------------------------------------

def _cpu(fmt: str, data: bytes) -> float:
    import time

    from validator.framing import FrameDecoder

    best = float("inf")
    for _ in range(3):
        decoder = FrameDecoder(fmt)
        start = time.process_time()
        for _item in decoder.feed_sliced(data):
            pass
        decoder.close()
        best = min(best, time.process_time() - start)
    return best


def test_jsonl_blank_lines_cost_what_sse_blank_lines_cost():
    """Issue 18.6: a JSONL blank line went through orjson's exception (12.5x the SSE cost): a
    1 MB gzip of newlines took about 45 minutes."""
    blanks = b"\n" * 3_000_000
    assert _cpu("jsonl", blanks) < 3 * _cpu("sse", blanks) + 0.02


def test_multi_line_sse_data_is_bounded_in_bytes_and_lines(tmp_path):
    """Issue 18.9: one event of many 1-byte `data:` lines took about 16x the file size (a
    list of bytes and one of line numbers per line); now it is held as its bytes, and an event
    of more than MAX_DATA_LINES data lines is skipped (F009)."""
    from validator.framing.sse import MAX_DATA_LINES

    path = tmp_path / "lines.sse"
    path.write_bytes(b"data:x\n" * (MAX_DATA_LINES // 2) + b"\n")
    code, output, stderr, peak = lint_child(str(path), "--format", "json")
    assert_clean_failure(code, output, stderr)
    assert "F001" in output  # one event of x\nx\n...: not JSON
    assert peak is None or peak < 90, f"{peak} MB for a {path.stat().st_size // MB} MB file"
    path.write_bytes(b"data:\n" * (MAX_DATA_LINES + 1) + b"\n" + VALID.read_bytes())
    code, violations = lint_json(path)
    assert [v["code"] for v in violations] == ["F009"]
    assert f"more than {MAX_DATA_LINES} data lines" in violations[0]["message"]


def test_sniffing_after_a_long_blank_prefix_does_not_depend_on_the_chunking():
    """Issue 18.18: the format of an input that starts with more blanks than max_line_bytes
    depended on whether the first non-blank byte came in the same chunk."""
    from conftest import decode_with

    from validator.framing import FrameDecoder

    data = b" \n" * 800 + b'[{"type": "x"}]'
    whole = decode_with(FrameDecoder(max_line_bytes=1024), [data])
    for size in (1, 100, 1023, 1024, 1025, 1600, len(data)):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        assert decode_with(FrameDecoder(max_line_bytes=1024), chunks) == whole, size
