"""Hostile Anthropic Messages streams: wrong types in every field, absurd indexes, deep tool
input, a million repeated defects, random byte damage.  Findings (exit 1), never a traceback,
memory bounded (the child-process helpers of test_hostile.py)."""

from __future__ import annotations

import json
import random

import pytest
from conftest import SAMPLES
from test_hostile import assert_clean_failure, lint_child, lint_events

from validator import validate_stream

TOOL = SAMPLES / "valid" / "anthropic-tool-use.sse"
THINKING = SAMPLES / "valid" / "anthropic-thinking.jsonl"


def _events(path) -> list[dict]:
    text = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]


_ODD = [None, True, -3, 10**12, 1.5, "", "0", [], [1, {"a": None}], {}, {"type": {"x": 1}},
        "\ud800", "x" * 10_000]


def _paths(value, prefix=()):
    """Every (path, value) of a JSON document."""
    yield prefix, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _paths(sub, (*prefix, i))


def _replaced(event, path, odd):
    if not path:
        return odd
    copy = json.loads(json.dumps(event))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = odd
    return copy


@pytest.mark.parametrize("sample", [TOOL, THINKING], ids=lambda p: p.name)
def test_any_field_with_any_value_gives_findings_not_an_exception(sample):
    events = _events(sample)
    cases = 0
    for position, event in enumerate(events):
        for path, _ in _paths(event):
            if not path:
                continue  # an event that is not an object is API misuse (TypeError)
            for odd in _ODD:
                broken = [*events[:position], _replaced(event, path, odd),
                          *events[position + 1:]]
                report = validate_stream(broken, kind="anthropic")  # raises only on a bug
                assert report.events == len(events)
                cases += 1
    assert cases > 500


def test_random_byte_damage_never_raises():
    data = TOOL.read_bytes()
    rng = random.Random(7)
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        validate_stream(bytes(damaged))


@pytest.mark.parametrize("index", [10**9, -3, "0", {"a": 1}, True, None, 2**70])
def test_absurd_block_indexes(tmp_path, index):
    events = _events(TOOL)
    events.insert(3, {"type": "content_block_delta", "index": index,
                      "delta": {"type": "text_delta", "text": "x"}})
    events.insert(3, {"type": "content_block_start", "index": index,
                      "content_block": {"type": "text", "text": ""}})
    lint_events(tmp_path, events, expect=1, max_mb=100)


def test_deeply_nested_tool_input(tmp_path):
    events = _events(TOOL)
    at = next(i for i, e in enumerate(events) if e.get("delta", {}).get("partial_json"))
    events[at]["delta"]["partial_json"] = "[" * 200_000
    lint_events(tmp_path, events, expect=1, max_mb=150)


def test_a_million_deltas_for_a_block_never_started(tmp_path):
    path = tmp_path / "orphans.jsonl"
    head = _events(TOOL)[:1]
    with open(path, "w") as out:
        out.write(json.dumps(head[0]) + "\n")
        line = json.dumps({"type": "content_block_delta", "index": 7,
                           "delta": {"type": "text_delta", "text": "ab"}}) + "\n"
        out.write(line * 1_000_000)
    code, output, stderr, peak = lint_child("--format", "json", str(path))
    assert_clean_failure(code, output, stderr)
    report = json.loads(output)["files"][0]
    assert report["events"] == 1_000_001
    assert sum(v["code"] == "M011" for v in report["violations"]) == 1  # one root cause
    if peak is not None:
        assert peak < 100, f"{peak} MB"


def test_a_million_text_deltas_keep_memory_flat(tmp_path):
    path = tmp_path / "long.sse"
    events = _events(SAMPLES / "valid" / "anthropic-text.sse")
    frame = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events[:3])
    delta = ("event: content_block_delta\ndata: " + json.dumps(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta",
                                                              "text": "abc"}}) + "\n\n")
    tail = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events[-3:])
    path.write_text(frame + delta * 1_000_000 + tail)
    code, output, stderr, peak = lint_child(str(path))
    assert_clean_failure(code, output, stderr)
    assert code == 0, output
    if peak is not None:
        assert peak < 120, f"{peak} MB for 10^6 deltas"
